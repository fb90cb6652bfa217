//! plumbline: live posture feedback from a webcam.
//!
//! Frames flow `source → pose → geometry → session → report`; this crate is the library
//! behind the `plumbline` binary. Start with [`pose::PoseEstimator`].

pub mod cli;
pub mod files;
pub mod format;
pub mod geometry;
pub mod install;
pub mod pipeline;
pub mod pose;
pub mod report;
pub mod session;
pub mod settings;
pub mod source;
pub mod ui;

pub use pose::{EngineConfig, ModelKind, Pose, PoseError, PoseEstimator};
