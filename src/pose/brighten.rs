//! Brightening a dark frame before the models see it: a stretch of its luma range to the full
//! range, then a gamma that lifts its median to mid-grey, one lookup table for all three
//! channels. Only frames darker than [`DARK_LUMA`] are touched, so a well-lit frame's landmarks
//! are exactly what they were (README, "Light").

use image::RgbImage;

/// Frames whose mean luma (0–255) is below this are brightened.
pub const DARK_LUMA: f32 = 40.0;
/// The share of the darkest and of the brightest samples left out of the stretch (noise, a
/// lamp).
const CLIP: f32 = 0.005;
/// Sample every `STEP`th pixel each way for the histogram.
const STEP: usize = 2;

/// Rec. 601 luma of a pixel, 0–255.
fn luma(p: &[u8]) -> f32 {
    0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32
}

/// A brightened copy of `image` when it is darker than [`DARK_LUMA`] and has a range to stretch;
/// `None` for a frame lit well enough (or black).
pub fn brightened(image: &RgbImage) -> Option<RgbImage> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let raw = image.as_raw();
    let mut histogram = [0u32; 256];
    let (mut sum, mut n) = (0.0f64, 0u32);
    for y in (0..h).step_by(STEP) {
        for x in (0..w).step_by(STEP) {
            let i = 3 * (y * w + x);
            let l = luma(&raw[i..i + 3]);
            histogram[l.round() as usize] += 1;
            sum += l as f64;
            n += 1;
        }
    }
    if n == 0 || (sum / n as f64) as f32 >= DARK_LUMA {
        return None;
    }
    let at = |share: f32| {
        let wanted = (share * n as f32) as u32;
        let mut seen = 0;
        histogram
            .iter()
            .position(|&c| {
                seen += c;
                seen > wanted
            })
            .unwrap_or(255) as f32
    };
    let (lo, hi, median) = (at(CLIP), at(1.0 - CLIP), at(0.5));
    if hi - lo < 8.0 {
        return None;
    }
    let mid = ((median - lo) / (hi - lo)).clamp(0.02, 0.98);
    let gamma = 0.5f32.ln() / mid.ln();
    let table: Vec<u8> = (0..256)
        .map(|c| {
            let v = ((c as f32 - lo) / (hi - lo)).clamp(0.0, 1.0);
            (255.0 * v.powf(gamma)).round() as u8
        })
        .collect();
    let mut out = image.clone();
    for c in out.iter_mut() {
        *c = table[*c as usize];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn a_dark_frame_is_stretched_and_a_lit_one_left_alone() {
        // A quarter shadow, half a dim brown shirt, a quarter dim highlight.
        let mut dark = RgbImage::new(64, 48);
        for (x, _, p) in dark.enumerate_pixels_mut() {
            *p = match x {
                0..16 => Rgb([6, 6, 6]),
                16..48 => Rgb([20, 16, 12]),
                _ => Rgb([40, 32, 24]),
            };
        }
        let bright = brightened(&dark).expect("dark frames are brightened");
        let (shadow, shirt) = (bright.get_pixel(0, 0).0, bright.get_pixel(32, 0).0);
        assert!(shadow[0] < 20, "{shadow:?}");
        assert!(shirt[0] > 100, "lifted to mid-grey: {shirt:?}");
        assert!(
            shirt[0] > shirt[1] && shirt[1] > shirt[2],
            "hue kept: {shirt:?}"
        );

        let lit = RgbImage::from_pixel(64, 48, Rgb([120, 110, 100]));
        assert_eq!(brightened(&lit), None);
        assert_eq!(
            brightened(&RgbImage::new(64, 48)),
            None,
            "black: nothing to stretch"
        );
    }
}
