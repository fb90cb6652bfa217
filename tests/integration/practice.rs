//! The practice view, read as a person 2–3 m from the screen reads it: the state and the cue
//! in type sized from the window (checked on the laid-out widgets), the judged measures as
//! bars, the calibration's countdown and its outcome over the video, and the practice goal.

use std::path::Path;
use std::time::Duration;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use plumbline::pose::{EngineConfig, ModelKind};
use plumbline::settings::{Settings, ViewMode};
use plumbline::ui::alerts::voice::RecordingSpeech;
use plumbline::ui::{AppOptions, PlumblineApp};

use crate::helpers::*;
use crate::ui::{shows, step_until, still_video, texts};

/// The window's size in the README's screenshots and in these tests.
const WINDOW: egui::Vec2 = egui::vec2(1280.0, 800.0);

/// The app in its practice view at 1280×800 on `source`, speaking into `speech`; `calibrate`
/// starts a calibration with the first frame.
fn practice(
    data: &Path,
    source: &Path,
    speech: &RecordingSpeech,
    calibrate: bool,
) -> Harness<'static, PlumblineApp> {
    let options = AppOptions {
        model: Some(ModelKind::Lite),
        data_dir: Some(data.to_path_buf()),
        source: Some(source.to_path_buf()),
        speech: Some(speech.source()),
        view: Some(ViewMode::Practice),
        calibrate,
        ..AppOptions::new(EngineConfig::video(ModelKind::Lite))
    };
    Harness::builder()
        .with_size(WINDOW)
        .build_eframe(move |cc| PlumblineApp::new(cc, options))
}

/// Every text in the window with where it was laid out.
fn laid_out(h: &Harness<'static, PlumblineApp>) -> Vec<(String, egui::Rect)> {
    h.query_all_by(|_| true)
        .filter_map(|n| {
            let node = n.accesskit_node();
            let text = node.label().or_else(|| node.value())?;
            Some((text, n.rect()))
        })
        .collect()
}

/// The height `text` takes laid out at `share` of the window's height, wrapped at `width`:
/// a label at least this tall is set in at least that type (smaller type wraps into fewer,
/// lower lines).
fn height_at(h: &Harness<'static, PlumblineApp>, text: &str, share: f32, width: f32) -> f32 {
    let font = egui::FontId::proportional(WINDOW.y * share);
    h.ctx.fonts_mut(|f| {
        f.layout(text.to_string(), font, egui::Color32::WHITE, width)
            .size()
            .y
    })
}

fn settings_in(data: &Path, edit: impl FnOnce(&mut Settings)) {
    let mut s = Settings::default();
    s.alerts.sound = false;
    edit(&mut s);
    s.save(data).unwrap();
}

#[test]
fn the_state_and_the_cue_are_large_enough_to_read_from_three_metres() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    settings_in(&data, |_| {});
    let video = still_video(dir.path(), 40);
    let mut h = practice(&data, &video, &RecordingSpeech::default(), false);
    // The photographer leans ~28°: misaligned, with a cue.
    step_until(&mut h, "the verdict", Duration::from_secs(30), |h| {
        shows(h, "MISALIGNED") && shows(h, "trunk upright")
    });
    h.step();
    let nodes = laid_out(&h);
    let at = nodes
        .iter()
        .position(|(l, _)| l == "MISALIGNED")
        .expect("the state word");
    let (_, state) = &nodes[at];
    assert!(
        state.height() >= 0.08 * WINDOW.y,
        "the state word is {:.0} points tall in a {:.0}-point window",
        state.height(),
        WINDOW.y
    );
    // The cue follows the state word.
    let (cue, cue_rect) = nodes[at..].iter().find(|(l, _)| l != "MISALIGNED").unwrap();
    assert!(cue.contains(' ') && cue.len() > 12, "a cue: {cue:?}");
    let needed = height_at(&h, cue, 0.05, cue_rect.width() + 1.0);
    assert!(
        cue_rect.height() >= needed * 0.98,
        "the cue {cue:?} is {:.0} points tall; at 5% of the window it takes {needed:.0}",
        cue_rect.height()
    );
    // Both fit the window: wrapped, not cut at its edge.
    for r in [state, cue_rect] {
        assert!(r.right() <= WINDOW.x && r.bottom() <= WINDOW.y, "{r:?}");
    }
    // The judged measures as bars with their values; no table, no engine statistics.
    assert!(shows(&h, "shoulders over hips"));
    let labels = texts(&h);
    for engine in ["fps", "inference", "dropped", "view: "] {
        assert!(
            !labels.iter().any(|l| l.contains(engine)),
            "{engine:?} in the practice view: {labels:?}"
        );
    }
    // D shows the details (every metric, the diagnostics); D again comes back.
    h.key_press(egui::Key::D);
    step_until(&mut h, "the details", Duration::from_secs(5), |h| {
        shows(h, "view: ") && shows(h, "Diagnostics")
    });
    h.get_by_label("Practice view (D)").click();
    step_until(&mut h, "the practice view", Duration::from_secs(5), |h| {
        shows(h, "Details (D)") && !shows(h, "Diagnostics")
    });
    // The choice is kept for the next start.
    std::thread::sleep(Duration::from_millis(600));
    h.step();
    assert_eq!(Settings::load(&data).0.view, ViewMode::Practice);
}

#[test]
fn calibration_counts_down_over_the_video_and_its_refusal_wraps_in_large_type() {
    // The demo from its start: upright for 3.7 s, then leaning forward 20°. Calibrating from
    // the first frame, the countdown runs through the upright part and the capture sees the
    // lean: refused for moving. The alert comes after a second, but never while calibrating.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    settings_in(&data, |s| s.alerts.rules.misaligned_after_s = 1.0);
    let speech = RecordingSpeech::default();
    let demo = repo().join("assets/demo-practice.mp4");
    let mut h = practice(&data, &demo, &speech, true);
    step_until(&mut h, "the countdown", Duration::from_secs(30), |h| {
        shows(h, "as you will practise") && h.query_by_label("2").is_some()
    });
    let count = h.get_by_label("2").rect();
    assert!(
        count.height() >= 0.15 * WINDOW.y,
        "the countdown's number is {:.0} points tall",
        count.height()
    );
    assert!(shows(&h, "CALIBRATING"));
    step_until(&mut h, "the capture", Duration::from_secs(20), |h| {
        shows(h, "HOLD STILL") && shows(h, "measuring your neutral stance")
    });
    step_until(&mut h, "the refusal", Duration::from_secs(30), |h| {
        assert!(
            !shows(h, "Misaligned for"),
            "an alert while calibrating: {:?}",
            texts(h)
        );
        shows(h, "Calibration not saved")
    });
    assert!(speech.said().is_empty(), "{:?}", speech.said());
    let (text, rect) = laid_out(&h)
        .into_iter()
        .find(|(l, _)| l.starts_with("Calibration not saved"))
        .unwrap();
    assert!(text.contains("moved too much"), "{text}");
    assert!(
        rect.right() <= WINDOW.x,
        "cut at the window's edge: {rect:?}"
    );
    let needed = height_at(&h, &text, 0.035, rect.width() + 1.0);
    assert!(rect.height() >= needed * 0.98, "{rect:?}: {needed}");
    // Nothing was saved; the card goes when dismissed.
    assert!(Settings::load(&data).0.baseline.is_none());
    h.get_by_label("✖").click();
    h.step();
    h.step();
    assert!(!shows(&h, "Calibration not saved"));
}

#[test]
fn a_practice_goal_counts_down_and_is_said_when_reached() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A six-second goal.
    settings_in(&data, |s| s.goal_min = 0.1);
    let video = still_video(dir.path(), 40);
    let speech = RecordingSpeech::default();
    let mut h = practice(&data, &video, &speech, false);
    h.step();
    h.key_press(egui::Key::R);
    step_until(&mut h, "the time left", Duration::from_secs(30), |h| {
        shows(h, "left of 0.1 min")
            // The practice view's recording time (the toolbar's names the session too).
            && texts(h).iter().any(|t| t.starts_with("⏺ REC 0:0") && !t.contains("session"))
    });
    step_until(&mut h, "the goal", Duration::from_secs(30), |h| {
        shows(h, "0.1 min goal reached")
    });
    step_until(&mut h, "the praise", Duration::from_secs(5), |_| {
        speech
            .said()
            .iter()
            .any(|s| s == "0.1 minutes of practice done. Well done.")
    });
    // The recorded session keeps the goal it was practised with.
    h.key_press(egui::Key::R);
    step_until(&mut h, "the saved session", Duration::from_secs(20), |h| {
        shows(h, "saved session")
    });
    let sessions = plumbline::session::store::Store::open(&data)
        .unwrap()
        .list()
        .unwrap();
    assert_eq!(sessions.len(), 1);
    let goal = sessions[0].goal_s.expect("the goal is recorded");
    assert!((goal - 6.0).abs() < 1e-3, "{goal}");
}
