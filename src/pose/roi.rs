//! Regions of interest: the rotated square the landmark model looks at, and the maps between
//! model, ROI and image coordinates. Pure maths after MediaPipe's rect calculators.

use serde::{Deserialize, Serialize};

/// A rotated rectangle in normalised image coordinates (MediaPipe's `NormalizedRect`):
/// centre and size as fractions of the image width/height, rotation in radians, clockwise
/// in the image (y down).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NormRect {
    pub x_center: f32,
    pub y_center: f32,
    pub width: f32,
    pub height: f32,
    pub rotation: f32,
}

/// Image dimensions in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSize {
    pub width: u32,
    pub height: u32,
}

impl ImageSize {
    pub fn w(self) -> f32 {
        self.width as f32
    }
    pub fn h(self) -> f32 {
        self.height as f32
    }
}

/// Padding a keep-aspect-ratio transform adds around the ROI, as fractions of the padded
/// output: `[left, top, right, bottom]` (MediaPipe's `LETTERBOX_PADDING`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Letterbox {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl Letterbox {
    /// Maps a point normalised to the padded model input back to the unpadded ROI.
    pub fn roi_from_model(&self, x: f32, y: f32) -> (f32, f32) {
        let sx = 1.0 - self.left - self.right;
        let sy = 1.0 - self.top - self.bottom;
        ((x - self.left) / sx, (y - self.top) / sy)
    }

    /// Scale factor of the horizontal axis (padded → unpadded), for widths and depths.
    pub fn x_scale(&self) -> f32 {
        1.0 / (1.0 - self.left - self.right)
    }
}

impl NormRect {
    /// The whole image.
    pub fn full_image() -> Self {
        Self {
            x_center: 0.5,
            y_center: 0.5,
            width: 1.0,
            height: 1.0,
            rotation: 0.0,
        }
    }

    /// Grows the ROI so it has the model input's aspect ratio, as ImageToTensorCalculator does
    /// with `keep_aspect_ratio`; returns the padded ROI and the padding it added.
    pub fn pad_to_aspect(&self, image: ImageSize, out_w: u32, out_h: u32) -> (NormRect, Letterbox) {
        let tensor_aspect = out_h as f32 / out_w as f32;
        let roi_w_px = self.width * image.w();
        let roi_h_px = self.height * image.h();
        let roi_aspect = roi_h_px / roi_w_px;
        let mut padded = *self;
        let (mut hpad, mut vpad) = (0.0, 0.0);
        if tensor_aspect > roi_aspect {
            let new_h_px = roi_w_px * tensor_aspect;
            vpad = (1.0 - roi_aspect / tensor_aspect) / 2.0;
            padded.height = new_h_px / image.h();
        } else {
            let new_w_px = roi_h_px / tensor_aspect;
            hpad = (1.0 - tensor_aspect / roi_aspect) / 2.0;
            padded.width = new_w_px / image.w();
        }
        (
            padded,
            Letterbox {
                left: hpad,
                top: vpad,
                right: hpad,
                bottom: vpad,
            },
        )
    }

    /// Builds a ROI from two alignment points (normalised image coordinates), after
    /// MediaPipe's `AlignmentPointsRectsCalculator`: centred on `center`, a square whose side is
    /// twice the distance to `scale`, rotated so that `center → scale` points up (90°).
    pub fn from_alignment_points(center: (f32, f32), scale: (f32, f32), image: ImageSize) -> Self {
        let (x0, y0) = (center.0 * image.w(), center.1 * image.h());
        let (x1, y1) = (scale.0 * image.w(), scale.1 * image.h());
        let box_size = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt() * 2.0;
        let target_angle = std::f32::consts::FRAC_PI_2;
        let rotation = normalize_radians(target_angle - (-(y1 - y0)).atan2(x1 - x0));
        NormRect {
            x_center: center.0,
            y_center: center.1,
            width: box_size / image.w(),
            height: box_size / image.h(),
            rotation,
        }
    }

    /// Makes the ROI square on its long side (in pixels) and scales it, after MediaPipe's
    /// `RectTransformationCalculator` with `square_long: true` and no shift.
    pub fn squared_and_scaled(&self, scale: f32, image: ImageSize) -> Self {
        let long_side = (self.width * image.w()).max(self.height * image.h());
        NormRect {
            width: long_side / image.w() * scale,
            height: long_side / image.h() * scale,
            ..*self
        }
    }

    /// Maps a point normalised to this ROI (0..1 across its own axes) to normalised image
    /// coordinates (MediaPipe's `LandmarkProjectionCalculator`).
    pub fn image_from_roi(&self, x: f32, y: f32) -> (f32, f32) {
        let (sin, cos) = self.rotation.sin_cos();
        let (x, y) = (x - 0.5, y - 0.5);
        let rx = cos * x - sin * y;
        let ry = sin * x + cos * y;
        (
            rx * self.width + self.x_center,
            ry * self.height + self.y_center,
        )
    }

    /// Whether the ROI is too small to hold a person (a degenerate detection).
    pub fn is_degenerate(&self) -> bool {
        let usable = self.width > 1e-4
            && self.height > 1e-4
            && self.x_center.is_finite()
            && self.y_center.is_finite()
            && self.rotation.is_finite();
        !usable
    }
}

/// Wraps an angle into [-π, π).
pub fn normalize_radians(angle: f32) -> f32 {
    use std::f32::consts::PI;
    angle - 2.0 * PI * ((angle + PI) / (2.0 * PI)).floor()
}

/// MediaPipe pose graphs grow the alignment square by this factor before cropping
/// (`pose_detection_to_roi.pbtxt` and `pose_landmarks_to_roi.pbtxt`, `scale_x/scale_y: 1.25`).
pub const ROI_SCALE: f32 = 1.25;

/// The ROI for the landmark model from two alignment points (hip centre and the
/// size/rotation point), as both of MediaPipe's pose-to-ROI graphs build it.
pub fn pose_roi(center: (f32, f32), scale: (f32, f32), image: ImageSize) -> NormRect {
    NormRect::from_alignment_points(center, scale, image).squared_and_scaled(ROI_SCALE, image)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::{FRAC_PI_2, PI};

    const VGA: ImageSize = ImageSize {
        width: 640,
        height: 480,
    };

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn upright_person_gives_unrotated_square() {
        // Hips at the centre, the scale point straight above: no rotation, a square of twice
        // the distance, then 1.25× larger.
        let roi = pose_roi((0.5, 0.5), (0.5, 0.25), VGA);
        assert!(close(roi.rotation, 0.0));
        let side_px = 2.0 * 0.25 * 480.0 * ROI_SCALE;
        assert!(close(roi.width * 640.0, side_px));
        assert!(close(roi.height * 480.0, side_px));
    }

    #[test]
    fn person_lying_right_gives_quarter_turn() {
        // Scale point to the right of the hips: the body points right, so the ROI is rotated
        // by +90° (clockwise in the image).
        let roi = NormRect::from_alignment_points((0.5, 0.5), (0.7, 0.5), VGA);
        assert!(close(roi.rotation, FRAC_PI_2));
        // Upside down: ±180°, wrapped into [-π, π).
        let roi = NormRect::from_alignment_points((0.5, 0.5), (0.5, 0.7), VGA);
        assert!(close(roi.rotation.abs(), PI));
    }

    #[test]
    fn roi_projection_round_trips_corners() {
        let roi = NormRect {
            x_center: 0.4,
            y_center: 0.6,
            width: 0.3,
            height: 0.4,
            rotation: 0.0,
        };
        let (x, y) = roi.image_from_roi(0.0, 0.0);
        assert!(close(x, 0.25) && close(y, 0.4));
        let (x, y) = roi.image_from_roi(1.0, 1.0);
        assert!(close(x, 0.55) && close(y, 0.8));
    }

    #[test]
    fn rotated_projection_turns_about_the_centre() {
        // A quarter turn maps the ROI's top-centre to the right of the centre (clockwise).
        let roi = NormRect {
            x_center: 0.5,
            y_center: 0.5,
            width: 0.5,
            height: 0.5,
            rotation: FRAC_PI_2,
        };
        let (x, y) = roi.image_from_roi(0.5, 0.0);
        assert!(close(x, 0.75) && close(y, 0.5), "{x} {y}");
    }

    #[test]
    fn letterbox_pads_the_short_side_and_inverts() {
        let (padded, lb) = NormRect::full_image().pad_to_aspect(VGA, 224, 224);
        assert!(close(padded.width, 1.0));
        assert!(close(padded.height * 480.0, 640.0));
        assert!(close(lb.top, 0.125) && close(lb.bottom, 0.125) && close(lb.left, 0.0));
        // The image's top edge sits at 0.125 of the padded square.
        let (_, y) = lb.roi_from_model(0.5, 0.125);
        assert!(close(y, 0.0));
        // Portrait images pad left and right instead.
        let portrait = ImageSize {
            width: 480,
            height: 640,
        };
        let (_, lb) = NormRect::full_image().pad_to_aspect(portrait, 224, 224);
        assert!(close(lb.left, 0.125) && close(lb.top, 0.0));
    }

    #[test]
    fn angles_wrap_into_half_open_range() {
        assert!(close(normalize_radians(3.0 * PI), -PI));
        assert!(close(normalize_radians(-FRAC_PI_2), -FRAC_PI_2));
        assert!(close(normalize_radians(2.0 * PI + 0.1), 0.1));
    }
}
