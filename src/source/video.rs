//! Video files as a frame source: an `ffmpeg` child process decodes the first video stream
//! into raw RGB frames on a pipe; `ffprobe` reads the size, rate and frame count first.
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
//! it printed, a frame cut short, and the frame count the container announced. Any of these
//! after the frames it could decode is a [`SourceError::Truncated`], never a panic or a hang.
//!
//! Needs FFmpeg 5.1 or newer (`-fps_mode`; Debian 12, Ubuntu 24.04).

use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;
use serde::Deserialize;

use super::{DEFAULT_FPS, Frame, FrameSource, SourceError};

/// How long to wait for a frame's timestamp line once its pixels have arrived. The line is
/// written first, so this is only a guard against a changed FFmpeg log format.
const PTS_WAIT: Duration = Duration::from_secs(5);
/// How long FFmpeg may take to exit after closing its output before it is killed.
const EXIT_WAIT: Duration = Duration::from_secs(10);
/// FFmpeg error lines kept for the final message (the last ones are the telling ones).
const KEPT_ERRORS: usize = 8;
/// Frames a container's count may exceed what FFmpeg decodes without calling the file
/// truncated: MP4 edit lists legitimately trim a few leading frames.
const COUNT_TOLERANCE: u64 = 2;

/// What `ffprobe` says about a video's first video stream.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoInfo {
    /// Frame size as decoded, after the display rotation FFmpeg applies.
    pub width: u32,
    pub height: u32,
    /// Average frame rate, else the stream's base rate; `None` when neither is known.
    pub fps: Option<f64>,
    /// Frame count the container announces (MP4 and MOV do, WebM and MKV often don't).
    pub frames: Option<u64>,
    pub duration: Option<Duration>,
}

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
        let mut child = Command::new("ffmpeg")
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
                "-map",
                "0:v:0",
                "-vf",
                "showinfo=checksum=0",
                "-fps_mode",
                "passthrough",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                "-",
            ])
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

    /// What `ffprobe` found when the video was opened.
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
            && decoded + COUNT_TOLERANCE < expected
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
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
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

fn spawn_error(tool: &'static str, path: &Path, e: &std::io::Error) -> SourceError {
    if e.kind() == ErrorKind::NotFound {
        SourceError::FfmpegMissing {
            tool,
            path: path.to_path_buf(),
        }
    } else {
        SourceError::Open {
            path: path.to_path_buf(),
            what: "the video",
            reason: format!("could not run {tool}: {e}"),
            hint: format!(
                "check the FFmpeg installation (`{}`)",
                super::FFMPEG_INSTALL
            ),
        }
    }
}

/// Runs `ffprobe` on the first video stream of `path`.
pub fn probe(path: &Path) -> Result<VideoInfo, SourceError> {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height,nb_frames,r_frame_rate,avg_frame_rate,duration\
             :stream_side_data=rotation:stream_tags=rotate",
            "-of",
            "json",
        ])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error("ffprobe", path, &e))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(SourceError::Open {
            path: path.to_path_buf(),
            what: "the video",
            reason: probe_failure(&stderr, path),
            hint: "check that it is a video FFmpeg can play (`ffplay FILE`)".to_owned(),
        });
    }
    parse_probe(&String::from_utf8_lossy(&output.stdout)).map_err(|reason| {
        SourceError::Unsupported {
            path: path.to_path_buf(),
            reason,
        }
    })
}

/// ffprobe's complaint in a few words: its last lines, without the `[mov @ 0x…]` context
/// and the file name (the error names the file itself).
fn probe_failure(stderr: &str, path: &Path) -> String {
    let file_prefix = format!("{}: ", path.display());
    let lines: Vec<&str> = stderr
        .lines()
        .map(|l| {
            let l = l.trim();
            let l = match (l.starts_with('['), l.find("] ")) {
                (true, Some(end)) => &l[end + 2..],
                _ => l,
            };
            l.strip_prefix(&file_prefix).unwrap_or(l)
        })
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return "ffprobe could not read it".to_owned();
    }
    lines[lines.len().saturating_sub(3)..].join("; ")
}

#[derive(Debug, Deserialize)]
struct ProbeOutput {
    #[serde(default)]
    streams: Vec<ProbeStream>,
}

#[derive(Debug, Deserialize)]
struct ProbeStream {
    width: Option<u32>,
    height: Option<u32>,
    r_frame_rate: Option<String>,
    avg_frame_rate: Option<String>,
    nb_frames: Option<String>,
    duration: Option<String>,
    #[serde(default)]
    side_data_list: Vec<SideData>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Debug, Default, Deserialize)]
struct SideData {
    rotation: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
struct Tags {
    rotate: Option<String>,
}

/// `ffprobe -of json` output → [`VideoInfo`]; the error says why it is not a usable video.
fn parse_probe(json: &str) -> Result<VideoInfo, String> {
    let probe: ProbeOutput =
        serde_json::from_str(json).map_err(|e| format!("unreadable ffprobe output: {e}"))?;
    let Some(stream) = probe.streams.into_iter().next() else {
        return Err("it has no video stream".to_owned());
    };
    let (Some(width), Some(height)) = (stream.width, stream.height) else {
        return Err("its video stream has no frame size".to_owned());
    };
    if width == 0 || height == 0 {
        return Err(format!("its video stream is {width}×{height}"));
    }
    // FFmpeg turns frames upright by the display rotation (phone videos), swapping sides.
    let rotation = stream
        .side_data_list
        .iter()
        .find_map(|s| s.rotation)
        .or_else(|| stream.tags.rotate.as_deref().and_then(|r| r.parse().ok()))
        .unwrap_or(0.0);
    let quarter_turns = (rotation / 90.0).round() as i64;
    let (width, height) = if quarter_turns % 2 != 0 {
        (height, width)
    } else {
        (width, height)
    };
    let fps = stream
        .avg_frame_rate
        .as_deref()
        .and_then(parse_rate)
        .or_else(|| stream.r_frame_rate.as_deref().and_then(parse_rate));
    let frames = stream
        .nb_frames
        .as_deref()
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|&n| n > 0);
    let duration = stream
        .duration
        .as_deref()
        .and_then(|d| d.parse::<f64>().ok())
        .and_then(|d| Duration::try_from_secs_f64(d).ok());
    Ok(VideoInfo {
        width,
        height,
        fps,
        frames,
        duration,
    })
}

/// A rate as FFmpeg writes it, `"30000/1001"` or `"25"`; `None` for `"0/0"` (unknown) and
/// anything not positive and finite.
pub fn parse_rate(text: &str) -> Option<f64> {
    let rate = match text.trim().split_once('/') {
        Some((num, den)) => num.trim().parse::<f64>().ok()? / den.trim().parse::<f64>().ok()?,
        None => text.trim().parse::<f64>().ok()?,
    };
    (rate.is_finite() && rate > 0.0).then_some(rate)
}

/// What the stderr reader passes on.
#[derive(Debug, PartialEq)]
enum LogEvent {
    /// `showinfo` saw frame `n`, shown at `pts` (when it had one).
    Frame { n: u64, pts: Option<Duration> },
    /// An error line, context first: "h264: Invalid NAL unit size".
    Error(String),
}

/// One stderr line, parsed.
#[derive(Debug, PartialEq)]
enum LogLine {
    /// `showinfo`'s time base: pts are in units of `num / den` seconds.
    TimeBase {
        num: u64,
        den: u64,
    },
    Frame {
        n: u64,
        pts: Option<i64>,
        pts_time: Option<f64>,
    },
    Error(String),
    Other,
}

/// Reads FFmpeg's stderr to its end, passing frame times and errors to `tx`.
fn read_log(stderr: impl Read, tx: &mpsc::Sender<LogEvent>) {
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    let mut time_base: Option<(u64, u64)> = None;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let event = match parse_log_line(text.trim_end()) {
            LogLine::TimeBase { num, den } => {
                time_base = Some((num, den));
                continue;
            }
            LogLine::Frame { n, pts, pts_time } => LogEvent::Frame {
                n,
                pts: presentation_time(pts, time_base, pts_time),
            },
            LogLine::Error(message) => LogEvent::Error(message),
            LogLine::Other => continue,
        };
        // The source is gone: keep draining so FFmpeg is never blocked on a full pipe.
        let _ = tx.send(event);
    }
}

/// Exact time from the integer pts and time base; `showinfo`'s printed `pts_time` (six
/// significant digits) only when the time base is unknown. Negative times clamp to zero.
fn presentation_time(
    pts: Option<i64>,
    time_base: Option<(u64, u64)>,
    pts_time: Option<f64>,
) -> Option<Duration> {
    if let (Some(pts), Some((num, den))) = (pts, time_base)
        && den > 0
    {
        let nanos = i128::from(pts.max(0)) * i128::from(num) * 1_000_000_000 / i128::from(den);
        return Some(Duration::from_nanos(u64::try_from(nanos).ok()?));
    }
    pts_time.map(|t| Duration::try_from_secs_f64(t.max(0.0)).unwrap_or_default())
}

/// Parses one line of `ffmpeg -v level+info` output: `[ctx @ 0x…] [level] message`.
fn parse_log_line(line: &str) -> LogLine {
    let mut rest = line.trim_start();
    let mut context = None;
    let mut level = None;
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(end) = inner.find(']') else { break };
        let tag = &inner[..end];
        rest = inner[end + 1..].trim_start();
        match tag {
            "quiet" | "panic" | "fatal" | "error" | "warning" | "info" | "verbose" | "debug"
            | "trace" => {
                level = Some(tag);
                break;
            }
            _ => context = Some(tag.split(" @ ").next().unwrap_or(tag)),
        }
    }
    match level {
        Some("panic" | "fatal" | "error") => {
            return LogLine::Error(match context {
                Some(c) => format!("{c}: {rest}"),
                None => rest.to_owned(),
            });
        }
        Some("info") if context.is_some_and(|c| c.starts_with("Parsed_showinfo")) => {}
        _ => return LogLine::Other,
    }
    if let Some(tb) = rest.strip_prefix("config in time_base:") {
        let tb = tb.split(',').next().unwrap_or("").trim();
        if let Some((num, den)) = tb.split_once('/')
            && let (Ok(num), Ok(den)) = (num.parse(), den.parse())
        {
            return LogLine::TimeBase { num, den };
        }
        return LogLine::Other;
    }
    if !rest.starts_with("n:") {
        return LogLine::Other;
    }
    let field = |key: &str| showinfo_field(rest, key);
    match field("n").and_then(|n| n.parse().ok()) {
        Some(n) => LogLine::Frame {
            n,
            pts: field("pts").and_then(|p| p.parse().ok()),
            pts_time: field("pts_time").and_then(|p| p.parse().ok()),
        },
        None => LogLine::Other,
    }
}

/// The value after `key:` in a `showinfo` line, where values may be space-padded
/// (`n:   0 pts:  512 pts_time:0.0333`).
fn showinfo_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let mut tokens = line.split_whitespace();
    while let Some(token) = tokens.next() {
        let Some((k, v)) = token.split_once(':') else {
            continue;
        };
        if k == key {
            return if v.is_empty() { tokens.next() } else { Some(v) };
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_as_ffmpeg_writes_them() {
        struct Case {
            text: &'static str,
            expected: Option<f64>,
        }
        let cases = [
            // NTSC: the reason rates are fractions.
            Case {
                text: "30000/1001",
                expected: Some(29.97002997),
            },
            Case {
                text: "30/1",
                expected: Some(30.0),
            },
            Case {
                text: "25",
                expected: Some(25.0),
            },
            // ffprobe's "unknown".
            Case {
                text: "0/0",
                expected: None,
            },
            Case {
                text: "0/1",
                expected: None,
            },
            Case {
                text: "N/A",
                expected: None,
            },
            Case {
                text: "",
                expected: None,
            },
        ];
        for c in cases {
            match (parse_rate(c.text), c.expected) {
                (Some(got), Some(want)) => assert!((got - want).abs() < 1e-6, "{}", c.text),
                (got, want) => assert_eq!(got, want, "{}", c.text),
            }
        }
    }

    #[test]
    fn probe_json_of_an_mp4() {
        let json = r#"{"programs": [], "streams": [{"width": 640, "height": 480,
            "r_frame_rate": "30/1", "avg_frame_rate": "30000/1001", "duration": "2.000000",
            "nb_frames": "60", "tags": {}}]}"#;
        let info = parse_probe(json).unwrap();
        assert_eq!((info.width, info.height), (640, 480));
        assert!(
            (info.fps.unwrap() - 29.97).abs() < 0.01,
            "avg_frame_rate wins"
        );
        assert_eq!(info.frames, Some(60));
        assert_eq!(info.duration, Some(Duration::from_secs(2)));
    }

    #[test]
    fn probe_json_of_a_webm_without_counts() {
        // Matroska has no frame count or stream duration; avg_frame_rate may be unknown.
        let json = r#"{"streams": [{"width": 320, "height": 240, "r_frame_rate": "25/1",
            "avg_frame_rate": "0/0"}]}"#;
        let info = parse_probe(json).unwrap();
        assert_eq!(info.fps, Some(25.0));
        assert_eq!(info.frames, None);
        assert_eq!(info.duration, None);
    }

    #[test]
    fn probe_json_of_a_portrait_phone_video_swaps_sides() {
        let side_data = r#"{"streams": [{"width": 1920, "height": 1080,
            "side_data_list": [{"rotation": -90}]}]}"#;
        let info = parse_probe(side_data).unwrap();
        assert_eq!((info.width, info.height), (1080, 1920));
        // FFmpeg before 5.0 wrote the rotation as a tag.
        let tag = r#"{"streams": [{"width": 1920, "height": 1080, "tags": {"rotate": "90"}}]}"#;
        assert_eq!(parse_probe(tag).unwrap().width, 1080);
        let upside_down = r#"{"streams": [{"width": 1920, "height": 1080,
            "side_data_list": [{"rotation": 180}]}]}"#;
        assert_eq!(parse_probe(upside_down).unwrap().width, 1920);
    }

    #[test]
    fn probe_json_without_a_video_stream_is_refused() {
        assert!(
            parse_probe(r#"{"programs": [], "streams": []}"#)
                .unwrap_err()
                .contains("no video stream")
        );
        assert!(parse_probe(r#"{}"#).is_err());
        assert!(parse_probe("not json").is_err());
        assert!(parse_probe(r#"{"streams": [{"width": 0, "height": 0}]}"#).is_err());
    }

    #[test]
    fn showinfo_lines() {
        let tb = "[Parsed_showinfo_0 @ 0x55b9521cc140] [info] config in time_base: 1/15360, frame_rate: 30/1";
        assert_eq!(parse_log_line(tb), LogLine::TimeBase { num: 1, den: 15360 });
        let frame = "[Parsed_showinfo_0 @ 0x55b9521cc140] [info] n:  59 pts:  30208 pts_time:1.96667 pos:    53007 fmt:yuv420p sar:0/1 s:640x480 i:P iskey:0 type:P ";
        assert_eq!(
            parse_log_line(frame),
            LogLine::Frame {
                n: 59,
                pts: Some(30208),
                pts_time: Some(1.96667)
            }
        );
        let no_pts = "[Parsed_showinfo_0 @ 0x1] [info] n:   3 pts:NOPTS pts_time:NOPTS pos: -1";
        assert_eq!(
            parse_log_line(no_pts),
            LogLine::Frame {
                n: 3,
                pts: None,
                pts_time: None
            }
        );
        // Side-data lines of the same filter are not frames.
        let side = "[Parsed_showinfo_0 @ 0x1] [info] color_range:unknown color_space:unknown";
        assert_eq!(parse_log_line(side), LogLine::Other);
    }

    #[test]
    fn error_lines_keep_their_context_without_the_pointer() {
        let line = "[h264 @ 0x5652b0d2eec0] [error] Invalid NAL unit size (48104 > 29584).";
        assert_eq!(
            parse_log_line(line),
            LogLine::Error("h264: Invalid NAL unit size (48104 > 29584).".to_owned())
        );
        let bare = "[error] Error while decoding stream #0:0: Invalid data found";
        assert_eq!(
            parse_log_line(bare),
            LogLine::Error("Error while decoding stream #0:0: Invalid data found".to_owned())
        );
        assert_eq!(
            parse_log_line("[warning] cut.mp4: corrupt input packet"),
            LogLine::Other
        );
        assert_eq!(parse_log_line("[info] Stream mapping:"), LogLine::Other);
        assert_eq!(
            parse_log_line("Consider increasing the value"),
            LogLine::Other
        );
    }

    #[test]
    fn probe_failures_read_without_pointers_or_the_path() {
        let stderr = "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x561f39b094c0] moov atom not found\n\
                      /tmp/cut.mp4: Invalid data found when processing input\n";
        assert_eq!(
            probe_failure(stderr, Path::new("/tmp/cut.mp4")),
            "moov atom not found; Invalid data found when processing input"
        );
        assert_eq!(
            probe_failure("", Path::new("x")),
            "ffprobe could not read it"
        );
    }

    #[test]
    fn presentation_time_prefers_the_exact_pts() {
        // 30208 / 15360 s = 1.966666… s; pts_time is rounded to 1.96667.
        let t = presentation_time(Some(30208), Some((1, 15360)), Some(1.96667)).unwrap();
        assert_eq!(t, Duration::from_nanos(1_966_666_666));
        let printed = presentation_time(Some(30208), None, Some(1.96667)).unwrap();
        assert_eq!(printed, Duration::from_secs_f64(1.96667));
        assert_eq!(
            presentation_time(Some(-512), Some((1, 15360)), None),
            Some(Duration::ZERO)
        );
        assert_eq!(presentation_time(None, Some((1, 15360)), None), None);
    }
}
