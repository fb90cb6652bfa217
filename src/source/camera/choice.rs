//! Which camera backend to use, from the user's setting, in one place ([`backend`]); and
//! `auto`: the system's driver first, FFmpeg's device input when that cannot open or read a
//! camera, saying so.

use std::fmt;
use std::sync::Arc;

use super::backend::{CameraBackend, CameraDevice, CameraError, CameraMode, RawFrame};
use super::ffmpeg::FfmpegBackend;
use super::nokhwa::SystemBackend;
use super::request::{CameraInfo, CameraRequest};
use crate::source::error::SourceError;

/// The camera backends a user can choose: the `camera.backend` setting and
/// `--camera-backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BackendKind {
    /// The system's driver, and FFmpeg's device input when it cannot open or read a camera.
    #[default]
    Auto,
    /// The system's camera driver (Video4Linux, Media Foundation, AVFoundation).
    System,
    /// FFmpeg's device input (`-f v4l2`, `dshow`, `avfoundation`).
    Ffmpeg,
}

impl BackendKind {
    pub const ALL: [BackendKind; 3] = [BackendKind::Auto, BackendKind::System, BackendKind::Ffmpeg];

    /// The name in settings and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Auto => "auto",
            BackendKind::System => "system",
            BackendKind::Ffmpeg => "ffmpeg",
        }
    }

    /// What the choice means, for the settings window.
    pub fn describe(self) -> &'static str {
        match self {
            BackendKind::Auto => {
                "the system's camera driver; FFmpeg's device input when it cannot open or read the camera"
            }
            BackendKind::System => {
                "the system's camera driver (Video4Linux, Media Foundation, AVFoundation)"
            }
            BackendKind::Ffmpeg => "FFmpeg's device input (v4l2, dshow, avfoundation)",
        }
    }
}

impl std::str::FromStr for BackendKind {
    type Err = String;
    /// A name as settings and the command line write it; the error lists the names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        BackendKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let names: Vec<&str> = BackendKind::ALL.iter().map(|k| k.name()).collect();
                format!("\"{wanted}\" is not one of {}", names.join(", "))
            })
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the system's driver is called in notices.
const SYSTEM_LABEL: &str = "the system camera driver";

/// The backend `kind` names: the one place a choice becomes a backend.
pub fn backend(kind: BackendKind) -> Arc<dyn CameraBackend> {
    match kind {
        BackendKind::System => Arc::new(SystemBackend),
        BackendKind::Ffmpeg => Arc::new(FfmpegBackend::devices()),
        BackendKind::Auto => {
            let ffmpeg = FfmpegBackend::devices();
            let label = ffmpeg.label();
            Arc::new(AutoBackend::new(
                Arc::new(SystemBackend),
                SYSTEM_LABEL,
                Arc::new(ffmpeg),
                label,
            ))
        }
    }
}

/// One backend, and a second for the cameras the first cannot open or read.
pub struct AutoBackend {
    first: Arc<dyn CameraBackend>,
    first_label: String,
    second: Arc<dyn CameraBackend>,
    second_label: String,
}

impl fmt::Debug for AutoBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AutoBackend")
            .field("first", &self.first_label)
            .field("second", &self.second_label)
            .finish()
    }
}

impl AutoBackend {
    /// `first`, and `second` when it fails; the labels name them in notices ("the system
    /// camera driver", "FFmpeg's v4l2 input").
    pub fn new(
        first: Arc<dyn CameraBackend>,
        first_label: impl Into<String>,
        second: Arc<dyn CameraBackend>,
        second_label: impl Into<String>,
    ) -> Self {
        Self {
            first,
            first_label: first_label.into(),
            second,
            second_label: second_label.into(),
        }
    }

    /// `first`'s device, proven by reading a frame (kept for the stream); the reason when it
    /// would not open or read.
    fn open_first(
        &self,
        index: u32,
        request: &CameraRequest,
    ) -> Result<Box<dyn CameraDevice>, (&'static str, CameraError)> {
        let mut device = self.first.open(index, request).map_err(|e| ("open", e))?;
        let frame = device.frame().map_err(|e| ("read", e))?;
        Ok(Box::new(Primed {
            device,
            first: Some(frame),
            notice: None,
        }))
    }
}

impl CameraBackend for AutoBackend {
    /// The first backend's cameras, or the second's when the first lists none.
    fn cameras(&self) -> Result<Vec<CameraInfo>, SourceError> {
        match self.first.cameras() {
            Ok(cameras) if !cameras.is_empty() => Ok(cameras),
            first => match self.second.cameras() {
                Ok(cameras) if !cameras.is_empty() => Ok(cameras),
                _ => first,
            },
        }
    }

    fn open(
        &self,
        index: u32,
        request: &CameraRequest,
    ) -> Result<Box<dyn CameraDevice>, CameraError> {
        let (verb, reason) = match self.open_first(index, request) {
            Ok(device) => return Ok(device),
            Err(failure) => failure,
        };
        let notice = format!(
            "{} could not {verb} camera {index} ({reason}); using {} instead",
            self.first_label, self.second_label
        );
        match self.second.open(index, request) {
            Ok(device) => {
                tracing::warn!("{notice}");
                Ok(Box::new(Primed {
                    device,
                    first: None,
                    notice: Some(notice),
                }))
            }
            // The first backend's reason is the one that matters; the second's follows.
            Err(second) => Err(reason.with_reason(format!(
                "{reason}; {} could not open it either: {second}",
                self.second_label
            ))),
        }
    }
}

/// A device whose first frame was read already, and what the user should know of it.
struct Primed {
    device: Box<dyn CameraDevice>,
    first: Option<RawFrame>,
    notice: Option<String>,
}

impl CameraDevice for Primed {
    fn mode(&self) -> CameraMode {
        self.device.mode()
    }

    fn frame(&mut self) -> Result<RawFrame, CameraError> {
        match self.first.take() {
            Some(frame) => Ok(frame),
            None => self.device.frame(),
        }
    }

    fn notice(&self) -> Option<String> {
        self.notice.clone().or_else(|| self.device.notice())
    }
}
