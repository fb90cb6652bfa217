//! The side panel: the state at a glance, each metric against its band (as change from the
//! user's baseline, with the baseline's spread, once calibrated), the last minute's plot, and
//! how fast the pipeline runs.

use std::collections::VecDeque;
use std::time::Duration;

use eframe::egui::{self, Color32, RichText};
use egui_plot::{Line, Plot, PlotPoints};

use super::overlay::state_colour;
use super::stats::CpuMeter;
use crate::geometry::MetricId;
use crate::geometry::calibration::Stat;
use crate::geometry::judge::{NotJudged, why_not_judged};
use crate::geometry::metric_id::Band;
use crate::geometry::state::PostureState;
use crate::pipeline::live::LiveResult;
use crate::pose::ModelKind;
use crate::settings::{OffsetUnit, Settings};

/// Seconds of history in the live plot.
const PLOT_WINDOW_S: f64 = 60.0;

/// The last minute of trunk lean and shoulder-over-hip offset, as judged, for the plot. The
/// lean is the one the view measures: frontal from the front or half turned, sagittal side-on.
#[derive(Debug, Default)]
pub struct LivePlot {
    /// (time s, lean °).
    lean: VecDeque<[f64; 2]>,
    /// (time s, offset in % of the torso).
    offset: VecDeque<[f64; 2]>,
}

impl LivePlot {
    /// Adds a shown result; forgets what is older than the window (or from a later time: the
    /// source restarted).
    pub fn push(&mut self, r: &LiveResult) {
        let t = r.frame.timestamp.as_secs_f64();
        if let Some(m) = &r.judgment.judged {
            let lean = m
                .get(MetricId::TrunkLeanFrontal)
                .or(m.get(MetricId::TrunkLeanSagittal));
            if let Some(l) = lean {
                self.lean.push_back([t, f64::from(l)]);
            }
            if let Some(o) = m.get(MetricId::ShoulderHipOffset) {
                self.offset.push_back([t, f64::from(o) * 100.0]);
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
    }
}

/// What the panel shows, borrowed from the app.
#[derive(Debug)]
pub struct PanelView<'a> {
    pub latest: Option<&'a LiveResult>,
    /// Whether a source is playing: once stopped or ended, the last judgment is history and
    /// is not shown as the state.
    pub playing: bool,
    pub settings: &'a Settings,
    pub plot: &'a LivePlot,
    pub fps: f32,
    /// From capture to the frame being on screen.
    pub display_latency: Option<Duration>,
    /// How often the window repaints.
    pub paint_fps: f32,
    /// The process's CPU use (`None` until measured).
    pub cpu: Option<&'a CpuMeter>,
    pub source: String,
    /// The landmark model running (for this run, it may differ from the saved one).
    pub model: ModelKind,
}

pub(super) struct Row<'a> {
    pub id: MetricId,
    pub name: &'a str,
    /// As judged, in the metric's unit: where it sits in its band.
    pub judged: Reading<'a>,
    /// As the user chose to read it, when that is another measure (the offset in
    /// centimetres); `None`: as judged.
    pub shown: Option<Reading<'a>>,
    pub level: PostureState,
    /// In the judged unit.
    pub band: Option<Band>,
    /// Why there is no value, when the reason is not simply that the landmarks are hidden.
    pub missing: Option<&'static str>,
}

/// A value with its unit, and the baseline's spread once calibrated.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reading<'a> {
    /// In the metric's unit (× `scale` for display).
    pub value: Option<f32>,
    pub spread: Option<Stat>,
    pub unit: &'a str,
    pub scale: f32,
}

impl Row<'_> {
    /// The value as the user reads it, with the baseline's wobble when `spread` is asked for:
    /// "+3.2° ±0.8"; `None` when there is no value.
    pub fn value_text(&self, spread: bool) -> Option<String> {
        let r = self
            .shown
            .filter(|r| r.value.is_some())
            .unwrap_or(self.judged);
        let v = r.value? * r.scale;
        Some(match r.spread.filter(|_| spread) {
            // The baseline's wobble is the honest uncertainty of a change from it.
            Some(s) => format!("{v:+.1} ±{:.1}{}", s.std * r.scale, r.unit),
            None => format!("{v:+.1}{}", r.unit),
        })
    }
}

/// One decimal, without a trailing ".0".
fn short(v: f32) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

fn metric_row(ui: &mut egui::Ui, r: Row<'_>) {
    ui.label(r.name);
    let value = r
        .value_text(true)
        .unwrap_or_else(|| r.missing.unwrap_or("—").to_string());
    ui.label(
        RichText::new(value)
            .color(state_colour(r.level))
            .strong()
            .monospace(),
    );
    let j = r.judged;
    let band = r.band.map_or(String::new(), |b| {
        format!(
            "{}/{}{}",
            short(b.drifting * j.scale),
            short(b.misaligned * j.scale),
            j.unit
        )
    });
    ui.label(RichText::new(band).weak());
    ui.end_row();
}

/// The row of judged metric `id` as the user reads it: as change from the baseline with its
/// wobble once calibrated, against the band the state machine applied.
pub(super) fn row_of<'a>(r: &'a LiveResult, id: MetricId, settings: &'a Settings) -> Row<'a> {
    let baseline = settings.baseline.as_ref();
    let j = &r.judgment;
    let judged = j.judged.unwrap_or_default();
    // The offset is judged in torso lengths; in centimetres it is shown as its own measure
    // (from the world landmarks), while its place in the band stays the judged one.
    let shown = match (id, settings.offset_unit) {
        (MetricId::ShoulderHipOffset, OffsetUnit::Centimetres) => {
            let cm = MetricId::ShoulderHipOffsetCm;
            Some(Reading {
                value: judged.get(cm),
                spread: baseline.and_then(|b| b.stat(cm)),
                unit: cm.unit().short_suffix(),
                scale: cm.unit().display_scale(),
            })
        }
        _ => None,
    };
    Row {
        id,
        name: id.label(),
        judged: Reading {
            value: judged.get(id),
            spread: baseline.and_then(|b| b.stat(id)),
            unit: id.unit().short_suffix(),
            scale: id.unit().display_scale(),
        },
        shown,
        missing: why_not_judged(id, j, &settings.preset, baseline).map(NotJudged::text),
        level: j.state.levels.get(id),
        band: j.bands.band(id),
    }
}

/// Draws the panel; `true` when the practice view was asked for.
pub fn show(ui: &mut egui::Ui, v: &PanelView<'_>) -> bool {
    let baseline = v.settings.baseline.as_ref();
    let practice = ui
        .button("Practice view (D)")
        .on_hover_text(
            "The state, the cue and the judged measures in big type, to read from a distance",
        )
        .clicked();
    // Once stopped, the last frame's state and numbers are history, not now's verdict.
    let current = v.latest.filter(|_| v.playing);
    ui.add_space(6.0);
    if !v.playing {
        ui.label(
            RichText::new("STOPPED")
                .size(30.0)
                .strong()
                .color(state_colour(PostureState::Unknown)),
        );
        ui.label(RichText::new("nothing is being judged; press Start to go on").weak());
    } else {
        let (state, instant) = current
            .map_or((PostureState::Unknown, PostureState::Unknown), |r| {
                (r.judgment.state.state, r.judgment.state.instant)
            });
        ui.label(
            RichText::new(state.name().to_uppercase())
                .size(30.0)
                .strong()
                .color(state_colour(state)),
        );
        if instant != state {
            ui.label(RichText::new(format!("now {}", instant.name())).color(state_colour(instant)));
        }
    }
    if let Some(cue) = current.and_then(|r| r.judgment.cue) {
        ui.label(RichText::new(cue.text).size(18.0));
    }
    ui.separator();
    ui.label(
        RichText::new(match baseline {
            Some(b) => format!(
                "change from your calibrated stance ({} frames), ± its wobble",
                b.frames
            ),
            None => "absolute values: calibrate (C) to read change from your own stance".into(),
        })
        .weak(),
    );
    if let Some(r) = current {
        egui::Grid::new("metrics")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                for id in MetricId::judged() {
                    metric_row(ui, row_of(r, id, v.settings));
                }
            });
        let j = &r.judgment;
        let activity = match (j.motion.activity, j.motion.stride) {
            (Some(a), Some(_)) => format!(" · {}, judged by the stride", a.as_str()),
            (Some(a), None) => format!(" · {}", a.as_str()),
            (None, _) => String::new(),
        };
        ui.label(
            RichText::new(format!(
                "view: {}{activity}",
                j.metrics
                    .and_then(|m| m.view)
                    .map_or("—", |view| view.as_str())
            ))
            .weak(),
        );
    }
    ui.separator();
    ui.label("Last minute, as judged: trunk lean (°, blue), shoulders over hips (% torso, orange)");
    Plot::new("history")
        .height(160.0)
        .allow_scroll(false)
        .allow_drag(false)
        .show(ui, |plot| {
            plot.line(
                Line::new("lean", PlotPoints::from_iter(v.plot.lean.iter().copied()))
                    .color(Color32::from_rgb(60, 120, 230)),
            );
            plot.line(
                Line::new(
                    "offset",
                    PlotPoints::from_iter(v.plot.offset.iter().copied()),
                )
                .color(Color32::from_rgb(240, 150, 40)),
            );
        });
    ui.separator();
    // Engine statistics are for whoever tunes the engine, not the person practising: folded
    // away until asked for.
    egui::CollapsingHeader::new("Diagnostics")
        .default_open(false)
        .show(ui, |ui| diagnostics(ui, v));
    ui.label(RichText::new(format!("source: {} · model {}", v.source, v.model.name())).weak());
    practice
}

/// Frame rate, latency, repaints, per-stage timings and dropped frames.
fn diagnostics(ui: &mut egui::Ui, v: &PanelView<'_>) {
    if let Some(r) = v.latest {
        let ms = |d: Duration| d.as_secs_f32() * 1000.0;
        let t = r.timings;
        let shown = v
            .display_latency
            .map_or(String::new(), |d| format!(" · on screen {:.0} ms", ms(d)));
        ui.label(format!(
            "{:.1} fps · analysed {:.0} ms after capture{shown}",
            v.fps,
            ms(r.latency)
        ));
        ui.label(RichText::new(format!("window repaints {:.0}/s", v.paint_fps)).weak());
        if let Some(cpu) = v.cpu.and_then(|m| Some((m.share()?, m.per_minute()?))) {
            ui.label(format!(
                "CPU {:.0}% of a core · {:.1} s per minute",
                cpu.0 * 100.0,
                cpu.1.as_secs_f32()
            ))
            .on_hover_text(
                "All of plumbline's threads (capture, decoding, the model, the window) over \
                 the last two seconds, and per minute since it started",
            );
        }
        if r.pose_reused {
            ui.label(format!(
                "capture {:.1} · still picture: the model's last pose · geometry {:.2} ms",
                ms(t.capture),
                ms(t.geometry)
            ));
        } else {
            ui.label(format!(
                "capture {:.1} · preprocess {:.1} · inference {:.1} · geometry {:.2} ms",
                ms(t.capture),
                ms(t.preprocess),
                ms(t.inference),
                ms(t.geometry)
            ));
        }
        ui.label(format!(
            "frames {} · dropped {} (the model was busy) · still {}",
            r.captured, r.dropped, r.reused
        ))
        .on_hover_text(
            "Still: frames that showed the same picture as the last one the model saw, judged \
             with the pose it found there. A still picture goes to the model at least five \
             times a second, and any movement at once.",
        );
    } else {
        ui.label(RichText::new("no frame analysed yet").weak());
    }
}
