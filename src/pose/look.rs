//! What the followed person looks like: the colours of their torso (shirt, jacket, dress), as
//! a chromaticity histogram that ignores how bright the light is. It tells the user from a
//! passer-by whose region overlaps theirs: someone crossing in front drags the tracked region
//! along one plausible step at a time, which position and size alone cannot see.

use image::RgbImage;

use super::landmarks::{Landmark, LandmarkId};

/// Bins per chromaticity axis (r and g of r+g+b).
const BINS: usize = 8;
/// Sample points across and down the torso.
const GRID: usize = 12;
/// Pixels darker than this (sum of R, G and B) have no reliable colour and are skipped.
const DARKEST: u32 = 45;
/// Fewer usable samples than this and the look is unknown (a dark room, a torso off-picture).
const MIN_SAMPLES: usize = 24;

/// A torso's colours: a normalised chromaticity histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    bins: [f32; BINS * BINS],
}

impl Look {
    /// The look of the torso the landmarks outline in `image` (landmarks normalised to the
    /// image): the quadrilateral shoulders → hips, its sides drawn in by a fifth so that arms
    /// and background stay out; when the hips are not seen, a band below the shoulders as deep
    /// as they are wide (a head-and-shoulders picture). `None` when too little of it is seen.
    pub fn of(image: &RgbImage, landmarks: &[Landmark]) -> Option<Look> {
        let at = |id: LandmarkId| landmarks[id.index()];
        let (ls, rs) = (at(LandmarkId::LeftShoulder), at(LandmarkId::RightShoulder));
        let (lh, rh) = (at(LandmarkId::LeftHip), at(LandmarkId::RightHip));
        let (w, h) = (image.width() as f32, image.height() as f32);
        let px = |l: Landmark| (l.x * w, l.y * h);
        let (ls, rs) = (px(ls), px(rs));
        let hips_seen = [lh, rh]
            .iter()
            .all(|l| l.visibility >= 0.5 && (0.0..=1.0).contains(&l.y));
        let (lb, rb) = if hips_seen {
            (px(lh), px(rh))
        } else {
            let width = (rs.0 - ls.0).hypot(rs.1 - ls.1);
            ((ls.0, ls.1 + width), (rs.0, rs.1 + width))
        };
        let mut bins = [0.0f32; BINS * BINS];
        let mut samples = 0usize;
        for i in 0..GRID {
            // Down the torso, from a tenth below the shoulders to a tenth above the hips.
            let v = 0.1 + 0.8 * (i as f32 + 0.5) / GRID as f32;
            let left = lerp(ls, lb, v);
            let right = lerp(rs, rb, v);
            for j in 0..GRID {
                let u = 0.2 + 0.6 * (j as f32 + 0.5) / GRID as f32;
                let (x, y) = lerp(left, right, u);
                if x < 0.0 || y < 0.0 || x >= w || y >= h {
                    continue;
                }
                let [r, g, b] = image.get_pixel(x as u32, y as u32).0;
                let sum = r as u32 + g as u32 + b as u32;
                if sum < DARKEST {
                    continue;
                }
                let bin = |c: u8| ((c as f32 / sum as f32) * BINS as f32).min(BINS as f32 - 1.0);
                bins[bin(r) as usize * BINS + bin(g) as usize] += 1.0;
                samples += 1;
            }
        }
        if samples < MIN_SAMPLES {
            return None;
        }
        for b in &mut bins {
            *b /= samples as f32;
        }
        Some(Look { bins })
    }

    /// How alike two looks are: the Bhattacharyya coefficient, 1 for the same colours, 0 for
    /// none shared.
    pub fn likeness(&self, other: &Look) -> f32 {
        self.bins
            .iter()
            .zip(&other.bins)
            .map(|(a, b)| (a * b).sqrt())
            .sum()
    }

    /// Moves this look a share `rate` of the way toward `other` (a slow update as the light
    /// changes).
    pub fn blend(&mut self, other: &Look, rate: f32) {
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            *a += rate * (b - *a);
        }
    }
}

fn lerp(a: (f32, f32), b: (f32, f32), t: f32) -> (f32, f32) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::NUM_LANDMARKS;
    use image::Rgb;

    /// A picture with a torso painted `shirt` between shoulders at y 100 and hips at y 300.
    fn picture(shirt: [u8; 3], light: f32) -> (RgbImage, Vec<Landmark>) {
        let mut img = RgbImage::from_pixel(640, 480, Rgb([90, 90, 90]));
        for y in 100..300 {
            for x in 250..390 {
                let c = shirt.map(|c| (c as f32 * light) as u8);
                img.put_pixel(x, y, Rgb(c));
            }
        }
        let mut lm = vec![
            Landmark {
                visibility: 1.0,
                ..Landmark::default()
            };
            NUM_LANDMARKS
        ];
        let put = |lm: &mut Vec<Landmark>, id: LandmarkId, x: f32, y: f32| {
            lm[id.index()].x = x / 640.0;
            lm[id.index()].y = y / 480.0;
        };
        put(&mut lm, LandmarkId::RightShoulder, 250.0, 100.0);
        put(&mut lm, LandmarkId::LeftShoulder, 390.0, 100.0);
        put(&mut lm, LandmarkId::RightHip, 270.0, 300.0);
        put(&mut lm, LandmarkId::LeftHip, 370.0, 300.0);
        (img, lm)
    }

    #[test]
    fn the_same_shirt_in_dimmer_light_looks_alike_and_another_colour_does_not() {
        let (img, lm) = picture([200, 60, 40], 1.0);
        let red = Look::of(&img, &lm).expect("a lit torso");
        let (dim, _) = picture([200, 60, 40], 0.5);
        let red_dim = Look::of(&dim, &lm).unwrap();
        let (blue_img, _) = picture([40, 70, 190], 1.0);
        let blue = Look::of(&blue_img, &lm).unwrap();
        assert!(red.likeness(&red_dim) > 0.9, "{}", red.likeness(&red_dim));
        assert!(red.likeness(&blue) < 0.2, "{}", red.likeness(&blue));
        let mut learning = red.clone();
        learning.blend(&blue, 0.5);
        assert!(learning.likeness(&blue) > red.likeness(&blue));
    }

    #[test]
    fn a_torso_in_the_dark_or_off_the_picture_has_no_look() {
        let (img, lm) = picture([10, 5, 5], 1.0);
        assert_eq!(Look::of(&img, &lm), None);
        let (img, mut lm) = picture([200, 60, 40], 1.0);
        for l in &mut lm {
            l.y += 2.0;
        }
        assert_eq!(Look::of(&img, &lm), None);
    }
}
