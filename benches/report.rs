//! How long the report of a one-hour session takes to make: 108,000 samples (30 fps), four
//! keyframes, twelve earlier sessions shown (of twenty); built once into a document and
//! rendered as a PDF (A4), and as the HTML page for comparison, in memory; and the whole
//! `plumbline report --format pdf` of such a session from a real session database.
//!
//! `cargo bench --bench report`.

use std::io::Cursor;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use plumbline::geometry::MetricId;
use plumbline::geometry::metrics::Metrics;
use plumbline::geometry::preset::Measure;
use plumbline::geometry::state::{MetricLevels, PostureState};
use plumbline::pose::{Landmark, NUM_LANDMARKS, Pose, Vec3};
use plumbline::report::document;
use plumbline::report::input::{HistoryPoint, Keyframe, ReportInput, SessionInfo};
use plumbline::report::summary::SummaryBuilder;
use plumbline::report::{ExportFormat, Paper, ReportOptions, export_session, html, pdf};
use plumbline::session::Sample;
use plumbline::session::store::{SessionMeta, Store};

/// An hour at 30 fps: a slow sway, its state following the lean.
fn hour() -> Vec<Sample> {
    (0..108_000u64)
        .map(|i| {
            let lean = 12.0 * (i as f32 / 400.0).sin();
            let state = match lean.abs() {
                l if l < 5.0 => PostureState::Aligned,
                l if l < 10.0 => PostureState::Drifting,
                _ => PostureState::Misaligned,
            };
            Sample {
                frame: i,
                t_ms: i as f64 * 1000.0 / 30.0,
                person: true,
                metrics: Some(
                    Metrics::default()
                        .with(MetricId::TrunkLeanFrontal, lean)
                        .with(MetricId::ShoulderHipOffset, lean / 100.0),
                ),
                state,
                cadence_spm: None,
                levels: Some({
                    let mut levels = MetricLevels::default();
                    levels.set(MetricId::TrunkLeanFrontal, state);
                    levels.set(MetricId::ShoulderHipOffset, state);
                    levels
                }),
                cue: None,
            }
        })
        .collect()
}

/// A 640×480 JPEG with a standing figure's landmarks.
fn keyframe(t_ms: f64, kind: &str) -> Keyframe {
    let image = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x / 3) as u8, (y / 2) as u8, ((x + y) / 5) as u8])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .expect("a JPEG");
    let landmarks: [Landmark; NUM_LANDMARKS] = std::array::from_fn(|i| Landmark {
        x: 0.4 + 0.01 * (i % 7) as f32,
        y: 0.1 + 0.025 * i as f32,
        z: 0.0,
        visibility: 0.9,
        presence: 0.9,
    });
    Keyframe {
        t_ms,
        kind: kind.into(),
        jpeg,
        width: 640,
        height: 480,
        landmarks: Some(landmarks),
    }
}

fn report(c: &mut Criterion) {
    let samples = hour();
    let mut b = SummaryBuilder::default();
    for s in &samples {
        b.push(s);
    }
    let summary = b.finish("camera 0", "full", None);
    let keyframes = [
        keyframe(600_000.0, "worst"),
        keyframe(1_800_000.0, "worst"),
        keyframe(2_400_000.0, "worst"),
        keyframe(3_000_000.0, "typical"),
    ];
    let history: Vec<HistoryPoint> = (0..12)
        .map(|i| HistoryPoint {
            id: i,
            started: format!("2026-11-{:02} 09:00 CET", i + 1),
            duration_s: 1800.0,
            aligned_fraction: 0.4 + 0.04 * i as f64,
            measures: vec![
                (Measure::TrunkUpright, 0.5 + 0.03 * i as f64),
                (Measure::ShouldersOverHips, 0.7 - 0.01 * i as f64),
            ],
            notes: format!("week {}: walking practice", i / 3 + 1),
        })
        .collect();
    let input = ReportInput {
        session: SessionInfo {
            id: 11,
            started: "2026-11-25 17:40 UTC".into(),
            source: "camera 0".into(),
            model: "full".into(),
            status: "complete".into(),
            notes: "an hour at the standing desk".into(),
        },
        samples: &samples,
        summary: &summary,
        keyframes: &keyframes,
        history: &history,
        earlier_sessions: 20,
        label: Some("Jo Bloggs".into()),
        reference: plumbline::report::advice::Reference::Absolute,
        judged_by: Default::default(),
    };
    let pdf_bytes = pdf::render(&document::build(&input), Paper::A4).expect("a PDF");
    eprintln!("report: the one-hour PDF is {} kB", pdf_bytes.len() / 1000);

    let mut group = c.benchmark_group("report_one_hour");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.bench_function("pdf", |b| {
        b.iter(|| pdf::render(&document::build(&input), Paper::A4).expect("a PDF"))
    });
    group.bench_function("html", |b| {
        b.iter(|| html::render(&document::build(&input)))
    });
    group.finish();
}

/// The whole `plumbline report ID --format pdf` of a one-hour session as a user runs it, from a
/// real session database: the session (108,000 samples with their landmarks, four keyframes)
/// and six earlier half-hour sessions read from SQLite, summarised, built and rendered.
fn report_from_store(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut db = Store::open(dir.path()).expect("a store");
    let pose = Pose {
        landmarks: std::array::from_fn(|i| Landmark {
            x: 0.4 + 0.01 * (i % 7) as f32,
            y: 0.1 + 0.025 * i as f32,
            z: 0.0,
            visibility: 0.9,
            presence: 0.9,
        }),
        world: [Vec3::default(); NUM_LANDMARKS],
        score: 0.9,
    };
    let samples = hour();
    let mut record = |samples: &[Sample], keyframes: bool| {
        let mut rec = db
            .start_session(SessionMeta {
                source: "camera 0".into(),
                model: "full".into(),
                calibration: None,
                preset: None,
                notes: "at the standing desk".into(),
                goal_s: None,
                thresholds: None,
            })
            .expect("a session");
        for s in samples {
            rec.push(s, Some(&pose)).expect("a sample");
        }
        if keyframes {
            for t_ms in [600_000.0, 1_800_000.0, 2_400_000.0, 3_000_000.0] {
                rec.keyframe(t_ms, "worst", keyframe(t_ms, "worst").jpeg, Some(&pose))
                    .expect("a keyframe");
            }
        }
        let id = rec.finish().expect("closed");
        // Sessions are ordered by their start, in milliseconds.
        std::thread::sleep(Duration::from_millis(2));
        id
    };
    for _ in 0..6 {
        record(&samples[..samples.len() / 2], false);
    }
    let id = record(&samples, true);
    let options = ReportOptions::default();
    let bytes = export_session(&db, id, ExportFormat::Pdf, &options).expect("a PDF");
    eprintln!(
        "report: the one-hour PDF from the database is {} kB",
        bytes.len() / 1000
    );
    let mut group = c.benchmark_group("report_one_hour_from_store");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));
    group.bench_function("pdf", |b| {
        b.iter(|| export_session(&db, id, ExportFormat::Pdf, &options).expect("a PDF"))
    });
    group.finish();
}

criterion_group!(benches, report, report_from_store);
criterion_main!(benches);
