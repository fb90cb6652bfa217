//! The motion rules' thresholds: what counts as a sudden movement, how long is too still, and
//! what a step looks like. Lengths are in torso lengths, times in seconds.

use serde::{Deserialize, Serialize};

/// Thresholds for the motion rules. Lengths are in torso lengths, times in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MotionConfig {
    /// The shoulders or the head moving faster than this relative to the hips (torso lengths
    /// per second) is a sudden movement. Default 2.0: bending the trunk forward by 60° in half
    /// a second moves the shoulders about 2 torso lengths per second; walking, turning round or
    /// swinging the limbs moves them hardly at all, however fast the person goes.
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
    /// Remind a seated person to stand up after this long seated, then again every this long
    /// (0: never). Default 1800 s (30 minutes).
    pub sit_reminder_after_s: f32,
}

impl Default for MotionConfig {
    fn default() -> Self {
        Self {
            sudden_speed_torso_per_s: 2.0,
            sudden_window_s: 0.1,
            sudden_min_interval_s: 2.0,
            still_after_s: 1200.0,
            still_radius_torso: 0.15,
            absent_reset_s: 30.0,
            step_min_amplitude_torso: 0.15,
            cadence_window_s: 10.0,
            sit_reminder_after_s: 1800.0,
        }
    }
}
