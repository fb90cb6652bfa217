//! The pose engine: camera frame in, one person's 33 BlazePose landmarks out.
//! Detector → ROI → landmark model, with tracking and smoothing between frames.

pub mod anchors;
pub mod detector;
pub mod filter;
pub mod landmarker;
pub mod landmarks;
pub mod preprocess;
pub mod roi;
pub mod runtime;
pub mod tracker;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use image::RgbImage;
use serde::{Deserialize, Serialize};

pub use landmarks::{Landmark, LandmarkId, NUM_LANDMARKS, Pose, Vec3};
pub use roi::NormRect;

use detector::Detector;
use landmarker::Landmarker;
use roi::{ImageSize, pose_roi};
use tracker::Tracker;

/// What can go wrong in the engine. Messages name the file and what to do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PoseError {
    #[error(
        "the ONNX Runtime library was not found; run `{setup}` to install it, or set {env} to a libonnxruntime.so (looked in: {searched})",
        setup = runtime::SETUP_COMMAND,
        env = runtime::ORT_DYLIB_ENV
    )]
    RuntimeMissing { searched: String },
    #[error("could not load the ONNX Runtime library ({message}); run `{setup}` to reinstall it: {path}", setup = runtime::SETUP_COMMAND)]
    RuntimeLoad { path: PathBuf, message: String },
    #[error("model file not found; {hint}: {path}")]
    ModelMissing { path: PathBuf, hint: String },
    #[error("not a {role}: {problem}: {path}")]
    ModelMismatch {
        path: PathBuf,
        role: &'static str,
        problem: String,
    },
    #[error("could not load the model ({message}): {path}")]
    ModelLoad { path: PathBuf, message: String },
    #[error("inference failed in the {stage}: {message}")]
    Inference {
        stage: &'static str,
        message: String,
    },
}

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
    fn missing_hint(self) -> String {
        match self {
            ModelKind::Heavy => format!(
                "the heavy model is not shipped (55 MB); create it with `{}`",
                runtime::CONVERT_HEAVY_COMMAND
            ),
            _ => format!(
                "run `{}` to regenerate the models",
                runtime::CONVERT_COMMAND
            ),
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
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub model: ModelKind,
    /// Folder with the ONNX files.
    pub models_dir: PathBuf,
    /// ONNX Runtime intra-op threads per model.
    pub threads: usize,
    /// Minimum detector score to accept a person (MediaPipe's `min_detection_confidence`).
    pub min_detection_score: f32,
    /// Minimum pose-flag score to keep a pose (MediaPipe's `min_tracking_confidence`).
    pub min_pose_score: f32,
    /// Reuse the previous frame's landmarks as the next ROI (video); off for still images.
    pub tracking: bool,
    /// Smooth landmarks over time (video); off for still images.
    pub smoothing: bool,
}

impl EngineConfig {
    /// Settings for a video stream: tracking and smoothing on.
    pub fn video(model: ModelKind) -> Self {
        Self {
            model,
            models_dir: runtime::models_dir(),
            threads: default_threads(),
            min_detection_score: 0.5,
            min_pose_score: 0.5,
            tracking: true,
            smoothing: true,
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

/// What one call of [`PoseEstimator::estimate`] did, for statistics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepInfo {
    /// The detector ran on this frame (first frame, or the person was lost).
    pub ran_detector: bool,
    /// The ROI the landmark model looked at, if any.
    pub roi: Option<NormRect>,
    /// Time spent cropping and normalising model inputs (both models).
    pub preprocess: Duration,
    /// Time spent in ONNX Runtime and decoding (both models).
    pub inference: Duration,
}

/// Frame → pose, holding the two models and the tracking state.
#[derive(Debug)]
pub struct PoseEstimator {
    detector: Detector,
    landmarker: Landmarker,
    tracker: Tracker,
    min_pose_score: f32,
    model: ModelKind,
    last_step: StepInfo,
}

impl PoseEstimator {
    /// Loads both models (the ONNX Runtime library on first use).
    pub fn new(config: &EngineConfig) -> Result<Self, PoseError> {
        let detector_path = config.models_dir.join("pose_detection.onnx");
        let detector = Detector::load(&detector_path, config.threads, config.min_detection_score)?;
        let landmark_path = config.models_dir.join(config.model.file_name());
        let landmarker =
            Landmarker::load(&landmark_path, config.threads, &config.model.missing_hint())?;
        Ok(Self {
            detector,
            landmarker,
            tracker: Tracker::new(config.tracking, config.smoothing),
            min_pose_score: config.min_pose_score,
            model: config.model,
            last_step: StepInfo::default(),
        })
    }

    pub fn model(&self) -> ModelKind {
        self.model
    }

    /// What the last call did.
    pub fn last_step(&self) -> StepInfo {
        self.last_step
    }

    /// Forgets the tracked person (e.g. a new, unrelated video).
    pub fn reset(&mut self) {
        self.tracker.lose();
    }

    /// Finds the person in `image`, taken at `timestamp`. With tracking, the previous frame's
    /// landmarks give the ROI; when that ROI no longer holds a pose, the detector runs again
    /// on the same frame.
    pub fn estimate(
        &mut self,
        image: &RgbImage,
        timestamp: Duration,
    ) -> Result<Option<Pose>, PoseError> {
        let size = ImageSize {
            width: image.width(),
            height: image.height(),
        };
        self.last_step = StepInfo::default();
        if let Some(roi) = self.tracker.tracked_roi() {
            let found = self.run_landmarks(image, &roi)?;
            self.last_step.roi = Some(roi);
            if found.score >= self.min_pose_score {
                return Ok(Some(self.tracker.accept(found, size, timestamp)));
            }
            tracing::debug!(
                score = found.score,
                "lost the tracked pose; detecting again"
            );
            self.tracker.lose();
        }
        self.last_step.ran_detector = true;
        let started = Instant::now();
        let letterbox = self.detector.preprocess(image);
        let cropped = Instant::now();
        let detections = self.detector.infer(&letterbox)?;
        self.last_step.preprocess += cropped - started;
        self.last_step.inference += cropped.elapsed();
        let Some(best) = detections.first() else {
            self.tracker.lose();
            return Ok(None);
        };
        let roi = pose_roi(best.keypoints[0], best.keypoints[1], size);
        tracing::debug!(?roi, score = best.score, keypoints = ?best.keypoints, "detected");
        if roi.is_degenerate() {
            self.tracker.lose();
            return Ok(None);
        }
        self.last_step.roi = Some(roi);
        let found = self.run_landmarks(image, &roi)?;
        if found.score < self.min_pose_score {
            self.tracker.lose();
            return Ok(None);
        }
        Ok(Some(self.tracker.accept(found, size, timestamp)))
    }

    fn run_landmarks(
        &mut self,
        image: &RgbImage,
        roi: &NormRect,
    ) -> Result<landmarker::RoiLandmarks, PoseError> {
        let started = Instant::now();
        let letterbox = self.landmarker.preprocess(image, roi);
        let cropped = Instant::now();
        let found = self.landmarker.infer(roi, &letterbox)?;
        self.last_step.preprocess += cropped - started;
        self.last_step.inference += cropped.elapsed();
        Ok(found)
    }

    /// Access to the stages, for benchmarks.
    pub fn stages(&mut self) -> (&mut Detector, &mut Landmarker) {
        (&mut self.detector, &mut self.landmarker)
    }
}
