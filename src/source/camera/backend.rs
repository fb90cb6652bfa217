//! The seam between the capture thread and a camera driver: a backend lists and opens
//! devices, a device hands over raw frames. Every type here is plumbline's own, so a backend
//! (the system's, FFmpeg's, a test's scripted one) is written against this file alone.

use std::fmt;

use super::request::{CameraInfo, CameraRequest};
use crate::source::error::SourceError;

/// Where cameras come from: the system's driver ([`super::SystemBackend`]), FFmpeg's device
/// input ([`super::FfmpegBackend`]), the two in turn ([`super::AutoBackend`]) or a scripted
/// one in tests. Shared between the thread that lists cameras and the capture thread that
/// opens one.
pub trait CameraBackend: Send + Sync {
    /// The cameras on offer, sorted by index; empty when there are none. An error only when
    /// the system could not be asked.
    fn cameras(&self) -> Result<Vec<CameraInfo>, SourceError>;

    /// Opens camera `index` in the mode it offers nearest `request` and starts it streaming.
    /// Called on the capture thread, which then owns the device until it stops (a driver's
    /// camera handle may not move between threads). The error carries the reason in a few
    /// words ("device busy"); the caller names the camera and says what to do.
    fn open(
        &self,
        index: u32,
        request: &CameraRequest,
    ) -> Result<Box<dyn CameraDevice>, CameraError>;
}

/// An open, streaming camera, owned by the capture thread; dropping it stops the stream.
pub trait CameraDevice {
    /// The mode the device streams in, chosen when it was opened.
    fn mode(&self) -> CameraMode;

    /// Waits for the next frame as the device delivers it, not yet decoded (MJPEG, YUYV, …),
    /// so that a garbled frame fails in the same decoder for every device. An error means
    /// the device is gone (unplugged, taken away): the source reports the camera lost.
    fn frame(&mut self) -> Result<RawFrame, CameraError>;

    /// Something the user should know about how this camera was opened (another backend
    /// stood in for the one asked for); shown with the source's description.
    fn notice(&self) -> Option<String> {
        None
    }
}

/// How a device lays out a frame's bytes: the layouts [`super::decode`] turns into RGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// Each frame a JPEG (most USB webcams at larger sizes).
    Mjpeg,
    /// Packed 4:2:2, `Y0 U Y1 V` for each pair of pixels (most USB webcams uncompressed).
    Yuyv,
    /// Planar 4:2:0: the Y plane, then interleaved `U V` at half size each way.
    Nv12,
    /// Three bytes a pixel, red first.
    Rgb24,
}

impl PixelFormat {
    /// How many bytes a `width`×`height` frame has, when the layout fixes it (all but MJPEG).
    pub fn frame_bytes(self, width: u32, height: u32) -> Option<usize> {
        let pixels = width as usize * height as usize;
        match self {
            PixelFormat::Mjpeg => None,
            PixelFormat::Yuyv => Some(pixels * 2),
            PixelFormat::Nv12 => {
                let chroma = width.div_ceil(2) as usize * height.div_ceil(2) as usize * 2;
                Some(pixels + chroma)
            }
            PixelFormat::Rgb24 => Some(pixels * 3),
        }
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PixelFormat::Mjpeg => "MJPEG",
            PixelFormat::Yuyv => "YUYV",
            PixelFormat::Nv12 => "NV12",
            PixelFormat::Rgb24 => "RGB24",
        })
    }
}

/// What a camera streams: its frame size, rate and pixel layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CameraMode {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub format: PixelFormat,
}

impl fmt::Display for CameraMode {
    /// `640×480 at 30 fps, YUYV`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let CameraMode {
            width,
            height,
            fps,
            format,
        } = self;
        write!(f, "{width}×{height} at {fps} fps, {format}")
    }
}

/// One frame as the device delivered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrame {
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
    pub bytes: Vec<u8>,
}

/// Why a camera would not open or stopped delivering. The kind lets a caller choose what to
/// do (try another backend, say "close the other program"); the text is the reason in a few
/// words, shown as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    /// Another program has the camera.
    #[error("{0}")]
    Busy(String),
    /// There is no such device.
    #[error("{0}")]
    NotFound(String),
    /// The device offers nothing plumbline can read, or the backend cannot run here.
    #[error("{0}")]
    Unsupported(String),
    /// The device stopped delivering: unplugged, or taken away.
    #[error("{0}")]
    Lost(String),
    #[error("{0}")]
    Other(String),
}

impl CameraError {
    /// The same kind of error for another reason (the reason with more said).
    pub fn with_reason(&self, reason: String) -> CameraError {
        match self {
            CameraError::Busy(_) => CameraError::Busy(reason),
            CameraError::NotFound(_) => CameraError::NotFound(reason),
            CameraError::Unsupported(_) => CameraError::Unsupported(reason),
            CameraError::Lost(_) => CameraError::Lost(reason),
            CameraError::Other(_) => CameraError::Other(reason),
        }
    }
}
