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
    let csv = String::from_utf8(
        export_session(&db, id, ExportFormat::Csv, &ReportOptions::default()).unwrap(),
    )
    .unwrap();
    assert_eq!(csv.lines().count(), 13, "a header and a row per sample");
    assert!(csv.starts_with("frame,t_ms,person,"));

    let json: serde_json::Value = serde_json::from_slice(
        &export_session(&db, id, ExportFormat::Json, &ReportOptions::default()).unwrap(),
    )
    .unwrap();
    assert_eq!(json["schema"], EXPORT_SCHEMA);
    assert_eq!(json["session"]["id"], id);
    assert_eq!(json["summary"]["frames"], 12);
    assert_eq!(json["samples"].as_array().unwrap().len(), 12);

    let html = String::from_utf8(
        export_session(&db, id, ExportFormat::Html, &ReportOptions::default()).unwrap(),
    )
    .unwrap();
    assert!(html.contains("clip.mp4"));
    assert!(html.contains("<section id=\"headline\""), "{html:.300}");
}

#[test]
fn the_trend_lists_earlier_sessions_oldest_first() {
    let summary_row = |id: SessionId, started_ms: i64, aligned: Option<f64>| SessionSummaryRow {
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
    let html = String::from_utf8(
        export_session(&db, id, ExportFormat::Html, &ReportOptions::default()).unwrap(),
    )
    .unwrap();
    let trend = &html[html.find(r#"<section id="trend">"#).unwrap()..];
    assert!(
        trend.contains("trunk upright (of its measured time)"),
        "{trend:.2000}"
    );
    for cell in ["<td>60%</td>", "<td>90%</td>", "<td>first week</td>"] {
        assert!(trend.contains(cell), "{cell} in {trend:.3000}");
    }
}

/// A calibrated session's report says which stance it was judged against, by the
/// calibration's local date; one calibrated before plumbline kept the date just says so.
#[test]
fn the_report_dates_the_calibration_it_was_judged_against() {
    use crate::geometry::calibration::Baseline;
    let dir = tempfile::tempdir().unwrap();
    let mut db = Store::open(dir.path()).unwrap();
    let taken_ms = 1_764_000_000_000; // 2025-11-24, in the machine's zone
    let mut record = |taken_ms: Option<i64>| {
        let mut baseline = Baseline::new(30, 2.0);
        baseline.taken_ms = taken_ms;
        let mut rec = db
            .start_session(SessionMeta {
                source: "camera 0".into(),
                model: "lite".into(),
                calibration: Some(baseline),
                preset: None,
                notes: String::new(),
                goal_s: None,
                thresholds: None,
            })
            .unwrap();
        for frame in 0..10 {
            let sample = Sample {
                frame,
                t_ms: frame as f64 * 100.0,
                person: true,
                metrics: None,
                state: PostureState::Aligned,
                cadence_spm: None,
                levels: None,
                cue: None,
            };
            rec.push(&sample, None).unwrap();
        }
        rec.finish().unwrap()
    };
    let dated = record(Some(taken_ms));
    let undated = record(None);
    let html = |id| {
        String::from_utf8(
            export_session(&db, id, ExportFormat::Html, &ReportOptions::default()).unwrap(),
        )
        .unwrap()
    };
    let want = format!(
        "judged as change from the stance you calibrated on {}.",
        date_time(taken_ms)
    );
    assert!(html(dated).contains(&want), "{want}");
    assert!(html(undated).contains("judged as change from your calibrated stance."));
    let json: serde_json::Value = serde_json::from_slice(
        &export_session(&db, dated, ExportFormat::Json, &ReportOptions::default()).unwrap(),
    )
    .unwrap();
    assert_eq!(json["session"]["calibration"]["taken_ms"], taken_ms);
}

#[test]
fn a_missing_session_is_its_own_error() {
    let (_dir, db, id) = store_with_session(1);
    let e = export_session(&db, id + 1, ExportFormat::Csv, &ReportOptions::default()).unwrap_err();
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
