//! What the user chose (camera, model, thresholds, alerts, units) and their calibration, kept
//! as JSON beside the session database so they survive a restart. The app and
//! `plumbline analyze` judge frames from the same settings. A settings file that cannot be
//! read is set aside, never silently overwritten.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::files::{OutputError, Target};
use crate::geometry::alerts::AlertRules;
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::Baseline;
use crate::geometry::calibration::flow::CalibrationTiming;
use crate::geometry::judge::JudgeConfig;
use crate::geometry::metrics::MetricsConfig;
use crate::geometry::motion::MotionConfig;
use crate::geometry::preset::Preset;
use crate::pose::ModelKind;
use crate::report::ReportOptions;
use crate::source::camera::BackendKind;

pub mod check;

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

/// Which camera, at what size, through which backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CameraSettings {
    pub index: u32,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// How the camera is opened: `auto` (the system's driver, else FFmpeg), `system` or
    /// `ffmpeg` ([`BackendKind`]); missing from settings files older than the choice. Kept
    /// as written so that a name this version does not know is reset with a note, like an
    /// out-of-range number, rather than making the whole file unreadable.
    pub backend: String,
}

impl CameraSettings {
    /// The backend [`CameraSettings::backend`] names ([`BackendKind::Auto`] for a name not
    /// known; the settings check has reset it already).
    pub fn backend_kind(&self) -> BackendKind {
        self.backend.parse().unwrap_or_default()
    }
}

impl Default for CameraSettings {
    fn default() -> Self {
        Self {
            index: 0,
            width: 640,
            height: 480,
            fps: 30,
            backend: BackendKind::Auto.name().to_owned(),
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
    /// Speak the cue ("bring your shoulders back over your hips") through the platform's speech
    /// engine, in place of the chime; and "good" on coming back to aligned.
    pub voice: bool,
    /// A short soft chime (also when there is no speech engine).
    pub sound: bool,
    /// A desktop notification.
    pub notification: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            rules: AlertRules::default(),
            voice: true,
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
    /// The practice length aimed for, in minutes (0: no goal): the practice view counts it
    /// down, and a recorded session keeps it.
    pub goal_min: f32,
    /// The window's view while a source plays.
    pub view: ViewMode,
    /// Reports' paper and the patient's name or label, for the session browser's PDF and
    /// `plumbline report` (whose `--paper` and `--label` override them).
    pub report: ReportOptions,
}

/// What the window shows beside the video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewMode {
    /// For practising at a distance: the state, the cue and the judged measures in big type.
    #[default]
    Practice,
    /// Every metric, the last minute's plot and the diagnostics.
    Details,
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
            goal_min: 0.0,
            view: ViewMode::default(),
            report: ReportOptions::default(),
        }
    }
}

impl Settings {
    /// The practice goal, if one is set.
    pub fn goal(&self) -> Option<std::time::Duration> {
        (self.goal_min > 0.0).then(|| std::time::Duration::from_secs_f32(self.goal_min * 60.0))
    }
}

/// Why settings could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot save the settings ({source}); check the folder's permissions: {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot save the settings: {0}")]
    Output(#[from] OutputError),
    #[error(
        "cannot save the settings: in their place is {what}, not a file; move it aside: {path}"
    )]
    NotAFile { what: &'static str, path: PathBuf },
}

/// Why a settings file could not be read.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("{0}")]
    Io(std::io::Error),
    /// A folder, a FIFO or a device where the file should be: reading a FIFO would wait for
    /// a writer forever.
    #[error("it is {0}, not a file")]
    NotAFile(&'static str),
    #[error("it is not UTF-8 text: {0}")]
    NotText(std::str::Utf8Error),
    #[error("{0}")]
    Invalid(serde_json::Error),
}

/// The name an unreadable settings file is kept under: `settings.json.unreadable`, else
/// `settings.json.unreadable.1`, `.2`, … — never one that exists.
fn aside_name(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".unreadable");
    if n > 0 {
        name.push(format!(".{n}"));
    }
    PathBuf::from(name)
}

/// Moves `path` to the first free [`aside_name`]; returns where it went. The name is claimed
/// by creating it (which fails if it exists), so no earlier set-aside file is replaced.
fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    for n in 0..10_000 {
        let kept = aside_name(path, n);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&kept)
        {
            Ok(_) => {
                return std::fs::rename(path, &kept)
                    .map(|()| kept.clone())
                    .inspect_err(|_| {
                        let _ = std::fs::remove_file(&kept);
                    });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "10000 unreadable settings files are already kept beside it",
    ))
}

/// What a file that is not a regular file is, in words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// One line per note, for a banner or standard error.
fn joined(notes: Vec<String>) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join("\n"))
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

    /// Reads the settings in `data_dir` for the app, which saves them: defaults when there are
    /// none yet. A file that cannot be read is first set aside under a name of its own (so no
    /// save can destroy it), and a number out of its range is reset to its default. Returns
    /// what to tell the user, one line per problem.
    pub fn load(data_dir: &Path) -> (Settings, Option<String>) {
        let path = Self::path(data_dir);
        let problem = match Self::read(&path) {
            Ok(s) => return s.map_or((Settings::default(), None), Self::checked),
            // Not a file plumbline made: left where it is (moving a FIFO or a device is not
            // ours to do), and saving will say so.
            Err(problem @ ReadError::NotAFile(_)) => {
                let note = format!(
                    "the settings file could not be read ({problem}); the defaults are used, \
                     and settings cannot be saved until it is moved aside: {}",
                    path.display()
                );
                return (Settings::default(), Some(note));
            }
            Err(problem) => problem,
        };
        let note = match set_aside(&path) {
            Ok(kept) => format!(
                "the settings file could not be read ({problem}); it was set aside as {} and \
                 the defaults are used",
                kept.display()
            ),
            Err(e) => format!(
                "the settings file could not be read ({problem}) nor set aside ({e}); the \
                 defaults are used: {}",
                path.display()
            ),
        };
        (Settings::default(), Some(note))
    }

    /// Reads the settings in `data_dir` for a command that only uses them (`plumbline
    /// analyze`): defaults when there are none; an unreadable file is reported and left where
    /// it is (the app sets it aside before it saves), numbers out of range are reset as
    /// [`load`](Self::load) does.
    pub fn peek(data_dir: &Path) -> (Settings, Option<String>) {
        let path = Self::path(data_dir);
        match Self::read(&path) {
            Ok(s) => s.map_or((Settings::default(), None), Self::checked),
            Err(e) => (
                Settings::default(),
                Some(format!(
                    "the settings could not be read ({e}); the defaults are used: {}",
                    path.display()
                )),
            ),
        }
    }

    /// The settings with every number in its range, and a note for each one reset.
    fn checked(self) -> (Settings, Option<String>) {
        let (s, notes) = check::checked(self);
        (s, joined(notes))
    }

    /// The file at `path`; `None` when there is none.
    fn read(path: &Path) -> Result<Option<Settings>, ReadError> {
        // Looked at before it is opened: opening a FIFO waits for a writer.
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => return Err(ReadError::NotAFile(kind_of(&meta))),
            _ => {}
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ReadError::Io(e)),
        };
        let text = std::str::from_utf8(&bytes).map_err(ReadError::NotText)?;
        serde_json::from_str(text)
            .map(Some)
            .map_err(ReadError::Invalid)
    }

    /// Writes the settings atomically (a temporary file renamed over the old one, owner-only),
    /// through a symbolic link to its target. Something else in their place (a folder, a FIFO)
    /// is refused and left as it is.
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        let path = Self::path(data_dir);
        let write = |source| SettingsError::Write {
            path: path.clone(),
            source,
        };
        crate::files::private::create(data_dir).map_err(write)?;
        let target = match Target::named(&path) {
            Err(OutputError::IsFolder { .. }) => {
                return Err(SettingsError::NotAFile {
                    what: "a folder",
                    path,
                });
            }
            other => other?.owner_only(),
        };
        if !target.is_file() {
            let what = std::fs::metadata(&path).map_or("not a file", |m| kind_of(&m));
            return Err(SettingsError::NotAFile { what, path });
        }
        let mut text = serde_json::to_string_pretty(self).map_err(|e| write(e.into()))?;
        text.push('\n');
        Ok(target.write_all(text.as_bytes())?)
    }
}

#[cfg(test)]
mod tests;
