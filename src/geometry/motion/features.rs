//! What one frame contributes to the motion rules: the key points and torso length in pixels
//! and the unsigned ankle separation, all unchanged by a left/right swap, and the median of the
//! last three frames that hides one-frame glitches.

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

/// What one frame contributes to the rules, all swap-symmetric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Features {
    pub(super) t: Duration,
    pub(super) torso_px: f32,
    /// Shoulder midpoint and hip midpoint (always present) and the nose (when visible).
    pub(super) key_points_px: [Option<Px>; KEY_POINTS],
    /// `|x_left_ankle − x_right_ankle|` in torso lengths, when both ankles are visible.
    pub(super) ankle_gap_torso: Option<f32>,
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
        Some(Features {
            t,
            torso_px,
            key_points_px: [Some(shoulders), Some(hips), at(LandmarkId::Nose)],
            ankle_gap_torso,
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
        let point = |i: usize| match (a.key_points_px[i], b.key_points_px[i], c.key_points_px[i]) {
            (Some(p), Some(q), Some(r)) => Some(Px {
                x: median3(p.x, q.x, r.x),
                y: median3(p.y, q.y, r.y),
            }),
            _ => None,
        };
        Some(Features {
            t: b.t,
            torso_px: median3(a.torso_px, b.torso_px, c.torso_px),
            key_points_px: [point(0), point(1), point(2)],
            // Steps read the raw frames.
            ankle_gap_torso: None,
        })
    }

    pub(super) fn reset(&mut self) {
        self.window.clear();
    }
}

pub(super) fn median3(a: f32, b: f32, c: f32) -> f32 {
    a.min(b).max(a.max(b).min(c))
}
