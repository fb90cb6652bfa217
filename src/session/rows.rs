//! The rows of the session database as the rest of the program sees them: a session, its list
//! line, its events and keyframes. Written by the recorder, read through the store.

use serde::{Deserialize, Serialize};

use super::EventKind;
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::Baseline;
use crate::geometry::judge::JudgeConfig;
use crate::geometry::preset::Preset;
use crate::pose::{Landmark, ModelKind, NUM_LANDMARKS};

/// A session's row id.
pub type SessionId = i64;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// A recorder is (or was, until it crashed) writing it.
    Recording,
    /// Finished normally.
    Complete,
    /// Its recorder died; closed on a later open with what had been committed.
    Recovered,
    /// Stopped before its source ended (Ctrl-C, a termination signal, a full disk): what was
    /// analysed is kept, and `end_reason` says why.
    Interrupted,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Recording => "recording",
            SessionStatus::Complete => "complete",
            SessionStatus::Recovered => "recovered",
            SessionStatus::Interrupted => "interrupted",
        }
    }

    /// The status stored as `s`, if this program knows it.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Recording,
            Self::Complete,
            Self::Recovered,
            Self::Interrupted,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// How a recording ended, as its recorder closes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The source ended or the user stopped recording.
    Complete,
    /// Stopped early; the reason in words, kept with the session.
    Interrupted(String),
}

/// What a new session records, given by the caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionMeta {
    /// The camera or file name.
    pub source: String,
    /// The landmark model (lite, full, heavy).
    pub model: String,
    pub calibration: Option<Baseline>,
    /// The measures and activity judged (`None`: not known).
    pub preset: Option<Preset>,
    /// The bands judged by, before any widening by the calibration (`None`: not known).
    pub thresholds: Option<Thresholds>,
    pub notes: String,
    /// The practice length the user set for the session, in seconds (`None`: no goal was set),
    /// so its report can say whether it was reached. One that is not a positive number is
    /// stored as no goal.
    pub goal_s: Option<f64>,
}

impl SessionMeta {
    /// A session of `source` analysed with `model` and judged by `judge`: what the app and
    /// `plumbline analyze` both record.
    pub fn judged_by(
        source: impl Into<String>,
        model: ModelKind,
        judge: &JudgeConfig,
        notes: impl Into<String>,
        goal_s: Option<f64>,
    ) -> Self {
        Self {
            source: source.into(),
            model: model.name().to_string(),
            calibration: judge.baseline.clone(),
            preset: Some(judge.preset.clone().normalized()),
            thresholds: Some(judge.thresholds),
            notes: notes.into(),
            goal_s,
        }
    }
}

/// One session as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id: SessionId,
    /// Wall clock, milliseconds since the Unix epoch.
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub source: String,
    pub model: String,
    pub calibration: Option<Baseline>,
    /// The measures and activity it was judged with; `null` for sessions recorded before
    /// plumbline kept it.
    pub preset: Option<Preset>,
    /// The bands it was judged by, before any widening by the calibration; `null` for
    /// sessions recorded before plumbline kept them (schema step 9).
    #[serde(default)]
    pub thresholds: Option<Thresholds>,
    pub notes: String,
    pub status: SessionStatus,
    /// Why the session ended early, when it did (`null` for a session that ended normally).
    #[serde(default)]
    pub end_reason: Option<String>,
    pub pid: Option<i64>,
    /// The practice length aimed for, in seconds: `null` when no goal was set, or for sessions
    /// recorded before plumbline kept it.
    #[serde(default)]
    pub goal_s: Option<f64>,
}

/// One line of the session list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSummaryRow {
    pub id: SessionId,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    /// `ended_ms - started_ms`, or the last sample's time while still recording.
    pub duration_s: f64,
    pub source: String,
    pub model: String,
    pub status: SessionStatus,
    pub samples: u64,
    /// Share of the recorded time shown as aligned: each sample's state holds until the next
    /// sample (the last one adds no time), over all states including unknown, as in the report's
    /// `time_in_state`. `None` when the session spans no time.
    pub aligned_fraction: Option<f64>,
    /// The user's notes on the session.
    #[serde(default)]
    pub notes: String,
    /// The practice length aimed for, in seconds (`null`: no goal was set).
    #[serde(default)]
    pub goal_s: Option<f64>,
}

/// A timestamped event (a state change, a movement, an alert) with a JSON detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    pub t_ms: f64,
    pub kind: EventKind,
    pub detail: serde_json::Value,
}

/// A saved frame (worst or typical posture) with its landmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyframeRow {
    pub t_ms: f64,
    pub kind: String,
    pub jpeg: Vec<u8>,
    pub landmarks: Option<[Landmark; NUM_LANDMARKS]>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_back() {
        for s in [
            SessionStatus::Recording,
            SessionStatus::Complete,
            SessionStatus::Recovered,
            SessionStatus::Interrupted,
        ] {
            assert_eq!(SessionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(SessionStatus::parse("done"), None);
    }
}
