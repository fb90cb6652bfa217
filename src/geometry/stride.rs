//! Judging a walker by the stride, not the frame: in gait the trunk sways forward and back and
//! side to side with every step, the arms swing across the hips and the landmarks of the far
//! side are guessed, so a single frame says little. While the person is in stride, each
//! measure is judged on its mean over the latest stride (two steps: one of each foot), which
//! cancels the sway of each step, so a calm walker is judged on their posture, not their gait,
//! and one who leans forward stride after stride is still flagged.

use std::collections::VecDeque;
use std::time::Duration;

use super::metric_id::MetricId;
use super::metrics::Metrics;
use super::motion::{MAX_STRIDE, Stride};
use super::per_metric::PerMetric;

/// Frames older than this are forgotten: a whole stride, and the time to confirm its last step.
const KEEP: Duration = Duration::from_millis(MAX_STRIDE.as_millis() as u64 + 1000);

/// The latest frames' metrics and the mean over the latest stride.
#[derive(Debug, Clone, Default)]
pub struct StrideMeans {
    frames: VecDeque<(Duration, Metrics)>,
    stride: Option<Stride>,
    mean: Option<Metrics>,
}

impl StrideMeans {
    /// Adds the frame at `t` (`metrics`: `None` without a person) and returns what to judge it
    /// by: the mean over `stride` while the person is in stride, else `None` (the frame's own
    /// values).
    pub fn push(
        &mut self,
        t: Duration,
        metrics: Option<&Metrics>,
        stride: Option<Stride>,
    ) -> Option<Metrics> {
        if let Some(m) = metrics
            && self.frames.back().is_none_or(|(last, _)| t > *last)
        {
            self.frames.push_back((t, *m));
        }
        while self
            .frames
            .front()
            .is_some_and(|(old, _)| t.saturating_sub(*old) > KEEP)
        {
            self.frames.pop_front();
        }
        let Some(stride) = stride else {
            self.stride = None;
            self.mean = None;
            return None;
        };
        if self.stride != Some(stride) {
            self.stride = Some(stride);
            self.mean = self.mean_over(stride);
        }
        // The latest frame's view goes with the mean.
        let view = metrics.and_then(|m| m.view);
        self.mean.map(|mut m| {
            m.view = view.or(m.view);
            m
        })
    }

    /// The mean of each measure over the frames of `stride`; a measure seen in under half of
    /// them has none.
    fn mean_over(&self, stride: Stride) -> Option<Metrics> {
        let in_stride: Vec<&Metrics> = self
            .frames
            .iter()
            .filter(|(t, _)| (stride.start..stride.end).contains(t))
            .map(|(_, m)| m)
            .collect();
        let n = in_stride.len();
        if n == 0 {
            return None;
        }
        let values = PerMetric::from_fn(|id: MetricId| {
            let seen: Vec<f32> = in_stride.iter().filter_map(|m| m.get(id)).collect();
            (seen.len() * 2 >= n).then(|| seen.iter().sum::<f32>() / seen.len() as f32)
        });
        let mut mean = Metrics::new(in_stride[n - 1].view);
        for (id, v) in values.iter() {
            mean.set(id, v);
        }
        Some(mean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn a_stride_is_judged_on_its_mean_and_a_frame_alone_outside_one() {
        let mut means = StrideMeans::default();
        // A lean swaying 10° ± 6° with each step (every 600 ms), 30 frames a second.
        let lean = |ms: u64| 10.0 + 6.0 * (ms as f32 / 600.0 * std::f32::consts::PI).sin();
        let mut last = None;
        for i in 0..90u64 {
            let t = i * 1000 / 30;
            let m = Metrics::default().with(MetricId::TrunkLeanSagittal, lean(t));
            let stride = (t >= 1300).then_some(Stride {
                start: at(0),
                end: at(1200),
            });
            let judged = means.push(at(t), Some(&m), stride);
            if t < 1300 {
                assert_eq!(judged, None, "not in stride yet at {t} ms");
            }
            last = judged;
        }
        let mean = last.unwrap().get(MetricId::TrunkLeanSagittal).unwrap();
        assert!((mean - 10.0).abs() < 0.5, "the sway cancels: {mean}");
        assert_eq!(means.push(at(3100), None, None), None, "out of stride");
    }

    #[test]
    fn a_measure_seen_in_under_half_the_stride_has_no_mean() {
        let mut means = StrideMeans::default();
        for i in 0..30u64 {
            let mut m = Metrics::default().with(MetricId::TrunkLeanSagittal, 5.0);
            if i < 10 {
                m.set(MetricId::HeadForward, Some(40.0));
            }
            means.push(at(i * 40), Some(&m), None);
        }
        let stride = Stride {
            start: at(0),
            end: at(1200),
        };
        let mean = means.push(at(1210), None, Some(stride)).unwrap();
        assert_eq!(mean.get(MetricId::HeadForward), None);
        assert_eq!(mean.get(MetricId::TrunkLeanSagittal), Some(5.0));
    }
}
