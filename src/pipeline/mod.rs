//! Wiring: frames from a source through the pose engine and the geometry, on threads.
//! `slot` hands the newest frame over; `live` runs capture and inference threads for the app;
//! `offline` analyses every frame of a file.

pub mod live;
pub mod offline;
pub mod slot;

use std::time::Duration;

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
