//! Posture geometry: pure functions from landmarks to posture metrics, states and time rules.
//! Knows only the pose types; no I/O, no clocks (time comes in as timestamps).

pub mod accuracy;
pub mod advice;
pub mod alerts;
pub mod bands;
pub mod calibration;
pub mod framing;
pub mod judge;
pub mod light;
pub mod metric_id;
pub mod metrics;
pub mod motion;
pub mod per_metric;
pub mod preset;
pub mod state;
pub mod stride;
#[cfg(test)]
pub(crate) mod testing;
pub mod view;

pub use metric_id::MetricId;
