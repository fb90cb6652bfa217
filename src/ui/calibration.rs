//! The calibration flow the Calibrate button starts: a countdown to get into a neutral stance
//! (wall-clock seconds, so it runs even before the person is found), then a few seconds of
//! frames (media time) averaged into a [`Baseline`] by the geometry's [`Calibrator`].

use std::time::{Duration, Instant};

use crate::geometry::calibration::{Baseline, CalibrationError, Calibrator};
use crate::geometry::metrics::Metrics;

use super::settings::CalibrationSettings;

#[derive(Debug, Clone)]
enum Phase {
    Idle,
    Countdown { until: Instant },
    Capturing { calibrator: Calibrator, done: f32 },
}

/// Where a calibration stands.
#[derive(Debug, Clone)]
pub struct CalibrationFlow {
    phase: Phase,
    settings: CalibrationSettings,
}

impl CalibrationFlow {
    pub fn new(settings: CalibrationSettings) -> Self {
        Self {
            phase: Phase::Idle,
            settings,
        }
    }

    /// Starts (or restarts) with the countdown.
    pub fn start(&mut self, now: Instant, settings: CalibrationSettings) {
        self.settings = settings;
        let until = now + Duration::from_secs_f32(self.settings.countdown_s.max(0.0));
        self.phase = Phase::Countdown { until };
    }

    pub fn cancel(&mut self) {
        self.phase = Phase::Idle;
    }

    pub fn is_running(&self) -> bool {
        !matches!(self.phase, Phase::Idle)
    }

    /// Advances the flow: `frame` is a newly analysed frame's timestamp and metrics (`None`
    /// metrics: nobody in view). Returns the baseline, or why it was refused, when the capture
    /// ends.
    pub fn tick(
        &mut self,
        now: Instant,
        frame: Option<(Duration, Option<&Metrics>)>,
    ) -> Option<Result<Baseline, CalibrationError>> {
        if let Phase::Countdown { until } = self.phase
            && now >= until
        {
            let calibrator =
                Calibrator::new(Duration::from_secs_f32(self.settings.duration_s.max(0.5)));
            self.phase = Phase::Capturing {
                calibrator,
                done: 0.0,
            };
        }
        let Phase::Capturing { calibrator, done } = &mut self.phase else {
            return None;
        };
        let (t, metrics) = frame?;
        *done = calibrator.push(t, metrics);
        if !calibrator.is_done() {
            return None;
        }
        let result = calibrator.finish();
        self.phase = Phase::Idle;
        Some(result)
    }

    /// What to tell the user now, with the fraction of the capture done.
    pub fn status(&self, now: Instant) -> Option<(String, f32)> {
        match &self.phase {
            Phase::Idle => None,
            Phase::Countdown { until } => {
                let left = until.saturating_duration_since(now).as_secs_f32().ceil();
                Some((
                    format!("Stand naturally, whole body in view, facing the camera… {left:.0}"),
                    0.0,
                ))
            }
            Phase::Capturing { done, .. } => Some((
                "Hold still: measuring your neutral stance".to_string(),
                *done,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::MetricId;
    use crate::geometry::metrics::Metrics;

    fn upright(lean: f32) -> Metrics {
        Metrics::default().with(MetricId::TrunkLeanFrontal, lean)
    }

    fn settings() -> CalibrationSettings {
        CalibrationSettings {
            countdown_s: 2.0,
            duration_s: 1.0,
        }
    }

    #[test]
    fn counts_down_then_captures_a_baseline() {
        let t0 = Instant::now();
        let mut flow = CalibrationFlow::new(settings());
        flow.start(t0, settings());
        // Frames during the countdown are not used.
        let m = upright(40.0);
        assert!(flow.tick(t0, Some((Duration::ZERO, Some(&m)))).is_none());
        assert!(flow.status(t0).unwrap().0.ends_with('2'));
        let after = t0 + Duration::from_secs(2);
        let mut result = None;
        for i in 0..=40u64 {
            let m = upright(2.0 + (i % 2) as f32 * 0.2);
            if let Some(r) = flow.tick(after, Some((Duration::from_millis(i * 33), Some(&m)))) {
                result = Some(r);
                break;
            }
        }
        let baseline = result
            .expect("the capture ends after its duration")
            .unwrap();
        let lean = baseline.stat(MetricId::TrunkLeanFrontal).unwrap();
        assert!((lean.mean - 2.1).abs() < 0.05, "{lean:?}");
        assert!(!flow.is_running());
    }

    #[test]
    fn nobody_in_view_is_refused_with_a_reason() {
        let t0 = Instant::now();
        let mut flow = CalibrationFlow::new(settings());
        flow.start(t0, settings());
        let later = t0 + Duration::from_secs(3);
        let mut result = None;
        for i in 0..=40u64 {
            if let Some(r) = flow.tick(later, Some((Duration::from_millis(i * 33), None))) {
                result = Some(r);
                break;
            }
        }
        let err = result.unwrap().unwrap_err();
        assert!(matches!(err, CalibrationError::TooFewFrames { got: 0, .. }));
    }

    #[test]
    fn cancel_stops_it() {
        let t0 = Instant::now();
        let mut flow = CalibrationFlow::new(settings());
        flow.start(t0, settings());
        flow.cancel();
        assert!(flow.status(t0).is_none());
        let m = upright(0.0);
        assert!(
            flow.tick(
                t0 + Duration::from_secs(9),
                Some((Duration::ZERO, Some(&m)))
            )
            .is_none()
        );
    }
}
