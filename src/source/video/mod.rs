//! Video files as a frame source: an `ffmpeg` child process decodes the first video stream
//! into raw RGB frames on a pipe; `ffmpeg -i` reads the size, rate and duration first.
//!
//! **Why a subprocess, not libav bindings.** Debian's `ffmpeg` package is all it takes: no
//! libav* development headers, no bindgen, no version lock between our build and the system's
//! libraries. A decoder that crashes on a hostile file takes down `ffmpeg`, not the app, and
//! the raw-frame pipe (`-f rawvideo -pix_fmt rgb24`, exactly `width × height × 3` bytes a
//! frame) is trivial to read. The cost: one process per video, and a copy through a pipe.
//!
//! **Timestamps.** Each frame's presentation time comes from FFmpeg's `showinfo` filter,
//! which logs `n:` (the frame number) and `pts:` for every frame to stderr, before that
//! frame is written to stdout. A reader thread parses stderr (so that pipe never fills and
//! blocks FFmpeg) and hands the times over in order; `-fps_mode passthrough` stops FFmpeg
//! from duplicating or dropping frames, so the n-th frame on stdout is the n-th it logged.
//! Times are exact for variable-frame-rate video too. Should the log ever not arrive, frames
//! fall back to `index / frame rate`, which is exact for constant-rate video.
//!
//! **Endings.** At the end of the pipe the source checks FFmpeg's exit status, the error lines
//! it printed, a frame cut short, and the frames its duration and rate promise. Any of these
//! after the frames it could decode is a [`SourceError::Truncated`], never a panic or a hang.
//!
//! Needs FFmpeg 5.1 or newer (`-fps_mode`; Debian 12, Ubuntu 24.04).

use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;

mod log;
mod probe;

use log::{LogEvent, read_log};
use probe::spawn_error;
pub use probe::{VideoInfo, ffmpeg_program, parse_rate, probe};
pub(crate) use probe::{parse_dump, probe_failure};

use super::error::SourceError;
use super::frame::{Frame, FrameSource};
use super::images::DEFAULT_FPS;

/// FFmpeg's output as every source reads it: each frame as it comes (none duplicated or
/// dropped), raw RGB, `width × height × 3` bytes, on stdout.
pub(crate) const RAW_RGB_OUTPUT: [&str; 7] = [
    "-fps_mode",
    "passthrough",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-",
];

/// How long to wait for a frame's timestamp line once its pixels have arrived. The line is
/// written first, so this is only a guard against a changed FFmpeg log format.
const PTS_WAIT: Duration = Duration::from_secs(5);
/// How long FFmpeg may take to exit after closing its output before it is killed.
const EXIT_WAIT: Duration = Duration::from_secs(10);
/// FFmpeg error lines kept for the final message (the last ones are the telling ones).
const KEPT_ERRORS: usize = 8;
/// Seconds of frames the expected count (the container's duration times the rate) may exceed
/// what FFmpeg decodes, with no error, without calling the file truncated: MP4 edit lists
/// trim a few leading frames, and a sound track may outlast the picture.
const COUNT_TOLERANCE_S: f64 = 1.0;

/// A video file decoded frame by frame by an `ffmpeg` child process.
#[derive(Debug)]
pub struct VideoSource {
    path: PathBuf,
    info: VideoInfo,
    child: Child,
    stdout: ChildStdout,
    events: Receiver<LogEvent>,
    stderr_reader: Option<JoinHandle<()>>,
    next_index: u64,
    /// Timestamps still arrive from `showinfo`; false once they failed to.
    pts_live: bool,
    /// FFmpeg's last error lines, and how many there were in all.
    errors: Vec<String>,
    error_count: usize,
    finished: bool,
}

impl VideoSource {
    /// Probes `path` and starts decoding it.
    pub fn open(path: &Path) -> Result<Self, SourceError> {
        if !path.exists() {
            return Err(SourceError::NotFound {
                path: path.to_path_buf(),
            });
        }
        let info = probe(path)?;
        let mut child = Command::new(ffmpeg_program())
            .args([
                "-hide_banner",
                "-nostats",
                "-nostdin",
                "-v",
                "level+info",
                // One decoding thread: the pose model needs the other cores more, and a
                // single thread decodes 1080p H.264 faster than the model consumes it.
                "-threads",
                "1",
                "-filter_threads",
                "1",
                "-i",
            ])
            .arg(path)
            .args([
                // The first video stream that is not a cover picture.
                "-map",
                "0:V:0",
                "-vf",
                "showinfo=checksum=0",
            ])
            .args(RAW_RGB_OUTPUT)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| spawn_error("ffmpeg", path, &e))?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SourceError::Open {
                path: path.to_path_buf(),
                what: "the video",
                reason: "ffmpeg's output pipes were not set up".to_owned(),
                hint: "try again".to_owned(),
            });
        };
        let (tx, events) = mpsc::channel();
        let stderr_reader = std::thread::Builder::new()
            .name("ffmpeg-stderr".to_owned())
            .spawn(move || read_log(stderr, &tx))
            .map_err(|e| SourceError::Open {
                path: path.to_path_buf(),
                what: "the video",
                reason: format!("could not start a thread: {e}"),
                hint: "free some system resources and try again".to_owned(),
            });
        let stderr_reader = match stderr_reader {
            Ok(handle) => handle,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        tracing::debug!(path = %path.display(), ?info, "decoding video with ffmpeg");
        Ok(Self {
            path: path.to_path_buf(),
            info,
            child,
            stdout,
            events,
            stderr_reader: Some(stderr_reader),
            next_index: 0,
            pts_live: true,
            errors: Vec::new(),
            error_count: 0,
            finished: false,
        })
    }

    /// What `ffmpeg -i` found when the video was opened.
    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    fn frame_bytes(&self) -> usize {
        self.info.width as usize * self.info.height as usize * 3
    }

    fn note_error(&mut self, line: String) {
        self.error_count += 1;
        if self.errors.len() == KEPT_ERRORS {
            self.errors.remove(0);
        }
        self.errors.push(line);
    }

    /// The presentation time of frame `index`, from the log, else from the frame rate.
    fn timestamp(&mut self, index: u64) -> Duration {
        while self.pts_live {
            match self.events.recv_timeout(PTS_WAIT) {
                Ok(LogEvent::Error(line)) => self.note_error(line),
                Ok(LogEvent::Frame { n, pts }) if n == index => {
                    if let Some(pts) = pts {
                        return pts;
                    }
                    break;
                }
                Ok(LogEvent::Frame { n, .. }) if n < index => {}
                Ok(LogEvent::Frame { n, .. }) => {
                    tracing::warn!(
                        expected = index,
                        got = n,
                        "ffmpeg's frame log is out of step; timing frames by the frame rate"
                    );
                    self.pts_live = false;
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    tracing::warn!(
                        frame = index,
                        "no timestamp from ffmpeg's log; timing frames by the frame rate"
                    );
                    self.pts_live = false;
                }
            }
        }
        let fps = self.info.fps.unwrap_or(DEFAULT_FPS);
        Duration::from_secs_f64(index as f64 / fps)
    }

    /// The pipe has ended (`partial` bytes of a frame were left over): waits for FFmpeg and
    /// decides whether that was the clean end.
    fn finish(&mut self, partial: usize) -> Result<Option<Frame>, SourceError> {
        self.finished = true;
        let status = wait_with_timeout(&mut self.child, EXIT_WAIT);
        if let Some(handle) = self.stderr_reader.take() {
            let _ = handle.join();
        }
        while let Ok(event) = self.events.try_recv() {
            if let LogEvent::Error(line) = event {
                self.note_error(line);
            }
        }
        let decoded = self.next_index;
        let mut problems = Vec::new();
        if !self.errors.is_empty() {
            let more = self.error_count - self.errors.len();
            let mut text = self.errors.join("; ");
            if more > 0 {
                text = format!("{more} earlier error(s), then: {text}");
            }
            problems.push(text);
        }
        match status {
            Ok(s) if s.success() => {}
            Ok(s) if problems.is_empty() => problems.push(format!("ffmpeg exited with {s}")),
            Ok(_) => {}
            Err(reason) => problems.push(reason),
        }
        if partial > 0 {
            problems.push(format!(
                "the last frame was cut short ({partial} of {} bytes)",
                self.frame_bytes()
            ));
        }
        if let Some(expected) = self.info.frames
            && decoded as f64 + COUNT_TOLERANCE_S * self.info.fps.unwrap_or(DEFAULT_FPS)
                < expected as f64
            && problems.is_empty()
        {
            problems.push("ffmpeg reported no error but stopped early".to_owned());
        }
        if problems.is_empty() {
            return Ok(None);
        }
        Err(SourceError::Truncated {
            path: self.path.clone(),
            decoded,
            expected: self.info.frames,
            message: problems.join("; "),
        })
    }
}

impl FrameSource for VideoSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        if self.finished {
            return Ok(None);
        }
        // The frame owns its pixels, so each frame needs its own buffer; reading straight
        // into it saves the copy a shared buffer would cost.
        let mut pixels = vec![0u8; self.frame_bytes()];
        let filled = match read_full(&mut self.stdout, &mut pixels) {
            Ok(n) => n,
            Err(e) => {
                self.note_error(format!("reading ffmpeg's output: {e}"));
                0
            }
        };
        if filled < pixels.len() {
            return self.finish(filled);
        }
        let index = self.next_index;
        self.next_index += 1;
        let timestamp = self.timestamp(index);
        let Some(image) = RgbImage::from_raw(self.info.width, self.info.height, pixels) else {
            // Unreachable: the buffer has exactly width × height × 3 bytes.
            return self.finish(0);
        };
        Ok(Some(Frame {
            image,
            timestamp,
            index,
        }))
    }

    fn describe(&self) -> String {
        let VideoInfo {
            width,
            height,
            fps,
            frames,
            ..
        } = &self.info;
        let mut text = format!("video {} ({width}×{height}", self.path.display());
        if let Some(fps) = fps {
            text += &format!(", {fps:.3} fps");
        }
        if let Some(n) = frames {
            text += &format!(", {n} frames");
        }
        text + ")"
    }

    fn len_hint(&self) -> Option<u64> {
        self.info.frames
    }
}

impl Drop for VideoSource {
    fn drop(&mut self) {
        // Stopping early: FFmpeg would otherwise block on a full pipe forever.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(handle) = self.stderr_reader.take() {
            let _ = handle.join();
        }
    }
}

/// Reads until `buf` is full or the pipe ends; returns the bytes read.
pub(crate) fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn wait_with_timeout(
    child: &mut Child,
    timeout: Duration,
) -> Result<std::process::ExitStatus, String> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if start.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "ffmpeg did not exit {}s after its output ended and was stopped",
                    timeout.as_secs()
                ));
            }
            Err(e) => return Err(format!("could not wait for ffmpeg: {e}")),
        }
    }
}
