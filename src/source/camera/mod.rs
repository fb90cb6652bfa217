//! A webcam as a frame source: a capture thread opens a camera through a [`CameraBackend`]
//! (chosen by [`backend`] from the user's setting), decodes its frames to RGB and times them
//! from the stream's start.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod backend;
mod choice;
mod decode;
mod ffmpeg;
mod nokhwa;
mod request;

pub use self::nokhwa::SystemBackend;
pub use backend::{CameraBackend, CameraDevice, CameraError, CameraMode, PixelFormat, RawFrame};
pub use choice::{AutoBackend, BackendKind, backend};
pub use decode::decode;
pub use ffmpeg::FfmpegBackend;
use request::resolve;
pub use request::{CameraInfo, CameraRequest, CameraSelector};

use super::error::SourceError;
use super::frame::{Frame, FrameSource};

/// What to do when a camera cannot be opened, quoted in errors.
const OPEN_HINT: &str = "close other programs using it, check that you may open /dev/video* (the `video` group), try the other camera backend (Settings, or `--camera-backend`), and list cameras with `plumbline cameras`";

/// Between a camera's description and its notice.
const NOTICE_AFTER: &str = "; ";

/// The notice in a camera source's [`FrameSource::describe`] text, if it has one ("the
/// system camera driver could not open camera 0 (…); using FFmpeg's v4l2 input instead"):
/// for a window that has only the description to show it as a message of its own.
pub fn notice_in(description: &str) -> Option<&str> {
    let rest = description.strip_prefix("camera ")?;
    let (_, notice) = rest.split_once(&format!("){NOTICE_AFTER}"))?;
    Some(notice).filter(|n| !n.is_empty())
}

/// Decoded frames waiting for the consumer: enough to ride out jitter, few enough to stay live.
const QUEUED_FRAMES: usize = 2;

/// The cameras the default backend ([`BackendKind::Auto`]) offers; an empty list when there
/// are none. An error only when the system could not be asked. [`CameraBackend::cameras`]
/// asks another backend.
pub fn list_cameras() -> Result<Vec<CameraInfo>, SourceError> {
    backend(BackendKind::default()).cameras()
}

/// How patient a [`CameraSource`] is with its camera. The defaults suit a real webcam;
/// tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CameraTiming {
    /// Without a frame for this long the camera counts as lost (unplugged, or taken by the
    /// system): V4L may block rather than fail when a USB camera disappears.
    pub frame_timeout: Duration,
    /// How long dropping the source waits for the capture thread to stop before letting it
    /// go: a camera that vanished can leave it blocked in the driver.
    pub stop_grace: Duration,
}

impl Default for CameraTiming {
    /// 5 s without a frame; 1 s to stop.
    fn default() -> Self {
        Self {
            frame_timeout: Duration::from_secs(5),
            stop_grace: Duration::from_secs(1),
        }
    }
}

/// A webcam, streaming. The camera lives on its own capture thread (a driver's camera handle
/// may not move between threads), which decodes frames and passes them on.
#[derive(Debug)]
pub struct CameraSource {
    name: String,
    mode: CameraMode,
    /// How the camera came to be opened, when the user should know (another backend).
    notice: Option<String>,
    timing: CameraTiming,
    frames: Option<Receiver<Result<Frame, SourceError>>>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
    delivered: u64,
    skipped: u64,
    lost: bool,
}

impl CameraSource {
    /// Opens the camera through the default backend ([`BackendKind::Auto`]) in the offered
    /// mode nearest `request` and starts streaming.
    pub fn open(request: &CameraRequest) -> Result<Self, SourceError> {
        Self::open_with(
            backend(BackendKind::default()),
            request,
            CameraTiming::default(),
        )
    }

    /// Opens the camera `request` names among those `backend` offers, in the format nearest
    /// `request`, and starts streaming; `timing` says how long to wait for frames and for the
    /// capture thread to stop.
    pub fn open_with(
        backend: Arc<dyn CameraBackend>,
        request: &CameraRequest,
        timing: CameraTiming,
    ) -> Result<Self, SourceError> {
        let cameras = backend.cameras()?;
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
                    let opened = backend
                        .open(index, &request)
                        .map_err(|e| open_error(&thread_name, e.to_string()));
                    capture(opened, &thread_name, &stop, &ready_tx, &frames_tx);
                })
                .map_err(|e| SourceError::CameraOpen {
                    camera: name.clone(),
                    reason: format!("could not start the capture thread: {e}"),
                    hint: "free some system resources and try again".to_owned(),
                })?
        };
        let (mode, notice) = match ready_rx.recv() {
            Ok(Ok(opened)) => opened,
            Ok(Err(e)) => {
                let _ = worker.join();
                return Err(e);
            }
            Err(_) => {
                let _ = worker.join();
                return Err(open_error(
                    &name,
                    "the capture thread ended while opening it".to_owned(),
                ));
            }
        };
        tracing::debug!(camera = %name, %mode, "camera streaming");
        Ok(Self {
            name,
            mode,
            notice,
            timing,
            frames: Some(frames),
            stop,
            worker: Some(worker),
            delivered: 0,
            skipped: 0,
            lost: false,
        })
    }

    /// The mode the camera streams in.
    pub fn mode(&self) -> CameraMode {
        self.mode
    }

    /// What the user should know of how the camera was opened: another backend stood in
    /// for the one that could not open it. Also part of [`FrameSource::describe`].
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Frames handed out so far.
    pub fn delivered_frames(&self) -> u64 {
        self.delivered
    }

    /// Frames that arrived garbled and were reported as [`SourceError::BadCameraFrame`]: a
    /// few on a busy USB bus are normal, many mean a bad cable or hub.
    pub fn skipped_frames(&self) -> u64 {
        self.skipped
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

/// Camera `name` could not be opened, for `reason`.
fn open_error(name: &str, reason: String) -> SourceError {
    SourceError::CameraOpen {
        camera: name.to_owned(),
        reason,
        hint: OPEN_HINT.to_owned(),
    }
}

/// The capture thread, given the device it opened: reports its mode and notice (or the failure) on
/// `ready`, then streams until `stop`, the receiver goes away, or the device fails.
fn capture(
    opened: Result<Box<dyn CameraDevice>, SourceError>,
    name: &str,
    stop: &AtomicBool,
    ready: &mpsc::Sender<Result<(CameraMode, Option<String>), SourceError>>,
    frames: &SyncSender<Result<Frame, SourceError>>,
) {
    let mut device = match opened {
        Ok(device) => {
            let _ = ready.send(Ok((device.mode(), device.notice())));
            device
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let started = Instant::now();
    let mut index = 0;
    while !stop.load(Ordering::Relaxed) {
        let item = match device.frame() {
            Ok(raw) => {
                let timestamp = started.elapsed();
                // A garbled MJPEG frame happens on a busy USB bus; the next is usually fine.
                let decoded = decode(&raw)
                    .map(|image| Frame {
                        image,
                        timestamp,
                        index,
                    })
                    .map_err(|reason| SourceError::BadCameraFrame {
                        camera: name.to_owned(),
                        index,
                        reason,
                    });
                index += 1;
                decoded
            }
            Err(reason) => {
                // The consumer counts the frames it got; it fills in that number.
                let _ = frames.send(Err(SourceError::CameraLost {
                    camera: name.to_owned(),
                    frames: 0,
                    reason: reason.to_string(),
                }));
                break;
            }
        };
        if frames.send(item).is_err() {
            break;
        }
    }
    // Dropping the device stops its stream.
    drop(device);
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let Some(frames) = self.frames.as_ref().filter(|_| !self.lost) else {
            return Ok(None);
        };
        match frames.recv_timeout(self.timing.frame_timeout) {
            Ok(Ok(frame)) => {
                self.delivered += 1;
                Ok(Some(frame))
            }
            Ok(Err(SourceError::CameraLost { reason, .. })) => Err(self.lose(reason)),
            Ok(Err(e)) => {
                if e.is_skippable() {
                    self.skipped += 1;
                }
                Err(e)
            }
            Err(RecvTimeoutError::Timeout) => {
                let waited = self.timing.frame_timeout.as_secs_f64();
                Err(self.lose(format!("no frame for {waited} s")))
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(self.lose("the capture thread stopped".to_owned()))
            }
        }
    }

    /// "camera NAME (640×480 at 30 fps, YUYV)", then the notice when there is one.
    fn describe(&self) -> String {
        let text = format!("camera {} ({})", self.name, self.mode);
        match &self.notice {
            Some(notice) => format!("{text}{NOTICE_AFTER}{notice}"),
            None => text,
        }
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
        let deadline = Instant::now() + self.timing.stop_grace;
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
