//! The pose engine's per-frame cost, stage by stage, on a real photo (tests/fixtures/images/
//! camera.png, 512×512), for the lite and full landmark models.
//!
//! `landmark_inference` is the bare ONNX Runtime call; `tracking_step` is everything the
//! engine does per frame while it tracks a person (crop, inference, decoding, smoothing,
//! next ROI). Their difference is the engine's own overhead.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use plumbline::pose::landmarker::{LandmarkTensors, decode_outputs};
use plumbline::pose::{EngineConfig, ModelKind, PoseEstimator};

fn photo() -> image::RgbImage {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/camera.png");
    image::open(&path).expect("fixture photo").to_rgb8()
}

fn engine(c: &mut Criterion) {
    let image = photo();
    for model in [ModelKind::Lite, ModelKind::Full] {
        let mut group = c.benchmark_group(format!("engine/{}", model.name()));
        group.measurement_time(Duration::from_secs(4));
        let mut estimator = PoseEstimator::new(&EngineConfig::video(model)).expect("engine loads");
        // One frame to find the person and the ROI the tracker will reuse.
        estimator
            .estimate(&image, Duration::ZERO)
            .expect("inference")
            .expect("a person in the photo");
        let roi = estimator.last_step().roi.expect("a ROI");
        let (detector, landmarker) = estimator.stages();

        if model == ModelKind::Lite {
            // The detector does not depend on the landmark model: measure it once.
            group.bench_function("detector", |b| {
                b.iter(|| detector.detect(black_box(&image)).expect("detect"))
            });
        }
        group.bench_function("roi_crop_normalise", |b| {
            b.iter(|| landmarker.preprocess(black_box(&image), &roi))
        });
        let letterbox = landmarker.preprocess(&image, &roi);
        group.bench_function("landmark_inference", |b| {
            b.iter(|| drop(landmarker.run_model().expect("inference")))
        });
        {
            let outputs = landmarker.run_model().expect("inference");
            let tensors = LandmarkTensors::from_outputs(&outputs).expect("outputs");
            let (lm, hm, world) = (
                tensors.landmarks.to_vec(),
                tensors.heatmap.to_vec(),
                tensors.world.to_vec(),
            );
            let owned = LandmarkTensors {
                landmarks: &lm,
                pose_flag: tensors.pose_flag,
                heatmap: &hm,
                world: &world,
            };
            group.bench_function("decode", |b| {
                b.iter(|| decode_outputs(black_box(&owned), &roi, &letterbox))
            });
        }
        let mut t = Duration::ZERO;
        group.bench_function("tracking_step", |b| {
            b.iter(|| {
                t += Duration::from_millis(33);
                let pose = estimator.estimate(black_box(&image), t).expect("inference");
                assert!(pose.is_some() && !estimator.last_step().ran_detector);
                pose
            })
        });
        group.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
