//! The window's parts drawn from its state: the live view, the detailed panel and the
//! practice view.

use std::time::Instant;

use eframe::egui;

use super::PlumblineApp;
use crate::settings::ViewMode;
use crate::ui::input::Input;
use crate::ui::live_view::{self, Dismissed, LiveView};
use crate::ui::panel::{self, PanelView};
use crate::ui::practice::{self, Goal, Placement, PracticeAction, PracticeView};
use crate::ui::toolbar::Action;

impl PlumblineApp {
    pub(super) fn central(&mut self, ui: &mut egui::Ui) {
        let now = Instant::now();
        let latest = self.latest.as_deref();
        let view = LiveView {
            notice: self.notice.as_ref(),
            banner: latest.and_then(|r| self.gate.banner(&r.judgment.alerts.banners, now)),
            latest,
            playing: self.playing,
            calibrating: self.calibrating,
            output_error: self.outputs.last_error(),
            texture: self.texture.as_ref().map(|t| (t.id(), t.size_vec2())),
            min_visibility: self.settings.min_visibility,
            mirrored: self.settings.mirror_video,
            calibration_result: self.calibration_result.as_ref(),
            practice_height: (self.view == ViewMode::Practice)
                .then(|| ui.ctx().content_rect().height()),
        };
        match live_view::show(ui, view) {
            Some(Dismissed::Notice) => self.notice = None,
            Some(Dismissed::Banner(alert)) => self.gate.dismiss(&alert),
            Some(Dismissed::CalibrationResult) => self.calibration_result = None,
            None => {}
        }
    }

    /// The detailed panel on the right: every metric, the plot, the diagnostics.
    pub(super) fn details_panel(&mut self, ctx: &egui::Context) {
        let view = PanelView {
            latest: self.latest.as_deref(),
            playing: self.playing,
            settings: &self.settings,
            plot: &self.plot,
            fps: self.stats.results.per_s(),
            display_latency: self.stats.display_latency,
            paint_fps: self.stats.paint.per_s(),
            cpu: self.stats.cpu.as_ref(),
            // A file's description names it already; the camera and the demo say what they are.
            source: match (&self.source_description, &self.input) {
                (Some(d), Input::File(_)) => d.clone(),
                (Some(d), _) => format!("{} ({d})", self.input.describe()),
                (None, _) => self.input.describe(),
            },
            model: self.engine.model,
        };
        let practice = egui::SidePanel::right("panel")
            .min_width(360.0)
            .show(ctx, |ui| panel::show(ui, &view))
            .inner;
        if practice {
            self.act(ctx, Action::ToggleView);
        }
    }

    /// The practice view beside or under the video, whichever leaves the video larger.
    pub(super) fn practice_panel(&mut self, ctx: &egui::Context, now: Instant) {
        let goal = self.goal(now);
        let area = ctx.available_rect().size();
        let placement = practice::placement(area, self.texture.as_ref().map(|t| t.size_vec2()));
        let view = PracticeView {
            latest: self.latest.as_deref(),
            playing: self.playing,
            calibrating: self.calibrating,
            settings: &self.settings,
            recording: self.recordings.status().map(|(ran, _)| ran),
            goal,
            height: ctx.content_rect().height(),
            fullscreen: self.fullscreen,
        };
        let frame = egui::Frame::side_top_panel(&ctx.style()).inner_margin(12.0);
        let action = match placement {
            Placement::Side(width) => {
                egui::SidePanel::right("practice")
                    .exact_width(width)
                    .resizable(false)
                    .frame(frame)
                    .show(ctx, |ui| practice::show(ui, &view, placement))
                    .inner
            }
            Placement::Below(height) => {
                egui::TopBottomPanel::bottom("practice")
                    .exact_height(height)
                    .resizable(false)
                    .frame(frame)
                    .show(ctx, |ui| practice::show(ui, &view, placement))
                    .inner
            }
        };
        match action {
            Some(PracticeAction::ShowDetails) => self.act(ctx, Action::ToggleView),
            Some(PracticeAction::ToggleFullscreen) => self.act(ctx, Action::ToggleFullscreen),
            None => {}
        }
    }

    /// Where the practice stands against its goal, if one is set; says so once when reached.
    pub(super) fn goal(&mut self, now: Instant) -> Option<Goal> {
        let (goal, reached_now) = self.practice.progress(now, self.settings.goal())?;
        if reached_now && self.gate.lets_through(now) {
            self.outputs.announce(&goal.spoken(), &self.settings.alerts);
        }
        Some(goal)
    }
}
