//! Probing a video before decoding it: `ffprobe` reports the first video stream's size
//! (upright), frame rate, frame count and duration as a [`VideoInfo`].

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

use crate::source::error::{FFMPEG_INSTALL, SourceError};

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

/// The error for a failure to run `tool` (ffmpeg or ffprobe) on `path`.
pub(super) fn spawn_error(tool: &'static str, path: &Path, e: &std::io::Error) -> SourceError {
    if e.kind() == std::io::ErrorKind::NotFound {
        SourceError::FfmpegMissing {
            tool,
            path: path.to_path_buf(),
        }
    } else {
        SourceError::Open {
            path: path.to_path_buf(),
            what: "the video",
            reason: format!("could not run {tool}: {e}"),
            hint: format!("check the FFmpeg installation (`{}`)", FFMPEG_INSTALL),
        }
    }
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
}
