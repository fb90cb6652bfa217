//! The seam between the capture thread and a camera driver: a backend lists and opens
//! devices, a device hands over raw frames. `nokhwa` is the real one; tests script their own.

use ::nokhwa::Buffer;
use ::nokhwa::utils::CameraFormat;

use super::request::{CameraInfo, CameraRequest};
use crate::source::error::SourceError;

/// Where cameras come from: the system's (through `nokhwa`, [`super::NokhwaBackend`]) or a
/// scripted one in tests. Shared between the thread that lists cameras and the capture
/// thread that opens one.
pub trait CameraBackend: Send + Sync {
    /// The cameras on offer, sorted by index; empty when there are none. An error only when
    /// the system could not be asked.
    fn cameras(&self) -> Result<Vec<CameraInfo>, SourceError>;

    /// Opens camera `index` in the format it offers nearest `request` and starts it
    /// streaming. Called on the capture thread, which then owns the device until it stops
    /// (a driver's camera handle may not move between threads). The error is the reason,
    /// in a few words ("device busy"); the caller names the camera and says what to do.
    fn open(&self, index: u32, request: &CameraRequest) -> Result<Box<dyn CameraDevice>, String>;
}

/// An open, streaming camera, owned by the capture thread; dropping it stops the stream.
pub trait CameraDevice {
    /// The format the device streams in, chosen when it was opened.
    fn format(&self) -> CameraFormat;

    /// Waits for the next frame as the device delivers it, not yet decoded (MJPEG, YUYV, …),
    /// so that a garbled frame fails in the same decoder for every device. An error means
    /// the device is gone (unplugged, taken away): the source reports the camera lost.
    fn frame(&mut self) -> Result<Buffer, String>;
}
