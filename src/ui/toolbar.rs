//! The toolbar: where frames come from, calibrate, record, mute and snooze, sessions and
//! settings. It only reports what was clicked; the app acts on it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, Key, RichText};

use super::input::Input;
use crate::format::clock;
use crate::session::store::SessionId;

/// What the toolbar shows.
#[derive(Debug)]
pub struct ToolbarView<'a> {
    pub input: &'a Input,
    pub playing: bool,
    pub calibrating: bool,
    pub calibrated: bool,
    /// The recording under way: how long, and its session once created.
    pub recording: Option<(Duration, Option<SessionId>)>,
    pub muted: bool,
    pub snoozed_until: Option<Instant>,
    /// A file dialog is open (its buttons wait for it).
    pub dialog_open: bool,
    /// The path typed into the toolbar.
    pub path_input: &'a mut String,
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Open(Input),
    PickFile,
    PickFolder,
    Stop,
    Start,
    ToggleCalibration,
    ForgetCalibration,
    ToggleRecording,
    ToggleMute,
    Snooze,
    ToggleSessions,
    ToggleSettings,
    /// Between the practice view and the detailed panel.
    ToggleView,
    ToggleFullscreen,
    LeaveFullscreen,
}

/// Draws the toolbar; returns what was clicked.
pub fn show(ui: &mut egui::Ui, v: ToolbarView<'_>) -> Option<Action> {
    let mut action = None;
    let mut ask = |a: Action| action = Some(a);
    ui.horizontal_wrapped(|ui| {
        if ui
            .selectable_label(*v.input == Input::Camera, "Camera")
            .on_hover_text("Use the webcam chosen in Settings")
            .clicked()
        {
            ask(Action::Open(Input::Camera));
        }
        if ui
            .selectable_label(*v.input == Input::Demo, "Demo")
            .on_hover_text("Play the bundled sample clip")
            .clicked()
        {
            ask(Action::Open(Input::Demo));
        }
        let dialogs = !v.dialog_open;
        if ui
            .add_enabled(dialogs, egui::Button::new("Open video…"))
            .clicked()
        {
            ask(Action::PickFile);
        }
        if ui
            .add_enabled(dialogs, egui::Button::new("Open folder…"))
            .clicked()
        {
            ask(Action::PickFolder);
        }
        let path = ui.add(
            egui::TextEdit::singleline(v.path_input)
                .hint_text("or a path, then Enter")
                .desired_width(130.0),
        );
        if path.lost_focus()
            && ui.input(|i| i.key_pressed(Key::Enter))
            && !v.path_input.trim().is_empty()
        {
            ask(Action::Open(Input::File(PathBuf::from(
                v.path_input.trim(),
            ))));
        }
        if v.playing {
            if steady(ui, "Stop", 50.0)
                .on_hover_text("Stop analysing (and release the camera)")
                .clicked()
            {
                ask(Action::Stop);
            }
        } else if steady(ui, "Start", 50.0).clicked() {
            ask(Action::Start);
        }
        ui.separator();
        let label = if v.calibrating {
            "Cancel calibration"
        } else {
            "Calibrate"
        };
        if steady(ui, label, 118.0)
            .on_hover_text("C: capture your neutral stance; metrics then show change from it")
            .clicked()
        {
            ask(Action::ToggleCalibration);
        }
        // Always there (greyed out when there is nothing to forget), so nothing after it moves.
        if ui
            .add_enabled(v.calibrated && !v.calibrating, egui::Button::new("Forget"))
            .on_hover_text("Forget the calibration: go back to absolute values")
            .clicked()
        {
            ask(Action::ForgetCalibration);
        }
        let (label, hint) = match v.recording {
            Some(_) => ("Stop recording", "R: stop and save the session"),
            None => ("Record", "R: record a session to review and report later"),
        };
        if steady(ui, label, 100.0).on_hover_text(hint).clicked() {
            ask(Action::ToggleRecording);
        }
        ui.separator();
        if ui
            .add(
                egui::Button::selectable(v.muted, if v.muted { "Muted" } else { "Mute" })
                    .min_size(egui::vec2(58.0, 0.0)),
            )
            .on_hover_text("M: no alert banners, sounds, speech or notifications")
            .clicked()
        {
            ask(Action::ToggleMute);
        }
        match v.snoozed_until {
            Some(until) => {
                let left = until.saturating_duration_since(Instant::now());
                let text = format!("snoozed {} min", left.as_secs().div_ceil(60));
                ui.add_enabled(
                    false,
                    egui::Button::new(text).min_size(egui::vec2(102.0, 0.0)),
                );
            }
            None => {
                if steady(ui, "Snooze 15 min", 102.0)
                    .on_hover_text("No alerts for 15 minutes")
                    .clicked()
                {
                    ask(Action::Snooze);
                }
            }
        }
        ui.separator();
        if ui.button("Sessions").clicked() {
            ask(Action::ToggleSessions);
        }
        if ui.button("Settings").clicked() {
            ask(Action::ToggleSettings);
        }
        // The recording indicator comes last, so its appearing moves no button.
        if let Some((elapsed, session)) = v.recording {
            let session = session.map_or(String::new(), |id| format!(" · session {id}"));
            ui.separator();
            ui.label(
                RichText::new(format!("⏺ REC {}{session}", clock(elapsed)))
                    .color(Color32::from_rgb(220, 40, 40))
                    .strong(),
            );
        }
    });
    action
}

/// The keyboard shortcuts (C calibrate, R record, M mute, D details or practice, F11 full
/// screen, Esc out of it), unless a text field has focus.
pub fn shortcuts(ctx: &egui::Context) -> Option<Action> {
    if ctx.wants_keyboard_input() {
        return None;
    }
    ctx.input(|i| {
        if i.key_pressed(Key::C) {
            Some(Action::ToggleCalibration)
        } else if i.key_pressed(Key::R) {
            Some(Action::ToggleRecording)
        } else if i.key_pressed(Key::M) {
            Some(Action::ToggleMute)
        } else if i.key_pressed(Key::D) {
            Some(Action::ToggleView)
        } else if i.key_pressed(Key::F11) {
            Some(Action::ToggleFullscreen)
        } else if i.key_pressed(Key::Escape) {
            Some(Action::LeaveFullscreen)
        } else {
            None
        }
    })
}

/// A button at least `width` points wide, so swapping its label (Record / Stop recording)
/// does not move the buttons after it.
fn steady(ui: &mut egui::Ui, label: &str, width: f32) -> egui::Response {
    ui.add(egui::Button::new(label).min_size(egui::vec2(width, 0.0)))
}
