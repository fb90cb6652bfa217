//! The summary of an analysis: how long, how much of it aligned, how each metric was
//! distributed (median and signed range), and per measure (in [`super::measures`]). Built
//! sample by sample; pure data in, data out.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::gait::StepTiming;
use super::measures::{MeasureSummary, MeasuresBuilder, MisalignedStretch};
pub use super::stats::MetricStats;
use super::stats::stats;
use crate::geometry::MetricId;
use crate::geometry::preset::Preset;
use crate::geometry::state::{PostureState, TimeInState};
use crate::session::{EventKind, Sample};

/// Version of the summary's JSON layout; bumped when a field changes meaning.
pub const SUMMARY_SCHEMA: u32 = 1;

/// Time in each shown state, in seconds and as fractions of the analysed time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateTimes {
    pub aligned_s: f64,
    pub drifting_s: f64,
    pub misaligned_s: f64,
    pub unknown_s: f64,
    pub aligned_fraction: f64,
    pub drifting_fraction: f64,
    pub misaligned_fraction: f64,
    pub unknown_fraction: f64,
}

/// Movement over the analysis.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MotionSummary {
    pub sudden_movements: u32,
    pub move_reminders: u32,
    /// Time with a walking cadence, seconds.
    pub walking_s: f64,
    /// Mean cadence while walking, steps per minute.
    pub cadence_spm: Option<f64>,
    /// Steps taken while walking: the cadence over the walking time (an estimate; see
    /// `steps_counted` for the steps found one by one).
    #[serde(default)]
    pub steps: u64,
    /// Reminders to stand up after sitting a long time.
    #[serde(default)]
    pub stand_up_reminders: u32,
    /// The steps counted and their timing: step time, its asymmetry and variability.
    #[serde(flatten)]
    pub gait: StepTiming,
}

/// Mean time per frame in each stage, milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimingsMs {
    /// Waiting for a decoded frame (decoding not hidden behind inference).
    pub wait_for_frame: f64,
    pub preprocess: f64,
    pub inference: f64,
    pub geometry: f64,
}

/// The JSON summary `plumbline analyze --json` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema: u32,
    pub source: String,
    pub model: String,
    /// From the first to the last analysed frame, seconds.
    pub duration_s: f64,
    pub frames: u64,
    pub frames_with_person: u64,
    /// Frames that could not be decoded and were skipped.
    pub frames_skipped: u64,
    /// False when the run was interrupted or the input ended early.
    pub complete: bool,
    /// Why the run is incomplete, if it is.
    pub note: Option<String>,
    pub time_in_state: StateTimes,
    /// Per metric, by its column name.
    pub metrics: BTreeMap<String, MetricStats>,
    pub motion: MotionSummary,
    /// Alerts for a long misaligned stretch (the app's banner and chime), decided the same way
    /// by `plumbline analyze` and by the app.
    #[serde(default)]
    pub posture_alerts: u32,
    /// Where the time went, per frame on average.
    pub timings_ms: TimingsMs,
    /// The measures and activity judged; `null` for a session recorded before plumbline kept
    /// them.
    #[serde(default)]
    pub preset: Option<Preset>,
    /// The practice length aimed for, seconds; `null` when no goal was set.
    #[serde(default)]
    pub goal_s: Option<f64>,
    /// Whether the analysed time (`duration_s`) reached the goal; `null` without one.
    #[serde(default)]
    pub goal_reached: Option<bool>,
    /// Every measure, in the preset's order (judged or not), from the levels and cues the
    /// judge recorded per frame.
    #[serde(default)]
    pub measures: Vec<MeasureSummary>,
    /// Why the per-measure times are `null` (a session stored before they were kept); `null`
    /// when they are known.
    #[serde(default)]
    pub measures_note: Option<String>,
    /// The stretches the shown state was misaligned, each with the measure that drove it.
    #[serde(default)]
    pub misaligned_stretches: Vec<MisalignedStretch>,
}

impl Summary {
    /// Fraction of the analysed time shown in `state`.
    pub fn time_in_state_fraction(&self, state: PostureState) -> f64 {
        let t = &self.time_in_state;
        match state {
            PostureState::Aligned => t.aligned_fraction,
            PostureState::Drifting => t.drifting_fraction,
            PostureState::Misaligned => t.misaligned_fraction,
            PostureState::Unknown => t.unknown_fraction,
        }
    }
}

/// How far short of its goal a session may end and still have reached it (see `finish`).
const GOAL_SLACK_S: f64 = 0.5;

/// Accumulates samples into a [`Summary`].
#[derive(Debug, Clone, Default)]
pub struct SummaryBuilder {
    first_t_ms: Option<f64>,
    last_t_ms: f64,
    frames: u64,
    with_person: u64,
    skipped: u64,
    times: TimeInState,
    values: BTreeMap<MetricId, Vec<f32>>,
    motion: MotionSummary,
    cadence_sum: f64,
    cadence_n: u64,
    /// Steps so far, fractional: the cadence integrated over walking time.
    steps: f64,
    last_walking_t_ms: Option<f64>,
    /// Each step's time, seconds.
    steps_s: Vec<f64>,
    timing_sums: [Duration; 4],
    timed_frames: u32,
    posture_alerts: u32,
    preset: Option<Preset>,
    goal_s: Option<f64>,
    measures: MeasuresBuilder,
}

impl SummaryBuilder {
    /// Adds one analysed frame: its time in its state, its metrics, and its walking cadence.
    pub fn push(&mut self, sample: &Sample) {
        self.first_t_ms.get_or_insert(sample.t_ms);
        self.last_t_ms = sample.t_ms;
        self.measures.push(sample);
        self.frames += 1;
        self.with_person += sample.person as u64;
        self.times.record(
            Duration::from_secs_f64(sample.t_ms.max(0.0) / 1000.0),
            sample.state,
        );
        if let Some(m) = &sample.metrics {
            for (id, v) in m.measured() {
                if v.is_finite() {
                    self.values.entry(id).or_default().push(v);
                }
            }
        }
        match sample.cadence_spm {
            Some(c) => {
                if let Some(prev) = self.last_walking_t_ms {
                    let dt_s = (sample.t_ms - prev).max(0.0) / 1000.0;
                    self.motion.walking_s += dt_s;
                    self.steps += f64::from(c) * dt_s / 60.0;
                }
                self.last_walking_t_ms = Some(sample.t_ms);
                self.cadence_sum += f64::from(c);
                self.cadence_n += 1;
            }
            None => self.last_walking_t_ms = None,
        }
    }

    /// Counts something that happened: a sudden movement, a reminder to move, a posture alert
    /// (the other kinds are in the samples already).
    pub fn push_event(&mut self, kind: EventKind) {
        match kind {
            EventKind::SuddenMovement => self.motion.sudden_movements += 1,
            EventKind::MoveReminder => self.motion.move_reminders += 1,
            EventKind::PostureAlert => self.posture_alerts += 1,
            EventKind::StandUpReminder => self.motion.stand_up_reminders += 1,
            // Steps are timed through `push_step`.
            EventKind::State
            | EventKind::WalkingStarted
            | EventKind::WalkingStopped
            | EventKind::Step => {}
        }
    }

    /// Adds a step the motion rules found, at `t_ms` (on the samples' clock).
    pub fn push_step(&mut self, t_ms: f64) {
        self.steps_s.push(t_ms / 1000.0);
    }

    /// Adds one frame's stage times: waiting for the frame, preprocessing, inference, geometry.
    pub fn push_timings(&mut self, stages: [Duration; 4]) {
        for (sum, t) in self.timing_sums.iter_mut().zip(stages) {
            *sum += t;
        }
        self.timed_frames += 1;
    }

    /// Counts a frame that could not be decoded.
    pub fn skipped(&mut self) {
        self.skipped += 1;
    }

    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Records the measures and activity that were judged.
    pub fn set_preset(&mut self, preset: Option<Preset>) {
        self.preset = preset;
    }

    /// Records the practice length aimed for, in seconds (`None`: no goal).
    pub fn set_goal(&mut self, goal_s: Option<f64>) {
        self.goal_s = goal_s;
    }

    /// The summary so far. `note` says why the run is incomplete, if it is.
    pub fn finish(&self, source: &str, model: &str, note: Option<String>) -> Summary {
        let t = &self.times;
        let times = StateTimes {
            aligned_s: t.aligned_s,
            drifting_s: t.drifting_s,
            misaligned_s: t.misaligned_s,
            unknown_s: t.unknown_s,
            aligned_fraction: t.fraction(PostureState::Aligned),
            drifting_fraction: t.fraction(PostureState::Drifting),
            misaligned_fraction: t.fraction(PostureState::Misaligned),
            unknown_fraction: t.fraction(PostureState::Unknown),
        };
        let mut motion = self.motion.clone();
        motion.cadence_spm = (self.cadence_n > 0).then(|| self.cadence_sum / self.cadence_n as f64);
        motion.steps = self.steps.round() as u64;
        // Walking is seen from steps: walking without any is a session from before they were
        // kept.
        motion.gait = if self.steps_s.is_empty() && motion.walking_s > 0.0 {
            StepTiming::not_recorded()
        } else {
            StepTiming::of_steps(&self.steps_s)
        };
        let duration_s = (self.last_t_ms - self.first_t_ms.unwrap_or(self.last_t_ms)) / 1000.0;
        let (measures, measures_note, misaligned_stretches) =
            self.measures.finish(self.preset.as_ref());
        Summary {
            schema: SUMMARY_SCHEMA,
            source: source.to_string(),
            model: model.to_string(),
            duration_s,
            frames: self.frames,
            frames_with_person: self.with_person,
            frames_skipped: self.skipped,
            complete: note.is_none(),
            note,
            time_in_state: times,
            metrics: self
                .values
                .iter()
                .map(|(id, v)| (id.key().to_string(), stats(v)))
                .collect(),
            motion,
            posture_alerts: self.posture_alerts,
            timings_ms: self.mean_timings(),
            preset: self.preset.clone(),
            goal_s: self.goal_s,
            // The span from the first frame to the last is a frame short of the time practised:
            // a 10-minute video at 30 fps spans 9:59.97. Half a second is within a frame of
            // any rate a camera delivers.
            goal_reached: self
                .goal_s
                .map(|goal_s| duration_s + GOAL_SLACK_S >= goal_s),
            measures,
            measures_note,
            misaligned_stretches,
        }
    }

    fn mean_timings(&self) -> TimingsMs {
        let n = self.timed_frames.max(1) as f64;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0 / n;
        let [wait, pre, inf, geo] = self.timing_sums;
        TimingsMs {
            wait_for_frame: ms(wait),
            preprocess: ms(pre),
            inference: ms(inf),
            geometry: ms(geo),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::metrics::Metrics;

    fn sample(frame: u64, lean: Option<f32>, state: PostureState) -> Sample {
        Sample {
            frame,
            t_ms: frame as f64 * 100.0,
            person: lean.is_some(),
            metrics: lean.map(|v| Metrics::default().with(MetricId::TrunkLeanFrontal, v)),
            state,
            cadence_spm: None,
            levels: None,
            cue: None,
        }
    }

    #[test]
    fn summary_counts_times_and_distributions() {
        let mut b = SummaryBuilder::default();
        // 20 frames, 0.1 s apart: leans −10..+9; aligned for the first 1.5 s.
        for i in 0..20u64 {
            let state = if i < 15 {
                PostureState::Aligned
            } else {
                PostureState::Misaligned
            };
            b.push(&sample(i, Some(i as f32 - 10.0), state));
        }
        b.push(&sample(20, None, PostureState::Unknown));
        b.skipped();
        let s = b.finish("clip.mp4", "full", None);
        assert_eq!(
            (s.frames, s.frames_with_person, s.frames_skipped),
            (21, 20, 1)
        );
        assert!(s.complete);
        assert!((s.duration_s - 2.0).abs() < 1e-9);
        assert!((s.time_in_state.aligned_s - 1.5).abs() < 1e-9);
        assert!((s.time_in_state.misaligned_fraction - 0.25).abs() < 1e-9);
        let lean = &s.metrics["trunk_lean_frontal_deg"];
        assert_eq!(lean.n, 20);
        assert!((lean.mean - -0.5).abs() < 1e-9);
        assert_eq!(lean.p95, 8.0); // nearest rank 19 of −10..9
        assert_eq!(lean.p95_abs, 9.0); // magnitudes 0..10: rank 19 is 9
        // The typical lean and its range, signed like the values: ranks 10, 1, 5 and 15.
        assert_eq!(
            (lean.median, lean.p5, lean.p25, lean.p75),
            (-1.0, -10.0, -6.0, 4.0)
        );
        assert!(
            !s.metrics.contains_key("hip_tilt_deg"),
            "never measured, not reported"
        );
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["schema"], 1);
    }

    #[test]
    fn the_goal_is_reached_by_the_analysed_time() {
        let mut b = SummaryBuilder::default();
        // 0 to 2 s.
        for i in 0..=20u64 {
            b.push(&sample(i, Some(1.0), PostureState::Aligned));
        }
        let goal = |b: &mut SummaryBuilder, goal_s: Option<f64>| {
            b.set_goal(goal_s);
            let s = b.finish("clip.mp4", "lite", None);
            (s.goal_s, s.goal_reached)
        };
        assert_eq!(
            goal(&mut b, None),
            (None, None),
            "no goal, nothing to reach"
        );
        assert_eq!(goal(&mut b, Some(2.0)), (Some(2.0), Some(true)), "exactly");
        // The span is a frame short of the time practised: within half a second counts.
        assert_eq!(
            goal(&mut b, Some(2.4)),
            (Some(2.4), Some(true)),
            "a frame short"
        );
        assert_eq!(goal(&mut b, Some(2.6)), (Some(2.6), Some(false)));
        let json = serde_json::to_value(b.finish("clip.mp4", "lite", None)).unwrap();
        assert_eq!(json["goal_s"], 2.6);
        assert_eq!(json["goal_reached"], false);
        b.set_goal(None);
        let json = serde_json::to_value(b.finish("clip.mp4", "lite", None)).unwrap();
        assert!(json["goal_s"].is_null() && json["goal_reached"].is_null());
        assert!(
            json.as_object().unwrap().contains_key("goal_reached"),
            "null, not absent"
        );
    }

    #[test]
    fn interrupted_runs_say_so() {
        let mut b = SummaryBuilder::default();
        b.push(&sample(0, Some(1.0), PostureState::Aligned));
        let s = b.finish("clip.mp4", "lite", Some("interrupted by Ctrl-C".into()));
        assert!(!s.complete);
        assert_eq!(s.note.as_deref(), Some("interrupted by Ctrl-C"));
    }
}
