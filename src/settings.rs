//! What the user chose (camera, model, thresholds, alerts, units) and their calibration, kept
//! as JSON beside the session database so they survive a restart. The app and
//! `plumbline analyze` judge frames from the same settings. A settings file that cannot be
//! read is set aside, never silently overwritten.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::geometry::alerts::AlertRules;
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::Baseline;
use crate::geometry::calibration::flow::CalibrationTiming;
use crate::geometry::judge::JudgeConfig;
use crate::geometry::metrics::MetricsConfig;
use crate::geometry::motion::MotionConfig;
use crate::geometry::preset::Preset;
use crate::pose::ModelKind;

pub use crate::session::store::SETTINGS_FILE;

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

/// How alerts reach the user: when (the rules, shared with `plumbline analyze`) and through
/// what (the app's chime and notifications). Stored as one flat object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertSettings {
    #[serde(flatten)]
    pub rules: AlertRules,
    /// A short soft chime.
    pub sound: bool,
    /// A desktop notification.
    pub notification: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            rules: AlertRules::default(),
            sound: true,
            notification: false,
        }
    }
}

/// Everything the app remembers between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub model: ModelKind,
    pub camera: CameraSettings,
    /// A landmark counts as seen from this visibility on, for every metric, rule and drawing.
    pub min_visibility: f32,
    pub thresholds: Thresholds,
    pub alerts: AlertSettings,
    pub offset_unit: OffsetUnit,
    pub calibration: CalibrationTiming,
    /// The user's neutral stance, from the last calibration.
    pub baseline: Option<Baseline>,
    /// Show the video as a mirror does (as video-call apps do), so a user facing the camera
    /// sees their left on the left. Only the picture flips: metrics and cues are the same.
    pub mirror_video: bool,
    /// Which measures are judged, and for which activity (a physiotherapist's practice preset).
    pub preset: Preset,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            model: ModelKind::Full,
            camera: CameraSettings::default(),
            min_visibility: MetricsConfig::default().min_visibility,
            thresholds: Thresholds::default(),
            alerts: AlertSettings::default(),
            offset_unit: OffsetUnit::default(),
            calibration: CalibrationTiming::default(),
            baseline: None,
            mirror_video: true,
            preset: Preset::default(),
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

/// Why a settings file could not be read.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("{0}")]
    Io(std::io::Error),
    #[error("{0}")]
    Invalid(serde_json::Error),
}

impl Settings {
    /// How frames are judged under these settings: the same for the app and for
    /// `plumbline analyze`.
    pub fn judge_config(&self) -> JudgeConfig {
        JudgeConfig {
            metrics: MetricsConfig {
                min_visibility: self.min_visibility,
            },
            thresholds: self.thresholds,
            motion: MotionConfig::default(),
            alerts: self.alerts.rules.clone(),
            calibration: self.calibration.clone(),
            baseline: self.baseline.clone(),
            preset: self.preset.clone().normalized(),
        }
    }

    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(SETTINGS_FILE)
    }

    /// Reads the settings in `data_dir`; defaults when there are none yet. An unreadable file
    /// is renamed aside (so the next save cannot destroy it) and reported with the defaults.
    pub fn load(data_dir: &Path) -> (Settings, Option<SettingsError>) {
        let path = Self::path(data_dir);
        match Self::read(data_dir) {
            Ok(s) => (s, None),
            Err(ReadError::Io(source)) => (
                Settings::default(),
                Some(SettingsError::Read { path, source }),
            ),
            Err(ReadError::Invalid(source)) => {
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

    /// Reads the settings in `data_dir` for a command that only uses them (`plumbline
    /// analyze`): defaults when there are none; an unreadable file is reported, left where it
    /// is, and the defaults are used.
    pub fn peek(data_dir: &Path) -> (Settings, Option<String>) {
        let path = Self::path(data_dir);
        match Self::read(data_dir) {
            Ok(s) => (s, None),
            Err(e) => (
                Settings::default(),
                Some(format!(
                    "the settings could not be read ({e}); the defaults are used: {}",
                    path.display()
                )),
            ),
        }
    }

    fn read(data_dir: &Path) -> Result<Settings, ReadError> {
        let text = match std::fs::read_to_string(Self::path(data_dir)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(ReadError::Io(e)),
        };
        serde_json::from_str(&text).map_err(ReadError::Invalid)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::MetricId;
    use crate::geometry::metric_id::Band;

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
    fn alert_settings_keep_their_flat_layout() {
        let json = serde_json::to_value(AlertSettings::default()).unwrap();
        assert_eq!(json["misaligned_after_s"], 10.0);
        assert_eq!(json["sound"], true);
        let read: AlertSettings =
            serde_json::from_str(r#"{"repeat_after_s": 30, "notification": true}"#).unwrap();
        assert_eq!(read.rules.repeat_after_s, 30.0);
        assert!(read.notification && read.sound);
    }

    #[test]
    fn the_judgment_comes_from_the_settings() {
        let mut s = Settings {
            min_visibility: 0.7,
            ..Settings::default()
        };
        s.alerts.rules.misaligned_after_s = 4.0;
        s.calibration.duration_s = 9.0;
        let j = s.judge_config();
        assert_eq!(j.min_visibility(), 0.7);
        assert_eq!(j.alerts.misaligned_after_s, 4.0);
        assert_eq!(j.calibration.duration_s, 9.0);
        assert_eq!(j.thresholds, s.thresholds);
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
