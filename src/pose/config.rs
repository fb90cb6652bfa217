//! What the engine runs: which landmark model, from where, on how many threads, and whether it
//! tracks and smooths (video) or takes each image afresh (stills).

use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::CONVERT_HEAVY_COMMAND;
use super::runtime::{RuntimeOptions, models_dir, shipped_model_hint};

/// Which BlazePose landmark model to run: more accurate means slower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Lite,
    #[default]
    Full,
    Heavy,
}

impl ModelKind {
    pub fn file_name(self) -> &'static str {
        match self {
            ModelKind::Lite => "pose_landmark_lite.onnx",
            ModelKind::Full => "pose_landmark_full.onnx",
            ModelKind::Heavy => "pose_landmark_heavy.onnx",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Lite => "lite",
            ModelKind::Full => "full",
            ModelKind::Heavy => "heavy",
        }
    }

    /// What to do when the file is missing: the heavy model is not shipped.
    pub(super) fn missing_hint(self) -> String {
        match self {
            ModelKind::Heavy => format!(
                "the heavy model is not shipped (55 MB); create it with `{}`",
                CONVERT_HEAVY_COMMAND
            ),
            _ => shipped_model_hint(),
        }
    }
}

impl FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lite" => Ok(ModelKind::Lite),
            "full" => Ok(ModelKind::Full),
            "heavy" => Ok(ModelKind::Heavy),
            other => Err(format!(
                "unknown model `{other}` (expected lite, full or heavy)"
            )),
        }
    }
}

/// Engine settings.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    pub model: ModelKind,
    /// Folder with the ONNX files.
    pub models_dir: PathBuf,
    /// ONNX Runtime intra-op threads per model.
    pub threads: usize,
    /// Whether ONNX Runtime's idle threads spin waiting for work ([`RuntimeOptions`]).
    pub spinning: bool,
    /// Minimum detector score to accept a person (MediaPipe's `min_detection_confidence`).
    pub min_detection_score: f32,
    /// Minimum pose-flag score to keep a pose (MediaPipe's `min_tracking_confidence`).
    pub min_pose_score: f32,
    /// Reuse the previous frame's landmarks as the next ROI (video); off for still images.
    pub tracking: bool,
    /// Smooth landmarks over time (video); off for still images.
    pub smoothing: bool,
    /// Brighten frames darker than [`super::brighten::DARK_LUMA`] before the models see them.
    pub brighten_dark: bool,
}

impl EngineConfig {
    /// Settings for a video stream: tracking and smoothing on.
    pub fn video(model: ModelKind) -> Self {
        Self {
            model,
            models_dir: models_dir(),
            threads: default_threads(),
            spinning: false,
            min_detection_score: 0.5,
            min_pose_score: 0.5,
            tracking: true,
            smoothing: true,
            brighten_dark: true,
        }
    }

    /// How ONNX Runtime runs the models.
    pub fn runtime(&self) -> RuntimeOptions {
        RuntimeOptions {
            spinning: self.spinning,
            ..RuntimeOptions::new(self.threads)
        }
    }

    /// Settings for unrelated still images: every image is detected afresh, no smoothing
    /// (MediaPipe's `static_image_mode`).
    pub fn still_images(model: ModelKind) -> Self {
        Self {
            tracking: false,
            smoothing: false,
            ..Self::video(model)
        }
    }
}

/// Intra-op threads by default: every core, at most 4 (beyond that a 256×256 model gains
/// nothing and the capture and UI threads lose).
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().min(4))
        .unwrap_or(1)
}
