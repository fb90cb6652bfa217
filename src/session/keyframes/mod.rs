//! Choosing the frames a report shows: the worst moments by how far the judged measures were
//! out of their bands ([`moment`]), spread over the session, no two of the same moment, pose or
//! picture ([`likeness`]); and one typical moment. Candidates are kept as plain images (a copy
//! is far cheaper than an encode, and early in a session the worst moment changes often), then
//! cropped to the person ([`crop`]) and JPEG-encoded once, at the end: at most four frames are
//! ever held.

pub mod crop;
pub mod likeness;
pub mod moment;

use image::RgbImage;
use image::codecs::jpeg::JpegEncoder;

use self::likeness::{Thumbnail, same_pose};
use crate::geometry::bands::Thresholds;
use crate::pose::{Landmark, NUM_LANDMARKS, Pose};
use crate::session::Sample;

/// A kept frame, cropped to the person.
#[derive(Debug, Clone)]
pub struct PickedFrame {
    pub t_ms: f64,
    /// "worst" or "typical".
    pub kind: &'static str,
    pub score: f32,
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The pose, its landmarks normalised to the stored (cropped) picture.
    pub pose: Pose,
}

/// A candidate before encoding.
#[derive(Debug)]
struct Candidate {
    t_ms: f64,
    kind: &'static str,
    score: f32,
    image: RgbImage,
    pose: Pose,
    thumbnail: Thumbnail,
}

impl Candidate {
    /// Whether `self` and another frame show the same moment: closer in time than `gap_ms`,
    /// the same pose at the same place, or (when its thumbnail is known) the same picture.
    fn same_as(
        &self,
        t_ms: f64,
        gap_ms: f64,
        pose: &Pose,
        image: &RgbImage,
        thumbnail: Option<&Thumbnail>,
    ) -> bool {
        (self.t_ms - t_ms).abs() < gap_ms
            || (self.image.dimensions() == image.dimensions()
                && same_pose(&self.pose, pose, image.width(), image.height()))
            || thumbnail.is_some_and(|t| self.thumbnail.same_picture(t))
    }
}

/// Kept moments are at most this many.
const MAX_KEPT: usize = 16;

/// Keeps the worst `max_worst` moments, at least `min_gap_ms` apart (and further as the session
/// grows, see [`KeyframePicker::gap_ms`]), none the same pose or picture as another, and a
/// typical one.
#[derive(Debug)]
pub struct KeyframePicker {
    max_worst: usize,
    min_gap_ms: f64,
    /// Longest side the stored JPEGs are scaled down to, at most.
    max_side: u32,
    /// The bands a moment's badness is measured against (the defaults: the session's own may
    /// have been changed in the settings, but the levels recorded rank first).
    bands: Thresholds,
    worst: Vec<Candidate>,
    typical: Option<Candidate>,
    /// The typical moment is the first frame with a person after this time (settled, not the
    /// first seconds of getting into position).
    typical_at_ms: f64,
}

impl Default for KeyframePicker {
    fn default() -> Self {
        Self::new(3, 2000.0, 640)
    }
}

/// Kept moments are spread over the session: no two closer than this fraction of the time
/// seen so far (a minute apart in an eight-minute session).
const SPREAD: f64 = 1.0 / 8.0;

impl KeyframePicker {
    pub fn new(max_worst: usize, min_gap_ms: f64, max_side: u32) -> Self {
        Self {
            max_worst: max_worst.min(MAX_KEPT),
            min_gap_ms,
            max_side: max_side.max(16),
            bands: Thresholds::default(),
            worst: Vec::with_capacity(max_worst.min(MAX_KEPT)),
            typical: None,
            typical_at_ms: 3000.0,
        }
    }

    /// How far apart two kept moments must be at `t_ms`: `min_gap_ms`, or an eighth of the
    /// time seen so far when that is longer.
    fn gap_ms(&self, t_ms: f64) -> f64 {
        self.min_gap_ms.max(t_ms * SPREAD)
    }

    /// Whether a candidate scoring `score` is kept, given the kept moments it is the same as
    /// (`same`, a bit per kept moment): it must beat them all, or, the same as none, there
    /// must be room or a weaker moment to drop.
    fn beats(&self, same: u32, score: f32) -> bool {
        if same != 0 {
            return self
                .worst
                .iter()
                .enumerate()
                .filter(|(i, _)| same & (1 << i) != 0)
                .all(|(_, k)| k.score < score);
        }
        self.worst.len() < self.max_worst || self.worst.iter().any(|k| k.score < score)
    }

    /// Considers one analysed frame. Costs a few comparisons with the kept moments, unless
    /// the frame would be kept: then its thumbnail and a copy of the picture.
    pub fn consider(&mut self, sample: &Sample, image: &RgbImage, pose: Option<&Pose>) {
        let (Some(pose), Some(m)) = (pose, moment::moment(sample, &self.bands)) else {
            return;
        };
        let t_ms = sample.t_ms;
        if self.typical.is_none() && t_ms >= self.typical_at_ms {
            self.typical = Some(Candidate {
                t_ms,
                kind: "typical",
                score: m.score,
                image: image.clone(),
                pose: pose.clone(),
                thumbnail: Thumbnail::of(image),
            });
        }
        let gap = self.gap_ms(t_ms);
        let same = |thumbnail: Option<&Thumbnail>, worst: &[Candidate]| {
            worst.iter().enumerate().fold(0u32, |bits, (i, k)| {
                if k.same_as(t_ms, gap, pose, image, thumbnail) {
                    bits | 1 << i
                } else {
                    bits
                }
            })
        };
        // Cheap tests first; the picture only for a frame that would be kept.
        if !self.beats(same(None, &self.worst), m.score) {
            return;
        }
        let thumbnail = Thumbnail::of(image);
        let same = same(Some(&thumbnail), &self.worst);
        if !self.beats(same, m.score) {
            return;
        }
        if same != 0 {
            for i in (0..self.worst.len()).rev() {
                if same & (1 << i) != 0 {
                    self.worst.swap_remove(i);
                }
            }
        } else if self.worst.len() >= self.max_worst
            && let Some(weakest) = self
                .worst
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.score.total_cmp(&b.1.score))
                .map(|(i, _)| i)
        {
            self.worst.swap_remove(weakest);
        }
        self.worst.push(Candidate {
            t_ms,
            kind: "worst",
            score: m.score,
            image: image.clone(),
            pose: pose.clone(),
            thumbnail,
        });
    }

    fn encode(&self, c: Candidate) -> Option<PickedFrame> {
        let mut pose = c.pose;
        let stored = person_jpeg(&c.image, &mut pose.landmarks, self.max_side)?;
        Some(PickedFrame {
            t_ms: c.t_ms,
            kind: c.kind,
            score: c.score,
            jpeg: stored.jpeg,
            width: stored.width,
            height: stored.height,
            pose,
        })
    }

    /// The kept frames, cropped and JPEG-encoded: worst first (by score), then the typical one
    /// unless it is the same pose or picture as one of them (close in time is fine: a calm
    /// second before a lean is a fair "typical").
    pub fn finish(mut self) -> Vec<PickedFrame> {
        self.worst.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut kept = std::mem::take(&mut self.worst);
        if let Some(t) = self.typical.take()
            && !kept
                .iter()
                .any(|k| k.same_as(t.t_ms, 0.0, &t.pose, &t.image, Some(&t.thumbnail)))
        {
            kept.push(t);
        }
        kept.into_iter().filter_map(|c| self.encode(c)).collect()
    }
}

/// A frame as sessions store it: a JPEG and its size in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPicture {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// `image` as a session stores it: cropped to the person whose `landmarks` are given (which
/// are mapped into the crop), scaled down to fit `max_side`, JPEG-encoded. `None` if the
/// encoder fails.
pub fn person_jpeg(
    image: &RgbImage,
    landmarks: &mut [Landmark; NUM_LANDMARKS],
    max_side: u32,
) -> Option<StoredPicture> {
    let cropped = crop::crop_to_person(image, landmarks);
    let image = match &cropped {
        Some((image, in_crop)) => {
            *landmarks = *in_crop;
            image
        }
        None => image,
    };
    let (w, h) = image.dimensions();
    let scaled;
    let img = if w.max(h) > max_side {
        let k = f64::from(max_side) / f64::from(w.max(h));
        let (sw, sh) = (
            (f64::from(w) * k).round() as u32,
            (f64::from(h) * k).round() as u32,
        );
        scaled = image::imageops::resize(
            image,
            sw.max(1),
            sh.max(1),
            image::imageops::FilterType::Triangle,
        );
        &scaled
    } else {
        image
    };
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(img)
        .ok()?;
    Some(StoredPicture {
        jpeg,
        width: img.width(),
        height: img.height(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::MetricId;
    use crate::geometry::advice::Cue;
    use crate::geometry::metrics::Metrics;
    use crate::geometry::state::{MetricLevels, PostureState};
    use crate::geometry::testing::Body;
    use crate::geometry::view::View;
    use crate::pose::LandmarkId;

    fn sample(
        t_ms: f64,
        metrics: Metrics,
        levels: Option<MetricLevels>,
        cue: Option<Cue>,
    ) -> Sample {
        Sample {
            frame: (t_ms / 100.0) as u64,
            t_ms,
            person: true,
            metrics: Some(metrics),
            state: PostureState::Aligned,
            cadence_spm: None,
            levels,
            cue,
        }
    }

    fn lean(t_ms: f64, lean: f32) -> Sample {
        sample(
            t_ms,
            Metrics::default().with(MetricId::TrunkLeanFrontal, lean),
            None,
            None,
        )
    }

    /// A picture unlike any other of `key`'s: a dark block at a place of its own.
    fn picture(key: u64, width: u32, height: u32) -> RgbImage {
        let (bx, by) = (
            (key * 37 % 20) as u32 * width / 24,
            (key / 20 % 20) as u32 * height / 24,
        );
        RgbImage::from_fn(width, height, |x, y| {
            if (bx..bx + width / 6).contains(&x) && (by..by + height / 6).contains(&y) {
                image::Rgb([20, 30, 90])
            } else {
                image::Rgb([230, 225, 210])
            }
        })
    }

    /// A frontal person leaning `deg` sideways about the hips, in a 640×480 frame.
    fn leaning(deg: f32) -> Pose {
        let mut b = Body::frontal();
        b.rotate_ccw(deg, 320.0, 380.0);
        b.pose()
    }

    fn worst(kept: &[PickedFrame]) -> Vec<f64> {
        kept.iter()
            .filter(|k| k.kind == "worst")
            .map(|k| k.t_ms)
            .collect()
    }

    #[test]
    fn keeps_the_worst_moments_apart_and_a_typical_one() {
        let blank = Pose {
            landmarks: [crate::pose::Landmark::default(); 33],
            world: [crate::pose::Vec3::default(); 33],
            score: 1.0,
        };
        let mut p = KeyframePicker::default();
        // Leans peak at 4 s (20°), 10 s (15°), 11 s (16°, too close to 10 s), 20 s (8°), 30 s (12°).
        for i in 0..400u64 {
            let t = i as f64 * 100.0;
            let l = match i {
                40 => 20.0,
                100 => 15.0,
                110 => 16.0,
                200 => 8.0,
                300 => 12.0,
                _ => 1.0,
            };
            p.consider(&lean(t, l), &picture(i, 800, 600), Some(&blank));
        }
        let kept = p.finish();
        assert_eq!(worst(&kept), vec![4000.0, 11000.0, 30000.0]);
        let typical = kept
            .iter()
            .find(|k| k.kind == "typical")
            .expect("a typical frame");
        assert_eq!(typical.t_ms, 3000.0);
        // Nobody seen to crop to: the whole picture, scaled down.
        assert_eq!((typical.width, typical.height), (640, 480), "scaled down");
        assert!(image::load_from_memory(&typical.jpeg).is_ok());
    }

    #[test]
    fn a_looped_clip_gives_distinct_moments() {
        // A 10 s clip at 10 fps played three times: leans peak at 4 s (20°) and 8 s (12°) of
        // each pass; the same frame of the clip is the same picture and the same pose.
        let lean_at = |i: u64| match i {
            40 => 20.0,
            80 => 12.0,
            _ => (i % 7) as f32 * 0.5,
        };
        let mut p = KeyframePicker::default();
        for i in 0..300u64 {
            let frame = i % 100;
            let pose = leaning(lean_at(frame));
            p.consider(
                &lean(i as f64 * 100.0, lean_at(frame)),
                &picture(frame, 640, 480),
                Some(&pose),
            );
        }
        let kept = p.finish();
        let frames: Vec<u64> = kept.iter().map(|k| (k.t_ms / 100.0) as u64 % 100).collect();
        let mut distinct = frames.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            frames.len(),
            "a frame of the clip twice: {frames:?}"
        );
        assert!(frames.contains(&40) && frames.contains(&80), "{frames:?}");
        for (i, a) in kept.iter().enumerate() {
            for b in &kept[i + 1..] {
                assert_ne!(a.jpeg, b.jpeg, "{} and {} are one picture", a.t_ms, b.t_ms);
            }
        }
    }

    #[test]
    fn the_same_pose_or_the_same_picture_is_one_moment() {
        // Two peaks 10 s apart: what tells them apart is the case.
        let run = |pose_b: &Pose, picture_b: u64| {
            let mut p = KeyframePicker::new(3, 2000.0, 640);
            let still = leaning(0.0);
            for i in 0..200u64 {
                let (l, pose, pic) = match i {
                    50 => (15.0, leaning(15.0), picture(1, 640, 480)),
                    150 => (16.0, pose_b.clone(), picture(picture_b, 640, 480)),
                    _ => (0.0, still.clone(), picture(1000 + i, 640, 480)),
                };
                p.consider(&lean(i as f64 * 100.0, l), &pic, Some(&pose));
            }
            worst(&p.finish())
        };
        // A different pose in a different picture: two moments (and the calm frames after).
        assert_eq!(run(&leaning(-15.0), 2)[..2], [15000.0, 5000.0]);
        // The same pose at the same place, the picture changed (a light went on).
        let first = run(&leaning(15.0), 2);
        assert!(
            first.contains(&15000.0) && !first.contains(&5000.0),
            "{first:?}"
        );
        // The same picture, the pose read differently.
        let second = run(&leaning(-15.0), 1);
        assert!(
            second.contains(&15000.0) && !second.contains(&5000.0),
            "{second:?}"
        );
    }

    #[test]
    fn a_head_forward_session_shows_head_forward_moments() {
        // Side-on: the trunk leans 9° (inside its 10° band) now and then; the head juts
        // forward (misaligned, with its cue) at 5 s (30°) and 15 s (35°), the trunk upright.
        let mut p = KeyframePicker::default();
        let upright = Body::frontal();
        let jutting = |px: f32| {
            let mut b = upright.clone();
            for id in [LandmarkId::Nose, LandmarkId::LeftEar, LandmarkId::RightEar] {
                b.shift(id, px, 0.0);
            }
            b.pose()
        };
        for i in 0..200u64 {
            let (trunk, head, pose) = match i {
                50 => (1.0, 30.0, jutting(25.0)),
                150 => (1.0, 35.0, jutting(40.0)),
                i if i % 20 == 0 => (9.0, 5.0, leaning(9.0)),
                _ => (1.0, 5.0, upright.pose()),
            };
            let mut levels = MetricLevels::default();
            levels.set(MetricId::TrunkLeanSagittal, PostureState::Aligned);
            let level = if head > 25.0 {
                PostureState::Misaligned
            } else {
                PostureState::Aligned
            };
            levels.set(MetricId::HeadForward, level);
            let cue = (head > 25.0).then(|| Cue {
                metric: MetricId::HeadForward,
                text: crate::geometry::advice::CUE_TEXTS[10],
            });
            let m = Metrics::new(Some(View::Side))
                .with(MetricId::TrunkLeanSagittal, trunk)
                .with(MetricId::HeadForward, head);
            let s = sample(i as f64 * 100.0, m, Some(levels), cue);
            p.consider(&s, &picture(i, 640, 480), Some(&pose));
        }
        let w = worst(&p.finish());
        assert_eq!(w[..2], [15000.0, 5000.0], "{w:?}");
    }

    #[test]
    fn a_small_person_in_a_wide_frame_is_stored_large() {
        // 1920×1080, the person about 350 px tall at the left.
        let mut b = Body::frontal();
        b.size = crate::pose::roi::ImageSize {
            width: 1920,
            height: 1080,
        };
        for px in &mut b.px {
            px.0 += 100.0;
            px.1 += 300.0;
        }
        let pose = b.pose();
        let mut p = KeyframePicker::default();
        p.consider(&lean(0.0, 12.0), &picture(0, 1920, 1080), Some(&pose));
        let kept = p.finish();
        let k = &kept[0];
        assert!(k.width < 400 && k.height < 560, "{}×{}", k.width, k.height);
        assert!(k.height > 400, "not shrunk: {}×{}", k.width, k.height);
        let decoded = image::load_from_memory(&k.jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (k.width, k.height));
        // The landmarks are the crop's: the person fills it.
        let nose = k.pose.landmarks[LandmarkId::Nose.index()];
        assert!(
            (0.3..0.7).contains(&nose.x) && (0.05..0.35).contains(&nose.y),
            "{nose:?}"
        );
    }
}
