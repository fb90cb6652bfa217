//! Drawing the pose over the video: skeleton segments coloured by the state of the metric
//! they belong to, the shoulder and hip lines, and the plumb line.

use eframe::egui::{Color32, Painter, Pos2, Rect, Stroke};

use crate::geometry::metric_id::BodyPart;
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

/// Which part of the body a segment draws, for its colour: the trunk, the shoulder and hip
/// lines and the head carry the level of their metrics; limbs stay neutral.
fn segment_part(a: LandmarkId, b: LandmarkId) -> Option<BodyPart> {
    let is = |x: LandmarkId, y: LandmarkId| (a == x && b == y) || (a == y && b == x);
    if is(L::LeftShoulder, L::RightShoulder) {
        Some(BodyPart::ShoulderLine)
    } else if is(L::LeftHip, L::RightHip) {
        Some(BodyPart::HipLine)
    } else if is(L::LeftShoulder, L::LeftHip) || is(L::RightShoulder, L::RightHip) {
        Some(BodyPart::Trunk)
    } else if a.index() <= L::MouthRight.index() && b.index() <= L::MouthRight.index() {
        Some(BodyPart::Head)
    } else {
        None
    }
}

/// Draws `pose` over the video shown in `rect` (mirrored left to right when `mirrored`): the
/// landmarks seen at `min_visibility` (the same threshold the metrics use) and the segments
/// between them.
pub fn draw(
    painter: &Painter,
    rect: Rect,
    pose: &Pose,
    metrics: Option<&Metrics>,
    levels: &MetricLevels,
    min_visibility: f32,
    mirrored: bool,
) {
    let across = |x: f32| if mirrored { 1.0 - x } else { x };
    let at = |id: LandmarkId| {
        let l = pose.landmark(id);
        (
            Pos2::new(
                rect.left() + across(l.x) * rect.width(),
                rect.top() + l.y * rect.height(),
            ),
            l.visibility >= min_visibility,
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
    let px = rect.left() + across(x) * rect.width();
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
        let (colour, width) = match segment_part(a, b) {
            Some(part) => (state_colour(levels.of_part(part)), 5.0),
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
