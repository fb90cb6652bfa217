//! The per-frame record every later stage reads.

use serde::{Deserialize, Serialize};

use crate::geometry::advice::Cue;
use crate::geometry::alerts::{Alert, AlertKind};
use crate::geometry::metrics::Metrics;
use crate::geometry::motion::MotionEvent;
use crate::geometry::state::{MetricLevels, PostureState};

/// One analysed frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Frame number in the source, from 0.
    pub frame: u64,
    /// Presentation or capture time, in milliseconds from the start.
    pub t_ms: f64,
    /// Whether a person was found.
    pub person: bool,
    /// Posture metrics (`None` without a person).
    pub metrics: Option<Metrics>,
    /// The posture state shown at this frame (debounced).
    pub state: PostureState,
    /// Steps per minute while walking (`None` when not walking).
    #[serde(default)]
    pub cadence_spm: Option<f32>,
    /// Each metric's level at this frame as the judge made it (after the bands' dead zone,
    /// before the dwell that steadies `state`): which measures were out of their band. `None`
    /// for sessions recorded before plumbline kept it (schema step 8).
    #[serde(default)]
    pub levels: Option<MetricLevels>,
    /// What the user was told at this frame: the measure that spoke and its words. `None` when
    /// every judged measure was in its band, or (as `levels`) for older sessions.
    #[serde(default)]
    pub cue: Option<Cue>,
}

/// What a recorded event is about. Stored by [`EventKind::as_str`] in the `events` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The shown posture state changed (`{"state": …}`).
    State,
    /// A key point moved faster than the sudden-movement threshold.
    SuddenMovement,
    /// No meaningful movement for a long time.
    MoveReminder,
    /// A walking cadence appeared.
    WalkingStarted,
    /// The walking cadence vanished.
    WalkingStopped,
    /// The shown state stayed misaligned long enough to alert (`{"message": …}`).
    PostureAlert,
    /// Seated for a long time: time to stand up.
    StandUpReminder,
    /// A step, at the moment the feet were furthest apart (`{"event": "step", "t_ms": …}`).
    /// Many a minute while walking: nothing that lists events to people shows them.
    Step,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::State,
        EventKind::SuddenMovement,
        EventKind::MoveReminder,
        EventKind::WalkingStarted,
        EventKind::WalkingStopped,
        EventKind::PostureAlert,
        EventKind::StandUpReminder,
        EventKind::Step,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::State => "state",
            EventKind::SuddenMovement => "sudden_movement",
            EventKind::MoveReminder => "move_reminder",
            EventKind::WalkingStarted => "walking_started",
            EventKind::WalkingStopped => "walking_stopped",
            EventKind::PostureAlert => "posture_alert",
            EventKind::StandUpReminder => "stand_up_reminder",
            EventKind::Step => "step",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind an alert is recorded as: a long misaligned stretch is a posture alert; a move
    /// reminder is recorded as the motion rules' own event, so it has none.
    pub fn of_alert(alert: &Alert) -> Option<Self> {
        (alert.kind == AlertKind::Misaligned).then_some(EventKind::PostureAlert)
    }

    /// The kind a motion rule's event is recorded as.
    pub fn of_motion(e: &MotionEvent) -> Self {
        match e {
            MotionEvent::SuddenMovement { .. } => EventKind::SuddenMovement,
            MotionEvent::MoveReminder { .. } => EventKind::MoveReminder,
            MotionEvent::WalkingStarted { .. } => EventKind::WalkingStarted,
            MotionEvent::WalkingStopped { .. } => EventKind::WalkingStopped,
            MotionEvent::StandUpReminder { .. } => EventKind::StandUpReminder,
            MotionEvent::Step { .. } => EventKind::Step,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_kinds_parse_back_from_their_names() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            // The name in JSON is the stored name.
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(EventKind::parse("alert"), None);
    }
}
