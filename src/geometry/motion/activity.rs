//! What the person is doing: standing, walking or sitting. Walking comes from the step rhythm
//! (a plausible cadence); sitting from the thighs, level when seated and hanging below the hips
//! when standing. Time seated is counted for the stand-up reminder.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::config::MotionConfig;

/// What the person is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Standing,
    Walking,
    Sitting,
}

impl Activity {
    pub const ALL: [Activity; 3] = [Activity::Standing, Activity::Walking, Activity::Sitting];

    /// Its name in JSON and CSV: `standing`, `walking`, `sitting`.
    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Standing => "standing",
            Activity::Walking => "walking",
            Activity::Sitting => "sitting",
        }
    }

    /// For people: "Standing".
    pub fn label(self) -> &'static str {
        match self {
            Activity::Standing => "Standing",
            Activity::Walking => "Walking",
            Activity::Sitting => "Sitting",
        }
    }
}

/// Below this the lower knee hangs too little under its hip for a standing leg, in torso
/// lengths: a standing thigh hangs about 0.8–1.0 torso below the hip, and a seated one is level
/// (side view, ≈ 0) or points at the camera (frontal view, ≈ 0.2–0.4 after perspective).
/// Bending forward at the hips leaves the thighs hanging, so it is not sitting.
pub const SITTING_KNEE_DROP_TORSO: f32 = 0.5;

/// A change of activity other than starting to walk is shown once it has held this long, so a
/// frame or two of a misread knee does not seat a standing person.
pub const ACTIVITY_HOLD: Duration = Duration::from_secs(1);

/// The activity over time, and how long the person has sat.
#[derive(Debug, Clone, Default)]
pub(super) struct ActivityTracker {
    shown: Option<Activity>,
    candidate: Option<(Option<Activity>, Duration)>,
    /// Time seated since the person last stood up, and the reminders sent since.
    seated_for: Duration,
    seated_since_frame: Option<Duration>,
    reminders_sent: u32,
}

impl ActivityTracker {
    /// Feeds one frame at `t`: `walking` when a cadence is reported, `knee_drop_torso` from the
    /// median-filtered frame (`None`: no knee seen below its hip). Returns the activity shown
    /// and, when one is due, the seated time for a stand-up reminder.
    pub(super) fn update(
        &mut self,
        cfg: &MotionConfig,
        t: Duration,
        walking: bool,
        knee_drop_torso: Option<f32>,
    ) -> (Option<Activity>, Option<f32>) {
        let now = if walking {
            Some(Activity::Walking)
        } else {
            knee_drop_torso.map(|d| {
                if d < SITTING_KNEE_DROP_TORSO {
                    Activity::Sitting
                } else {
                    Activity::Standing
                }
            })
        };
        if now == self.shown || walking {
            self.shown = now;
            self.candidate = None;
        } else {
            let since = match self.candidate {
                Some((c, since)) if c == now && t >= since => since,
                _ => t,
            };
            self.candidate = Some((now, since));
            if t.saturating_sub(since) >= ACTIVITY_HOLD {
                self.shown = now;
                self.candidate = None;
            }
        }
        (self.shown, self.seated(cfg, t))
    }

    /// Counts seated time; a reminder is due every `sit_reminder_after_s` of it. Standing up
    /// or walking (as shown, so after [`ACTIVITY_HOLD`]) starts the count again; losing sight
    /// of the knees pauses it.
    fn seated(&mut self, cfg: &MotionConfig, t: Duration) -> Option<f32> {
        match self.shown {
            Some(Activity::Sitting) => {
                if let Some(last) = self.seated_since_frame {
                    // Gaps between frames longer than a second (a dropout) do not count.
                    let gap = t.saturating_sub(last);
                    if gap <= Duration::from_secs(1) {
                        self.seated_for += gap;
                    }
                }
                self.seated_since_frame = Some(t);
            }
            Some(Activity::Standing | Activity::Walking) => {
                self.seated_for = Duration::ZERO;
                self.seated_since_frame = None;
                self.reminders_sent = 0;
                return None;
            }
            None => {
                self.seated_since_frame = None;
                return None;
            }
        }
        if cfg.sit_reminder_after_s <= 0.0 {
            return None;
        }
        let due_s = f64::from(cfg.sit_reminder_after_s) * f64::from(self.reminders_sent + 1);
        (self.seated_for.as_secs_f64() >= due_s).then(|| {
            self.reminders_sent = self.reminders_sent.saturating_add(1);
            self.seated_for_s()
        })
    }

    pub(super) fn seated_for_s(&self) -> f32 {
        self.seated_for.as_secs_f32()
    }
}
