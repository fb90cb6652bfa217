//! Too dark, lit from behind: `plumbline doctor --source` looks at a picture as the app would
//! and says what to do about the light. The demo as shipped, the demo with a sixth of its light
//! (an evening room), the astronaut photograph darkened before a white background (a window
//! behind the user), and the rendered living room by day and dim.

use std::path::Path;
use std::process::Command;

use plumbline::pose::LandmarkId;
use serde_json::Value;

use crate::helpers::*;

/// `plumbline doctor --json --source FILE`'s `picture` check: (status, detail, fix).
fn picture(data: &Path, source: &Path) -> (String, String, String) {
    let out = plumbline_in(
        data,
        ["doctor", "--json", "--source", source.to_str().unwrap()],
    );
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "picture")
        .unwrap_or_else(|| panic!("no picture check: {report}"));
    let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
    (text("status"), text("detail"), text("fix"))
}

fn ffmpeg(args: &[&str], out: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
}

#[test]
fn the_doctor_says_when_the_room_is_too_dark_or_the_user_is_lit_from_behind() {
    let (data, dir) = (data_dir(), tempfile::tempdir().unwrap());
    let demo = repo().join("assets/demo-practice.mp4");

    let (status, detail, _) = picture(data.path(), &demo);
    assert_eq!(status, "ok", "{detail}");
    assert!(
        detail.contains("a person in") && detail.ends_with("good"),
        "{detail}"
    );

    // A sixth of the light in sRGB is about a sixtieth in linear light.
    let dark = dir.path().join("dark.mp4");
    let demo_path = demo.to_str().unwrap();
    ffmpeg(
        &[
            "-i",
            demo_path,
            "-t",
            "3",
            "-vf",
            "lutrgb=r=val*0.15:g=val*0.15:b=val*0.15",
        ],
        &dark,
    );
    let (status, detail, fix) = picture(data.path(), &dark);
    assert_eq!(status, "warning", "{detail}");
    assert!(detail.ends_with("too dark"), "{detail}");
    assert_eq!(
        fix,
        "Too dark to see you well: turn on a light in front of you"
    );

    let backlit = dir.path().join("backlit.mp4");
    let photo = fixture("images/astronaut.png");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "color=c=white:s=640x480:r=15:d=3",
            "-loop",
            "1",
            "-i",
            photo.to_str().unwrap(),
            "-filter_complex",
            "[1]scale=-1:360,lutrgb=r=val*0.3:g=val*0.3:b=val*0.3[u];[0][u]overlay=x=140:y=120",
            "-t",
            "3",
        ],
        &backlit,
    );
    let (status, detail, fix) = picture(data.path(), &backlit);
    assert_eq!(status, "warning", "{detail}");
    assert!(
        detail.contains("a person in") && detail.ends_with("back lit"),
        "{detail}"
    );
    assert!(fix.contains("close the curtain behind you"), "{fix}");

    // The rendered dim living room: its window and lamp lit, the woman before them in the dark.
    let dim = fixture("validity/images/b_old_woman_neutral_frontal_mid_dim.jpg");
    let (status, detail, fix) = picture(data.path(), &dim);
    assert_eq!(status, "warning", "{detail}");
    assert!(detail.ends_with("too dark"), "{detail}");
    assert!(fix.contains("turn on a light in front of you"), "{fix}");
    let day = fixture("validity/images/b_old_woman_neutral_frontal_mid_day.jpg");
    let (status, detail, _) = picture(data.path(), &day);
    assert_eq!(status, "ok", "{detail}");

    // A file that is not there is a problem named with the file.
    let (status, detail, _) = picture(data.path(), &dir.path().join("missing.mp4"));
    assert_eq!(status, "problem");
    assert!(detail.contains("missing.mp4"), "{detail}");
}

/// `image` with 1/`factor` of its light, in linear light (an evening room to a webcam).
fn darkened(image: &image::RgbImage, factor: f32) -> image::RgbImage {
    let lin = |c: u8| {
        let c = c as f32 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let srgb = |l: f32| {
        let c = if l <= 0.003_130_8 {
            12.92 * l
        } else {
            1.055 * l.powf(1.0 / 2.4) - 0.055
        };
        (255.0 * c).round().clamp(0.0, 255.0) as u8
    };
    let mut out = image.clone();
    for c in out.iter_mut() {
        *c = srgb(lin(*c) / factor);
    }
    out
}

/// `plumbline pose` on `path`: its landmarks, if it found a person.
fn pose_of(path: &Path, extra: &[&str]) -> Option<Vec<Vec<f64>>> {
    let out = plumbline([&["pose"], extra, &[path.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    line["person"].as_bool().unwrap().then(|| landmarks(&line))
}

/// In 1/256 of the light (mean luma 10), the models find the person only in the brightened
/// frame, with the joints within a tenth of the torso of the well-lit ones (6.8% here); a
/// well-lit frame is not touched.
#[test]
fn a_dark_frame_is_brightened_for_the_models_and_a_lit_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let lit_path = fixture("validity/images/man_neutral_frontal_mid.jpg");
    let lit = image::open(&lit_path).unwrap().to_rgb8();
    let dark_path = dir.path().join("dark.png");
    darkened(&lit, 256.0).save(&dark_path).unwrap();

    let reference = pose_of(&lit_path, &[]).expect("the person, well lit");
    assert_eq!(
        pose_of(&lit_path, &["--no-brighten"]),
        Some(reference.clone()),
        "a well-lit frame is shown to the models as it is"
    );
    assert_eq!(
        pose_of(&dark_path, &["--no-brighten"]),
        None,
        "unseen in the dark"
    );
    let found = pose_of(&dark_path, &[]).expect("found once brightened");
    // With the face barely seen, the model may take the person to face away: every joint in
    // its place, left and right swapped. The joints are where they were either way.
    let swapped: Vec<Vec<f64>> = LandmarkId::ALL
        .iter()
        .map(|id| found[id.mirrored().index()].clone())
        .collect();
    let err = mean_error_in_torsos(&found, &reference, 640.0, 480.0)
        .min(mean_error_in_torsos(&swapped, &reference, 640.0, 480.0));
    assert!(
        err < 0.10,
        "{:.1}% of the torso from the well-lit pose",
        err * 100.0
    );
}
