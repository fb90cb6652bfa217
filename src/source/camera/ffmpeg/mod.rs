//! Cameras through FFmpeg's device input (`-f v4l2`, `dshow` or `avfoundation`): an `ffmpeg`
//! child process opens the camera and writes raw RGB frames of a fixed size to a pipe, as
//! [`crate::source::VideoSource`] does for files.
//!
//! **Why.** A second way to a camera when the system's driver binding cannot open or read it
//! (a driver quirk, a format it does not take), with the `ffmpeg` plumbline already ships for
//! videos. The cost: one process, a copy through a pipe, and FFmpeg converting to RGB.
//!
//! **The input is data.** The backend holds the FFmpeg input arguments it opens, the
//! platform's device by default ([`FfmpegBackend::devices`]) or any other
//! ([`FfmpegBackend::with_input`]): tests open a paced `lavfi` test source through the same
//! code path as a webcam.
//!
//! **Opening** waits for FFmpeg's output header on stderr (`Output #0 … Stream #0:0: Video:
//! rawvideo … 640x480`): from it comes the frame size the device really gave (V4L2 takes the
//! nearest to the one asked for). Should FFmpeg exit first, its error lines are the reason.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod list;
mod platform;

use platform::DeviceInput;

use super::backend::{CameraBackend, CameraDevice, CameraError, CameraMode, PixelFormat, RawFrame};
use super::request::{CameraInfo, CameraRequest};
use crate::source::error::{FFMPEG_INSTALL, SourceError};
use crate::source::video::{RAW_RGB_OUTPUT, ffmpeg_program, parse_dump, probe_failure, read_full};

/// How long FFmpeg may take to open a camera and deliver its first frame.
const START_WAIT: Duration = Duration::from_secs(15);

/// Where the backend's cameras come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Input {
    /// The platform's capture devices.
    Devices(DeviceInput),
    /// One fixed input standing as camera 0, named `name`.
    Fixed { name: String, args: Vec<String> },
}

/// Cameras through FFmpeg: the `ffmpeg` camera backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FfmpegBackend {
    input: Input,
}

impl FfmpegBackend {
    /// The platform's cameras: `-f v4l2` on Linux, `dshow` on Windows, `avfoundation` on
    /// macOS.
    pub fn devices() -> Self {
        Self {
            input: Input::Devices(DeviceInput::HERE),
        }
    }

    /// One camera, index 0 named `name`, that FFmpeg opens with the input arguments `args`
    /// (for example `-re -f lavfi -i testsrc2=size=640x480:rate=30`, a test picture at its
    /// own pace). The request's size and rate are not applied: the input states its own.
    pub fn with_input(
        name: impl Into<String>,
        args: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            input: Input::Fixed {
                name: name.into(),
                args: args.into_iter().map(Into::into).collect(),
            },
        }
    }

    /// What the user is told opens their camera: "FFmpeg's v4l2 input".
    pub fn label(&self) -> String {
        let format = match &self.input {
            Input::Devices(input) => input.name(),
            Input::Fixed { args, .. } => args
                .iter()
                .skip_while(|a| *a != "-f")
                .nth(1)
                .map_or("custom", String::as_str),
        };
        format!("FFmpeg's {format} input")
    }
}

impl CameraBackend for FfmpegBackend {
    fn cameras(&self) -> Result<Vec<CameraInfo>, SourceError> {
        match &self.input {
            Input::Devices(input) => input.cameras(),
            Input::Fixed { name, args } => Ok(vec![CameraInfo {
                index: 0,
                name: name.clone(),
                description: format!("FFmpeg input {}", args.join(" ")),
            }]),
        }
    }

    fn open(
        &self,
        index: u32,
        request: &CameraRequest,
    ) -> Result<Box<dyn CameraDevice>, CameraError> {
        let (input, cameras) = match &self.input {
            Input::Devices(input) => (*input, input.cameras().unwrap_or_default()),
            Input::Fixed { name, args } => {
                if index != 0 {
                    return Err(CameraError::NotFound(format!(
                        "no such device: camera {index} ({name} is the only one)"
                    )));
                }
                return Ok(Box::new(FfmpegDevice::start(args, name, request)?));
            }
        };
        // A node the listing left out (or could not see) is still tried by its index.
        let camera = cameras
            .iter()
            .find(|c| c.index == index)
            .cloned()
            .unwrap_or_else(|| CameraInfo {
                index,
                name: format!("camera {index}"),
                description: String::new(),
            });
        let (args, device) = input.input_args(&camera, &cameras, request, true);
        match FfmpegDevice::start(&args, &device, request) {
            // The camera may refuse the size or rate asked for (DirectShow and AVFoundation
            // do; V4L2 picks the nearest): then it is opened in its own.
            Err(CameraError::Unsupported(reason)) => {
                tracing::debug!(%device, %reason, "ffmpeg could not open the camera in the mode asked for; trying its own");
                let (args, _) = input.input_args(&camera, &cameras, request, false);
                Ok(Box::new(FfmpegDevice::start(&args, &device, request)?))
            }
            started => Ok(Box::new(started?)),
        }
    }
}

/// A camera being read by an `ffmpeg` process.
struct FfmpegDevice {
    device: String,
    mode: CameraMode,
    child: Child,
    stdout: ChildStdout,
    /// FFmpeg's stderr, line by line, read on a thread so the pipe never fills.
    log: Receiver<String>,
    log_reader: Option<JoinHandle<()>>,
}

impl FfmpegDevice {
    /// Starts `ffmpeg` on `input` (its input arguments) and waits for its first frame to be
    /// on the way; `device` names the camera in errors.
    fn start(input: &[String], device: &str, request: &CameraRequest) -> Result<Self, CameraError> {
        let mut child = Command::new(ffmpeg_program())
            .args(["-hide_banner", "-nostdin", "-nostats", "-v", "level+info"])
            .args(input)
            .args(["-map", "0:v:0", "-an"])
            .args(RAW_RGB_OUTPUT)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                CameraError::Unsupported(if e.kind() == std::io::ErrorKind::NotFound {
                    format!("ffmpeg was not found; install FFmpeg (`{FFMPEG_INSTALL}`)")
                } else {
                    format!("could not run ffmpeg: {e}")
                })
            })?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            stop(&mut child);
            return Err(CameraError::Other(
                "ffmpeg's output pipes were not set up".to_owned(),
            ));
        };
        let (tx, log) = mpsc::channel();
        let log_reader = std::thread::Builder::new()
            .name("ffmpeg-camera-log".to_owned())
            .spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    // The device is gone: keep draining so FFmpeg never blocks on the pipe.
                    let _ = tx.send(line);
                }
            });
        let log_reader = match log_reader {
            Ok(handle) => handle,
            Err(e) => {
                stop(&mut child);
                return Err(CameraError::Other(format!("could not start a thread: {e}")));
            }
        };
        let mut device = Self {
            device: device.to_owned(),
            // Replaced by what the header says.
            mode: CameraMode {
                width: request.width,
                height: request.height,
                fps: request.fps,
                format: PixelFormat::Rgb24,
            },
            child,
            stdout,
            log,
            log_reader: Some(log_reader),
        };
        device.mode = device.wait_for_header()?;
        tracing::debug!(device = %device.device, mode = %device.mode, "ffmpeg camera streaming");
        Ok(device)
    }

    /// Reads FFmpeg's log until its output stream is described, and returns the mode it
    /// streams in; FFmpeg's own reason when it exits first.
    fn wait_for_header(&mut self) -> Result<CameraMode, CameraError> {
        let deadline = Instant::now() + START_WAIT;
        let mut lines = Vec::new();
        let mut output = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) => {
                    let Some(info) = line.strip_prefix("[info] ") else {
                        lines.push(line);
                        continue;
                    };
                    if info.starts_with("Output #0") {
                        output = Some(Vec::new());
                    } else if let Some(dump) = output.as_mut() {
                        dump.push(info.to_owned());
                        if let Ok(info) =
                            parse_dump(&dump.iter().map(String::as_str).collect::<Vec<_>>())
                        {
                            return Ok(CameraMode {
                                width: info.width,
                                height: info.height,
                                fps: info.fps.map_or(0, |f| f.round() as u32),
                                format: PixelFormat::Rgb24,
                            });
                        }
                    }
                    lines.push(line);
                }
                Err(RecvTimeoutError::Disconnected) => {
                    stop(&mut self.child);
                    return Err(self.failure(&lines.join("\n")));
                }
                Err(RecvTimeoutError::Timeout) => {
                    stop(&mut self.child);
                    return Err(CameraError::Other(format!(
                        "{}: ffmpeg did not start streaming within {} s",
                        self.device,
                        START_WAIT.as_secs()
                    )));
                }
            }
        }
    }

    /// FFmpeg's reason for stopping, from its log, as the kind of error it is.
    fn failure(&self, log: &str) -> CameraError {
        let words = probe_failure(log);
        let lower = words.to_lowercase();
        let device = &self.device;
        if lower.contains("no such file")
            || lower.contains("no such device")
            || lower.contains("could not find")
        {
            CameraError::NotFound(format!("no such device {device} (ffmpeg: {words})"))
        } else if lower.contains("busy") || lower.contains("already in use") {
            CameraError::Busy(format!("device busy: {device} (ffmpeg: {words})"))
        } else if lower.contains("permission denied") {
            CameraError::Other(format!("no permission to open {device} (ffmpeg: {words})"))
        } else {
            CameraError::Unsupported(format!("ffmpeg could not open {device}: {words}"))
        }
    }
}

impl CameraDevice for FfmpegDevice {
    fn mode(&self) -> CameraMode {
        self.mode
    }

    fn frame(&mut self) -> Result<RawFrame, CameraError> {
        let CameraMode {
            width,
            height,
            format,
            ..
        } = self.mode;
        let size = format.frame_bytes(width, height).unwrap_or_default();
        // The frame owns its bytes, so each needs its own buffer: read straight into it.
        let mut bytes = vec![0; size];
        let filled = read_full(&mut self.stdout, &mut bytes).unwrap_or(0);
        if filled == size {
            return Ok(RawFrame {
                width,
                height,
                format,
                bytes,
            });
        }
        stop(&mut self.child);
        if let Some(reader) = self.log_reader.take() {
            let _ = reader.join();
        }
        let log: Vec<String> = self.log.try_iter().collect();
        let failed = log
            .iter()
            .any(|l| l.contains("[error]") || l.contains("[fatal]"));
        let why = if failed {
            probe_failure(&log.join("\n"))
        } else {
            "its input ended".to_owned()
        };
        Err(CameraError::Lost(format!(
            "ffmpeg stopped reading {}: {why}",
            self.device
        )))
    }
}

impl Drop for FfmpegDevice {
    fn drop(&mut self) {
        stop(&mut self.child);
        if let Some(reader) = self.log_reader.take() {
            let _ = reader.join();
        }
    }
}

/// Kills FFmpeg (if it still runs) and reaps it, so no process outlives the device.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}
