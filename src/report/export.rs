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

/// The file formats a session can be exported to. What each is called, its extension and how
/// it is made are in one table, [`FORMATS`], which the command line, the session browser and
/// the manual read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// The self-contained report page, to look at.
    Html,
    /// The report laid out on pages, to print or hand on.
    Pdf,
    /// One row per frame, to load in a spreadsheet.
    Csv,
    /// Versioned: the session, its summary and every sample.
    Json,
}

/// One export format: its names and how it is made.
pub struct FormatInfo {
    pub format: ExportFormat,
    /// As `plumbline report --format` takes it.
    pub name: &'static str,
    /// The file extensions that mean it, the usual one first.
    pub extensions: &'static [&'static str],
    /// What the file is, for a save dialog's filter and messages: "PDF report".
    pub what: &'static str,
    /// What the session browser's button says it does.
    pub help: &'static str,
    render: Render,
}

/// Makes the file from a session read from the store.
type Render = fn(&Loaded<'_>, &ReportOptions) -> Result<Vec<u8>, ExportError>;

/// Every export format, in the order they are offered.
pub const FORMATS: [FormatInfo; 4] = [
    FormatInfo {
        format: ExportFormat::Html,
        name: "html",
        extensions: &["html", "htm"],
        what: "HTML report",
        help: "Write the HTML report and open it in the browser",
        render: |l, options| Ok(html::render(&l.report(options)?).into_bytes()),
    },
    FormatInfo {
        format: ExportFormat::Pdf,
        name: "pdf",
        extensions: &["pdf"],
        what: "PDF report",
        help: "Save the report as a PDF, to print or hand on",
        render: |l, options| {
            pdf::render(&l.report(options)?, options.paper).map_err(|e| ExportError::Encode {
                what: "PDF",
                detail: e.to_string(),
            })
        },
    },
    FormatInfo {
        format: ExportFormat::Csv,
        name: "csv",
        extensions: &["csv"],
        what: "CSV (one row per frame)",
        help: "Save every frame's metrics as CSV",
        render: |l, _| csv(l.samples),
    },
    FormatInfo {
        format: ExportFormat::Json,
        name: "json",
        extensions: &["json"],
        what: "JSON (the session, its summary and every frame)",
        help: "Save the session, its summary and every frame as JSON",
        render: |l, _| json(l.row, l.summary, l.samples),
    },
];

impl std::fmt::Debug for FormatInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormatInfo")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
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
    /// Its line of [`FORMATS`].
    pub fn info(self) -> &'static FormatInfo {
        FORMATS
            .iter()
            .find(|f| f.format == self)
            .unwrap_or(&FORMATS[0])
    }

    /// As `plumbline report --format` takes it: "pdf".
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.info().extensions[0]
    }

    /// A file name for session `id` in this format: `session-3.csv`.
    pub fn file_name(self, id: SessionId) -> String {
        format!("session-{id}.{}", self.extension())
    }

    /// The format called `name` (`--format`'s value).
    pub fn from_name(name: &str) -> Option<Self> {
        FORMATS
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.format)
    }

    /// The format a file's extension names, whatever its case (`None`: none of them).
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?;
        FORMATS
            .iter()
            .find(|f| f.extensions.iter().any(|e| e.eq_ignore_ascii_case(ext)))
            .map(|f| f.format)
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

/// A stored session read for export.
struct Loaded<'a> {
    db: &'a Store,
    row: &'a SessionRow,
    summary: &'a Summary,
    samples: &'a [Sample],
}

impl Loaded<'_> {
    fn report(&self, options: &ReportOptions) -> Result<document::Document, ExportError> {
        Ok(report(
            self.db,
            self.row,
            self.summary,
            self.samples,
            options,
        )?)
    }
}

/// Session `id` as a file in `format`, a report made as `options` say.
pub fn export_session(
    db: &Store,
    id: SessionId,
    format: ExportFormat,
    options: &ReportOptions,
) -> Result<Vec<u8>, ExportError> {
    let row = db.session(id)?.ok_or(ExportError::NoSession(id))?;
    let samples: Vec<Sample> = db.samples(id)?.into_iter().map(|(s, _)| s).collect();
    let summary = summary_of(db, &row, &samples)?;
    let loaded = Loaded {
        db,
        row: &row,
        summary: &summary,
        samples: &samples,
    };
    (format.info().render)(&loaded, options)
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
