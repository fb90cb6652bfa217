//! What one frame contributes to the motion rules: the key points and torso length in pixels,
//! the trunk and head relative to the hips, the unsigned ankle separation and how far the knees
//! hang below the hips, all unchanged by a left/right swap, and the median of the last three
//! frames that hides one-frame glitches.

use std::collections::VecDeque;
use std::time::Duration;

use crate::pose::roi::ImageSize;
use crate::pose::{LandmarkId, Pose};

/// Torso lengths below this many pixels are degenerate (landmarks collapsed onto each other).
const MIN_TORSO_PX: f32 = 1.0;

/// A point in image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Px {
    pub(super) x: f32,
    pub(super) y: f32,
}

impl Px {
    pub(super) fn midpoint(a: Px, b: Px) -> Px {
        Px {
            x: 0.5 * (a.x + b.x),
            y: 0.5 * (a.y + b.y),
        }
    }

    pub(super) fn distance(a: Px, b: Px) -> f32 {
        (a.x - b.x).hypot(a.y - b.y)
    }
}

/// Number of key points: shoulder midpoint, hip midpoint, nose.
pub(super) const KEY_POINTS: usize = 3;
/// Number of points measured from the hip midpoint: the shoulder midpoint and the nose.
pub(super) const BODY_POINTS: usize = 2;

/// What one frame contributes to the rules, all swap-symmetric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Features {
    pub(super) t: Duration,
    pub(super) torso_px: f32,
    /// Shoulder midpoint and hip midpoint (always present) and the nose (when visible).
    pub(super) key_points_px: [Option<Px>; KEY_POINTS],
    /// The shoulder midpoint and the nose as offsets from the hip midpoint: how the trunk and
    /// head move on the body, whatever the body as a whole does (walking past the camera moves
    /// every key point, and none of these).
    pub(super) body_points_px: [Option<Px>; BODY_POINTS],
    /// `|x_left_ankle − x_right_ankle|` in torso lengths, when both ankles are visible.
    pub(super) ankle_gap_torso: Option<f32>,
    /// How far below its hip the lower knee hangs, in torso lengths, when a hip and its knee
    /// are seen on at least one side: about 0.9 standing, near 0 with the thighs level
    /// (sitting). The larger of the two sides, so a knee raised in a stride does not count.
    pub(super) knee_drop_torso: Option<f32>,
}

impl Features {
    /// `None` when the torso (both shoulders and both hips) is not usable.
    pub(super) fn of(
        pose: &Pose,
        t: Duration,
        size: ImageSize,
        min_visibility: f32,
    ) -> Option<Features> {
        let at = |id| pixel(pose, id, size, min_visibility);
        let shoulders = Px::midpoint(
            at(LandmarkId::LeftShoulder)?,
            at(LandmarkId::RightShoulder)?,
        );
        let hips = Px::midpoint(at(LandmarkId::LeftHip)?, at(LandmarkId::RightHip)?);
        let torso_px = Px::distance(shoulders, hips);
        if !torso_px.is_finite() || torso_px < MIN_TORSO_PX {
            return None;
        }
        let ankle_gap_torso = match (at(LandmarkId::LeftAnkle), at(LandmarkId::RightAnkle)) {
            (Some(l), Some(r)) => Some((l.x - r.x).abs() / torso_px),
            _ => None,
        };
        let drop = |hip, knee| Some((at(knee)?.y - at(hip)?.y) / torso_px);
        let knee_drop_torso = match (
            drop(LandmarkId::LeftHip, LandmarkId::LeftKnee),
            drop(LandmarkId::RightHip, LandmarkId::RightKnee),
        ) {
            (Some(l), Some(r)) => Some(l.max(r)),
            (one, other) => one.or(other),
        };
        let nose = at(LandmarkId::Nose);
        let from_hips = |p: Px| Px {
            x: p.x - hips.x,
            y: p.y - hips.y,
        };
        Some(Features {
            t,
            torso_px,
            key_points_px: [Some(shoulders), Some(hips), nose],
            body_points_px: [Some(from_hips(shoulders)), nose.map(from_hips)],
            ankle_gap_torso,
            knee_drop_torso,
        })
    }
}

/// The landmark in pixels, if visible enough and finite.
pub(super) fn pixel(
    pose: &Pose,
    id: LandmarkId,
    size: ImageSize,
    min_visibility: f32,
) -> Option<Px> {
    let lm = pose.landmark(id);
    let p = Px {
        x: lm.x * size.w(),
        y: lm.y * size.h(),
    };
    (lm.visibility >= min_visibility && p.x.is_finite() && p.y.is_finite()).then_some(p)
}

/// Median of the last three consecutive usable frames, stamped with the middle frame's time.
#[derive(Debug, Clone, Default)]
pub(super) struct MedianOfThree {
    window: VecDeque<Features>,
}

impl MedianOfThree {
    pub(super) fn push(&mut self, f: Features) -> Option<Features> {
        if self.window.len() == 3 {
            self.window.pop_front();
        }
        self.window.push_back(f);
        let [a, b, c] = [
            self.window.front()?,
            self.window.get(1)?,
            self.window.get(2)?,
        ];
        let median = |points: [Option<Px>; 3]| match points {
            [Some(p), Some(q), Some(r)] => Some(Px {
                x: median3(p.x, q.x, r.x),
                y: median3(p.y, q.y, r.y),
            }),
            _ => None,
        };
        let key = |i: usize| median([a, b, c].map(|f| f.key_points_px[i]));
        let body = |i: usize| median([a, b, c].map(|f| f.body_points_px[i]));
        let knee_drop = match [a, b, c].map(|f| f.knee_drop_torso) {
            [Some(p), Some(q), Some(r)] => Some(median3(p, q, r)),
            _ => None,
        };
        Some(Features {
            t: b.t,
            torso_px: median3(a.torso_px, b.torso_px, c.torso_px),
            key_points_px: [key(0), key(1), key(2)],
            body_points_px: [body(0), body(1)],
            // Steps read the raw frames.
            ankle_gap_torso: None,
            knee_drop_torso: knee_drop,
        })
    }

    pub(super) fn reset(&mut self) {
        self.window.clear();
    }
}

pub(super) fn median3(a: f32, b: f32, c: f32) -> f32 {
    a.min(b).max(a.max(b).min(c))
}
