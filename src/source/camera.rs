//! A webcam as a frame source, through `nokhwa` (Video4Linux on Linux, AVFoundation, Media
//! Foundation). Frames are decoded to RGB and timed from the moment the stream opened.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nokhwa::Camera;
use nokhwa::pixel_format::FormatDecoder;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
};

use super::{Frame, FrameSource, SourceError};

/// What to do when a camera cannot be opened, quoted in errors.
const OPEN_HINT: &str = "close other programs using it, check that you may open /dev/video* (the `video` group), and list cameras with `plumbline cameras`";

/// One camera the system offers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CameraInfo {
    /// What to pass to open it (`/dev/videoN` on Linux).
    pub index: u32,
    pub name: String,
    /// The backend's description ("Video4Linux Device @ /dev/video0").
    pub description: String,
}

/// Which camera to open: by index, or by (part of) its name, ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraSelector {
    Index(u32),
    Name(String),
}

impl FromStr for CameraSelector {
    type Err = std::convert::Infallible;
    /// A number is an index; anything else a name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().parse() {
            Ok(i) => CameraSelector::Index(i),
            Err(_) => CameraSelector::Name(s.trim().to_owned()),
        })
    }
}

impl fmt::Display for CameraSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CameraSelector::Index(i) => write!(f, "camera {i}"),
            CameraSelector::Name(n) => write!(f, "camera \"{n}\""),
        }
    }
}

/// The camera and the format to ask it for; the nearest format it offers is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraRequest {
    pub camera: CameraSelector,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for CameraRequest {
    /// The first camera at 640×480, 30 fps: the pose models look at 256×256 crops, so more
    /// pixels cost decoding time and buy no accuracy.
    fn default() -> Self {
        Self {
            camera: CameraSelector::Index(0),
            width: 640,
            height: 480,
            fps: 30,
        }
    }
}

/// The cameras the system offers; an empty list when there are none. An error only when the
/// system could not be asked.
pub fn list_cameras() -> Result<Vec<CameraInfo>, SourceError> {
    // A backend bug must not take the app down with it: report it as "no camera".
    let queried = std::panic::catch_unwind(|| nokhwa::query(ApiBackend::Auto)).map_err(|_| {
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

/// Finds the camera `selector` names in `cameras`: an index as is, a name exactly (ignoring
/// case) or else as the only camera whose name contains it.
fn resolve(selector: &CameraSelector, cameras: &[CameraInfo]) -> Result<u32, SourceError> {
    let name = match selector {
        CameraSelector::Index(i) => return Ok(*i),
        CameraSelector::Name(name) => name,
    };
    let wanted = name.to_lowercase();
    if let Some(c) = cameras.iter().find(|c| c.name.to_lowercase() == wanted) {
        return Ok(c.index);
    }
    let partial: Vec<&CameraInfo> = cameras
        .iter()
        .filter(|c| c.name.to_lowercase().contains(&wanted))
        .collect();
    match partial.as_slice() {
        [one] => Ok(one.index),
        [] if cameras.is_empty() => Err(SourceError::NoCamera {
            reason: format!("looking for \"{name}\""),
        }),
        found => Err(SourceError::CameraOpen {
            camera: selector.to_string(),
            reason: if found.is_empty() {
                "no camera has that name".to_owned()
            } else {
                format!("{} cameras match that name", found.len())
            },
            hint: format!(
                "give an index or a full name; the cameras are: {}",
                cameras
                    .iter()
                    .map(|c| format!("{} {}", c.index, c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
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
fn choose_format(offered: &[CameraFormat], request: &CameraRequest) -> Option<CameraFormat> {
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

/// Without a frame for this long the camera counts as lost (unplugged, or taken by the
/// system): V4L may block rather than fail when a USB camera disappears.
const FRAME_TIMEOUT: Duration = Duration::from_secs(5);
/// Decoded frames waiting for the consumer: enough to ride out jitter, few enough to stay live.
const QUEUED_FRAMES: usize = 2;

/// A webcam, streaming. The camera lives on its own capture thread (nokhwa's camera handle
/// may not move between threads), which decodes frames and passes them on.
#[derive(Debug)]
pub struct CameraSource {
    name: String,
    format: CameraFormat,
    frames: Option<Receiver<Result<Frame, SourceError>>>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
    delivered: u64,
    lost: bool,
}

impl CameraSource {
    /// Opens the camera in the offered format nearest `request` and starts streaming.
    pub fn open(request: &CameraRequest) -> Result<Self, SourceError> {
        let cameras = list_cameras()?;
        if cameras.is_empty() {
            return Err(SourceError::NoCamera {
                reason: "the system lists no video devices".to_owned(),
            });
        }
        let index = resolve(&request.camera, &cameras)?;
        let name = cameras
            .iter()
            .find(|c| c.index == index)
            .map_or_else(|| format!("camera {index}"), |c| c.name.clone());
        let (ready_tx, ready_rx) = mpsc::channel();
        let (frames_tx, frames) = mpsc::sync_channel(QUEUED_FRAMES);
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let (thread_name, request, stop) = (name.clone(), request.clone(), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("camera".to_owned())
                .spawn(move || {
                    capture(index, &thread_name, &request, &stop, &ready_tx, &frames_tx);
                })
                .map_err(|e| SourceError::CameraOpen {
                    camera: name.clone(),
                    reason: format!("could not start the capture thread: {e}"),
                    hint: "free some system resources and try again".to_owned(),
                })?
        };
        let format = match ready_rx.recv() {
            Ok(Ok(format)) => format,
            Ok(Err(e)) => {
                let _ = worker.join();
                return Err(e);
            }
            Err(_) => {
                let _ = worker.join();
                return Err(SourceError::CameraOpen {
                    camera: name,
                    reason: "the capture thread ended while opening it".to_owned(),
                    hint: OPEN_HINT.to_owned(),
                });
            }
        };
        tracing::debug!(camera = %name, %format, "camera streaming");
        Ok(Self {
            name,
            format,
            frames: Some(frames),
            stop,
            worker: Some(worker),
            delivered: 0,
            lost: false,
        })
    }

    /// The format the camera streams in.
    pub fn format(&self) -> CameraFormat {
        self.format
    }

    fn lose(&mut self, reason: String) -> SourceError {
        self.lost = true;
        SourceError::CameraLost {
            camera: self.name.clone(),
            frames: self.delivered,
            reason,
        }
    }
}

/// The capture thread: opens the camera, reports the format (or the failure) on `ready`,
/// then streams until `stop`, the receiver goes away, or the camera fails.
fn capture(
    index: u32,
    name: &str,
    request: &CameraRequest,
    stop: &AtomicBool,
    ready: &mpsc::Sender<Result<CameraFormat, SourceError>>,
    frames: &SyncSender<Result<Frame, SourceError>>,
) {
    let open_error = |reason: String| SourceError::CameraOpen {
        camera: name.to_owned(),
        reason,
        hint: OPEN_HINT.to_owned(),
    };
    let opened = (|| {
        let mut camera = Camera::new(
            CameraIndex::Index(index),
            RequestedFormat::new::<RgbFormat>(RequestedFormatType::None),
        )
        .map_err(|e| open_error(e.to_string()))?;
        let offered = camera
            .compatible_camera_formats()
            .map_err(|e| open_error(format!("could not list its formats: {e}")))?;
        let format = choose_format(&offered, request).ok_or_else(|| {
            open_error("it offers no format plumbline can decode (MJPEG, YUYV, NV12, RGB)".into())
        })?;
        let exact =
            RequestedFormat::with_formats(RequestedFormatType::Exact(format), RgbFormat::FORMATS);
        camera
            .set_camera_requset(exact)
            .map_err(|e| open_error(format!("could not set {format}: {e}")))?;
        camera
            .open_stream()
            .map_err(|e| open_error(format!("could not start streaming: {e}")))?;
        Ok(camera)
    })();
    let mut camera = match opened {
        Ok(camera) => {
            let _ = ready.send(Ok(camera.camera_format()));
            camera
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let started = Instant::now();
    let mut index = 0;
    while !stop.load(Ordering::Relaxed) {
        let item = match camera.frame() {
            Ok(buffer) => {
                let timestamp = started.elapsed();
                // A garbled MJPEG frame happens on a busy USB bus; the next is usually fine.
                let decoded = buffer
                    .decode_image::<RgbFormat>()
                    .map(|image| Frame {
                        image,
                        timestamp,
                        index,
                    })
                    .map_err(|e| SourceError::BadCameraFrame {
                        camera: name.to_owned(),
                        index,
                        reason: e.to_string(),
                    });
                index += 1;
                decoded
            }
            Err(e) => {
                // The consumer counts the frames it got; it fills in that number.
                let _ = frames.send(Err(SourceError::CameraLost {
                    camera: name.to_owned(),
                    frames: 0,
                    reason: e.to_string(),
                }));
                break;
            }
        };
        if frames.send(item).is_err() {
            break;
        }
    }
    let _ = camera.stop_stream();
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let Some(frames) = self.frames.as_ref().filter(|_| !self.lost) else {
            return Ok(None);
        };
        match frames.recv_timeout(FRAME_TIMEOUT) {
            Ok(Ok(frame)) => {
                self.delivered += 1;
                Ok(Some(frame))
            }
            Ok(Err(SourceError::CameraLost { reason, .. })) => Err(self.lose(reason)),
            Ok(Err(e)) => Err(e),
            Err(RecvTimeoutError::Timeout) => {
                Err(self.lose(format!("no frame for {} s", FRAME_TIMEOUT.as_secs())))
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(self.lose("the capture thread stopped".to_owned()))
            }
        }
    }

    fn describe(&self) -> String {
        format!("camera {} ({})", self.name, self.format)
    }

    fn len_hint(&self) -> Option<u64> {
        None
    }
}

impl Drop for CameraSource {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Unblocks a capture thread waiting to hand over a frame.
        drop(self.frames.take());
        let Some(worker) = self.worker.take() else {
            return;
        };
        // A camera that vanished can leave the thread blocked in the driver: wait a little,
        // then let it go rather than hang the app.
        let deadline = Instant::now() + Duration::from_secs(1);
        while !worker.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if worker.is_finished() {
            let _ = worker.join();
        } else {
            tracing::warn!(camera = %self.name, "the capture thread did not stop; leaving it");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cam(index: u32, name: &str) -> CameraInfo {
        CameraInfo {
            index,
            name: name.into(),
            description: String::new(),
        }
    }

    #[test]
    fn selectors_parse_numbers_as_indices() {
        assert_eq!("2".parse(), Ok(CameraSelector::Index(2)));
        assert_eq!(
            " HD Webcam ".parse(),
            Ok(CameraSelector::Name("HD Webcam".into()))
        );
    }

    #[test]
    fn names_resolve_exactly_then_by_a_unique_part() {
        let cams = [cam(0, "Integrated Camera"), cam(2, "Logitech C920")];
        let by = |s: &str| resolve(&s.parse().unwrap(), &cams);
        assert_eq!(by("logitech c920").unwrap(), 2);
        assert_eq!(by("c920").unwrap(), 2);
        assert_eq!(by("7").unwrap(), 7, "indices are passed through");
        // "c" is in both names: ambiguous, and the error lists the cameras.
        let e = by("c").unwrap_err().to_string();
        assert!(
            e.contains("2 cameras match") && e.contains("0 Integrated Camera"),
            "{e}"
        );
        assert!(by("nothing").is_err());
        assert!(matches!(
            resolve(&CameraSelector::Name("x".into()), &[]),
            Err(SourceError::NoCamera { .. })
        ));
    }

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
