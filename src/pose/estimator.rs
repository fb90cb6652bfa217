//! Frame → pose: the detector, the ROI and the landmark model, with tracking and smoothing
//! between frames, as MediaPipe's pose graphs run them.

use std::time::{Duration, Instant};

use image::RgbImage;

use super::config::{EngineConfig, ModelKind};
use super::detector::Detector;
use super::error::PoseError;
use super::landmarker::{self, Landmarker};
use super::landmarks::Pose;
use super::roi::{ImageSize, NormRect, pose_roi};
use super::tracker::Tracker;

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
        let detector =
            Detector::load(&detector_path, config.runtime(), config.min_detection_score)?;
        let landmark_path = config.models_dir.join(config.model.file_name());
        let landmarker = Landmarker::load(
            &landmark_path,
            config.runtime(),
            &config.model.missing_hint(),
        )?;
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
