//! The picker: which moments it keeps, and how it stores them.

use super::*;
use crate::geometry::MetricId;
use crate::geometry::advice::Cue;
use crate::geometry::metrics::Metrics;
use crate::geometry::state::{MetricLevels, PostureState};
use crate::geometry::testing::Body;
use crate::geometry::view::View;
use crate::pose::LandmarkId;

fn sample(t_ms: f64, metrics: Metrics, levels: Option<MetricLevels>, cue: Option<Cue>) -> Sample {
    Sample {
        frame: (t_ms / 100.0) as u64,
        t_ms,
        person: true,
        metrics: Some(metrics),
        state: PostureState::Aligned,
        cadence_spm: None,
        levels,
        cue,
    }
}

fn lean(t_ms: f64, lean: f32) -> Sample {
    sample(
        t_ms,
        Metrics::default().with(MetricId::TrunkLeanFrontal, lean),
        None,
        None,
    )
}

/// A picture unlike any other of `key`'s: a dark block at a place of its own.
fn picture(key: u64, width: u32, height: u32) -> RgbImage {
    let (bx, by) = (
        (key * 37 % 20) as u32 * width / 24,
        (key / 20 % 20) as u32 * height / 24,
    );
    RgbImage::from_fn(width, height, |x, y| {
        if (bx..bx + width / 6).contains(&x) && (by..by + height / 6).contains(&y) {
            image::Rgb([20, 30, 90])
        } else {
            image::Rgb([230, 225, 210])
        }
    })
}

/// A frontal person leaning `deg` sideways about the hips, in a 640×480 frame.
fn leaning(deg: f32) -> Pose {
    let mut b = Body::frontal();
    b.rotate_ccw(deg, 320.0, 380.0);
    b.pose()
}

fn worst(kept: &[PickedFrame]) -> Vec<f64> {
    kept.iter()
        .filter(|k| k.kind == "worst")
        .map(|k| k.t_ms)
        .collect()
}

#[test]
fn keeps_the_worst_moments_apart_and_a_typical_one() {
    let blank = Pose {
        landmarks: [crate::pose::Landmark::default(); 33],
        world: [crate::pose::Vec3::default(); 33],
        score: 1.0,
    };
    let mut p = KeyframePicker::default();
    // Leans peak at 4 s (20°), 10 s (15°), 11 s (16°, too close to 10 s), 20 s (8°), 30 s (12°).
    for i in 0..400u64 {
        let t = i as f64 * 100.0;
        let l = match i {
            40 => 20.0,
            100 => 15.0,
            110 => 16.0,
            200 => 8.0,
            300 => 12.0,
            _ => 1.0,
        };
        p.consider(&lean(t, l), &picture(i, 800, 600), Some(&blank));
    }
    let kept = p.finish();
    assert_eq!(worst(&kept), vec![4000.0, 11000.0, 30000.0]);
    let typical = kept
        .iter()
        .find(|k| k.kind == "typical")
        .expect("a typical frame");
    assert_eq!(typical.t_ms, 3000.0);
    // Nobody seen to crop to: the whole picture, scaled down.
    assert_eq!((typical.width, typical.height), (640, 480), "scaled down");
    assert!(image::load_from_memory(&typical.jpeg).is_ok());
}

#[test]
fn a_looped_clip_gives_distinct_moments() {
    // A 10 s clip at 10 fps played three times: leans peak at 4 s (20°) and 8 s (12°) of
    // each pass; the same frame of the clip is the same picture and the same pose.
    let lean_at = |i: u64| match i {
        40 => 20.0,
        80 => 12.0,
        _ => (i % 7) as f32 * 0.5,
    };
    let mut p = KeyframePicker::default();
    for i in 0..300u64 {
        let frame = i % 100;
        let pose = leaning(lean_at(frame));
        p.consider(
            &lean(i as f64 * 100.0, lean_at(frame)),
            &picture(frame, 640, 480),
            Some(&pose),
        );
    }
    let kept = p.finish();
    let frames: Vec<u64> = kept.iter().map(|k| (k.t_ms / 100.0) as u64 % 100).collect();
    let mut distinct = frames.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        frames.len(),
        "a frame of the clip twice: {frames:?}"
    );
    assert!(frames.contains(&40) && frames.contains(&80), "{frames:?}");
    for (i, a) in kept.iter().enumerate() {
        for b in &kept[i + 1..] {
            assert_ne!(a.jpeg, b.jpeg, "{} and {} are one picture", a.t_ms, b.t_ms);
        }
    }
}

#[test]
fn the_same_pose_or_the_same_picture_is_one_moment() {
    // Two peaks 10 s apart: what tells them apart is the case.
    let run = |pose_b: &Pose, picture_b: u64| {
        let mut p = KeyframePicker::new(3, 2000.0, 640);
        let still = leaning(0.0);
        for i in 0..200u64 {
            let (l, pose, pic) = match i {
                50 => (15.0, leaning(15.0), picture(1, 640, 480)),
                150 => (16.0, pose_b.clone(), picture(picture_b, 640, 480)),
                _ => (0.0, still.clone(), picture(1000 + i, 640, 480)),
            };
            p.consider(&lean(i as f64 * 100.0, l), &pic, Some(&pose));
        }
        worst(&p.finish())
    };
    // A different pose in a different picture: two moments (and the calm frames after).
    assert_eq!(run(&leaning(-15.0), 2)[..2], [15000.0, 5000.0]);
    // The same pose at the same place, the picture changed (a light went on).
    let first = run(&leaning(15.0), 2);
    assert!(
        first.contains(&15000.0) && !first.contains(&5000.0),
        "{first:?}"
    );
    // The same picture, the pose read differently.
    let second = run(&leaning(-15.0), 1);
    assert!(
        second.contains(&15000.0) && !second.contains(&5000.0),
        "{second:?}"
    );
}

#[test]
fn a_head_forward_session_shows_head_forward_moments() {
    // Side-on: the trunk leans 9° (inside its 10° band) now and then; the head juts
    // forward (misaligned, with its cue) at 5 s (30°) and 15 s (35°), the trunk upright.
    let mut p = KeyframePicker::default();
    let upright = Body::frontal();
    let jutting = |px: f32| {
        let mut b = upright.clone();
        for id in [LandmarkId::Nose, LandmarkId::LeftEar, LandmarkId::RightEar] {
            b.shift(id, px, 0.0);
        }
        b.pose()
    };
    for i in 0..200u64 {
        let (trunk, head, pose) = match i {
            50 => (1.0, 30.0, jutting(25.0)),
            150 => (1.0, 35.0, jutting(40.0)),
            i if i % 20 == 0 => (9.0, 5.0, leaning(9.0)),
            _ => (1.0, 5.0, upright.pose()),
        };
        let mut levels = MetricLevels::default();
        levels.set(MetricId::TrunkLeanSagittal, PostureState::Aligned);
        let level = if head > 25.0 {
            PostureState::Misaligned
        } else {
            PostureState::Aligned
        };
        levels.set(MetricId::HeadForward, level);
        let cue = (head > 25.0).then(|| Cue {
            metric: MetricId::HeadForward,
            text: crate::geometry::advice::CUE_TEXTS[10],
        });
        let m = Metrics::new(Some(View::Side))
            .with(MetricId::TrunkLeanSagittal, trunk)
            .with(MetricId::HeadForward, head);
        let s = sample(i as f64 * 100.0, m, Some(levels), cue);
        p.consider(&s, &picture(i, 640, 480), Some(&pose));
    }
    let w = worst(&p.finish());
    assert_eq!(w[..2], [15000.0, 5000.0], "{w:?}");
}

#[test]
fn only_moments_out_of_their_band_are_worst_moments() {
    // Side-on, 20 s: standing but judged only while walking (levels say "not judged") for
    // 0–10 s with a 15° lean; then judged aligned with an 8° lean, drifting at 14 s (12°).
    let mut p = KeyframePicker::default();
    for i in 0..200u64 {
        let (trunk, level) = match i {
            0..100 => (15.0, PostureState::Unknown),
            140 => (12.0, PostureState::Drifting),
            _ => (8.0, PostureState::Aligned),
        };
        let mut levels = MetricLevels::default();
        levels.set(MetricId::TrunkLeanSagittal, level);
        let m = Metrics::new(Some(View::Side)).with(MetricId::TrunkLeanSagittal, trunk);
        let s = sample(i as f64 * 100.0, m, Some(levels), None);
        p.consider(&s, &picture(i, 640, 480), Some(&leaning(trunk)));
    }
    let kept = p.finish();
    assert_eq!(worst(&kept), [14000.0], "the one drifting frame");
    let typical: Vec<f64> = kept
        .iter()
        .filter(|k| k.kind == "typical")
        .map(|k| k.t_ms)
        .collect();
    assert_eq!(typical, [10_000.0], "the first judged frame after 3 s");
}

#[test]
fn a_small_person_in_a_wide_frame_is_stored_large() {
    // 1920×1080, the person about 350 px tall at the left.
    let mut b = Body::frontal();
    b.size = crate::pose::roi::ImageSize {
        width: 1920,
        height: 1080,
    };
    for px in &mut b.px {
        px.0 += 100.0;
        px.1 += 300.0;
    }
    let pose = b.pose();
    let mut p = KeyframePicker::default();
    p.consider(&lean(0.0, 12.0), &picture(0, 1920, 1080), Some(&pose));
    let kept = p.finish();
    let k = &kept[0];
    assert!(k.width < 400 && k.height < 560, "{}×{}", k.width, k.height);
    assert!(k.height > 400, "not shrunk: {}×{}", k.width, k.height);
    let decoded = image::load_from_memory(&k.jpeg).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (k.width, k.height));
    // The landmarks are the crop's: the person fills it.
    let nose = k.pose.landmarks[LandmarkId::Nose.index()];
    assert!(
        (0.3..0.7).contains(&nose.x) && (0.05..0.35).contains(&nose.y),
        "{nose:?}"
    );
}
