//! The summary per measure, as a physiotherapist names them ("trunk upright", "shoulders over
//! hips"): time aligned, drifting, misaligned and unmeasured, the typical value and its spread,
//! when it was off and the cue most given for it; and the stretches the shown state was
//! misaligned, each with the measure that drove it. Read from the levels and cue each sample
//! recorded (the judge's own), never judged again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::stats::{MetricStats, stats};
use crate::geometry::MetricId;
use crate::geometry::advice::{CUE_TEXTS, Cue};
use crate::geometry::preset::{Measure, Preset};
use crate::geometry::state::{MetricLevels, PostureState};
use crate::session::Sample;

/// Off stretches of one measure closer than this are one stretch: a measure hovering at its
/// band's edge is one episode to a person, not dozens.
pub const MERGE_GAP_S: f64 = 2.0;

/// Why per-measure times are `null`.
pub const NO_LEVELS_NOTE: &str = "recorded before plumbline kept each measure's level \
     (schema step 8): the time per measure and what drove each misaligned stretch are not known";

/// Time a measure spent at each level, in seconds and as fractions of the analysed time (they
/// add up to `duration_s` and to 1). A frame's level holds until the next frame.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LevelTimes {
    pub aligned_s: f64,
    pub drifting_s: f64,
    pub misaligned_s: f64,
    /// Not judged: not measurable from the view, out of the picture, or not the preset's
    /// activity.
    pub unmeasured_s: f64,
    pub aligned_fraction: f64,
    pub drifting_fraction: f64,
    pub misaligned_fraction: f64,
    pub unmeasured_fraction: f64,
}

impl LevelTimes {
    /// Time it was judged at all: aligned, drifting or misaligned.
    pub fn measured_s(&self) -> f64 {
        self.aligned_s + self.drifting_s + self.misaligned_s
    }
}

/// A stretch in which a measure was off (drifting or misaligned), gaps under [`MERGE_GAP_S`]
/// included. Times in seconds from the first analysed frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OffStretch {
    pub start_s: f64,
    pub end_s: f64,
    /// Of which drifting and misaligned (the rest: gaps back in the band).
    pub drifting_s: f64,
    pub misaligned_s: f64,
}

/// One measure over the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureSummary {
    pub measure: Measure,
    /// Whether the session's preset judged it (`true` when the preset is not known).
    pub judged: bool,
    /// `null` for sessions stored before levels were (see `measures_note`).
    pub time: Option<LevelTimes>,
    /// Each of its metrics by key (`null`: never measured): median and signed range of the
    /// values as measured, over the frames it was judged on (every frame it was measured, for
    /// a metric that is reported only or a session without levels).
    pub values: BTreeMap<String, Option<MetricStats>>,
    /// The cue's words given most often for it; `null` if none was.
    pub cue: Option<String>,
    /// When it was off, in time order.
    pub off_stretches: Vec<OffStretch>,
    /// Of its off time, how much was while walking; `null` without levels.
    pub off_walking_s: Option<f64>,
    /// The mean cadence while it was off and walking, steps per minute (compare
    /// `motion.cadence_spm`); `null` if it was never off while walking.
    pub off_cadence_spm: Option<f64>,
}

impl MeasureSummary {
    /// The share of its measured time it was aligned, for each measure the session judged and
    /// measured: what the trend compares session to session.
    pub fn aligned_shares(measures: &[MeasureSummary]) -> Vec<(Measure, f64)> {
        measures
            .iter()
            .filter(|m| m.judged)
            .filter_map(|m| {
                let t = m.time.as_ref()?;
                let measured = t.measured_s();
                (measured > 0.0).then(|| (m.measure, t.aligned_s / measured))
            })
            .collect()
    }
}

/// A stretch in which the shown state was misaligned. Times in seconds from the first analysed
/// frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MisalignedStretch {
    pub start_s: f64,
    pub end_s: f64,
    /// The measure of the metric the cue spoke about on most of its frames; `null` without
    /// recorded cues.
    pub driver: Option<Measure>,
    /// That metric's key.
    pub driver_metric: Option<String>,
    /// The words it was given most often.
    pub cue: Option<String>,
}

/// Cue counts by metric and words.
#[derive(Debug, Clone, Default)]
struct CueCounts(BTreeMap<(MetricId, usize), u64>);

impl CueCounts {
    fn add(&mut self, cue: &Cue) {
        if let Some(code) = cue.code() {
            *self.0.entry((cue.metric, code)).or_default() += 1;
        }
    }

    /// The words counted most among metrics `keep` accepts (ties: the earlier in the table).
    fn top_words(&self, keep: impl Fn(MetricId) -> bool) -> Option<&'static str> {
        let mut by_words = [0u64; CUE_TEXTS.len()];
        for (&(metric, code), &n) in &self.0 {
            if keep(metric) {
                by_words[code] += n;
            }
        }
        let (code, n) = by_words
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
        (*n > 0).then(|| CUE_TEXTS[code])
    }

    /// The metric counted most (ties: the earlier in the table).
    fn top_metric(&self) -> Option<MetricId> {
        let mut by_metric = BTreeMap::<MetricId, u64>::new();
        for (&(metric, _), &n) in &self.0 {
            *by_metric.entry(metric).or_default() += n;
        }
        by_metric
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(m, _)| m)
    }
}

/// A measure's running tallies.
#[derive(Debug, Clone, Default)]
struct Tally {
    /// Seconds at each level, indexed by [`slot`].
    seconds: [f64; 4],
    stretches: Vec<OffStretch>,
    off_walking_s: f64,
    /// Cadence × seconds and seconds, while off and walking.
    off_cadence: (f64, f64),
}

fn slot(level: PostureState) -> usize {
    match level {
        PostureState::Aligned => 0,
        PostureState::Drifting => 1,
        PostureState::Misaligned => 2,
        PostureState::Unknown => 3,
    }
}

/// A measure's level in a frame: the worst of its metrics'.
fn measure_level(levels: &MetricLevels, measure: Measure) -> PostureState {
    levels
        .iter()
        .filter(|(id, _)| Measure::of(*id) == measure)
        .map(|(_, l)| l)
        .max()
        .unwrap_or_default()
}

/// The previous frame, whose level holds until this one.
#[derive(Debug, Clone, Copy)]
struct Previous {
    t_s: f64,
    levels: Option<MetricLevels>,
    cadence_spm: Option<f32>,
}

/// Accumulates samples into the per-measure summary.
#[derive(Debug, Clone, Default)]
pub struct MeasuresBuilder {
    first_t_ms: Option<f64>,
    previous: Option<Previous>,
    /// Whether any frame carried levels.
    has_levels: bool,
    tallies: [Tally; Measure::ALL.len()],
    judged_values: BTreeMap<MetricId, Vec<f32>>,
    cues: CueCounts,
    misaligned: Vec<(f64, f64, CueCounts)>,
    open_misaligned: Option<(f64, CueCounts)>,
}

impl MeasuresBuilder {
    pub fn push(&mut self, sample: &Sample) {
        let first = *self.first_t_ms.get_or_insert(sample.t_ms);
        let t_s = (sample.t_ms - first) / 1000.0;
        if let Some(prev) = self.previous
            && t_s > prev.t_s
        {
            self.credit(prev, t_s);
        }
        self.has_levels |= sample.levels.is_some();
        if let Some(m) = &sample.metrics {
            for (id, v) in m.measured() {
                let judged = match &sample.levels {
                    Some(l) if id.is_judged() => l.get(id) != PostureState::Unknown,
                    _ => true,
                };
                if judged && v.is_finite() {
                    self.judged_values.entry(id).or_default().push(v);
                }
            }
        }
        if let Some(cue) = &sample.cue {
            self.cues.add(cue);
        }
        if sample.state == PostureState::Misaligned {
            let (_, counts) = self
                .open_misaligned
                .get_or_insert_with(|| (t_s, CueCounts::default()));
            if let Some(cue) = &sample.cue {
                counts.add(cue);
            }
        } else if let Some((start, counts)) = self.open_misaligned.take() {
            self.misaligned.push((start, t_s, counts));
        }
        if self.previous.is_none_or(|p| t_s >= p.t_s) {
            self.previous = Some(Previous {
                t_s,
                levels: sample.levels,
                cadence_spm: sample.cadence_spm,
            });
        }
    }

    /// Credits the span from `prev` to `t_s` to the levels `prev` recorded.
    fn credit(&mut self, prev: Previous, t_s: f64) {
        let dt = t_s - prev.t_s;
        for (tally, measure) in self.tallies.iter_mut().zip(Measure::ALL) {
            let level = prev
                .levels
                .map_or(PostureState::Unknown, |l| measure_level(&l, measure));
            tally.seconds[slot(level)] += dt;
            if !matches!(level, PostureState::Drifting | PostureState::Misaligned) {
                continue;
            }
            match tally.stretches.last_mut() {
                Some(s) if prev.t_s - s.end_s <= MERGE_GAP_S => s.end_s = t_s,
                _ => tally.stretches.push(OffStretch {
                    start_s: prev.t_s,
                    end_s: t_s,
                    drifting_s: 0.0,
                    misaligned_s: 0.0,
                }),
            }
            if let Some(s) = tally.stretches.last_mut() {
                match level {
                    PostureState::Misaligned => s.misaligned_s += dt,
                    _ => s.drifting_s += dt,
                }
            }
            if let Some(c) = prev.cadence_spm {
                tally.off_walking_s += dt;
                tally.off_cadence.0 += f64::from(c) * dt;
                tally.off_cadence.1 += dt;
            }
        }
    }

    /// The measures (every one, in [`Measure::ALL`] order), a note when their times are not
    /// known, and the misaligned stretches.
    pub fn finish(
        &self,
        preset: Option<&Preset>,
    ) -> (Vec<MeasureSummary>, Option<String>, Vec<MisalignedStretch>) {
        let total_s: f64 = self.tallies.first().map_or(0.0, |t| t.seconds.iter().sum());
        let fraction = |s: f64| if total_s > 0.0 { s / total_s } else { 0.0 };
        let measures = self
            .tallies
            .iter()
            .zip(Measure::ALL)
            .map(|(tally, measure)| {
                let [a, d, m, u] = tally.seconds;
                let time = self.has_levels.then(|| LevelTimes {
                    aligned_s: a,
                    drifting_s: d,
                    misaligned_s: m,
                    unmeasured_s: u,
                    aligned_fraction: fraction(a),
                    drifting_fraction: fraction(d),
                    misaligned_fraction: fraction(m),
                    unmeasured_fraction: fraction(u),
                });
                let values = MetricId::ALL
                    .into_iter()
                    .filter(|id| Measure::of(*id) == measure)
                    .map(|id| {
                        let v = self.judged_values.get(&id).map(|v| stats(v));
                        (id.key().to_string(), v)
                    })
                    .collect();
                MeasureSummary {
                    measure,
                    judged: preset.is_none_or(|p| p.measures.contains(&measure)),
                    time,
                    values,
                    cue: self
                        .cues
                        .top_words(|id| Measure::of(id) == measure)
                        .map(str::to_string),
                    off_stretches: tally.stretches.clone(),
                    off_walking_s: self.has_levels.then_some(tally.off_walking_s),
                    off_cadence_spm: (tally.off_cadence.1 > 0.0)
                        .then(|| tally.off_cadence.0 / tally.off_cadence.1),
                }
            })
            .collect();
        let end_s = self.previous.map_or(0.0, |p| p.t_s);
        let stretches = self
            .misaligned
            .iter()
            .map(|(s, e, c)| (*s, *e, c))
            .chain(self.open_misaligned.as_ref().map(|(s, c)| (*s, end_s, c)))
            .map(|(start_s, end_s, counts)| {
                let driver = counts.top_metric();
                MisalignedStretch {
                    start_s,
                    end_s,
                    driver: driver.map(Measure::of),
                    driver_metric: driver.map(|d| d.key().to_string()),
                    cue: driver
                        .and_then(|d| counts.top_words(|id| id == d))
                        .map(str::to_string),
                }
            })
            .collect();
        let note = (!self.has_levels && self.first_t_ms.is_some()).then(|| NO_LEVELS_NOTE.into());
        (measures, note, stretches)
    }
}

#[cfg(test)]
mod tests;
