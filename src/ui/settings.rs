//! The app's settings: what the user chose (camera, model, thresholds, alerts, units) and
//! their calibration, kept as JSON beside the session database so they survive a restart.
//! A settings file that cannot be read is set aside, never silently overwritten.

use std::path::{Path, PathBuf};

use eframe::egui::{self, RichText};
use serde::{Deserialize, Serialize};

use crate::geometry::MetricId;
use crate::geometry::bands::{Band, Thresholds};
use crate::geometry::calibration::Baseline;
use crate::pose::ModelKind;

/// The settings file inside the data directory.
pub const SETTINGS_FILE: &str = "settings.json";

/// How the shoulder-over-hip offset is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetUnit {
    /// Percent of the torso length, from the image: works in any view.
    #[default]
    PercentTorso,
    /// Centimetres, from BlazePose's 3-D world landmarks (an estimate of real size).
    Centimetres,
}

/// Which camera, at what size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CameraSettings {
    pub index: u32,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for CameraSettings {
    fn default() -> Self {
        Self {
            index: 0,
            width: 640,
            height: 480,
            fps: 30,
        }
    }
}

/// The calibration's timing: a countdown to get into position, then the capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CalibrationSettings {
    pub countdown_s: f32,
    pub duration_s: f32,
}

impl Default for CalibrationSettings {
    fn default() -> Self {
        Self {
            countdown_s: 3.0,
            duration_s: 5.0,
        }
    }
}

/// Everything the app remembers between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub model: ModelKind,
    pub camera: CameraSettings,
    pub thresholds: Thresholds,
    pub alerts: super::alerts::AlertSettings,
    pub offset_unit: OffsetUnit,
    pub calibration: CalibrationSettings,
    /// The user's neutral stance, from the last calibration.
    pub baseline: Option<Baseline>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            model: ModelKind::Full,
            camera: CameraSettings::default(),
            thresholds: Thresholds::default(),
            alerts: Default::default(),
            offset_unit: OffsetUnit::default(),
            calibration: CalibrationSettings::default(),
            baseline: None,
        }
    }
}

/// Why settings could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the settings ({source}): {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the settings file is not valid ({source}); it was renamed to {} and defaults are used",
        kept.display()
    )]
    Invalid {
        kept: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot save the settings ({source}); check the folder's permissions: {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Settings {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(SETTINGS_FILE)
    }

    /// Reads the settings in `data_dir`; defaults when there are none yet. An unreadable file
    /// is renamed aside (so the next save cannot destroy it) and reported with the defaults.
    pub fn load(data_dir: &Path) -> (Settings, Option<SettingsError>) {
        let path = Self::path(data_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Settings::default(), None);
            }
            Err(source) => {
                return (
                    Settings::default(),
                    Some(SettingsError::Read { path, source }),
                );
            }
        };
        match serde_json::from_str(&text) {
            Ok(s) => (s, None),
            Err(source) => {
                let kept = path.with_extension("json.unreadable");
                if let Err(e) = std::fs::rename(&path, &kept) {
                    return (
                        Settings::default(),
                        Some(SettingsError::Read { path, source: e }),
                    );
                }
                (
                    Settings::default(),
                    Some(SettingsError::Invalid { kept, source }),
                )
            }
        }
    }

    /// Writes the settings atomically (a temporary file renamed over the old one).
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        let path = Self::path(data_dir);
        let write = |source| SettingsError::Write {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(write)?;
        let tmp = path.with_extension("json.tmp");
        let mut text = serde_json::to_string_pretty(self).map_err(|e| write(e.into()))?;
        text.push('\n');
        std::fs::write(&tmp, text).map_err(write)?;
        std::fs::rename(&tmp, &path).map_err(write)
    }
}

/// What changing a setting requires of the running app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changed {
    /// Something changed: save.
    pub any: bool,
    /// The model or camera changed: restart the pipeline.
    pub restart: bool,
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

fn band_row(ui: &mut egui::Ui, name: &str, band: &mut Band, unit: &str, scale: f32) -> bool {
    ui.label(name);
    let mut d = band.drifting * scale;
    let mut m = band.misaligned * scale;
    let a = ui
        .add(
            egui::DragValue::new(&mut d)
                .range(0.0..=90.0)
                .speed(0.1)
                .suffix(unit),
        )
        .changed();
    let b = ui
        .add(
            egui::DragValue::new(&mut m)
                .range(0.0..=90.0)
                .speed(0.1)
                .suffix(unit),
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

/// The settings window's contents. `cameras` are the names of the cameras found.
pub fn show(ui: &mut egui::Ui, s: &mut Settings, cameras: &[String]) -> Changed {
    let mut changed = Changed::default();
    let mut restart = false;
    ui.heading("Camera and model");
    egui::Grid::new("settings-camera")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("camera");
            let current = cameras
                .get(s.camera.index as usize)
                .cloned()
                .unwrap_or_else(|| format!("camera {}", s.camera.index));
            egui::ComboBox::from_id_salt("camera")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for (i, name) in cameras.iter().enumerate() {
                        restart |= ui
                            .selectable_value(&mut s.camera.index, i as u32, name)
                            .changed();
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
                            restart = true;
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
                    restart |= ui.radio_value(&mut s.model, m, label).changed();
                }
            });
            ui.end_row();
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
            for id in MetricId::judged() {
                let Some(mut band) = th.band(id) else {
                    continue;
                };
                let unit = id.unit();
                if band_row(
                    ui,
                    id.label(),
                    &mut band,
                    unit.short_suffix(),
                    unit.display_scale(),
                ) {
                    th.set_band(id, band);
                    any = true;
                }
            }
        });
    ui.horizontal(|ui| {
        ui.label("state must hold for");
        any |= ui
            .add(seconds(&mut th.min_dwell_s, 0.0..=10.0, 0.05))
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
    egui::Grid::new("settings-alerts")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("alert when misaligned for");
            any |= ui
                .add(seconds(&mut a.misaligned_after_s, 1.0..=600.0, 0.5))
                .changed();
            ui.end_row();
            ui.label("repeat while misaligned every");
            any |= ui
                .add(seconds(&mut a.repeat_after_s, 10.0..=3600.0, 1.0))
                .changed();
            ui.end_row();
        });
    any |= ui.checkbox(&mut a.sound, "play a soft chime").changed();
    any |= ui
        .checkbox(&mut a.notification, "show a desktop notification")
        .changed();
    any |= ui
        .checkbox(
            &mut a.move_reminders,
            "remind me to move after long stillness",
        )
        .changed();
    ui.separator();
    ui.heading("Units and calibration");
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
        ui.label("calibration: get ready");
        any |= ui
            .add(seconds(&mut s.calibration.countdown_s, 0.0..=30.0, 1.0))
            .changed();
        ui.label("then stand still");
        any |= ui
            .add(seconds(&mut s.calibration.duration_s, 1.0..=60.0, 1.0))
            .changed();
    });
    changed.restart = restart;
    changed.any = any || restart;
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Settings {
            model: ModelKind::Lite,
            offset_unit: OffsetUnit::Centimetres,
            ..Settings::default()
        };
        s.thresholds.set_band(
            MetricId::TrunkLeanFrontal,
            Band {
                drifting: 5.0,
                misaligned: 14.0,
            },
        );
        s.camera.index = 2;
        s.save(dir.path()).unwrap();
        let (back, err) = Settings::load(dir.path());
        assert!(err.is_none());
        assert_eq!(back, s);
    }

    #[test]
    fn missing_file_gives_defaults_without_complaint() {
        let dir = tempfile::tempdir().unwrap();
        let (s, err) = Settings::load(dir.path());
        assert!(err.is_none());
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn older_files_with_missing_fields_keep_what_they_have() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE), r#"{"model": "heavy"}"#).unwrap();
        let (s, err) = Settings::load(dir.path());
        assert!(err.is_none());
        assert_eq!(s.model, ModelKind::Heavy);
        assert_eq!(s.thresholds, Thresholds::default());
    }

    #[test]
    fn a_broken_file_is_set_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(&path, "{ not json").unwrap();
        let (s, err) = Settings::load(dir.path());
        assert_eq!(s, Settings::default());
        let msg = err.unwrap().to_string();
        assert!(msg.contains("settings.json.unreadable"), "{msg}");
        let kept = dir.path().join("settings.json.unreadable");
        assert_eq!(std::fs::read_to_string(kept).unwrap(), "{ not json");
        s.save(dir.path()).unwrap();
        assert!(path.exists());
    }
}
