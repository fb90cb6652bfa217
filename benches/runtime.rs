//! ONNX Runtime's own settings, measured rather than guessed (README, "ONNX Runtime
//! settings"): the landmark models on 2 intra-op threads, fed a real crop of
//! tests/fixtures/images/camera.png.
//!
//! - `back_to_back/…`: one inference after another, wall time per call. Variants: the engine's
//!   settings, with intra-op spinning, with denormals as zero, and each graph optimisation
//!   level (`all` is the engine's: a second session of the same settings).
//! - `paced/…`: one inference every 33 ms, as a 30 fps camera delivers frames. `latency` is
//!   the wall time of the call; `cpu` is the process's CPU time per frame interval (criterion
//!   prints it as a time: CPU seconds, not wall seconds), with spinning on and off.
//! - `load/…`: creating the session, from the model file with every optimisation, and from a
//!   model ONNX Runtime optimised and saved beforehand, loaded without optimising again.
//!
//! `cargo bench --bench runtime`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use plumbline::pipeline::cpu::process_cpu_time;
use plumbline::pose::landmarker::Landmarker;
use plumbline::pose::runtime::{RuntimeOptions, environment, models_dir};
use plumbline::pose::{EngineConfig, ModelKind, PoseEstimator};

/// The frame interval of a 30 fps camera.
const FRAME: Duration = Duration::from_nanos(33_333_333);
/// Intra-op threads: what the engine uses on this 2-core machine.
const THREADS: usize = 2;

fn photo() -> image::RgbImage {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/camera.png");
    image::open(&path).expect("fixture photo").to_rgb8()
}

fn model_path(model: ModelKind) -> PathBuf {
    models_dir().join(format!("pose_landmark_{}.onnx", model.name()))
}

/// A landmarker run as `options`, its input filled with the person's crop from the photo.
fn landmarker(model: ModelKind, options: RuntimeOptions) -> Landmarker {
    let image = photo();
    let mut estimator = PoseEstimator::new(&EngineConfig::video(model)).expect("engine loads");
    estimator
        .estimate(&image, Duration::ZERO)
        .expect("inference")
        .expect("a person in the photo");
    let roi = estimator.last_step().roi.expect("a ROI");
    let mut landmarker = Landmarker::load(&model_path(model), options, "").expect("model loads");
    landmarker.preprocess(&image, &roi);
    landmarker
}

fn variants() -> Vec<(&'static str, RuntimeOptions)> {
    let engine = RuntimeOptions::new(THREADS);
    let level = |optimization| RuntimeOptions {
        optimization,
        ..engine
    };
    vec![
        ("engine", engine),
        (
            "spinning",
            RuntimeOptions {
                spinning: true,
                ..engine
            },
        ),
        (
            "flush_to_zero",
            RuntimeOptions {
                flush_to_zero: true,
                ..engine
            },
        ),
        ("level1", level(GraphOptimizationLevel::Level1)),
        ("level2", level(GraphOptimizationLevel::Level2)),
        ("level3", level(GraphOptimizationLevel::Level3)),
        // The engine's own level (All): the same settings in a second session, which shows how
        // far two sessions of one model differ on this machine.
        ("all", level(GraphOptimizationLevel::All)),
    ]
}

fn back_to_back(c: &mut Criterion) {
    for model in [ModelKind::Lite, ModelKind::Full] {
        let mut group = c.benchmark_group(format!("runtime/{}/back_to_back", model.name()));
        group.measurement_time(Duration::from_secs(4));
        for (name, options) in variants() {
            let mut landmarker = landmarker(model, options);
            group.bench_function(name, |b| {
                b.iter(|| drop(black_box(landmarker.run_model().expect("inference"))))
            });
        }
        group.finish();
    }
}

/// Runs `iters` paced frames: an inference at the start of each frame interval, then idle
/// until the next. Returns the calls' wall time and the process's CPU time over the intervals.
fn paced(landmarker: &mut Landmarker, iters: u64) -> (Duration, Duration) {
    let cpu0 = process_cpu_time().expect("a CPU clock");
    let mut wall = Duration::ZERO;
    let start = Instant::now();
    for i in 0..iters {
        let t = Instant::now();
        drop(black_box(landmarker.run_model().expect("inference")));
        wall += t.elapsed();
        let next = FRAME * (i as u32 + 1);
        if let Some(rest) = next.checked_sub(start.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    (wall, process_cpu_time().expect("a CPU clock") - cpu0)
}

fn paced_frames(c: &mut Criterion) {
    for model in [ModelKind::Lite, ModelKind::Full] {
        let mut group = c.benchmark_group(format!("runtime/{}/paced", model.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
        for spinning in [true, false] {
            let options = RuntimeOptions {
                spinning,
                ..RuntimeOptions::new(THREADS)
            };
            let mut landmarker = landmarker(model, options);
            let name = if spinning { "spinning" } else { "no_spinning" };
            group.bench_function(format!("latency/{name}"), |b| {
                b.iter_custom(|iters| paced(&mut landmarker, iters).0)
            });
            group.bench_function(format!("cpu/{name}"), |b| {
                b.iter_custom(|iters| paced(&mut landmarker, iters).1)
            });
        }
        group.finish();
    }
}

fn load(path: &Path, optimization: GraphOptimizationLevel, save_to: Option<&Path>) -> Session {
    let mut builder = Session::builder(environment().expect("ONNX Runtime"))
        .expect("builder")
        .with_optimization_level(optimization)
        .expect("level")
        .with_intra_threads(THREADS)
        .expect("threads");
    if let Some(out) = save_to {
        builder = builder.with_optimized_model_path(out).expect("path");
    }
    builder.commit_from_file(path).expect("model loads")
}

fn load_time(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for model in [ModelKind::Lite, ModelKind::Full] {
        let path = model_path(model);
        let saved = dir.path().join(format!("{}.optimised.onnx", model.name()));
        drop(load(&path, GraphOptimizationLevel::Level2, Some(&saved)));
        let mut group = c.benchmark_group(format!("runtime/{}/load", model.name()));
        group.sample_size(10);
        group.bench_function("model_file", |b| {
            b.iter(|| load(&path, GraphOptimizationLevel::All, None))
        });
        group.bench_function("saved_optimised", |b| {
            b.iter(|| load(&saved, GraphOptimizationLevel::Disable, None))
        });
        // What the engine adds before loading: the file read and checked against MODELS.sha256.
        group.bench_function("read_and_checksum", |b| {
            b.iter(|| plumbline::pose::runtime::read_checked(&path).expect("a sound model"))
        });
        group.finish();
    }
}

criterion_group!(benches, back_to_back, paced_frames, load_time);
criterion_main!(benches);
