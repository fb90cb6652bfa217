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
use crate::geometry::state::PostureState;
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
        // Typical of the practice: a frame the judge judged (not one it left out, such as
        // standing in walking practice), unless the session keeps no levels.
        let judged = sample.levels.is_none() || m.level != PostureState::Unknown;
        if self.typical.is_none() && t_ms >= self.typical_at_ms && judged {
            self.typical = Some(Candidate {
                t_ms,
                kind: "typical",
                score: m.score,
                image: image.clone(),
                pose: pose.clone(),
                thumbnail: Thumbnail::of(image),
            });
        }
        // A worst moment is one the judge found out of its band; a frame it judged aligned,
        // or did not judge (another activity, a view that cannot measure it), is none. A
        // session without levels is ranked by value alone.
        if sample.levels.is_some()
            && !matches!(m.level, PostureState::Drifting | PostureState::Misaligned)
        {
            return;
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
mod tests;
