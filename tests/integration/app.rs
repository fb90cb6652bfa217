//! The desktop app in a real window under Xvfb: it plays a video, analyses it, and draws the
//! skeleton, the plumb line and the state panel.

use std::process::Command;

use crate::helpers::*;

/// Pixels left of `x_max` within `tol` of `colour` in each channel.
fn count(image: &image::RgbaImage, x_max: u32, colour: [u8; 3], tol: u8) -> usize {
    image
        .enumerate_pixels()
        .filter(|(x, _, p)| *x < x_max && (0..3).all(|c| p.0[c].abs_diff(colour[c]) <= tol))
        .count()
}

#[test]
fn the_app_shows_the_skeleton_plumb_line_and_state_on_a_video() {
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("app.png");
    let out = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(env!("CARGO_BIN_EXE_plumbline"))
        .args(["app", "--model", "lite", "--source"])
        .arg(fixture("video/camera_turning.mp4"))
        .arg("--screenshot")
        .arg(&shot)
        .args(["--frames", "20"])
        .env("PLUMBLINE_DATA_DIR", dir.path())
        .output()
        .expect("xvfb-run (installed by .ci/setup.sh) runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let image = image::open(&shot).expect("a PNG screenshot").to_rgba8();
    assert!(
        image.width() >= 1000 && image.height() >= 600,
        "{}×{}",
        image.width(),
        image.height()
    );
    // camera.png is grey, so colour over the video comes only from the overlay. The
    // photographer leans hard: his trunk is drawn in the misaligned red, his limbs in the
    // neutral blue; the panel on the right names the state in the same red.
    let video = image.width() - 360;
    let red_video = count(&image, video, [230, 50, 50], 12);
    let limbs = count(&image, video, [80, 200, 255], 12);
    let red_panel = count(&image, image.width(), [230, 50, 50], 12) - red_video;
    assert!(
        red_video > 300,
        "red (misaligned) skeleton pixels: {red_video}"
    );
    assert!(limbs > 300, "limb pixels: {limbs}");
    assert!(red_panel > 100, "the state in the panel: {red_panel}");
}
