//! What a report is made from: the stored session, its samples and summary, its keyframes and
//! the sessions before it. Read from the database by [`super::export`], built into a
//! [`super::document::Document`] once.

use super::summary::Summary;
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::Baseline;
use crate::geometry::preset::Measure;
use crate::pose::{Landmark, NUM_LANDMARKS};
use crate::report::advice::Reference;
use crate::session::Sample;

/// The session as the report describes it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: i64,
    /// Start, already formatted for people ("2026-11-25 17:40 UTC").
    pub started: String,
    pub source: String,
    pub model: String,
    pub status: String,
    pub notes: String,
}

/// A stored frame: a JPEG and the landmarks on it.
#[derive(Debug, Clone)]
pub struct Keyframe {
    pub t_ms: f64,
    /// "worst" or "typical".
    pub kind: String,
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub landmarks: Option<[Landmark; NUM_LANDMARKS]>,
}

/// An earlier session, for the trend.
#[derive(Debug, Clone, Default)]
pub struct HistoryPoint {
    pub id: i64,
    /// Start, formatted for people in local time.
    pub started: String,
    /// From the first to the last frame, seconds.
    pub duration_s: f64,
    pub aligned_fraction: f64,
    /// Each measure it judged and measured, with the share of its measured time aligned
    /// (0 to 1), in [`Measure::ALL`] order; empty for a session stored before levels were kept.
    pub measures: Vec<(Measure, f64)>,
    /// The user's notes on it.
    pub notes: String,
}

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    pub session: SessionInfo,
    pub samples: &'a [Sample],
    pub summary: &'a Summary,
    pub keyframes: &'a [Keyframe],
    /// Earlier sessions, oldest first (this one excluded).
    pub history: &'a [HistoryPoint],
    /// How many sessions came before this one in all; `history` holds the latest of them.
    pub earlier_sessions: usize,
    /// The patient's name or label, shown in the header (on every page of a PDF).
    pub label: Option<String>,
    /// Whether the values are change from a calibrated stance or absolute.
    pub reference: Reference,
    /// The bands and stance the session was judged by, for drawing each measure's bands.
    pub judged_by: JudgedBy,
}

/// What a session's levels were judged against.
#[derive(Debug, Clone, Default)]
pub struct JudgedBy {
    /// The bands as set, before the calibration widened them; `None` for a session stored
    /// before plumbline kept them (its report draws the defaults and says so).
    pub thresholds: Option<Thresholds>,
    /// The calibrated stance the values were judged as change from.
    pub baseline: Option<Baseline>,
}
