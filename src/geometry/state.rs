//! From metrics to a posture state the user can trust: threshold bands with a dead zone
//! (hysteresis) per metric, then a minimum dwell time before the shown state changes.
//! Time comes in as timestamps.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::calibration::Baseline;
use super::metrics::Metrics;

/// How aligned the person is right now.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PostureState {
    /// No person, or none of the metrics could be measured.
    #[default]
    Unknown,
    Aligned,
    Drifting,
    Misaligned,
}

impl PostureState {
    pub const ALL: [PostureState; 4] = [
        PostureState::Aligned,
        PostureState::Drifting,
        PostureState::Misaligned,
        PostureState::Unknown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PostureState::Unknown => "unknown",
            PostureState::Aligned => "aligned",
            PostureState::Drifting => "drifting",
            PostureState::Misaligned => "misaligned",
        }
    }
}

/// Where a metric's magnitude stops being aligned and where it becomes misaligned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub drifting: f32,
    pub misaligned: f32,
}

/// Thresholds on the magnitude of each metric (relative to the baseline when calibrated).
///
/// Defaults, and where they come from:
/// - trunk lean: RULA (McAtamney & Corlett 1993, *Applied Ergonomics* 24(2)) scores the trunk
///   as upright up to 0° and penalises flexion from 0–20°, more beyond 20°. 2-D pose angles carry
///   a few degrees of error, so "drifting" starts at 5° frontal / 10° sagittal and
///   "misaligned" at 10° / 20°.
/// - shoulder and hip tilt: a level shoulder girdle within ~2–3° is usual in standing posture
///   assessments (e.g. Kendall, *Muscles: Testing and Function*); 3° / 6°.
/// - shoulder-over-hip offset: 5% / 10% of the torso length (≈2.5 / 5 cm for a 50 cm torso).
/// - head forward: ear over shoulder is Kendall's ideal; forward-head thresholds in the
///   craniovertebral-angle literature are ≈50° from horizontal, i.e. ≈40° from vertical at C7.
///   Measured from the shoulder midpoint the angle runs smaller, so 15° / 25°.
/// - plumb line (side view): the worst of ear, shoulder and hip, 10% / 20% of the torso.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub trunk_lean_frontal_deg: Band,
    pub trunk_lean_sagittal_deg: Band,
    pub shoulder_hip_offset: Band,
    pub shoulder_tilt_deg: Band,
    pub hip_tilt_deg: Band,
    pub head_forward_deg: Band,
    pub plumb_deviation: Band,
    /// Dead zone: a metric leaves a band only when it falls this fraction below the band's
    /// threshold (0.2 = 20%), so noise around a threshold does not flip the state.
    pub hysteresis: f32,
    /// The shown state changes only after the new state has held this long.
    pub min_dwell_s: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            trunk_lean_frontal_deg: Band {
                drifting: 5.0,
                misaligned: 10.0,
            },
            trunk_lean_sagittal_deg: Band {
                drifting: 10.0,
                misaligned: 20.0,
            },
            shoulder_hip_offset: Band {
                drifting: 0.05,
                misaligned: 0.10,
            },
            shoulder_tilt_deg: Band {
                drifting: 3.0,
                misaligned: 6.0,
            },
            hip_tilt_deg: Band {
                drifting: 3.0,
                misaligned: 6.0,
            },
            head_forward_deg: Band {
                drifting: 15.0,
                misaligned: 25.0,
            },
            plumb_deviation: Band {
                drifting: 0.10,
                misaligned: 0.20,
            },
            hysteresis: 0.2,
            min_dwell_s: 1.0,
        }
    }
}

/// The level of each metric this frame (after hysteresis); `Unknown` when not measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricLevels {
    pub trunk_lean_frontal: PostureState,
    pub trunk_lean_sagittal: PostureState,
    pub shoulder_hip_offset: PostureState,
    pub shoulder_tilt: PostureState,
    pub hip_tilt: PostureState,
    pub head_forward: PostureState,
    pub plumb: PostureState,
}

impl MetricLevels {
    fn all(&self) -> [PostureState; 7] {
        [
            self.trunk_lean_frontal,
            self.trunk_lean_sagittal,
            self.shoulder_hip_offset,
            self.shoulder_tilt,
            self.hip_tilt,
            self.head_forward,
            self.plumb,
        ]
    }

    /// The worst measured level, `Unknown` if nothing was measured.
    pub fn worst(&self) -> PostureState {
        self.all().into_iter().max().unwrap_or_default()
    }
}

/// One metric's level with a dead zone: rising needs the threshold, falling needs the
/// threshold less the hysteresis margin.
pub fn level_with_hysteresis(
    magnitude: Option<f32>,
    band: &Band,
    previous: PostureState,
    hysteresis: f32,
) -> PostureState {
    let Some(v) = magnitude.map(f32::abs) else {
        return PostureState::Unknown;
    };
    let keep = 1.0 - hysteresis;
    let misaligned = v >= band.misaligned
        || (previous == PostureState::Misaligned && v >= band.misaligned * keep);
    if misaligned {
        return PostureState::Misaligned;
    }
    let drifting = v >= band.drifting
        || (matches!(previous, PostureState::Drifting | PostureState::Misaligned)
            && v >= band.drifting * keep);
    if drifting {
        PostureState::Drifting
    } else {
        PostureState::Aligned
    }
}

/// What [`StateMachine::update`] decided for a frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StateUpdate {
    /// The state to show (debounced).
    pub state: PostureState,
    /// What this frame alone says.
    pub instant: PostureState,
    pub levels: MetricLevels,
    /// The shown state changed on this frame.
    pub changed: bool,
}

/// Posture state over time, with hysteresis per metric and a minimum dwell.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub thresholds: Thresholds,
    levels: MetricLevels,
    shown: PostureState,
    candidate: PostureState,
    candidate_since: Option<Duration>,
    last_t: Option<Duration>,
}

impl StateMachine {
    pub fn new(thresholds: Thresholds) -> Self {
        Self {
            thresholds,
            levels: MetricLevels::default(),
            shown: PostureState::Unknown,
            candidate: PostureState::Unknown,
            candidate_since: None,
            last_t: None,
        }
    }

    pub fn state(&self) -> PostureState {
        self.shown
    }

    /// Feeds one frame's metrics at `t`, as change from `baseline` when given (with the bands
    /// widened past the baseline's own noise, [`Baseline::widen`]).
    pub fn update(
        &mut self,
        t: Duration,
        metrics: &Metrics,
        baseline: Option<&Baseline>,
    ) -> StateUpdate {
        let (m, widened) = match baseline {
            Some(b) => (b.relative(metrics), b.widen(&self.thresholds)),
            None => (*metrics, self.thresholds),
        };
        let th = &widened;
        let h = th.hysteresis;
        let prev = self.levels;
        let plumb = m.plumb_deviation.and_then(|p| {
            [p.ear, p.shoulder, p.hip]
                .into_iter()
                .flatten()
                .map(f32::abs)
                .reduce(f32::max)
        });
        self.levels = MetricLevels {
            trunk_lean_frontal: level_with_hysteresis(
                m.trunk_lean_frontal_deg,
                &th.trunk_lean_frontal_deg,
                prev.trunk_lean_frontal,
                h,
            ),
            trunk_lean_sagittal: level_with_hysteresis(
                m.trunk_lean_sagittal_deg,
                &th.trunk_lean_sagittal_deg,
                prev.trunk_lean_sagittal,
                h,
            ),
            shoulder_hip_offset: level_with_hysteresis(
                m.shoulder_hip_offset,
                &th.shoulder_hip_offset,
                prev.shoulder_hip_offset,
                h,
            ),
            shoulder_tilt: level_with_hysteresis(
                m.shoulder_tilt_deg,
                &th.shoulder_tilt_deg,
                prev.shoulder_tilt,
                h,
            ),
            hip_tilt: level_with_hysteresis(m.hip_tilt_deg, &th.hip_tilt_deg, prev.hip_tilt, h),
            head_forward: level_with_hysteresis(
                m.head_forward_deg,
                &th.head_forward_deg,
                prev.head_forward,
                h,
            ),
            plumb: level_with_hysteresis(plumb, &th.plumb_deviation, prev.plumb, h),
        };
        let instant = self.levels.worst();
        let changed = self.debounce(t, instant);
        StateUpdate {
            state: self.shown,
            instant,
            levels: self.levels,
            changed,
        }
    }

    /// Feeds a frame without a person.
    pub fn update_absent(&mut self, t: Duration) -> StateUpdate {
        self.levels = MetricLevels::default();
        let changed = self.debounce(t, PostureState::Unknown);
        StateUpdate {
            state: self.shown,
            instant: PostureState::Unknown,
            levels: self.levels,
            changed,
        }
    }

    fn debounce(&mut self, t: Duration, instant: PostureState) -> bool {
        if self.last_t.is_some_and(|last| t < last) {
            return false; // out-of-order frame: ignore for timing
        }
        self.last_t = Some(t);
        if instant == self.shown {
            self.candidate = instant;
            self.candidate_since = None;
            return false;
        }
        if instant != self.candidate || self.candidate_since.is_none() {
            self.candidate = instant;
            self.candidate_since = Some(t);
        }
        let held = self
            .candidate_since
            .map_or(Duration::ZERO, |since| t.saturating_sub(since));
        if held.as_secs_f32() >= self.thresholds.min_dwell_s {
            self.shown = instant;
            self.candidate_since = None;
            return true;
        }
        false
    }
}

/// Time spent in each shown state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeInState {
    pub aligned_s: f64,
    pub drifting_s: f64,
    pub misaligned_s: f64,
    pub unknown_s: f64,
    #[serde(skip)]
    last: Option<(Duration, PostureState)>,
}

impl TimeInState {
    /// Records that `state` was shown from `t` on; the time since the previous call is
    /// credited to the previous state.
    pub fn record(&mut self, t: Duration, state: PostureState) {
        if let Some((last_t, last_state)) = self.last
            && t > last_t
        {
            let dt = (t - last_t).as_secs_f64();
            *self.slot(last_state) += dt;
        }
        if self.last.is_none_or(|(last_t, _)| t >= last_t) {
            self.last = Some((t, state));
        }
    }

    fn slot(&mut self, s: PostureState) -> &mut f64 {
        match s {
            PostureState::Aligned => &mut self.aligned_s,
            PostureState::Drifting => &mut self.drifting_s,
            PostureState::Misaligned => &mut self.misaligned_s,
            PostureState::Unknown => &mut self.unknown_s,
        }
    }

    pub fn total_s(&self) -> f64 {
        self.aligned_s + self.drifting_s + self.misaligned_s + self.unknown_s
    }

    /// Fraction of the recorded time spent in `state` (0 when nothing recorded).
    pub fn fraction(&self, state: PostureState) -> f64 {
        let total = self.total_s();
        if total <= 0.0 {
            return 0.0;
        }
        let v = match state {
            PostureState::Aligned => self.aligned_s,
            PostureState::Drifting => self.drifting_s,
            PostureState::Misaligned => self.misaligned_s,
            PostureState::Unknown => self.unknown_s,
        };
        v / total
    }
}

#[cfg(test)]
mod tests;
