//! Following one person across frames: the next frame's ROI comes from this frame's
//! auxiliary landmarks, and smoothing runs on timestamps. Pure state; no models, no clock.

use std::time::Duration;

use super::filter::{AUXILIARY_LANDMARKS, LandmarkSmoother, POSE_LANDMARKS, WorldSmoother};
use super::landmarker::{MODEL_LANDMARKS, RoiLandmarks};
use super::landmarks::{Landmark, NUM_LANDMARKS, Pose};
use super::roi::{ImageSize, NormRect, pose_roi};

/// Tracking state between frames.
#[derive(Debug, Clone)]
pub struct Tracker {
    /// Whether to reuse the previous landmarks' ROI instead of detecting every frame.
    pub tracking: bool,
    /// Whether to smooth landmarks over time (off for unrelated still images).
    pub smoothing: bool,
    next_roi: Option<NormRect>,
    landmarks: LandmarkSmoother,
    auxiliary: LandmarkSmoother,
    world: WorldSmoother,
}

impl Tracker {
    pub fn new(tracking: bool, smoothing: bool) -> Self {
        Self {
            tracking,
            smoothing,
            next_roi: None,
            landmarks: LandmarkSmoother::new(POSE_LANDMARKS),
            auxiliary: LandmarkSmoother::new(AUXILIARY_LANDMARKS),
            world: WorldSmoother::new(),
        }
    }

    /// The ROI to try on the next frame, if the person is being tracked.
    pub fn tracked_roi(&self) -> Option<NormRect> {
        if self.tracking { self.next_roi } else { None }
    }

    /// The person was not found: forget the ROI and the smoothing history.
    pub fn lose(&mut self) {
        self.next_roi = None;
        self.landmarks.reset();
        self.auxiliary.reset();
        self.world.reset();
    }

    /// Accepts the landmark model's answer for a frame at `t`: smooths it, remembers the
    /// next ROI and returns the pose.
    pub fn accept(&mut self, found: RoiLandmarks, size: ImageSize, t: Duration) -> Pose {
        let mut all = found.landmarks;
        let mut world = found.world;
        let (body, aux) = all.split_at_mut(NUM_LANDMARKS);
        if self.smoothing {
            self.landmarks.apply(body, size, t);
            self.auxiliary.apply(&mut aux[..2], size, t);
            self.world.apply(&mut world, t);
        }
        let roi = pose_roi((aux[0].x, aux[0].y), (aux[1].x, aux[1].y), size);
        self.next_roi = (!roi.is_degenerate()).then_some(roi);
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        landmarks.copy_from_slice(&all[..NUM_LANDMARKS]);
        debug_assert_eq!(all.len(), MODEL_LANDMARKS);
        Pose {
            landmarks,
            world,
            score: found.score,
        }
    }
}
