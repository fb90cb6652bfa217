//! Personal calibration: a few seconds of the user's own neutral stance become the baseline
//! that metrics are read against, with its spread as the measurement's uncertainty.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::metrics::{Metrics, PlumbDeviation};
use super::state::{Band, Thresholds};

/// A change from the baseline smaller than this many of its standard deviations is within the
/// measurement's own wobble, not a change in posture.
pub const NOISE_SIGMAS: f32 = 2.0;

/// Mean and spread of one metric over the calibration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub mean: f32,
    /// Standard deviation: how much the metric wobbles while the person stands still.
    pub std: f32,
    pub samples: u32,
}

impl Stat {
    fn of(values: &[f32]) -> Option<Stat> {
        if values.is_empty() {
            return None;
        }
        let n = values.len() as f32;
        let mean = values.iter().sum::<f32>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n;
        Some(Stat {
            mean,
            std: var.sqrt(),
            samples: values.len() as u32,
        })
    }
}

/// The user's neutral stance. Serialisable so the app and sessions keep it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Frames that went into it.
    pub frames: u32,
    pub duration_s: f32,
    pub trunk_lean_frontal_deg: Option<Stat>,
    pub trunk_lean_sagittal_deg: Option<Stat>,
    pub shoulder_hip_offset: Option<Stat>,
    pub shoulder_hip_offset_cm: Option<Stat>,
    pub shoulder_tilt_deg: Option<Stat>,
    pub hip_tilt_deg: Option<Stat>,
    pub head_forward_deg: Option<Stat>,
    pub plumb_ear: Option<Stat>,
    pub plumb_shoulder: Option<Stat>,
    pub plumb_hip: Option<Stat>,
    pub plumb_knee: Option<Stat>,
}

fn minus(v: Option<f32>, base: Option<Stat>) -> Option<f32> {
    match (v, base) {
        (Some(v), Some(b)) => Some(v - b.mean),
        (v, None) => v,
        (None, _) => None,
    }
}

impl Baseline {
    /// `metrics` as change from this baseline (metrics the baseline lacks stay absolute).
    pub fn relative(&self, m: &Metrics) -> Metrics {
        Metrics {
            view: m.view,
            trunk_lean_frontal_deg: minus(m.trunk_lean_frontal_deg, self.trunk_lean_frontal_deg),
            trunk_lean_sagittal_deg: minus(m.trunk_lean_sagittal_deg, self.trunk_lean_sagittal_deg),
            shoulder_hip_offset: minus(m.shoulder_hip_offset, self.shoulder_hip_offset),
            shoulder_hip_offset_cm: minus(m.shoulder_hip_offset_cm, self.shoulder_hip_offset_cm),
            shoulder_tilt_deg: minus(m.shoulder_tilt_deg, self.shoulder_tilt_deg),
            hip_tilt_deg: minus(m.hip_tilt_deg, self.hip_tilt_deg),
            head_forward_deg: minus(m.head_forward_deg, self.head_forward_deg),
            plumb_deviation: m.plumb_deviation.map(|p| PlumbDeviation {
                ear: minus(p.ear, self.plumb_ear),
                shoulder: minus(p.shoulder, self.plumb_shoulder),
                hip: minus(p.hip, self.plumb_hip),
                knee: minus(p.knee, self.plumb_knee),
            }),
        }
    }
}

/// `band` moved out past the metric's measured noise: the drifting threshold becomes at least
/// [`NOISE_SIGMAS`] standard deviations, and the misaligned one keeps its distance above it.
fn widen(band: Band, stat: Option<Stat>) -> Band {
    let Some(s) = stat else {
        return band;
    };
    let floor = NOISE_SIGMAS * s.std;
    if floor <= band.drifting {
        return band;
    }
    Band {
        drifting: floor,
        misaligned: floor + (band.misaligned - band.drifting),
    }
}

impl Baseline {
    /// Thresholds that judge change from this baseline fairly: a metric that wobbled by ±σ
    /// while the person stood still cannot be called drifting below 2σ. With a good camera
    /// set-up σ is well under the bands and nothing changes; a noisy metric (a limb half
    /// hidden) raises fewer false alerts.
    pub fn widen(&self, th: &Thresholds) -> Thresholds {
        let plumb = [self.plumb_ear, self.plumb_shoulder, self.plumb_hip]
            .into_iter()
            .flatten()
            .max_by(|a, b| a.std.total_cmp(&b.std));
        Thresholds {
            trunk_lean_frontal_deg: widen(th.trunk_lean_frontal_deg, self.trunk_lean_frontal_deg),
            trunk_lean_sagittal_deg: widen(
                th.trunk_lean_sagittal_deg,
                self.trunk_lean_sagittal_deg,
            ),
            shoulder_hip_offset: widen(th.shoulder_hip_offset, self.shoulder_hip_offset),
            shoulder_tilt_deg: widen(th.shoulder_tilt_deg, self.shoulder_tilt_deg),
            hip_tilt_deg: widen(th.hip_tilt_deg, self.hip_tilt_deg),
            head_forward_deg: widen(th.head_forward_deg, self.head_forward_deg),
            plumb_deviation: widen(th.plumb_deviation, plumb),
            ..*th
        }
    }
}

/// Why a calibration was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error(
        "calibration saw the person in only {got} frames (needs {needed}); stand in view, whole body in the frame, and try again"
    )]
    TooFewFrames { got: u32, needed: u32 },
    #[error(
        "the trunk moved too much during calibration ({metric} varied by ±{std:.1}); stand still in your neutral stance and try again"
    )]
    TooMuchMovement { metric: &'static str, std: f32 },
}

/// Collects a neutral stance over a fixed time.
#[derive(Debug, Clone)]
pub struct Calibrator {
    duration: Duration,
    start: Option<Duration>,
    last: Duration,
    samples: Vec<Metrics>,
    /// Fewest frames with a person for a usable baseline.
    pub min_frames: u32,
    /// Largest standard deviation of the frontal trunk lean accepted, in degrees.
    pub max_lean_std_deg: f32,
}

impl Calibrator {
    pub fn new(duration: Duration) -> Self {
        Self {
            duration,
            start: None,
            last: Duration::ZERO,
            samples: Vec::new(),
            min_frames: 15,
            max_lean_std_deg: 3.0,
        }
    }

    /// Adds a frame at `t` (`None`: no person). Returns the fraction of the time done (0..1).
    pub fn push(&mut self, t: Duration, metrics: Option<&Metrics>) -> f32 {
        let start = *self.start.get_or_insert(t);
        self.last = self.last.max(t);
        if let Some(m) = metrics
            && !self.is_done()
        {
            self.samples.push(*m);
        }
        if self.duration.is_zero() {
            return 1.0;
        }
        ((self.last.saturating_sub(start)).as_secs_f32() / self.duration.as_secs_f32()).min(1.0)
    }

    /// Whether the calibration time is over.
    pub fn is_done(&self) -> bool {
        self.start
            .is_some_and(|s| self.last.saturating_sub(s) >= self.duration)
    }

    /// The baseline, or why it cannot be trusted.
    pub fn finish(&self) -> Result<Baseline, CalibrationError> {
        let got = self.samples.len() as u32;
        if got < self.min_frames {
            return Err(CalibrationError::TooFewFrames {
                got,
                needed: self.min_frames,
            });
        }
        let stat = |f: &dyn Fn(&Metrics) -> Option<f32>| {
            let v: Vec<f32> = self.samples.iter().filter_map(f).collect();
            // A metric seen in under half the frames is not part of the neutral stance.
            if (v.len() as u32) * 2 < got {
                None
            } else {
                Stat::of(&v)
            }
        };
        let plumb = |f: &dyn Fn(&PlumbDeviation) -> Option<f32>| {
            stat(&|m| m.plumb_deviation.as_ref().and_then(f))
        };
        let baseline = Baseline {
            frames: got,
            duration_s: self.duration.as_secs_f32(),
            trunk_lean_frontal_deg: stat(&|m| m.trunk_lean_frontal_deg),
            trunk_lean_sagittal_deg: stat(&|m| m.trunk_lean_sagittal_deg),
            shoulder_hip_offset: stat(&|m| m.shoulder_hip_offset),
            shoulder_hip_offset_cm: stat(&|m| m.shoulder_hip_offset_cm),
            shoulder_tilt_deg: stat(&|m| m.shoulder_tilt_deg),
            hip_tilt_deg: stat(&|m| m.hip_tilt_deg),
            head_forward_deg: stat(&|m| m.head_forward_deg),
            plumb_ear: plumb(&|p| p.ear),
            plumb_shoulder: plumb(&|p| p.shoulder),
            plumb_hip: plumb(&|p| p.hip),
            plumb_knee: plumb(&|p| p.knee),
        };
        for (metric, s) in [
            ("frontal trunk lean (°)", baseline.trunk_lean_frontal_deg),
            ("sagittal trunk lean (°)", baseline.trunk_lean_sagittal_deg),
        ] {
            if let Some(s) = s
                && s.std > self.max_lean_std_deg
            {
                return Err(CalibrationError::TooMuchMovement { metric, std: s.std });
            }
        }
        Ok(baseline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lean(v: f32) -> Metrics {
        Metrics {
            trunk_lean_frontal_deg: Some(v),
            shoulder_tilt_deg: Some(2.0),
            ..Metrics::default()
        }
    }

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn neutral_stance_becomes_the_zero_point() {
        let mut c = Calibrator::new(Duration::from_secs(3));
        let mut done = 0.0;
        for i in 0..100u64 {
            // A person who naturally stands 4° to the right, ±0.5° of sway.
            let sway = if i % 2 == 0 { 0.5 } else { -0.5 };
            done = c.push(ms(i * 33), Some(&lean(4.0 + sway)));
        }
        assert_eq!(done, 1.0);
        assert!(c.is_done());
        let b = c.finish().unwrap();
        let s = b.trunk_lean_frontal_deg.unwrap();
        assert!(
            (s.mean - 4.0).abs() < 0.05 && (s.std - 0.5).abs() < 0.05,
            "{s:?}"
        );
        assert_eq!(b.hip_tilt_deg, None, "never measured");
        // Afterwards, their neutral 4° reads as 0 and 9° as 5° of change.
        let rel = b.relative(&lean(9.0));
        assert!((rel.trunk_lean_frontal_deg.unwrap() - 5.0).abs() < 0.05);
        assert!((rel.shoulder_tilt_deg.unwrap()).abs() < 1e-6);
        // It survives a round trip through JSON, as the app and sessions store it.
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<Baseline>(&json).unwrap(), b);
    }

    #[test]
    fn bands_widen_only_past_the_measured_noise() {
        let th = Thresholds::default();
        let steady = Baseline {
            trunk_lean_frontal_deg: Some(Stat {
                mean: 4.0,
                std: 0.5,
                samples: 90,
            }),
            shoulder_tilt_deg: Some(Stat {
                mean: -2.0,
                std: 4.0,
                samples: 90,
            }),
            ..Baseline::default()
        };
        let w = steady.widen(&th);
        // 2 × 0.5° is inside the 5° band: unchanged.
        assert_eq!(w.trunk_lean_frontal_deg, th.trunk_lean_frontal_deg);
        // A shoulder line that wobbled ±4° cannot be "drifting" before 8°; the 3° gap to
        // "misaligned" is kept.
        assert_eq!(w.shoulder_tilt_deg.drifting, 8.0);
        assert_eq!(w.shoulder_tilt_deg.misaligned, 11.0);
        // Metrics the baseline lacks keep their bands.
        assert_eq!(w.hip_tilt_deg, th.hip_tilt_deg);
        assert_eq!(w.min_dwell_s, th.min_dwell_s);
    }

    #[test]
    fn frames_after_the_calibration_time_are_not_used() {
        let mut c = Calibrator::new(Duration::from_secs(1));
        for i in 0..31u64 {
            c.push(ms(i * 33), Some(&lean(2.0)));
        }
        c.push(ms(2000), Some(&lean(40.0)));
        assert!((c.finish().unwrap().trunk_lean_frontal_deg.unwrap().mean - 2.0).abs() < 1e-4);
    }

    #[test]
    fn refuses_an_empty_or_restless_calibration() {
        let mut c = Calibrator::new(Duration::from_secs(2));
        for i in 0..60u64 {
            c.push(ms(i * 33), None);
        }
        assert!(matches!(
            c.finish(),
            Err(CalibrationError::TooFewFrames { got: 0, .. })
        ));
        let mut c = Calibrator::new(Duration::from_secs(2));
        for i in 0..60u64 {
            c.push(
                ms(i * 33),
                Some(&lean(if i % 2 == 0 { 10.0 } else { -10.0 })),
            );
        }
        let err = c.finish().unwrap_err();
        assert!(matches!(err, CalibrationError::TooMuchMovement { .. }));
        assert!(err.to_string().contains("stand still"));
    }
}
