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

/// The app on `data` with a missing video: it starts in the detailed view; D switches to the
/// practice view, a change the window saves when it closes. Returns what the window showed
/// first.
fn switch_view_and_close(data: &std::path::Path) -> Vec<String> {
    let mut h = app(data, Some(&data.join("none.mp4")));
    h.step();
    let shown = crate::ui::texts(&h);
    h.key_press(eframe::egui::Key::D);
    h.run_steps(3);
    drop(h);
    shown
}

#[test]
fn a_model_chosen_for_one_run_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The harness runs the lite model, as `app --model lite` asks: the saved choice stays.
    switch_view_and_close(&data);
    let saved = read_json(&data.join("settings.json"));
    assert_eq!(
        saved["view"], "practice",
        "the view change was saved: {saved}"
    );
    assert_eq!(saved["model"], "full", "{saved}");
}

#[cfg(unix)]
#[test]
fn a_linked_settings_file_is_saved_through_its_link_and_kept_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let dotfiles = dir.path().join("dotfiles");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&dotfiles).unwrap();
    let real = dotfiles.join("plumbline.json");
    std::fs::write(&real, "{}\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::symlink(&real, data.join("settings.json")).unwrap();
    switch_view_and_close(&data);
    let link = std::fs::symlink_metadata(data.join("settings.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert_eq!(read_json(&real)["view"], "practice");
    let mode = std::fs::metadata(&real).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let names: Vec<String> = std::fs::read_dir(&dotfiles)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["plumbline.json"]);
}

#[cfg(unix)]
#[test]
fn a_folder_or_a_fifo_in_place_of_the_settings_is_left_alone_and_said() {
    use std::os::unix::fs::FileTypeExt as _;
    // A folder: the app says so, uses the defaults, and saves nothing beside it.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("settings.json")).unwrap();
    let shown = switch_view_and_close(&data);
    assert!(
        shown
            .iter()
            .any(|t| t.contains("it is a folder, not a file")),
        "{shown:?}"
    );
    assert!(data.join("settings.json").is_dir());
    let names: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("settings") || n.starts_with(".settings"))
        .collect();
    assert_eq!(names, ["settings.json"], "nothing left beside it");

    // A FIFO: `analyze` and the app read the defaults instead of waiting for a writer.
    let fifo_data = dir.path().join("fifo");
    std::fs::create_dir_all(&fifo_data).unwrap();
    let fifo = fifo_data.join("settings.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = std::process::Command::new("timeout")
        .args(["60", env!("CARGO_BIN_EXE_plumbline"), "analyze"])
        .arg(fixture("images/camera.png"))
        .args(["--quiet", "--no-record", "--model", "lite"])
        .env("PLUMBLINE_DATA_DIR", &fifo_data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}: {}", out.status, stderr(&out));
    assert!(
        stderr(&out).contains("it is a FIFO, not a file"),
        "{}",
        stderr(&out)
    );
    let shown = switch_view_and_close(&fifo_data);
    assert!(shown.iter().any(|t| t.contains("a FIFO")), "{shown:?}");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}
