//! The pose types every later stage reads: BlazePose's 33 named landmarks in image and world space.
//! This file is the one table that maps landmark names to model indices.

use serde::{Deserialize, Serialize};
use serde_big_array::BigArray;

/// Number of landmarks in a BlazePose pose (the model emits 39; the last 6 are auxiliary).
pub const NUM_LANDMARKS: usize = 33;

/// BlazePose's landmark order (see MediaPipe's `pose_landmark_full_body_topology.svg`).
/// "Left" and "right" are the person's own sides, as in MediaPipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum LandmarkId {
    Nose = 0,
    LeftEyeInner,
    LeftEye,
    LeftEyeOuter,
    RightEyeInner,
    RightEye,
    RightEyeOuter,
    LeftEar,
    RightEar,
    MouthLeft,
    MouthRight,
    LeftShoulder,
    RightShoulder,
    LeftElbow,
    RightElbow,
    LeftWrist,
    RightWrist,
    LeftPinky,
    RightPinky,
    LeftIndex,
    RightIndex,
    LeftThumb,
    RightThumb,
    LeftHip,
    RightHip,
    LeftKnee,
    RightKnee,
    LeftAnkle,
    RightAnkle,
    LeftHeel,
    RightHeel,
    LeftFootIndex,
    RightFootIndex,
}

impl LandmarkId {
    /// All landmarks in model order.
    pub const ALL: [LandmarkId; NUM_LANDMARKS] = {
        use LandmarkId::*;
        [
            Nose,
            LeftEyeInner,
            LeftEye,
            LeftEyeOuter,
            RightEyeInner,
            RightEye,
            RightEyeOuter,
            LeftEar,
            RightEar,
            MouthLeft,
            MouthRight,
            LeftShoulder,
            RightShoulder,
            LeftElbow,
            RightElbow,
            LeftWrist,
            RightWrist,
            LeftPinky,
            RightPinky,
            LeftIndex,
            RightIndex,
            LeftThumb,
            RightThumb,
            LeftHip,
            RightHip,
            LeftKnee,
            RightKnee,
            LeftAnkle,
            RightAnkle,
            LeftHeel,
            RightHeel,
            LeftFootIndex,
            RightFootIndex,
        ]
    };

    /// Position in the model's output.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The landmark on the other side of the body (the nose maps to itself).
    pub fn mirrored(self) -> LandmarkId {
        use LandmarkId::*;
        match self {
            Nose => Nose,
            LeftEyeInner => RightEyeInner,
            LeftEye => RightEye,
            LeftEyeOuter => RightEyeOuter,
            RightEyeInner => LeftEyeInner,
            RightEye => LeftEye,
            RightEyeOuter => LeftEyeOuter,
            LeftEar => RightEar,
            RightEar => LeftEar,
            MouthLeft => MouthRight,
            MouthRight => MouthLeft,
            LeftShoulder => RightShoulder,
            RightShoulder => LeftShoulder,
            LeftElbow => RightElbow,
            RightElbow => LeftElbow,
            LeftWrist => RightWrist,
            RightWrist => LeftWrist,
            LeftPinky => RightPinky,
            RightPinky => LeftPinky,
            LeftIndex => RightIndex,
            RightIndex => LeftIndex,
            LeftThumb => RightThumb,
            RightThumb => LeftThumb,
            LeftHip => RightHip,
            RightHip => LeftHip,
            LeftKnee => RightKnee,
            RightKnee => LeftKnee,
            LeftAnkle => RightAnkle,
            RightAnkle => LeftAnkle,
            LeftHeel => RightHeel,
            RightHeel => LeftHeel,
            LeftFootIndex => RightFootIndex,
            RightFootIndex => LeftFootIndex,
        }
    }
}

/// The skeleton's segments, for drawing: pairs of landmarks joined by a bone.
pub const SKELETON: [(LandmarkId, LandmarkId); 35] = {
    use LandmarkId::*;
    [
        (Nose, LeftEyeInner),
        (LeftEyeInner, LeftEye),
        (LeftEye, LeftEyeOuter),
        (LeftEyeOuter, LeftEar),
        (Nose, RightEyeInner),
        (RightEyeInner, RightEye),
        (RightEye, RightEyeOuter),
        (RightEyeOuter, RightEar),
        (MouthLeft, MouthRight),
        (LeftShoulder, RightShoulder),
        (LeftShoulder, LeftElbow),
        (LeftElbow, LeftWrist),
        (LeftWrist, LeftPinky),
        (LeftWrist, LeftIndex),
        (LeftWrist, LeftThumb),
        (LeftPinky, LeftIndex),
        (RightShoulder, RightElbow),
        (RightElbow, RightWrist),
        (RightWrist, RightPinky),
        (RightWrist, RightIndex),
        (RightWrist, RightThumb),
        (RightPinky, RightIndex),
        (LeftShoulder, LeftHip),
        (RightShoulder, RightHip),
        (LeftHip, RightHip),
        (LeftHip, LeftKnee),
        (LeftKnee, LeftAnkle),
        (LeftAnkle, LeftHeel),
        (LeftHeel, LeftFootIndex),
        (LeftAnkle, LeftFootIndex),
        (RightHip, RightKnee),
        (RightKnee, RightAnkle),
        (RightAnkle, RightHeel),
        (RightHeel, RightFootIndex),
        (RightAnkle, RightFootIndex),
    ]
};

/// A point in 3-D space; for world landmarks, metres with the origin between the hips
/// (x to the image right, y down, z away from the camera, as in MediaPipe).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Vec3 {
    pub x: f32,
    pub y: f32,
    pub z: f32,
}

impl Vec3 {
    pub const fn new(x: f32, y: f32, z: f32) -> Self {
        Self { x, y, z }
    }
}

/// One landmark in image space, in MediaPipe's conventions: `x`, `y` normalised to the image
/// (0..1, origin top-left), `z` depth relative to the hips on roughly the scale of `x`;
/// `visibility` (in frame and not occluded) and `presence` (in frame) are probabilities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Landmark {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub visibility: f32,
    pub presence: f32,
}

/// One person's pose in one frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pose {
    /// Image-space landmarks, indexed by [`LandmarkId`].
    #[serde(with = "BigArray")]
    pub landmarks: [Landmark; NUM_LANDMARKS],
    /// World landmarks in metres, hip-centred, indexed by [`LandmarkId`].
    #[serde(with = "BigArray")]
    pub world: [Vec3; NUM_LANDMARKS],
    /// The landmark model's pose-presence score (0..1).
    pub score: f32,
}

impl Pose {
    /// The image-space landmark with this name.
    pub fn landmark(&self, id: LandmarkId) -> &Landmark {
        &self.landmarks[id.index()]
    }

    /// The world landmark with this name.
    pub fn world(&self, id: LandmarkId) -> Vec3 {
        self.world[id.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_model_order() {
        for (i, id) in LandmarkId::ALL.iter().enumerate() {
            assert_eq!(id.index(), i);
        }
        assert_eq!(LandmarkId::LeftShoulder.index(), 11);
        assert_eq!(LandmarkId::RightHip.index(), 24);
        assert_eq!(LandmarkId::RightFootIndex.index(), 32);
    }

    #[test]
    fn mirroring_is_an_involution_that_swaps_sides() {
        for id in LandmarkId::ALL {
            assert_eq!(id.mirrored().mirrored(), id);
        }
        assert_eq!(LandmarkId::LeftKnee.mirrored(), LandmarkId::RightKnee);
        assert_eq!(LandmarkId::Nose.mirrored(), LandmarkId::Nose);
    }
}
