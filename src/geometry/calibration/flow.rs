//! The calibration the user asks for: a countdown to get into a neutral stance, then a few
//! seconds of frames averaged into a [`Baseline`] by the [`Calibrator`]. Runs on the analysis
//! side on media time, so it sees every analysed frame, whatever the window repaints.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Baseline, CalibrationError, Calibrator};
use crate::geometry::metrics::Metrics;

/// The calibration's timing: a countdown to get into position, then the capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CalibrationTiming {
    pub countdown_s: f32,
    pub duration_s: f32,
}

impl Default for CalibrationTiming {
    fn default() -> Self {
        Self {
            countdown_s: 3.0,
            duration_s: 5.0,
        }
    }
}

/// Where a running calibration stands, for the user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CalibrationStatus {
    /// Get into position: the capture starts in `left_s` seconds.
    Countdown { left_s: f32 },
    /// Hold still: this share of the capture is done (0..1).
    Capturing { done: f32 },
}

impl CalibrationStatus {
    /// What to tell the user: "Stand naturally … 3", "Hold still …".
    pub fn message(self) -> String {
        match self {
            CalibrationStatus::Countdown { .. } => {
                format!("{}… {}", self.instruction(), self.count().unwrap_or(0))
            }
            CalibrationStatus::Capturing { .. } => format!("Hold still: {}", self.instruction()),
        }
    }

    /// What to do now, without the countdown's number (shown apart, large).
    pub fn instruction(self) -> &'static str {
        match self {
            CalibrationStatus::Countdown { .. } => {
                "Stand naturally, whole body in view, as you will practise"
            }
            CalibrationStatus::Capturing { .. } => "measuring your neutral stance",
        }
    }

    /// The countdown's whole seconds left (1 in its last second), as the user counts them;
    /// `None` once capturing.
    pub fn count(self) -> Option<u32> {
        match self {
            CalibrationStatus::Countdown { left_s } => Some(left_s.ceil().max(1.0) as u32),
            CalibrationStatus::Capturing { .. } => None,
        }
    }

    /// The share of the capture done (0 during the countdown).
    pub fn done(self) -> f32 {
        match self {
            CalibrationStatus::Countdown { .. } => 0.0,
            CalibrationStatus::Capturing { done } => done,
        }
    }
}

#[derive(Debug, Clone)]
enum Phase {
    Idle,
    /// Asked for; the countdown starts at the next frame.
    Armed,
    Countdown {
        until: Duration,
        left_s: f32,
    },
    Capturing {
        calibrator: Box<Calibrator>,
        done: f32,
    },
}

/// A calibration in progress, fed every analysed frame.
#[derive(Debug, Clone)]
pub struct CalibrationFlow {
    phase: Phase,
    timing: CalibrationTiming,
}

impl Default for CalibrationFlow {
    fn default() -> Self {
        Self {
            phase: Phase::Idle,
            timing: CalibrationTiming::default(),
        }
    }
}

impl CalibrationFlow {
    /// Starts (or restarts) with the countdown, from the next frame.
    pub fn start(&mut self, timing: CalibrationTiming) {
        self.timing = timing;
        self.phase = Phase::Armed;
    }

    pub fn cancel(&mut self) {
        self.phase = Phase::Idle;
    }

    pub fn is_running(&self) -> bool {
        !matches!(self.phase, Phase::Idle)
    }

    /// Where it stands, while it runs.
    pub fn status(&self) -> Option<CalibrationStatus> {
        match &self.phase {
            Phase::Idle => None,
            Phase::Armed => Some(CalibrationStatus::Countdown {
                left_s: self.timing.countdown_s.max(0.0),
            }),
            Phase::Countdown { left_s, .. } => {
                Some(CalibrationStatus::Countdown { left_s: *left_s })
            }
            Phase::Capturing { done, .. } => Some(CalibrationStatus::Capturing { done: *done }),
        }
    }

    /// One analysed frame at media time `t` (`metrics`: `None` without a person). Returns the
    /// baseline, or why it was refused, on the frame that ends the capture.
    pub fn push(
        &mut self,
        t: Duration,
        metrics: Option<&Metrics>,
    ) -> Option<Result<Baseline, CalibrationError>> {
        if matches!(self.phase, Phase::Armed) {
            let countdown = seconds(self.timing.countdown_s, 0.0);
            self.phase = Phase::Countdown {
                until: t.saturating_add(countdown),
                left_s: countdown.as_secs_f32(),
            };
        }
        if let Phase::Countdown { until, left_s } = &mut self.phase {
            if t < *until {
                *left_s = (*until - t).as_secs_f32();
                return None;
            }
            let capture = seconds(self.timing.duration_s, 0.5);
            self.phase = Phase::Capturing {
                calibrator: Box::new(Calibrator::new(capture)),
                done: 0.0,
            };
        }
        let Phase::Capturing { calibrator, done } = &mut self.phase else {
            return None;
        };
        *done = calibrator.push(t, metrics);
        if !calibrator.is_done() {
            return None;
        }
        let result = calibrator.finish();
        self.phase = Phase::Idle;
        Some(result)
    }
}

/// `s` seconds, at least `min`; a timing no clock can hold (NaN, 3e38 s) is the longest there
/// is rather than a panic. The settings are checked on load; this guards any other caller.
fn seconds(s: f32, min: f32) -> Duration {
    Duration::try_from_secs_f32(s.max(min)).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::MetricId;

    fn upright(lean: f32) -> Metrics {
        Metrics::default().with(MetricId::TrunkLeanFrontal, lean)
    }

    fn timing() -> CalibrationTiming {
        CalibrationTiming {
            countdown_s: 2.0,
            duration_s: 1.0,
        }
    }

    fn at(frame: u64) -> Duration {
        Duration::from_millis(frame * 33)
    }

    #[test]
    fn counts_down_then_captures_a_baseline() {
        let mut flow = CalibrationFlow::default();
        flow.start(timing());
        assert_eq!(
            flow.status(),
            Some(CalibrationStatus::Countdown { left_s: 2.0 })
        );
        // Frames during the countdown (two seconds of media time: 1.98 s is frame 60) are not
        // used.
        for f in 0..=60 {
            assert!(flow.push(at(f), Some(&upright(40.0))).is_none());
        }
        let status = flow.status().unwrap();
        assert!(status.message().ends_with('1'), "{}", status.message());
        let mut result = None;
        for f in 61..120 {
            let m = upright(2.0 + (f % 2) as f32 * 0.2);
            if let Some(r) = flow.push(at(f), Some(&m)) {
                result = Some((f, r));
                break;
            }
            assert!(matches!(
                flow.status(),
                Some(CalibrationStatus::Capturing { .. })
            ));
        }
        let (f, baseline) = result.expect("the capture ends after its duration");
        assert!(
            (90..=92).contains(&f),
            "a second of frames after the countdown: {f}"
        );
        let lean = baseline.unwrap().stat(MetricId::TrunkLeanFrontal).unwrap();
        assert!((lean.mean - 2.1).abs() < 0.05, "{lean:?}");
        assert!(!flow.is_running());
        assert_eq!(flow.status(), None);
    }

    #[test]
    fn nobody_in_view_is_refused_with_a_reason() {
        let mut flow = CalibrationFlow::default();
        flow.start(CalibrationTiming {
            countdown_s: 0.0,
            duration_s: 1.0,
        });
        let result = (0..=40).find_map(|f| flow.push(at(f), None));
        let err = result.unwrap().unwrap_err();
        assert!(matches!(err, CalibrationError::TooFewFrames { got: 0, .. }));
    }

    #[test]
    fn cancel_stops_it() {
        let mut flow = CalibrationFlow::default();
        flow.start(timing());
        flow.push(at(0), Some(&upright(0.0)));
        flow.cancel();
        assert!(flow.status().is_none());
        assert!((1..400).all(|f| flow.push(at(f), Some(&upright(0.0))).is_none()));
    }

    #[test]
    fn a_timing_no_clock_can_hold_does_not_panic() {
        for countdown_s in [3e38, f32::INFINITY, f32::NAN] {
            let mut flow = CalibrationFlow::default();
            flow.start(CalibrationTiming {
                countdown_s,
                duration_s: countdown_s,
            });
            assert!(flow.push(at(0), Some(&upright(0.0))).is_none());
            assert!(flow.is_running());
        }
        let mut flow = CalibrationFlow::default();
        flow.start(CalibrationTiming {
            countdown_s: 0.0,
            duration_s: 3e38,
        });
        assert!((0..40).all(|f| flow.push(at(f), Some(&upright(0.0))).is_none()));
    }
}
