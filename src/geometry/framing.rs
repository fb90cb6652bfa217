//! Camera set-up advice from one pose: a badly placed camera ruins every number, so before any
//! posture verdict the user hears whether their whole body is in the picture, large enough and
//! not at its edge.

use serde::{Deserialize, Serialize};

use super::view::Facing;
use crate::pose::{LandmarkId, Pose};

use LandmarkId as L;

/// Below this share of the picture's height (nose to ankles) the person is too small for the
/// landmarks to resolve a few degrees of lean.
pub const MIN_BODY_HEIGHT: f32 = 0.3;
/// The hips this close to the left or right edge (share of the width) are off-centre: a step
/// more and the arm or shoulder on that side leaves the picture.
pub const EDGE_MARGIN: f32 = 0.15;

/// What is wrong with the framing, worst first; `Good` when nothing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framing {
    Good,
    /// Nobody is found.
    NoPerson,
    /// Neither ankle is in the picture: the plumb line and the hips' level need the feet.
    FeetOut,
    /// Neither the nose nor an ear is in the picture.
    HeadOut,
    /// The hips are near the picture's left (`to_right`: move toward the picture's right) or
    /// right edge.
    OffCentre {
        to_right: bool,
    },
    /// The person fills under [`MIN_BODY_HEIGHT`] of the picture's height.
    TooFar,
}

impl Framing {
    /// Plain words for the user, or `None` when the framing is good. A step aside is said in
    /// the person's own terms when they face the camera or away from it, and otherwise as on
    /// the screen, which shows the picture mirrored when `mirrored`.
    pub fn advice(self, facing: Option<Facing>, mirrored: bool) -> Option<&'static str> {
        Some(match self {
            Framing::Good => return None,
            Framing::NoPerson => "Step into view: the camera sees nobody",
            Framing::FeetOut => {
                "Step back, or tilt the camera down, until your feet are in the picture"
            }
            Framing::HeadOut => "Step back, or raise the camera, until your head is in the picture",
            Framing::OffCentre { to_right } => match (facing, to_right != mirrored) {
                // Facing the camera, the picture's right is the person's left.
                (Some(Facing::Camera), _) if to_right => {
                    "Take a step to your left, toward the middle of the picture"
                }
                (Some(Facing::Camera), _) => {
                    "Take a step to your right, toward the middle of the picture"
                }
                (Some(Facing::Away), _) if to_right => {
                    "Take a step to your right, toward the middle of the picture"
                }
                (Some(Facing::Away), _) => {
                    "Take a step to your left, toward the middle of the picture"
                }
                (_, true) => "Move toward the middle of the picture (to the right on screen)",
                (_, false) => "Move toward the middle of the picture (to the left on screen)",
            },
            Framing::TooFar => "Come closer: you fill less than a third of the picture's height",
        })
    }
}

/// Judges the framing of `pose` (`None`: nobody found). A landmark counts when its visibility
/// reaches `min_visibility` and it lies inside the picture.
pub fn assess(pose: Option<&Pose>, min_visibility: f32) -> Framing {
    let Some(pose) = pose else {
        return Framing::NoPerson;
    };
    let seen = |id: L| {
        let l = pose.landmark(id);
        (l.visibility >= min_visibility && (0.0..=1.0).contains(&l.x) && (0.0..=1.0).contains(&l.y))
            .then_some((l.x, l.y))
    };
    let ankles: Vec<(f32, f32)> = [L::LeftAnkle, L::RightAnkle]
        .into_iter()
        .filter_map(seen)
        .collect();
    if ankles.is_empty() {
        return Framing::FeetOut;
    }
    let head: Vec<(f32, f32)> = [L::Nose, L::LeftEar, L::RightEar]
        .into_iter()
        .filter_map(seen)
        .collect();
    if head.is_empty() {
        return Framing::HeadOut;
    }
    let (lh, rh) = (pose.landmark(L::LeftHip), pose.landmark(L::RightHip));
    let hip_x = (lh.x + rh.x) / 2.0;
    if !(EDGE_MARGIN..=1.0 - EDGE_MARGIN).contains(&hip_x) {
        return Framing::OffCentre {
            to_right: hip_x < 0.5,
        };
    }
    let top = head.iter().map(|p| p.1).fold(f32::INFINITY, f32::min);
    let bottom = ankles.iter().map(|p| p.1).fold(f32::NEG_INFINITY, f32::max);
    if bottom - top < MIN_BODY_HEIGHT {
        return Framing::TooFar;
    }
    Framing::Good
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::Body;

    #[test]
    fn a_whole_centred_body_is_well_framed() {
        let pose = Body::frontal().pose();
        assert_eq!(assess(Some(&pose), 0.5), Framing::Good);
        assert_eq!(Framing::Good.advice(Some(Facing::Camera), true), None);
    }

    #[test]
    fn a_step_aside_is_said_in_the_persons_terms_or_as_the_screen_shows_it() {
        let right = Framing::OffCentre { to_right: true };
        let say = |facing, mirrored| right.advice(facing, mirrored).unwrap();
        assert!(say(Some(Facing::Camera), true).contains("to your left"));
        assert!(say(Some(Facing::Camera), false).contains("to your left"));
        assert!(say(Some(Facing::Away), false).contains("to your right"));
        assert!(say(Some(Facing::Left), false).contains("to the right on screen"));
        assert!(say(Some(Facing::Left), true).contains("to the left on screen"));
        assert!(say(None, true).contains("to the left on screen"));
    }

    #[test]
    fn nobody_found_asks_the_user_to_step_in() {
        assert_eq!(assess(None, 0.5), Framing::NoPerson);
    }

    #[test]
    fn feet_below_the_picture_or_unseen_ask_to_step_back() {
        let mut b = Body::frontal();
        b.shift(L::LeftAnkle, 0.0, 40.0)
            .shift(L::RightAnkle, 0.0, 40.0);
        assert_eq!(assess(Some(&b.pose()), 0.5), Framing::FeetOut);
        let mut b = Body::frontal();
        b.visibility[L::LeftAnkle.index()] = 0.1;
        b.visibility[L::RightAnkle.index()] = 0.2;
        assert_eq!(assess(Some(&b.pose()), 0.5), Framing::FeetOut);
        // One ankle is enough (side views hide the far one).
        b.visibility[L::RightAnkle.index()] = 0.9;
        assert_eq!(assess(Some(&b.pose()), 0.5), Framing::Good);
        assert!(
            Framing::FeetOut
                .advice(None, false)
                .unwrap()
                .contains("feet")
        );
    }

    #[test]
    fn a_head_above_the_picture_is_reported() {
        let mut b = Body::frontal();
        for id in [L::Nose, L::LeftEar, L::RightEar] {
            b.shift(id, 0.0, -200.0);
        }
        assert_eq!(assess(Some(&b.pose()), 0.5), Framing::HeadOut);
    }

    #[test]
    fn a_person_at_the_edge_is_sent_toward_the_middle() {
        let mut b = Body::frontal();
        for p in &mut b.px {
            p.0 -= 260.0;
        }
        // Hips at x ≈ 60 of 640: some landmarks leave the picture on the left.
        assert_eq!(
            assess(Some(&b.pose()), 0.5),
            Framing::OffCentre { to_right: true }
        );
        b.mirror();
        assert_eq!(
            assess(Some(&b.pose()), 0.5),
            Framing::OffCentre { to_right: false }
        );
    }

    #[test]
    fn a_small_distant_person_is_asked_to_come_closer() {
        let mut b = Body::frontal();
        // Shrink the person about the centre of the picture, not the picture itself.
        for p in &mut b.px {
            *p = (320.0 + (p.0 - 320.0) * 0.35, 240.0 + (p.1 - 240.0) * 0.35);
        }
        assert_eq!(assess(Some(&b.pose()), 0.5), Framing::TooFar);
    }
}
