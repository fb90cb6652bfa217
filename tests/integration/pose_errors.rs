//! What a user sees when an input or a model is wrong: a message naming the file, no panic.

use crate::helpers::*;

#[test]
fn unreadable_image_is_named_and_others_still_processed() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-an-image.png");
    std::fs::write(&bad, b"this is text, not a PNG").unwrap();
    let missing = dir.path().join("missing.jpg");
    let good = fixture("images/astronaut.png");
    let out = plumbline([
        "pose",
        bad.to_str().unwrap(),
        missing.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_clean_failure(&out, &["not-an-image.png", "missing.jpg"]);
    assert_eq!(out.status.code(), Some(1), "partial failure exits 1");
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 1, "the good image is still processed");
    assert_eq!(lines[0]["person"], true);
}

/// A models folder with the given files copied from the real one.
fn models_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in files {
        std::fs::copy(repo().join("models").join(from), dir.path().join(to)).unwrap();
    }
    dir
}

#[test]
fn detector_given_as_landmark_model_is_rejected_by_shape() {
    let dir = models_with(&[
        ("pose_detection.onnx", "pose_detection.onnx"),
        ("pose_detection.onnx", "pose_landmark_full.onnx"),
    ]);
    let out = plumbline([
        "pose",
        "--models-dir",
        dir.path().to_str().unwrap(),
        fixture("images/blank.png").to_str().unwrap(),
    ]);
    assert_clean_failure(
        &out,
        &[
            "pose_landmark_full.onnx",
            "not a BlazePose landmark model",
            "[1×256×256×3]",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn landmark_model_given_as_detector_is_rejected() {
    let dir = models_with(&[("pose_landmark_lite.onnx", "pose_detection.onnx")]);
    let out = plumbline([
        "pose",
        "--models-dir",
        dir.path().to_str().unwrap(),
        fixture("images/blank.png").to_str().unwrap(),
    ]);
    assert_clean_failure(
        &out,
        &["pose_detection.onnx", "not a BlazePose person detector"],
    );
}

#[test]
fn corrupt_model_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pose_detection.onnx"), b"garbage").unwrap();
    let out = plumbline([
        "pose",
        "--models-dir",
        dir.path().to_str().unwrap(),
        fixture("images/blank.png").to_str().unwrap(),
    ]);
    assert_clean_failure(&out, &["pose_detection.onnx", "could not load the model"]);
}

#[test]
fn missing_heavy_model_names_the_command_that_makes_it() {
    let dir = models_with(&[("pose_detection.onnx", "pose_detection.onnx")]);
    let out = plumbline([
        "pose",
        "--model",
        "heavy",
        "--models-dir",
        dir.path().to_str().unwrap(),
        fixture("images/blank.png").to_str().unwrap(),
    ]);
    assert_clean_failure(
        &out,
        &["pose_landmark_heavy.onnx", "bash models/convert.sh --heavy"],
    );
}

#[test]
fn missing_runtime_library_names_the_setup_command() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .args(["pose", fixture("images/blank.png").to_str().unwrap()])
        .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        &[
            "ONNX Runtime library was not found",
            "bash .ci/setup.sh",
            "/nonexistent/libonnxruntime.so",
        ],
    );
}

#[test]
fn unknown_model_name_is_a_usage_error() {
    let out = plumbline([
        "pose",
        "--model",
        "huge",
        fixture("images/blank.png").to_str().unwrap(),
    ]);
    assert_clean_failure(&out, &["huge", "lite", "full", "heavy"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn pose_and_analyze_refuse_the_same_visibility_thresholds_in_the_same_words() {
    let image = fixture("images/camera.png");
    for bad in ["2", "NaN", "-0.5", "inf"] {
        let refusal = |command: &str| {
            let out = plumbline([
                command,
                image.to_str().unwrap(),
                &format!("--min-visibility={bad}"),
            ]);
            assert_eq!(out.status.code(), Some(2), "{command} {bad}");
            assert!(out.stdout.is_empty(), "{command} {bad}: nothing analysed");
            stderr(&out).lines().next().unwrap_or_default().to_owned()
        };
        let pose = refusal("pose");
        assert!(pose.contains("is not between 0 and 1"), "{pose}");
        assert_eq!(pose, refusal("analyze"), "{bad}");
    }
}
