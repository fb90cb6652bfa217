//! Posture metrics on real photos, as `plumbline pose` reports them.

use plumbline::geometry::MetricId;
use plumbline::geometry::metrics::{MetricsConfig, compute_all};
use plumbline::pose::roi::ImageSize;
use plumbline::pose::{EngineConfig, ModelKind, PoseEstimator};
use serde_json::Value;

use crate::helpers::*;

const METRIC_KEYS: [&str; 9] = [
    "view",
    "trunk_lean_frontal_deg",
    "trunk_lean_sagittal_deg",
    "shoulder_hip_offset",
    "shoulder_hip_offset_cm",
    "shoulder_tilt_deg",
    "hip_tilt_deg",
    "head_forward_deg",
    "plumb_deviation",
];

/// The picture's trunk lean in each photo, as the frontal-lean estimator reads it whatever the
/// view (the photographer is half turned, so `plumbline pose` itself says the frontal lean
/// cannot be measured there): the real model on the real file, then `compute_all`.
fn leans(images: &[&str]) -> Vec<f64> {
    let mut engine = PoseEstimator::new(&EngineConfig::still_images(ModelKind::Full)).unwrap();
    images
        .iter()
        .map(|i| {
            let img = image::open(fixture(&format!("images/{i}")))
                .unwrap()
                .to_rgb8();
            let size = ImageSize {
                width: img.width(),
                height: img.height(),
            };
            let pose = engine
                .estimate(&img, std::time::Duration::ZERO)
                .unwrap()
                .expect("a person in every photo");
            let m = compute_all(&pose, size, &MetricsConfig::default());
            f64::from(
                m.get(MetricId::TrunkLeanFrontal)
                    .expect("a lean on every photo"),
            )
        })
        .collect()
}

fn mediapipe_lean(table: &Value, image: &str) -> f64 {
    table["images"][image]["trunk_lean_frontal_deg"]
        .as_f64()
        .unwrap()
}

#[test]
fn every_line_with_a_person_carries_every_metric() {
    let out = plumbline([
        "pose",
        fixture("images/camera.png").to_str().unwrap(),
        fixture("images/blank.png").to_str().unwrap(),
    ]);
    let lines = stdout_lines(&out);
    let metrics = lines[0]["metrics"].as_object().expect("metrics object");
    for key in METRIC_KEYS {
        assert!(metrics.contains_key(key), "missing {key}");
    }
    assert_eq!(metrics["view"], "oblique");
    // The photographer, half turned, leans well to the image right over his camera: the lean
    // in the picture is measured; the sagittal lean, the tilts and the head cannot be from
    // this view.
    assert!(metrics["trunk_lean_frontal_deg"].as_f64().unwrap() > 15.0);
    for unmeasurable in [
        "trunk_lean_sagittal_deg",
        "shoulder_tilt_deg",
        "head_forward_deg",
    ] {
        assert!(metrics[unmeasurable].is_null(), "{unmeasurable}");
    }
    assert!(lines[1].get("metrics").is_none(), "no person, no metrics");
}

/// Turning the photo counter-clockwise by θ carries the shoulders left of the hips: the lean
/// changes by −θ (checked at ±10°). The bound is 2.5°, or — where the pose model itself moves the hidden hips as
/// the photo turns — MediaPipe's own error on the same file plus 1°.
#[test]
fn rotating_a_photo_turns_the_frontal_lean_the_other_way() {
    let table = read_json(&fixture("reference/rotations.json"));
    let angles: [i32; 2] = [-10, 10];
    let mut images = vec!["camera.png".to_string()];
    images.extend(angles.iter().map(|a| format!("camera_rot{a}.png")));
    let names: Vec<&str> = images.iter().map(String::as_str).collect();
    let ours = leans(&names);
    let mp_base = mediapipe_lean(&table, "camera.png");
    for (i, angle) in angles.iter().enumerate() {
        let change = ours[i + 1] - ours[0];
        let expected = -f64::from(*angle);
        let mp_error = (mediapipe_lean(&table, names[i + 1]) - mp_base - expected).abs();
        let bound = f64::max(2.5, mp_error + 1.0);
        eprintln!(
            "rotated {angle:+}°: lean changed {change:+.2}° (MediaPipe off by {mp_error:.2}°)"
        );
        assert!(
            change.signum() == expected.signum(),
            "rotated {angle}°: lean moved the wrong way ({change:+.2}°)"
        );
        assert!(
            (change - expected).abs() <= bound,
            "rotated {angle}°: changed {change:+.2}°, expected {expected:+}° ± {bound:.2}"
        );
    }
}

#[test]
fn mirroring_a_photo_flips_the_frontal_lean() {
    let table = read_json(&fixture("reference/rotations.json"));
    let ours = leans(&["camera.png", "camera_flip.png"]);
    let mp_error =
        (mediapipe_lean(&table, "camera_flip.png") + mediapipe_lean(&table, "camera.png")).abs();
    let bound = f64::max(2.5, mp_error + 1.0);
    eprintln!(
        "mirrored: {:+.2}° → {:+.2}° (MediaPipe off by {mp_error:.2}°)",
        ours[0], ours[1]
    );
    assert!(ours[0] > 0.0 && ours[1] < 0.0, "sign must flip: {ours:?}");
    assert!(
        (ours[1] + ours[0]).abs() <= bound,
        "mirrored lean {:+.2}° vs {:+.2}° ± {bound:.2}",
        ours[1],
        -ours[0]
    );
}
