//! A stored session as a file: the HTML or PDF report, the per-frame CSV or the JSON export, as
//! bytes.
//! Reads the session database and hands the data to the pure renderers; [`super::write`] puts
//! the bytes in a file.

use crate::report::advice::Reference;
use serde::Serialize;

use super::csv as csv_report;
use super::document;
use super::html;
use super::input::{HistoryPoint, JudgedBy, Keyframe, ReportInput, SessionInfo};
use super::measures::{MeasureSummary, MeasuresBuilder};
use super::pdf::{self, Paper};
use super::summary::{Summary, SummaryBuilder};
use crate::format::date_time;
use crate::geometry::preset::{Measure, Preset};
use crate::geometry::state::{MetricLevels, PostureState};
use crate::session::keyframes::crop::person_box;
use crate::session::keyframes::person_jpeg;
use crate::session::rows::KeyframeRow;
use crate::session::store::{
    SessionId, SessionRow, SessionStatus, SessionSummaryRow, Store, StoreError,
};
use crate::session::{EventKind, Sample};

/// Version of the JSON export's layout.
pub const EXPORT_SCHEMA: u32 = 1;

/// The file formats a session can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// The self-contained report page, to look at.
    Html,
    /// One row per frame, to load in a spreadsheet.
    Csv,
    /// Versioned: the session, its summary and every sample.
    Json,
    /// The report laid out on pages, to print or hand on.
    Pdf,
}

/// How a report is made: for whom and on which paper. CSV and JSON ignore it. The settings keep
/// the user's choice (`report` in `settings.json`) for the app's PDF button and
/// `plumbline report`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ReportOptions {
    /// The PDF's paper.
    pub paper: Paper,
    /// The patient's name or label, in the report's header (every page of a PDF).
    pub label: Option<String>,
}

/// A label longer than this is cut: a header line, not a paragraph.
pub const MAX_LABEL_CHARS: usize = 80;

impl ReportOptions {
    /// `label` as a report header shows it: control characters (a pasted newline or tab) as
    /// spaces, trimmed, at most [`MAX_LABEL_CHARS`]; `None` when nothing is left.
    pub fn clean_label(label: &str) -> Option<String> {
        let spaced: String = label
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let trimmed = spaced.trim();
        (!trimmed.is_empty()).then(|| trimmed.chars().take(MAX_LABEL_CHARS).collect())
    }
}

impl ExportFormat {
    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Pdf => "pdf",
        }
    }

    /// A file name for session `id` in this format: `session-3.csv`.
    pub fn file_name(self, id: SessionId) -> String {
        format!("session-{id}.{}", self.extension())
    }
}

/// Why a session could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("there is no session {0}; `plumbline sessions` lists them")]
    NoSession(SessionId),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot build the {what}: {detail}")]
    Encode { what: &'static str, detail: String },
}

/// The summary of a stored session: its samples, plus the movement events and alerts it
/// recorded.
pub fn summary_of(db: &Store, row: &SessionRow, samples: &[Sample]) -> Result<Summary, StoreError> {
    let mut b = SummaryBuilder::default();
    for s in samples {
        b.push(s);
    }
    for e in db.events(row.id)? {
        b.push_event(e.kind);
        if e.kind == EventKind::Step {
            b.push_step(e.t_ms);
        }
    }
    let note = match row.status {
        SessionStatus::Recovered => Some(
            "recovered after the recording program stopped; ends at the last saved frame".into(),
        ),
        SessionStatus::Interrupted => Some(
            row.end_reason
                .clone()
                .unwrap_or_else(|| "interrupted before its source ended".into()),
        ),
        SessionStatus::Complete | SessionStatus::Recording => None,
    };
    b.set_preset(row.preset.clone());
    b.set_goal(row.goal_s);
    Ok(b.finish(&row.source, &row.model, note))
}

/// The JSON export: versioned, summary and every sample.
#[derive(Serialize)]
struct JsonExport<'a> {
    schema: u32,
    session: &'a SessionRow,
    summary: &'a Summary,
    samples: &'a [Sample],
}

/// Session `id` as a file in `format`, a report made with the default [`ReportOptions`].
pub fn export_session(
    db: &Store,
    id: SessionId,
    format: ExportFormat,
) -> Result<Vec<u8>, ExportError> {
    export_session_with(db, id, format, &ReportOptions::default())
}

/// Session `id` as a file in `format`, a report made as `options` say.
pub fn export_session_with(
    db: &Store,
    id: SessionId,
    format: ExportFormat,
    options: &ReportOptions,
) -> Result<Vec<u8>, ExportError> {
    let row = db.session(id)?.ok_or(ExportError::NoSession(id))?;
    let samples: Vec<Sample> = db.samples(id)?.into_iter().map(|(s, _)| s).collect();
    let summary = summary_of(db, &row, &samples)?;
    match format {
        ExportFormat::Json => json(&row, &summary, &samples),
        ExportFormat::Csv => csv(&samples),
        ExportFormat::Html => {
            let doc = report(db, &row, &summary, &samples, options)?;
            Ok(html::render(&doc).into_bytes())
        }
        ExportFormat::Pdf => {
            let doc = report(db, &row, &summary, &samples, options)?;
            pdf::render(&doc, options.paper).map_err(|e| ExportError::Encode {
                what: "PDF",
                detail: e.to_string(),
            })
        }
    }
}

fn json(row: &SessionRow, summary: &Summary, samples: &[Sample]) -> Result<Vec<u8>, ExportError> {
    let export = JsonExport {
        schema: EXPORT_SCHEMA,
        session: row,
        summary,
        samples,
    };
    let mut v = serde_json::to_vec_pretty(&export).map_err(|e| ExportError::Encode {
        what: "JSON",
        detail: e.to_string(),
    })?;
    v.push(b'\n');
    Ok(v)
}

fn csv(samples: &[Sample]) -> Result<Vec<u8>, ExportError> {
    let encode = |e: &dyn std::fmt::Display| ExportError::Encode {
        what: "CSV",
        detail: e.to_string(),
    };
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(csv_report::header())
        .map_err(|e| encode(&e))?;
    for s in samples {
        w.write_record(csv_report::row(s)).map_err(|e| encode(&e))?;
    }
    w.into_inner().map_err(|e| encode(&e))
}

/// The report's content for a stored session: its keyframes, the sessions before it.
fn report(
    db: &Store,
    row: &SessionRow,
    summary: &Summary,
    samples: &[Sample],
    options: &ReportOptions,
) -> Result<document::Document, StoreError> {
    let keyframes: Vec<Keyframe> = db
        .keyframes(row.id)?
        .into_iter()
        .filter_map(keyframe)
        .collect();
    let (history, earlier_sessions) = history_before(db, &db.list()?, row)?;
    let info = SessionInfo {
        id: row.id,
        started: date_time(row.started_ms),
        source: row.source.clone(),
        model: row.model.clone(),
        status: row.status.as_str().to_string(),
        notes: row.notes.clone(),
    };
    let input = ReportInput {
        session: info,
        samples,
        summary,
        keyframes: &keyframes,
        history: &history,
        earlier_sessions,
        label: options
            .label
            .as_deref()
            .and_then(ReportOptions::clean_label),
        reference: Reference::of(
            row.calibration.as_ref(),
            row.calibration
                .as_ref()
                .and_then(|b| b.taken_ms)
                .map(date_time),
        ),
        judged_by: JudgedBy {
            thresholds: row.thresholds,
            baseline: row.calibration.clone(),
        },
    };
    Ok(document::build(&input))
}

/// A stored frame as the report shows it, cropped to the person. Sessions recorded before
/// plumbline cropped when storing keep the whole picture: those are cropped here (the same
/// crop), so their reports show the person large too. `None` for a JPEG that cannot be read.
fn keyframe(k: KeyframeRow) -> Option<Keyframe> {
    let image = image::load_from_memory(&k.jpeg)
        .map_err(|e| tracing::warn!("a keyframe at {} ms cannot be read: {e}", k.t_ms))
        .ok()?;
    let (width, height) = (image.width(), image.height());
    let plain = Keyframe {
        t_ms: k.t_ms,
        kind: k.kind,
        jpeg: k.jpeg,
        width,
        height,
        landmarks: k.landmarks,
    };
    let Some(mut landmarks) = plain.landmarks else {
        return Some(plain);
    };
    if person_box(&landmarks, width, height).is_none() {
        return Some(plain);
    }
    // No scaling: the stored frame is already at most the stored size.
    let side = width.max(height);
    match person_jpeg(&image.to_rgb8(), &mut landmarks, side) {
        Some(p) => Some(Keyframe {
            jpeg: p.jpeg,
            width: p.width,
            height: p.height,
            landmarks: Some(landmarks),
            ..plain
        }),
        None => Some(plain),
    }
}

/// Earlier sessions the trend shows at most, the most recent: each costs a read of its levels,
/// and more dates than this do not fit under a chart.
pub const TREND_SESSIONS: usize = 12;

/// The last [`TREND_SESSIONS`] sessions that started before `row` and span some time, oldest
/// first (the trend plots them left to right), each with its measures' time aligned; and how
/// many earlier sessions there are in all. `list` may come in any order.
fn history_before(
    db: &Store,
    list: &[SessionSummaryRow],
    row: &SessionRow,
) -> Result<(Vec<HistoryPoint>, usize), StoreError> {
    let (shown, all) = earlier(list, row);
    let mut points = Vec::with_capacity(shown.len());
    for r in shown {
        let preset = db.session(r.id)?.and_then(|s| s.preset);
        points.push(HistoryPoint {
            id: r.id,
            started: date_time(r.started_ms),
            duration_s: r.duration_s,
            aligned_fraction: r.aligned_fraction.unwrap_or(0.0),
            measures: measures_aligned(&db.levels(r.id)?, preset.as_ref()),
            notes: r.notes.clone(),
        });
    }
    Ok((points, all))
}

/// The last [`TREND_SESSIONS`] of the sessions in `list` that started before `row` and span
/// some time, oldest first, and how many there are in all.
fn earlier<'a>(
    list: &'a [SessionSummaryRow],
    row: &SessionRow,
) -> (Vec<&'a SessionSummaryRow>, usize) {
    let mut earlier: Vec<&SessionSummaryRow> = list
        .iter()
        .filter(|r| r.started_ms < row.started_ms && r.id != row.id && r.aligned_fraction.is_some())
        .collect();
    earlier.sort_by_key(|r| (r.started_ms, r.id));
    let all = earlier.len();
    (earlier.split_off(all.saturating_sub(TREND_SESSIONS)), all)
}

/// Each measure `preset` judged and the levels measured, with the share of its measured time
/// aligned, from a session's `(t_ms, levels)`.
fn measures_aligned(
    levels: &[(f64, Option<MetricLevels>)],
    preset: Option<&Preset>,
) -> Vec<(Measure, f64)> {
    let mut b = MeasuresBuilder::default();
    for &(t_ms, levels) in levels {
        b.push(&Sample {
            frame: 0,
            t_ms,
            person: levels.is_some(),
            metrics: None,
            state: PostureState::Unknown,
            cadence_spm: None,
            levels,
            cue: None,
        });
    }
    MeasureSummary::aligned_shares(&b.finish(preset).0)
}

#[cfg(test)]
mod tests;
