//! `plumbline analyze`'s throughput on a 640×480 H.264 clip with the full model, against the
//! engine's own tracking step on the same frames: how much of the engine's rate survives
//! decoding, geometry and writing. The clip is the committed rotation clip, scaled and padded
//! to 640×480 by ffmpeg into a temporary folder. The models are loaded once, as in a run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plumbline::pipeline::analyzer::AnalysisConfig;
use plumbline::pipeline::offline::{self, Event};
use plumbline::pose::{EngineConfig, ModelKind, PoseEstimator};

const FRAMES: u64 = 150;

fn clip(dir: &Path) -> PathBuf {
    let src =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/video/camera_turning.mp4");
    let out = dir.join("clip640.mp4");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&src)
        .args([
            "-vf",
            "scale=480:480,pad=640:480:80:0:color=gray",
            "-c:v",
            "libx264",
            "-crf",
            "20",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg failed");
    out
}

fn analyze(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = clip(dir.path());
    let config = AnalysisConfig::new(EngineConfig::video(ModelKind::Full));
    let mut group = c.benchmark_group("analyze_640x480_full");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(FRAMES));

    // The engine alone on the decoded frames, tracking: the rate analyze is compared with.
    let frames: Vec<image::RgbImage> = {
        let mut source = plumbline::source::open(&clip).expect("clip opens");
        std::iter::from_fn(|| source.next_frame().ok().flatten())
            .map(|f| f.image)
            .collect()
    };
    assert_eq!(frames.len() as u64, FRAMES);
    let mut engine = PoseEstimator::new(&config.engine).expect("engine loads");
    group.bench_function("engine_tracking_steps", |b| {
        b.iter(|| {
            engine.reset();
            for (i, f) in frames.iter().enumerate() {
                engine
                    .estimate(f, Duration::from_millis(i as u64 * 33))
                    .expect("inference");
            }
        })
    });
    group.bench_function("analyze_whole_clip", |b| {
        b.iter(|| {
            let source = plumbline::source::open(&clip).expect("clip opens");
            let mut n = 0u64;
            let ending = offline::analyze(
                source,
                &mut engine,
                &config.judge,
                &AtomicBool::new(false),
                |e| {
                    if let Event::Sample(..) = e {
                        n += 1;
                    }
                },
            )
            .expect("analysis runs");
            assert_eq!(n, FRAMES, "{ending:?}");
        })
    });
    group.finish();
}

criterion_group!(benches, analyze);
criterion_main!(benches);
