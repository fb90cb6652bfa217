//! Turns a region of a camera frame into a model input tensor: a rotated crop, bilinear
//! resampling and value scaling in one pass, written straight into a reused NHWC buffer.
//!
//! Written by hand because it fuses what MediaPipe's `ImageToTensorCalculator` does with
//! OpenCV (`warpPerspective`, `INTER_LINEAR`, a replicate or zero border, then `convertTo`):
//! `imageproc`'s warp has no replicate border and would need a second pass and buffer, and
//! `fast_image_resize` neither rotates nor samples OpenCV's corner-aligned grid.
//!
//! Each tensor row is a straight line through the image, sampled at 32.32 fixed-point steps.
//! Integer arithmetic splits the row into the samples whose four neighbours are all inside,
//! which [`super::blend`] samples without clamping, and those at or past the edge: with a
//! replicate border `blend` samples them with positions clamped into the image; with a zero
//! border they are blended here against black, or black wholly outside.

use image::RgbImage;

use super::blend::{self, FRAC_BITS, ONE, RowWalk};
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
    let sampler = Sampler::new(image, roi, spec);
    for v in 0..out_h {
        sampler.row(out, v, out_w);
    }
}

/// The tensor-to-image mapping and the value scale, for one crop.
struct Sampler<'a> {
    pixels: &'a [u8],
    img_w: i64,
    img_h: i64,
    zero_border: bool,
    scale: f32,
    offset: f32,
    /// Image position of tensor (0, 0), and the image step per tensor column and row, in
    /// pixels (f64 so that row starts carry no rounding into the fixed-point walk).
    origin: (f64, f64),
    du: (f64, f64),
    dv: (f64, f64),
}

impl<'a> Sampler<'a> {
    /// The tensor-to-image mapping for `roi`:
    /// src = centre + R(θ)·((u/W − ½)·w, (v/H − ½)·h), in pixels.
    fn new(image: &'a RgbImage, roi: &NormRect, spec: &TensorSpec) -> Self {
        let size = ImageSize {
            width: image.width(),
            height: image.height(),
        };
        let (out_w, out_h) = (spec.width as f64, spec.height as f64);
        let (cx, cy) = (
            roi.x_center as f64 * size.width as f64,
            roi.y_center as f64 * size.height as f64,
        );
        let (rw, rh) = (
            roi.width as f64 * size.width as f64,
            roi.height as f64 * size.height as f64,
        );
        let (sin, cos) = (roi.rotation as f64).sin_cos();
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

    /// Fills tensor row `v` of `out`. A blended span writes one value past its end, which the
    /// samples after it (or the next row) overwrite: with a zero border the interior goes
    /// first and the edge samples after it.
    fn row(&self, out: &mut [f32], v: usize, width: usize) {
        let row_start = v * width * 3;
        let walk = RowWalk {
            x: fixed(self.origin.0 + self.dv.0 * v as f64),
            y: fixed(self.origin.1 + self.dv.1 * v as f64),
            dx: fixed(self.du.0),
            dy: fixed(self.du.1),
            next_row: (fixed(self.dv.0), fixed(self.dv.1)),
        };
        let (w, h) = (self.img_w, self.img_h);
        if w == 0 || h == 0 {
            out[row_start..row_start + width * 3].fill(self.offset);
            return;
        }
        // Blends samples start..end; `inside` when all their neighbours are in the image.
        let blend_span = |(start, end): (usize, usize), inside: bool, out: &mut [f32]| {
            if start >= end {
                return;
            }
            let blend = if inside {
                blend::sample_row::<false>
            } else {
                blend::sample_row::<true>
            };
            blend(
                self.pixels,
                w as usize,
                &walk.advanced(start),
                end - start,
                (self.scale, self.offset),
                &mut out[row_start + start * 3..],
            )
        };
        // Samples with all four neighbours inside: 0 ≤ x < w − 1 and 0 ≤ y < h − 1.
        let inner = span(
            &walk,
            (0, ((w - 1) << FRAC_BITS) - 1),
            (0, ((h - 1) << FRAC_BITS) - 1),
            width,
        );
        if !self.zero_border {
            // Clamped positions are the replicate border. Left to right, so that the value
            // each span writes past its end is overwritten by the next.
            blend_span((0, inner.0), false, out);
            blend_span(inner, true, out);
            blend_span((inner.1.max(inner.0), width), false, out);
            return;
        }
        blend_span(inner, true, out);
        // Samples with no neighbour inside are black, the range's minimum.
        let touching = span(
            &walk,
            (1 - ONE, (w << FRAC_BITS) - 1),
            (1 - ONE, (h << FRAC_BITS) - 1),
            width,
        );
        let row = &mut out[row_start..row_start + width * 3];
        for u in (0..width).filter(|u| !(inner.0..inner.1).contains(u)) {
            let px = &mut row[u * 3..u * 3 + 3];
            if (touching.0..touching.1).contains(&u) {
                let at = walk.advanced(u);
                self.edge_sample(at.x, at.y, px);
            } else {
                px.fill(self.offset);
            }
        }
    }

    /// A sample at or beyond the image's edge with a zero border: neighbours outside weigh
    /// nothing (black, the range's minimum).
    fn edge_sample(&self, x: i64, y: i64, px: &mut [f32]) {
        let (x0, x1, wx0, wx1) = Self::axis(x, self.img_w);
        let (y0, y1, wy0, wy1) = Self::axis(y, self.img_h);
        let stride = self.img_w * 3;
        let at = |x: i64, y: i64| rgb_at(self.pixels, (y * stride + x * 3) as usize);
        let (p00, p10, p01, p11) = (at(x0, y0), at(x1, y0), at(x0, y1), at(x1, y1));
        let (w00, w10, w01, w11) = (wx0 * wy0, wx1 * wy0, wx0 * wy1, wx1 * wy1);
        for c in 0..3 {
            let v = p00[c] * w00 + p10[c] * w10 + p01[c] * w01 + p11[c] * w11;
            px[c] = v * self.scale + self.offset;
        }
    }

    /// Neighbour indices (clamped into the image) and weights along one axis of length `n`.
    fn axis(s: i64, n: i64) -> (i64, i64, f32, f32) {
        let i0 = s >> FRAC_BITS;
        let f = (s & (ONE - 1)) as f32 / ONE as f32;
        let w0 = (1.0 - f) * (0..n).contains(&i0) as u8 as f32;
        let w1 = f * (0..n).contains(&(i0 + 1)) as u8 as f32;
        (i0.clamp(0, n - 1), (i0 + 1).clamp(0, n - 1), w0, w1)
    }
}

/// `x` pixels in 32.32 fixed point; absurd ROIs saturate (at 2¹⁸ pixels) instead of wrapping.
fn fixed(x: f64) -> i64 {
    const LIMIT: f64 = (1u64 << 50) as f64;
    (x * ONE as f64).round().clamp(-LIMIT, LIMIT) as i64
}

/// The samples `u` in `0..n` of `walk` whose position lies within `xs` and `ys` (inclusive
/// fixed-point bounds), as a range `(start, end)`: on a straight line that is one span.
fn span(walk: &RowWalk, xs: (i64, i64), ys: (i64, i64), n: usize) -> (usize, usize) {
    let (ax, bx) = axis_span(walk.x, walk.dx, xs, n);
    let (ay, by) = axis_span(walk.y, walk.dy, ys, n);
    let start = ax.max(ay);
    (start, bx.min(by).max(start))
}

/// `u` in `0..n` with `lo ≤ s + u·d ≤ hi`.
fn axis_span(s: i64, d: i64, (lo, hi): (i64, i64), n: usize) -> (usize, usize) {
    let n = n as i64;
    let (start, end) = match d.signum() {
        0 if (lo..=hi).contains(&s) => (0, n),
        0 => (0, 0),
        1 => (div_ceil(lo - s, d), div_floor(hi - s, d) + 1),
        _ => (div_ceil(hi - s, d), div_floor(lo - s, d) + 1),
    };
    let start = start.clamp(0, n);
    (start as usize, end.clamp(start, n) as usize)
}

fn div_floor(a: i64, b: i64) -> i64 {
    if b < 0 {
        (-a).div_euclid(-b)
    } else {
        a.div_euclid(b)
    }
}

fn div_ceil(a: i64, b: i64) -> i64 {
    -div_floor(-a, b)
}

/// The RGB pixel starting at byte `i` (one bounds check for three bytes).
#[inline]
fn rgb_at(pixels: &[u8], i: usize) -> [f32; 3] {
    match pixels.get(i..i + 3) {
        Some(&[r, g, b]) => [r as f32, g as f32, b as f32],
        _ => [0.0; 3],
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

    /// Bilinear sampling as OpenCV's `warpAffine` (`INTER_LINEAR`) defines it, in f64,
    /// one pixel at a time: the yardstick for the fixed-point, SIMD implementation.
    fn reference(image: &RgbImage, roi: &NormRect, spec: &TensorSpec) -> Vec<f32> {
        let (w, h) = (image.width() as f64, image.height() as f64);
        let (out_w, out_h) = (spec.width as usize, spec.height as usize);
        let (cx, cy) = (roi.x_center as f64 * w, roi.y_center as f64 * h);
        let (rw, rh) = (roi.width as f64 * w, roi.height as f64 * h);
        let (sin, cos) = (roi.rotation as f64).sin_cos();
        let pixel = |x: i64, y: i64, c: usize| -> f64 {
            let inside = (0..w as i64).contains(&x) && (0..h as i64).contains(&y);
            if spec.border == Border::Zero && !inside {
                return 0.0;
            }
            let (x, y) = (x.clamp(0, w as i64 - 1), y.clamp(0, h as i64 - 1));
            image.get_pixel(x as u32, y as u32)[c] as f64
        };
        let scale = (spec.range.1 - spec.range.0) as f64 / 255.0;
        let mut out = Vec::with_capacity(out_w * out_h * 3);
        for v in 0..out_h {
            for u in 0..out_w {
                let (a, b) = (u as f64 / out_w as f64 - 0.5, v as f64 / out_h as f64 - 0.5);
                let x = cx + cos * a * rw - sin * b * rh;
                let y = cy + sin * a * rw + cos * b * rh;
                let (x0, y0) = (x.floor(), y.floor());
                let (fx, fy) = (x - x0, y - y0);
                let (x0, y0) = (x0 as i64, y0 as i64);
                for c in 0..3 {
                    let top = pixel(x0, y0, c) * (1.0 - fx) + pixel(x0 + 1, y0, c) * fx;
                    let bottom = pixel(x0, y0 + 1, c) * (1.0 - fx) + pixel(x0 + 1, y0 + 1, c) * fx;
                    let value = top * (1.0 - fy) + bottom * fy;
                    out.push((value * scale + spec.range.0 as f64) as f32);
                }
            }
        }
        out
    }

    /// A small deterministic generator (no test depends on a seed it cannot reproduce).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> f32 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 40) as f32 / (1u64 << 24) as f32
        }
        fn range(&mut self, lo: f32, hi: f32) -> f32 {
            lo + (hi - lo) * self.next()
        }
    }

    #[test]
    fn random_crops_match_exact_bilinear_sampling() {
        // Noise images (the worst case for interpolation error), ROIs inside, across and far
        // outside the frame, any rotation (a quarter of them none), both borders, odd widths.
        let mut rng = Lcg(7);
        let mut worst = 0.0f32;
        for case in 0..300 {
            let (w, h) = if case % 50 == 0 {
                (640, 480)
            } else {
                (
                    1 + (rng.next() * 90.0) as u32,
                    1 + (rng.next() * 70.0) as u32,
                )
            };
            let image = RgbImage::from_fn(w, h, |_, _| {
                Rgb([0, 1, 2].map(|_| (rng.next() * 256.0) as u8))
            });
            let roi = NormRect {
                x_center: rng.range(-0.5, 1.5),
                y_center: rng.range(-0.5, 1.5),
                width: rng.range(0.02, 2.0),
                height: rng.range(0.02, 2.0),
                rotation: if case % 4 == 0 {
                    0.0
                } else {
                    rng.range(-std::f32::consts::PI, std::f32::consts::PI)
                },
            };
            let spec = TensorSpec {
                width: 1 + (rng.next() * 40.0) as u32,
                height: 1 + (rng.next() * 40.0) as u32,
                range: if case % 2 == 0 {
                    (0.0, 1.0)
                } else {
                    (-1.0, 1.0)
                },
                border: if case % 3 == 0 {
                    Border::Zero
                } else {
                    Border::Replicate
                },
            };
            let mut out = vec![f32::NAN; (spec.width * spec.height * 3) as usize];
            crop_to_tensor(&image, &roi, &spec, &mut out);
            let expected = reference(&image, &roi, &spec);
            let levels = 255.0 / (spec.range.1 - spec.range.0);
            for (i, (a, b)) in out.iter().zip(&expected).enumerate() {
                let diff = (a - b).abs() * levels;
                assert!(
                    diff <= 0.05,
                    "case {case}: value {i} differs by {diff} grey levels ({w}×{h}, {roi:?}, {spec:?})"
                );
                worst = worst.max(diff);
            }
        }
        eprintln!("largest difference from exact bilinear: {worst:.4} grey levels");
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
        // Tensor (0,0) samples the image at (8,8) → clamped to (7,7). sin(π) in f32 is not
        // quite 0, so samples land a hair off the pixel: within the blend's 0.05 of a level.
        let close = |a: f32, b: f32| (a - b).abs() < 0.05;
        assert!(close(out[0], 7.0) && close(out[1], 7.0));
        // Tensor (7,7) samples (1,1).
        let i = (7 * 8 + 7) * 3;
        assert!(close(out[i], 1.0) && close(out[i + 1], 1.0));
    }
}
