//! Tracking across frames: the ROI follows the person, the detector runs only when needed,
//! and a frame without a person is followed by a fresh detection.

use std::time::Duration;

use plumbline::pose::{EngineConfig, ModelKind, PoseEstimator};

use crate::helpers::*;

fn frame(i: usize) -> image::RgbImage {
    image::open(fixture(&format!("sequence/frame_{i:03}.png")))
        .unwrap()
        .to_rgb8()
}

#[test]
fn detector_runs_only_on_first_frame_and_after_losing_the_person() {
    let mut engine =
        PoseEstimator::new(&EngineConfig::video(ModelKind::Full)).expect("engine loads");
    let reference = read_json(&fixture("reference/sequence.json"));
    let reference = reference.as_array().expect("a list of frames");
    let mut ran_detector = Vec::new();
    let mut found = Vec::new();
    for (i, r) in reference.iter().enumerate().take(10) {
        let img = frame(i);
        let t = Duration::from_micros((i as u64 * 1_000_000) / 30);
        let pose = engine.estimate(&img, t).expect("inference runs");
        ran_detector.push(engine.last_step().ran_detector);
        found.push(pose.is_some());
        assert_eq!(
            pose.is_some(),
            r["person"].as_bool().unwrap(),
            "frame {i}: person?"
        );
        if let Some(p) = pose {
            let ours = rows(&p.landmarks);
            let err = mean_error_in_torsos(&ours, &landmarks(r), 256.0, 256.0);
            eprintln!("frame {i}: mean error {:.2}% of torso", err * 100.0);
            assert!(
                err < 0.03,
                "frame {i}: tracked landmarks drift from MediaPipe's: {:.2}%",
                err * 100.0
            );
        }
    }
    // Frames 0–4: person; 5: blank; 6–9: person again.
    assert_eq!(
        found,
        [true, true, true, true, true, false, true, true, true, true]
    );
    // The detector ran on frame 0, on the blank frame (tracking lost, re-detect found
    // nothing) and on frame 6 (no tracked ROI after the loss); never while tracking.
    assert_eq!(
        ran_detector,
        [
            true, false, false, false, false, true, true, false, false, false
        ]
    );
}

#[test]
fn tracked_roi_follows_a_moving_person() {
    let mut engine =
        PoseEstimator::new(&EngineConfig::video(ModelKind::Lite)).expect("engine loads");
    let mut centres = Vec::new();
    for i in 0..5 {
        engine
            .estimate(&frame(i), Duration::from_millis(i as u64 * 33))
            .unwrap();
        centres.push(engine.last_step().roi.expect("a ROI was used").x_center);
    }
    // The person shifts right 4 px per frame in a 256 px frame; the ROI follows, never back.
    for w in centres.windows(2) {
        assert!(w[1] >= w[0] - 1e-3, "ROI moved left: {centres:?}");
    }
    assert!(centres[4] > centres[0], "ROI did not follow: {centres:?}");
}

#[test]
fn still_image_mode_detects_every_frame() {
    let mut engine = PoseEstimator::new(&EngineConfig::still_images(ModelKind::Lite)).unwrap();
    for i in 0..3 {
        engine.estimate(&frame(i), Duration::ZERO).unwrap();
        assert!(engine.last_step().ran_detector);
    }
}
