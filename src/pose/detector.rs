//! The person detector: a letterboxed 224×224 view of the whole frame in, scored boxes with
//! four alignment keypoints out. Decoding and suppression follow `pose_detection_cpu.pbtxt`.

use std::path::Path;

use image::RgbImage;
use ort::session::Session;
use ort::value::TensorRef;

use super::anchors::{self, Anchor, AnchorOptions};
use super::error::PoseError;
use super::preprocess::{Border, TensorSpec, crop_to_tensor};
use super::roi::{ImageSize, Letterbox, NormRect};
use super::runtime::{ModelSig, RuntimeOptions, TensorSig, load_session, shipped_model_hint};

/// Detector input and output layout (fixed by the model, checked on load).
const INPUT: u32 = 224;
const NUM_BOXES: usize = 2254;
const NUM_COORDS: usize = 12;
const NUM_KEYPOINTS: usize = 4;

pub(crate) const SIGNATURE: ModelSig = ModelSig {
    role: "BlazePose person detector",
    input: TensorSig {
        name: "input",
        shape: &[1, 224, 224, 3],
    },
    outputs: &[
        TensorSig {
            name: "regressors",
            shape: &[1, 2254, 12],
        },
        TensorSig {
            name: "classificators",
            shape: &[1, 2254, 1],
        },
    ],
};

/// MediaPipe's detector settings (`TensorsToDetectionsCalculator`, `NonMaxSuppressionCalculator`).
const COORD_SCALE: f32 = 224.0;
const SCORE_CLIPPING: f32 = 100.0;
const NMS_MIN_IOU: f32 = 0.3;

/// A detected person. Keypoints, normalised to the image: 0 hip centre, 1 a point that
/// encodes full-body size and rotation, 2 shoulder centre, 3 the same for the upper body.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub score: f32,
    pub xmin: f32,
    pub ymin: f32,
    pub width: f32,
    pub height: f32,
    pub keypoints: [(f32, f32); NUM_KEYPOINTS],
}

impl Detection {
    fn iou(&self, other: &Detection) -> f32 {
        let x0 = self.xmin.max(other.xmin);
        let y0 = self.ymin.max(other.ymin);
        let x1 = (self.xmin + self.width).min(other.xmin + other.width);
        let y1 = (self.ymin + self.height).min(other.ymin + other.height);
        let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        let union = self.width * self.height + other.width * other.height - inter;
        if union > 0.0 { inter / union } else { 0.0 }
    }

    /// Maps a detection on the letterboxed input back to the original image.
    pub fn remove_letterbox(&mut self, lb: &Letterbox) {
        let (xmin, ymin) = lb.roi_from_model(self.xmin, self.ymin);
        let (xmax, ymax) = lb.roi_from_model(self.xmin + self.width, self.ymin + self.height);
        (self.xmin, self.ymin, self.width, self.height) = (xmin, ymin, xmax - xmin, ymax - ymin);
        for k in &mut self.keypoints {
            *k = lb.roi_from_model(k.0, k.1);
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Decodes raw model outputs into detections scoring at least `min_score`
/// (box centre and keypoints are offsets from the anchor, in input pixels).
pub fn decode(
    regressors: &[f32],
    scores: &[f32],
    anchors: &[Anchor],
    min_score: f32,
) -> Vec<Detection> {
    let mut out = Vec::new();
    for (i, anchor) in anchors.iter().enumerate() {
        let score = sigmoid(scores[i].clamp(-SCORE_CLIPPING, SCORE_CLIPPING));
        if score < min_score {
            continue;
        }
        let r = &regressors[i * NUM_COORDS..(i + 1) * NUM_COORDS];
        let x_center = r[0] / COORD_SCALE + anchor.x_center;
        let y_center = r[1] / COORD_SCALE + anchor.y_center;
        let w = r[2] / COORD_SCALE;
        let h = r[3] / COORD_SCALE;
        let mut keypoints = [(0.0, 0.0); NUM_KEYPOINTS];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = (
                r[4 + 2 * k] / COORD_SCALE + anchor.x_center,
                r[5 + 2 * k] / COORD_SCALE + anchor.y_center,
            );
        }
        if w <= 0.0 || h <= 0.0 {
            continue;
        }
        out.push(Detection {
            score,
            xmin: x_center - w / 2.0,
            ymin: y_center - h / 2.0,
            width: w,
            height: h,
            keypoints,
        });
    }
    out
}

/// Weighted non-maximum suppression (MediaPipe's `WEIGHTED` algorithm): each cluster of
/// boxes overlapping the best one by more than `min_iou` is replaced by their score-weighted
/// average, keeping the best score. Returns detections from best to worst.
pub fn weighted_nms(mut detections: Vec<Detection>, min_iou: f32) -> Vec<Detection> {
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    let mut remaining = detections;
    while let Some(best) = remaining.first().cloned() {
        let (cluster, rest): (Vec<_>, Vec<_>) =
            remaining.into_iter().partition(|d| d.iou(&best) > min_iou);
        let total: f32 = cluster.iter().map(|d| d.score).sum();
        let mut merged = best.clone();
        if total > 0.0 && !cluster.is_empty() {
            let avg = |f: &dyn Fn(&Detection) -> f32| {
                cluster.iter().map(|d| f(d) * d.score).sum::<f32>() / total
            };
            let xmin = avg(&|d| d.xmin);
            let ymin = avg(&|d| d.ymin);
            let xmax = avg(&|d| d.xmin + d.width);
            let ymax = avg(&|d| d.ymin + d.height);
            (merged.xmin, merged.ymin, merged.width, merged.height) =
                (xmin, ymin, xmax - xmin, ymax - ymin);
            for k in 0..NUM_KEYPOINTS {
                merged.keypoints[k] = (avg(&|d| d.keypoints[k].0), avg(&|d| d.keypoints[k].1));
            }
        }
        out.push(merged);
        remaining = rest;
    }
    out
}

/// The detector model with its anchors and a reused input buffer.
#[derive(Debug)]
pub struct Detector {
    session: Session,
    anchors: Vec<Anchor>,
    input: Vec<f32>,
    /// Minimum score for a detection (MediaPipe's `min_detection_confidence`).
    pub min_score: f32,
}

impl Detector {
    pub fn load(path: &Path, runtime: RuntimeOptions, min_score: f32) -> Result<Self, PoseError> {
        let session = load_session(path, runtime, &SIGNATURE, &shipped_model_hint())?;
        Ok(Self {
            session,
            anchors: anchors::generate(&AnchorOptions::blazepose()),
            input: vec![0.0; (INPUT * INPUT * 3) as usize],
            min_score,
        })
    }

    /// Fills the input tensor from `image` (whole frame, letterboxed) and returns the padding.
    pub fn preprocess(&mut self, image: &RgbImage) -> Letterbox {
        let size = ImageSize {
            width: image.width(),
            height: image.height(),
        };
        let (padded, letterbox) = NormRect::full_image().pad_to_aspect(size, INPUT, INPUT);
        let spec = TensorSpec {
            width: INPUT,
            height: INPUT,
            range: (-1.0, 1.0),
            border: Border::Zero,
        };
        crop_to_tensor(image, &padded, &spec, &mut self.input);
        letterbox
    }

    /// Runs the model on the prepared input and returns detections in image coordinates,
    /// best first.
    pub fn infer(&mut self, letterbox: &Letterbox) -> Result<Vec<Detection>, PoseError> {
        let err = |e: ort::Error| PoseError::Inference {
            stage: "person detector",
            message: e.to_string(),
        };
        let input =
            TensorRef::from_array_view(([1usize, 224, 224, 3], &self.input[..])).map_err(err)?;
        let outputs = self
            .session
            .run(ort::inputs!["input" => input])
            .map_err(err)?;
        let (_, regressors) = outputs["regressors"]
            .try_extract_tensor::<f32>()
            .map_err(err)?;
        let (_, scores) = outputs["classificators"]
            .try_extract_tensor::<f32>()
            .map_err(err)?;
        debug_assert_eq!(regressors.len(), NUM_BOXES * NUM_COORDS);
        let raw = decode(regressors, scores, &self.anchors, self.min_score);
        let mut detections = weighted_nms(raw, NMS_MIN_IOU);
        for d in &mut detections {
            d.remove_letterbox(letterbox);
        }
        Ok(detections)
    }

    /// Detects people in `image`, best first.
    pub fn detect(&mut self, image: &RgbImage) -> Result<Vec<Detection>, PoseError> {
        let letterbox = self.preprocess(image);
        self.infer(&letterbox)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(score: f32, xmin: f32, kp: f32) -> Detection {
        Detection {
            score,
            xmin,
            ymin: 0.0,
            width: 0.2,
            height: 0.2,
            keypoints: [(kp, kp); 4],
        }
    }

    #[test]
    fn decode_offsets_from_anchor_and_applies_sigmoid() {
        let anchors = [Anchor {
            x_center: 0.5,
            y_center: 0.25,
        }];
        let mut r = [0.0f32; 12];
        r[0] = 22.4; // +0.1 of the input
        r[2] = 44.8; // width 0.2
        r[3] = 22.4; // height 0.1
        r[4] = -22.4; // keypoint 0 at x 0.4
        let d = decode(&r, &[0.0], &anchors, 0.5);
        assert_eq!(d.len(), 1);
        assert!((d[0].score - 0.5).abs() < 1e-6);
        assert!((d[0].xmin - 0.5).abs() < 1e-6); // centre 0.6 − half width 0.1
        assert!((d[0].ymin - 0.2).abs() < 1e-6);
        assert!((d[0].keypoints[0].0 - 0.4).abs() < 1e-6);
        assert!(decode(&r, &[-1.0], &anchors, 0.5).is_empty());
    }

    #[test]
    fn weighted_nms_averages_overlapping_boxes_by_score() {
        // Two overlapping boxes (IoU 0.6) merge; a distant one survives on its own.
        let dets = vec![det(0.6, 0.05, 0.4), det(0.9, 0.0, 0.1), det(0.7, 0.8, 0.9)];
        let out = weighted_nms(dets, 0.3);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        let expected_kp = (0.1 * 0.9 + 0.4 * 0.6) / 1.5;
        assert!((out[0].keypoints[0].0 - expected_kp).abs() < 1e-6);
        assert!((out[0].xmin - 0.03 / 1.5).abs() < 1e-6);
        assert_eq!(out[1].score, 0.7);
    }

    #[test]
    fn letterbox_removal_maps_boxes_and_keypoints() {
        let lb = Letterbox {
            left: 0.0,
            top: 0.125,
            right: 0.0,
            bottom: 0.125,
        };
        let mut d = Detection {
            score: 1.0,
            xmin: 0.1,
            ymin: 0.125,
            width: 0.2,
            height: 0.375,
            keypoints: [(0.5, 0.5); 4],
        };
        d.remove_letterbox(&lb);
        assert!((d.ymin - 0.0).abs() < 1e-6 && (d.height - 0.5).abs() < 1e-6);
        assert!((d.keypoints[0].1 - 0.5).abs() < 1e-6);
        assert!((d.xmin - 0.1).abs() < 1e-6);
    }
}
