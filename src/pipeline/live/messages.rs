//! What goes between the window and the analysis thread: commands in, results and events out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::geometry::alerts::Alert;
use crate::geometry::calibration::{Baseline, CalibrationError};
use crate::geometry::judge::{JudgeConfig, Judgment};
use crate::pipeline::analyzer::StageTimings;
use crate::pipeline::record::RecordSender;
use crate::pipeline::slot::Delivery;
use crate::pose::{EngineConfig, ModelKind, Pose, PoseError};
use crate::source::{Frame, FrameSource, SourceError};

/// Called after every result and event, so a window that repaints only when something happens
/// is woken (the app passes its `request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Frames of a file waiting for the model: enough to hide decoding jitter.
const FILE_QUEUE: usize = 2;

/// Opens a source; runs on the source's own capture thread.
pub type Opener = Box<dyn FnOnce() -> Result<Box<dyn FrameSource>, SourceError> + Send>;

/// A source to analyse: how to open it and how its frames are handed over.
pub struct SourceSpec {
    /// What the user chose, for messages: "camera 0", a path.
    pub label: String,
    pub delivery: Delivery,
    pub(super) opener: Opener,
}

impl SourceSpec {
    /// A live source (a camera): the model takes the newest frame and skips stale ones.
    pub fn live(label: impl Into<String>, opener: Opener) -> Self {
        Self {
            label: label.into(),
            delivery: Delivery::Newest,
            opener,
        }
    }

    /// A recorded source (a file, the demo): every frame is analysed; the source waits for the
    /// model when it is slower.
    pub fn every_frame(label: impl Into<String>, opener: Opener) -> Self {
        Self {
            label: label.into(),
            delivery: Delivery::Every(FILE_QUEUE),
            opener,
        }
    }
}

impl std::fmt::Debug for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceSpec")
            .field("label", &self.label)
            .field("delivery", &self.delivery)
            .finish_non_exhaustive()
    }
}

/// One analysed frame, as the window needs it.
#[derive(Debug, Clone)]
pub struct LiveResult {
    /// Which source it came from: the count of sources opened, from 1.
    pub source: u64,
    pub frame: Arc<Frame>,
    pub pose: Option<Pose>,
    pub judgment: Judgment,
    pub timings: StageTimings,
    /// From the frame's capture to the end of its analysis.
    pub latency: Duration,
    /// When capture of this frame began: the window measures latency to the screen from it.
    pub captured_at: Instant,
    /// Frames captured from this source so far, and how many were skipped because the model
    /// was busy.
    pub captured: u64,
    pub dropped: u64,
    /// Whether this frame showed the same picture as the last one the model saw and was judged
    /// with the pose found there (its preprocessing and inference times are zero).
    pub pose_reused: bool,
    /// Frames of this source judged that way so far.
    pub reused: u64,
}

/// What happened, in order; none is ever dropped.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// The models are loaded (at the start, or after a change of model).
    EngineReady { model: ModelKind, took: Duration },
    /// The models could not be loaded; `running` is the model still in use, if any.
    EngineFailed {
        error: PoseError,
        running: Option<ModelKind>,
    },
    /// Source number `source` opened and frames are coming.
    SourceOpened { source: u64, description: String },
    /// A frame could not be decoded and was skipped.
    FrameSkipped(SourceError),
    /// The source ended normally (the end of a video). Sent after its last result.
    SourceEnded { source: u64 },
    /// The source could not be opened, or failed part-way. Sent after its last result.
    SourceFailed { source: u64, error: SourceError },
    /// The engine failed on a frame; the source is stopped.
    InferenceFailed { source: u64, error: PoseError },
    /// The alert policy fired.
    Alert(Alert),
    /// A calibration ended: the baseline (already in use) or why it was refused.
    Calibrated(Result<Baseline, CalibrationError>),
}

/// Changes to the running analysis; applied before the next frame.
pub(super) enum Command {
    Open(SourceSpec),
    Stop,
    Engine(EngineConfig),
    /// How frames are judged, whole (boxed: it is far larger than the other commands).
    Judge(Box<JudgeConfig>),
    Calibrate,
    CancelCalibration,
    /// Send every analysed frame here from now on (`None`: stop).
    Record(Option<RecordSender>),
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Command::Open(_) => "Open",
            Command::Stop => "Stop",
            Command::Engine(_) => "Engine",
            Command::Judge(_) => "Judge",
            Command::Calibrate => "Calibrate",
            Command::CancelCalibration => "CancelCalibration",
            Command::Record(_) => "Record",
        })
    }
}
