//! How long the window's UI thread takes per repaint while the user does the things that used
//! to freeze it: starting, opening a video, switching to the demo, changing the model, opening
//! the session browser on a ten-hour database, starting a recording into it. The app measures
//! its own repaints (`PlumblineApp::longest_frame`, the figure it logs when it closes); this
//! drives it through egui_kittest, stepping at 60 Hz as a display would, with the real models
//! and files.
//!
//! `cargo bench --bench ui_frames`. The first run builds the ten-hour database (1.08 million
//! frames, about 500 MB) in `target/bench-data/`, which takes a few minutes; later runs reuse it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use plumbline::geometry::MetricId;
use plumbline::geometry::metrics::Metrics;
use plumbline::geometry::state::PostureState;
use plumbline::pose::{EngineConfig, Landmark, ModelKind, NUM_LANDMARKS, Pose, Vec3};
use plumbline::session::Sample;
use plumbline::session::store::{SessionMeta, Store};
use plumbline::ui::{AppOptions, PlumblineApp};

/// How long each action is watched after it is taken.
const WATCH: Duration = Duration::from_secs(3);
/// One display frame.
const FRAME: Duration = Duration::from_millis(16);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Ten one-hour sessions at 30 fps, with metrics and landmarks on every frame, as the app
/// records them. Built once and kept.
fn ten_hour_database() -> PathBuf {
    let dir = repo().join("target/bench-data/ten-hours");
    let done = dir.join("complete");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "building a ten-hour session database in {} …",
        dir.display()
    );
    let started = Instant::now();
    let mut store = Store::open(&dir).expect("a store");
    let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
    for (i, l) in landmarks.iter_mut().enumerate() {
        let f = i as f32 / NUM_LANDMARKS as f32;
        *l = Landmark {
            x: f,
            y: 1.0 - f,
            z: 0.1,
            visibility: 0.9,
            presence: 0.99,
        };
    }
    let pose = Pose {
        landmarks,
        world: [Vec3::default(); NUM_LANDMARKS],
        score: 0.9,
    };
    for hour in 0..10 {
        let meta = SessionMeta {
            source: format!("camera (hour {hour})"),
            model: "full".into(),
            calibration: None,
            preset: None,
            thresholds: None,
            notes: String::new(),
            goal_s: None,
        };
        let mut rec = store.start_session(meta).expect("a session");
        for frame in 0..108_000u64 {
            let lean = 8.0 * ((frame as f32) / 300.0).sin();
            let sample = Sample {
                frame,
                t_ms: frame as f64 * 1000.0 / 30.0,
                person: true,
                metrics: Some(
                    Metrics::default()
                        .with(MetricId::TrunkLeanFrontal, lean)
                        .with(MetricId::ShoulderHipOffset, lean / 100.0)
                        .with(MetricId::ShoulderTilt, 1.0),
                ),
                state: if lean.abs() > 5.0 {
                    PostureState::Drifting
                } else {
                    PostureState::Aligned
                },
                cadence_spm: None,
                levels: None,
                cue: None,
            };
            rec.push(&sample, Some(&pose)).expect("a sample");
        }
        rec.finish().expect("the session closes");
    }
    std::fs::write(&done, b"").expect("marker");
    eprintln!("built in {:.0?}", started.elapsed());
    dir
}

fn app(data: &Path, source: Option<PathBuf>) -> Harness<'static, PlumblineApp> {
    let options = AppOptions {
        model: Some(ModelKind::Lite),
        data_dir: Some(data.to_path_buf()),
        source,
        // As `plumbline app` runs on two cores: inference leaves the window one.
        ..AppOptions::new(EngineConfig {
            threads: 1,
            ..EngineConfig::video(ModelKind::Lite)
        })
    };
    Harness::builder()
        .with_size(eframe::egui::Vec2::new(1400.0, 900.0))
        .build_eframe(move |cc| PlumblineApp::new(cc, options))
}

/// Steps the window at display rate for `watch` (or until `done`), and returns the longest
/// repaint since the last reset.
fn watch(
    h: &mut Harness<'static, PlumblineApp>,
    watch: Duration,
    done: impl Fn(&Harness<'static, PlumblineApp>) -> bool,
) -> Duration {
    let start = Instant::now();
    while start.elapsed() < watch {
        let step = Instant::now();
        h.step();
        if done(h) {
            break;
        }
        std::thread::sleep(FRAME.saturating_sub(step.elapsed()));
    }
    h.state().longest_frame()
}

fn shows(h: &Harness<'static, PlumblineApp>, text: &str) -> bool {
    h.query_by_label_contains(text).is_some()
}

fn row(what: &str, longest: Duration) {
    println!("| {what} | {:.1} ms |", longest.as_secs_f64() * 1000.0);
}

fn main() {
    let data = ten_hour_database();
    let clip = repo().join("tests/fixtures/video/camera_turning.mp4");
    let demo_elsewhere = tempfile::tempdir().expect("temp dir");
    println!(
        "| action (then {} s of frames) | longest repaint |",
        WATCH.as_secs()
    );
    println!("|---|---|");

    // Starting: the window is up at once; the models load on the analysis thread.
    let started = Instant::now();
    let mut h = app(demo_elsewhere.path(), Some(clip.clone()));
    let built = started.elapsed();
    row(
        "open the window on a video (models loading)",
        watch(&mut h, WATCH, |_| false).max(built),
    );

    // Opening a video typed into the toolbar.
    h.state_mut().reset_longest_frame();
    let path_field = h.get_by(|n| n.role() == eframe::egui::accesskit::Role::TextInput);
    path_field.focus();
    h.step();
    h.get_by(|n| n.role() == eframe::egui::accesskit::Role::TextInput)
        .type_text(clip.to_str().expect("a UTF-8 path"));
    h.step();
    h.key_press(eframe::egui::Key::Enter);
    row("open a video", watch(&mut h, WATCH, |_| false));

    // Switching to the demo.
    h.state_mut().reset_longest_frame();
    h.get_by_label("Demo").click();
    row("switch to the demo", watch(&mut h, WATCH, |_| false));

    // Changing the model: the full model loads on the analysis thread while the demo plays.
    h.get_by_label("Settings").click();
    h.step();
    h.state_mut().reset_longest_frame();
    h.get_by_label("full").click();
    row(
        "change the model (lite → full)",
        watch(&mut h, WATCH, |_| false),
    );
    drop(h);

    // The session browser on ten hours of recordings: the list is read off the UI thread.
    let mut h = app(&data, Some(clip.clone()));
    watch(&mut h, WATCH, |_| false);
    h.state_mut().reset_longest_frame();
    h.get_by_label("Sessions").click();
    let listed = Instant::now();
    // Opening checks the whole file: 0.7 s when it is in the page cache, a minute when it must
    // come from this machine's disk. The window says "reading sessions…" meanwhile.
    let longest = watch(&mut h, Duration::from_secs(180), |h| {
        shows(h, "camera (hour 9)")
    });
    if !shows(&h, "camera (hour 9)") {
        let texts: Vec<String> = h
            .query_all_by(|_| true)
            .filter_map(|n| egui_kittest::kittest::NodeT::accesskit_node(&n).label())
            .collect();
        panic!("the sessions were not listed; the window shows {texts:?}");
    }
    row(
        &format!(
            "open the session browser on 10 h of sessions (listed after {:.1} s)",
            listed.elapsed().as_secs_f64()
        ),
        longest,
    );

    // Recording into it: the store is opened (and checked) on the recording thread.
    h.state_mut().reset_longest_frame();
    h.key_press(eframe::egui::Key::R);
    row(
        "start recording into the 10 h database",
        watch(&mut h, WATCH, |_| false),
    );
    h.state_mut().reset_longest_frame();
    h.key_press(eframe::egui::Key::R);
    row(
        "stop recording (saved in the background)",
        watch(&mut h, WATCH, |_| false),
    );
}
