//! How the picture is lit: the frame's brightness, how much of it is blown out, and the person
//! against their surroundings. Measured on a sparse grid (every 4th pixel each way), so it costs
//! a few microseconds a frame.

use image::RgbImage;
use serde::{Deserialize, Serialize};

use super::landmarks::Pose;

/// Sample every `STEP`th pixel in each direction.
const STEP: u32 = 4;
/// A sample at or above this luma is blown out (no detail left).
const BLOWN: f32 = 250.0;

/// The picture's light, in luma (Rec. 601, 0–255).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// Mean luma of the whole frame.
    pub luma: f32,
    /// Share of the frame that is blown out.
    pub blown: f32,
    /// Mean luma of the rest of the frame (what is not blown out).
    pub rest: f32,
    /// Mean luma of the person's box (their landmarks' extent), if someone was found.
    pub person: Option<f32>,
    /// Mean luma of the frame outside that box.
    pub surround: Option<f32>,
}

impl Exposure {
    /// Measures `image`, with the person found in it, if any.
    pub fn of(image: &RgbImage, pose: Option<&Pose>) -> Self {
        let (w, h) = (image.width(), image.height());
        let bbox = pose.and_then(|p| person_box(p, w, h));
        let (mut all, mut blown, mut n, mut rest) = (0.0f64, 0usize, 0usize, 0.0f64);
        let (mut inside, mut n_in, mut outside, mut n_out) = (0.0f64, 0usize, 0.0f64, 0usize);
        for y in (STEP / 2..h).step_by(STEP as usize) {
            for x in (STEP / 2..w).step_by(STEP as usize) {
                let [r, g, b] = image.get_pixel(x, y).0;
                let luma = 0.299 * r as f32 + 0.587 * g as f32 + 0.114 * b as f32;
                all += luma as f64;
                n += 1;
                if luma >= BLOWN {
                    blown += 1;
                } else {
                    rest += luma as f64;
                }
                if let Some((x0, y0, x1, y1)) = bbox {
                    if (x0..x1).contains(&x) && (y0..y1).contains(&y) {
                        inside += luma as f64;
                        n_in += 1;
                    } else {
                        outside += luma as f64;
                        n_out += 1;
                    }
                }
            }
        }
        let mean = |sum: f64, n: usize| (n > 0).then(|| (sum / n as f64) as f32);
        Self {
            luma: mean(all, n).unwrap_or(0.0),
            blown: if n > 0 { blown as f32 / n as f32 } else { 0.0 },
            rest: mean(rest, n - blown).unwrap_or(0.0),
            person: mean(inside, n_in),
            surround: mean(outside, n_out),
        }
    }
}

/// The pixel box around the landmarks that lie in the picture, shrunk by a tenth on each side
/// so that it holds the body more than the background; `None` if it is under 8 pixels across.
fn person_box(pose: &Pose, w: u32, h: u32) -> Option<(u32, u32, u32, u32)> {
    let inside: Vec<(f32, f32)> = pose
        .landmarks
        .iter()
        .filter(|l| (0.0..=1.0).contains(&l.x) && (0.0..=1.0).contains(&l.y))
        .map(|l| (l.x * w as f32, l.y * h as f32))
        .collect();
    let x0 = inside.iter().map(|p| p.0).fold(f32::INFINITY, f32::min);
    let x1 = inside.iter().map(|p| p.0).fold(f32::NEG_INFINITY, f32::max);
    let y0 = inside.iter().map(|p| p.1).fold(f32::INFINITY, f32::min);
    let y1 = inside.iter().map(|p| p.1).fold(f32::NEG_INFINITY, f32::max);
    let (dx, dy) = ((x1 - x0) * 0.1, (y1 - y0) * 0.1);
    let (x0, x1, y0, y1) = (x0 + dx, x1 - dx, y0 + dy, y1 - dy);
    (x1 - x0 >= 8.0 && y1 - y0 >= 8.0).then_some((x0 as u32, y0 as u32, x1 as u32, y1 as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{Landmark, NUM_LANDMARKS, Vec3};
    use image::Rgb;

    fn standing_in(image: &mut RgbImage, shade: u8) -> Pose {
        for y in 100..400 {
            for x in 250..390 {
                image.put_pixel(x, y, Rgb([shade; 3]));
            }
        }
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        for (i, l) in landmarks.iter_mut().enumerate() {
            l.x = if i % 2 == 0 {
                250.0 / 640.0
            } else {
                390.0 / 640.0
            };
            l.y = if i < NUM_LANDMARKS / 2 {
                100.0 / 480.0
            } else {
                400.0 / 480.0
            };
        }
        Pose {
            landmarks,
            world: [Vec3::default(); NUM_LANDMARKS],
            score: 1.0,
        }
    }

    #[test]
    fn a_dark_person_before_a_bright_window_reads_darker_than_the_surround() {
        let mut img = RgbImage::from_pixel(640, 480, Rgb([255, 255, 255]));
        let pose = standing_in(&mut img, 40);
        let e = Exposure::of(&img, Some(&pose));
        assert!((e.person.unwrap() - 40.0).abs() < 1.0, "{e:?}");
        // The box is drawn in by a tenth: a rim of the person counts as surroundings.
        assert!(e.surround.unwrap() > 230.0, "{e:?}");
        assert!(e.blown > 0.8, "{e:?}");
        let nobody = Exposure::of(&img, None);
        assert_eq!((nobody.person, nobody.surround), (None, None));
        assert!(nobody.luma < e.surround.unwrap());
    }

    #[test]
    fn a_black_frame_has_no_light() {
        let img = RgbImage::new(64, 48);
        let e = Exposure::of(&img, None);
        assert_eq!((e.luma, e.blown), (0.0, 0.0));
    }
}
