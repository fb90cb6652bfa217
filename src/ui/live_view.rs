//! The middle of the window: what the user must see first (a message, the alert banner, camera
//! set-up advice, the calibration's countdown), then the video with the skeleton and the plumb
//! line over it.

use eframe::egui::{self, Color32, RichText};

use super::overlay;
use crate::geometry::alerts::Alert;
use crate::pipeline::live::LiveResult;

/// What the live view shows, borrowed from the app.
#[derive(Debug)]
pub struct LiveView<'a> {
    /// A message for the user and whether it is an error.
    pub notice: Option<(&'a str, bool)>,
    /// The alert banner on show (after mute, snooze and dismissals).
    pub banner: Option<&'a Alert>,
    pub latest: Option<&'a LiveResult>,
    pub playing: bool,
    pub calibrating: bool,
    /// Why the chime or notification failed, if it did.
    pub output_error: Option<String>,
    /// The video's texture and its size in pixels.
    pub texture: Option<(egui::TextureId, egui::Vec2)>,
    /// Landmarks seen from this visibility on are drawn (the metrics' own threshold).
    pub min_visibility: f32,
    /// Show the picture as a mirror does.
    pub mirrored: bool,
}

/// What the user dismissed.
#[derive(Debug, Clone, PartialEq)]
pub enum Dismissed {
    Notice,
    Banner(Alert),
}

pub fn show(ui: &mut egui::Ui, v: LiveView<'_>) -> Option<Dismissed> {
    let mut dismissed = None;
    if let Some((text, error)) = v.notice {
        // The button first, then the text wrapped in the rest of the row: a long path is
        // broken over lines, never cut at the window's edge.
        ui.horizontal_top(|ui| {
            let colour = if error {
                Color32::from_rgb(230, 110, 60)
            } else {
                Color32::from_rgb(200, 200, 200)
            };
            if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                dismissed = Some(Dismissed::Notice);
            }
            ui.add(egui::Label::new(RichText::new(text).color(colour)).wrap());
        });
    }
    if let Some(alert) = v.banner {
        egui::Frame::new()
            .fill(Color32::from_rgb(150, 30, 30))
            .inner_margin(8.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(&alert.message)
                            .size(20.0)
                            .color(Color32::WHITE)
                            .strong(),
                    );
                    if ui.button("Dismiss").clicked() {
                        dismissed = Some(Dismissed::Banner(alert.clone()));
                    }
                });
            });
    }
    if let Some(r) = v.latest.filter(|_| v.playing)
        && let Some(advice) = r.judgment.framing.advice(r.judgment.facing, v.mirrored)
    {
        ui.label(
            RichText::new(format!("Camera set-up: {advice}"))
                .size(17.0)
                .color(Color32::from_rgb(240, 200, 80)),
        );
    }
    if v.calibrating {
        let status = v.latest.and_then(|r| r.judgment.calibration);
        let (text, done) = match status {
            Some(s) => (s.message(), s.done()),
            None => ("Calibration starts with the next frame…".to_string(), 0.0),
        };
        ui.label(RichText::new(text).size(22.0).strong());
        ui.add(egui::ProgressBar::new(done).show_percentage());
    }
    if let Some(e) = &v.output_error {
        ui.label(RichText::new(e).weak());
    }
    let Some((texture, size)) = v.texture else {
        ui.label(if v.playing {
            "opening the source and loading the models…"
        } else {
            "nothing playing: choose Camera, Demo or a video above"
        });
        return dismissed;
    };
    // Fit the video into the space left, keeping its aspect ratio.
    let avail = ui.available_size();
    let scale = (avail.x / size.x).min(avail.y / size.y).max(0.01);
    let uv = if v.mirrored {
        egui::Rect::from_min_max(egui::pos2(1.0, 0.0), egui::pos2(0.0, 1.0))
    } else {
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0))
    };
    let response = ui.add(egui::Image::new((texture, size * scale)).uv(uv));
    if let Some(r) = v.latest
        && let Some(pose) = &r.pose
    {
        overlay::draw(
            ui.painter(),
            response.rect,
            pose,
            r.judgment.metrics.as_ref(),
            &r.judgment.state.levels,
            v.min_visibility,
            v.mirrored,
        );
    }
    dismissed
}
