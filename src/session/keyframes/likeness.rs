//! Whether two kept frames would show the same thing: the same pose at the same place (a person
//! holding still, a clip that loops), or nearly the same picture. Both tests are cheap enough to
//! run against the few kept frames on every frame of a live session.

use image::RgbImage;

use crate::pose::{LandmarkId, Pose};

/// Side of the grid a picture is reduced to.
const GRID: usize = 32;
/// Pixels sampled per grid cell along each axis (16 per cell: enough to average out sensor
/// noise and JPEG blocks, a few microseconds a picture).
const TAPS: u32 = 4;
/// A cell whose mean brightness moved by more than this (of 255) has changed...
const CELL_CHANGE: u8 = 10;
/// ...and a picture with at most this many changed cells (1%) is the same picture. A trunk
/// leaning 5° further moves the outline of the person across dozens of cells.
const SAME_PICTURE_CELLS: usize = GRID * GRID / 100;

/// A landmark moved by more than this, in torso lengths, has moved: BlazePose's own jitter on
/// one still frame is about 0.01; a 5° change of lean moves the shoulders 0.09.
const MOVED_TORSOS: f32 = 0.04;
/// Two poses with at most this many landmarks moved are the same pose. A head jutting forward
/// moves five or more (nose, eyes, ears), a hand lifted four (wrist, fingers); one landmark
/// misread is still the same pose.
const SAME_POSE_MOVED: u32 = 2;
/// Landmarks counted as seen.
const MIN_VISIBILITY: f32 = 0.5;

/// A picture reduced to a grid of mean brightness.
#[derive(Debug, Clone, PartialEq)]
pub struct Thumbnail(Box<[u8; GRID * GRID]>);

impl Thumbnail {
    pub fn of(image: &RgbImage) -> Self {
        let (w, h) = image.dimensions();
        let mut cells = Box::new([0u8; GRID * GRID]);
        if w == 0 || h == 0 {
            return Self(cells);
        }
        // Tap centres spread evenly over each cell, as byte offsets of columns and rows.
        let taps = GRID * TAPS as usize;
        let at = |i: usize, size: u32| {
            ((2 * i as u64 + 1) * u64::from(size) / (2 * taps as u64)) as usize
        };
        let mut xs = [0usize; GRID * TAPS as usize];
        let mut ys = [0usize; GRID * TAPS as usize];
        for i in 0..taps {
            xs[i] = at(i, w).min(w as usize - 1) * 3;
            ys[i] = at(i, h).min(h as usize - 1) * w as usize * 3;
        }
        let raw = image.as_raw();
        let per_cell = TAPS as usize;
        for (gy, row) in ys.chunks_exact(per_cell).enumerate() {
            for (gx, cols) in xs.chunks_exact(per_cell).enumerate() {
                let mut sum = 0u32;
                for y in row {
                    for x in cols {
                        let p = &raw[y + x..y + x + 3];
                        // Rec. 601 luma in integers.
                        sum +=
                            299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]);
                    }
                }
                cells[gy * GRID + gx] = (sum / (1000 * TAPS * TAPS)) as u8;
            }
        }
        Self(cells)
    }

    /// Whether `other` is nearly the same picture (at most 1% of the grid changed).
    pub fn same_picture(&self, other: &Thumbnail) -> bool {
        self.changed_cells(other, CELL_CHANGE) <= SAME_PICTURE_CELLS
    }

    /// How many cells of `other` differ from this picture's by more than `by` (of 255).
    pub fn changed_cells(&self, other: &Thumbnail, by: u8) -> usize {
        self.0
            .iter()
            .zip(other.0.iter())
            .filter(|(a, b)| a.abs_diff(**b) > by)
            .count()
    }
}

/// Whether `a` and `b`, both in a picture `width` × `height`, are the same pose at the same
/// place: of the landmarks both see, at most [`SAME_POSE_MOVED`] moved more than
/// [`MOVED_TORSOS`] torso lengths. Too few landmarks seen, or no torso to measure by, is not the
/// same.
pub fn same_pose(a: &Pose, b: &Pose, width: u32, height: u32) -> bool {
    let (w, h) = (width as f32, height as f32);
    let px = |p: &Pose, id: LandmarkId| {
        let l = p.landmarks[id.index()];
        (l.x * w, l.y * h)
    };
    let mid = |p: &Pose, l: LandmarkId, r: LandmarkId| {
        let (a, b) = (px(p, l), px(p, r));
        ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)
    };
    let shoulders = mid(a, LandmarkId::LeftShoulder, LandmarkId::RightShoulder);
    let hips = mid(a, LandmarkId::LeftHip, LandmarkId::RightHip);
    let torso = (shoulders.0 - hips.0).hypot(shoulders.1 - hips.1);
    if torso.is_nan() || torso <= 1.0 {
        return false;
    }
    let moved = MOVED_TORSOS * torso;
    let (mut seen, mut moved_count) = (0u32, 0u32);
    for (la, lb) in a.landmarks.iter().zip(b.landmarks.iter()) {
        if la.visibility >= MIN_VISIBILITY && lb.visibility >= MIN_VISIBILITY {
            seen += 1;
            if ((la.x - lb.x) * w).hypot((la.y - lb.y) * h) > moved {
                moved_count += 1;
            }
        }
    }
    // Fewer than a quarter of the landmarks seen in both: not enough to call them alike.
    seen >= 8 && moved_count <= SAME_POSE_MOVED
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::Body;

    #[test]
    fn a_repeated_picture_is_the_same_and_a_moved_person_is_not() {
        let scene = |person_x: u32| {
            RgbImage::from_fn(640, 480, |x, y| {
                let on_person = (person_x..person_x + 60).contains(&x) && (100..400).contains(&y);
                if on_person {
                    image::Rgb([40, 60, 200])
                } else {
                    image::Rgb([230, 225, 210])
                }
            })
        };
        let a = Thumbnail::of(&scene(300));
        let mut noisy = scene(300);
        for (i, p) in noisy.pixels_mut().enumerate() {
            // Sensor noise of ±3 levels.
            let d = (i * 7919 % 7) as u8;
            p.0 = p.0.map(|c| c.saturating_add(d).saturating_sub(3));
        }
        assert!(
            a.same_picture(&Thumbnail::of(&noisy)),
            "noise is the same picture"
        );
        assert!(!a.same_picture(&Thumbnail::of(&scene(330))), "moved 30 px");
        assert!(a.same_picture(&Thumbnail::of(&scene(301))), "moved 1 px");
    }

    #[test]
    fn a_pose_is_itself_but_not_a_leaning_or_moved_one() {
        let body = Body::frontal();
        let still = body.pose();
        assert!(same_pose(&still, &still, 640, 480));
        let mut jitter = body.clone();
        for p in &mut jitter.px {
            p.0 += 1.5;
        }
        assert!(
            same_pose(&still, &jitter.pose(), 640, 480),
            "a pixel of jitter"
        );
        let mut leaning = body.clone();
        leaning.rotate_ccw(8.0, 320.0, 380.0);
        assert!(!same_pose(&still, &leaning.pose(), 640, 480), "leaning 8°");
        let mut aside = body.clone();
        for p in &mut aside.px {
            p.0 += 30.0;
        }
        assert!(!same_pose(&still, &aside.pose(), 640, 480), "a step aside");
        let mut head = body.clone();
        for id in [LandmarkId::Nose, LandmarkId::LeftEar, LandmarkId::RightEar] {
            head.shift(id, 20.0, 0.0);
        }
        assert!(
            !same_pose(&still, &head.pose(), 640, 480),
            "the head forward"
        );
        let mut misread = body.clone();
        misread.shift(LandmarkId::LeftWrist, 60.0, 0.0);
        assert!(
            same_pose(&still, &misread.pose(), 640, 480),
            "one landmark misread"
        );
        let mut unseen = body;
        unseen.visibility = [0.0; 33];
        assert!(
            !same_pose(&unseen.pose(), &unseen.pose(), 640, 480),
            "nothing seen"
        );
    }
}
