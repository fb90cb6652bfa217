//! The landmark stage alone, given the exact ROI MediaPipe used: crop, inference, heatmap
//! refinement and projection must reproduce MediaPipe's landmarks whatever the detector did.

use plumbline::pose::landmarker::Landmarker;
use plumbline::pose::runtime::{RuntimeOptions, models_dir};
use plumbline::pose::{ModelKind, NormRect};

use crate::helpers::*;

fn roi_of(reference: &serde_json::Value) -> NormRect {
    let r = &reference["roi_from_detection"];
    let f = |k: &str| {
        r[k].as_f64()
            .unwrap_or_else(|| panic!("roi_from_detection.{k}")) as f32
    };
    NormRect {
        x_center: f("x_center"),
        y_center: f("y_center"),
        width: f("width"),
        height: f("height"),
        rotation: f("rotation"),
    }
}

fn check(model: ModelKind, stem: &str, suffix: &str) {
    let reference = read_json(&fixture(&format!("reference/{stem}{suffix}.json")));
    let image = image::open(fixture(&format!("images/{stem}.png")))
        .unwrap()
        .to_rgb8();
    let path = models_dir().join(model.file_name());
    let mut landmarker =
        Landmarker::load(&path, RuntimeOptions::new(1), "").expect("landmark model loads");
    let found = landmarker
        .run(&image, &roi_of(&reference))
        .expect("inference");
    let ours = rows(&found.landmarks[..33]);
    let (w, h) = (image.width() as f64, image.height() as f64);
    let err = mean_error_in_torsos(&ours, &landmarks(&reference), w, h);
    eprintln!(
        "{stem}{suffix} with MediaPipe's ROI: mean error {:.2}% of torso",
        err * 100.0
    );
    assert!(err < 0.02, "{stem}{suffix}: {:.2}% of torso", err * 100.0);
    // World landmarks: same metres within a centimetre or two on the torso.
    let world = reference["world_landmarks"].as_array().unwrap();
    for i in [11usize, 12, 23, 24] {
        let r: Vec<f64> = world[i]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let o = found.world[i];
        let d = ((o.x as f64 - r[0]).powi(2)
            + (o.y as f64 - r[1]).powi(2)
            + (o.z as f64 - r[2]).powi(2))
        .sqrt();
        assert!(d < 0.03, "{stem}: world landmark {i} off by {d:.3} m");
    }
}

#[test]
fn full_model_stage_matches_on_every_photo() {
    for stem in [
        "astronaut",
        "astronaut_mirror",
        "camera",
        "astronaut_wide",
        "camera_portrait",
        "camera_rotated",
    ] {
        check(ModelKind::Full, stem, "");
    }
}

#[test]
fn lite_model_stage_matches_on_every_photo() {
    for stem in ["astronaut", "camera", "camera_rotated"] {
        check(ModelKind::Lite, stem, ".lite");
    }
}
