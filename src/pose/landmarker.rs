//! The landmark model: a rotated 256×256 crop of the person in, 39 landmarks (33 body + 6
//! auxiliary), a pose flag, a heatmap and world landmarks out. Post-processing follows
//! `pose_landmark_by_roi_post_processing.pbtxt`.

use std::path::Path;

use image::RgbImage;
use ort::session::{Session, SessionOutputs};
use ort::value::TensorRef;

use super::error::PoseError;
use super::landmarks::{Landmark, NUM_LANDMARKS, Vec3};
use super::preprocess::{Border, TensorSpec, crop_to_tensor};
use super::roi::{ImageSize, Letterbox, NormRect};
use super::runtime::{ModelSig, RuntimeOptions, TensorSig, load_session};

const INPUT: u32 = 256;
/// Landmarks the model emits: the 33 body landmarks, then auxiliary ones; 33 and 34 are the
/// alignment points (hip centre, size/rotation point) for the next frame's ROI.
pub const MODEL_LANDMARKS: usize = 39;
const HEATMAP: usize = 64;
/// `RefineLandmarksFromHeatmapCalculator` options from the pose graph (kernel 7; the
/// default minimum confidence 0.5).
const REFINE_KERNEL: usize = 7;
const REFINE_MIN_CONFIDENCE: f32 = 0.5;

pub(crate) const SIGNATURE: ModelSig = ModelSig {
    role: "BlazePose landmark model",
    input: TensorSig {
        name: "input",
        shape: &[1, 256, 256, 3],
    },
    outputs: &[
        TensorSig {
            name: "landmarks",
            shape: &[1, 195],
        },
        TensorSig {
            name: "pose_flag",
            shape: &[1, 1],
        },
        TensorSig {
            name: "heatmap",
            shape: &[1, 64, 64, 39],
        },
        TensorSig {
            name: "world_landmarks",
            shape: &[1, 117],
        },
    ],
};

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// The landmark model's answer for one ROI, before any smoothing.
#[derive(Debug, Clone)]
pub struct RoiLandmarks {
    /// All 39 landmarks in normalised image coordinates.
    pub landmarks: [Landmark; MODEL_LANDMARKS],
    /// The 33 world landmarks (metres, hip-centred), rotated back upright with the ROI.
    pub world: [Vec3; NUM_LANDMARKS],
    /// Pose presence score (0..1).
    pub score: f32,
}

/// Decodes the raw landmark tensor (x, y, z, visibility, presence per landmark, in input
/// pixels and logits) into landmarks normalised to the model input.
pub fn decode_landmarks(raw: &[f32]) -> [Landmark; MODEL_LANDMARKS] {
    let mut out = [Landmark::default(); MODEL_LANDMARKS];
    let size = INPUT as f32;
    for (l, r) in out.iter_mut().zip(raw.chunks_exact(5)) {
        *l = Landmark {
            x: r[0] / size,
            y: r[1] / size,
            z: r[2] / size,
            visibility: sigmoid(r[3]),
            presence: sigmoid(r[4]),
        };
    }
    out
}

/// Moves each landmark to the confidence-weighted centre of its heatmap channel near the
/// predicted position, where the heatmap is confident (MediaPipe's heatmap refinement).
/// `heatmap` is `HEATMAP × HEATMAP × MODEL_LANDMARKS`, logits, channels last.
pub fn refine_from_heatmap(landmarks: &mut [Landmark; MODEL_LANDMARKS], heatmap: &[f32]) {
    let (hm_w, hm_h, ch) = (HEATMAP as i64, HEATMAP as i64, MODEL_LANDMARKS);
    let offset = (REFINE_KERNEL as i64 - 1) / 2;
    for (i, l) in landmarks.iter_mut().enumerate() {
        // Truncation toward zero, as MediaPipe's int conversion does.
        let col = (l.x * hm_w as f32) as i64;
        let row = (l.y * hm_h as f32) as i64;
        if col < 0 || col >= hm_w || row < 0 || row >= hm_h {
            continue;
        }
        let (mut sum, mut wcol, mut wrow, mut max_conf) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for r in (row - offset).max(0)..(row + offset + 1).min(hm_h) {
            for c in (col - offset).max(0)..(col + offset + 1).min(hm_w) {
                let conf = sigmoid(heatmap[(r * hm_w + c) as usize * ch + i]);
                sum += conf;
                max_conf = max_conf.max(conf);
                wcol += c as f32 * conf;
                wrow += r as f32 * conf;
            }
        }
        if max_conf >= REFINE_MIN_CONFIDENCE && sum > 0.0 {
            l.x = wcol / hm_w as f32 / sum;
            l.y = wrow / hm_h as f32 / sum;
        }
    }
}

/// Maps landmarks from the model input to the image: remove the letterbox, then undo the
/// ROI's crop and rotation. Depth is scaled like x.
pub fn project_to_image(landmarks: &mut [Landmark], roi: &NormRect, letterbox: &Letterbox) {
    for l in landmarks {
        let (x, y) = letterbox.roi_from_model(l.x, l.y);
        let (ix, iy) = roi.image_from_roi(x, y);
        l.x = ix;
        l.y = iy;
        l.z = l.z * letterbox.x_scale() * roi.width;
    }
}

/// Decodes world landmarks (metres) and turns them back by the ROI's rotation, so "down" in
/// the world frame is down in the image even when the crop was rotated.
pub fn decode_world(raw: &[f32], roi: &NormRect) -> [Vec3; NUM_LANDMARKS] {
    let (sin, cos) = roi.rotation.sin_cos();
    let mut out = [Vec3::default(); NUM_LANDMARKS];
    for (p, r) in out.iter_mut().zip(raw.chunks_exact(3)) {
        *p = Vec3::new(cos * r[0] - sin * r[1], sin * r[0] + cos * r[1], r[2]);
    }
    out
}

fn inference_error(e: ort::Error) -> PoseError {
    PoseError::Inference {
        stage: "landmark model",
        message: e.to_string(),
    }
}

/// The landmark model's raw outputs.
#[derive(Debug, Clone, Copy)]
pub struct LandmarkTensors<'a> {
    pub landmarks: &'a [f32],
    pub pose_flag: f32,
    pub heatmap: &'a [f32],
    pub world: &'a [f32],
}

impl<'a> LandmarkTensors<'a> {
    pub fn from_outputs(outputs: &'a SessionOutputs<'_>) -> Result<Self, PoseError> {
        let get = |name: &str| -> Result<&'a [f32], PoseError> {
            Ok(outputs[name]
                .try_extract_tensor::<f32>()
                .map_err(inference_error)?
                .1)
        };
        Ok(Self {
            landmarks: get("landmarks")?,
            pose_flag: get("pose_flag")?[0],
            heatmap: get("heatmap")?,
            world: get("world_landmarks")?,
        })
    }
}

/// Decodes the model's outputs for a crop of `roi` into image landmarks and world landmarks.
pub fn decode_outputs(
    t: &LandmarkTensors<'_>,
    roi: &NormRect,
    letterbox: &Letterbox,
) -> RoiLandmarks {
    let mut landmarks = decode_landmarks(t.landmarks);
    refine_from_heatmap(&mut landmarks, t.heatmap);
    project_to_image(&mut landmarks, roi, letterbox);
    RoiLandmarks {
        landmarks,
        world: decode_world(t.world, roi),
        score: t.pose_flag,
    }
}

/// The landmark model with a reused input buffer.
#[derive(Debug)]
pub struct Landmarker {
    session: Session,
    input: Vec<f32>,
}

impl Landmarker {
    pub fn load(
        path: &Path,
        runtime: RuntimeOptions,
        missing_hint: &str,
    ) -> Result<Self, PoseError> {
        let session = load_session(path, runtime, &SIGNATURE, missing_hint)?;
        Ok(Self {
            session,
            input: vec![0.0; (INPUT * INPUT * 3) as usize],
        })
    }

    /// Fills the input tensor with the ROI of `image`; returns the letterbox padding.
    pub fn preprocess(&mut self, image: &RgbImage, roi: &NormRect) -> Letterbox {
        let size = ImageSize {
            width: image.width(),
            height: image.height(),
        };
        let (padded, letterbox) = roi.pad_to_aspect(size, INPUT, INPUT);
        let spec = TensorSpec {
            width: INPUT,
            height: INPUT,
            range: (0.0, 1.0),
            border: Border::Replicate,
        };
        crop_to_tensor(image, &padded, &spec, &mut self.input);
        letterbox
    }

    /// Runs the bare model on the prepared input.
    pub fn run_model(&mut self) -> Result<SessionOutputs<'_>, PoseError> {
        let input = TensorRef::from_array_view(([1usize, 256, 256, 3], &self.input[..]))
            .map_err(inference_error)?;
        self.session
            .run(ort::inputs!["input" => input])
            .map_err(inference_error)
    }

    /// Runs the model on the prepared input and decodes its outputs for `roi`.
    pub fn infer(
        &mut self,
        roi: &NormRect,
        letterbox: &Letterbox,
    ) -> Result<RoiLandmarks, PoseError> {
        let outputs = self.run_model()?;
        Ok(decode_outputs(
            &LandmarkTensors::from_outputs(&outputs)?,
            roi,
            letterbox,
        ))
    }

    /// Crops `roi` from `image` and predicts landmarks in it.
    pub fn run(&mut self, image: &RgbImage, roi: &NormRect) -> Result<RoiLandmarks, PoseError> {
        let letterbox = self.preprocess(image, roi);
        self.infer(roi, &letterbox)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_normalises_and_activates() {
        let mut raw = vec![0.0f32; MODEL_LANDMARKS * 5];
        raw[0..5].copy_from_slice(&[128.0, 64.0, -25.6, 0.0, 100.0]);
        let l = decode_landmarks(&raw);
        assert_eq!((l[0].x, l[0].y, l[0].z), (0.5, 0.25, -0.1));
        assert!((l[0].visibility - 0.5).abs() < 1e-6);
        assert!(l[0].presence > 0.999);
    }

    #[test]
    fn heatmap_pulls_landmark_to_confident_peak() {
        // Channel 2 is confident at heatmap cell (row 10, col 12); the landmark was predicted
        // two cells to the left, within the 7×7 window.
        let mut hm = vec![-20.0f32; HEATMAP * HEATMAP * MODEL_LANDMARKS];
        hm[(10 * HEATMAP + 12) * MODEL_LANDMARKS + 2] = 20.0;
        let mut l = [Landmark::default(); MODEL_LANDMARKS];
        l[2].x = 10.5 / 64.0;
        l[2].y = 10.2 / 64.0;
        l[3].x = 10.5 / 64.0; // channel 3 has no confident cell: unchanged
        refine_from_heatmap(&mut l, &hm);
        assert!((l[2].x - 12.0 / 64.0).abs() < 1e-4, "{}", l[2].x * 64.0);
        assert!((l[2].y - 10.0 / 64.0).abs() < 1e-4);
        assert_eq!(l[3].x, 10.5 / 64.0);
    }

    #[test]
    fn landmarks_outside_the_heatmap_are_left_alone() {
        let hm = vec![20.0f32; HEATMAP * HEATMAP * MODEL_LANDMARKS];
        let mut l = [Landmark::default(); MODEL_LANDMARKS];
        l[0].x = 1.2;
        l[1].y = -0.1;
        refine_from_heatmap(&mut l, &hm);
        assert_eq!(l[0].x, 1.2);
        assert_eq!(l[1].y, -0.1);
    }

    #[test]
    fn world_landmarks_turn_back_with_the_roi() {
        // A crop rotated a quarter turn clockwise: the model's "down" (+y) is the image's −x.
        let roi = NormRect {
            x_center: 0.5,
            y_center: 0.5,
            width: 1.0,
            height: 1.0,
            rotation: std::f32::consts::FRAC_PI_2,
        };
        let mut raw = vec![0.0f32; NUM_LANDMARKS * 3];
        raw[1] = 1.0;
        let w = decode_world(&raw, &roi);
        assert!((w[0].x + 1.0).abs() < 1e-6 && w[0].y.abs() < 1e-6);
    }
}
