//! Personal calibration: a few seconds of the user's own neutral stance become the baseline
//! that metrics are read against, with its spread as the measurement's uncertainty. The
//! countdown-then-capture the user starts is in [`flow`].

pub mod flow;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::bands::Thresholds;
use super::metric_id::{Band, MetricId};
use super::metrics::Metrics;
use super::per_metric::PerMetric;

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

/// The user's neutral stance: the mean and wobble of every metric while they stood still.
/// Serialisable so the app and sessions keep it (`{"frames", "duration_s", "<metric key>":
/// {"mean", "std", "samples"} or null, …}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Frames that went into it.
    pub frames: u32,
    pub duration_s: f32,
    /// When it was taken, milliseconds since the Unix epoch (`taken_ms`); absent from one
    /// kept before plumbline recorded it, and until the app saves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_ms: Option<i64>,
    #[serde(flatten)]
    stats: PerMetric<Stat>,
}

impl Baseline {
    /// A baseline of `frames` frames over `duration_s`, with no metric's stance yet.
    pub fn new(frames: u32, duration_s: f32) -> Self {
        Self {
            frames,
            duration_s,
            taken_ms: None,
            stats: PerMetric::default(),
        }
    }

    /// The neutral stance of metric `id`, if it was seen in the calibration.
    pub fn stat(&self, id: MetricId) -> Option<Stat> {
        self.stats.get(id)
    }

    /// Records the neutral stance of metric `id`.
    pub fn set_stat(&mut self, id: MetricId, stat: Option<Stat>) {
        self.stats.set(id, stat);
    }

    /// `metrics` as change from this baseline (metrics the baseline lacks stay absolute).
    pub fn relative(&self, m: &Metrics) -> Metrics {
        m.map(|id, v| match self.stat(id) {
            Some(b) => v.map(|v| v - b.mean),
            None => v,
        })
    }

    /// Thresholds that judge change from this baseline fairly: a metric that wobbled by ±σ
    /// while the person stood still cannot be called drifting below 2σ. With a good camera
    /// set-up σ is well under the bands and nothing changes; a noisy metric (a limb half
    /// hidden) raises fewer false alerts.
    pub fn widen(&self, th: &Thresholds) -> Thresholds {
        let mut out = *th;
        for (id, band) in th.bands() {
            out.set_band(id, widen(band, self.stat(id)));
        }
        out
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

/// A neutral stance that reads a frontal lean or a tilt beyond this (degrees) means a tilted
/// camera or an uneven stance: seen from the front, a person standing evenly reads within
/// about 2° (the validity suite), so past 3° something else is at work.
pub const CAMERA_CHECK_DEG: f32 = 3.0;

/// What the calibration's neutral stance says about the camera set-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CameraCheck {
    /// The shoulder and hip lines tilt the same way by about as much: the camera is rolled by
    /// about `deg` (positive: its right side low, so the picture's right end reads higher).
    Rolled { deg: f32 },
    /// The trunk or one line reads `deg` off level while the other does not: a tilted camera
    /// or an uneven stance.
    Uneven { deg: f32 },
}

impl CameraCheck {
    /// What to tell the user.
    pub fn advice(self) -> String {
        match self {
            CameraCheck::Rolled { deg } => format!(
                "The camera looks tilted: your shoulders and hips both slope {:.0}° the same way. \
                 Level the camera (a spirit level or a phone's level app helps) and calibrate again.",
                deg.abs()
            ),
            CameraCheck::Uneven { deg } => format!(
                "Your neutral stance reads {:.0}° off level: stand evenly on both feet, or check \
                 the camera is level, and calibrate again.",
                deg.abs()
            ),
        }
    }
}

impl Baseline {
    /// What to tell the user when it was taken: how many frames, the stance's lean and its
    /// wobble, and the camera check's advice when the stance reads tilted.
    pub fn announcement(&self) -> String {
        let lean = self
            .stat(MetricId::TrunkLeanFrontal)
            .map_or(String::new(), |s| {
                format!(": lean {:+.1}° ±{:.1}", s.mean, s.std)
            });
        let camera = self
            .camera_check()
            .map_or(String::new(), |c| format!(" {}", c.advice()));
        format!(
            "Calibrated from {} frames{lean}. Metrics now show change from this stance.{camera}",
            self.frames
        )
    }

    /// The camera check of a frontal calibration: `None` when the stance reads level (or the
    /// calibration was not seen from the front, where these lines cannot be measured).
    pub fn camera_check(&self) -> Option<CameraCheck> {
        let mean = |id: MetricId| self.stat(id).map(|s| s.mean);
        let (shoulders, hips) = (mean(MetricId::ShoulderTilt), mean(MetricId::HipTilt));
        if let (Some(s), Some(h)) = (shoulders, hips)
            && s.abs() > CAMERA_CHECK_DEG
            && h.abs() > CAMERA_CHECK_DEG
            && s.signum() == h.signum()
            && (s - h).abs() < CAMERA_CHECK_DEG
        {
            return Some(CameraCheck::Rolled { deg: (s + h) / 2.0 });
        }
        [
            MetricId::TrunkLeanFrontal,
            MetricId::ShoulderTilt,
            MetricId::HipTilt,
        ]
        .into_iter()
        .filter_map(mean)
        .filter(|v| v.abs() > CAMERA_CHECK_DEG)
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
        .map(|deg| CameraCheck::Uneven { deg })
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
        "calibration saw the person in only {got} frames (needs {needed}). {advice}, and try again"
    )]
    PoorLight {
        got: u32,
        needed: u32,
        /// What to do about the light ([`crate::geometry::light::Light::advice`]).
        advice: &'static str,
    },
    #[error(
        "the trunk moved too much during calibration (its {metric} varied by ±{std:.1}{unit}); stand still in your neutral stance and try again"
    )]
    TooMuchMovement {
        metric: &'static str,
        std: f32,
        unit: &'static str,
    },
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
        let mut baseline = Baseline::new(got, self.duration.as_secs_f32());
        for id in MetricId::ALL {
            let v: Vec<f32> = self.samples.iter().filter_map(|m| m.get(id)).collect();
            // A metric seen in under half the frames is not part of the neutral stance.
            if (v.len() as u32) * 2 >= got {
                baseline.set_stat(id, Stat::of(&v));
            }
        }
        for id in [MetricId::TrunkLeanFrontal, MetricId::TrunkLeanSagittal] {
            if let Some(s) = baseline.stat(id)
                && s.std > self.max_lean_std_deg
            {
                return Err(CalibrationError::TooMuchMovement {
                    metric: id.label(),
                    std: s.std,
                    unit: id.unit().short_suffix(),
                });
            }
        }
        Ok(baseline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_neutral_stance_off_level_says_how_to_fix_the_camera() {
        struct Case {
            what: &'static str,
            lean: f32,
            shoulders: f32,
            hips: f32,
            want: Option<CameraCheck>,
        }
        let cases = [
            Case {
                what: "level within the measurement's own error",
                lean: 1.5,
                shoulders: -2.0,
                hips: 1.0,
                want: None,
            },
            Case {
                what: "both lines slope 4° the same way: a rolled camera",
                lean: 0.5,
                shoulders: 4.5,
                hips: 3.5,
                want: Some(CameraCheck::Rolled { deg: 4.0 }),
            },
            Case {
                what: "the trunk alone leans 5°",
                lean: -5.0,
                shoulders: 1.0,
                hips: 0.0,
                want: Some(CameraCheck::Uneven { deg: -5.0 }),
            },
            Case {
                what: "one shoulder high, hips level: a stance, not the camera",
                lean: 0.0,
                shoulders: 6.0,
                hips: 0.5,
                want: Some(CameraCheck::Uneven { deg: 6.0 }),
            },
        ];
        let stat = |mean| {
            Some(Stat {
                mean,
                std: 0.3,
                samples: 60,
            })
        };
        for c in cases {
            let mut b = Baseline::new(60, 2.0);
            b.set_stat(MetricId::TrunkLeanFrontal, stat(c.lean));
            b.set_stat(MetricId::ShoulderTilt, stat(c.shoulders));
            b.set_stat(MetricId::HipTilt, stat(c.hips));
            assert_eq!(b.camera_check(), c.want, "{}", c.what);
        }
        assert!(
            CameraCheck::Rolled { deg: 4.0 }
                .advice()
                .contains("Level the camera")
        );
        // Side-on, nothing frontal is measured: nothing to say.
        assert_eq!(Baseline::new(60, 2.0).camera_check(), None);
    }

    fn lean(v: f32) -> Metrics {
        Metrics::default()
            .with(MetricId::TrunkLeanFrontal, v)
            .with(MetricId::ShoulderTilt, 2.0)
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
        let s = b.stat(MetricId::TrunkLeanFrontal).unwrap();
        assert!(
            (s.mean - 4.0).abs() < 0.05 && (s.std - 0.5).abs() < 0.05,
            "{s:?}"
        );
        assert_eq!(b.stat(MetricId::HipTilt), None, "never measured");
        // Afterwards, their neutral 4° reads as 0 and 9° as 5° of change.
        let rel = b.relative(&lean(9.0));
        assert!((rel.get(MetricId::TrunkLeanFrontal).unwrap() - 5.0).abs() < 0.05);
        assert!((rel.get(MetricId::ShoulderTilt).unwrap()).abs() < 1e-6);
        // It survives a round trip through JSON, as the app and sessions store it.
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<Baseline>(&json).unwrap(), b);
    }

    #[test]
    fn bands_widen_only_past_the_measured_noise() {
        let th = Thresholds::default();
        let mut steady = Baseline::default();
        let stat = |mean, std| {
            Some(Stat {
                mean,
                std,
                samples: 90,
            })
        };
        steady.set_stat(MetricId::TrunkLeanFrontal, stat(4.0, 0.5));
        steady.set_stat(MetricId::ShoulderTilt, stat(-2.0, 5.0));
        let w = steady.widen(&th);
        let band = |t: &Thresholds, id| t.band(id).unwrap();
        // 2 × 0.5° is inside the 5° band: unchanged.
        assert_eq!(
            band(&w, MetricId::TrunkLeanFrontal),
            band(&th, MetricId::TrunkLeanFrontal)
        );
        // A shoulder line that wobbled ±5° cannot be "drifting" before 10°; the 5° gap to
        // "misaligned" is kept.
        assert_eq!(band(&w, MetricId::ShoulderTilt).drifting, 10.0);
        assert_eq!(band(&w, MetricId::ShoulderTilt).misaligned, 15.0);
        // Metrics the baseline lacks keep their bands.
        assert_eq!(
            band(&w, MetricId::TrunkLeanSagittal),
            band(&th, MetricId::TrunkLeanSagittal)
        );
        assert_eq!(w.min_dwell_s, th.min_dwell_s);
    }

    #[test]
    fn frames_after_the_calibration_time_are_not_used() {
        let mut c = Calibrator::new(Duration::from_secs(1));
        for i in 0..31u64 {
            c.push(ms(i * 33), Some(&lean(2.0)));
        }
        c.push(ms(2000), Some(&lean(40.0)));
        let b = c.finish().unwrap();
        assert!((b.stat(MetricId::TrunkLeanFrontal).unwrap().mean - 2.0).abs() < 1e-4);
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
        assert!(
            err.to_string()
                .contains("trunk lean, frontal varied by ±10.0°"),
            "{err}"
        );
    }

    #[test]
    fn a_baseline_from_an_earlier_version_still_reads() {
        // As settings.json and sessions stored it before the metric table.
        let json = r#"{"frames": 90, "duration_s": 3.0,
            "trunk_lean_frontal_deg": {"mean": 4.0, "std": 0.5, "samples": 90},
            "trunk_lean_sagittal_deg": null, "plumb_ear": null}"#;
        let b: Baseline = serde_json::from_str(json).unwrap();
        assert_eq!(b.frames, 90);
        assert_eq!(
            b.stat(MetricId::TrunkLeanFrontal).map(|s| s.mean),
            Some(4.0)
        );
        assert_eq!(b.stat(MetricId::TrunkLeanSagittal), None);
        let again: Baseline = serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
        assert_eq!(again, b);
    }
}
