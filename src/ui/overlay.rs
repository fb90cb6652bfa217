//! Drawing the pose over the video: skeleton segments coloured by the state of the metric
//! they belong to, the shoulder and hip lines, and the plumb line.

use eframe::egui::{Color32, Painter, Pos2, Rect, Stroke};

use crate::geometry::metrics::Metrics;
use crate::geometry::state::{MetricLevels, PostureState};
use crate::geometry::view::View;
use crate::pose::landmarks::SKELETON;
use crate::pose::{LandmarkId, Pose};

use LandmarkId as L;

/// The colour of a state, shared by the overlay and the panel.
pub fn state_colour(s: PostureState) -> Color32 {
    match s {
        PostureState::Aligned => Color32::from_rgb(46, 190, 80),
        PostureState::Drifting => Color32::from_rgb(240, 170, 20),
        PostureState::Misaligned => Color32::from_rgb(230, 50, 50),
        PostureState::Unknown => Color32::from_rgb(160, 160, 160),
    }
}

/// Which metric's level colours a segment: the trunk, the shoulder and hip lines and the head
/// carry their metric's colour; limbs stay neutral.
fn segment_level(a: LandmarkId, b: LandmarkId, levels: &MetricLevels) -> Option<PostureState> {
    let is = |x: LandmarkId, y: LandmarkId| (a == x && b == y) || (a == y && b == x);
    if is(L::LeftShoulder, L::RightShoulder) {
        Some(levels.shoulder_tilt)
    } else if is(L::LeftHip, L::RightHip) {
        Some(levels.hip_tilt)
    } else if is(L::LeftShoulder, L::LeftHip) || is(L::RightShoulder, L::RightHip) {
        Some(
            levels
                .trunk_lean_frontal
                .max(levels.trunk_lean_sagittal)
                .max(levels.shoulder_hip_offset),
        )
    } else if a.index() <= L::MouthRight.index() && b.index() <= L::MouthRight.index() {
        Some(levels.head_forward)
    } else {
        None
    }
}

/// Draws `pose` over the video shown in `rect`.
pub fn draw(
    painter: &Painter,
    rect: Rect,
    pose: &Pose,
    metrics: Option<&Metrics>,
    levels: &MetricLevels,
) {
    let at = |id: LandmarkId| {
        let l = pose.landmark(id);
        (
            Pos2::new(
                rect.left() + l.x * rect.width(),
                rect.top() + l.y * rect.height(),
            ),
            l.visibility > 0.5,
        )
    };
    // The plumb line first, under the skeleton: through the ankle of the near side in a side
    // view, through the hip midpoint otherwise.
    let side = metrics.and_then(|m| m.view) == Some(View::Side);
    let x = if side {
        let (l, r) = (pose.landmark(L::LeftAnkle), pose.landmark(L::RightAnkle));
        if l.visibility >= r.visibility {
            l.x
        } else {
            r.x
        }
    } else {
        (pose.landmark(L::LeftHip).x + pose.landmark(L::RightHip).x) / 2.0
    };
    let px = rect.left() + x * rect.width();
    let plumb = Stroke::new(2.0, Color32::from_rgba_unmultiplied(255, 255, 255, 200));
    let mut y = rect.top();
    while y < rect.bottom() {
        painter.line_segment(
            [
                Pos2::new(px, y),
                Pos2::new(px, (y + 10.0).min(rect.bottom())),
            ],
            plumb,
        );
        y += 18.0;
    }
    for (a, b) in SKELETON {
        let ((pa, va), (pb, vb)) = (at(a), at(b));
        if !(va && vb) {
            continue;
        }
        let (colour, width) = match segment_level(a, b, levels) {
            Some(level) => (state_colour(level), 5.0),
            None => (Color32::from_rgb(80, 200, 255), 3.0),
        };
        painter.line_segment([pa, pb], Stroke::new(width, colour));
    }
    for id in LandmarkId::ALL {
        let (p, seen) = at(id);
        if seen {
            painter.circle_filled(p, 3.5, Color32::WHITE);
        }
    }
}

/// A short plain-words cue for the worst metric, or `None` when all is well.
pub fn cue(metrics: &Metrics, levels: &MetricLevels) -> Option<&'static str> {
    let bad = |s: PostureState| matches!(s, PostureState::Drifting | PostureState::Misaligned);
    let worst = levels.worst();
    if !bad(worst) {
        return None;
    }
    let pick = |s: PostureState| s == worst;
    if pick(levels.trunk_lean_sagittal) {
        return Some(if metrics.trunk_lean_sagittal_deg.unwrap_or(0.0) > 0.0 {
            "shoulders back over hips"
        } else {
            "lean back less: stack your shoulders over your hips"
        });
    }
    if pick(levels.trunk_lean_frontal) || pick(levels.shoulder_hip_offset) {
        return Some(if metrics.trunk_lean_frontal_deg.unwrap_or(0.0) > 0.0 {
            "lean less to the right (as on screen)"
        } else {
            "lean less to the left (as on screen)"
        });
    }
    if pick(levels.head_forward) {
        return Some("bring your head back over your shoulders");
    }
    if pick(levels.shoulder_tilt) {
        return Some("level your shoulders");
    }
    if pick(levels.hip_tilt) {
        return Some("level your hips: weight on both feet");
    }
    Some("stand tall over your ankles")
}
