//! The practice view: what a person two or three metres from the screen needs beside the
//! video — the state in one big coloured word, the cue, the judged measures as bars against
//! their bands, the recording time and the goal — in type sized from the window's height.

use std::time::Duration;

use eframe::egui::{self, Align, Color32, Layout, RichText, Stroke, StrokeKind};

use super::overlay::state_colour;
use super::panel::{Row, row_of};
use crate::format::clock;
use crate::geometry::MetricId;
use crate::geometry::preset::Measure;
use crate::geometry::state::PostureState;
use crate::pipeline::live::LiveResult;
use crate::settings::Settings;

mod goal;
pub use goal::{Goal, PracticeClock};

/// The state word's type, as a share of the window's height: 8% or more reads at 3 m on a
/// laptop screen.
pub const STATE_TYPE: f32 = 0.085;
/// The cue's type: 5% or more.
pub const CUE_TYPE: f32 = 0.052;
/// The measures' names and values, the recording time and the goal.
const DETAIL_TYPE: f32 = 0.034;
/// At most this many measures get a bar (the worst ones, shown in table order).
const MAX_BARS: usize = 3;
/// The practice column beside the video, as a share of the window's width (within limits).
const SIDE_SHARE: f32 = 0.36;
/// The practice strip under the video, as a share of the window's height.
const BELOW_SHARE: f32 = 0.36;

/// What the practice view shows, borrowed from the app.
#[derive(Debug)]
pub struct PracticeView<'a> {
    pub latest: Option<&'a LiveResult>,
    pub playing: bool,
    pub calibrating: bool,
    pub settings: &'a Settings,
    /// How long the recording under way has run.
    pub recording: Option<Duration>,
    pub goal: Option<Goal>,
    /// The window's height in points: the type is sized from it.
    pub height: f32,
    pub fullscreen: bool,
}

/// What the user asked for in the practice view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PracticeAction {
    ShowDetails,
    ToggleFullscreen,
}

/// Where the practice view goes: beside the video or under it, whichever leaves the video
/// larger (a 4:3 camera beside, a wide video under).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// A column of this width on the right.
    Side(f32),
    /// A strip of this height at the bottom.
    Below(f32),
}

/// The placement for a window whose content area is `area`, showing a video of `video`
/// pixels (`None`: not known yet, taken as 4:3).
pub fn placement(area: egui::Vec2, video: Option<egui::Vec2>) -> Placement {
    let video = video.unwrap_or(egui::vec2(4.0, 3.0));
    let side = (area.x * SIDE_SHARE).clamp(380.0, 620.0);
    let below = area.y * BELOW_SHARE;
    let fit = |w: f32, h: f32| (w / video.x).min(h / video.y);
    if fit(area.x, area.y - below) > 1.05 * fit(area.x - side, area.y) {
        Placement::Below(below)
    } else {
        Placement::Side(side)
    }
}

/// Draws the practice view in `ui` (a column, or a strip when `placement` is below).
pub fn show(
    ui: &mut egui::Ui,
    v: &PracticeView<'_>,
    placement: Placement,
) -> Option<PracticeAction> {
    let mut action = None;
    match placement {
        Placement::Side(_) => {
            state_and_cue(ui, v);
            ui.add_space(v.height * 0.02);
            action = measures_and_time(ui, v);
        }
        Placement::Below(_) => {
            ui.columns(2, |cols| {
                state_and_cue(&mut cols[0], v);
                action = measures_and_time(&mut cols[1], v);
            });
        }
    }
    action
}

/// The state word and the cue.
fn state_and_cue(ui: &mut egui::Ui, v: &PracticeView<'_>) {
    let current = v.latest.filter(|_| v.playing);
    let (word, colour) = if !v.playing {
        ("STOPPED".to_string(), state_colour(PostureState::Unknown))
    } else if v.calibrating {
        ("CALIBRATING".to_string(), Color32::from_rgb(120, 180, 255))
    } else {
        let state = current.map_or(PostureState::Unknown, |r| r.judgment.state.state);
        (state.name().to_uppercase(), state_colour(state))
    };
    ui.add(
        egui::Label::new(
            RichText::new(word)
                .size(v.height * STATE_TYPE)
                .strong()
                .color(colour),
        )
        .wrap(),
    );
    let cue = if !v.playing {
        Some("press Start to go on".to_string())
    } else if v.calibrating {
        None
    } else {
        current
            .and_then(|r| r.judgment.cue)
            .map(|c| c.text.to_string())
    };
    if let Some(cue) = cue {
        ui.add(
            egui::Label::new(
                RichText::new(cue)
                    .size(v.height * CUE_TYPE)
                    .color(Color32::from_gray(235)),
            )
            .wrap(),
        );
    }
}

/// The measures' bars, the recording time, the goal, and the way to the details.
fn measures_and_time(ui: &mut egui::Ui, v: &PracticeView<'_>) -> Option<PracticeAction> {
    let size = v.height * DETAIL_TYPE;
    if let Some(r) = v.latest.filter(|_| v.playing && !v.calibrating) {
        for row in shown_rows(r, v.settings) {
            bar(ui, &row, size);
            ui.add_space(size * 0.4);
        }
        if v.settings.baseline.is_none() {
            ui.label(
                RichText::new(
                    "absolute values: calibrate (C) to judge change from your own stance",
                )
                .size(size * 0.55)
                .weak(),
            );
        }
    }
    if let Some(ran) = v.recording {
        ui.label(
            RichText::new(format!("⏺ REC {}", clock(ran)))
                .size(size)
                .strong()
                .color(Color32::from_rgb(230, 60, 60)),
        );
    }
    if let Some(goal) = v.goal {
        let colour = if goal.reached() {
            state_colour(PostureState::Aligned)
        } else {
            Color32::from_gray(225)
        };
        ui.add(egui::Label::new(RichText::new(goal.describe()).size(size).color(colour)).wrap());
    }
    let mut action = None;
    ui.with_layout(Layout::bottom_up(Align::Min), |ui| {
        ui.horizontal(|ui| {
            if ui
                .button("Details (D)")
                .on_hover_text("Every metric, the plot and the diagnostics")
                .clicked()
            {
                action = Some(PracticeAction::ShowDetails);
            }
            let full = if v.fullscreen {
                "Leave full screen (Esc)"
            } else {
                "Full screen (F11)"
            };
            if ui.button(full).clicked() {
                action = Some(PracticeAction::ToggleFullscreen);
            }
        });
    });
    action
}

/// The measures that get a bar: those the preset judges and the view can measure, the worst
/// [`MAX_BARS`] of them, in table order.
fn shown_rows<'a>(r: &'a LiveResult, settings: &'a Settings) -> Vec<Row<'a>> {
    let view = r.judgment.metrics.and_then(|m| m.view);
    let mut rows: Vec<Row<'a>> = MetricId::judged()
        .filter(|&id| settings.preset.judges_metric(id))
        .filter(|&id| view.is_none_or(|view| id.measurable_in(view)))
        .map(|id| row_of(r, id, settings))
        // The plumb line is judged only when standing still: no bar while it has no value.
        .filter(|row| row.judged.value.is_some() || Measure::of(row.id) != Measure::PlumbLine)
        .collect();
    let severity = |s: PostureState| match s {
        PostureState::Misaligned => 0,
        PostureState::Drifting => 1,
        PostureState::Aligned => 2,
        PostureState::Unknown => 3,
    };
    rows.sort_by_key(|row| severity(row.level));
    rows.truncate(MAX_BARS);
    rows.sort_by_key(|row| row.id as usize);
    rows
}

/// The name a measure's bar carries: the physiotherapist's measure, or the plumb line's point.
fn bar_name(id: MetricId) -> &'static str {
    match Measure::of(id) {
        Measure::PlumbLine => id.label(),
        m => m.label(),
    }
}

/// One measure: its name and value above a bar of its bands (aligned, drifting, misaligned
/// to either side of zero) with a marker at the value and the baseline's spread around it.
fn bar(ui: &mut egui::Ui, row: &Row<'_>, size: f32) {
    let colour = state_colour(row.level);
    let value = row
        .value_text(false)
        .unwrap_or_else(|| row.missing.unwrap_or("not seen").to_string());
    ui.horizontal(|ui| {
        ui.label(RichText::new(bar_name(row.id)).size(size));
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            let text = RichText::new(value).size(if row.judged.value.is_some() {
                size
            } else {
                size * 0.6
            });
            ui.label(text.strong().color(colour));
        });
    });
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), size * 0.8),
        egui::Sense::hover(),
    );
    let painter = ui.painter_at(rect.expand(6.0));
    let Some(band) = row.band else {
        painter.rect_filled(rect, 3.0, Color32::from_gray(60));
        return;
    };
    // The bar spans half again the misaligned threshold to each side of zero.
    let range = band.misaligned * 1.5;
    let x = |v: f32| rect.center().x + (v / range).clamp(-1.0, 1.0) * rect.width() / 2.0;
    let zone = |from: f32, to: f32, state: PostureState| {
        let c = state_colour(state);
        let fill = Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), 90);
        for (a, b) in [(from, to), (-to, -from)] {
            let r = egui::Rect::from_x_y_ranges(x(a).min(x(b))..=x(a).max(x(b)), rect.y_range());
            painter.rect_filled(r, 0.0, fill);
        }
    };
    zone(0.0, band.drifting, PostureState::Aligned);
    zone(band.drifting, band.misaligned, PostureState::Drifting);
    zone(band.misaligned, range, PostureState::Misaligned);
    painter.line_segment(
        [
            egui::pos2(x(0.0), rect.top()),
            egui::pos2(x(0.0), rect.bottom()),
        ],
        Stroke::new(1.0, Color32::from_gray(200)),
    );
    painter.rect_stroke(
        rect,
        3.0,
        Stroke::new(1.0, Color32::from_gray(120)),
        StrokeKind::Inside,
    );
    let Some(v) = row.judged.value else {
        return;
    };
    // The value is judged by its size either way; the marker shows its sign too.
    if let Some(spread) = row.judged.spread {
        let r = egui::Rect::from_x_y_ranges(
            x(v - spread.std)..=x(v + spread.std),
            rect.top() + 3.0..=rect.bottom() - 3.0,
        );
        painter.rect_filled(r, 2.0, Color32::from_white_alpha(70));
    }
    let marker = egui::Rect::from_center_size(
        egui::pos2(x(v), rect.center().y),
        egui::vec2(8.0, rect.height() + 6.0),
    );
    painter.rect_filled(marker, 2.0, Color32::WHITE);
    painter.rect_stroke(marker, 2.0, Stroke::new(2.0, colour), StrokeKind::Outside);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_goal_counts_down_to_the_second_and_then_says_it_is_reached() {
        let goal = |practised_ms: u64, target_s: u64| Goal {
            practised: Duration::from_millis(practised_ms),
            target: Duration::from_secs(target_s),
        };
        assert_eq!(goal(0, 600).describe(), "10:00 left of 10 min");
        assert_eq!(goal(167_500, 600).describe(), "7:13 left of 10 min");
        assert_eq!(goal(599_900, 600).describe(), "0:01 left of 10 min");
        assert_eq!(
            goal(600_000, 600).describe(),
            "10 min goal reached: well done"
        );
        assert_eq!(goal(0, 150).describe(), "2:30 left of 2.5 min");
        assert_eq!(
            goal(600_000, 600).spoken(),
            "10 minutes of practice done. Well done."
        );
    }

    #[test]
    fn the_view_goes_beside_a_camera_picture_and_under_a_wide_video() {
        let window = egui::vec2(1280.0, 770.0);
        assert!(matches!(
            placement(window, Some(egui::vec2(640.0, 480.0))),
            Placement::Side(w) if (380.0..=620.0).contains(&w)
        ));
        assert!(matches!(
            placement(window, Some(egui::vec2(1280.0, 720.0))),
            Placement::Below(_)
        ));
        // A portrait phone video: beside.
        assert!(matches!(
            placement(window, Some(egui::vec2(720.0, 1280.0))),
            Placement::Side(_)
        ));
        // Nothing shown yet: as a camera.
        assert!(matches!(placement(window, None), Placement::Side(_)));
    }
}
