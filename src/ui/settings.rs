//! The Settings window: camera, model, thresholds, alerts, units and calibration timings,
//! edited in place; the data and its file are [`crate::settings`].

use std::sync::Arc;

use eframe::egui::{self, RichText};

use super::background::Pending;
use crate::source::camera::{self, BackendKind, CameraBackend};

use crate::geometry::MetricId;
use crate::geometry::bands::Thresholds;
use crate::geometry::metric_id::Band;
use crate::geometry::metric_id::Unit;
use crate::geometry::metrics::MIN_VISIBILITY_RANGE;
use crate::geometry::preset::{Measure, Practice};
use crate::pose::ModelKind;
use crate::report::{MAX_LABEL_CHARS, Paper};
use crate::settings::{OffsetUnit, Settings, check};

/// The Settings window: open or not, and the cameras to choose from (listed off the UI thread:
/// V4L probes each device).
#[derive(Debug, Default)]
pub struct SettingsWindow {
    open: bool,
    camera_names: Option<Vec<String>>,
    listing: Option<Pending<Vec<String>>>,
}

impl SettingsWindow {
    pub fn toggle(&mut self) {
        self.open = !self.open;
    }

    /// Draws the window while it is open; returns the settings as they were before a change,
    /// when something changed. `cameras` replaces the system's cameras (tests).
    pub fn show(
        &mut self,
        ctx: &egui::Context,
        settings: &mut Settings,
        cameras: &Option<Arc<dyn CameraBackend>>,
    ) -> Option<Settings> {
        if !self.open {
            return None;
        }
        if self.camera_names.is_none() && self.listing.is_none() {
            let backend = (cameras.clone())
                .unwrap_or_else(|| camera::backend(settings.camera.backend_kind()));
            self.listing = Some(Pending::spawn("listing cameras", ctx, move || {
                backend
                    .cameras()
                    .map(|c| c.into_iter().map(|c| c.name).collect())
                    .unwrap_or_default()
            }));
        }
        if let Some(names) = self.listing.as_ref().and_then(Pending::poll) {
            self.camera_names = Some(names.unwrap_or_default());
            self.listing = None;
        }
        let before = settings.clone();
        let mut changed = false;
        let mut open = true;
        egui::Window::new("Settings")
            .open(&mut open)
            .vscroll(true)
            .show(ctx, |ui| {
                changed = show(ui, settings, self.camera_names.as_deref());
            });
        self.open = open;
        if settings.camera.backend != before.camera.backend {
            // Another backend may see other cameras.
            self.camera_names = None;
        }
        changed.then_some(before)
    }
}

/// A number of seconds to drag.
fn seconds(
    value: &mut f32,
    range: std::ops::RangeInclusive<f32>,
    speed: f64,
) -> egui::DragValue<'_> {
    egui::DragValue::new(value)
        .range(range)
        .speed(speed)
        .suffix(" s")
}

fn band_row(ui: &mut egui::Ui, name: &str, band: &mut Band, unit: Unit) -> bool {
    ui.label(name);
    let (suffix, scale) = (unit.short_suffix(), unit.display_scale());
    // What the settings check allows, as the user reads it.
    let allowed = check::band_range(unit);
    let range = allowed.start() * scale..=allowed.end() * scale;
    let mut d = band.drifting * scale;
    let mut m = band.misaligned * scale;
    let a = ui
        .add(
            egui::DragValue::new(&mut d)
                .range(range.clone())
                .speed(0.1)
                .suffix(suffix),
        )
        .changed();
    let b = ui
        .add(
            egui::DragValue::new(&mut m)
                .range(range)
                .speed(0.1)
                .suffix(suffix),
        )
        .changed();
    ui.end_row();
    if a || b {
        band.drifting = d / scale;
        // A misaligned threshold below the drifting one would make "drifting" unreachable.
        band.misaligned = (m / scale).max(band.drifting);
    }
    a || b
}

/// The settings window's contents; `true` when something changed. `cameras` are the names of
/// the cameras found (`None`: still looking).
pub fn show(ui: &mut egui::Ui, s: &mut Settings, cameras: Option<&[String]>) -> bool {
    let mut camera_or_model = false;
    ui.heading("Camera and model");
    egui::Grid::new("settings-camera")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("camera");
            let current = cameras
                .and_then(|c| c.get(s.camera.index as usize))
                .cloned()
                .unwrap_or_else(|| format!("camera {}", s.camera.index));
            egui::ComboBox::from_id_salt("camera")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    let Some(cameras) = cameras else {
                        ui.label("looking for cameras…");
                        return;
                    };
                    if cameras.is_empty() {
                        ui.label("no camera found");
                    }
                    for (i, name) in cameras.iter().enumerate() {
                        camera_or_model |= ui
                            .selectable_value(&mut s.camera.index, i as u32, name)
                            .changed();
                    }
                });
            ui.end_row();
            ui.label("camera backend");
            egui::ComboBox::from_id_salt("camera backend")
                .selected_text(s.camera.backend_kind().name())
                .show_ui(ui, |ui| {
                    for kind in BackendKind::ALL {
                        let chosen = s.camera.backend_kind() == kind;
                        let item = ui.selectable_label(chosen, kind.name());
                        if item.on_hover_text(kind.describe()).clicked() && !chosen {
                            s.camera.backend = kind.name().to_owned();
                            camera_or_model = true;
                        }
                    }
                });
            ui.end_row();
            ui.label("resolution");
            let res = format!("{}×{}", s.camera.width, s.camera.height);
            egui::ComboBox::from_id_salt("resolution")
                .selected_text(res)
                .show_ui(ui, |ui| {
                    for (w, h) in [(640, 480), (1280, 720), (1920, 1080)] {
                        let chosen = (s.camera.width, s.camera.height) == (w, h);
                        if ui.selectable_label(chosen, format!("{w}×{h}")).clicked() && !chosen {
                            (s.camera.width, s.camera.height) = (w, h);
                            camera_or_model = true;
                        }
                    }
                });
            ui.end_row();
            ui.label("model");
            ui.horizontal(|ui| {
                for (m, label) in [
                    (ModelKind::Lite, "lite (fastest)"),
                    (ModelKind::Full, "full"),
                    (ModelKind::Heavy, "heavy (most accurate)"),
                ] {
                    camera_or_model |= ui.radio_value(&mut s.model, m, label).changed();
                }
            });
            ui.end_row();
        });
    ui.separator();
    ui.heading("Practice");
    let mut practice_changed = false;
    ui.horizontal(|ui| {
        for p in Practice::ALL {
            practice_changed |= ui
                .radio_value(&mut s.preset.activity, p, p.label())
                .changed();
        }
    });
    ui.label(RichText::new("Judge these measures:").weak());
    ui.horizontal_wrapped(|ui| {
        for m in Measure::ALL {
            let mut on = s.preset.measures.contains(&m);
            if ui.checkbox(&mut on, m.label()).changed() {
                s.preset.measures.retain(|x| *x != m);
                if on {
                    s.preset.measures.push(m);
                }
                s.preset = std::mem::take(&mut s.preset).normalized();
                practice_changed = true;
            }
        }
    });
    ui.horizontal(|ui| {
        let mut goal = s.goal_min > 0.0;
        if ui
            .checkbox(&mut goal, "Practice goal")
            .on_hover_text("The practice view counts it down and says when it is reached; a recording keeps it")
            .changed()
        {
            s.goal_min = if goal { 10.0 } else { 0.0 };
            practice_changed = true;
        }
        if goal {
            practice_changed |= ui
                .add(
                    egui::DragValue::new(&mut s.goal_min)
                        // 0 is "no goal", the checkbox's.
                        .range(1.0..=*check::GOAL_MIN.end())
                        .speed(0.5)
                        .max_decimals(0)
                        .suffix(" min"),
                )
                .changed();
        }
    });
    ui.separator();
    ui.heading("Thresholds");
    ui.label(
        RichText::new(
            "Drifting and misaligned, on change from your calibration when you have one.",
        )
        .weak(),
    );
    let th = &mut s.thresholds;
    let mut any = false;
    egui::Grid::new("settings-thresholds")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.label("drifting");
            ui.label("misaligned");
            ui.end_row();
            for id in MetricId::judged().filter(|id| id.has_own_band()) {
                let Some(mut band) = th.band(id) else {
                    continue;
                };
                if band_row(ui, id.label(), &mut band, id.unit()) {
                    th.set_band(id, band);
                    any = true;
                }
            }
        });
    ui.label(
        egui::RichText::new(
            "shoulders over hips and the plumb line are judged on the trunk lean's bands: \
             the same geometry in torso lengths",
        )
        .weak(),
    );
    ui.horizontal(|ui| {
        ui.label("state must hold for");
        any |= ui
            .add(seconds(&mut th.min_dwell_s, check::MIN_DWELL_S, 0.05))
            .changed();
        ui.label("before it shows");
    });
    if ui.button("Reset thresholds to defaults").clicked() {
        *th = Thresholds::default();
        any = true;
    }
    ui.separator();
    ui.heading("Alerts");
    let a = &mut s.alerts;
    let rules = &mut a.rules;
    egui::Grid::new("settings-alerts")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("alert when misaligned for");
            any |= ui
                // From 1 s: at 0 every misaligned frame would alert.
                .add(seconds(
                    &mut rules.misaligned_after_s,
                    1.0..=*check::MISALIGNED_AFTER_S.end(),
                    0.5,
                ))
                .changed();
            ui.end_row();
            ui.label("repeat while misaligned every");
            any |= ui
                // From 10 s: a reminder more often is a nag.
                .add(seconds(
                    &mut rules.repeat_after_s,
                    10.0..=*check::REPEAT_AFTER_S.end(),
                    1.0,
                ))
                .changed();
            ui.end_row();
        });
    any |= ui
        .checkbox(
            &mut a.voice,
            "speak the cue, and \"good\" when you are back",
        )
        .on_hover_text("Through the system's speech engine; without one, the chime sounds")
        .changed();
    any |= ui
        .checkbox(&mut a.sound, "play a soft chime (when nothing is spoken)")
        .changed();
    any |= ui
        .checkbox(&mut a.notification, "show a desktop notification")
        .changed();
    any |= ui
        .checkbox(
            &mut rules.move_reminders,
            "remind me to move after long stillness",
        )
        .changed();
    ui.separator();
    ui.heading("Reports");
    ui.horizontal(|ui| {
        ui.label("name or label on every page");
        let mut text = s.report.label.clone().unwrap_or_default();
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .char_limit(MAX_LABEL_CHARS)
                    .hint_text("the patient's name (optional)"),
            )
            .on_hover_text("Shown at the head of the session browser's PDF and HTML reports, and of `plumbline report`'s unless --label says otherwise");
        if edit.changed() {
            // Kept as typed (a space before the next word); reports show it cleaned.
            s.report.label = (!text.trim().is_empty()).then_some(text);
            any = true;
        }
    });
    ui.horizontal(|ui| {
        ui.label("PDF paper");
        for (paper, label) in [(Paper::A4, "A4"), (Paper::Letter, "US Letter")] {
            any |= ui.radio_value(&mut s.report.paper, paper, label).changed();
        }
    });
    ui.separator();
    ui.heading("Units and calibration");
    any |= ui
        .checkbox(
            &mut s.mirror_video,
            "show the video as a mirror (your left on the left)",
        )
        .changed();
    ui.horizontal(|ui| {
        ui.label("shoulders over hips in");
        any |= ui
            .radio_value(&mut s.offset_unit, OffsetUnit::PercentTorso, "% of torso")
            .changed();
        any |= ui
            .radio_value(
                &mut s.offset_unit,
                OffsetUnit::Centimetres,
                "cm (3-D estimate)",
            )
            .changed();
    });
    ui.horizontal(|ui| {
        ui.label("a landmark counts as seen from visibility");
        any |= ui
            .add(
                egui::DragValue::new(&mut s.min_visibility)
                    .range(MIN_VISIBILITY_RANGE)
                    .speed(0.01),
            )
            .on_hover_text("The same threshold for every measure, rule and the drawn skeleton")
            .changed();
    });
    ui.horizontal(|ui| {
        ui.label("calibration: get ready");
        any |= ui
            .add(seconds(
                &mut s.calibration.countdown_s,
                check::COUNTDOWN_S,
                1.0,
            ))
            .changed();
        ui.label("then stand still");
        any |= ui
            .add(seconds(
                &mut s.calibration.duration_s,
                check::CAPTURE_S,
                1.0,
            ))
            .changed();
    });
    any || camera_or_model || practice_changed
}
