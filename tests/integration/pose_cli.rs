//! `plumbline pose` against MediaPipe's own output on the same photos.

use crate::helpers::*;

/// The acceptance bound: mean landmark error under 2% of the torso length…
const MAX_MEAN_ERROR: f64 = 0.02;

/// …or, on photos where MediaPipe disagrees with itself by more than that when the photo
/// moves by one pixel, within that disagreement (the median over four one-pixel shifts,
/// measured by tests/fixtures/measure_self_consistency.py). On camera.png, where the
/// photographer is half hidden by his tripod, MediaPipe's own landmarks move by 11% of the
/// torso for a one-pixel shift; no implementation can match it to 2% there. The landmark
/// stage alone, given MediaPipe's ROI, is held to 2% on every photo (landmark_stage.rs).
fn bound_for(reference: &str) -> f64 {
    let table = read_json(&fixture("self_consistency.json"));
    let name = reference.trim_start_matches("reference/");
    let median = table["images"][name]["median"].as_f64();
    median.map_or(MAX_MEAN_ERROR, |m| m.max(MAX_MEAN_ERROR))
}

fn check_against_reference(model: &str, image: &str, reference: &str) {
    let bound = bound_for(reference);
    let out = plumbline(["pose", "--model", model, fixture(image).to_str().unwrap()]);
    assert!(out.status.success(), "pose failed: {}", stderr(&out));
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 1);
    let ours = &lines[0];
    let reference = read_json(&fixture(reference));
    assert_eq!(ours["person"], true, "{image}: no person found");
    assert_eq!(ours["width"], reference["width"]);
    assert_eq!(ours["height"], reference["height"]);
    let (w, h) = (
        reference["width"].as_f64().unwrap(),
        reference["height"].as_f64().unwrap(),
    );
    let (ol, rl) = (landmarks(ours), landmarks(&reference));
    assert_eq!(ol.len(), 33);
    assert_eq!(ours["world_landmarks"].as_array().unwrap().len(), 33);
    let err = mean_error_in_torsos(&ol, &rl, w, h);
    eprintln!("{model} {image}: mean error {:.2}% of torso", err * 100.0);
    assert!(
        err < bound,
        "{model} {image}: mean error {:.2}% of torso (bound {:.2}%)",
        err * 100.0,
        bound * 100.0
    );
    // Visibility agrees with MediaPipe's, so users can threshold it the same way.
    for (i, (o, r)) in ol.iter().zip(&rl).enumerate() {
        assert!(
            (o[3] - r[3]).abs() < 0.15,
            "{image} landmark {i}: visibility {} vs {}",
            o[3],
            r[3]
        );
    }
}

#[test]
fn full_model_matches_mediapipe_on_astronaut() {
    check_against_reference("full", "images/astronaut.png", "reference/astronaut.json");
}

#[test]
fn full_model_matches_mediapipe_on_camera() {
    check_against_reference("full", "images/camera.png", "reference/camera.json");
}

/// Photos of shapes the other fixtures do not have: a wide frame with the person off-centre
/// (vertical letterbox), a portrait frame (horizontal letterbox), and a tilted photo (rotated ROI).
#[test]
fn full_model_matches_mediapipe_on_other_frame_shapes() {
    check_against_reference(
        "full",
        "images/astronaut_wide.png",
        "reference/astronaut_wide.json",
    );
    check_against_reference(
        "full",
        "images/camera_portrait.png",
        "reference/camera_portrait.json",
    );
    check_against_reference(
        "full",
        "images/camera_rotated.png",
        "reference/camera_rotated.json",
    );
}

#[test]
fn full_model_matches_mediapipe_on_mirrored_astronaut() {
    check_against_reference(
        "full",
        "images/astronaut_mirror.png",
        "reference/astronaut_mirror.json",
    );
}

#[test]
fn lite_model_matches_mediapipe_lite() {
    check_against_reference("lite", "images/camera.png", "reference/camera.lite.json");
    check_against_reference(
        "lite",
        "images/astronaut.png",
        "reference/astronaut.lite.json",
    );
}

#[test]
fn blank_image_has_no_person_and_succeeds() {
    let out = plumbline(["pose", fixture("images/blank.png").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = stdout_lines(&out);
    assert_eq!(lines[0]["person"], false);
    assert!(lines[0].get("landmarks").is_none());
}

#[test]
fn one_line_per_image_in_order_with_normalised_coordinates() {
    let imgs = [
        "images/camera.png",
        "images/blank.png",
        "images/astronaut.png",
    ];
    let paths: Vec<String> = imgs
        .iter()
        .map(|i| fixture(i).to_string_lossy().into_owned())
        .collect();
    let out = plumbline(std::iter::once("pose".to_string()).chain(paths.clone()));
    assert!(out.status.success());
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 3);
    for (line, path) in lines.iter().zip(&paths) {
        assert_eq!(line["image"].as_str().unwrap(), path);
    }
    assert_eq!(lines[1]["person"], false);
    // The nose of a person standing in the frame is inside the image, in 0..1 units.
    let nose = &landmarks(&lines[0])[0];
    assert!((0.0..=1.0).contains(&nose[0]) && (0.0..=1.0).contains(&nose[1]));
}
