//! The keyframe picker's cost per frame in the live loop: a frame that is not kept (the usual
//! case: a score and a few comparisons with the kept moments), a frame that is kept (its
//! thumbnail and a copy of the picture), and, for scale, the copy alone (all a kept frame cost
//! before moments were told apart by picture) and the thumbnail alone.
//!
//! `cargo bench --bench keyframes`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use plumbline::geometry::MetricId;
use plumbline::geometry::metrics::Metrics;
use plumbline::geometry::state::{MetricLevels, PostureState};
use plumbline::geometry::view::View;
use plumbline::pose::{Landmark, NUM_LANDMARKS, Pose, Vec3};
use plumbline::session::Sample;
use plumbline::session::keyframes::KeyframePicker;
use plumbline::session::keyframes::likeness::Thumbnail;

/// A standing person a third of the frame wide, every landmark seen, leaning `lean` (x shift
/// of the upper landmarks, as a fraction of the frame).
fn pose(lean: f32) -> Pose {
    let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
    for (i, l) in landmarks.iter_mut().enumerate() {
        let y = 0.15 + 0.7 * i as f32 / NUM_LANDMARKS as f32;
        *l = Landmark {
            x: 0.45 + 0.1 * (i % 2) as f32 + lean * (1.0 - y),
            y,
            z: 0.0,
            visibility: 0.9,
            presence: 0.9,
        };
    }
    Pose {
        landmarks,
        world: [Vec3::default(); NUM_LANDMARKS],
        score: 0.9,
    }
}

fn sample(i: u64, lean_deg: f32) -> Sample {
    let mut levels = MetricLevels::default();
    let level = if lean_deg > 10.0 {
        PostureState::Misaligned
    } else {
        PostureState::Aligned
    };
    levels.set(MetricId::TrunkLeanFrontal, level);
    Sample {
        frame: i,
        t_ms: i as f64 * 1000.0 / 30.0,
        person: true,
        metrics: Some(Metrics::new(Some(View::Frontal)).with(MetricId::TrunkLeanFrontal, lean_deg)),
        state: level,
        cadence_spm: None,
        levels: Some(levels),
        cue: None,
    }
}

fn picker(c: &mut Criterion) {
    let mut group = c.benchmark_group("keyframes");
    group.throughput(Throughput::Elements(1));
    for (w, h) in [(640u32, 480u32), (1280, 720), (1920, 1080)] {
        let image = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8])
        });
        let size = format!("{w}x{h}");
        // Three bad moments kept (three pictures), then calm frames: none is kept.
        let mut p = KeyframePicker::default();
        for (k, lean) in [(0u64, 20.0), (1000, 22.0), (2000, 24.0)] {
            let other = image::RgbImage::from_fn(w, h, |x, y| {
                image::Rgb([((x + k as u32) % 199) as u8, (y % 97) as u8, 40])
            });
            p.consider(&sample(k, lean), &other, Some(&pose(lean / 100.0)));
        }
        let calm = pose(0.0);
        let mut i = 3000u64;
        group.bench_function(BenchmarkId::new("frame not kept", &size), |b| {
            b.iter(|| {
                i += 1;
                p.consider(&sample(i, 2.0), &image, Some(&calm));
            })
        });
        // One bad moment kept, then calm frames the same picture as it: each is compared by
        // picture (the picker has room) and not kept, as in a still scene.
        let mut p = KeyframePicker::default();
        p.consider(&sample(0, 20.0), &image, Some(&pose(0.2)));
        let mut i = 3000u64;
        group.bench_function(
            BenchmarkId::new("frame not kept, picture compared", &size),
            |b| {
                b.iter(|| {
                    i += 1;
                    p.consider(&sample(i, 2.0), &image, Some(&calm));
                })
            },
        );
        // Each frame a little worse than the last: each is kept.
        let mut p = KeyframePicker::default();
        let mut i = 0u64;
        group.bench_function(BenchmarkId::new("frame kept", &size), |b| {
            b.iter(|| {
                i += 1;
                let lean = 11.0 + i as f32 * 1e-4;
                p.consider(&sample(i, lean), &image, Some(&calm));
            })
        });
        group.bench_function(BenchmarkId::new("copy of the picture", &size), |b| {
            b.iter(|| std::hint::black_box(image.clone()))
        });
        group.bench_function(BenchmarkId::new("thumbnail", &size), |b| {
            b.iter(|| std::hint::black_box(Thumbnail::of(&image)))
        });
    }
    group.finish();
}

criterion_group!(benches, picker);
criterion_main!(benches);
