//! Choosing the frames a report shows: the worst moments (largest trunk lean, a few seconds
//! apart) and one typical moment. Candidates are kept as plain images (a copy is far cheaper
//! than an encode, and early in a session the worst moment changes often) and JPEG-encoded
//! once, at the end: at most four frames are ever held.

use image::RgbImage;
use image::codecs::jpeg::JpegEncoder;

use crate::geometry::MetricId;
use crate::pose::Pose;
use crate::session::Sample;

/// A kept frame.
#[derive(Debug, Clone)]
pub struct PickedFrame {
    pub t_ms: f64,
    /// "worst" or "typical".
    pub kind: &'static str,
    pub score: f32,
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
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
}

/// Keeps the worst `max_worst` moments at least `min_gap_ms` apart, and a typical one.
#[derive(Debug)]
pub struct KeyframePicker {
    max_worst: usize,
    min_gap_ms: f64,
    /// Width the stored JPEGs are scaled down to, at most.
    max_width: u32,
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

/// How bad a frame looks: the larger trunk lean of the planes its view lets be measured (the
/// offsets are the same geometry in other units).
fn badness(sample: &Sample) -> Option<f32> {
    let m = sample.metrics.as_ref()?;
    [MetricId::TrunkLeanFrontal, MetricId::TrunkLeanSagittal]
        .into_iter()
        .filter_map(|id| m.get(id).map(f32::abs))
        .reduce(f32::max)
}

impl KeyframePicker {
    pub fn new(max_worst: usize, min_gap_ms: f64, max_width: u32) -> Self {
        Self {
            max_worst,
            min_gap_ms,
            max_width,
            worst: Vec::new(),
            typical: None,
            typical_at_ms: 3000.0,
        }
    }

    /// Considers one analysed frame.
    pub fn consider(&mut self, sample: &Sample, image: &RgbImage, pose: Option<&Pose>) {
        let (Some(pose), Some(score)) = (pose, badness(sample)) else {
            return;
        };
        if self.typical.is_none() && sample.t_ms >= self.typical_at_ms {
            self.typical = Some(Candidate {
                t_ms: sample.t_ms,
                kind: "typical",
                score,
                image: image.clone(),
                pose: pose.clone(),
            });
        }
        // Does it beat the weakest kept moment, or a kept moment close in time?
        let near = self
            .worst
            .iter()
            .position(|k| (k.t_ms - sample.t_ms).abs() < self.min_gap_ms);
        let replace = match near {
            Some(i) => (self.worst[i].score < score).then_some(i),
            None if self.worst.len() < self.max_worst => Some(usize::MAX),
            None => {
                let (i, weakest) = self
                    .worst
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.score.total_cmp(&b.1.score))
                    .map(|(i, k)| (i, k.score))
                    .unwrap_or((0, f32::MAX));
                (weakest < score).then_some(i)
            }
        };
        let Some(i) = replace else { return };
        let picked = Candidate {
            t_ms: sample.t_ms,
            kind: "worst",
            score,
            image: image.clone(),
            pose: pose.clone(),
        };
        if i == usize::MAX {
            self.worst.push(picked);
        } else {
            self.worst[i] = picked;
        }
    }

    fn encode(&self, c: Candidate) -> Option<PickedFrame> {
        let image = &c.image;
        let scaled;
        let img = if image.width() > self.max_width {
            let h = (image.height() as u64 * self.max_width as u64 / image.width() as u64) as u32;
            scaled = image::imageops::resize(
                image,
                self.max_width,
                h.max(1),
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
        let (width, height) = (img.width(), img.height());
        Some(PickedFrame {
            t_ms: c.t_ms,
            kind: c.kind,
            score: c.score,
            jpeg,
            width,
            height,
            pose: c.pose,
        })
    }

    /// The kept frames, JPEG-encoded: worst first (by score), then the typical one.
    pub fn finish(mut self) -> Vec<PickedFrame> {
        self.worst.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut kept = std::mem::take(&mut self.worst);
        kept.extend(self.typical.take());
        kept.into_iter().filter_map(|c| self.encode(c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::metrics::Metrics;
    use crate::geometry::state::PostureState;
    use crate::pose::{Landmark, Vec3};

    fn sample(t_ms: f64, lean: f32) -> Sample {
        Sample {
            frame: (t_ms / 100.0) as u64,
            t_ms,
            person: true,
            metrics: Some(Metrics::default().with(MetricId::TrunkLeanFrontal, lean)),
            state: PostureState::Aligned,
            cadence_spm: None,
            levels: None,
            cue: None,
        }
    }

    #[test]
    fn keeps_the_worst_moments_apart_and_a_typical_one() {
        let pose = Pose {
            landmarks: [Landmark::default(); 33],
            world: [Vec3::default(); 33],
            score: 1.0,
        };
        let img = RgbImage::new(800, 600);
        let mut p = KeyframePicker::default();
        // Leans peak at 4 s (20°), 10 s (15°), 11 s (16°, too close to 10 s), 20 s (8°), 30 s (12°).
        for i in 0..400u64 {
            let t = i as f64 * 100.0;
            let lean = match i {
                40 => 20.0,
                100 => 15.0,
                110 => 16.0,
                200 => 8.0,
                300 => 12.0,
                _ => 1.0,
            };
            p.consider(&sample(t, lean), &img, Some(&pose));
        }
        let kept = p.finish();
        let worst: Vec<(f64, f32)> = kept
            .iter()
            .filter(|k| k.kind == "worst")
            .map(|k| (k.t_ms, k.score))
            .collect();
        assert_eq!(
            worst,
            vec![(4000.0, 20.0), (11000.0, 16.0), (30000.0, 12.0)]
        );
        let typical = kept
            .iter()
            .find(|k| k.kind == "typical")
            .expect("a typical frame");
        assert_eq!(typical.t_ms, 3000.0);
        assert_eq!((typical.width, typical.height), (640, 480), "scaled down");
        assert!(image::load_from_memory(&typical.jpeg).is_ok());
    }
}
