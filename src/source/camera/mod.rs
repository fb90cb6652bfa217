//! A webcam as a frame source, through `nokhwa` (Video4Linux on Linux, AVFoundation, Media
//! Foundation). Frames are decoded to RGB and timed from the moment the stream opened.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ::nokhwa::Camera;
use ::nokhwa::pixel_format::{FormatDecoder, RgbFormat};
use ::nokhwa::utils::{CameraFormat, CameraIndex, RequestedFormat, RequestedFormatType};

mod nokhwa;
mod request;

use self::nokhwa::choose_format;
pub use self::nokhwa::list_cameras;
use request::resolve;
pub use request::{CameraInfo, CameraRequest, CameraSelector};

use super::{Frame, FrameSource, SourceError};

/// What to do when a camera cannot be opened, quoted in errors.
const OPEN_HINT: &str = "close other programs using it, check that you may open /dev/video* (the `video` group), and list cameras with `plumbline cameras`";

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
