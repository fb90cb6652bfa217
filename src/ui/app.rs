//! The app's state and its frame-by-frame drawing: a toolbar (source, calibrate, record,
//! mute), the live view with its overlay and alert banner, and the side panel.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, ColorImage, Key, RichText, TextureHandle, TextureOptions};

use super::alerts::{AlertKind, AlertOutputs, Alerter};
use super::calibration::CalibrationFlow;
use super::history::SessionBrowser;
use super::panel::{self, PanelView};
use super::settings::{self, Settings};
use super::{AppOptions, overlay};
use crate::geometry::MetricId;
use crate::geometry::framing::{self, Framing};
use crate::pipeline::live::{LiveMessage, LivePipeline, LiveResult};
use crate::pipeline::offline::AnalysisConfig;
use crate::pipeline::record::LiveRecording;
use crate::session::EventKind;
use crate::session::store::SessionMeta;
use crate::source::camera::CameraSelector;
use crate::source::{self, CameraRequest, CameraSource, FrameSource, RealTime};

/// Seconds of history in the live plot.
const PLOT_WINDOW_S: f64 = 60.0;
/// How long "Snooze" silences alerts.
const SNOOZE: Duration = Duration::from_secs(15 * 60);

/// Where frames come from, as the user sees it.
#[derive(Debug, Clone, PartialEq)]
enum Input {
    Camera,
    File(PathBuf),
    /// The bundled clip, looped, because there is no camera.
    Demo,
}

impl Input {
    fn describe(&self) -> String {
        match self {
            Input::Camera => "camera".to_string(),
            Input::File(p) => p.display().to_string(),
            Input::Demo => "bundled demo".to_string(),
        }
    }
}

/// A message in the window, with how serious it is.
#[derive(Debug, Clone)]
struct Notice {
    text: String,
    error: bool,
}

/// A recording in progress.
#[derive(Debug)]
struct Recording {
    live: LiveRecording,
    started: Instant,
}

/// The plumbline window.
pub struct PlumblineApp {
    config: AnalysisConfig,
    settings: Settings,
    data_dir: Option<PathBuf>,
    input: Input,
    pipeline: Option<LivePipeline>,
    texture: Option<TextureHandle>,
    latest: Option<Box<LiveResult>>,
    display_latency: Option<Duration>,
    /// (time s, frontal lean °) and (time s, offset × 100) for the plot.
    lean: VecDeque<[f64; 2]>,
    offset: VecDeque<[f64; 2]>,
    notice: Option<Notice>,
    analysed: u64,
    fps: f32,
    last_result_at: Option<Instant>,
    calibration: CalibrationFlow,
    recording: Option<Recording>,
    /// Recordings stopped but still writing their last rows and keyframes.
    finishing: Vec<LiveRecording>,
    alerter: Alerter,
    outputs: AlertOutputs,
    browser: Option<SessionBrowser>,
    browser_open: bool,
    settings_open: bool,
    cameras: Option<Vec<String>>,
    path_input: String,
    screenshot: Option<(PathBuf, u64)>,
    screenshot_asked: bool,
    stats: UiStats,
    /// The framing of the latest frames, and since when it has been so.
    framing: (Framing, Instant),
    /// Settings changed and not yet saved, since when (a drag changes them every frame).
    unsaved_since: Option<Instant>,
}

/// Framing advice shows once the framing has held this long (no flicker at a border).
const FRAMING_HOLD: Duration = Duration::from_millis(800);

/// How the window keeps up: repaints, and latency from capture to the screen.
#[derive(Debug)]
struct UiStats {
    started: Instant,
    painted: u64,
    last_paint: Option<Instant>,
    /// Repaints per second, smoothed.
    paint_fps: f32,
    /// Capture-to-screen latency of each shown result, in ms (bounded).
    latencies_ms: Vec<f32>,
}

impl UiStats {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            painted: 0,
            last_paint: None,
            paint_fps: 0.0,
            latencies_ms: Vec::new(),
        }
    }

    fn painted(&mut self) {
        let now = Instant::now();
        if let Some(prev) = self.last_paint {
            let inst = 1.0 / (now - prev).as_secs_f32().max(1e-3);
            self.paint_fps = if self.paint_fps == 0.0 {
                inst
            } else {
                0.95 * self.paint_fps + 0.05 * inst
            };
        }
        self.last_paint = Some(now);
        self.painted += 1;
    }

    fn latency(&mut self, d: Duration) {
        if self.latencies_ms.len() < 100_000 {
            self.latencies_ms.push(d.as_secs_f32() * 1000.0);
        }
    }

    /// One line for the log when the window closes.
    fn summary(&self, analysed: u64) -> String {
        let secs = self.started.elapsed().as_secs_f32().max(1e-3);
        let mut l = self.latencies_ms.clone();
        l.sort_by(f32::total_cmp);
        let q = |p: f32| {
            l.get(((l.len() as f32 - 1.0) * p).round() as usize)
                .copied()
        };
        format!(
            "window: {} repaints in {secs:.1} s ({:.1}/s); {analysed} results shown ({:.1}/s); \
             capture-to-screen latency median {:.0} ms, p95 {:.0} ms",
            self.painted,
            self.painted as f32 / secs,
            analysed as f32 / secs,
            q(0.5).unwrap_or(f32::NAN),
            q(0.95).unwrap_or(f32::NAN),
        )
    }
}

impl std::fmt::Debug for PlumblineApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlumblineApp")
            .field("input", &self.input)
            .field("analysed", &self.analysed)
            .finish()
    }
}

impl PlumblineApp {
    pub fn new(_cc: &eframe::CreationContext<'_>, options: AppOptions) -> Self {
        let data_dir = crate::session::store::data_dir(options.data_dir.as_deref());
        let (mut settings, notice) = match &data_dir {
            Ok(dir) => {
                let (s, err) = Settings::load(dir);
                (
                    s,
                    err.map(|e| Notice {
                        text: e.to_string(),
                        error: true,
                    }),
                )
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
        let mut config = options.config;
        config.engine.model = settings.model;
        config.thresholds = settings.thresholds;
        config.baseline = settings.baseline.clone();
        let input = match options.source {
            Some(path) => Input::File(path),
            None => Input::Camera,
        };
        let data_dir = data_dir.ok();
        let mut app = Self {
            config,
            calibration: CalibrationFlow::new(settings.calibration.clone()),
            alerter: Alerter::new(settings.alerts.clone()),
            outputs: AlertOutputs::new(),
            browser: data_dir.clone().map(SessionBrowser::new),
            settings,
            data_dir,
            input,
            pipeline: None,
            texture: None,
            latest: None,
            display_latency: None,
            lean: VecDeque::new(),
            offset: VecDeque::new(),
            notice,
            analysed: 0,
            fps: 0.0,
            last_result_at: None,
            recording: None,
            finishing: Vec::new(),
            browser_open: false,
            settings_open: false,
            cameras: None,
            path_input: String::new(),
            screenshot: options.screenshot.map(|p| (p, options.frames.max(1))),
            screenshot_asked: false,
            stats: UiStats::new(),
            framing: (Framing::Good, Instant::now()),
            unsaved_since: None,
        };
        app.start();
        app
    }

    /// Opens the input and starts the pipeline; falls back to the demo without a camera.
    fn start(&mut self) {
        self.stop_pipeline();
        let opened: Result<Box<dyn FrameSource>, String> = match &self.input {
            Input::Camera => {
                let request = CameraRequest {
                    camera: CameraSelector::Index(self.settings.camera.index),
                    width: self.settings.camera.width,
                    height: self.settings.camera.height,
                    fps: self.settings.camera.fps,
                };
                match CameraSource::open(&request) {
                    Ok(camera) => Ok(Box::new(camera)),
                    Err(e) => {
                        self.notice = Some(Notice {
                            text: format!(
                                "{e}\nPlaying the bundled demo instead; open a video or folder above."
                            ),
                            error: false,
                        });
                        self.input = Input::Demo;
                        return self.start();
                    }
                }
            }
            Input::File(path) => source::open(path)
                .map(|s| Box::new(RealTime::new(s)) as Box<dyn FrameSource>)
                .map_err(|e| e.to_string()),
            // Looped as one stream: one engine, tracking and timers carry on across passes.
            Input::Demo => source::Looping::open(&super::demo_clip())
                .map(|s| Box::new(RealTime::new(Box::new(s))) as Box<dyn FrameSource>)
                .map_err(|e| e.to_string()),
        };
        match opened {
            Ok(source) => match LivePipeline::start(source, &self.config) {
                Ok(p) => {
                    if let Some(r) = &self.recording {
                        p.record(r.live.sender());
                    }
                    self.pipeline = Some(p);
                }
                Err(e) => self.error(format!("cannot start the pose engine: {e}")),
            },
            Err(e) => self.error(e),
        }
    }

    /// Stops the pipeline: the camera is released, the thread joined.
    fn stop_pipeline(&mut self) {
        self.pipeline = None;
        self.lean.clear();
        self.offset.clear();
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

    fn open_input(&mut self, input: Input) {
        self.notice = None;
        self.input = input;
        self.start();
    }

    fn take_results(&mut self, ctx: &egui::Context) {
        let Some(pipeline) = &self.pipeline else {
            return;
        };
        let events = pipeline.events();
        match pipeline.latest() {
            Some(LiveMessage::Result(r)) => self.show_result(ctx, r, &events),
            Some(LiveMessage::Ended) => {
                self.pipeline = None;
                // No more frames will come: a recording of this video is complete.
                self.stop_recording_if_any();
                self.info("the video ended; open another or press Start to replay it");
            }
            Some(LiveMessage::SourceFailed(e)) => {
                self.pipeline = None;
                self.stop_recording_if_any();
                self.error(e.to_string());
            }
            Some(LiveMessage::EngineFailed(e)) => {
                self.pipeline = None;
                self.stop_recording_if_any();
                self.error(format!("the pose engine stopped: {e}"));
            }
            None => {
                if !events.is_empty() {
                    self.alert(None, &events);
                }
            }
        }
    }

    fn show_result(
        &mut self,
        ctx: &egui::Context,
        r: Box<LiveResult>,
        events: &[crate::geometry::motion::MotionEvent],
    ) {
        let image = &r.frame.image;
        let size = [image.width() as usize, image.height() as usize];
        let colour = ColorImage::from_rgb(size, image.as_raw());
        match &mut self.texture {
            Some(t) => t.set(colour, TextureOptions::LINEAR),
            None => self.texture = Some(ctx.load_texture("video", colour, TextureOptions::LINEAR)),
        }
        let latency = r.captured_at.elapsed();
        self.display_latency = Some(latency);
        self.stats.latency(latency);
        let t = r.frame.timestamp.as_secs_f64();
        if let Some(m) = &r.judged {
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
        let now = Instant::now();
        if let Some(prev) = self.last_result_at {
            let inst = 1.0 / (now - prev).as_secs_f32().max(1e-3);
            self.fps = if self.fps == 0.0 {
                inst
            } else {
                0.9 * self.fps + 0.1 * inst
            };
        }
        self.last_result_at = Some(now);
        self.analysed += 1;
        let framing = framing::assess(r.pose.as_ref(), self.config.metrics.min_visibility);
        if framing != self.framing.0 {
            self.framing = (framing, now);
        }
        if let Some(done) = self
            .calibration
            .tick(now, Some((r.frame.timestamp, r.metrics.as_ref())))
        {
            self.calibrated(done);
        }
        self.alert(Some(&r), events);
        self.latest = Some(r);
    }

    /// Feeds the alert rules; delivers an alert that fires.
    fn alert(&mut self, r: Option<&LiveResult>, events: &[crate::geometry::motion::MotionEvent]) {
        let (t, state, cue) = match r.or(self.latest.as_deref()) {
            Some(r) => (r.frame.timestamp, r.state.state, r.cue.map(|c| c.text)),
            None => return,
        };
        if let Some(alert) = self.alerter.update(t, state, cue, events, Instant::now()) {
            // Move reminders are recorded with the motion events already.
            if alert.kind == AlertKind::Misaligned
                && let Some(rec) = &self.recording
            {
                rec.live.event(
                    EventKind::PostureAlert,
                    serde_json::json!({ "message": alert.message }),
                );
            }
            self.outputs.deliver(&alert, &self.settings.alerts);
        }
    }

    fn calibrated(&mut self, done: Result<crate::geometry::calibration::Baseline, impl ToString>) {
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
                self.settings.baseline = Some(baseline.clone());
                self.config.baseline = Some(baseline.clone());
                if let Some(p) = &self.pipeline {
                    p.set_baseline(Some(baseline));
                }
                self.save_settings();
            }
            Err(e) => self.error(format!("calibration not saved: {}", e.to_string())),
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

    fn toggle_calibration(&mut self) {
        if self.calibration.is_running() {
            self.calibration.cancel();
        } else {
            self.calibration
                .start(Instant::now(), self.settings.calibration.clone());
        }
    }

    fn toggle_recording(&mut self) {
        match self.recording.take() {
            Some(mut rec) => {
                if let Some(p) = &self.pipeline {
                    p.record(None);
                }
                rec.live.stop();
                self.info(format!(
                    "recording stopped after {}; saving…",
                    elapsed(rec.started.elapsed()),
                ));
                self.finishing.push(rec.live);
            }
            None => self.start_recording(),
        }
    }

    /// Saves a recording whose frames have stopped coming.
    fn stop_recording_if_any(&mut self) {
        if self.recording.is_some() {
            self.toggle_recording();
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
        let live = LiveRecording::start(&dir, meta);
        if let Some(p) = &self.pipeline {
            p.record(live.sender());
        }
        self.notice = None;
        self.recording = Some(Recording {
            live,
            started: Instant::now(),
        });
    }

    /// Reports recordings that finished writing (or failed).
    fn poll_recordings(&mut self) {
        let mut messages = Vec::new();
        self.finishing.retain_mut(|rec| match rec.outcome() {
            None => true,
            Some(Ok(id)) => {
                messages.push((format!("saved session {id}; Sessions lists it"), false));
                false
            }
            Some(Err(e)) => {
                messages.push((format!("the recording could not be completed: {e}"), true));
                false
            }
        });
        // A recording whose thread failed while running (a full disk) stops itself.
        if let Some(rec) = &mut self.recording {
            let started = rec.live.session().is_some();
            if let Some(Err(e)) = rec.live.outcome() {
                let text = if started {
                    format!("recording stopped: {e}; what was saved before is kept")
                } else {
                    format!("cannot start recording: {e}")
                };
                messages.push((text, true));
                self.recording = None;
            }
        }
        for (text, error) in messages {
            self.notice = Some(Notice { text, error });
            if let Some(b) = &mut self.browser {
                b.refresh();
            }
        }
    }

    fn toggle_mute(&mut self) {
        let muted = !self.alerter.is_muted();
        self.alerter.set_muted(muted);
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.wants_keyboard_input() {
            return;
        }
        let (c, r, m) = ctx.input(|i| {
            (
                i.key_pressed(Key::C),
                i.key_pressed(Key::R),
                i.key_pressed(Key::M),
            )
        });
        if c {
            self.toggle_calibration();
        }
        if r {
            self.toggle_recording();
        }
        if m {
            self.toggle_mute();
        }
    }

    fn pick_file(&mut self) {
        if let Some(path) = rfd::FileDialog::new()
            .set_title("Open a video")
            .add_filter(
                "videos and images",
                &[
                    "mp4", "mov", "m4v", "mkv", "webm", "avi", "png", "jpg", "jpeg", "bmp", "webp",
                ],
            )
            .pick_file()
        {
            self.open_input(Input::File(path));
        }
    }

    fn pick_folder(&mut self) {
        if let Some(path) = rfd::FileDialog::new()
            .set_title("Open a folder of images")
            .pick_folder()
        {
            self.open_input(Input::File(path));
        }
    }

    fn toolbar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            if ui
                .selectable_label(self.input == Input::Camera, "Camera")
                .on_hover_text("Use the webcam chosen in Settings")
                .clicked()
            {
                self.open_input(Input::Camera);
            }
            if ui
                .selectable_label(self.input == Input::Demo, "Demo")
                .on_hover_text("Play the bundled sample clip")
                .clicked()
            {
                self.open_input(Input::Demo);
            }
            if ui.button("Open video…").clicked() {
                self.pick_file();
            }
            if ui.button("Open folder…").clicked() {
                self.pick_folder();
            }
            let path = ui.add(
                egui::TextEdit::singleline(&mut self.path_input)
                    .hint_text("or type a path and press Enter")
                    .desired_width(180.0),
            );
            if path.lost_focus()
                && ui.input(|i| i.key_pressed(Key::Enter))
                && !self.path_input.trim().is_empty()
            {
                let p = PathBuf::from(self.path_input.trim());
                self.open_input(Input::File(p));
            }
            if self.pipeline.is_some() {
                if ui
                    .button("Stop")
                    .on_hover_text("Stop analysing and release the camera")
                    .clicked()
                {
                    self.stop_pipeline();
                    self.info("stopped; the camera is released");
                }
            } else if ui.button("Start").clicked() {
                self.notice = None;
                self.start();
            }
            ui.separator();
            let calibrating = self.calibration.is_running();
            if ui
                .button(if calibrating {
                    "Cancel calibration"
                } else {
                    "Calibrate"
                })
                .on_hover_text("C: capture your neutral stance; metrics then show change from it")
                .clicked()
            {
                self.toggle_calibration();
            }
            if self.settings.baseline.is_some()
                && !calibrating
                && ui
                    .button("Forget calibration")
                    .on_hover_text("Go back to absolute values")
                    .clicked()
            {
                self.settings.baseline = None;
                self.config.baseline = None;
                if let Some(p) = &self.pipeline {
                    p.set_baseline(None);
                }
                self.save_settings();
            }
            match &mut self.recording {
                Some(rec) => {
                    let session = rec
                        .live
                        .session()
                        .map_or(String::new(), |id| format!(" · session {id}"));
                    ui.label(
                        RichText::new(format!("● REC {}{session}", elapsed(rec.started.elapsed())))
                            .color(Color32::from_rgb(220, 40, 40))
                            .strong(),
                    );
                    if ui
                        .button("Stop recording")
                        .on_hover_text("R: stop and save the session")
                        .clicked()
                    {
                        self.toggle_recording();
                    }
                }
                None => {
                    if ui
                        .button("Record")
                        .on_hover_text("R: record a session to review and report later")
                        .clicked()
                    {
                        self.toggle_recording();
                    }
                }
            }
            ui.separator();
            let muted = self.alerter.is_muted();
            if ui
                .selectable_label(muted, if muted { "Muted" } else { "Mute" })
                .on_hover_text("M: no alert banners, sounds or notifications")
                .clicked()
            {
                self.toggle_mute();
            }
            match self.alerter.snoozed_until() {
                Some(until) if until > Instant::now() => {
                    let left = until.saturating_duration_since(Instant::now());
                    ui.label(
                        RichText::new(format!("snoozed {} min", left.as_secs().div_ceil(60)))
                            .weak(),
                    );
                }
                _ => {
                    if ui
                        .button("Snooze 15 min")
                        .on_hover_text("No alerts for 15 minutes")
                        .clicked()
                    {
                        self.alerter.snooze(Instant::now(), SNOOZE);
                    }
                }
            }
            ui.separator();
            if ui.button("Sessions").clicked() {
                self.browser_open = !self.browser_open;
                if let Some(b) = &mut self.browser {
                    b.refresh();
                }
            }
            if ui.button("Settings").clicked() {
                self.settings_open = !self.settings_open;
            }
        });
    }

    fn settings_window(&mut self, ctx: &egui::Context) {
        if !self.settings_open {
            return;
        }
        let cameras = self.cameras.get_or_insert_with(|| {
            source::list_cameras()
                .map(|c| c.into_iter().map(|c| c.name).collect())
                .unwrap_or_default()
        });
        let mut open = true;
        let mut changed = settings::Changed::default();
        egui::Window::new("Settings")
            .open(&mut open)
            .vscroll(true)
            .show(ctx, |ui| {
                changed = settings::show(ui, &mut self.settings, cameras);
            });
        self.settings_open = open;
        if changed.any {
            self.config.thresholds = self.settings.thresholds;
            self.config.engine.model = self.settings.model;
            self.alerter.set_settings(self.settings.alerts.clone());
            if let Some(p) = &self.pipeline {
                p.set_thresholds(self.settings.thresholds);
            }
            self.unsaved_since.get_or_insert_with(Instant::now);
        }
        if changed.restart && self.pipeline.is_some() {
            self.start();
        }
    }

    fn handle_screenshot(&mut self, ctx: &egui::Context) {
        let Some((path, frames)) = self.screenshot.clone() else {
            return;
        };
        if !self.screenshot_asked && self.analysed >= frames {
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
        if let Some(alert) = self.alerter.banner().cloned() {
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
                            self.alerter.dismiss();
                        }
                    });
                });
        }
        if self.pipeline.is_some()
            && self.framing.1.elapsed() >= FRAMING_HOLD
            && let Some(advice) = self.framing.0.advice()
        {
            ui.label(
                RichText::new(format!("Camera set-up: {advice}"))
                    .size(17.0)
                    .color(Color32::from_rgb(240, 200, 80)),
            );
        }
        if let Some((text, done)) = self.calibration.status(Instant::now()) {
            ui.label(RichText::new(text).size(22.0).strong());
            ui.add(egui::ProgressBar::new(done).show_percentage());
        }
        if let Some(e) = self.outputs.last_error() {
            ui.label(RichText::new(e).weak());
        }
        let Some(texture) = &self.texture else {
            ui.label("waiting for the first frame…");
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
                r.metrics.as_ref(),
                &r.state.levels,
                self.config.metrics.min_visibility,
            );
        }
    }

    /// Stops a recording and waits for it to be saved (closing the window).
    fn finish_recordings(&mut self) {
        if self.unsaved_since.is_some() {
            self.save_settings();
        }
        if self.pipeline.is_some() {
            tracing::info!("{}", self.stats.summary(self.analysed));
        }
        self.pipeline = None;
        if let Some(mut rec) = self.recording.take() {
            rec.live.stop();
            self.finishing.push(rec.live);
        }
        for rec in self.finishing.drain(..) {
            match rec.finish(Duration::from_secs(10)) {
                Some(Ok(id)) => tracing::info!("saved session {id}"),
                Some(Err(e)) => tracing::error!("the recording could not be completed: {e}"),
                None => tracing::error!(
                    "the recording is still saving; it will be recovered at the next start"
                ),
            }
        }
    }
}

/// "1:05" for a duration.
fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
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
        self.stats.painted();
        self.take_results(ctx);
        // The countdown runs on wall time, even when no frame arrives.
        if let Some(done) = self.calibration.tick(Instant::now(), None) {
            self.calibrated(done);
        }
        self.poll_recordings();
        self.shortcuts(ctx);
        self.handle_screenshot(ctx);
        egui::TopBottomPanel::top("toolbar").show(ctx, |ui| self.toolbar(ui));
        let view = PanelView {
            latest: self.latest.as_deref(),
            settings: &self.settings,
            lean: &self.lean,
            offset: &self.offset,
            fps: self.fps,
            display_latency: self.display_latency,
            paint_fps: self.stats.paint_fps,
            source: self.input.describe(),
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
        // Repaint at display rate while frames flow; otherwise only on input (idle CPU ≈ 0).
        let busy = self.pipeline.is_some()
            || self.screenshot.is_some()
            || self.calibration.is_running()
            || !self.finishing.is_empty()
            || self.unsaved_since.is_some();
        if busy {
            ctx.request_repaint_after(Duration::from_millis(15));
        } else if self.recording.is_some() {
            ctx.request_repaint_after(Duration::from_millis(500));
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.finish_recordings();
    }
}

impl Drop for PlumblineApp {
    fn drop(&mut self) {
        self.finish_recordings();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_reads_like_a_clock() {
        assert_eq!(elapsed(Duration::from_secs(65)), "1:05");
        assert_eq!(elapsed(Duration::from_secs(3725)), "1:02:05");
    }
}
