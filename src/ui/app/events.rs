//! What the analysis tells the window: its newest result, and its events (a source opened,
//! ended or failed, an alert, a calibration ended), and the messages they leave.

use std::time::Instant;

use eframe::egui::{self, ColorImage, TextureOptions};

use super::PlumblineApp;
use crate::geometry::calibration::{Baseline, CalibrationError};
use crate::pipeline::live::{LiveEvent, LiveResult};
use crate::source::SourceError;
use crate::ui::input::Input;
use crate::ui::notice::Notice;

impl PlumblineApp {
    /// Takes the analysis's newest result and its events, in that order.
    pub(super) fn take_results(&mut self, ctx: &egui::Context) {
        let (result, events) = self.analysis.poll();
        if let Some(r) = result.filter(|r| r.source == self.source) {
            self.show_result(ctx, r);
        }
        for e in events {
            self.on_event(e);
        }
    }

    pub(super) fn on_event(&mut self, e: LiveEvent) {
        match e {
            LiveEvent::EngineReady { model, took } => {
                tracing::info!("{} model loaded in {took:.2?}", model.name());
            }
            LiveEvent::EngineFailed { error, running } => {
                let still = running.map_or(String::new(), |m| {
                    format!("; still using the {} model", m.name())
                });
                let text = format!("cannot start the pose engine: {error}{still}");
                if running.is_none() {
                    self.failed(text);
                } else {
                    self.error(text);
                }
            }
            LiveEvent::SourceOpened {
                source,
                description,
            } if source == self.source => {
                // A camera opened by another backend than the one that failed says so.
                if let Some(notice) = crate::source::camera::notice_in(&description) {
                    self.info(notice.to_owned());
                }
                self.source_description = Some(description);
            }
            LiveEvent::SourceEnded { source } if source == self.source => {
                self.ended();
                self.info("the video ended; open another or press Start to replay it");
            }
            LiveEvent::SourceFailed { source, error } if source == self.source => {
                let cannot_open_camera = self.input == Input::Camera
                    && matches!(
                        error,
                        SourceError::NoCamera { .. } | SourceError::CameraOpen { .. }
                    );
                if cannot_open_camera {
                    self.info(format!(
                        "{error}\nPlaying the bundled demo instead; open a video or folder above."
                    ));
                    self.open(Input::Demo);
                } else {
                    self.failed(error.to_string());
                }
            }
            LiveEvent::InferenceFailed { source, error } if source == self.source => {
                self.failed(format!("the pose engine stopped: {error}"));
            }
            LiveEvent::FrameSkipped(e) => tracing::debug!("{e}"),
            // Recorded by the analysis whatever the window does; sounded unless quiet.
            LiveEvent::Alert(alert) if self.gate.lets_through(Instant::now()) => {
                self.outputs.deliver(&alert, &self.settings.alerts);
            }
            LiveEvent::Calibrated(result) => self.calibrated(result),
            // Stale news of an earlier source, and motion events (the alerts carry them).
            _ => {}
        }
    }

    /// No more frames will come from the current source.
    pub(super) fn ended(&mut self) {
        self.playing = false;
        self.practice.pause(Instant::now());
        // A recording of this video is complete.
        self.stop_recording();
        // A screenshot waiting for frames that will never come is taken now.
        if let Some(s) = &mut self.screenshot {
            s.now();
        }
    }

    pub(super) fn show_result(&mut self, ctx: &egui::Context, r: Box<LiveResult>) {
        let image = &r.frame.image;
        let size = [image.width() as usize, image.height() as usize];
        let colour = ColorImage::from_rgb(size, image.as_raw());
        match &mut self.texture {
            Some(t) => t.set(colour, TextureOptions::LINEAR),
            None => self.texture = Some(ctx.load_texture("video", colour, TextureOptions::LINEAR)),
        }
        self.stats.shown(r.captured_at.elapsed());
        let heard = self.gate.lets_through(Instant::now());
        self.outputs.shown(r.judgment.state.state, heard);
        self.plot.push(&r);
        self.latest = Some(r);
    }

    pub(super) fn calibrated(&mut self, done: Result<Baseline, CalibrationError>) {
        self.calibrating = false;
        match done {
            Ok(mut baseline) => {
                // The report says which stance a session was judged against, by its date.
                baseline.taken_ms = Some(crate::session::now_ms());
                self.calibration_result = Some(Notice::info(baseline.announcement()));
                // The analysis already judges against it; keep it for the next start. Sent
                // back whole, so a setting changed while it was captured cannot undo it.
                self.settings.baseline = Some(baseline);
                self.analysis.configure(self.settings.judge_config());
                self.save_settings();
            }
            Err(e) => {
                self.calibration_result = Some(Notice::error(format!("Calibration not saved: {e}")))
            }
        }
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice::error(text));
    }

    /// An error that ends the current source: shown, and the end of a screenshot run.
    pub(super) fn failed(&mut self, text: String) {
        if self.screenshot.is_some()
            && let Some(slot) = &self.failures
        {
            let _ = slot.set(text.clone());
        }
        self.ended();
        self.error(text);
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice::info(text));
    }
}
