//! Wiring: frames from a source through the pose engine and the geometry, on threads.
//! `slot` hands the newest frame over; `live` runs capture and inference threads for the app;
//! `offline` analyses every frame of a file.

pub mod live;
pub mod offline;
pub mod record;
pub mod slot;

use std::time::{Duration, Instant};

use crate::geometry::advice::{self, Cue};
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::Baseline;
use crate::geometry::metrics::{self, Metrics};
use crate::geometry::motion::{MotionTracker, MotionUpdate};
use crate::geometry::state::{StateMachine, StateUpdate};
use crate::pose::roi::ImageSize;
use crate::pose::{Pose, PoseError, PoseEstimator};
use crate::source::Frame;
use offline::AnalysisConfig;

/// The thresholds as judged: widened past the baseline's own noise when calibrated.
fn effective_bands(config: &AnalysisConfig) -> Thresholds {
    match &config.baseline {
        Some(b) => b.widen(&config.thresholds),
        None => config.thresholds,
    }
}

/// Time per stage for one frame.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimings {
    /// Waiting for the frame: capture or decoding not hidden behind inference.
    pub capture: Duration,
    /// Cropping and normalising model inputs.
    pub preprocess: Duration,
    /// ONNX Runtime and output decoding.
    pub inference: Duration,
    /// Metrics, state and motion rules.
    pub geometry: Duration,
}

/// What happened to one frame after decoding.
#[derive(Debug, Clone)]
pub struct FrameAnalysis {
    pub pose: Option<Pose>,
    pub metrics: Option<Metrics>,
    /// The metrics as judged: change from the baseline when calibrated.
    pub judged: Option<Metrics>,
    /// The bands they were judged by: widened past the baseline's noise when calibrated.
    pub bands: Thresholds,
    /// What to tell the user, when a measure is out of its band.
    pub cue: Option<Cue>,
    pub state: StateUpdate,
    pub motion: MotionUpdate,
    /// Preprocessing, inference and geometry times (capture is the caller's to fill in).
    pub timings: StageTimings,
}

/// The per-frame work shared by the live loop and offline analysis: pose, metrics, posture
/// state and motion rules, with the state they keep across frames.
#[derive(Debug)]
pub struct FrameAnalyzer {
    config: AnalysisConfig,
    /// The thresholds widened past the baseline's noise, once per change.
    bands: Thresholds,
    states: StateMachine,
    motion: MotionTracker,
}

impl FrameAnalyzer {
    pub fn new(config: &AnalysisConfig) -> Self {
        Self {
            config: config.clone(),
            bands: effective_bands(config),
            states: StateMachine::new(),
            motion: MotionTracker::new(config.motion.clone()),
        }
    }

    /// Judges states as change from `baseline` from the next frame on (`None`: absolute).
    pub fn set_baseline(&mut self, baseline: Option<Baseline>) {
        self.config.baseline = baseline;
        self.bands = effective_bands(&self.config);
    }

    /// New threshold bands from the next frame on; the shown state carries over.
    pub fn set_thresholds(&mut self, thresholds: Thresholds) {
        self.config.thresholds = thresholds;
        self.bands = effective_bands(&self.config);
    }

    /// Analyses `frame` with `engine`.
    pub fn analyze(
        &mut self,
        engine: &mut PoseEstimator,
        frame: &Frame,
    ) -> Result<FrameAnalysis, PoseError> {
        let pose = engine.estimate(&frame.image, frame.timestamp)?;
        let step = engine.last_step();
        let geometry_started = Instant::now();
        let size = ImageSize {
            width: frame.image.width(),
            height: frame.image.height(),
        };
        let m = pose
            .as_ref()
            .map(|p| metrics::compute(p, size, &self.config.metrics));
        let judged = m.map(|m| match &self.config.baseline {
            Some(b) => b.relative(&m),
            None => m,
        });
        let state = match &judged {
            Some(m) => self.states.update(frame.timestamp, m, &self.bands),
            None => self.states.update_absent(frame.timestamp, &self.bands),
        };
        let motion = self.motion.update(frame.timestamp, size, pose.as_ref());
        let timings = StageTimings {
            capture: Duration::ZERO,
            preprocess: step.preprocess,
            inference: step.inference,
            geometry: geometry_started.elapsed(),
        };
        Ok(FrameAnalysis {
            pose,
            metrics: m,
            judged,
            bands: self.bands,
            cue: judged
                .as_ref()
                .and_then(|m| advice::cue(m, &state.levels, &self.bands)),
            state,
            motion,
            timings,
        })
    }
}
