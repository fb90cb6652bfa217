//! Time rules over the pose stream: sudden movements, "time to move" reminders and walking cadence.
//! Fed one frame at a time by the pipeline after `pose`; pure state, time comes in as timestamps.
//!
//! Everything is measured in pixels (so the image's aspect ratio is respected) and divided by the
//! torso length (shoulder midpoint to hip midpoint), so the rules do not depend on how far the
//! person sits from the camera. A frame whose shoulders or hips are not visible enough is treated
//! like a frame without a person.
//!
//! **Left/right swaps.** In side views BlazePose sometimes swaps the left and right limbs for a
//! frame or two. Every quantity here is symmetric under such a swap: the key points are the
//! shoulder midpoint, the hip midpoint and the nose, and the gait signal is the unsigned horizontal
//! ankle separation `|x_left − x_right|`. A swap therefore changes none of the inputs, and cannot
//! create a sudden movement or an extra step.
//!
//! **Glitches.** Key points and torso length pass through a median of the last three usable
//! frames before the speed and stillness rules see them, so a landmark that jumps away for a
//! single frame and comes back is ignored (at the cost of one frame of latency). Steps are found
//! on the raw ankle separation, to keep sub-frame timing; there a threshold crossing only counts
//! when it holds for two frames, and cadence uses the median step interval.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::pose::roi::ImageSize;
use crate::pose::{LandmarkId, Pose};

/// Cadences outside this range (steps per minute) are not walking: slower is shuffling or
/// shifting weight, faster is running or noise.
const CADENCE_MIN_SPM: f32 = 40.0;
const CADENCE_MAX_SPM: f32 = 200.0;
/// Steps needed in the cadence window before a cadence is reported (three intervals).
const MIN_STEPS_IN_WINDOW: usize = 4;
/// A gap between usable frames up to this long (a brief tracking dropout) still counts as still
/// time; a longer gap pauses the stillness timer.
const DROPOUT_GRACE_S: f32 = 1.0;
/// Frames the ankle separation must stay past a hysteresis threshold for the crossing to count,
/// so a one-frame landmark spike is not a step. Real crossings last several frames: at 200
/// steps/min and 30 fps the separation stays below a maximum by the default amplitude for
/// about four of the nine frames of a step, and above a minimum for about seven.
const CROSSING_FRAMES: u32 = 2;
/// Torso lengths below this many pixels are degenerate (landmarks collapsed onto each other).
const MIN_TORSO_PX: f32 = 1.0;

/// Thresholds for the motion rules. Lengths are in torso lengths, times in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MotionConfig {
    /// A key point moving faster than this (torso lengths per second) is a sudden movement.
    /// Default 3.0. Walking briskly across the camera's view approaches this speed.
    pub sudden_speed_torso_per_s: f32,
    /// Speed is measured between the newest frame and the newest frame at least this much older,
    /// so per-frame jitter is averaged out. Default 0.1 s.
    pub sudden_window_s: f32,
    /// Minimum time between two sudden-movement events. Default 2.0 s.
    pub sudden_min_interval_s: f32,
    /// Remind the person to move after this long without a meaningful movement, then again every
    /// this long. Default 1200 s (20 minutes).
    pub still_after_s: f32,
    /// A movement is meaningful when the key points' centre leaves a circle of this radius
    /// around where it was at the last meaningful movement. Default 0.15 torso lengths.
    pub still_radius_torso: f32,
    /// Without a usable person for this long, the stillness timer restarts (they left).
    /// Shorter absences pause it. Default 30 s.
    pub absent_reset_s: f32,
    /// The ankle separation must fall (and rise) by at least this much between two steps.
    /// Default 0.15 torso lengths.
    pub step_min_amplitude_torso: f32,
    /// Steps older than this are forgotten when estimating cadence. Default 10 s.
    pub cadence_window_s: f32,
}

impl Default for MotionConfig {
    fn default() -> Self {
        Self {
            sudden_speed_torso_per_s: 3.0,
            sudden_window_s: 0.1,
            sudden_min_interval_s: 2.0,
            still_after_s: 1200.0,
            still_radius_torso: 0.15,
            absent_reset_s: 30.0,
            step_min_amplitude_torso: 0.15,
            cadence_window_s: 10.0,
        }
    }
}

/// Something the motion rules noticed; `t_ms` is the timestamp of the frame that revealed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum MotionEvent {
    /// A key point moved faster than the sudden-movement threshold.
    SuddenMovement { t_ms: u64, speed_torso_per_s: f32 },
    /// No meaningful movement for `still_for_s` seconds.
    MoveReminder { t_ms: u64, still_for_s: f32 },
    /// A plausible cadence appeared.
    WalkingStarted { t_ms: u64 },
    /// The cadence vanished (steps stopped or became implausible).
    WalkingStopped { t_ms: u64 },
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
        self.update_steps(frame.as_ref());
        let speed = match frame.and_then(|f| self.median.push(f)) {
            Some(filtered) => self.on_person(t, &filtered, &mut events),
            None => {
                self.on_no_person(t, frame.is_none());
                None
            }
        };
        self.update_walking(t, &mut events);
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
        if let Some(still_for_s) = self.stillness.update(cfg, f) {
            events.push(MotionEvent::MoveReminder {
                t_ms: millis(t),
                still_for_s,
            });
        }
        speed
    }

    /// Steps are found on the raw frames, not the median, so step times keep sub-frame
    /// precision (the median flattens each maximum onto two frames); [`StepDetector`] ignores
    /// one-frame spikes itself.
    fn update_steps(&mut self, frame: Option<&Features>) {
        match frame.and_then(|f| Some((f.t, f.ankle_gap_torso?))) {
            Some((t, gap_torso)) => {
                if let Some(step_s) = self.steps.push(&self.config, secs(t), gap_torso) {
                    self.cadence.add_step(step_s);
                }
            }
            None => self.steps.reset(),
        }
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

/// A point in image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Px {
    x: f32,
    y: f32,
}

impl Px {
    fn midpoint(a: Px, b: Px) -> Px {
        Px {
            x: 0.5 * (a.x + b.x),
            y: 0.5 * (a.y + b.y),
        }
    }

    fn distance(a: Px, b: Px) -> f32 {
        (a.x - b.x).hypot(a.y - b.y)
    }
}

/// Number of key points: shoulder midpoint, hip midpoint, nose.
const KEY_POINTS: usize = 3;

/// What one frame contributes to the rules, all swap-symmetric.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Features {
    t: Duration,
    torso_px: f32,
    /// Shoulder midpoint and hip midpoint (always present) and the nose (when visible).
    key_points_px: [Option<Px>; KEY_POINTS],
    /// `|x_left_ankle − x_right_ankle|` in torso lengths, when both ankles are visible.
    ankle_gap_torso: Option<f32>,
}

impl Features {
    /// `None` when the torso (both shoulders and both hips) is not usable.
    fn of(pose: &Pose, t: Duration, size: ImageSize, min_visibility: f32) -> Option<Features> {
        let at = |id| pixel(pose, id, size, min_visibility);
        let shoulders = Px::midpoint(
            at(LandmarkId::LeftShoulder)?,
            at(LandmarkId::RightShoulder)?,
        );
        let hips = Px::midpoint(at(LandmarkId::LeftHip)?, at(LandmarkId::RightHip)?);
        let torso_px = Px::distance(shoulders, hips);
        if !torso_px.is_finite() || torso_px < MIN_TORSO_PX {
            return None;
        }
        let ankle_gap_torso = match (at(LandmarkId::LeftAnkle), at(LandmarkId::RightAnkle)) {
            (Some(l), Some(r)) => Some((l.x - r.x).abs() / torso_px),
            _ => None,
        };
        Some(Features {
            t,
            torso_px,
            key_points_px: [Some(shoulders), Some(hips), at(LandmarkId::Nose)],
            ankle_gap_torso,
        })
    }
}

/// The landmark in pixels, if visible enough and finite.
fn pixel(pose: &Pose, id: LandmarkId, size: ImageSize, min_visibility: f32) -> Option<Px> {
    let lm = pose.landmark(id);
    let p = Px {
        x: lm.x * size.w(),
        y: lm.y * size.h(),
    };
    (lm.visibility >= min_visibility && p.x.is_finite() && p.y.is_finite()).then_some(p)
}

/// Median of the last three consecutive usable frames, stamped with the middle frame's time.
#[derive(Debug, Clone, Default)]
struct MedianOfThree {
    window: VecDeque<Features>,
}

impl MedianOfThree {
    fn push(&mut self, f: Features) -> Option<Features> {
        if self.window.len() == 3 {
            self.window.pop_front();
        }
        self.window.push_back(f);
        let [a, b, c] = [
            self.window.front()?,
            self.window.get(1)?,
            self.window.get(2)?,
        ];
        let point = |i: usize| match (a.key_points_px[i], b.key_points_px[i], c.key_points_px[i]) {
            (Some(p), Some(q), Some(r)) => Some(Px {
                x: median3(p.x, q.x, r.x),
                y: median3(p.y, q.y, r.y),
            }),
            _ => None,
        };
        Some(Features {
            t: b.t,
            torso_px: median3(a.torso_px, b.torso_px, c.torso_px),
            key_points_px: [point(0), point(1), point(2)],
            // Steps read the raw frames.
            ankle_gap_torso: None,
        })
    }

    fn reset(&mut self) {
        self.window.clear();
    }
}

fn median3(a: f32, b: f32, c: f32) -> f32 {
    a.min(b).max(a.max(b).min(c))
}

/// Key-point speed over a short window, and the rate limit on sudden-movement events.
#[derive(Debug, Clone, Default)]
struct SuddenDetector {
    history: VecDeque<Features>,
    last_event: Option<Duration>,
}

impl SuddenDetector {
    /// Fastest key point's speed between `f` and the newest earlier frame at least
    /// `sudden_window_s` older, in torso lengths per second.
    fn update(&mut self, cfg: &MotionConfig, f: &Features) -> Option<f32> {
        self.history.push_back(*f);
        let age_s = |old: &Features| f.t.saturating_sub(old.t).as_secs_f32();
        while self
            .history
            .get(1)
            .is_some_and(|next| age_s(next) >= cfg.sudden_window_s)
        {
            self.history.pop_front();
        }
        let reference = self.history.front()?;
        let dt_s = age_s(reference);
        if dt_s < cfg.sudden_window_s || dt_s <= 0.0 {
            return None;
        }
        let moved_px = f
            .key_points_px
            .iter()
            .zip(&reference.key_points_px)
            .filter_map(|(now, then)| Some(Px::distance((*now)?, (*then)?)))
            .fold(0.0_f32, f32::max);
        Some(moved_px / f.torso_px / dt_s)
    }

    fn should_fire(&mut self, cfg: &MotionConfig, t: Duration, speed_torso_per_s: f32) -> bool {
        let rested = self
            .last_event
            .is_none_or(|last| t.saturating_sub(last).as_secs_f32() >= cfg.sudden_min_interval_s);
        let fire = rested && speed_torso_per_s >= cfg.sudden_speed_torso_per_s;
        if fire {
            self.last_event = Some(t);
        }
        fire
    }

    fn reset(&mut self) {
        self.history.clear();
    }
}

/// Time since the key points' centre last left its circle.
#[derive(Debug, Clone, Default)]
struct StillnessTimer {
    /// Key points at the last meaningful movement.
    anchor: Option<[Option<Px>; KEY_POINTS]>,
    last_seen: Option<Duration>,
    /// A `Duration`, not an `f32` sum, so 36 000 frames of 20 minutes add up exactly.
    still_for: Duration,
    reminders_sent: u32,
}

impl StillnessTimer {
    /// Advances the timer with a usable frame; returns the still time when a reminder is due.
    fn update(&mut self, cfg: &MotionConfig, f: &Features) -> Option<f32> {
        let gap = self.last_seen.map(|last| f.t.saturating_sub(last));
        let gap_s = gap.map(|g| g.as_secs_f32());
        self.last_seen = Some(f.t);
        let Some(anchor) = self
            .anchor
            .filter(|_| gap_s.is_some_and(|g| g < cfg.absent_reset_s))
        else {
            self.restart(f);
            return None;
        };
        let moved_px = match centres(&anchor, &f.key_points_px) {
            Some((then, now)) => Px::distance(then, now),
            None => 0.0,
        };
        if moved_px > cfg.still_radius_torso * f.torso_px {
            self.restart(f);
            return None;
        }
        // A brief dropout counts as still time; a longer one pauses the timer.
        if let Some(gap) = gap.filter(|g| g.as_secs_f32() <= DROPOUT_GRACE_S) {
            self.still_for += gap;
        }
        let due_s = f64::from(cfg.still_after_s) * f64::from(self.reminders_sent.saturating_add(1));
        (self.still_for.as_secs_f64() >= due_s).then(|| {
            self.reminders_sent = self.reminders_sent.saturating_add(1);
            self.still_for_s()
        })
    }

    /// Nobody usable at `t`: the timer pauses, and restarts after a long absence.
    fn on_absent(&mut self, cfg: &MotionConfig, t: Duration) {
        let away_s = self
            .last_seen
            .map(|last| t.saturating_sub(last).as_secs_f32());
        if away_s.is_some_and(|a| a >= cfg.absent_reset_s) {
            *self = Self::default();
        }
    }

    fn restart(&mut self, f: &Features) {
        self.anchor = Some(f.key_points_px);
        self.still_for = Duration::ZERO;
        self.reminders_sent = 0;
    }

    fn still_for_s(&self) -> f32 {
        self.still_for.as_secs_f32()
    }
}

/// Centres of the key points present in both sets, so a nose that comes and goes does not
/// move the centre.
fn centres(a: &[Option<Px>; KEY_POINTS], b: &[Option<Px>; KEY_POINTS]) -> Option<(Px, Px)> {
    let (sum_a, sum_b, n) = a
        .iter()
        .zip(b)
        .filter_map(|(p, q)| Some(((*p)?, (*q)?)))
        .fold(
            ([0.0_f32; 2], [0.0_f32; 2], 0.0_f32),
            |(sa, sb, n), (p, q)| {
                (
                    [sa[0] + p.x, sa[1] + p.y],
                    [sb[0] + q.x, sb[1] + q.y],
                    n + 1.0,
                )
            },
        );
    let mean = |sum: [f32; 2]| Px {
        x: sum[0] / n,
        y: sum[1] / n,
    };
    (n > 0.0).then(|| (mean(sum_a), mean(sum_b)))
}

/// A (time in seconds, ankle separation in torso lengths) sample.
type GapSample = (f64, f32);

/// Finds the maxima of the ankle separation with hysteresis: a maximum counts as a step once
/// the separation has stayed `step_min_amplitude_torso` below it for [`CROSSING_FRAMES`]
/// frames, and the next maximum is only looked for once the separation has stayed that much
/// above the following minimum as long. A one-frame spike, up or down, never holds long enough
/// to cross, so it neither adds a step nor splits one in two.
#[derive(Debug, Clone, Default)]
struct StepDetector {
    seeking_max: bool,
    /// The running extreme, with its neighbours for sub-frame refinement.
    extreme: Option<GapSample>,
    before_extreme: Option<GapSample>,
    after_extreme: Option<GapSample>,
    last: Option<GapSample>,
    /// Consecutive frames beyond the hysteresis threshold.
    frames_across: u32,
}

impl StepDetector {
    /// Returns the time of a step (a confirmed maximum), in seconds.
    fn push(&mut self, cfg: &MotionConfig, t_s: f64, gap_torso: f32) -> Option<f64> {
        let sample = (t_s, gap_torso);
        let previous = self.last.replace(sample);
        let Some(extreme) = self.extreme else {
            // Start by looking for a minimum, so the first step is a full rise and fall.
            self.extreme = Some(sample);
            return None;
        };
        let amplitude = cfg.step_min_amplitude_torso;
        let (beyond_extreme, across) = if self.seeking_max {
            (gap_torso > extreme.1, gap_torso <= extreme.1 - amplitude)
        } else {
            (gap_torso < extreme.1, gap_torso >= extreme.1 + amplitude)
        };
        if beyond_extreme {
            self.set_extreme(sample, previous);
        } else if self.after_extreme.is_none() {
            self.after_extreme = Some(sample);
        }
        self.frames_across = if across { self.frames_across + 1 } else { 0 };
        if self.frames_across < CROSSING_FRAMES {
            return None;
        }
        self.frames_across = 0;
        self.seeking_max = !self.seeking_max;
        let step_s = refine_peak(self.before_extreme, extreme, self.after_extreme);
        // The new extreme starts from the frames that crossed.
        let start = match previous {
            Some(p) if (p.1 > gap_torso) == self.seeking_max => p,
            _ => sample,
        };
        self.set_extreme(start, (start == sample).then_some(previous).flatten());
        if start != sample {
            self.after_extreme = Some(sample);
        }
        // Crossing downwards confirms a maximum: a step.
        (!self.seeking_max).then_some(step_s)
    }

    fn set_extreme(&mut self, sample: GapSample, previous: Option<GapSample>) {
        self.extreme = Some(sample);
        self.before_extreme = previous;
        self.after_extreme = None;
    }

    fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Time of the vertex of the parabola through a maximum and its neighbours, so step times are
/// not quantised to frames (at 30 fps, a frame is 2–7 steps/min at walking cadences).
fn refine_peak(before: Option<GapSample>, peak: GapSample, after: Option<GapSample>) -> f64 {
    let (Some((t0, y0)), Some((t2, y2))) = (before, after) else {
        return peak.0;
    };
    let (t1, y1) = (peak.0, f64::from(peak.1));
    let (y0, y2) = (f64::from(y0), f64::from(y2));
    let (d0, d2) = (t1 - t0, t1 - t2);
    let numerator = d0 * d0 * (y1 - y2) - d2 * d2 * (y1 - y0);
    let denominator = d0 * (y1 - y2) - d2 * (y1 - y0);
    if denominator.abs() < f64::EPSILON {
        return t1;
    }
    (t1 - 0.5 * numerator / denominator).clamp(t0, t2)
}

/// Cadence from the median interval between recent steps.
#[derive(Debug, Clone, Default)]
struct CadenceEstimator {
    steps_s: VecDeque<f64>,
    /// Reused buffer for sorting intervals.
    intervals_s: Vec<f64>,
    #[cfg(test)]
    steps_total: usize,
}

impl CadenceEstimator {
    fn add_step(&mut self, t_s: f64) {
        self.steps_s.push_back(t_s);
        #[cfg(test)]
        {
            self.steps_total += 1;
        }
    }

    /// Steps per minute at `now_s`, when at least four steps fall in the window, the cadence is
    /// plausible, and the last step is no older than two typical intervals (so walking stops
    /// promptly rather than a whole window after the last step).
    fn cadence_spm(&mut self, cfg: &MotionConfig, now_s: f64) -> Option<f32> {
        let window_start_s = now_s - f64::from(cfg.cadence_window_s);
        while self.steps_s.front().is_some_and(|&t| t < window_start_s) {
            self.steps_s.pop_front();
        }
        if self.steps_s.len() < MIN_STEPS_IN_WINDOW {
            return None;
        }
        self.intervals_s.clear();
        let later = self.steps_s.iter().skip(1);
        self.intervals_s
            .extend(self.steps_s.iter().zip(later).map(|(a, b)| b - a));
        self.intervals_s.sort_by(f64::total_cmp);
        let median_s = *self.intervals_s.get(self.intervals_s.len() / 2)?;
        let last_s = self.steps_s.back()?;
        if median_s <= 0.0 || now_s - last_s > 2.0 * median_s {
            return None;
        }
        let spm = (60.0 / median_s) as f32;
        (CADENCE_MIN_SPM..=CADENCE_MAX_SPM)
            .contains(&spm)
            .then_some(spm)
    }
}

#[cfg(test)]
mod tests;
