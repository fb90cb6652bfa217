//! The model-input crop per source resolution: the landmark model's rotated 256×256 crop of a
//! standing person and the detector's 224×224 letterbox, from 640×480, 1280×720 and 1920×1080
//! frames, each timed for the current implementation and, in the same run, for the one it
//! replaced (kept below as `before`) so the ratio is measured under the same load.
//!
//! The frame is the demo clip's first frame (a person standing, as the app sees one), scaled
//! to each height and padded to the width by ffmpeg; the ROI is the one the detector finds on
//! it (a 536-pixel square at 640×480, tilted 3.2°), scaled with the frame.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use image::RgbImage;
use plumbline::pose::NormRect;
use plumbline::pose::preprocess::{Border, TensorSpec, crop_to_tensor};
use plumbline::pose::roi::ImageSize;

/// The ROI the detector finds on the demo's first frame (`RUST_LOG=plumbline::pose=debug
/// plumbline analyze assets/demo-practice.mp4`), in 640×480 pixels.
const ROI_CENTER_PX: (f32, f32) = (326.4, 223.6);
const ROI_SIDE_PX: f32 = 536.0;
const ROI_ROTATION: f32 = 0.0564;

/// The demo's first frame at `width`×`height`: scaled to the height, centred, padded grey.
fn frame(dir: &Path, width: u32, height: u32) -> RgbImage {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo-practice.mp4");
    let out = dir.join(format!("frame{width}x{height}.png"));
    let scaled_w = 640 * height / 480;
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&src)
        .args([
            "-frames:v",
            "1",
            "-vf",
            &format!(
                "scale={scaled_w}:{height},pad={width}:{height}:{}:0:color=gray",
                (width - scaled_w) / 2
            ),
        ])
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg failed");
    image::open(&out).expect("the extracted frame").to_rgb8()
}

/// The landmark crop's ROI on a frame of `size`, padded to the tensor as the landmarker does.
fn landmark_roi(size: ImageSize) -> NormRect {
    let k = size.h() / 480.0;
    let pad = (size.w() - 640.0 * k) / 2.0;
    let roi = NormRect {
        x_center: (ROI_CENTER_PX.0 * k + pad) / size.w(),
        y_center: ROI_CENTER_PX.1 * k / size.h(),
        width: ROI_SIDE_PX * k / size.w(),
        height: ROI_SIDE_PX * k / size.h(),
        rotation: ROI_ROTATION,
    };
    roi.pad_to_aspect(size, 256, 256).0
}

fn preprocess(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let landmark = TensorSpec {
        width: 256,
        height: 256,
        range: (0.0, 1.0),
        border: Border::Replicate,
    };
    let letterbox = TensorSpec {
        width: 224,
        height: 224,
        range: (-1.0, 1.0),
        border: Border::Zero,
    };
    for (w, h) in [(640, 480), (1280, 720), (1920, 1080)] {
        let image = frame(dir.path(), w, h);
        let size = ImageSize {
            width: w,
            height: h,
        };
        let mut group = c.benchmark_group(format!("preprocess/{w}x{h}"));
        group.measurement_time(Duration::from_secs(3));
        let cases = [
            ("landmark_crop", landmark_roi(size), landmark),
            (
                "detector_letterbox",
                NormRect::full_image().pad_to_aspect(size, 224, 224).0,
                letterbox,
            ),
        ];
        for (name, roi, spec) in cases {
            let mut out = vec![0.0f32; (spec.width * spec.height * 3) as usize];
            group.throughput(Throughput::Elements((spec.width * spec.height) as u64));
            group.bench_function(BenchmarkId::new(name, "before"), |b| {
                b.iter(|| before::crop_to_tensor(&image, &roi, &spec, &mut out))
            });
            group.bench_function(BenchmarkId::new(name, "after"), |b| {
                b.iter(|| crop_to_tensor(&image, &roi, &spec, &mut out))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, preprocess);
criterion_main!(benches);

/// The crop as it was before the fixed-point, SIMD rewrite (commit e92754f), unchanged but
/// for its imports: float sampling with clamps for any row touching the edge, 16.16 fixed
/// point with 8-bit weights for rows wholly inside.
mod before {
    use image::RgbImage;
    use plumbline::pose::NormRect;
    use plumbline::pose::preprocess::{Border, TensorSpec};
    use plumbline::pose::roi::ImageSize;

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
                    x >= 0.0
                        && y >= 0.0
                        && x < (self.img_w - 1) as f32
                        && y < (self.img_h - 1) as f32
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
}
