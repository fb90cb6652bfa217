//! Walking: steps found as maxima of the ankle separation (with hysteresis and sub-frame
//! refinement), and cadence from the median interval between recent steps.

use std::collections::VecDeque;

use super::config::MotionConfig;

/// Cadences outside this range (steps per minute) are not walking: slower is shuffling or
/// shifting weight, faster is running or noise.
pub const CADENCE_MIN_SPM: f32 = 40.0;
pub const CADENCE_MAX_SPM: f32 = 200.0;
/// Two steps closer than this are one step and a glitch: 240 steps per minute, past the
/// fastest cadence counted with room for step times read between frames.
pub(super) const MIN_STEP_INTERVAL_S: f64 = 0.25;
/// Steps needed in the cadence window before a cadence is reported (three intervals).
const MIN_STEPS_IN_WINDOW: usize = 4;
/// Frames the ankle separation must stay past a hysteresis threshold for the crossing to count,
/// so a one-frame landmark spike is not a step. Real crossings last several frames: at 200
/// steps/min and 30 fps the separation stays below a maximum by the default amplitude for
/// about four of the nine frames of a step, and above a minimum for about seven.
const CROSSING_FRAMES: u32 = 2;

/// A (time in seconds, ankle separation in torso lengths) sample.
pub(super) type GapSample = (f64, f32);

/// Finds the maxima of the ankle separation with hysteresis: a maximum counts as a step once
/// the separation has stayed `step_min_amplitude_torso` below it for [`CROSSING_FRAMES`]
/// frames, and the next maximum is only looked for once the separation has stayed that much
/// above the following minimum as long. A one-frame spike, up or down, never holds long enough
/// to cross, so it neither adds a step nor splits one in two.
#[derive(Debug, Clone, Default)]
pub(super) struct StepDetector {
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
    pub(super) fn push(&mut self, cfg: &MotionConfig, t_s: f64, gap_torso: f32) -> Option<f64> {
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

    pub(super) fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Time of the vertex of the parabola through a maximum and its neighbours, so step times are
/// not quantised to frames (at 30 fps, a frame is 2–7 steps/min at walking cadences).
pub(super) fn refine_peak(
    before: Option<GapSample>,
    peak: GapSample,
    after: Option<GapSample>,
) -> f64 {
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
pub(super) struct CadenceEstimator {
    steps_s: VecDeque<f64>,
    /// Reused buffer for sorting intervals.
    intervals_s: Vec<f64>,
}

impl CadenceEstimator {
    pub(super) fn add_step(&mut self, t_s: f64) {
        self.steps_s.push_back(t_s);
    }

    /// Steps per minute at `now_s`, when at least four steps fall in the window, the cadence is
    /// plausible, and the last step is no older than two typical intervals (so walking stops
    /// promptly rather than a whole window after the last step).
    pub(super) fn cadence_spm(&mut self, cfg: &MotionConfig, now_s: f64) -> Option<f32> {
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
