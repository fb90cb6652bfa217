//! The side panel: the state at a glance, each metric against its band (as change from the
//! user's baseline, with the baseline's spread, once calibrated), the last minute's plot, and
//! how fast the pipeline runs.

use std::collections::VecDeque;
use std::time::Duration;

use eframe::egui::{self, Color32, RichText};
use egui_plot::{Line, Plot, PlotPoints};

use super::overlay::{self, state_colour};
use super::settings::{OffsetUnit, Settings};
use crate::geometry::calibration::{Baseline, Stat};
use crate::geometry::metrics::Metrics;
use crate::geometry::state::{Band, PostureState};
use crate::pipeline::live::LiveResult;

/// What the panel shows, borrowed from the app.
#[derive(Debug)]
pub struct PanelView<'a> {
    pub latest: Option<&'a LiveResult>,
    pub settings: &'a Settings,
    pub lean: &'a VecDeque<[f64; 2]>,
    pub offset: &'a VecDeque<[f64; 2]>,
    pub fps: f32,
    /// From capture to the frame being on screen.
    pub display_latency: Option<Duration>,
    /// How often the window repaints.
    pub paint_fps: f32,
    pub source: String,
}

/// The metrics as the user should read them: change from the baseline when there is one.
pub fn shown_metrics(m: &Metrics, baseline: Option<&Baseline>) -> Metrics {
    baseline.map_or(*m, |b| b.relative(m))
}

struct Row<'a> {
    name: &'a str,
    value: Option<f32>,
    spread: Option<Stat>,
    unit: &'a str,
    scale: f32,
    level: PostureState,
    band: Band,
}

fn metric_row(ui: &mut egui::Ui, r: Row<'_>) {
    ui.label(r.name);
    let value = r.value.map_or("—".to_string(), |v| {
        let v = v * r.scale;
        match r.spread {
            // The baseline's wobble is the honest uncertainty of a change from it.
            Some(s) => format!("{v:+.1} ±{:.1}{}", s.std * r.scale, r.unit),
            None => format!("{v:+.1}{}", r.unit),
        }
    });
    ui.label(
        RichText::new(value)
            .color(state_colour(r.level))
            .strong()
            .monospace(),
    );
    ui.label(
        RichText::new(format!(
            "{}/{}{}",
            r.band.drifting * r.scale,
            r.band.misaligned * r.scale,
            r.unit
        ))
        .weak(),
    );
    ui.end_row();
}

pub fn show(ui: &mut egui::Ui, v: &PanelView<'_>) {
    let (state, instant) = v
        .latest
        .map_or((PostureState::Unknown, PostureState::Unknown), |r| {
            (r.state.state, r.state.instant)
        });
    let baseline = v.settings.baseline.as_ref();
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
    if let Some(r) = v.latest
        && let Some(m) = &r.metrics
        && let Some(cue) = overlay::cue(&shown_metrics(m, baseline), &r.state.levels)
    {
        ui.label(RichText::new(cue).size(18.0));
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
    if let Some(r) = v.latest {
        let raw = r.metrics.unwrap_or_default();
        let m = shown_metrics(&raw, baseline);
        // The bands the state machine used: widened past the baseline's own noise.
        let th = &baseline.map_or(v.settings.thresholds, |b| b.widen(&v.settings.thresholds));
        let lv = &r.state.levels;
        let b = |f: fn(&Baseline) -> Option<Stat>| baseline.and_then(f);
        let (offset, offset_spread, offset_unit, offset_scale) = match v.settings.offset_unit {
            OffsetUnit::PercentTorso => (
                m.shoulder_hip_offset,
                b(|b| b.shoulder_hip_offset),
                "%",
                100.0,
            ),
            OffsetUnit::Centimetres => (
                m.shoulder_hip_offset_cm,
                b(|b| b.shoulder_hip_offset_cm),
                " cm",
                1.0,
            ),
        };
        // The offset's band is in torso fractions; in centimetres it is shown for a 50 cm torso.
        let offset_band = match v.settings.offset_unit {
            OffsetUnit::PercentTorso => th.shoulder_hip_offset,
            OffsetUnit::Centimetres => Band {
                drifting: th.shoulder_hip_offset.drifting * 50.0,
                misaligned: th.shoulder_hip_offset.misaligned * 50.0,
            },
        };
        egui::Grid::new("metrics")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                let deg = |name, value, spread, level, band| Row {
                    name,
                    value,
                    spread,
                    unit: "°",
                    scale: 1.0,
                    level,
                    band,
                };
                metric_row(
                    ui,
                    deg(
                        "trunk lean, frontal",
                        m.trunk_lean_frontal_deg,
                        b(|b| b.trunk_lean_frontal_deg),
                        lv.trunk_lean_frontal,
                        th.trunk_lean_frontal_deg,
                    ),
                );
                metric_row(
                    ui,
                    deg(
                        "trunk lean, sagittal",
                        m.trunk_lean_sagittal_deg,
                        b(|b| b.trunk_lean_sagittal_deg),
                        lv.trunk_lean_sagittal,
                        th.trunk_lean_sagittal_deg,
                    ),
                );
                metric_row(
                    ui,
                    Row {
                        name: "shoulders over hips",
                        value: offset,
                        spread: offset_spread,
                        unit: offset_unit,
                        scale: offset_scale,
                        level: lv.shoulder_hip_offset,
                        band: offset_band,
                    },
                );
                metric_row(
                    ui,
                    deg(
                        "shoulder tilt",
                        m.shoulder_tilt_deg,
                        b(|b| b.shoulder_tilt_deg),
                        lv.shoulder_tilt,
                        th.shoulder_tilt_deg,
                    ),
                );
                metric_row(
                    ui,
                    deg(
                        "hip tilt",
                        m.hip_tilt_deg,
                        b(|b| b.hip_tilt_deg),
                        lv.hip_tilt,
                        th.hip_tilt_deg,
                    ),
                );
                metric_row(
                    ui,
                    deg(
                        "head forward",
                        m.head_forward_deg,
                        b(|b| b.head_forward_deg),
                        lv.head_forward,
                        th.head_forward_deg,
                    ),
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
        .height(160.0)
        .allow_scroll(false)
        .allow_drag(false)
        .show(ui, |plot| {
            plot.line(
                Line::new("lean", PlotPoints::from_iter(v.lean.iter().copied()))
                    .color(Color32::from_rgb(60, 120, 230)),
            );
            plot.line(
                Line::new("offset", PlotPoints::from_iter(v.offset.iter().copied()))
                    .color(Color32::from_rgb(240, 150, 40)),
            );
        });
    ui.separator();
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
    ui.label(
        RichText::new(format!(
            "source: {} · model {}",
            v.source,
            v.settings.model.name()
        ))
        .weak(),
    );
}
