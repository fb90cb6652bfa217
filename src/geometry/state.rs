//! From metrics to a posture state the user can trust: threshold bands with a dead zone
//! (hysteresis) per metric, then a minimum dwell time before the shown state changes.
//! Time comes in as timestamps.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::bands::Thresholds;
use super::metric_id::{Band, BodyPart, MetricId};
use super::metrics::Metrics;
use super::per_metric::PerMetric;

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

/// The level of each metric this frame (after hysteresis): `Unknown` when not measured or
/// not judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricLevels([PostureState; MetricId::COUNT]);

impl Default for MetricLevels {
    fn default() -> Self {
        Self([PostureState::Unknown; MetricId::COUNT])
    }
}

impl MetricLevels {
    pub fn get(&self, id: MetricId) -> PostureState {
        self.0[id.index()]
    }

    pub fn set(&mut self, id: MetricId, level: PostureState) {
        self.0[id.index()] = level;
    }

    /// Every metric with its level, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (MetricId, PostureState)> + '_ {
        MetricId::ALL.into_iter().map(|id| (id, self.get(id)))
    }

    /// The levels in one integer, as sessions store them: two bits per metric, metric `i` of
    /// [`MetricId::ALL`] in bits `2i` and `2i + 1`, each `0` unknown, `1` aligned, `2`
    /// drifting, `3` misaligned. Nothing measured packs to 0 (which SQLite stores in no
    /// bytes); eleven metrics fit in 22 bits.
    pub fn pack(&self) -> u64 {
        self.iter().fold(0, |bits, (id, level)| {
            let code: u64 = match level {
                PostureState::Unknown => 0,
                PostureState::Aligned => 1,
                PostureState::Drifting => 2,
                PostureState::Misaligned => 3,
            };
            bits | code << (2 * id.index())
        })
    }

    /// Reads what [`pack`](Self::pack) wrote. Bits past this program's metrics (written by a
    /// newer one) are ignored.
    pub fn unpack(bits: u64) -> Self {
        let mut levels = Self::default();
        for id in MetricId::ALL {
            levels.set(
                id,
                match (bits >> (2 * id.index())) & 3 {
                    1 => PostureState::Aligned,
                    2 => PostureState::Drifting,
                    3 => PostureState::Misaligned,
                    _ => PostureState::Unknown,
                },
            );
        }
        levels
    }

    /// The worst measured level, `Unknown` if nothing was measured.
    pub fn worst(&self) -> PostureState {
        self.0.iter().copied().max().unwrap_or_default()
    }

    /// The worst level among the metrics that colour `part` of the skeleton.
    pub fn of_part(&self, part: BodyPart) -> PostureState {
        MetricId::ALL
            .into_iter()
            .filter(|id| id.spec().part == Some(part))
            .map(|id| self.get(id))
            .max()
            .unwrap_or_default()
    }
}

/// In JSON, an object keyed by metric key, every metric present: its level, `null` when it was
/// not judged (not measured, not in the preset, or not judged in this activity or view).
impl Serialize for MetricLevels {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PerMetric::from_fn(|id| Some(self.get(id)).filter(|l| *l != PostureState::Unknown))
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for MetricLevels {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let per = PerMetric::<PostureState>::deserialize(d)?;
        let mut levels = Self::default();
        for (id, level) in per.present() {
            levels.set(id, level);
        }
        Ok(levels)
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
#[derive(Debug, Clone, Copy, PartialEq)]
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
#[derive(Debug, Clone, Default)]
pub struct StateMachine {
    levels: MetricLevels,
    shown: PostureState,
    candidate: PostureState,
    candidate_since: Option<Duration>,
    last_t: Option<Duration>,
}

impl StateMachine {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn state(&self) -> PostureState {
        self.shown
    }

    /// Feeds one frame's metrics at `t`, judged against `bands` (the metrics already as change
    /// from the baseline, and the bands already widened past its noise, when calibrated).
    pub fn update(&mut self, t: Duration, metrics: &Metrics, bands: &Thresholds) -> StateUpdate {
        let prev = self.levels;
        let mut levels = MetricLevels::default();
        for (id, band) in bands.bands() {
            levels.0[id.index()] =
                level_with_hysteresis(metrics.get(id), &band, prev.get(id), bands.hysteresis);
        }
        self.levels = levels;
        let instant = self.levels.worst();
        let changed = self.debounce(t, instant, bands.min_dwell_s);
        StateUpdate {
            state: self.shown,
            instant,
            levels: self.levels,
            changed,
        }
    }

    /// Feeds a frame without a person.
    pub fn update_absent(&mut self, t: Duration, bands: &Thresholds) -> StateUpdate {
        self.levels = MetricLevels::default();
        let changed = self.debounce(t, PostureState::Unknown, bands.min_dwell_s);
        StateUpdate {
            state: self.shown,
            instant: PostureState::Unknown,
            levels: self.levels,
            changed,
        }
    }

    fn debounce(&mut self, t: Duration, instant: PostureState, min_dwell_s: f32) -> bool {
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
        if held.as_secs_f32() >= min_dwell_s {
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
