//! A `settings.json` damaged or edited by hand: nothing in it is lost, every number is checked,
//! and the user is told what was done — by `analyze` on standard error, by the app in a banner.

use std::time::Duration;

use egui_kittest::kittest::Queryable;
use plumbline::settings::Settings;

use crate::helpers::*;
use crate::ui::{app, shows, step_until, still_video};

/// A hand edit that once panicked on Calibrate (a countdown of 3e38 s) and collapsed the video
/// panel (a threshold of −1e38°).
const OUT_OF_RANGE: &str = r#"{
  "calibration": {"countdown_s": 3e38, "duration_s": 1.5},
  "thresholds": {"trunk_lean_frontal_deg": {"drifting": -1e38, "misaligned": 10}}
}"#;

#[test]
fn analyze_resets_numbers_out_of_range_and_names_each() {
    let data = data_dir();
    std::fs::write(data.path().join("settings.json"), OUT_OF_RANGE).unwrap();
    let (out, json, _) = analyze_in(data.path(), &fixture("images/camera.png"));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "plumbline: settings: calibration.countdown_s 3e38 is out of range (0–30 s); \
             using 3 s"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "plumbline: settings: thresholds.trunk_lean_frontal_deg.drifting -1e38 is out of \
             range (0–90°); using 5°"
        ),
        "{err}"
    );
    let summary = read_json(&json);
    assert_eq!(summary["frames_with_person"], 1, "{summary}");
    // analyze only reads the settings: the file is left as the user wrote it.
    assert_eq!(
        std::fs::read_to_string(data.path().join("settings.json")).unwrap(),
        OUT_OF_RANGE
    );
}

#[test]
fn the_app_shows_the_reset_values_and_calibrates_with_the_default_countdown() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("settings.json"), OUT_OF_RANGE).unwrap();
    let video = still_video(dir.path(), 40);
    let mut h = app(&data, Some(&video));
    step_until(&mut h, "analysed frames", Duration::from_secs(20), |h| {
        shows(h, "view: ")
    });
    assert!(shows(&h, "calibration.countdown_s 3e38 is out of range"));
    assert!(shows(
        &h,
        "thresholds.trunk_lean_frontal_deg.drifting -1e38"
    ));
    // Calibrate counts down from the default 3 s, then captures a baseline.
    h.get_by_label("Calibrate").click();
    step_until(&mut h, "the countdown", Duration::from_secs(5), |h| {
        shows(h, "as you will practise") && h.query_by_label("3").is_some()
    });
    step_until(&mut h, "the calibration", Duration::from_secs(30), |h| {
        shows(h, "Calibrated from")
    });
    // Saving wrote the checked values.
    let (saved, note) = Settings::load(&data);
    assert!(note.is_none(), "{note:?}");
    assert_eq!(saved.calibration.countdown_s, 3.0);
    assert!(saved.baseline.is_some());
}

#[test]
fn the_app_sets_an_unreadable_file_aside_beside_the_earlier_one_before_saving() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // One file set aside on an earlier start, and now one that is not UTF-8 (Latin-1 "é").
    let earlier = b"{ the settings of an earlier mishap".to_vec();
    let latin1 = b"{\"model\": \"lite\", \"notes\": \"caf\xe9\"}".to_vec();
    std::fs::write(data.join("settings.json.unreadable"), &earlier).unwrap();
    std::fs::write(data.join("settings.json"), &latin1).unwrap();
    let mut h = app(&data, Some(&dir.path().join("none.mp4")));
    h.step();
    let kept = data.join("settings.json.unreadable.1");
    let banner = h.get_by_label_contains("could not be read");
    assert!(
        format!("{banner:?}").contains(&kept.display().to_string()),
        "says where the file went: {banner:?}"
    );
    // A change in the Settings window saves the settings; both files are still there.
    h.get_by_label("Settings").click();
    h.step();
    h.get_by_label("show a desktop notification").scroll_to_me();
    h.run_steps(30);
    h.get_by_label("show a desktop notification").click();
    step_until(&mut h, "the settings file", Duration::from_secs(5), |_| {
        data.join("settings.json").exists()
    });
    assert_eq!(std::fs::read(&kept).unwrap(), latin1);
    assert_eq!(
        std::fs::read(data.join("settings.json.unreadable")).unwrap(),
        earlier
    );
}
