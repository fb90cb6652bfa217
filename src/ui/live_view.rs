//! The middle of the window: what the user must see first (a message, the alert banner, camera
//! set-up advice, the calibration's countdown), then the video with the skeleton and the plumb
//! line over it.

use eframe::egui::{self, Color32, RichText};

use super::notice::Notice;
use super::overlay;
use crate::geometry::alerts::Alert;
use crate::geometry::framing::Framing;
use crate::pipeline::live::LiveResult;

/// What the live view shows, borrowed from the app.
#[derive(Debug)]
pub struct LiveView<'a> {
    /// A message for the user and whether it is an error.
    pub notice: Option<&'a Notice>,
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
    /// How a calibration ended, until dismissed: what to tell the user and whether it worked.
    pub calibration_result: Option<&'a Notice>,
    /// The window's height, in the practice view: its messages are sized from it, to be read
    /// from where the user stands. `None`: the detailed view's sizes.
    pub practice_height: Option<f32>,
}

/// What the user dismissed.
#[derive(Debug, Clone, PartialEq)]
pub enum Dismissed {
    Notice,
    Banner(Alert),
    CalibrationResult,
}

/// The size of a message whose detailed-view size is `detail`: in the practice view, `share`
/// of the window's height if that is larger.
fn sized(v: &LiveView<'_>, detail: f32, share: f32) -> f32 {
    v.practice_height
        .map_or(detail, |h| (h * share).max(detail))
}

pub fn show(ui: &mut egui::Ui, v: LiveView<'_>) -> Option<Dismissed> {
    let mut dismissed = None;
    if let Some(notice) = v.notice {
        // The button first, then the text wrapped in the rest of the row: a long path is
        // broken over lines, never cut at the window's edge.
        ui.horizontal_top(|ui| {
            if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                dismissed = Some(Dismissed::Notice);
            }
            notice.label(ui);
        });
    }
    if let Some(alert) = v.banner {
        egui::Frame::new()
            .fill(Color32::from_rgb(150, 30, 30))
            .inner_margin(8.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                // The button first, then the message wrapped in the rest of the row: in big
                // type it takes two lines rather than run past the window's edge.
                ui.horizontal_top(|ui| {
                    if ui.button("Dismiss").clicked() {
                        dismissed = Some(Dismissed::Banner(alert.clone()));
                    }
                    ui.add(
                        egui::Label::new(
                            RichText::new(&alert.message)
                                .size(sized(&v, 20.0, 0.045))
                                .color(Color32::WHITE)
                                .strong(),
                        )
                        .wrap(),
                    );
                });
            });
    }
    if let Some(r) = v.latest.filter(|_| v.playing) {
        let light = r.judgment.light.advice();
        // In the dark "step into view" is wrong: the person may be there, unseen.
        let framing = r
            .judgment
            .framing
            .advice(r.judgment.facing, v.mirrored)
            .filter(|_| light.is_none() || r.judgment.framing != Framing::NoPerson);
        for (what, advice) in [("Light", light), ("Camera set-up", framing)] {
            if let Some(advice) = advice {
                ui.label(
                    RichText::new(format!("{what}: {advice}"))
                        .size(sized(&v, 17.0, 0.035))
                        .color(Color32::from_rgb(240, 200, 80)),
                );
            }
        }
    }
    if let Some(e) = &v.output_error {
        ui.label(RichText::new(e).weak());
    }
    let Some((texture, size)) = v.texture else {
        // No picture to draw over: the calibration says where it stands in plain lines.
        if v.calibrating {
            ui.label(RichText::new(calibration_text(&v).0).size(22.0).strong());
        }
        if let Some(result) = v.calibration_result {
            ui.add(egui::Label::new(RichText::new(result.text()).size(22.0)).wrap());
        }
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
    if v.calibrating {
        calibration_overlay(ui, &v, response.rect);
    }
    if let Some(result) = v.calibration_result
        && calibration_card(ui, &v, response.rect, result.text(), !result.is_error())
    {
        dismissed = Some(Dismissed::CalibrationResult);
    }
    dismissed
}

/// The calibration's headline (the countdown's number, or HOLD STILL) and what to do.
fn calibration_text(v: &LiveView<'_>) -> (String, String, f32) {
    match v.latest.and_then(|r| r.judgment.calibration) {
        Some(s) => match s.count() {
            Some(n) => (n.to_string(), s.instruction().to_string(), 0.0),
            None => (
                "HOLD STILL".to_string(),
                s.instruction().to_string(),
                s.done(),
            ),
        },
        None => (
            "…".to_string(),
            "Calibration starts with the next frame".to_string(),
            0.0,
        ),
    }
}

/// The window's height the overlay's type is sized from.
fn type_height(ui: &egui::Ui, v: &LiveView<'_>) -> f32 {
    v.practice_height
        .unwrap_or_else(|| ui.ctx().content_rect().height())
}

/// Over the middle of the video: the countdown in a number the user reads from where they
/// stand, or HOLD STILL and the capture's progress.
fn calibration_overlay(ui: &mut egui::Ui, v: &LiveView<'_>, video: egui::Rect) {
    let h = type_height(ui, v);
    let (headline, instruction, done) = calibration_text(v);
    let card = egui::Rect::from_center_size(
        video.center(),
        egui::vec2(video.width() * 0.9, video.height() * 0.7),
    );
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(card)
            .layout(egui::Layout::top_down(egui::Align::Center)),
    );
    egui::Frame::new()
        .fill(Color32::from_black_alpha(150))
        .inner_margin(h * 0.02)
        .corner_radius(8.0)
        .show(&mut child, |ui| {
            let big = if headline.len() <= 2 { 0.22 } else { 0.1 };
            ui.label(
                RichText::new(headline)
                    .size(h * big)
                    .strong()
                    .color(Color32::WHITE),
            );
            ui.add(
                egui::Label::new(
                    RichText::new(instruction)
                        .size(h * 0.045)
                        .color(Color32::WHITE),
                )
                .wrap(),
            );
            if done > 0.0 {
                ui.add(egui::ProgressBar::new(done).desired_height(h * 0.025));
            }
        });
}

/// At the bottom of the video: how the calibration ended, in large wrapping text. `true`
/// when dismissed.
fn calibration_card(
    ui: &mut egui::Ui,
    v: &LiveView<'_>,
    video: egui::Rect,
    text: &str,
    ok: bool,
) -> bool {
    let h = type_height(ui, v);
    // From 60% down the picture, growing downward as the text wraps: the person's head
    // and trunk stay in view.
    let area = egui::Rect::from_min_max(
        egui::pos2(video.left() + 8.0, video.top() + video.height() * 0.6),
        egui::pos2(video.right() - 8.0, video.bottom() - 8.0),
    );
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(area)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    let edge = if ok {
        Color32::from_rgb(46, 190, 80)
    } else {
        Color32::from_rgb(240, 170, 20)
    };
    let mut dismissed = false;
    egui::Frame::new()
        .fill(Color32::from_black_alpha(200))
        .stroke(egui::Stroke::new(3.0, edge))
        .inner_margin(h * 0.015)
        .corner_radius(6.0)
        .show(&mut child, |ui| {
            ui.horizontal_top(|ui| {
                if ui.button("✖").on_hover_text("Dismiss").clicked() {
                    dismissed = true;
                }
                ui.add(
                    egui::Label::new(RichText::new(text).size(h * 0.035).color(Color32::WHITE))
                        .wrap(),
                );
            });
        });
    dismissed
}
