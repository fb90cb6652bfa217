//! How the app starts: the engine, where settings and sessions live, what to play, and the
//! options the tests and docs use (a screenshot after some frames, a fake camera).

use std::path::PathBuf;
use std::sync::Arc;

use super::alerts::voice::SpeechSource;
use crate::files::Target;
use crate::install;
use crate::pose::{EngineConfig, ModelKind};
use crate::settings::ViewMode;
use crate::source::camera::CameraBackend;

/// How the app starts.
#[derive(Clone)]
pub struct AppOptions {
    /// Engine settings (threads, models folder, smoothing); its model is the one
    /// [`AppOptions::engine_for`] chooses.
    pub engine: EngineConfig,
    /// The model for this run only (`--model`); `None`: the saved one.
    pub model: Option<ModelKind>,
    /// Where settings and sessions are kept (`None`: `$PLUMBLINE_DATA_DIR`, else the platform's
    /// data folder).
    pub data_dir: Option<PathBuf>,
    /// A video, image folder or glob to play instead of the camera.
    pub source: Option<PathBuf>,
    /// Start recording a session as soon as the analysis starts.
    pub record: bool,
    /// Calibrate as soon as the analysis starts.
    pub calibrate: bool,
    /// Open full screen.
    pub fullscreen: bool,
    /// The window's size in points (`None`: 1180×720).
    pub window_size: Option<[f32; 2]>,
    /// Save a screenshot here after `frames` analysed frames (or when the source ends, if
    /// sooner), then close (for tests and docs). Checked before the window opens.
    pub screenshot: Option<Target>,
    pub frames: u64,
    /// The cameras to use (`None`: the backend the settings choose); `--camera-backend`
    /// passes one, tests a fake.
    pub cameras: Option<Arc<dyn CameraBackend>>,
    /// The speech engine for spoken cues (`None`: the platform's); tests pass a recording one.
    pub speech: Option<SpeechSource>,
    /// Start in this view (`None`: the one the settings saved).
    pub view: Option<ViewMode>,
}

impl std::fmt::Debug for AppOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppOptions")
            .field("engine", &self.engine)
            .field("model", &self.model)
            .field("data_dir", &self.data_dir)
            .field("source", &self.source)
            .field("record", &self.record)
            .field("calibrate", &self.calibrate)
            .field("fullscreen", &self.fullscreen)
            .field("window_size", &self.window_size)
            .field("screenshot", &self.screenshot)
            .field("frames", &self.frames)
            .field("fake cameras", &self.cameras.is_some())
            .field("fake speech", &self.speech.is_some())
            .field("view", &self.view)
            .finish()
    }
}

impl AppOptions {
    /// The app on the camera with `engine`, everything else as the saved settings say.
    pub fn new(engine: EngineConfig) -> Self {
        Self {
            engine,
            model: None,
            data_dir: None,
            source: None,
            record: false,
            calibrate: false,
            fullscreen: false,
            window_size: None,
            screenshot: None,
            frames: 30,
            cameras: None,
            speech: None,
            view: None,
        }
    }
}

impl AppOptions {
    /// The engine the window starts with: the model given for this run, else the one the
    /// settings saved (which keep theirs either way). The one place the model is chosen.
    pub fn engine_for(&self, saved: ModelKind) -> EngineConfig {
        EngineConfig {
            model: self.model.unwrap_or(saved),
            ..self.engine.clone()
        }
    }
}

/// The bundled demo clip, played when there is no camera.
pub fn demo_clip() -> PathBuf {
    install::find(install::DEMO_CLIP)
}
