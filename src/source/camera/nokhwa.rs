//! The system's cameras through `nokhwa` (Video4Linux on Linux, AVFoundation, Media
//! Foundation): listing them, choosing the format to stream in, and handing its frames over
//! as plumbline's [`RawFrame`]s. The only file that names `nokhwa`.

use nokhwa::Camera;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
};

use super::backend::{CameraBackend, CameraDevice, CameraError, CameraMode, PixelFormat, RawFrame};
use super::request::{CameraInfo, CameraRequest};
use crate::source::error::SourceError;

/// The system's camera driver, through `nokhwa`: the `system` camera backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBackend;

impl CameraBackend for SystemBackend {
    fn cameras(&self) -> Result<Vec<CameraInfo>, SourceError> {
        // A backend bug must not take the app down with it: report it as "no camera".
        let queried =
            std::panic::catch_unwind(|| nokhwa::query(ApiBackend::Auto)).map_err(|_| {
                SourceError::NoCamera {
                    reason: "the camera backend failed while listing devices".to_owned(),
                }
            })?;
        let cameras = queried.map_err(|e| SourceError::NoCamera {
            reason: format!("could not list cameras: {e}"),
        })?;
        let mut list: Vec<CameraInfo> = cameras
            .iter()
            .filter_map(|c| {
                let index = c.index().as_index().ok()?;
                Some(CameraInfo {
                    index,
                    name: c.human_name(),
                    description: c.description().to_owned(),
                })
            })
            .collect();
        list.sort_by_key(|c| c.index);
        Ok(list)
    }

    fn open(
        &self,
        index: u32,
        request: &CameraRequest,
    ) -> Result<Box<dyn CameraDevice>, CameraError> {
        let mut camera = Camera::new(
            CameraIndex::Index(index),
            RequestedFormat::new::<RgbFormat>(RequestedFormatType::None),
        )
        .map_err(|e| classify(e.to_string()))?;
        let offered = camera
            .compatible_camera_formats()
            .map_err(|e| classify(format!("could not list its formats: {e}")))?;
        let format = choose_format(&offered, request).ok_or_else(|| {
            CameraError::Unsupported(
                "it offers no format plumbline can decode (MJPEG, YUYV, NV12, RGB)".to_owned(),
            )
        })?;
        let exact = RequestedFormat::with_formats(RequestedFormatType::Exact(format), DECODABLE);
        camera
            .set_camera_requset(exact)
            .map_err(|e| classify(format!("could not set {format}: {e}")))?;
        camera
            .open_stream()
            .map_err(|e| classify(format!("could not start streaming: {e}")))?;
        Ok(Box::new(NokhwaDevice { camera }))
    }
}

/// The driver's formats plumbline decodes.
const DECODABLE: &[FrameFormat] = &[
    FrameFormat::MJPEG,
    FrameFormat::YUYV,
    FrameFormat::NV12,
    FrameFormat::RAWRGB,
];

/// nokhwa's layouts as plumbline's.
fn pixel_format(format: FrameFormat) -> Option<PixelFormat> {
    match format {
        FrameFormat::MJPEG => Some(PixelFormat::Mjpeg),
        FrameFormat::YUYV => Some(PixelFormat::Yuyv),
        FrameFormat::NV12 => Some(PixelFormat::Nv12),
        FrameFormat::RAWRGB => Some(PixelFormat::Rgb24),
        FrameFormat::RAWBGR | FrameFormat::GRAY => None,
    }
}

/// nokhwa's errors are text: its words (and the OS's, "Device or resource busy") say the kind.
fn classify(reason: String) -> CameraError {
    let lower = reason.to_lowercase();
    if lower.contains("busy") {
        CameraError::Busy(reason)
    } else if lower.contains("no such") || lower.contains("not found") {
        CameraError::NotFound(reason)
    } else {
        CameraError::Other(reason)
    }
}

/// A streaming `nokhwa` camera.
struct NokhwaDevice {
    camera: Camera,
}

impl CameraDevice for NokhwaDevice {
    fn mode(&self) -> CameraMode {
        let format = self.camera.camera_format();
        CameraMode {
            width: format.width(),
            height: format.height(),
            fps: format.frame_rate(),
            // Opened only in a decodable format (`DECODABLE`).
            format: pixel_format(format.format()).unwrap_or(PixelFormat::Mjpeg),
        }
    }

    fn frame(&mut self) -> Result<RawFrame, CameraError> {
        let buffer = self
            .camera
            .frame()
            .map_err(|e| CameraError::Lost(e.to_string()))?;
        let format = buffer.source_frame_format();
        let resolution = buffer.resolution();
        Ok(RawFrame {
            width: resolution.width(),
            height: resolution.height(),
            format: pixel_format(format).ok_or_else(|| {
                CameraError::Unsupported(format!("the camera switched to {format} frames"))
            })?,
            bytes: buffer.buffer().to_vec(),
        })
    }
}

impl Drop for NokhwaDevice {
    fn drop(&mut self) {
        let _ = self.camera.stop_stream();
    }
}

/// Cheapest first: raw formats need no JPEG decoding.
fn format_cost(format: FrameFormat) -> u8 {
    u8::from(format == FrameFormat::MJPEG)
}

/// The offered format nearest the request: closest size, then closest frame rate, then the
/// cheapest to decode, among those plumbline decodes.
fn choose_format(offered: &[CameraFormat], request: &CameraRequest) -> Option<CameraFormat> {
    offered
        .iter()
        .filter(|f| DECODABLE.contains(&f.format()))
        .min_by_key(|f| {
            let size = f.width().abs_diff(request.width) + f.height().abs_diff(request.height);
            (
                size,
                f.frame_rate().abs_diff(request.fps),
                format_cost(f.format()),
            )
        })
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_decodable_format_wins() {
        let f = |w, h, fmt, fps| CameraFormat::new_from(w, h, fmt, fps);
        let offered = [
            f(1920, 1080, FrameFormat::MJPEG, 30),
            f(640, 480, FrameFormat::MJPEG, 30),
            f(640, 480, FrameFormat::YUYV, 30),
            f(640, 480, FrameFormat::YUYV, 15),
            f(320, 240, FrameFormat::YUYV, 30),
        ];
        let request = CameraRequest::default();
        assert_eq!(
            choose_format(&offered, &request),
            Some(f(640, 480, FrameFormat::YUYV, 30)),
            "same size and rate: the raw format needs no JPEG decoding"
        );
        let hd = CameraRequest {
            width: 1600,
            height: 900,
            ..CameraRequest::default()
        };
        assert_eq!(
            choose_format(&offered, &hd),
            Some(f(1920, 1080, FrameFormat::MJPEG, 30)),
            "nearest size first"
        );
        assert_eq!(choose_format(&[], &request), None);
    }
}
