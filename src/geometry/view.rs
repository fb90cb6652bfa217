//! Which way the person faces the camera: frontal, side or oblique. Decides which metrics
//! mean something (a shoulder tilt is meaningless when the shoulders overlap in a side view).

use serde::{Deserialize, Serialize};

use crate::pose::{LandmarkId, Pose, Vec3};

/// The person's orientation relative to the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Facing the camera or facing away (body turned less than [`FRONTAL_MAX_YAW_DEG`]).
    Frontal,
    /// In profile (turned more than [`SIDE_MIN_YAW_DEG`]).
    Side,
    /// In between.
    Oblique,
}

impl View {
    /// Its name in JSON and CSV: `frontal`, `side`, `oblique`.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Frontal => "frontal",
            View::Side => "side",
            View::Oblique => "oblique",
        }
    }
}

/// Which way the person faces, in the picture: what turns a cue into the person's own left,
/// right, forward and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Facing {
    /// Toward the camera: their left is on the picture's right.
    Camera,
    /// Away from the camera: their left is on the picture's left.
    Away,
    /// In profile toward the picture's left.
    Left,
    /// In profile toward the picture's right.
    Right,
}

/// Which way the person in `view` faces, from the image landmarks: in a frontal view the order
/// of the shoulders (BlazePose names them from the body, so the person's left shoulder is on
/// the picture's right when they face the camera), otherwise the side of the ears the nose is
/// on (unchanged when BlazePose swaps left and right). `None` when those are not seen.
pub fn facing(pose: &Pose, view: Option<View>, min_visibility: f32) -> Option<Facing> {
    let seen = |id: LandmarkId| {
        let l = pose.landmark(id);
        (l.visibility >= min_visibility && l.x.is_finite()).then_some(l.x)
    };
    match view? {
        View::Frontal => {
            let (left, right) = (
                seen(LandmarkId::LeftShoulder)?,
                seen(LandmarkId::RightShoulder)?,
            );
            Some(if left > right {
                Facing::Camera
            } else {
                Facing::Away
            })
        }
        View::Side | View::Oblique => {
            let ears = match (seen(LandmarkId::LeftEar), seen(LandmarkId::RightEar)) {
                (Some(a), Some(b)) => (a + b) / 2.0,
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => return None,
            };
            let nose = seen(LandmarkId::Nose)?;
            Some(if nose > ears {
                Facing::Right
            } else {
                Facing::Left
            })
        }
    }
}

/// Up to this body yaw the view counts as frontal.
pub const FRONTAL_MAX_YAW_DEG: f32 = 30.0;
/// From this body yaw on the view counts as side.
pub const SIDE_MIN_YAW_DEG: f32 = 60.0;

/// The body's yaw in degrees (0 = shoulders and hips square to the camera, 90 = profile),
/// from the world landmarks: the angle of the left→right shoulder and hip lines out of the
/// image plane. `None` if those lines have no horizontal extent.
pub fn body_yaw_deg(pose: &Pose) -> Option<f32> {
    let across = |a: LandmarkId, b: LandmarkId| -> Vec3 {
        let (p, q) = (pose.world(a), pose.world(b));
        Vec3::new(q.x - p.x, 0.0, q.z - p.z)
    };
    let s = across(LandmarkId::LeftShoulder, LandmarkId::RightShoulder);
    let h = across(LandmarkId::LeftHip, LandmarkId::RightHip);
    // Sum the two lines (same direction on a body) for a steadier estimate.
    let (x, z) = (s.x + h.x, s.z + h.z);
    if x.hypot(z) < 1e-6 {
        return None;
    }
    Some(z.abs().atan2(x.abs()).to_degrees())
}

/// Classifies a yaw angle.
pub fn view_from_yaw(yaw_deg: f32) -> View {
    if yaw_deg < FRONTAL_MAX_YAW_DEG {
        View::Frontal
    } else if yaw_deg > SIDE_MIN_YAW_DEG {
        View::Side
    } else {
        View::Oblique
    }
}

/// The person's view, or `None` when it cannot be told.
pub fn infer_view(pose: &Pose) -> Option<View> {
    body_yaw_deg(pose).map(view_from_yaw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Landmark;

    fn turned(yaw_deg: f32) -> Pose {
        let mut pose = Pose {
            landmarks: [Landmark::default(); 33],
            world: [Vec3::default(); 33],
            score: 1.0,
        };
        let (s, c) = yaw_deg.to_radians().sin_cos();
        // Facing the camera the person's left is at +x; turning swings it toward +z.
        let side = |half_width: f32, y: f32, left: bool| {
            let k = if left { 1.0 } else { -1.0 };
            Vec3::new(k * half_width * c, y, k * half_width * s)
        };
        pose.world[LandmarkId::LeftShoulder.index()] = side(0.2, -0.5, true);
        pose.world[LandmarkId::RightShoulder.index()] = side(0.2, -0.5, false);
        pose.world[LandmarkId::LeftHip.index()] = side(0.15, 0.0, true);
        pose.world[LandmarkId::RightHip.index()] = side(0.15, 0.0, false);
        pose
    }

    #[test]
    fn yaw_classifies_views() {
        struct Case {
            yaw_deg: f32,
            view: View,
        }
        let cases = [
            Case {
                yaw_deg: 0.0,
                view: View::Frontal,
            }, // square to the camera
            Case {
                yaw_deg: 20.0,
                view: View::Frontal,
            }, // slightly turned
            Case {
                yaw_deg: 45.0,
                view: View::Oblique,
            }, // three-quarter view
            Case {
                yaw_deg: 80.0,
                view: View::Side,
            }, // near profile
            Case {
                yaw_deg: -80.0,
                view: View::Side,
            }, // profile, other way
            Case {
                yaw_deg: 180.0,
                view: View::Frontal,
            }, // back to the camera
        ];
        for case in cases {
            let pose = turned(case.yaw_deg);
            let yaw = body_yaw_deg(&pose).unwrap();
            assert_eq!(
                infer_view(&pose),
                Some(case.view),
                "yaw {} measured {yaw}",
                case.yaw_deg
            );
        }
    }

    #[test]
    fn degenerate_shoulders_give_no_view() {
        let pose = turned(0.0);
        let mut flat = pose.clone();
        for id in [
            LandmarkId::LeftShoulder,
            LandmarkId::RightShoulder,
            LandmarkId::LeftHip,
            LandmarkId::RightHip,
        ] {
            flat.world[id.index()] = Vec3::new(0.0, 0.0, 0.0);
        }
        assert_eq!(infer_view(&flat), None);
    }
}
