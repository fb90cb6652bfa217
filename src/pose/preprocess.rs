//! Turns a region of a camera frame into a model input tensor: a rotated crop, bilinear
//! resampling and value scaling in one pass, written straight into a reused NHWC buffer.
//!
//! Written by hand because it fuses what MediaPipe's `ImageToTensorCalculator` does with
//! OpenCV (`warpPerspective`, `INTER_LINEAR`, a replicate or zero border, then `convertTo`):
//! `imageproc`'s warp has no replicate border and would need a second pass and buffer.

use image::RgbImage;

use super::roi::{ImageSize, NormRect};

/// What the crop shows outside the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// Black (MediaPipe's `BORDER_ZERO`, used by the detector's letterbox).
    Zero,
    /// The nearest edge pixel (MediaPipe's default, used for landmark crops).
    Replicate,
}

/// A model input: size, value range and border rule.
#[derive(Debug, Clone, Copy)]
pub struct TensorSpec {
    pub width: u32,
    pub height: u32,
    /// Values 0 and 255 map to these.
    pub range: (f32, f32),
    pub border: Border,
}

/// Samples `roi` (already padded to the tensor's aspect ratio) of `image` into `out`
/// (`height × width × 3`, RGB, row-major). The ROI's top-left corner maps to the tensor's
/// top-left; rotation turns the crop about its centre.
pub fn crop_to_tensor(image: &RgbImage, roi: &NormRect, spec: &TensorSpec, out: &mut [f32]) {
    let (out_w, out_h) = (spec.width as usize, spec.height as usize);
    assert_eq!(
        out.len(),
        out_w * out_h * 3,
        "tensor buffer has the wrong size"
    );
    Sampler::new(image, roi, spec).rows(out, out_w * 3);
}

/// Everything needed to sample tensor rows from the image.
struct Sampler<'a> {
    pixels: &'a [u8],
    img_w: i64,
    img_h: i64,
    zero_border: bool,
    scale: f32,
    offset: f32,
    /// Image position of tensor (0, 0), and the image step per tensor column and row.
    origin: (f32, f32),
    du: (f32, f32),
    dv: (f32, f32),
}

impl<'a> Sampler<'a> {
    /// The tensor-to-image mapping for `roi`:
    /// src = centre + R(θ)·((u/W − ½)·w, (v/H − ½)·h), in pixels.
    fn new(image: &'a RgbImage, roi: &NormRect, spec: &TensorSpec) -> Self {
        let size = ImageSize {
            width: image.width(),
            height: image.height(),
        };
        let (out_w, out_h) = (spec.width as f32, spec.height as f32);
        let (cx, cy) = (roi.x_center * size.w(), roi.y_center * size.h());
        let (rw, rh) = (roi.width * size.w(), roi.height * size.h());
        let (sin, cos) = roi.rotation.sin_cos();
        Sampler {
            pixels: image.as_raw(),
            img_w: image.width() as i64,
            img_h: image.height() as i64,
            zero_border: spec.border == Border::Zero,
            scale: (spec.range.1 - spec.range.0) / 255.0,
            offset: spec.range.0,
            origin: (
                cx - 0.5 * rw * cos + 0.5 * rh * sin,
                cy - 0.5 * rw * sin - 0.5 * rh * cos,
            ),
            du: (cos * rw / out_w, sin * rw / out_w),
            dv: (-sin * rh / out_h, cos * rh / out_h),
        }
    }

    /// Fills `out` with tensor rows.
    fn rows(&self, out: &mut [f32], row_len: usize) {
        let width = row_len / 3;
        for (v, row) in out.chunks_exact_mut(row_len).enumerate() {
            let start = (
                self.origin.0 + self.dv.0 * v as f32,
                self.origin.1 + self.dv.1 * v as f32,
            );
            let last = (
                start.0 + self.du.0 * (width - 1) as f32,
                start.1 + self.du.1 * (width - 1) as f32,
            );
            // Samples along a row lie on a straight line: if both ends have all four
            // neighbours inside the image, every sample between does too.
            let inside = |(x, y): (f32, f32)| {
                x >= 0.0 && y >= 0.0 && x < (self.img_w - 1) as f32 && y < (self.img_h - 1) as f32
            };
            if inside(start) && inside(last) {
                self.row_inside(row, start);
            } else {
                self.row_at_edges(row, start);
            }
        }
    }

    /// A row whose samples all have four neighbours inside the image: 16.16 fixed-point
    /// positions and 8-bit weights (finer than OpenCV's 5-bit interpolation grid), integer
    /// blending, one conversion to float per value.
    fn row_inside(&self, row: &mut [f32], start: (f32, f32)) {
        const ONE: f32 = 65536.0;
        let stride = (self.img_w * 3) as usize;
        let (mut sx, mut sy) = ((start.0 * ONE) as i64, (start.1 * ONE) as i64);
        let (dx, dy) = ((self.du.0 * ONE) as i64, (self.du.1 * ONE) as i64);
        // Integer blend result is 0..=255·65536; fold that into the value scale.
        let scale = self.scale / 65536.0;
        for px in row.chunks_exact_mut(3) {
            let (x0, y0) = ((sx >> 16) as usize, (sy >> 16) as usize);
            let (fx, fy) = (((sx >> 8) & 0xff) as u32, ((sy >> 8) & 0xff) as u32);
            let i0 = y0 * stride + x0 * 3;
            let i1 = i0 + stride;
            if let (Some(top), Some(bottom)) =
                (self.pixels.get(i0..i0 + 6), self.pixels.get(i1..i1 + 6))
            {
                for c in 0..3 {
                    let t = top[c] as u32 * (256 - fx) + top[c + 3] as u32 * fx;
                    let b = bottom[c] as u32 * (256 - fx) + bottom[c + 3] as u32 * fx;
                    px[c] = (t * (256 - fy) + b * fy) as f32 * scale + self.offset;
                }
            }
            sx += dx;
            sy += dy;
        }
    }

    /// A row that reaches past the image: clamped reads, or zero weights for a zero border.
    fn row_at_edges(&self, row: &mut [f32], start: (f32, f32)) {
        let (img_w, img_h, pixels) = (self.img_w, self.img_h, self.pixels);
        let stride = img_w * 3;
        for (u, px) in row.chunks_exact_mut(3).enumerate() {
            let sx = start.0 + self.du.0 * u as f32;
            let sy = start.1 + self.du.1 * u as f32;
            let (x0, y0) = (floor_i64(sx), floor_i64(sy));
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            // Neighbours outside the image read the nearest edge pixel; with a zero border
            // their weight is zero instead (black, which scales to the range's minimum).
            let (mut wx0, mut wx1, mut wy0, mut wy1) = (1.0 - fx, fx, 1.0 - fy, fy);
            if self.zero_border {
                let inside = |c: i64, n: i64| (0..n).contains(&c);
                wx0 *= inside(x0, img_w) as u8 as f32;
                wx1 *= inside(x0 + 1, img_w) as u8 as f32;
                wy0 *= inside(y0, img_h) as u8 as f32;
                wy1 *= inside(y0 + 1, img_h) as u8 as f32;
            }
            let (xa, xb) = (x0.clamp(0, img_w - 1) * 3, (x0 + 1).clamp(0, img_w - 1) * 3);
            let (ya, yb) = (
                y0.clamp(0, img_h - 1) * stride,
                (y0 + 1).clamp(0, img_h - 1) * stride,
            );
            let p00 = rgb_at(pixels, (ya + xa) as usize);
            let p10 = rgb_at(pixels, (ya + xb) as usize);
            let p01 = rgb_at(pixels, (yb + xa) as usize);
            let p11 = rgb_at(pixels, (yb + xb) as usize);
            let (w00, w10, w01, w11) = (wx0 * wy0, wx1 * wy0, wx0 * wy1, wx1 * wy1);
            for c in 0..3 {
                let v = p00[c] * w00 + p10[c] * w10 + p01[c] * w01 + p11[c] * w11;
                px[c] = v * self.scale + self.offset;
            }
        }
    }
}

/// The RGB pixel starting at byte `i` (one bounds check for three bytes).
#[inline]
fn rgb_at(pixels: &[u8], i: usize) -> [f32; 3] {
    match pixels.get(i..i + 3) {
        Some(&[r, g, b]) => [r as f32, g as f32, b as f32],
        _ => [0.0; 3],
    }
}

/// `x.floor() as i64` without the libm call `floor` compiles to on baseline x86-64 (no
/// SSE4.1), which doubled the crop's cost.
#[inline]
fn floor_i64(x: f32) -> i64 {
    let t = x as i64;
    t - ((t as f32) > x) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| Rgb([x as u8, y as u8, 100]))
    }

    #[test]
    fn identity_crop_reproduces_pixels() {
        // A ROI equal to the image at the tensor's size samples every pixel at its corner
        // (MediaPipe/OpenCV map the ROI's edge, not pixel centres, to the tensor's edge).
        let img = gradient(8, 8);
        let spec = TensorSpec {
            width: 8,
            height: 8,
            range: (0.0, 255.0),
            border: Border::Replicate,
        };
        let mut out = vec![0.0; 8 * 8 * 3];
        crop_to_tensor(&img, &NormRect::full_image(), &spec, &mut out);
        for y in 0..8 {
            for x in 0..8 {
                let i = (y * 8 + x) * 3;
                assert_eq!(out[i], x as f32);
                assert_eq!(out[i + 1], y as f32);
                assert_eq!(out[i + 2], 100.0);
            }
        }
    }

    #[test]
    fn value_range_is_applied() {
        let img = RgbImage::from_pixel(4, 4, Rgb([0, 255, 51]));
        let spec = TensorSpec {
            width: 2,
            height: 2,
            range: (-1.0, 1.0),
            border: Border::Zero,
        };
        let mut out = vec![0.0; 2 * 2 * 3];
        let roi = NormRect {
            x_center: 0.5,
            y_center: 0.5,
            width: 0.5,
            height: 0.5,
            rotation: 0.0,
        };
        crop_to_tensor(&img, &roi, &spec, &mut out);
        assert!((out[0] + 1.0).abs() < 1e-6);
        assert!((out[1] - 1.0).abs() < 1e-6);
        assert!((out[2] + 0.6).abs() < 1e-6);
    }

    #[test]
    fn zero_border_is_black_and_replicate_copies_the_edge() {
        let img = RgbImage::from_pixel(4, 4, Rgb([200, 200, 200]));
        // A ROI far to the right of the image.
        let roi = NormRect {
            x_center: 3.0,
            y_center: 0.5,
            width: 0.5,
            height: 0.5,
            rotation: 0.0,
        };
        let mut out = vec![0.0; 2 * 2 * 3];
        let zero = TensorSpec {
            width: 2,
            height: 2,
            range: (-1.0, 1.0),
            border: Border::Zero,
        };
        crop_to_tensor(&img, &roi, &zero, &mut out);
        assert!(out.iter().all(|&v| (v + 1.0).abs() < 1e-6));
        let rep = TensorSpec {
            border: Border::Replicate,
            ..zero
        };
        crop_to_tensor(&img, &roi, &rep, &mut out);
        assert!(
            out.iter()
                .all(|&v| (v - (200.0 / 127.5 - 1.0)).abs() < 1e-5)
        );
    }

    #[test]
    fn fixed_point_rows_match_the_float_path() {
        // A textured image and a rotated ROI well inside it: every row takes the fast path.
        let img = RgbImage::from_fn(64, 48, |x, y| {
            Rgb([(x * 4) as u8, (y * 5) as u8, ((x * y) % 251) as u8])
        });
        let roi = NormRect {
            x_center: 0.5,
            y_center: 0.5,
            width: 0.4,
            height: 0.5,
            rotation: 0.3,
        };
        let spec = TensorSpec {
            width: 32,
            height: 32,
            range: (0.0, 1.0),
            border: Border::Replicate,
        };
        let mut fast = vec![0.0; 32 * 32 * 3];
        crop_to_tensor(&img, &roi, &spec, &mut fast);
        // The same crop through the general (float, clamped) path only.
        let sampler = Sampler::new(&img, &roi, &spec);
        let mut slow = vec![0.0; 32 * 32 * 3];
        for (v, row) in slow.chunks_exact_mut(32 * 3).enumerate() {
            let start = (
                sampler.origin.0 + sampler.dv.0 * v as f32,
                sampler.origin.1 + sampler.dv.1 * v as f32,
            );
            sampler.row_at_edges(row, start);
        }
        let worst = fast
            .iter()
            .zip(&slow)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        // 8-bit weights are truncated, so each axis may lose up to one grey level.
        assert!(
            worst < 2.0 / 255.0,
            "fixed point differs by {} levels",
            worst * 255.0
        );
    }

    #[test]
    fn half_turn_flips_the_crop() {
        let img = gradient(8, 8);
        let spec = TensorSpec {
            width: 8,
            height: 8,
            range: (0.0, 255.0),
            border: Border::Replicate,
        };
        let roi = NormRect {
            rotation: std::f32::consts::PI,
            ..NormRect::full_image()
        };
        let mut out = vec![0.0; 8 * 8 * 3];
        crop_to_tensor(&img, &roi, &spec, &mut out);
        // Tensor (0,0) samples the image at (8,8) → clamped to (7,7).
        assert!((out[0] - 7.0).abs() < 1e-3 && (out[1] - 7.0).abs() < 1e-3);
        // Tensor (7,7) samples (1,1).
        let i = (7 * 8 + 7) * 3;
        assert!((out[i] - 1.0).abs() < 1e-3 && (out[i + 1] - 1.0).abs() < 1e-3);
    }
}
