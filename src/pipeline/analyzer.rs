//! One frame's analysis, shared by the live loop and offline analysis: the pose engine, then
//! the geometry's [`Judge`] for the whole judgment, with the time each stage took.

use std::time::{Duration, Instant};

use crate::geometry::judge::{Judge, JudgeConfig, Judgment};
use crate::pose::exposure::Exposure;
use crate::pose::roi::ImageSize;
use crate::pose::{EngineConfig, Pose, PoseError, PoseEstimator};
use crate::session::Sample;
use crate::source::Frame;

/// Settings for an analysis: the engine, and how frames are judged.
#[derive(Debug, Clone)]
pub struct AnalysisConfig {
    pub engine: EngineConfig,
    pub judge: JudgeConfig,
}

impl AnalysisConfig {
    /// `engine` with the default judgment (no calibration, default bands).
    pub fn new(engine: EngineConfig) -> Self {
        Self {
            engine,
            judge: JudgeConfig::default(),
        }
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
    /// The judgment: metrics, state, motion rules, alerts.
    pub geometry: Duration,
}

/// What happened to one frame after decoding.
#[derive(Debug, Clone)]
pub struct FrameAnalysis {
    pub pose: Option<Pose>,
    pub judgment: Judgment,
    /// Preprocessing, inference and geometry times (capture is the caller's to fill in).
    pub timings: StageTimings,
}

impl FrameAnalysis {
    /// The record of this analysis of `frame`, as sessions, CSV rows and summaries keep it.
    pub fn sample(&self, frame: &Frame) -> Sample {
        Sample {
            frame: frame.index,
            t_ms: frame.timestamp.as_secs_f64() * 1000.0,
            person: self.pose.is_some(),
            metrics: self.judgment.metrics,
            state: self.judgment.state.state,
            cadence_spm: self.judgment.motion.cadence_spm,
            levels: Some(self.judgment.state.levels),
            cue: self.judgment.cue,
        }
    }
}

/// The per-frame work: pose, then judgment, with the state the rules keep across frames.
#[derive(Debug)]
pub struct FrameAnalyzer {
    judge: Judge,
}

impl FrameAnalyzer {
    pub fn new(config: JudgeConfig) -> Self {
        Self {
            judge: Judge::new(config),
        }
    }

    /// The judge, to change its baseline, bands or alert rules, or start a calibration.
    pub fn judge_mut(&mut self) -> &mut Judge {
        &mut self.judge
    }

    pub fn judge(&self) -> &Judge {
        &self.judge
    }

    /// Forgets what the rules remember (a new, unrelated stream), keeping the configuration.
    pub fn restart(&mut self) {
        self.judge = Judge::new(self.judge.config().clone());
    }

    /// Analyses `frame` with `engine`.
    pub fn analyze(
        &mut self,
        engine: &mut PoseEstimator,
        frame: &Frame,
    ) -> Result<FrameAnalysis, PoseError> {
        let pose = engine.estimate(&frame.image, frame.timestamp)?;
        let step = engine.last_step();
        let mut done = self.judge_with(frame, pose);
        if matches!(done.judgment.calibrated, Some(Ok(_))) {
            // Who calibrated is the user: someone back at this place is taken as them.
            engine.calibrated_here();
        }
        done.timings.preprocess = step.preprocess;
        done.timings.inference = step.inference;
        Ok(done)
    }

    /// Judges `frame` with a pose found on an earlier frame showing the same picture (a camera
    /// filming someone holding still): every rule sees the frame at its own time, and the pose
    /// engine is not run.
    pub fn judge_with(&mut self, frame: &Frame, pose: Option<Pose>) -> FrameAnalysis {
        let geometry_started = Instant::now();
        let size = ImageSize {
            width: frame.image.width(),
            height: frame.image.height(),
        };
        let exposure = Exposure::of(&frame.image, pose.as_ref());
        let judgment = self
            .judge
            .judge(frame.timestamp, size, pose.as_ref(), Some(&exposure));
        let timings = StageTimings {
            capture: Duration::ZERO,
            preprocess: Duration::ZERO,
            inference: Duration::ZERO,
            geometry: geometry_started.elapsed(),
        };
        FrameAnalysis {
            pose,
            judgment,
            timings,
        }
    }
}
