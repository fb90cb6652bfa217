//! Time rules over the pose stream: what the person is doing (standing, walking, sitting),
//! sudden movements of the trunk and head, "time to move" and "time to stand up" reminders,
//! walking cadence and the strides that walking judgments average over.
//! Fed one frame at a time by the pipeline after `pose`; pure state, time comes in as timestamps.
//!
//! Everything is measured in pixels (so the image's aspect ratio is respected) and divided by the
//! torso length (shoulder midpoint to hip midpoint), so the rules do not depend on how far the
//! person sits from the camera. A frame whose shoulders or hips are not visible enough is treated
//! like a frame without a person.
//!
//! **Left/right swaps.** In side views BlazePose sometimes swaps the left and right limbs for a
//! frame or two. Every quantity here is symmetric under such a swap: the key points are the
//! shoulder midpoint, the hip midpoint and the nose, the gait signal is the unsigned horizontal
//! ankle separation `|x_left − x_right|`, and sitting reads the larger of the two knees' drops
//! below their hips. A swap therefore changes none of the inputs, and cannot create a sudden
//! movement, an extra step or a seated frame.
//!
//! **Glitches.** Key points and torso length pass through a median of the last three usable
//! frames before the speed and stillness rules see them, so a landmark that jumps away for a
//! single frame and comes back is ignored (at the cost of one frame of latency). Steps are found
//! on the raw ankle separation, to keep sub-frame timing; there a threshold crossing only counts
//! when it holds for two frames, and cadence uses the median step interval.

mod activity;
mod config;
mod features;
mod gait;
mod rules;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use activity::ActivityTracker;
pub use activity::{ACTIVITY_HOLD, Activity, SITTING_KNEE_DROP_TORSO};
pub use config::MotionConfig;
use features::{Features, MedianOfThree};
pub use gait::{CADENCE_MAX_SPM, CADENCE_MIN_SPM};
use gait::{CadenceEstimator, StepDetector};
use rules::{StillnessTimer, SuddenDetector};

use crate::pose::Pose;
use crate::pose::roi::ImageSize;

/// Something the motion rules noticed; `t_ms` is the timestamp of the frame that revealed it
/// (for a step, the moment of the step itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum MotionEvent {
    /// A step: the feet were furthest apart at `t_ms`, read between frames, so a frame or two
    /// before the frame that confirmed it. Consecutive steps alternate feet.
    Step { t_ms: u64 },
    /// A key point moved faster than the sudden-movement threshold.
    SuddenMovement { t_ms: u64, speed_torso_per_s: f32 },
    /// No meaningful movement for `still_for_s` seconds.
    MoveReminder { t_ms: u64, still_for_s: f32 },
    /// A plausible cadence appeared.
    WalkingStarted { t_ms: u64 },
    /// The cadence vanished (steps stopped or became implausible).
    WalkingStopped { t_ms: u64 },
    /// Seated for `seated_for_s` seconds: time to stand up.
    StandUpReminder { t_ms: u64, seated_for_s: f32 },
}

impl MotionEvent {
    /// When it happened, in milliseconds.
    pub fn t_ms(&self) -> u64 {
        match self {
            MotionEvent::Step { t_ms }
            | MotionEvent::SuddenMovement { t_ms, .. }
            | MotionEvent::MoveReminder { t_ms, .. }
            | MotionEvent::WalkingStarted { t_ms }
            | MotionEvent::WalkingStopped { t_ms }
            | MotionEvent::StandUpReminder { t_ms, .. } => *t_ms,
        }
    }

    /// The same event `by_ms` later (earlier when negative, never before 0): on another clock.
    pub fn shifted(&self, by_ms: f64) -> Self {
        let mut e = self.clone();
        match &mut e {
            MotionEvent::Step { t_ms }
            | MotionEvent::SuddenMovement { t_ms, .. }
            | MotionEvent::MoveReminder { t_ms, .. }
            | MotionEvent::WalkingStarted { t_ms }
            | MotionEvent::WalkingStopped { t_ms }
            | MotionEvent::StandUpReminder { t_ms, .. } => {
                *t_ms = (*t_ms as f64 + by_ms).round().max(0.0) as u64;
            }
        }
        e
    }
}

/// The longest stride (two steps) that counts as walking: 48 steps per minute.
pub const MAX_STRIDE: Duration = Duration::from_millis(2500);

/// Two consecutive steps of a walk: from one foot's step to its next.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stride {
    /// Media time of the first step.
    pub start: Duration,
    /// Media time of the step two later.
    pub end: Duration,
}

/// The motion rules' view of one frame.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MotionUpdate {
    /// Events raised by this frame, oldest first.
    pub events: Vec<MotionEvent>,
    /// Fastest key point's speed over the speed window, if measurable this frame.
    pub speed_torso_per_s: Option<f32>,
    /// Steps per minute, while walking.
    pub cadence_spm: Option<f32>,
    /// Whether a cadence is being reported.
    pub walking: bool,
    /// Time since the last meaningful movement (paused while nobody is seen).
    pub still_for_s: f32,
    /// Time the feet have kept their distance apart (within a step's amplitude): walking on
    /// the spot moves no key point, but it moves the feet. 0 while the ankles are not seen.
    pub legs_still_for_s: f32,
    /// What the person is doing, once it has held ([`ACTIVITY_HOLD`]); `None` while it cannot
    /// be told (nobody seen, or neither knee seen and not walking).
    pub activity: Option<Activity>,
    /// Time seated since the person last stood up.
    pub seated_for_s: f32,
    /// The latest complete stride while the person is in stride (its end no older than the
    /// stride itself lasted); `None` otherwise. Comes a step or two before a cadence does.
    pub stride: Option<Stride>,
}

/// Runs the sudden-movement, stillness and cadence rules over a stream of poses.
#[derive(Debug, Clone)]
pub struct MotionTracker {
    config: MotionConfig,
    /// A landmark counts as seen from this visibility on (the metrics' own threshold).
    min_visibility: f32,
    last_t: Option<Duration>,
    median: MedianOfThree,
    sudden: SuddenDetector,
    stillness: StillnessTimer,
    steps: StepDetector,
    cadence: CadenceEstimator,
    walking: bool,
    cadence_spm: Option<f32>,
    activity: ActivityTracker,
    shown_activity: Option<Activity>,
    /// The last three step times, in seconds.
    recent_steps: [Option<f64>; 3],
    /// The ankle separation the feet keep, and since when.
    legs: Option<(f32, Duration)>,
    stride: Option<Stride>,
}

impl MotionTracker {
    /// A tracker that has seen no frames, using landmarks seen at `min_visibility` (the same
    /// threshold the metrics use).
    pub fn new(config: MotionConfig, min_visibility: f32) -> Self {
        Self {
            config,
            min_visibility,
            last_t: None,
            median: MedianOfThree::default(),
            sudden: SuddenDetector::default(),
            stillness: StillnessTimer::default(),
            steps: StepDetector::default(),
            cadence: CadenceEstimator::default(),
            walking: false,
            cadence_spm: None,
            activity: ActivityTracker::default(),
            shown_activity: None,
            recent_steps: [None; 3],
            legs: None,
            stride: None,
        }
    }

    /// Landmarks count as seen from `min_visibility` on, from the next frame.
    pub fn set_min_visibility(&mut self, min_visibility: f32) {
        self.min_visibility = min_visibility;
    }

    /// The thresholds in use.
    pub fn config(&self) -> &MotionConfig {
        &self.config
    }

    /// Feeds one frame taken at `t` (`pose` is `None` when nobody was found). Frames whose
    /// timestamp does not increase are ignored and produce an update without events.
    pub fn update(&mut self, t: Duration, size: ImageSize, pose: Option<&Pose>) -> MotionUpdate {
        if self.last_t.is_some_and(|last| t <= last) {
            return self.status(None, Vec::new());
        }
        self.last_t = Some(t);
        let mut events = Vec::new();
        let frame = pose.and_then(|p| Features::of(p, t, size, self.min_visibility));
        self.update_steps(frame.as_ref(), &mut events);
        self.update_stride(t);
        let filtered = frame.and_then(|f| self.median.push(f));
        self.update_walking(t, &mut events);
        let knee_drop = filtered.and_then(|f| f.knee_drop_torso);
        let (activity, stand_up) = self
            .activity
            .update(&self.config, t, self.walking, knee_drop);
        self.shown_activity = activity;
        let speed = match filtered {
            Some(filtered) => self.on_person(t, &filtered, &mut events),
            None => {
                self.on_no_person(t, frame.is_none());
                None
            }
        };
        if let Some(seated_for_s) = stand_up {
            events.push(MotionEvent::StandUpReminder {
                t_ms: millis(t),
                seated_for_s,
            });
        }
        self.status(speed, events)
    }

    fn on_person(
        &mut self,
        t: Duration,
        f: &Features,
        events: &mut Vec<MotionEvent>,
    ) -> Option<f32> {
        let cfg = &self.config;
        let speed = self.sudden.update(cfg, f);
        if let Some(speed) = speed
            && self.sudden.should_fire(cfg, t, speed)
        {
            events.push(MotionEvent::SuddenMovement {
                t_ms: millis(t),
                speed_torso_per_s: speed,
            });
        }
        if let Some(still_for_s) = self.stillness.update(cfg, f, self.shown_activity) {
            events.push(MotionEvent::MoveReminder {
                t_ms: millis(t),
                still_for_s,
            });
        }
        speed
    }

    /// Steps are found on the raw frames, not the median, so step times keep sub-frame
    /// precision (the median flattens each maximum onto two frames); [`StepDetector`] ignores
    /// one-frame spikes itself. Each step accepted is raised as [`MotionEvent::Step`].
    fn update_steps(&mut self, frame: Option<&Features>, events: &mut Vec<MotionEvent>) {
        let gap = frame.and_then(|f| Some((f.t, f.ankle_gap_torso?)));
        self.legs = gap.map(|(t, g)| match self.legs {
            Some((kept, since)) if (g - kept).abs() <= self.config.step_min_amplitude_torso => {
                (kept, since)
            }
            _ => (g, t),
        });
        match gap {
            Some((t, gap_torso)) => {
                let step = self.steps.push(&self.config, secs(t), gap_torso);
                // A step sooner after the last than the fastest cadence allows is a landmark
                // of the far foot jumping, not a step.
                let last = self.recent_steps[2];
                if let Some(step_s) =
                    step.filter(|&s| last.is_none_or(|l| s - l >= gait::MIN_STEP_INTERVAL_S))
                {
                    self.cadence.add_step(step_s);
                    events.push(MotionEvent::Step {
                        t_ms: (step_s.max(0.0) * 1000.0).round() as u64,
                    });
                    self.recent_steps.rotate_left(1);
                    self.recent_steps[2] = Some(step_s);
                }
            }
            None => self.steps.reset(),
        }
    }

    /// The latest stride (the last three steps), while it is recent: its end no older than the
    /// stride lasted, so a walker who stops leaves the stride within one stride's time.
    fn update_stride(&mut self, t: Duration) {
        let stride = match self.recent_steps {
            [Some(start), Some(_), Some(end)] if end > start => Some(Stride {
                start: Duration::from_secs_f64(start.max(0.0)),
                end: Duration::from_secs_f64(end.max(0.0)),
            }),
            _ => None,
        };
        self.stride = stride.filter(|s| {
            let length = s.end - s.start;
            length <= MAX_STRIDE && t.saturating_sub(s.end) <= length
        });
    }

    /// `unusable` is true when this frame had no usable person (rather than a person still
    /// filling the median window).
    fn on_no_person(&mut self, t: Duration, unusable: bool) {
        if unusable {
            self.median.reset();
            self.sudden.reset();
        }
        self.stillness.on_absent(&self.config, t);
    }

    fn update_walking(&mut self, t: Duration, events: &mut Vec<MotionEvent>) {
        self.cadence_spm = self.cadence.cadence_spm(&self.config, secs(t));
        let walking = self.cadence_spm.is_some();
        if walking != self.walking {
            let t_ms = millis(t);
            events.push(if walking {
                MotionEvent::WalkingStarted { t_ms }
            } else {
                MotionEvent::WalkingStopped { t_ms }
            });
            self.walking = walking;
        }
    }

    fn status(&self, speed_torso_per_s: Option<f32>, events: Vec<MotionEvent>) -> MotionUpdate {
        MotionUpdate {
            events,
            speed_torso_per_s,
            cadence_spm: self.cadence_spm,
            walking: self.walking,
            still_for_s: self.stillness.still_for_s(),
            legs_still_for_s: self
                .legs
                .zip(self.last_t)
                .map_or(0.0, |((_, since), t)| t.saturating_sub(since).as_secs_f32()),
            activity: self.shown_activity,
            seated_for_s: self.activity.seated_for_s(),
            stride: self.stride,
        }
    }
}

impl Default for MotionTracker {
    /// The default rules on landmarks seen at the metrics' default visibility.
    fn default() -> Self {
        Self::new(
            MotionConfig::default(),
            super::metrics::MetricsConfig::default().min_visibility,
        )
    }
}

fn millis(t: Duration) -> u64 {
    u64::try_from(t.as_millis()).unwrap_or(u64::MAX)
}

fn secs(t: Duration) -> f64 {
    t.as_secs_f64()
}

#[cfg(test)]
mod tests;
