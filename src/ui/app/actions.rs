//! What the user does: the toolbar's and the keyboard's actions, a file picked, recordings
//! started and stopped, settings changed (sent to the analysis as one configuration) and saved.

use std::time::Instant;

use eframe::egui;

use super::PlumblineApp;
use super::SNOOZE;
use crate::format::clock;
use crate::session::store::SessionMeta;
use crate::settings::ViewMode;
use crate::ui::background::Pending;
use crate::ui::input::{self, Input};
use crate::ui::panel::LivePlot;
use crate::ui::practice::PracticeClock;
use crate::ui::toolbar::Action;

impl PlumblineApp {
    /// Opens `input` on the analysis's side; returns at once. The window hears how it went.
    pub(super) fn open(&mut self, input: Input) {
        let now = Instant::now();
        if input != self.input {
            // Another input is another practice; Start on the same one goes on with it.
            self.practice = PracticeClock::default();
        }
        self.practice.resume(now);
        self.input = input;
        self.source += 1;
        self.playing = true;
        self.source_description = None;
        self.plot = LivePlot::default();
        let spec = self.input.spec(&self.settings.camera, self.cameras.clone());
        self.analysis.open(spec);
    }

    pub(super) fn act(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Open(input) => {
                self.notice = None;
                self.open(input);
            }
            Action::PickFile | Action::PickFolder => {
                if let Some(why) = input::no_file_dialog() {
                    self.error(why);
                } else if action == Action::PickFile {
                    self.dialog = Some(input::pick_video(ctx));
                } else {
                    self.dialog = Some(input::pick_folder(ctx));
                }
            }
            Action::Stop => {
                self.analysis.stop_source();
                self.playing = false;
                self.practice.pause(Instant::now());
                self.stop_recording();
                self.info(match self.input {
                    Input::Camera => "stopped; the camera is released",
                    Input::File(_) | Input::Demo => "stopped; press Start to play it again",
                });
            }
            Action::Start => {
                self.notice = None;
                self.open(self.input.clone());
            }
            Action::ToggleCalibration => {
                if self.calibrating {
                    self.analysis.cancel_calibration();
                    self.calibrating = false;
                } else {
                    self.analysis.calibrate();
                    self.calibrating = true;
                    self.calibration_result = None;
                }
            }
            Action::ForgetCalibration => {
                self.settings.baseline = None;
                self.analysis.configure(self.settings.judge_config());
                self.save_settings();
            }
            Action::ToggleRecording => {
                if self.recordings.is_recording() {
                    self.stop_recording();
                } else {
                    self.start_recording();
                }
            }
            Action::ToggleMute => {
                let muted = !self.gate.is_muted();
                self.gate.set_muted(muted);
            }
            Action::Snooze => self.gate.snooze(Instant::now(), SNOOZE),
            Action::ToggleSessions => self.browser_open = !self.browser_open,
            Action::ToggleSettings => self.settings_window.toggle(),
            Action::ToggleView => {
                self.view = match self.view {
                    ViewMode::Practice => ViewMode::Details,
                    ViewMode::Details => ViewMode::Practice,
                };
                self.settings.view = self.view;
                self.unsaved_since.get_or_insert_with(Instant::now);
            }
            Action::ToggleFullscreen => self.set_fullscreen(ctx, !self.fullscreen),
            Action::LeaveFullscreen => self.set_fullscreen(ctx, false),
        }
    }

    pub(super) fn set_fullscreen(&mut self, ctx: &egui::Context, on: bool) {
        if on != self.fullscreen {
            self.fullscreen = on;
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
        }
    }

    pub(super) fn poll_dialog(&mut self) {
        let Some(answer) = self.dialog.as_ref().and_then(Pending::poll) else {
            return;
        };
        self.dialog = None;
        match answer {
            Ok(Some(path)) => {
                self.notice = None;
                self.open(Input::File(path));
            }
            Ok(None) => {}
            Err(e) => self.error(e),
        }
    }

    pub(super) fn stop_recording(&mut self) {
        if let Some(ran) = self.recordings.stop() {
            self.analysis.record(None);
            self.info(format!("recording stopped after {}; saving…", clock(ran)));
        }
    }

    pub(super) fn start_recording(&mut self) {
        let Some(dir) = self.data_dir.clone() else {
            self.error("no data folder: sessions cannot be recorded (set PLUMBLINE_DATA_DIR)");
            return;
        };
        let meta = SessionMeta::judged_by(
            self.input.describe(),
            self.engine.model,
            &self.settings.judge_config(),
            "",
            self.settings.goal().map(|g| g.as_secs_f64()),
        );
        let tx = self.recordings.start(&dir, meta);
        self.analysis.record(tx);
        self.notice = None;
    }

    /// Reports recordings that finished writing (or failed).
    pub(super) fn poll_recordings(&mut self) {
        let news = self.recordings.poll();
        if !news.is_empty() && !self.recordings.is_recording() {
            // A recording that failed on its own no longer takes frames.
            self.analysis.record(None);
        }
        for n in news {
            self.notice = Some(n);
            if let Some(b) = &mut self.browser {
                b.refresh();
            }
        }
    }

    pub(super) fn settings_window(&mut self, ctx: &egui::Context) {
        let Some(before) = self
            .settings_window
            .show(ctx, &mut self.settings, &self.cameras)
        else {
            return;
        };
        let s = &self.settings;
        let judge = s.judge_config();
        if judge != before.judge_config() {
            self.analysis.configure(judge);
        }
        if s.model != before.model {
            // Loaded on the analysis thread; the current source plays on meanwhile.
            self.engine.model = s.model;
            self.analysis.set_engine(self.engine.clone());
        }
        if s.camera != before.camera && self.input == Input::Camera && self.playing {
            self.open(Input::Camera);
        }
        self.unsaved_since.get_or_insert_with(Instant::now);
    }

    pub(super) fn save_settings(&mut self) {
        self.unsaved_since = None;
        let Some(dir) = &self.data_dir else {
            return;
        };
        if let Err(e) = self.settings.save(dir) {
            self.error(e.to_string());
        }
    }
}
