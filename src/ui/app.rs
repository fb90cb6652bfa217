//! The app's state and its frame-by-frame drawing. The analysis runs on its own threads
//! ([`LiveAnalysis`]): the window sends it commands, takes its newest result and its events,
//! and draws them — the live view with its overlay and alert banner, and the side panel. Slow
//! work (file dialogs, listing cameras, the session store) runs on threads of its own.
//!
//! This file is long because it is where every user action and every analysis event meets the
//! window's one state (what plays, what records, what is calibrating, what to tell the user);
//! the drawing (toolbar, live view, panel, settings) and the lifecycles (recordings,
//! screenshot, statistics) live in their own files.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use eframe::egui::{self, ColorImage, TextureHandle, TextureOptions};

use super::alerts::{AlertGate, AlertOutputs};
use super::background::Pending;
use super::history::SessionBrowser;
use super::input::{self, Input};
use super::live_view::{self, Dismissed, LiveView};
use super::options::AppOptions;
use super::panel::{self, LivePlot, PanelView};
use super::practice::{self, Goal, Placement, PracticeAction, PracticeView};
use super::recording::Recordings;
use super::screenshot::Screenshot;
use super::settings::SettingsWindow;
use super::stats::UiStats;
use super::toolbar::{self, Action, ToolbarView};
use crate::format::clock;
use crate::geometry::MetricId;
use crate::geometry::calibration::{Baseline, CalibrationError};
use crate::pipeline::analyzer::AnalysisConfig;
use crate::pipeline::live::{LiveAnalysis, LiveEvent, LiveResult, Waker};
use crate::pose::EngineConfig;
use crate::session::store::SessionMeta;
use crate::settings::{Settings, ViewMode};
use crate::source::SourceError;
use crate::source::camera::CameraBackend;

/// How long "Snooze" silences alerts.
const SNOOZE: Duration = Duration::from_secs(15 * 60);
/// How long closing the window waits for a recording to be saved.
const SAVE_ON_EXIT: Duration = Duration::from_secs(10);

/// A message in the window, with how serious it is.
#[derive(Debug, Clone)]
struct Notice {
    text: String,
    error: bool,
}

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
    calibration_result: Option<(String, bool)>,
    practice: PracticeClock,
}

/// How long the current input has played, toward the practice goal.
#[derive(Debug, Default)]
struct PracticeClock {
    /// Played before the current stretch.
    banked: Duration,
    /// The current stretch started then.
    since: Option<Instant>,
    /// The goal was reached and said.
    announced: bool,
}

impl PracticeClock {
    fn played(&self, now: Instant) -> Duration {
        self.banked
            + self
                .since
                .map_or(Duration::ZERO, |t| now.saturating_duration_since(t))
    }

    fn resume(&mut self, now: Instant) {
        self.since.get_or_insert(now);
    }

    fn pause(&mut self, now: Instant) {
        self.banked = self.played(now);
        self.since = None;
    }
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
        let notice = (!lines.is_empty()).then(|| Notice {
            text: lines.join("\n"),
            error: true,
        });
        // A model chosen on the command line wins over the saved one for this run only: the
        // settings keep the saved one.
        let mut engine = options.engine;
        engine.model = options.model.unwrap_or(settings.model);
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

    /// Opens `input` on the analysis's side; returns at once. The window hears how it went.
    fn open(&mut self, input: Input) {
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

    fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }

    /// An error that ends the current source: shown, and the end of a screenshot run.
    fn failed(&mut self, text: String) {
        if self.screenshot.is_some()
            && let Some(slot) = &self.failures
        {
            let _ = slot.set(text.clone());
        }
        self.ended();
        self.error(text);
    }

    fn info(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    /// Takes the analysis's newest result and its events, in that order.
    fn take_results(&mut self, ctx: &egui::Context) {
        let (result, events) = self.analysis.poll();
        if let Some(r) = result.filter(|r| r.source == self.source) {
            self.show_result(ctx, r);
        }
        for e in events {
            self.on_event(e);
        }
    }

    fn on_event(&mut self, e: LiveEvent) {
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
    fn ended(&mut self) {
        self.playing = false;
        self.practice.pause(Instant::now());
        // A recording of this video is complete.
        self.stop_recording();
        // A screenshot waiting for frames that will never come is taken now.
        if let Some(s) = &mut self.screenshot {
            s.now();
        }
    }

    fn show_result(&mut self, ctx: &egui::Context, r: Box<LiveResult>) {
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

    fn calibrated(&mut self, done: Result<Baseline, CalibrationError>) {
        self.calibrating = false;
        match done {
            Ok(mut baseline) => {
                // The report says which stance a session was judged against, by its date.
                baseline.taken_ms = Some(crate::session::now_ms());
                let lean = baseline
                    .stat(MetricId::TrunkLeanFrontal)
                    .map_or(String::new(), |s| {
                        format!(": lean {:+.1}° ±{:.1}", s.mean, s.std)
                    });
                let camera = baseline
                    .camera_check()
                    .map_or(String::new(), |c| format!(" {}", c.advice()));
                self.calibration_result = Some((
                    format!(
                        "Calibrated from {} frames{lean}. Metrics now show change from this \
                         stance.{camera}",
                        baseline.frames
                    ),
                    true,
                ));
                // The analysis already judges against it; keep it for the next start.
                self.settings.baseline = Some(baseline);
                self.save_settings();
            }
            Err(e) => {
                self.calibration_result = Some((format!("Calibration not saved: {e}"), false))
            }
        }
    }

    fn save_settings(&mut self) {
        self.unsaved_since = None;
        let Some(dir) = &self.data_dir else {
            return;
        };
        if let Err(e) = self.settings.save(dir) {
            self.error(e.to_string());
        }
    }

    fn act(&mut self, ctx: &egui::Context, action: Action) {
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
                    self.analysis.calibrate(self.settings.calibration.clone());
                    self.calibrating = true;
                    self.calibration_result = None;
                }
            }
            Action::ForgetCalibration => {
                self.settings.baseline = None;
                self.analysis.set_baseline(None);
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

    fn set_fullscreen(&mut self, ctx: &egui::Context, on: bool) {
        if on != self.fullscreen {
            self.fullscreen = on;
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
        }
    }

    /// Where the practice stands against its goal, if one is set; says so once when reached.
    fn goal(&mut self, now: Instant) -> Option<Goal> {
        let goal = Goal {
            practised: self.practice.played(now),
            target: self.settings.goal()?,
        };
        if goal.reached() && !self.practice.announced {
            self.practice.announced = true;
            if self.gate.lets_through(now) {
                self.outputs.announce(&goal.spoken(), &self.settings.alerts);
            }
        }
        Some(goal)
    }

    fn poll_dialog(&mut self) {
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

    fn stop_recording(&mut self) {
        if let Some(ran) = self.recordings.stop() {
            self.analysis.record(None);
            self.info(format!("recording stopped after {}; saving…", clock(ran)));
        }
    }

    fn start_recording(&mut self) {
        let Some(dir) = self.data_dir.clone() else {
            self.error("no data folder: sessions cannot be recorded (set PLUMBLINE_DATA_DIR)");
            return;
        };
        let meta = SessionMeta {
            source: self.input.describe(),
            model: self.engine.model.name().to_string(),
            calibration: self.settings.baseline.clone(),
            preset: Some(self.settings.preset.clone().normalized()),
            thresholds: Some(self.settings.thresholds),
            notes: String::new(),
            goal_s: self.settings.goal().map(|g| g.as_secs_f64()),
        };
        let tx = self.recordings.start(&dir, meta);
        self.analysis.record(tx);
        self.notice = None;
    }

    /// Reports recordings that finished writing (or failed).
    fn poll_recordings(&mut self) {
        let news = self.recordings.poll();
        if !news.is_empty() && !self.recordings.is_recording() {
            // A recording that failed on its own no longer takes frames.
            self.analysis.record(None);
        }
        for n in news {
            self.notice = Some(Notice {
                text: n.text,
                error: n.error,
            });
            if let Some(b) = &mut self.browser {
                b.refresh();
            }
        }
    }

    fn settings_window(&mut self, ctx: &egui::Context) {
        let Some(before) = self
            .settings_window
            .show(ctx, &mut self.settings, &self.cameras)
        else {
            return;
        };
        let s = &self.settings;
        if s.thresholds != before.thresholds {
            self.analysis.set_thresholds(s.thresholds);
        }
        if s.alerts.rules != before.alerts.rules {
            self.analysis.set_alert_rules(s.alerts.rules.clone());
        }
        if s.preset != before.preset {
            self.analysis.set_preset(s.preset.clone());
        }
        if s.min_visibility != before.min_visibility {
            self.analysis.set_min_visibility(s.min_visibility);
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

    fn central(&mut self, ui: &mut egui::Ui) {
        let now = Instant::now();
        let latest = self.latest.as_deref();
        let view = LiveView {
            notice: self.notice.as_ref().map(|n| (n.text.as_str(), n.error)),
            banner: latest.and_then(|r| self.gate.banner(&r.judgment.alerts.banners, now)),
            latest,
            playing: self.playing,
            calibrating: self.calibrating,
            output_error: self.outputs.last_error(),
            texture: self.texture.as_ref().map(|t| (t.id(), t.size_vec2())),
            min_visibility: self.settings.min_visibility,
            mirrored: self.settings.mirror_video,
            calibration_result: self
                .calibration_result
                .as_ref()
                .map(|(text, ok)| (text.as_str(), *ok)),
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
    fn details_panel(&mut self, ctx: &egui::Context) {
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
    fn practice_panel(&mut self, ctx: &egui::Context, now: Instant) {
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
        if let Some(s) = &mut self.screenshot
            && let Some(saved) = s.handle(ctx, self.stats.results_shown())
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

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.finish();
    }
}

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
