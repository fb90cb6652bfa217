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
    let size = ImageSize {
        width: image.width(),
        height: image.height(),
    };
    let (img_w, img_h) = (image.width() as i64, image.height() as i64);
    let pixels = image.as_raw();
    let scale = (spec.range.1 - spec.range.0) / 255.0;
    let offset = spec.range.0;

    // image_from_tensor: src = centre + R(θ)·((u/W − ½)·w, (v/H − ½)·h), in pixels.
    let (cx, cy) = (roi.x_center * size.w(), roi.y_center * size.h());
    let (rw, rh) = (roi.width * size.w(), roi.height * size.h());
    let (sin, cos) = roi.rotation.sin_cos();
    let (du_x, du_y) = (cos * rw / out_w as f32, sin * rw / out_w as f32);
    let (dv_x, dv_y) = (-sin * rh / out_h as f32, cos * rh / out_h as f32);
    let origin_x = cx - 0.5 * rw * cos + 0.5 * rh * sin;
    let origin_y = cy - 0.5 * rw * sin - 0.5 * rh * cos;

    let fetch = |x: i64, y: i64| -> Option<[f32; 3]> {
        let (x, y) = match spec.border {
            Border::Replicate => (x.clamp(0, img_w - 1), y.clamp(0, img_h - 1)),
            Border::Zero => {
                if x < 0 || y < 0 || x >= img_w || y >= img_h {
                    return None;
                }
                (x, y)
            }
        };
        let i = ((y * img_w + x) * 3) as usize;
        Some([pixels[i] as f32, pixels[i + 1] as f32, pixels[i + 2] as f32])
    };

    for (v, row) in out.chunks_exact_mut(out_w * 3).enumerate() {
        let row_x = origin_x + dv_x * v as f32;
        let row_y = origin_y + dv_y * v as f32;
        for (u, px) in row.chunks_exact_mut(3).enumerate() {
            let sx = row_x + du_x * u as f32;
            let sy = row_y + du_y * u as f32;
            let x0f = sx.floor();
            let y0f = sy.floor();
            let (fx, fy) = (sx - x0f, sy - y0f);
            let (x0, y0) = (x0f as i64, y0f as i64);
            if x0 >= 0 && y0 >= 0 && x0 + 1 < img_w && y0 + 1 < img_h {
                // Fast path: all four neighbours inside the image.
                let i00 = ((y0 * img_w + x0) * 3) as usize;
                let i10 = i00 + 3;
                let i01 = i00 + (img_w * 3) as usize;
                let i11 = i01 + 3;
                for c in 0..3 {
                    let top = pixels[i00 + c] as f32 * (1.0 - fx) + pixels[i10 + c] as f32 * fx;
                    let bottom = pixels[i01 + c] as f32 * (1.0 - fx) + pixels[i11 + c] as f32 * fx;
                    px[c] = (top * (1.0 - fy) + bottom * fy) * scale + offset;
                }
                continue;
            }
            let corners = [
                (fetch(x0, y0), (1.0 - fx) * (1.0 - fy)),
                (fetch(x0 + 1, y0), fx * (1.0 - fy)),
                (fetch(x0, y0 + 1), (1.0 - fx) * fy),
                (fetch(x0 + 1, y0 + 1), fx * fy),
            ];
            for c in 0..3 {
                let mut acc = 0.0;
                for (p, w) in &corners {
                    // A zero border contributes black, which is 0 before scaling.
                    if let Some(p) = p {
                        acc += p[c] * w;
                    }
                }
                px[c] = acc * scale + offset;
            }
        }
    }
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
