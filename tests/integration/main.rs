//! Integration tests: the real binary, the real ONNX models, the MediaPipe fixtures.
//! One test binary; shared helpers in `helpers.rs`.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod analyze;
mod app;
mod camera;
mod camera_ffmpeg;
mod doctor;
mod helpers;
mod history;
mod identity;
mod image_inputs;
mod judgments;
mod keyframes;
mod landmark_stage;
mod layering;
mod light;
mod live;
mod metrics;
mod outputs;
mod pose_cli;
mod pose_errors;
mod practice;
mod privacy;
mod reports;
mod safety;
mod sessions;
mod settings_file;
mod sources;
mod store;
mod tracking;
mod ui;
mod ui_camera;
mod validity;
mod validity_bodies;
mod walking;
