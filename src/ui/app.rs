//! The app's state and its frame-by-frame drawing.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, ColorImage, RichText, TextureHandle, TextureOptions};
use egui_plot::{Line, Plot, PlotPoints};

use super::AppOptions;
use super::overlay::{self, state_colour};
use crate::geometry::state::PostureState;
use crate::pipeline::live::{LiveMessage, LivePipeline, LiveResult};
use crate::pipeline::offline::AnalysisConfig;
use crate::source::{self, CameraRequest, CameraSource, FrameSource, RealTime};

/// Seconds of history in the live plot.
const PLOT_WINDOW_S: f64 = 60.0;

/// Where frames come from, as the user sees it.
#[derive(Debug, Clone)]
enum Input {
    Camera,
    File(PathBuf),
    /// The bundled clip, looped, because there is no camera.
    Demo,
}

/// The plumbline window.
pub struct PlumblineApp {
    config: AnalysisConfig,
    input: Input,
    pipeline: Option<LivePipeline>,
    texture: Option<TextureHandle>,
    latest: Option<Box<LiveResult>>,
    /// (time s, frontal lean °) and (time s, offset × 100) for the plot.
    lean: VecDeque<[f64; 2]>,
    offset: VecDeque<[f64; 2]>,
    /// A message for the user: a missing camera, a failed source.
    notice: Option<String>,
    analysed: u64,
    fps: f32,
    last_result_at: Option<Instant>,
    screenshot: Option<(PathBuf, u64)>,
    screenshot_asked: bool,
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
        let input = match options.source {
            Some(path) => Input::File(path),
            None => Input::Camera,
        };
        let mut app = Self {
            config: options.config,
            input,
            pipeline: None,
            texture: None,
            latest: None,
            lean: VecDeque::new(),
            offset: VecDeque::new(),
            notice: None,
            analysed: 0,
            fps: 0.0,
            last_result_at: None,
            screenshot: options.screenshot.map(|p| (p, options.frames.max(1))),
            screenshot_asked: false,
        };
        app.start();
        app
    }

    /// Opens the input and starts the pipeline; falls back to the demo without a camera.
    fn start(&mut self) {
        let opened: Result<Box<dyn FrameSource>, String> = match &self.input {
            Input::Camera => match CameraSource::open(&CameraRequest::default()) {
                Ok(camera) => Ok(Box::new(camera)),
                Err(e) => {
                    self.notice = Some(format!("{e}\nPlaying the bundled demo instead."));
                    self.input = Input::Demo;
                    return self.start();
                }
            },
            Input::File(path) => source::open(path)
                .map(|s| Box::new(RealTime::new(s)) as Box<dyn FrameSource>)
                .map_err(|e| e.to_string()),
            Input::Demo => source::open(&super::demo_clip())
                .map(|s| Box::new(RealTime::new(s)) as Box<dyn FrameSource>)
                .map_err(|e| e.to_string()),
        };
        match opened {
            Ok(source) => match LivePipeline::start(source, &self.config) {
                Ok(p) => self.pipeline = Some(p),
                Err(e) => self.notice = Some(format!("cannot start the pose engine: {e}")),
            },
            Err(e) => self.notice = Some(e),
        }
    }

    fn take_results(&mut self, ctx: &egui::Context) {
        let Some(pipeline) = &self.pipeline else {
            return;
        };
        match pipeline.latest() {
            Some(LiveMessage::Result(r)) => {
                let image = &r.frame.image;
                let size = [image.width() as usize, image.height() as usize];
                let colour = ColorImage::from_rgb(size, image.as_raw());
                match &mut self.texture {
                    Some(t) => t.set(colour, TextureOptions::LINEAR),
                    None => {
                        self.texture =
                            Some(ctx.load_texture("video", colour, TextureOptions::LINEAR))
                    }
                }
                let t = r.frame.timestamp.as_secs_f64();
                if let Some(m) = &r.metrics {
                    if let Some(l) = m.trunk_lean_frontal_deg {
                        self.lean.push_back([t, l as f64]);
                    }
                    if let Some(o) = m.shoulder_hip_offset {
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
                self.latest = Some(r);
            }
            Some(LiveMessage::Ended) => {
                if matches!(self.input, Input::Demo) {
                    // Loop the demo.
                    self.pipeline = None;
                    self.lean.clear();
                    self.offset.clear();
                    self.start();
                } else {
                    self.notice = Some("the video ended".into());
                    self.pipeline = None;
                }
            }
            Some(LiveMessage::SourceFailed(e)) => {
                self.notice = Some(e.to_string());
                self.pipeline = None;
            }
            Some(LiveMessage::EngineFailed(e)) => {
                self.notice = Some(format!("the pose engine stopped: {e}"));
                self.pipeline = None;
            }
            None => {}
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
            let [w, h] = image.size;
            let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
            match image::RgbaImage::from_raw(w as u32, h as u32, rgba).map(|img| img.save(&path)) {
                Some(Ok(())) => tracing::info!(path = %path.display(), "screenshot saved"),
                Some(Err(e)) => {
                    tracing::error!("cannot write the screenshot {}: {e}", path.display())
                }
                None => tracing::error!("the screenshot had an unexpected size"),
            }
            self.screenshot = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn side_panel(&self, ui: &mut egui::Ui) {
        let (state, instant) = self
            .latest
            .as_ref()
            .map_or((PostureState::Unknown, PostureState::Unknown), |r| {
                (r.state.state, r.state.instant)
            });
        ui.add_space(6.0);
        ui.label(
            RichText::new(state.name().to_uppercase())
                .size(30.0)
                .strong()
                .color(state_colour(state)),
        );
        if instant != state {
            ui.label(RichText::new(format!("now {}", instant.name())).color(state_colour(instant)));
        }
        if let Some(r) = &self.latest
            && let Some(m) = &r.metrics
            && let Some(cue) = overlay::cue(m, &r.state.levels)
        {
            ui.label(RichText::new(cue).size(18.0));
        }
        ui.separator();
        if let Some(r) = &self.latest {
            let m = r.metrics.unwrap_or_default();
            let th = &self.config.thresholds;
            let lv = &r.state.levels;
            egui::Grid::new("metrics")
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    let mut row = |name: &str,
                                   value: Option<f32>,
                                   unit: &str,
                                   level: PostureState,
                                   band: (f32, f32)| {
                        ui.label(name);
                        ui.label(
                            RichText::new(value.map_or("—".into(), |v| format!("{v:+.1}{unit}")))
                                .color(state_colour(level))
                                .strong(),
                        );
                        ui.label(RichText::new(format!("±{}/{}{unit}", band.0, band.1)).weak());
                        ui.end_row();
                    };
                    row(
                        "trunk lean, frontal",
                        m.trunk_lean_frontal_deg,
                        "°",
                        lv.trunk_lean_frontal,
                        (
                            th.trunk_lean_frontal_deg.drifting,
                            th.trunk_lean_frontal_deg.misaligned,
                        ),
                    );
                    row(
                        "trunk lean, sagittal",
                        m.trunk_lean_sagittal_deg,
                        "°",
                        lv.trunk_lean_sagittal,
                        (
                            th.trunk_lean_sagittal_deg.drifting,
                            th.trunk_lean_sagittal_deg.misaligned,
                        ),
                    );
                    row(
                        "shoulders over hips",
                        m.shoulder_hip_offset.map(|o| o * 100.0),
                        "%",
                        lv.shoulder_hip_offset,
                        (
                            th.shoulder_hip_offset.drifting * 100.0,
                            th.shoulder_hip_offset.misaligned * 100.0,
                        ),
                    );
                    row(
                        "shoulder tilt",
                        m.shoulder_tilt_deg,
                        "°",
                        lv.shoulder_tilt,
                        (
                            th.shoulder_tilt_deg.drifting,
                            th.shoulder_tilt_deg.misaligned,
                        ),
                    );
                    row(
                        "hip tilt",
                        m.hip_tilt_deg,
                        "°",
                        lv.hip_tilt,
                        (th.hip_tilt_deg.drifting, th.hip_tilt_deg.misaligned),
                    );
                    row(
                        "head forward",
                        m.head_forward_deg,
                        "°",
                        lv.head_forward,
                        (th.head_forward_deg.drifting, th.head_forward_deg.misaligned),
                    );
                });
            ui.label(
                RichText::new(format!(
                    "view: {}",
                    m.view
                        .map_or("—".to_string(), |v| format!("{v:?}").to_lowercase())
                ))
                .weak(),
            );
        }
        ui.separator();
        ui.label("Last minute: frontal lean (°, blue), shoulders over hips (% torso, orange)");
        Plot::new("history")
            .height(170.0)
            .allow_scroll(false)
            .allow_drag(false)
            .show(ui, |plot| {
                plot.line(
                    Line::new("lean", PlotPoints::from_iter(self.lean.iter().copied()))
                        .color(Color32::from_rgb(60, 120, 230)),
                );
                plot.line(
                    Line::new("offset", PlotPoints::from_iter(self.offset.iter().copied()))
                        .color(Color32::from_rgb(240, 150, 40)),
                );
            });
        ui.separator();
        if let Some(r) = &self.latest {
            let ms = |d: Duration| d.as_secs_f32() * 1000.0;
            let t = r.timings;
            ui.label(format!(
                "{:.1} fps · latency {:.0} ms",
                self.fps,
                ms(r.latency)
            ));
            ui.label(format!(
                "capture {:.1} · preprocess {:.1} · inference {:.1} · geometry {:.2} ms",
                ms(t.capture),
                ms(t.preprocess),
                ms(t.inference),
                ms(t.geometry)
            ));
            ui.label(format!(
                "frames {} · dropped {} (the model was busy)",
                r.captured, r.dropped
            ));
        }
        let source = match &self.input {
            Input::Camera => "camera".to_string(),
            Input::File(p) => p.display().to_string(),
            Input::Demo => "bundled demo".to_string(),
        };
        ui.label(
            RichText::new(format!(
                "source: {source} · model {}",
                self.config.engine.model.name()
            ))
            .weak(),
        );
    }
}

impl eframe::App for PlumblineApp {
    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.take_results(ctx);
        self.handle_screenshot(ctx);
        egui::SidePanel::right("panel")
            .min_width(360.0)
            .show(ctx, |ui| self.side_panel(ui));
        egui::CentralPanel::default().show(ctx, |ui| {
            if let Some(notice) = &self.notice {
                ui.colored_label(Color32::from_rgb(230, 160, 40), notice);
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
                );
            }
        });
        // Repaint at display rate while frames flow; otherwise only on input (idle CPU ≈ 0).
        if self.pipeline.is_some() || self.screenshot.is_some() {
            ctx.request_repaint_after(Duration::from_millis(15));
        }
    }
}
