//! Frame → pose: the detector, the ROI and the landmark model, with tracking and smoothing
//! between frames, as MediaPipe's pose graphs run them.

use std::time::{Duration, Instant};

use image::RgbImage;

use super::brighten;
use super::config::{EngineConfig, ModelKind};
use super::detector::Detector;
use super::error::PoseError;
use super::identity::{Identity, Place};
use super::landmarker::{self, Landmarker};
use super::landmarks::{NUM_LANDMARKS, Pose};
use super::look::Look;
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
    /// People the detector found on this frame who are not the person followed (a passer-by,
    /// someone beside the user), or a pose in the followed region that was someone else's.
    pub passed_over: usize,
    /// The frame was dark and the models saw it brightened ([`super::brighten`]).
    pub brightened: bool,
}

/// Frame → pose, holding the two models and the tracking state.
#[derive(Debug)]
pub struct PoseEstimator {
    detector: Detector,
    landmarker: Landmarker,
    tracker: Tracker,
    identity: Identity,
    min_pose_score: f32,
    brighten_dark: bool,
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
            identity: Identity::new(),
            min_pose_score: config.min_pose_score,
            brighten_dark: config.brighten_dark,
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

    /// Forgets the tracked person (e.g. a new, unrelated video): the next one found is taken
    /// as the user.
    pub fn reset(&mut self) {
        self.tracker.lose();
        self.identity.forget();
    }

    /// The person followed has calibrated where they stand now: someone back at this place and
    /// size is taken as them even far from where they were last seen ([`Identity`]).
    pub fn calibrated_here(&mut self) {
        self.identity.calibrated_here();
    }

    /// Finds the person in `image`, taken at `timestamp`. With tracking, the previous frame's
    /// landmarks give the ROI; when that ROI no longer holds a pose, or holds someone else's
    /// ([`Identity`]), the detector runs again on the same frame, and of the people it finds
    /// only the user is taken. Without tracking (still images) every image is detected afresh
    /// and the detector's best is taken, as MediaPipe does.
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
        // A dark frame is brightened for the models (the caller keeps the frame as it was).
        let lifted = if self.brighten_dark {
            let started = Instant::now();
            let lifted = brighten::brightened(image);
            self.last_step.preprocess += started.elapsed();
            lifted
        } else {
            None
        };
        self.last_step.brightened = lifted.is_some();
        let image = lifted.as_ref().unwrap_or(image);
        if let Some(roi) = self.tracker.tracked_roi() {
            let found = self.run_landmarks(image, &roi)?;
            self.last_step.roi = Some(roi);
            if found.score >= self.min_pose_score {
                let place = place_of(&found, size);
                let look = Look::of(image, &found.landmarks[..NUM_LANDMARKS]);
                if self.identity.continues(&place, timestamp)
                    && self.identity.recognises(look.as_ref())
                {
                    self.identity.saw(place, look, timestamp);
                    return Ok(Some(self.tracker.accept(found, size, timestamp)));
                }
                tracing::debug!(
                    ?place,
                    "the tracked region holds someone else; detecting again"
                );
                self.last_step.passed_over += 1;
            } else {
                tracing::debug!(
                    score = found.score,
                    "lost the tracked pose; detecting again"
                );
            }
            self.tracker.lose();
        }
        self.last_step.ran_detector = true;
        let started = Instant::now();
        let letterbox = self.detector.preprocess(image);
        let cropped = Instant::now();
        let detections = self.detector.infer(&letterbox)?;
        self.last_step.preprocess += cropped - started;
        self.last_step.inference += cropped.elapsed();
        let rois: Vec<NormRect> = detections
            .iter()
            .map(|d| pose_roi(d.keypoints[0], d.keypoints[1], size))
            .filter(|roi| !roi.is_degenerate())
            .collect();
        let chosen = if self.tracker.tracking {
            let places: Vec<Place> = rois.iter().map(|roi| Place::of(roi, size)).collect();
            self.identity.choose(&places, size, timestamp)
        } else {
            (!rois.is_empty()).then_some(0)
        };
        self.last_step.passed_over += rois.len() - usize::from(chosen.is_some());
        let Some(roi) = chosen.map(|i| rois[i]) else {
            self.tracker.lose();
            return Ok(None);
        };
        tracing::debug!(?roi, people = rois.len(), "detected");
        self.last_step.roi = Some(roi);
        let found = self.run_landmarks(image, &roi)?;
        if found.score < self.min_pose_score {
            self.tracker.lose();
            return Ok(None);
        }
        if self.tracker.tracking {
            let look = Look::of(image, &found.landmarks[..NUM_LANDMARKS]);
            if !self.identity.recognises(look.as_ref()) {
                tracing::debug!("the person detected does not look like the one followed");
                self.last_step.passed_over += 1;
                self.tracker.lose();
                return Ok(None);
            }
            self.identity.saw(place_of(&found, size), look, timestamp);
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

/// Where the landmark model found the person: the region its alignment points (hip centre and
/// the size/rotation point) give, the one the next frame would look at.
fn place_of(found: &landmarker::RoiLandmarks, size: ImageSize) -> Place {
    let centre = &found.landmarks[NUM_LANDMARKS];
    let scale = &found.landmarks[NUM_LANDMARKS + 1];
    Place::of(
        &pose_roi((centre.x, centre.y), (scale.x, scale.y), size),
        size,
    )
}
