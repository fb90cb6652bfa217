//! The app's state and its frame-by-frame drawing. The analysis runs on its own threads
//! ([`LiveAnalysis`]): the window sends it commands, takes its newest result and its events,
//! and draws them — the live view with its overlay and alert banner, and the side panel. Slow
//! work (file dialogs, listing cameras, the session store) runs on threads of its own.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, ColorImage, RichText, TextureHandle, TextureOptions};

use super::alerts::{AlertGate, AlertOutputs};
use super::background::Pending;
use super::history::SessionBrowser;
use super::options::{AppOptions, demo_clip};
use super::overlay;
use super::panel::{self, PanelView};
use super::recording::Recordings;
use super::settings as settings_window;
use super::stats::UiStats;
use super::toolbar::{self, Action, Input, ToolbarView};
use crate::format::clock;
use crate::geometry::MetricId;
use crate::geometry::calibration::{Baseline, CalibrationError};
use crate::pipeline::analyzer::AnalysisConfig;
use crate::pipeline::live::{LiveAnalysis, LiveEvent, LiveResult, SourceSpec};
use crate::pose::EngineConfig;
use crate::session::store::SessionMeta;
use crate::settings::Settings;
use crate::source::camera::{CameraBackend, CameraSource, CameraTiming};
use crate::source::{self, CameraRequest, FrameSource, RealTime, SourceError};

/// Seconds of history in the live plot.
const PLOT_WINDOW_S: f64 = 60.0;
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
    /// (time s, frontal lean °) and (time s, offset × 100) for the plot.
    lean: VecDeque<[f64; 2]>,
    offset: VecDeque<[f64; 2]>,
    notice: Option<Notice>,
    /// A calibration was asked for and has not ended.
    calibrating: bool,
    recordings: Recordings,
    gate: AlertGate,
    outputs: AlertOutputs,
    browser: Option<SessionBrowser>,
    browser_open: bool,
    settings_open: bool,
    camera_names: Option<Vec<String>>,
    camera_list: Option<Pending<Vec<String>>>,
    dialog: Option<Pending<Option<PathBuf>>>,
    path_input: String,
    screenshot: Option<(PathBuf, u64)>,
    screenshot_asked: bool,
    stats: UiStats,
    /// Settings changed and not yet saved, since when (a drag changes them every frame).
    unsaved_since: Option<Instant>,
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
        let (mut settings, notice) = match &data_dir {
            Ok(dir) => {
                let (s, err) = Settings::load(dir);
                let notice = err.map(|e| Notice {
                    text: e.to_string(),
                    error: true,
                });
                (s, notice)
            }
            Err(e) => (
                Settings::default(),
                Some(Notice {
                    text: format!("{e}; settings and sessions cannot be saved"),
                    error: true,
                }),
            ),
        };
        // A model chosen on the command line wins over the saved one for this run.
        if let Some(m) = options.model {
            settings.model = m;
        }
        let mut engine = options.engine;
        engine.model = settings.model;
        let ctx = cc.egui_ctx.clone();
        let analysis = LiveAnalysis::start(
            AnalysisConfig {
                engine: engine.clone(),
                judge: settings.judge_config(),
            },
            Some(Arc::new(move || ctx.request_repaint())),
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
            lean: VecDeque::new(),
            offset: VecDeque::new(),
            notice,
            calibrating: false,
            recordings: Recordings::default(),
            gate: AlertGate::default(),
            outputs: AlertOutputs::new(),
            browser_open: false,
            settings_open: false,
            camera_names: None,
            camera_list: None,
            dialog: None,
            path_input: String::new(),
            screenshot: options.screenshot.map(|p| (p, options.frames.max(1))),
            screenshot_asked: false,
            stats: UiStats::default(),
            unsaved_since: None,
        };
        app.open(match options.source {
            Some(path) => Input::File(path),
            None => Input::Camera,
        });
        if options.record {
            app.start_recording();
        }
        app
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
        self.input = input;
        self.source += 1;
        self.playing = true;
        self.source_description = None;
        self.lean.clear();
        self.offset.clear();
        let spec = match &self.input {
            Input::Camera => {
                let request = CameraRequest {
                    camera: source::camera::CameraSelector::Index(self.settings.camera.index),
                    width: self.settings.camera.width,
                    height: self.settings.camera.height,
                    fps: self.settings.camera.fps,
                };
                let backend = self.cameras.clone();
                SourceSpec::live(
                    "camera",
                    Box::new(move || {
                        let camera = match backend {
                            Some(b) => {
                                CameraSource::open_with(b, &request, CameraTiming::default())
                            }
                            None => CameraSource::open(&request),
                        };
                        camera.map(|c| Box::new(c) as Box<dyn FrameSource>)
                    }),
                )
            }
            Input::File(path) => {
                let path = path.clone();
                SourceSpec::every_frame(
                    path.display().to_string(),
                    Box::new(move || {
                        source::open(&path)
                            .map(|s| Box::new(RealTime::new(s)) as Box<dyn FrameSource>)
                    }),
                )
            }
            // Looped as one stream: tracking and timers carry on across passes.
            Input::Demo => SourceSpec::every_frame(
                "bundled demo",
                Box::new(|| {
                    source::Looping::open(&demo_clip())
                        .map(|s| Box::new(RealTime::new(Box::new(s))) as Box<dyn FrameSource>)
                }),
            ),
        };
        self.analysis.open(spec);
    }

    fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
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
                self.error(format!("cannot start the pose engine: {error}{still}"));
                if running.is_none() {
                    self.ended();
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
                    self.ended();
                    self.error(error.to_string());
                }
            }
            LiveEvent::InferenceFailed { source, error } if source == self.source => {
                self.ended();
                self.error(format!("the pose engine stopped: {error}"));
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
        // A recording of this video is complete.
        self.stop_recording();
        // A screenshot waiting for frames that will never come is taken now.
        if let Some((_, frames)) = &mut self.screenshot {
            *frames = 0;
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
        let t = r.frame.timestamp.as_secs_f64();
        if let Some(m) = &r.judgment.judged {
            if let Some(l) = m.get(MetricId::TrunkLeanFrontal) {
                self.lean.push_back([t, l as f64]);
            }
            if let Some(o) = m.get(MetricId::ShoulderHipOffset) {
                self.offset.push_back([t, o as f64 * 100.0]);
            }
        }
        for h in [&mut self.lean, &mut self.offset] {
            while h
                .front()
                .is_some_and(|p| p[0] < t - PLOT_WINDOW_S || p[0] > t)
            {
                h.pop_front();
            }
        }
        self.latest = Some(r);
    }

    fn calibrated(&mut self, done: Result<Baseline, CalibrationError>) {
        self.calibrating = false;
        match done {
            Ok(baseline) => {
                let lean = baseline
                    .stat(MetricId::TrunkLeanFrontal)
                    .map_or(String::new(), |s| {
                        format!(": lean {:+.1}° ±{:.1}", s.mean, s.std)
                    });
                self.info(format!(
                    "calibrated from {} frames{lean}; metrics now show change from this stance",
                    baseline.frames
                ));
                // The analysis already judges against it; keep it for the next start.
                self.settings.baseline = Some(baseline);
                self.save_settings();
            }
            Err(e) => self.error(format!("calibration not saved: {e}")),
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
            Action::PickFile => {
                self.dialog = Some(Pending::spawn("the file dialog", ctx, || {
                    rfd::FileDialog::new()
                        .set_title("Open a video")
                        .add_filter(
                            "videos and images",
                            &[
                                "mp4", "mov", "m4v", "mkv", "webm", "avi", "png", "jpg", "jpeg",
                                "bmp", "webp",
                            ],
                        )
                        .pick_file()
                }));
            }
            Action::PickFolder => {
                self.dialog = Some(Pending::spawn("the folder dialog", ctx, || {
                    rfd::FileDialog::new()
                        .set_title("Open a folder of images")
                        .pick_folder()
                }));
            }
            Action::Stop => {
                self.analysis.stop_source();
                self.playing = false;
                self.stop_recording();
                self.info("stopped; the camera is released");
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
            Action::ToggleSettings => self.settings_open = !self.settings_open,
        }
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
            model: self.settings.model.name().to_string(),
            calibration: self.settings.baseline.clone(),
            notes: String::new(),
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
        if !self.settings_open {
            return;
        }
        // Listing cameras can take a while (V4L probes each device): off the UI thread.
        if self.camera_names.is_none() && self.camera_list.is_none() {
            let backend = self.cameras.clone();
            self.camera_list = Some(Pending::spawn("listing cameras", ctx, move || {
                let listed = match backend {
                    Some(b) => b.cameras(),
                    None => source::list_cameras(),
                };
                listed
                    .map(|c| c.into_iter().map(|c| c.name).collect())
                    .unwrap_or_default()
            }));
        }
        if let Some(names) = self.camera_list.as_ref().and_then(Pending::poll) {
            self.camera_names = Some(names.unwrap_or_default());
            self.camera_list = None;
        }
        let mut open = true;
        let mut changed = settings_window::Changed::default();
        let before = self.settings.clone();
        egui::Window::new("Settings")
            .open(&mut open)
            .vscroll(true)
            .show(ctx, |ui| {
                changed =
                    settings_window::show(ui, &mut self.settings, self.camera_names.as_deref());
            });
        self.settings_open = open;
        if !changed.any {
            return;
        }
        let s = &self.settings;
        if s.thresholds != before.thresholds {
            self.analysis.set_thresholds(s.thresholds);
        }
        if s.alerts.rules != before.alerts.rules {
            self.analysis.set_alert_rules(s.alerts.rules.clone());
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

    fn handle_screenshot(&mut self, ctx: &egui::Context) {
        let Some((path, frames)) = self.screenshot.clone() else {
            return;
        };
        if !self.screenshot_asked && self.stats.results_shown() >= frames {
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(Default::default()));
            self.screenshot_asked = true;
        }
        let shot = ctx.input(|i| {
            i.raw.events.iter().find_map(|e| match e {
                egui::Event::Screenshot { image, .. } => Some(image.clone()),
                _ => None,
            })
        });
        if let Some(image) = shot {
            save_screenshot(&image, &path);
            self.screenshot = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        if let Some(n) = self.notice.clone() {
            ui.horizontal(|ui| {
                let colour = if n.error {
                    Color32::from_rgb(230, 110, 60)
                } else {
                    Color32::from_rgb(200, 200, 200)
                };
                ui.colored_label(colour, &n.text);
                if ui.small_button("✕").on_hover_text("Dismiss").clicked() {
                    self.notice = None;
                }
            });
        }
        let now = Instant::now();
        let banner = self
            .latest
            .as_ref()
            .and_then(|r| self.gate.banner(&r.judgment.alerts.banners, now).cloned());
        if let Some(alert) = banner {
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
                            self.gate.dismiss(&alert);
                        }
                    });
                });
        }
        if let Some(r) = self.latest.as_ref().filter(|_| self.playing)
            && let Some(advice) = r.judgment.framing.advice()
        {
            ui.label(
                RichText::new(format!("Camera set-up: {advice}"))
                    .size(17.0)
                    .color(Color32::from_rgb(240, 200, 80)),
            );
        }
        if self.calibrating {
            let status = self.latest.as_ref().and_then(|r| r.judgment.calibration);
            let (text, done) = match status {
                Some(s) => (s.message(), s.done()),
                None => ("Calibration starts with the next frame…".to_string(), 0.0),
            };
            ui.label(RichText::new(text).size(22.0).strong());
            ui.add(egui::ProgressBar::new(done).show_percentage());
        }
        if let Some(e) = self.outputs.last_error() {
            ui.label(RichText::new(e).weak());
        }
        let Some(texture) = &self.texture else {
            ui.label(if self.playing {
                "opening the source and loading the models…"
            } else {
                "nothing playing: choose Camera, Demo or a video above"
            });
            return;
        };
        // Fit the video into the space left, keeping its aspect ratio.
        let avail = ui.available_size();
        let [w, h] = texture.size().map(|v| v as f32);
        let scale = (avail.x / w).min(avail.y / h).max(0.01);
        let response = ui.image((texture.id(), egui::vec2(w * scale, h * scale)));
        if let Some(r) = &self.latest
            && let Some(pose) = &r.pose
        {
            overlay::draw(
                ui.painter(),
                response.rect,
                pose,
                r.judgment.metrics.as_ref(),
                &r.judgment.state.levels,
                self.settings.min_visibility,
            );
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

fn save_screenshot(image: &ColorImage, path: &Path) {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    match image::RgbaImage::from_raw(w as u32, h as u32, rgba).map(|img| img.save(path)) {
        Some(Ok(())) => tracing::info!(path = %path.display(), "screenshot saved"),
        Some(Err(e)) => tracing::error!("cannot write the screenshot {}: {e}", path.display()),
        None => tracing::error!("the screenshot had an unexpected size"),
    }
}

impl eframe::App for PlumblineApp {
    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.stats.frame_start();
        self.take_results(ctx);
        self.poll_recordings();
        self.poll_dialog();
        if let Some(action) = toolbar::shortcuts(ctx) {
            self.act(ctx, action);
        }
        self.handle_screenshot(ctx);
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
        let view = PanelView {
            latest: self.latest.as_deref(),
            settings: &self.settings,
            lean: &self.lean,
            offset: &self.offset,
            fps: self.stats.results.per_s(),
            display_latency: self.stats.display_latency,
            paint_fps: self.stats.paint.per_s(),
            source: match &self.source_description {
                Some(d) => format!("{} ({d})", self.input.describe()),
                None => self.input.describe(),
            },
        };
        egui::SidePanel::right("panel")
            .min_width(360.0)
            .show(ctx, |ui| panel::show(ui, &view));
        egui::CentralPanel::default().show(ctx, |ui| self.central(ui));
        if let Some(b) = &mut self.browser {
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
        if self.screenshot.is_some() {
            ctx.request_repaint_after(Duration::from_millis(15));
        } else if self.unsaved_since.is_some() || self.recordings.is_finishing() {
            ctx.request_repaint_after(Duration::from_millis(100));
        } else if self.recordings.is_recording() {
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
