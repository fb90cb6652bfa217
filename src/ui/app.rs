//! The app's state and its frame-by-frame drawing. The analysis runs on its own threads
//! ([`LiveAnalysis`]): the window sends it commands, takes its newest result and its events,
//! and draws them — the live view with its overlay and alert banner, and the side panel. Slow
//! work (file dialogs, listing cameras, the session store) runs on threads of its own.
//!
//! The state is here; what changes it is split by where the change comes from: the analysis
//! ([`events`]), the user ([`actions`]), and the drawing that reads it ([`panels`]). The
//! drawing of each part (toolbar, live view, panel, practice view, settings) and the
//! lifecycles (recordings, screenshot, statistics, the practice clock) live in files of their
//! own.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use eframe::egui::{self, TextureHandle};

mod actions;
mod events;
mod panels;

use super::alerts::{AlertGate, AlertOutputs};
use super::background::Pending;
use super::history::SessionBrowser;
use super::input::Input;
use super::notice::Notice;
use super::options::AppOptions;
use super::panel::LivePlot;
use super::practice::PracticeClock;
use super::recording::Recordings;
use super::screenshot::Screenshot;
use super::settings::SettingsWindow;
use super::stats::UiStats;
use super::toolbar::{self, Action, ToolbarView};
use crate::pipeline::analyzer::AnalysisConfig;
use crate::pipeline::live::{LiveAnalysis, LiveResult, Waker};
use crate::pose::EngineConfig;
use crate::settings::{Settings, ViewMode};
use crate::source::camera::CameraBackend;

/// How long "Snooze" silences alerts.
const SNOOZE: Duration = Duration::from_secs(15 * 60);
/// How long closing the window waits for a recording to be saved.
const SAVE_ON_EXIT: Duration = Duration::from_secs(10);

/// The plumbline window.
pub struct PlumblineApp {
    engine: EngineConfig,
    settings: Settings,
    data_dir: Option<PathBuf>,
    cameras: Option<Arc<dyn CameraBackend>>,
    input: Input,
    analysis: LiveAnalysis,
    /// The number of the source opened last (the analysis counts the same way).
    source: u64,
    /// A source is open or opening.
    playing: bool,
    /// What the source says it is, once open.
    source_description: Option<String>,
    texture: Option<TextureHandle>,
    latest: Option<Box<LiveResult>>,
    plot: LivePlot,
    notice: Option<Notice>,
    /// A calibration was asked for and has not ended.
    calibrating: bool,
    recordings: Recordings,
    gate: AlertGate,
    outputs: AlertOutputs,
    browser: Option<SessionBrowser>,
    browser_open: bool,
    settings_window: SettingsWindow,
    dialog: Option<Pending<Option<PathBuf>>>,
    path_input: String,
    screenshot: Option<Screenshot>,
    stats: UiStats,
    /// Settings changed and not yet saved, since when (a drag changes them every frame).
    unsaved_since: Option<Instant>,
    /// Where a screenshot run reports the error that ended it (see [`Self::failures_to`]).
    failures: Option<Arc<OnceLock<String>>>,
    /// The practice view or the detailed panel.
    view: ViewMode,
    fullscreen: bool,
    /// How the last calibration ended (what to say, and whether it worked), until dismissed.
    calibration_result: Option<Notice>,
    practice: PracticeClock,
}

impl std::fmt::Debug for PlumblineApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlumblineApp")
            .field("input", &self.input)
            .field("source", &self.source)
            .field("playing", &self.playing)
            .finish_non_exhaustive()
    }
}

impl PlumblineApp {
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> Self {
        let data_dir = crate::session::store::data_dir(options.data_dir.as_deref());
        let (settings, problem) = match &data_dir {
            Ok(dir) => Settings::load(dir),
            Err(e) => (
                Settings::default(),
                Some(format!("{e}; settings and sessions cannot be saved")),
            ),
        };
        // The data folder is made the user's alone on first use, and the user told.
        let tightened = match &data_dir {
            Ok(dir) => crate::session::store::tighten_dir(dir),
            Err(_) => Vec::new(),
        };
        let lines: Vec<String> = problem.into_iter().chain(tightened).collect();
        let notice = (!lines.is_empty()).then(|| Notice::error(lines.join("\n")));
        let engine = options.engine_for(settings.model);
        let ctx = cc.egui_ctx.clone();
        let analysis = LiveAnalysis::start(
            AnalysisConfig {
                engine: engine.clone(),
                judge: settings.judge_config(),
            },
            Some(repaint_waker(ctx)),
        );
        let data_dir = data_dir.ok();
        let mut app = Self {
            engine,
            browser: data_dir.clone().map(SessionBrowser::new),
            settings,
            data_dir,
            cameras: options.cameras,
            input: Input::Camera,
            analysis,
            source: 0,
            playing: false,
            source_description: None,
            texture: None,
            latest: None,
            plot: LivePlot::default(),
            notice,
            calibrating: false,
            recordings: Recordings::default(),
            gate: AlertGate::default(),
            outputs: match options.speech.clone() {
                Some(speech) => AlertOutputs::with_speech(speech),
                None => AlertOutputs::new(),
            },
            browser_open: false,
            settings_window: SettingsWindow::default(),
            dialog: None,
            path_input: String::new(),
            screenshot: options
                .screenshot
                .map(|p| Screenshot::new(p, options.frames)),
            stats: UiStats::default(),
            unsaved_since: None,
            failures: None,
            view: ViewMode::Practice,
            fullscreen: options.fullscreen,
            calibration_result: None,
            practice: PracticeClock::default(),
        };
        app.view = options.view.unwrap_or(app.settings.view);
        // The voice starts now, so whether there is one is known (and said) before the first
        // alert.
        app.outputs.prepare(&app.settings.alerts);
        app.open(match options.source {
            Some(path) => Input::File(path),
            None => Input::Camera,
        });
        if options.record {
            app.start_recording();
        }
        if options.calibrate {
            app.act(&cc.egui_ctx, Action::ToggleCalibration);
        }
        app
    }

    /// In a screenshot run, the first error that ends the source (it or the model could not
    /// open, the engine stopped) is also put in `slot`, so the command can fail once the
    /// window has closed rather than exit 0 with a picture of an error.
    pub fn failures_to(mut self, slot: Arc<OnceLock<String>>) -> Self {
        self.failures = Some(slot);
        self
    }

    /// The longest time one repaint has taken since the window opened, or since
    /// [`reset_longest_frame`](Self::reset_longest_frame).
    pub fn longest_frame(&self) -> Duration {
        self.stats.longest_frame()
    }

    pub fn reset_longest_frame(&mut self) {
        self.stats.reset_longest_frame();
    }

    /// Saves what is unsaved and waits for recordings to be written (the window is closing).
    fn finish(&mut self) {
        if self.unsaved_since.is_some() {
            self.save_settings();
        }
        if self.stats.results_shown() > 0 {
            tracing::info!("{}", self.stats.summary());
            self.stats = UiStats::default();
        }
        self.analysis.record(None);
        self.analysis.stop_source();
        self.recordings.finish_all(SAVE_ON_EXIT);
    }
}

impl eframe::App for PlumblineApp {
    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.stats.frame_start();
        // The window manager may have left full screen on its own.
        self.fullscreen = ctx.input(|i| i.viewport().fullscreen.unwrap_or(self.fullscreen));
        self.take_results(ctx);
        self.poll_recordings();
        self.poll_dialog();
        if let Some(action) = toolbar::shortcuts(ctx) {
            self.act(ctx, action);
        }
        // Counted in the source's frames, not in repaints: a busy machine paints fewer results
        // than the model makes, and the picture must show the same moment of a video.
        let analysed = self.latest.as_ref().map_or(0, |r| r.frame.index + 1);
        if let Some(s) = &mut self.screenshot
            && let Some(saved) = s.handle(ctx, analysed)
        {
            if let (Err(e), Some(slot)) = (saved, &self.failures) {
                let _ = slot.set(e);
            }
            self.screenshot = None;
        }
        let now = Instant::now();
        let recording = self.recordings.status();
        let action = egui::TopBottomPanel::top("toolbar")
            .show(ctx, |ui| {
                toolbar::show(
                    ui,
                    ToolbarView {
                        input: &self.input,
                        playing: self.playing,
                        calibrating: self.calibrating,
                        calibrated: self.settings.baseline.is_some(),
                        recording,
                        muted: self.gate.is_muted(),
                        snoozed_until: self.gate.snoozed_until(now),
                        dialog_open: self.dialog.is_some(),
                        path_input: &mut self.path_input,
                    },
                )
            })
            .inner;
        if let Some(action) = action {
            self.act(ctx, action);
        }
        match self.view {
            ViewMode::Details => self.details_panel(ctx),
            ViewMode::Practice => self.practice_panel(ctx, now),
        }
        egui::CentralPanel::default().show(ctx, |ui| self.central(ui));
        if let Some(b) = &mut self.browser {
            b.set_report_options(&self.settings.report);
            b.show(ctx, &mut self.browser_open);
        }
        self.settings_window(ctx);
        if self
            .unsaved_since
            .is_some_and(|t| t.elapsed() >= Duration::from_millis(500))
        {
            self.save_settings();
        }
        // Results and events wake the window (the analysis asks for a repaint); otherwise it
        // repaints only on input, or to tick a clock, a countdown or a pending save.
        if self.screenshot.as_ref().is_some_and(Screenshot::asked) {
            ctx.request_repaint_after(Duration::from_millis(15));
        } else if self.unsaved_since.is_some() || self.recordings.is_finishing() {
            ctx.request_repaint_after(Duration::from_millis(100));
        } else if self.recordings.is_recording() {
            ctx.request_repaint_after(Duration::from_millis(500));
        } else if self.playing && self.settings.goal().is_some() {
            // The goal's clock ticks even when no frame comes (a still picture, a slow model).
            ctx.request_repaint_after(Duration::from_millis(500));
        }
        self.stats.frame_end();
    }
}

/// The one way the window ends: eframe drops the app when the window closes (before `run_native`
/// returns), and so does an unwinding panic, so what is unsaved is saved and recordings are
/// written either way.
impl Drop for PlumblineApp {
    fn drop(&mut self) {
        self.finish();
    }
}

/// What the analysis calls with each result: one repaint of the window. egui answers
/// `request_repaint()` with two passes (the second to let layout settle), which at camera rate
/// doubles the painting for nothing; any delay above zero asks for exactly one.
fn repaint_waker(ctx: egui::Context) -> Waker {
    Arc::new(move || ctx.request_repaint_after(Duration::from_millis(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Passes the window runs after `wake`, as eframe runs them: while the last pass asked
    /// for another within a frame's time.
    fn passes_after(wake: impl Fn(&egui::Context)) -> u32 {
        let ctx = egui::Context::default();
        let pass = |ctx: &egui::Context| {
            let out = ctx.run(egui::RawInput::default(), |ctx| {
                egui::CentralPanel::default().show(ctx, |ui| ui.label("a result"));
            });
            out.viewport_output[&egui::ViewportId::ROOT].repaint_delay
        };
        // Until the first layout has settled.
        while pass(&ctx) < Duration::from_millis(16) {}
        wake(&ctx);
        let mut passes = 0;
        while ctx.has_requested_repaint() && passes < 10 {
            passes += 1;
            if pass(&ctx) >= Duration::from_millis(16) {
                break;
            }
        }
        passes
    }

    #[test]
    fn a_result_repaints_the_window_once() {
        assert_eq!(passes_after(|ctx| repaint_waker(ctx.clone())()), 1);
        // What it replaced: a plain request repaints twice.
        assert_eq!(passes_after(egui::Context::request_repaint), 2);
    }
}
