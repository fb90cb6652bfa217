//! The pose engine: camera frame in, one person's 33 BlazePose landmarks out.
//! Detector → ROI → landmark model, with tracking and smoothing between frames.

pub mod anchors;
mod blend;
pub mod brighten;
pub mod config;
pub mod detector;
pub mod error;
pub mod estimator;
pub mod exposure;
pub mod filter;
pub mod identity;
pub mod landmarker;
pub mod landmarks;
pub mod look;
pub mod preprocess;
pub mod roi;
pub mod runtime;
pub mod tracker;

pub use config::{EngineConfig, ModelKind, default_threads};
pub use error::PoseError;
pub use estimator::{PoseEstimator, StepInfo};
pub use landmarks::{Landmark, LandmarkId, NUM_LANDMARKS, Pose, Vec3};
pub use roi::NormRect;
