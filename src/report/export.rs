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
use super::measures::MeasuresBuilder;
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

/// How a report is made: for whom and on which paper. CSV and JSON ignore it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// The PDF's paper.
    pub paper: Paper,
    /// The patient's name or label, in the report's header (every page of a PDF).
    pub label: Option<String>,
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
        label: options.label.clone(),
        reference: Reference::of(row.calibration.as_ref(), None),
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
    b.finish(preset)
        .0
        .into_iter()
        .filter(|m| m.judged)
        .filter_map(|m| {
            let t = m.time?;
            let measured = t.measured_s();
            (measured > 0.0).then(|| (m.measure, t.aligned_s / measured))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::MetricId;
    use crate::geometry::metrics::Metrics;
    use crate::geometry::state::PostureState;
    use crate::session::store::SessionMeta;

    /// A store in a temp dir with one finished session of `n` samples, 100 ms apart.
    fn store_with_session(n: u64) -> (tempfile::TempDir, Store, SessionId) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Store::open(dir.path()).unwrap();
        let mut rec = db
            .start_session(SessionMeta {
                source: "clip.mp4".into(),
                model: "lite".into(),
                calibration: None,
                preset: None,
                thresholds: None,
                notes: String::new(),
                goal_s: None,
            })
            .unwrap();
        for frame in 0..n {
            let sample = Sample {
                frame,
                t_ms: frame as f64 * 100.0,
                person: true,
                metrics: Some(Metrics::default().with(MetricId::TrunkLeanFrontal, frame as f32)),
                state: PostureState::Aligned,
                cadence_spm: None,
                levels: None,
                cue: None,
            };
            rec.push(&sample, None).unwrap();
        }
        let id = rec.finish().unwrap();
        (dir, db, id)
    }

    #[test]
    fn every_format_exports_the_stored_session() {
        let (_dir, db, id) = store_with_session(12);
        let csv = String::from_utf8(export_session(&db, id, ExportFormat::Csv).unwrap()).unwrap();
        assert_eq!(csv.lines().count(), 13, "a header and a row per sample");
        assert!(csv.starts_with("frame,t_ms,person,"));

        let json: serde_json::Value =
            serde_json::from_slice(&export_session(&db, id, ExportFormat::Json).unwrap()).unwrap();
        assert_eq!(json["schema"], EXPORT_SCHEMA);
        assert_eq!(json["session"]["id"], id);
        assert_eq!(json["summary"]["frames"], 12);
        assert_eq!(json["samples"].as_array().unwrap().len(), 12);

        let html = String::from_utf8(export_session(&db, id, ExportFormat::Html).unwrap()).unwrap();
        assert!(html.contains("clip.mp4"));
        assert!(html.contains("<section id=\"headline\""), "{html:.300}");
    }

    #[test]
    fn the_trend_lists_earlier_sessions_oldest_first() {
        let summary_row =
            |id: SessionId, started_ms: i64, aligned: Option<f64>| SessionSummaryRow {
                id,
                started_ms,
                ended_ms: Some(started_ms + 1000),
                duration_s: 1.0,
                source: String::new(),
                model: String::new(),
                status: SessionStatus::Complete,
                samples: 10,
                aligned_fraction: aligned,
                notes: String::new(),
                goal_s: None,
            };
        // As Store::list returns them: newest first.
        let list = [
            summary_row(4, 4000, Some(0.4)),
            summary_row(3, 3000, Some(0.3)),
            summary_row(2, 2000, None),
            summary_row(1, 1000, Some(0.1)),
        ];
        let this = SessionRow {
            id: 3,
            started_ms: 3000,
            ended_ms: Some(4000),
            source: String::new(),
            model: String::new(),
            calibration: None,
            preset: None,
            thresholds: None,
            notes: String::new(),
            status: SessionStatus::Complete,
            end_reason: None,
            pid: None,
            goal_s: None,
        };
        let ids = |this: &SessionRow| -> Vec<SessionId> {
            earlier(&list, this).0.iter().map(|h| h.id).collect()
        };
        assert_eq!(
            ids(&this),
            [1],
            "only earlier sessions that span time; later ones and this one are left out"
        );
        let this = SessionRow {
            id: 5,
            started_ms: 5000,
            ..this
        };
        assert_eq!(
            ids(&this),
            [1, 3, 4],
            "oldest first, as the trend's axis says"
        );
        // Only the latest TREND_SESSIONS, and how many there were.
        let many: Vec<SessionSummaryRow> = (1..=20)
            .map(|i| summary_row(i, i * 1000, Some(0.5)))
            .collect();
        let this = SessionRow {
            id: 21,
            started_ms: 21_000,
            ..this
        };
        let (shown, all) = earlier(&many, &this);
        assert_eq!(all, 20);
        let ids: Vec<SessionId> = shown.iter().map(|r| r.id).collect();
        assert_eq!(ids, (9..=20).collect::<Vec<_>>());
    }

    #[test]
    fn the_trend_shows_each_measure_of_earlier_sessions_from_the_store() {
        use crate::geometry::preset::Practice;
        let dir = tempfile::tempdir().unwrap();
        let mut db = Store::open(dir.path()).unwrap();
        let preset = Preset {
            measures: vec![Measure::TrunkUpright],
            activity: Practice::Standing,
        };
        // Two sessions of 10 s at 10 fps: the trunk misaligned for the first 4 s, then for 1 s.
        let mut record = |misaligned_frames: u64, notes: &str| {
            let mut rec = db
                .start_session(SessionMeta {
                    source: "clip.mp4".into(),
                    model: "lite".into(),
                    calibration: None,
                    preset: Some(preset.clone()),
                    notes: notes.into(),
                    goal_s: None,
                    thresholds: None,
                })
                .unwrap();
            for frame in 0..=100 {
                let level = if frame < misaligned_frames {
                    PostureState::Misaligned
                } else {
                    PostureState::Aligned
                };
                let mut levels = MetricLevels::default();
                levels.set(MetricId::TrunkLeanSagittal, level);
                let sample = Sample {
                    frame,
                    t_ms: frame as f64 * 100.0,
                    person: true,
                    metrics: None,
                    state: level,
                    cadence_spm: None,
                    levels: Some(levels),
                    cue: None,
                };
                rec.push(&sample, None).unwrap();
            }
            let id = rec.finish().unwrap();
            // Sessions are ordered by their start, in milliseconds.
            std::thread::sleep(std::time::Duration::from_millis(5));
            id
        };
        record(40, "first week");
        let id = record(10, "");
        let html = String::from_utf8(export_session(&db, id, ExportFormat::Html).unwrap()).unwrap();
        let trend = &html[html.find(r#"<section id="trend">"#).unwrap()..];
        assert!(
            trend.contains("trunk upright (of its measured time)"),
            "{trend:.2000}"
        );
        for cell in ["<td>60%</td>", "<td>90%</td>", "<td>first week</td>"] {
            assert!(trend.contains(cell), "{cell} in {trend:.3000}");
        }
    }

    #[test]
    fn a_missing_session_is_its_own_error() {
        let (_dir, db, id) = store_with_session(1);
        let e = export_session(&db, id + 1, ExportFormat::Csv).unwrap_err();
        assert!(
            matches!(e, ExportError::NoSession(n) if n == id + 1),
            "{e:?}"
        );
        assert!(e.to_string().contains(&format!("no session {}", id + 1)));
    }

    #[test]
    fn formats_name_their_files() {
        assert_eq!(ExportFormat::Html.file_name(3), "session-3.html");
        assert_eq!(ExportFormat::Csv.extension(), "csv");
        assert_eq!(ExportFormat::Json.file_name(12), "session-12.json");
        assert_eq!(ExportFormat::Pdf.file_name(4), "session-4.pdf");
    }
}
