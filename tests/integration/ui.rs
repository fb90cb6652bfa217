//! The app driven like a user drives it (egui_kittest clicks and keys through AccessKit), on a
//! real video with the real models, recording into a real SQLite file.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use plumbline::pose::{EngineConfig, ModelKind};
use plumbline::session::store::Store;
use plumbline::settings::{Settings, ViewMode};
use plumbline::ui::alerts::voice::RecordingSpeech;
use plumbline::ui::{AppOptions, PlumblineApp};

use crate::helpers::*;

/// A video of camera.png standing still: a person who holds a stance, as calibration needs.
pub fn still_video(dir: &Path, seconds: u32) -> std::path::PathBuf {
    let out = dir.join("still.mp4");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-loop", "1", "-framerate", "30", "-i"])
        .arg(fixture("images/camera.png"))
        .args([
            "-t",
            &seconds.to_string(),
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ])
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    out
}

/// The app on `source` (`None`: the camera), keeping its settings and sessions in `data`.
pub fn app(data: &Path, source: Option<&Path>) -> Harness<'static, PlumblineApp> {
    app_speaking(data, source, &RecordingSpeech::default())
}

/// [`app`], its spoken cues going to `speech`. It starts in the detailed view, whose panel
/// names every metric.
pub fn app_speaking(
    data: &Path,
    source: Option<&Path>,
    speech: &RecordingSpeech,
) -> Harness<'static, PlumblineApp> {
    let options = AppOptions {
        model: Some(ModelKind::Lite),
        data_dir: Some(data.to_path_buf()),
        source: source.map(Path::to_path_buf),
        speech: Some(speech.source()),
        view: Some(ViewMode::Details),
        ..AppOptions::new(EngineConfig::video(ModelKind::Lite))
    };
    Harness::builder()
        .with_size(eframe::egui::Vec2::new(1400.0, 900.0))
        .build_eframe(move |cc| PlumblineApp::new(cc, options))
}

/// Steps the UI (as the window's repaints would) until `done` holds.
pub fn step_until(
    h: &mut Harness<'static, PlumblineApp>,
    what: &str,
    timeout: Duration,
    done: impl Fn(&Harness<'static, PlumblineApp>) -> bool,
) {
    let start = Instant::now();
    loop {
        h.step();
        if done(h) {
            return;
        }
        if start.elapsed() > timeout {
            let texts = texts(h);
            panic!("timed out waiting for {what}; the window shows: {texts:?}");
        }
        std::thread::sleep(Duration::from_millis(15));
    }
}

/// Every text in the window, in order.
pub fn texts(h: &Harness<'static, PlumblineApp>) -> Vec<String> {
    h.query_all_by(|_| true)
        .filter_map(|n| {
            let n = n.accesskit_node();
            n.label().or_else(|| n.value())
        })
        .collect()
}

/// The value the panel shows for metric `name` (the number in the cell after its name).
fn metric_value(h: &Harness<'static, PlumblineApp>, name: &str) -> Option<f32> {
    let labels = texts(h);
    let at = labels.iter().position(|l| l == name)?;
    let cell = labels[at..].iter().find(|l| *l != name)?;
    cell.split([' ', '°', '%']).next()?.parse().ok()
}

pub fn shows(h: &Harness<'static, PlumblineApp>, text: &str) -> bool {
    h.query_by_label_contains(text).is_some()
}

#[test]
fn calibrate_record_and_mute_from_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Short calibration timings, saved the way the Settings window saves them.
    let mut settings = Settings::default();
    settings.calibration.countdown_s = 0.5;
    settings.calibration.duration_s = 1.5;
    settings.save(&data).unwrap();
    let video = still_video(dir.path(), 40);
    let mut h = app(&data, Some(&video));

    // Frames flow: the panel reports the frame rate and a state.
    step_until(&mut h, "analysed frames", Duration::from_secs(20), |h| {
        shows(h, "view: ") && shows(h, "MISALIGNED")
    });
    assert!(shows(&h, "absolute values"));

    // Calibrate: a countdown, then the capture; the baseline is saved with the settings.
    h.get_by_label("Calibrate").click();
    step_until(&mut h, "the countdown", Duration::from_secs(5), |h| {
        shows(h, "Stand naturally")
    });
    step_until(&mut h, "the calibration", Duration::from_secs(20), |h| {
        shows(h, "Calibrated from")
    });
    assert!(shows(&h, "change from your calibrated stance"));
    let (saved, err) = Settings::load(&data);
    assert!(err.is_none());
    let baseline = saved.baseline.expect("the baseline is saved");
    assert!(baseline.frames >= 15, "{baseline:?}");
    // The photographer leans ~28° in the picture; from his own baseline he is aligned.
    let lean = baseline
        .stat(plumbline::geometry::MetricId::TrunkLeanFrontal)
        .unwrap();
    assert!(lean.mean.abs() > 15.0, "{lean:?}");
    // His lean now reads as change from that stance: near zero, not ~30°.
    step_until(
        &mut h,
        "the frontal lean as change from the baseline",
        Duration::from_secs(10),
        |h| metric_value(h, "trunk lean, frontal").is_some_and(|v| v.abs() < 5.0),
    );

    // Record for a while, then stop: a session lands in the store.
    h.get_by_label("Record").click();
    step_until(
        &mut h,
        "the recording marker",
        Duration::from_secs(5),
        |h| shows(h, "⏺ REC"),
    );
    let recording_from = Instant::now();
    step_until(
        &mut h,
        "two seconds of recording",
        Duration::from_secs(10),
        |_| recording_from.elapsed() > Duration::from_secs(2),
    );
    // R is the shortcut that stops it.
    h.key_press(eframe::egui::Key::R);
    step_until(&mut h, "the saved session", Duration::from_secs(20), |h| {
        shows(h, "saved session")
    });
    let db = Store::open(&data).unwrap();
    let sessions = db.list().unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let s = &sessions[0];
    assert_eq!(s.status.as_str(), "complete");
    // Two seconds of wall clock; a file is judged on every frame, so under load (the suite
    // runs tests side by side) its media time runs slower than the clock.
    assert!(s.duration_s > 0.5, "{s:?}");
    assert!(s.source.ends_with("still.mp4"), "{}", s.source);
    let samples = db.samples(s.id).unwrap();
    assert!(samples.len() > 20, "{} samples", samples.len());
    assert!(
        samples[0].0.t_ms < 100.0,
        "a session starts at its own zero"
    );
    let row = db.session(s.id).unwrap().unwrap();
    assert_eq!(
        row.calibration.as_ref().map(|b| b.frames),
        Some(baseline.frames),
        "the session keeps the calibration it was recorded with"
    );
}

#[test]
fn a_long_slouch_raises_a_banner_that_mute_silences() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut settings = Settings::default();
    settings.alerts.rules.misaligned_after_s = 1.0;
    // No chime: the test machine has no sound card.
    settings.alerts.sound = false;
    settings.save(&data).unwrap();
    let video = still_video(dir.path(), 40);
    let mut h = app(&data, Some(&video));
    h.step();
    h.get_by_label("Record").click();
    // The photographer leans ~30°, uncalibrated: misaligned, and after a second a banner
    // says so, with what to correct.
    step_until(&mut h, "the alert banner", Duration::from_secs(20), |h| {
        shows(h, "Misaligned for")
    });
    // The alert is part of the recorded session, and its report counts it.
    h.key_press(eframe::egui::Key::R);
    step_until(&mut h, "the saved session", Duration::from_secs(20), |h| {
        shows(h, "saved session")
    });
    let db = Store::open(&data).unwrap();
    let id = db.list().unwrap()[0].id;
    let alerts: Vec<_> = db
        .events(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == plumbline::session::EventKind::PostureAlert)
        .collect();
    // One alert, unless the stretch broke and started again while the test ran.
    assert!(!alerts.is_empty());
    assert!(
        alerts[0].detail["message"]
            .as_str()
            .unwrap()
            .starts_with("Misaligned for")
    );
    let json = plumbline::report::export_session(
        &db,
        id,
        plumbline::report::ExportFormat::Json,
        &plumbline::report::ReportOptions::default(),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["summary"]["posture_alerts"], alerts.len());
    // camera.png ends at the photographer's knees: the app says how to fix the framing.
    assert!(shows(&h, "until your feet are in the picture"));
    let banner = h.get_by_label_contains("Misaligned for");
    assert!(format!("{banner:?}").contains(':'), "a cue: {banner:?}");
    // M mutes: the banner goes, the toolbar says so; M again brings it back.
    h.key_press(eframe::egui::Key::M);
    h.step();
    assert!(shows(&h, "Muted"));
    assert!(!shows(&h, "Misaligned for"));
    h.get_by_label("Muted").click();
    step_until(&mut h, "the banner again", Duration::from_secs(5), |h| {
        shows(h, "Misaligned for")
    });
    // Dismiss hides it until the next repeat.
    h.get_by_label("Dismiss").click();
    h.step();
    h.step();
    assert!(!shows(&h, "Misaligned for"));
}

#[test]
fn a_missing_video_is_named_and_the_window_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-video.mp4");
    let mut h = app(&dir.path().join("data"), Some(&missing));
    // The file is opened on the analysis's side: the window hears of it shortly.
    step_until(&mut h, "the error", Duration::from_secs(10), |h| {
        shows(h, "input not found")
    });
    let error = h.get_by_label_contains("input not found");
    assert!(
        format!("{error:?}").contains("no-such-video.mp4"),
        "{error:?}"
    );
    // It can still open the demo from the toolbar.
    h.get_by_label("Demo").click();
    step_until(&mut h, "the demo's frames", Duration::from_secs(20), |h| {
        shows(h, "source: bundled demo") && shows(h, "view: ")
    });
}

#[test]
fn without_a_camera_the_app_plays_the_bundled_demo() {
    if plumbline::source::list_cameras().is_ok_and(|c| !c.is_empty()) {
        eprintln!("skipped: this machine has a camera, so the app opens it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path(), None);
    step_until(&mut h, "the demo's frames", Duration::from_secs(20), |h| {
        shows(h, "source: bundled demo") && shows(h, "view: ")
    });
    // It says why.
    assert!(shows(&h, "Playing the bundled demo instead"));
}

#[test]
fn record_on_a_corrupt_database_says_so_and_leaves_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let db = data.join("plumbline.sqlite");
    let garbage = b"this is not an SQLite database, and it holds someone's data".repeat(100);
    std::fs::write(&db, &garbage).unwrap();
    let video = still_video(dir.path(), 40);
    let mut h = app(&data, Some(&video));
    step_until(&mut h, "analysed frames", Duration::from_secs(20), |h| {
        shows(h, "view: ")
    });
    h.get_by_label("Record").click();
    step_until(&mut h, "the error", Duration::from_secs(10), |h| {
        shows(h, "cannot start recording")
    });
    let error = h.get_by_label_contains("cannot start recording");
    assert!(
        format!("{error:?}").contains("plumbline.sqlite"),
        "names the file: {error:?}"
    );
    // Back to a Record button, the analysis still running, the file as it was.
    assert!(h.query_by_label("Record").is_some());
    assert!(!shows(&h, "⏺ REC"));
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
}

#[test]
fn settings_changed_in_the_window_are_saved() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut h = app(&data, Some(&dir.path().join("none.mp4")));
    h.step();
    h.get_by_label("Settings").click();
    h.step();
    // Both sit low in the window: scroll to them first, as a user would.
    for label in [
        "show a desktop notification",
        "cm (3-D estimate)",
        "US Letter",
    ] {
        h.get_by_label(label).scroll_to_me();
        // Let the scroll animation finish before aiming.
        h.run_steps(30);
        h.get_by_label(label).click();
        h.run_steps(2);
    }
    step_until(&mut h, "the settings file", Duration::from_secs(5), |_| {
        Settings::load(&data).0.alerts.notification
    });
    let (saved, err) = Settings::load(&data);
    assert!(err.is_none());
    assert_eq!(
        saved.offset_unit,
        plumbline::settings::OffsetUnit::Centimetres
    );
    assert_eq!(saved.report.paper, plumbline::report::Paper::Letter);
    // The defaults were left as they were.
    assert_eq!(saved.thresholds, Settings::default().thresholds);
}

#[test]
fn a_recording_is_saved_when_its_video_ends() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let clip = fixture("video/camera_turning.mp4");
    let mut h = app(&data, Some(&clip));
    h.step();
    h.get_by_label("Record").click();
    step_until(
        &mut h,
        "the end of the 5 s clip",
        Duration::from_secs(30),
        |h| shows(h, "saved session"),
    );
    assert!(
        h.query_by_label("Record").is_some(),
        "ready to record again"
    );
    let sessions = Store::open(&data).unwrap().list().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].status.as_str(), "complete");
    assert!(sessions[0].samples > 60, "{:?}", sessions[0]);
}

#[test]
fn a_misaligned_stretch_is_spoken_and_the_return_praised() {
    // The demo: upright, then leaning forward 20° (misaligned for about 3 s), then walking
    // upright. With the alert after 1 s, the cue is said once and "good" when aligned again.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("settings.json"),
        r#"{"alerts": {"misaligned_after_s": 1.0}}"#,
    )
    .unwrap();
    let speech = RecordingSpeech::default();
    let demo = repo().join("assets/demo-practice.mp4");
    let mut h = app_speaking(&data, Some(&demo), &speech);
    step_until(
        &mut h,
        "the cue and the praise",
        Duration::from_secs(60),
        |_| speech.said().len() >= 2,
    );
    let said = speech.said();
    assert_eq!(
        said[0], "stand taller: lift your chest over your hips",
        "{said:?}"
    );
    assert_eq!(said[1], "good", "{said:?}");
}

#[test]
fn after_stop_no_stale_verdict_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let clip = fixture("validity/clips/hold_then_lean_fwd_20.mp4");
    let mut h = app(&dir.path().join("data"), Some(&clip));
    step_until(&mut h, "the lean judged", Duration::from_secs(60), |h| {
        shows(h, "MISALIGNED")
    });
    h.get_by_label("Stop").click();
    step_until(&mut h, "the stop", Duration::from_secs(10), |h| {
        shows(h, "STOPPED")
    });
    assert!(!shows(&h, "MISALIGNED"), "{:?}", texts(&h));
    assert!(!shows(&h, "stand taller"), "no stale cue: {:?}", texts(&h));
    assert!(shows(&h, "stopped; press Start to play it again"));
    assert!(!shows(&h, "camera is released"), "a file is not a camera");
}

#[test]
fn the_toolbar_stays_put_while_its_labels_change() {
    // A second click on Sessions missed when REC pushed it aside: no label change may move it.
    let dir = tempfile::tempdir().unwrap();
    let video = still_video(dir.path(), 20);
    let mut h = app(&dir.path().join("data"), Some(&video));
    step_until(&mut h, "frames", Duration::from_secs(30), |h| {
        shows(h, "ALIGNED") || shows(h, "UNKNOWN")
    });
    let sessions_at = |h: &Harness<'static, PlumblineApp>| h.get_by_label("Sessions").rect().min;
    let before = sessions_at(&h);
    h.get_by_label("Record").click();
    step_until(
        &mut h,
        "the recording marker",
        Duration::from_secs(10),
        |h| shows(h, "⏺ REC"),
    );
    assert_eq!(sessions_at(&h), before, "REC appeared");
    h.get_by_label("Calibrate").click();
    step_until(&mut h, "calibrating", Duration::from_secs(10), |h| {
        shows(h, "Cancel calibration")
    });
    assert_eq!(sessions_at(&h), before, "calibrating");
    h.get_by_label("Mute").click();
    h.get_by_label("Snooze 15 min").click();
    step_until(&mut h, "muted and snoozed", Duration::from_secs(10), |h| {
        shows(h, "Muted") && shows(h, "snoozed 15 min")
    });
    assert_eq!(sessions_at(&h), before, "muted and snoozed");
}

#[test]
fn engine_statistics_wait_behind_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let video = still_video(dir.path(), 20);
    let mut h = app(&dir.path().join("data"), Some(&video));
    step_until(&mut h, "frames", Duration::from_secs(30), |h| {
        shows(h, "view: ")
    });
    assert!(!shows(&h, "inference"), "folded away: {:?}", texts(&h));
    assert!(!shows(&h, "dropped"));
    // Below the plot: scrolled to, then opened.
    h.get_by_label("Diagnostics").scroll_to_me();
    h.step();
    h.get_by_label("Diagnostics").click_accesskit();
    step_until(&mut h, "the statistics", Duration::from_secs(10), |h| {
        shows(h, "inference") && shows(h, "fps ·")
    });
    // The process's CPU use, once two seconds have been measured: the model ran, so above 0.
    step_until(&mut h, "the CPU use", Duration::from_secs(10), |h| {
        shows(h, "% of a core")
    });
    let node = h.get_by_label_contains("% of a core");
    let node = node.accesskit_node();
    let line = node.label().or_else(|| node.value()).unwrap_or_default();
    let percent: f32 = line
        .trim_start_matches("CPU ")
        .split('%')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a percentage in {line:?}"));
    assert!(percent > 0.0 && line.contains(" s per minute"), "{line}");
}

#[test]
fn a_long_path_in_an_error_wraps_inside_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir
        .path()
        .join("a-folder-with-a-rather-long-name".repeat(6));
    let missing = deep.join("the-file-name-at-the-end.mp4");
    let mut h = app(&dir.path().join("data"), Some(&missing));
    step_until(&mut h, "the error", Duration::from_secs(10), |h| {
        shows(h, "input not found")
    });
    let error = h.get_by_label_contains("input not found").rect();
    let window = h.ctx.content_rect();
    assert!(error.max.x <= window.max.x, "{error:?} in {window:?}");
    assert!(error.height() > 30.0, "over more than one line: {error:?}");
}

#[test]
fn without_a_file_dialog_the_window_says_how_to_open_a_file() {
    // This machine (like CI's) has no desktop portal and no zenity: the dialog cannot open,
    // and a click that did nothing would leave the user guessing.
    let portal = Path::new("/usr/share/dbus-1/services/org.freedesktop.portal.Desktop.service");
    let zenity = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("zenity").is_file()));
    if portal.exists() || zenity {
        eprintln!("skipped: this desktop has a file dialog");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let video = still_video(dir.path(), 5);
    let mut h = app(&dir.path().join("data"), Some(&video));
    h.step();
    h.get_by_label("Open video…").click();
    step_until(&mut h, "the reason", Duration::from_secs(5), |h| {
        shows(h, "no file dialog can open here")
    });
    assert!(shows(&h, "press Enter"));
    h.get_by_label("Open folder…").click();
    h.step();
    assert!(shows(&h, "no file dialog can open here"));
}
