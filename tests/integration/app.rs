//! The desktop app in a real window under Xvfb: it plays a video, analyses it, and draws the
//! skeleton, the plumb line and the state panel.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

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
    let image = screenshot_with("{}");
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
    assert!(red_panel > 40, "the state in the panel: {red_panel}");
}

/// Each frame's (frame, time, state) and each event's (time, kind, detail) of a stored session.
type Judged = (Vec<(u64, i64, String)>, Vec<(i64, String, String)>);

fn judged(data: &std::path::Path) -> (Judged, serde_json::Value) {
    let db = plumbline::session::store::Store::open(data).unwrap();
    let sessions = db.list().unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let id = sessions[0].id;
    assert_eq!(sessions[0].status.as_str(), "complete");
    let samples = db
        .samples(id)
        .unwrap()
        .into_iter()
        .map(|(s, _)| (s.frame, s.t_ms.round() as i64, s.state.name().to_string()))
        .collect();
    let events = db
        .events(id)
        .unwrap()
        .into_iter()
        .map(|e| {
            let t = e.t_ms.round() as i64;
            (t, e.kind.as_str().to_string(), e.detail.to_string())
        })
        .collect();
    let shown = plumbline_in(data, ["sessions", "show", &id.to_string()]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let summary: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    ((samples, events), summary["summary"].clone())
}

/// Judges `clip` twice with the same saved settings (alerts after a second): recorded by the
/// app (`app --record`, headless: it records from the first frame, the video ends, the
/// screenshot is taken and the window closes, saving the session) and by `analyze`.
/// Returns each one's stored frames and events, and summary.
fn app_and_analyze(clip: &std::path::Path) -> [(Judged, serde_json::Value); 2] {
    let dir = tempfile::tempdir().unwrap();
    let (app_data, cli_data) = (dir.path().join("app"), dir.path().join("cli"));
    let mut settings = plumbline::settings::Settings::default();
    settings.alerts.rules.misaligned_after_s = 1.0;
    settings.alerts.sound = false;
    settings.save(&app_data).unwrap();
    settings.save(&cli_data).unwrap();

    let shot = dir.path().join("app.png");
    let out = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(env!("CARGO_BIN_EXE_plumbline"))
        .args([
            "app",
            "--model",
            "full",
            "--threads",
            "2",
            "--record",
            "--source",
        ])
        .arg(clip)
        .arg("--screenshot")
        .arg(&shot)
        .args(["--frames", "100000"])
        .env("PLUMBLINE_DATA_DIR", &app_data)
        .output()
        .expect("xvfb-run (installed by .ci/setup.sh) runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(shot.exists(), "the screenshot when the video ended");

    let out = plumbline_in(
        &cli_data,
        [
            "analyze",
            clip.to_str().unwrap(),
            "--threads",
            "2",
            "--quiet",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    [judged(&app_data), judged(&cli_data)]
}

#[test]
fn an_app_recorded_session_judges_a_video_as_analyze_does() {
    let [
        ((app_states, app_events), app_summary),
        ((cli_states, cli_events), cli_summary),
    ] = app_and_analyze(&fixture("video/camera_turning.mp4"));
    assert_eq!(
        app_states.len(),
        150,
        "every frame of the clip, none dropped"
    );
    assert_eq!(app_states, cli_states, "the same state on every frame");
    assert_eq!(
        app_events, cli_events,
        "the same events, posture alerts included"
    );
    assert!(cli_events.iter().any(|e| e.1 == "posture_alert"));
    for key in [
        "time_in_state",
        "motion",
        "posture_alerts",
        "metrics",
        "preset",
    ] {
        assert_eq!(app_summary[key], cli_summary[key], "{key}");
    }
}

/// Walking recorded by the app is walking: its session has the walking time, steps and
/// cadence `analyze` finds on the same clip (a rendered walker at 100 steps/min).
#[test]
fn an_app_recorded_walk_keeps_its_walking_time_steps_and_cadence() {
    let [(_, app), (_, cli)] =
        app_and_analyze(&fixture("validity/clips/walk_upright_facing_right.mp4"));
    assert_eq!(app["motion"], cli["motion"]);
    let m = &app["motion"];
    let cadence = m["cadence_spm"].as_f64().expect("a cadence");
    assert!((96.0..=104.0).contains(&cadence), "{m}");
    assert!(m["walking_s"].as_f64().unwrap() > 1.0, "{m}");
    assert!(m["steps"].as_u64().unwrap() >= 2, "{m}");
    assert_eq!(m["sudden_movements"], 0, "{m}");
    assert_eq!(app["preset"]["activity"], "free");
}

/// Screenshot of the app on the turning-camera clip after 20 frames, with `settings` saved.
fn screenshot_with(settings: &str) -> image::RgbaImage {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("settings.json"), settings).unwrap();
    let shot = dir.path().join("app.png");
    let out = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(env!("CARGO_BIN_EXE_plumbline"))
        // The detailed view: its panel is 360 points wide, right of the video.
        .args(["app", "--model", "lite", "--view", "details", "--source"])
        .arg(fixture("video/camera_turning.mp4"))
        .arg("--screenshot")
        .arg(&shot)
        .args(["--frames", "20"])
        .env("PLUMBLINE_DATA_DIR", dir.path())
        .output()
        .expect("xvfb-run (installed by .ci/setup.sh) runs");
    assert!(out.status.success(), "{}", stderr(&out));
    image::open(&shot).expect("a PNG screenshot").to_rgba8()
}

/// Where the limbs are drawn relative to the dashed plumb line (the column of the video with
/// the most white), in pixels: + to its right.
fn limbs_from_plumb_line(image: &image::RgbaImage) -> f64 {
    let video = image.width() - 360;
    let mut white = vec![0usize; video as usize];
    let (mut sum, mut n) = (0.0, 0.0);
    for (x, _, p) in image.enumerate_pixels().filter(|(x, _, _)| *x < video) {
        if p.0[..3].iter().all(|&c| c >= 235) {
            white[x as usize] += 1;
        }
        if (0..3).all(|c| p.0[c].abs_diff([80, 200, 255][c]) <= 12) {
            sum += f64::from(x);
            n += 1.0;
        }
    }
    let plumb = white
        .iter()
        .enumerate()
        .max_by_key(|(_, c)| **c)
        .map(|(x, _)| x as f64)
        .unwrap();
    assert!(n > 300.0, "limbs drawn: {n}");
    sum / n - plumb
}

/// The video shows as a mirror does by default, the skeleton with it; the setting turns it off.
#[test]
fn the_video_is_mirrored_by_default_and_the_setting_turns_it_off() {
    let mirrored = limbs_from_plumb_line(&screenshot_with("{}"));
    let plain = limbs_from_plumb_line(&screenshot_with(r#"{"mirror_video": false}"#));
    eprintln!("limbs from the plumb line: mirrored {mirrored:+.1} px, plain {plain:+.1} px");
    assert!(
        plain.abs() > 5.0,
        "the photographer's arms are off his hip line"
    );
    assert!(
        mirrored.signum() == -plain.signum() && (mirrored + plain).abs() < 0.3 * plain.abs(),
        "mirrored {mirrored:+.1} px vs plain {plain:+.1} px"
    );
}

/// Runs `plumbline app --screenshot <dir>/app.png --frames 20 …args` under Xvfb with its data
/// in `dir`, and `env` set. Killed after 90 s, so a window that never closes fails the test
/// (exit 124) rather than hanging it.
fn screenshot_run(dir: &Path, args: &[&OsStr], env: &[(&str, &OsStr)]) -> Output {
    let shot = dir.join("app.png");
    let mut all: Vec<&OsStr> = vec!["--screenshot".as_ref(), shot.as_os_str()];
    all.extend(["--frames", "20"].map(OsStr::new));
    all.extend(args);
    app_under_xvfb("1280x800", &all)
        .env("PLUMBLINE_DATA_DIR", dir)
        .envs(env.iter().copied())
        .output()
        .expect("timeout and xvfb-run (installed by .ci/setup.sh) run")
}

/// A screenshot run that could not start exits 2 with the error, naming what to fix.
fn assert_fails_with(out: &Output, must_mention: &[&str]) {
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code; stderr: {}",
        stderr(out)
    );
    assert_clean_failure(out, must_mention);
}

#[test]
fn a_screenshot_run_on_a_missing_source_fails_with_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.mp4");
    let out = screenshot_run(
        dir.path(),
        &[
            "--model".as_ref(),
            "lite".as_ref(),
            "--source".as_ref(),
            missing.as_os_str(),
        ],
        &[],
    );
    assert_fails_with(&out, &["input not found", "missing.mp4"]);
}

#[test]
fn a_screenshot_run_without_its_model_fails_with_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let clip = fixture("video/camera_turning.mp4");
    let source: [&OsStr; 2] = ["--source".as_ref(), clip.as_os_str()];
    // A models folder without the heavy model, chosen on the command line…
    let models = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("models/pose_detection.onnx"),
        models.path().join("pose_detection.onnx"),
    )
    .unwrap();
    let mut args = vec![
        "--model".as_ref(),
        "heavy".as_ref(),
        "--models-dir".as_ref(),
        models.path().as_os_str(),
    ];
    args.extend(source);
    let out = screenshot_run(dir.path(), &args, &[]);
    assert_fails_with(
        &out,
        &["cannot start the pose engine", "pose_landmark_heavy.onnx"],
    );
    // …or a folder that is not there, through the environment.
    let nowhere = dir.path().join("no-models-here");
    let out = screenshot_run(
        dir.path(),
        &source,
        &[("PLUMBLINE_MODELS_DIR", nowhere.as_os_str())],
    );
    assert_fails_with(&out, &["cannot start the pose engine", "no-models-here"]);
}

/// One of the README's screenshots of the practice view: its name, the `app` arguments after
/// the demo clip, the settings, the frames to show first, and what must be on it.
struct Moment {
    name: &'static str,
    args: &'static [&'static str],
    settings: &'static str,
    frames: u64,
    /// The colour (and the least pixels of it) in the practice column's state word.
    state: [u8; 3],
    /// Another colour in the video (and the least pixels of it): the alert banner, the
    /// refusal's frame.
    video: Option<([u8; 3], usize)>,
}

/// The practice view at 1280×800 at six moments of the bundled demo, as the README shows
/// them: standing and walking aligned, the alert of a misaligned stretch, the calibration's
/// countdown and its refusal, and the view once the video has ended. Each is checked for the
/// state it must show. `PLUMBLINE_README_SHOTS=assets/screenshots` writes them there as the
/// README's pictures.
#[test]
fn the_practice_view_at_six_moments_of_the_demo() {
    let quiet = r#"{"alerts": {"sound": false, "voice": false}}"#;
    let green = [46, 190, 80];
    let moments = [
        Moment {
            name: "standing",
            args: &[],
            settings: quiet,
            frames: 40,
            state: green,
            video: None,
        },
        Moment {
            name: "walking",
            args: &[],
            settings: quiet,
            frames: 160,
            state: green,
            video: None,
        },
        Moment {
            name: "alert",
            args: &[],
            settings: r#"{"alerts": {"sound": false, "voice": false, "misaligned_after_s": 1}}"#,
            frames: 100,
            state: [230, 50, 50],
            video: Some(([150, 30, 30], 5000)),
        },
        Moment {
            name: "countdown",
            args: &["--calibrate"],
            settings: quiet,
            frames: 20,
            state: [120, 180, 255],
            video: None,
        },
        Moment {
            name: "refused",
            args: &["--calibrate"],
            settings: quiet,
            frames: 135,
            state: green,
            video: Some(([240, 170, 20], 1500)),
        },
        Moment {
            name: "stopped",
            args: &[],
            settings: quiet,
            frames: 100_000,
            state: [160, 160, 160],
            video: None,
        },
    ];
    let keep = std::env::var_os("PLUMBLINE_README_SHOTS").map(std::path::PathBuf::from);
    let dir = tempfile::tempdir().unwrap();
    for m in &moments {
        let data = dir.path().join(m.name);
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("settings.json"), m.settings).unwrap();
        let shot = dir.path().join(format!("{}.png", m.name));
        let out = Command::new("xvfb-run")
            .args(["-a", "-s", "-screen 0 1280x800x24"])
            .arg(env!("CARGO_BIN_EXE_plumbline"))
            .args(["app", "--model", "full", "--view", "practice"])
            .args(["--window-size", "1280x800", "--source"])
            .arg(repo().join("assets/demo-practice.mp4"))
            .args(m.args)
            .arg("--screenshot")
            .arg(&shot)
            .args(["--frames", &m.frames.to_string()])
            .env("PLUMBLINE_DATA_DIR", &data)
            .output()
            .expect("xvfb-run (installed by .ci/setup.sh) runs");
        assert!(out.status.success(), "{}: {}", m.name, stderr(&out));
        let image = image::open(&shot).unwrap().to_rgba8();
        assert_eq!(image.dimensions(), (1280, 800), "{}", m.name);
        // The state word: the top of the practice column, right of the 4:3 video.
        let word = image::imageops::crop_imm(&image, 830, 40, 450, 80).to_image();
        let state = count(&word, 450, m.state, 12);
        assert!(
            state > 400,
            "{}: {state} pixels of its state colour",
            m.name
        );
        if let Some((colour, least)) = m.video {
            let n = count(&image, 815, colour, 12);
            assert!(
                n > least,
                "{}: {n} pixels of {colour:?} over the video",
                m.name
            );
        }
        if let Some(keep) = &keep {
            std::fs::create_dir_all(keep).unwrap();
            let file = std::fs::File::create(keep.join(format!("practice-{}.jpg", m.name)));
            let rgb = image::DynamicImage::ImageRgba8(image).to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(file.unwrap(), 82)
                .encode_image(&rgb)
                .unwrap();
        }
    }
}
