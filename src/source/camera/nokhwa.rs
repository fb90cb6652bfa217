//! The system's cameras through `nokhwa` (Video4Linux on Linux, AVFoundation, Media
//! Foundation): listing them, and choosing the format to stream in.

use nokhwa::pixel_format::{FormatDecoder, RgbFormat};
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
};
use nokhwa::{Buffer, Camera};

use super::backend::{CameraBackend, CameraDevice};
use super::request::{CameraInfo, CameraRequest};
use crate::source::error::SourceError;

/// The system's cameras, through `nokhwa`: what [`super::CameraSource::open`] and
/// [`super::list_cameras`] use.
#[derive(Debug, Clone, Copy, Default)]
pub struct NokhwaBackend;

impl CameraBackend for NokhwaBackend {
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

    fn open(&self, index: u32, request: &CameraRequest) -> Result<Box<dyn CameraDevice>, String> {
        let mut camera = Camera::new(
            CameraIndex::Index(index),
            RequestedFormat::new::<RgbFormat>(RequestedFormatType::None),
        )
        .map_err(|e| e.to_string())?;
        let offered = camera
            .compatible_camera_formats()
            .map_err(|e| format!("could not list its formats: {e}"))?;
        let format = choose_format(&offered, request).ok_or_else(|| {
            "it offers no format plumbline can decode (MJPEG, YUYV, NV12, RGB)".to_owned()
        })?;
        let exact =
            RequestedFormat::with_formats(RequestedFormatType::Exact(format), RgbFormat::FORMATS);
        camera
            .set_camera_requset(exact)
            .map_err(|e| format!("could not set {format}: {e}"))?;
        camera
            .open_stream()
            .map_err(|e| format!("could not start streaming: {e}"))?;
        Ok(Box::new(NokhwaDevice { camera }))
    }
}

/// A streaming `nokhwa` camera.
struct NokhwaDevice {
    camera: Camera,
}

impl CameraDevice for NokhwaDevice {
    fn format(&self) -> CameraFormat {
        self.camera.camera_format()
    }

    fn frame(&mut self) -> Result<Buffer, String> {
        self.camera.frame().map_err(|e| e.to_string())
    }
}

impl Drop for NokhwaDevice {
    fn drop(&mut self) {
        let _ = self.camera.stop_stream();
    }
}

/// Cheapest first: raw formats need no JPEG decoding.
fn format_cost(format: FrameFormat) -> u8 {
    match format {
        FrameFormat::RAWRGB | FrameFormat::RAWBGR | FrameFormat::YUYV | FrameFormat::NV12 => 0,
        FrameFormat::MJPEG => 1,
        FrameFormat::GRAY => 2,
    }
}

/// The offered format nearest the request: closest size, then closest frame rate, then the
/// cheapest to decode, among those RGB decoding supports.
pub(super) fn choose_format(
    offered: &[CameraFormat],
    request: &CameraRequest,
) -> Option<CameraFormat> {
    offered
        .iter()
        .filter(|f| RgbFormat::FORMATS.contains(&f.format()))
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
