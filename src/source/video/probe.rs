//! Probing a video before decoding it: `ffmpeg -i` describes the input, and its first video
//! stream's size (upright), frame rate and duration become a [`VideoInfo`].
//!
//! **Why not `ffprobe`.** The Windows builds of FFmpeg that can be shipped (PyPI's
//! `imageio-ffmpeg`) carry `ffmpeg.exe` alone, and a second 80 MB program only to read a
//! header is a poor trade. `ffmpeg -i FILE` prints the same facts in its input dump; with
//! `-v level+info` every line of it starts with `[info]`, so a line a hostile file name
//! smuggles in (it has no such prefix) is never read as a stream.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::source::error::{FFMPEG_INSTALL, SourceError};

/// What `ffmpeg -i` says about a video's first video stream.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoInfo {
    /// Frame size as decoded, after the display rotation FFmpeg applies.
    pub width: u32,
    pub height: u32,
    /// Average frame rate, else the stream's base rate; `None` when neither is known.
    pub fps: Option<f64>,
    /// Frames expected: the duration times the average rate, rounded (exact for
    /// constant-rate video; `None` when either is unknown).
    pub frames: Option<u64>,
    /// The input's duration as its container states it.
    pub duration: Option<Duration>,
}

/// FFmpeg's program: `ffmpeg` (`ffmpeg.exe`) beside plumbline's own executable when there is
/// one, as the Windows zip and installer carry it, else `ffmpeg` on the `PATH`.
pub fn ffmpeg_program() -> PathBuf {
    let name = format!("ffmpeg{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&name)))
        .filter(|beside| beside.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Reads the first video stream of `path` from `ffmpeg -i`'s description of it.
pub fn probe(path: &Path) -> Result<VideoInfo, SourceError> {
    // With no output named, FFmpeg describes the input and exits 1: that is the normal end.
    let output = Command::new(ffmpeg_program())
        .args(["-hide_banner", "-nostdin", "-v", "level+info", "-i"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error("ffmpeg", path, &e))?;
    // The name as FFmpeg echoes it is no part of the description.
    let stderr = String::from_utf8_lossy(&output.stderr).replace(&*path.to_string_lossy(), "");
    let Some(dump) = input_dump(&stderr) else {
        return Err(SourceError::Open {
            path: path.to_path_buf(),
            what: "the video",
            reason: probe_failure(&stderr),
            hint: "check that it is a video FFmpeg can play (`ffplay FILE`)".to_owned(),
        });
    };
    parse_dump(&dump).map_err(|reason| SourceError::Unsupported {
        path: path.to_path_buf(),
        reason,
    })
}

/// The `[info]` lines from `Input #0` on, without their prefix; `None` when FFmpeg could
/// not read the input at all.
fn input_dump(stderr: &str) -> Option<Vec<&str>> {
    let lines: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("[info] "))
        .skip_while(|l| !l.starts_with("Input #0"))
        .collect();
    (!lines.is_empty()).then_some(lines)
}

/// FFmpeg's complaint in a few words: its last error lines, without the `[mov @ 0x…]`
/// context, the level and the file name (the error names the file itself).
pub(crate) fn probe_failure(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .filter_map(|l| {
            let mut rest = l.trim();
            // `[mov,mp4,… @ 0x55…] [error] moov atom not found`: the context goes first.
            if rest.starts_with('[') && !rest.starts_with("[error]") && !rest.starts_with("[fatal]")
            {
                rest = rest[rest.find("] ")? + 2..].trim_start();
            }
            let message = rest
                .strip_prefix("[error]")
                .or_else(|| rest.strip_prefix("[fatal]"))?
                .trim_start()
                .trim_start_matches(": ")
                .trim();
            // Asking for no output is how the probe is made, not what went wrong.
            (!message.is_empty() && !message.starts_with("At least one output file"))
                .then_some(message)
        })
        .collect();
    if lines.is_empty() {
        return "ffmpeg could not read it".to_owned();
    }
    lines[lines.len().saturating_sub(3)..].join("; ")
}

/// `ffmpeg -i`'s input dump (lines without their `[info] `) → [`VideoInfo`]; the error says
/// why it is not a usable video.
pub(crate) fn parse_dump(lines: &[&str]) -> Result<VideoInfo, String> {
    let duration = lines
        .iter()
        .find_map(|l| l.trim_start().strip_prefix("Duration: "))
        .and_then(|d| parse_clock(d.split(',').next().unwrap_or_default()));
    // The first video stream that is not a cover picture, as `-map 0:V:0` decodes.
    let stream = lines.iter().position(|l| {
        let l = l.trim_start();
        l.starts_with("Stream #0:") && l.contains(": Video: ") && !l.ends_with("(attached pic)")
    });
    let Some(stream) = stream else {
        return Err("it has no video stream".to_owned());
    };
    let line = lines[stream];
    let description = &line[line.find(": Video: ").unwrap_or(0) + ": Video: ".len()..];
    let fields = top_level_fields(description);
    let size = fields.iter().find_map(|f| {
        let (w, h) = f.split_whitespace().next()?.split_once('x')?;
        Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?))
    });
    let Some((width, height)) = size else {
        return Err("its video stream has no frame size".to_owned());
    };
    if width == 0 || height == 0 {
        return Err(format!("its video stream is {width}×{height}"));
    }
    let rate = |unit: &str| {
        fields
            .iter()
            .find_map(|f| f.strip_suffix(unit))
            .and_then(parse_dump_rate)
    };
    let fps = rate(" fps").or_else(|| rate(" tbr"));
    // The stream's own lines (metadata, side data) run until the next stream or section.
    let indent = line.len() - line.trim_start().len();
    let rotation = lines[stream + 1..]
        .iter()
        .take_while(|l| l.len() - l.trim_start().len() > indent)
        .find_map(|l| {
            let after = l.split_once("rotation of ")?.1;
            after.split_whitespace().next()?.parse::<f64>().ok()
        })
        .unwrap_or(0.0);
    // FFmpeg turns frames upright by the display rotation (phone videos), swapping sides.
    let quarter_turns = (rotation / 90.0).round() as i64;
    let (width, height) = if quarter_turns % 2 != 0 {
        (height, width)
    } else {
        (width, height)
    };
    let frames = match (duration, fps) {
        (Some(d), Some(fps)) => Some((d.as_secs_f64() * fps).round() as u64).filter(|&n| n > 0),
        _ => None,
    };
    Ok(VideoInfo {
        width,
        height,
        fps,
        frames,
        duration,
    })
}

/// A stream's description split at the commas outside parentheses and brackets:
/// `h264 (High) (avc1 / 0x31637661)`, `yuv420p(tv, progressive)`, `640x480 [SAR 1:1]`, ….
fn top_level_fields(description: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in description.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                fields.push(description[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(description[start..].trim());
    fields
}

/// A rate as the dump prints it: `30`, `29.97`, `1k`; `None` when not positive and finite.
fn parse_dump_rate(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, scale) = match text.strip_suffix('k') {
        Some(n) => (n, 1000.0),
        None => (text, 1.0),
    };
    let rate = number.parse::<f64>().ok()? * scale;
    (rate.is_finite() && rate > 0.0).then_some(rate)
}

/// `HH:MM:SS.cc` → a duration; `None` for `N/A`.
fn parse_clock(text: &str) -> Option<Duration> {
    let mut parts = text.trim().splitn(3, ':');
    let hours: f64 = parts.next()?.parse().ok()?;
    let minutes: f64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next()?.parse().ok()?;
    Duration::try_from_secs_f64(hours * 3600.0 + minutes * 60.0 + seconds).ok()
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

    /// `ffmpeg -hide_banner -v level+info -i` on a file, as `probe` reads it.
    fn dump(stderr: &str) -> Result<VideoInfo, String> {
        parse_dump(&input_dump(stderr).expect("an input dump"))
    }

    #[test]
    fn the_dump_of_an_mp4_with_sound() {
        // FFmpeg 5.1 on a 2 s clip: 30 fps video and an AAC track.
        let stderr = "\
[info] Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'av.mp4':
[info]   Metadata:
[info]     major_brand     : isom
[info]     encoder         : Lavf59.27.100
[info]   Duration: 00:00:02.00, start: 0.000000, bitrate: 371 kb/s
[info]   Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 320x240 [SAR 1:1 DAR 4:3], 287 kb/s, 29.97 fps, 29.97 tbr, 15360 tbn (default)
[info]     Metadata:
[info]       handler_name    : VideoHandler
[info]   Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)
[fatal] At least one output file must be specified
";
        let info = dump(stderr).unwrap();
        // Not 0x31637661 from the codec tag: the size is a field of its own.
        assert_eq!((info.width, info.height), (320, 240));
        assert_eq!(info.fps, Some(29.97));
        assert_eq!(info.duration, Some(Duration::from_secs(2)));
        assert_eq!(info.frames, Some(60));
    }

    #[test]
    fn the_dump_of_a_webm_and_of_a_stream_without_a_frame_rate() {
        // Matroska: the size field has no brackets after it; the rate may only be a `tbr`.
        let stderr = "\
[info] Input #0, matroska,webm, from 'w.webm':
[info]   Duration: N/A, start: 0.000000, bitrate: N/A
[info]   Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv, progressive), 320x240, SAR 1:1 DAR 4:3, 25 tbr, 1k tbn
";
        let info = dump(stderr).unwrap();
        assert_eq!((info.width, info.height, info.fps), (320, 240, Some(25.0)));
        assert_eq!((info.duration, info.frames), (None, None));
        assert_eq!(parse_dump_rate("1k"), Some(1000.0));
        assert_eq!(parse_dump_rate("0"), None);
        assert_eq!(
            parse_clock("01:02:03.50"),
            Some(Duration::from_secs_f64(3723.5))
        );
    }

    #[test]
    fn a_portrait_phone_video_swaps_sides_and_a_cover_picture_is_passed_over() {
        let stderr = "\
[info] Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'rot.mp4':
[info]   Duration: 00:00:02.00, start: 0.000000, bitrate: 1059 kb/s
[info]   Stream #0:0[0x1](und): Video: mjpeg (Baseline), yuvj420p(pc), 600x600, 90k tbr, 90k tbn (attached pic)
[info]   Stream #0:1[0x2](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 1055 kb/s, 30 fps, 30 tbr, 15360 tbn (default)
[info]     Metadata:
[info]       handler_name    : VideoHandler
[info]     Side data:
[info]       displaymatrix: rotation of -90.00 degrees
[info]   Stream #0:2[0x3](und): Audio: aac (LC), 44100 Hz, mono, fltp, 69 kb/s (default)
";
        let info = dump(stderr).unwrap();
        assert_eq!((info.width, info.height), (1080, 1920));
        let upside_down = stderr.replace("-90.00", "180.00");
        assert_eq!(dump(&upside_down).unwrap().width, 1920);
        // A rotation said of another stream is not this one's.
        let elsewhere = stderr.replace(
            "[info]     Side data:\n[info]       displaymatrix: rotation of -90.00 degrees\n",
            "",
        ) + "[info]     Side data:\n[info]       displaymatrix: rotation of -90.00 degrees\n";
        assert_eq!(dump(&elsewhere).unwrap().width, 1920);
    }

    #[test]
    fn a_dump_without_a_usable_video_stream_is_refused() {
        let audio = "\
[info] Input #0, mp3, from 'song.mp3':
[info]   Duration: 00:03:00.00, start: 0.000000, bitrate: 128 kb/s
[info]   Stream #0:0: Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s
";
        assert!(dump(audio).unwrap_err().contains("no video stream"));
        let sizeless = "[info] Input #0, x, from 'a':\n[info]   Stream #0:0: Video: h264, none\n";
        assert!(dump(sizeless).unwrap_err().contains("no frame size"));
        let empty = "[info] Input #0, x, from 'a':\n[info]   Stream #0:0: Video: h264, 0x0\n";
        assert!(dump(empty).is_err());
        assert_eq!(
            input_dump("[error] a.mp4: No such file or directory\n"),
            None
        );
    }

    #[test]
    fn lines_a_file_name_smuggles_in_are_not_read() {
        // A name with a line break and a fake stream: the second line has no `[info]`.
        let stderr = "\
[info] Input #0, matroska,webm, from 'x
  Stream #0:0: Video: h264, 9999x9999, 1 fps':
[info]   Duration: 00:00:01.00, start: 0.000000, bitrate: 317 kb/s
[info]   Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv, progressive), 320x240, 25 fps, 25 tbr, 1k tbn
";
        let info = dump(stderr).unwrap();
        assert_eq!((info.width, info.height, info.fps), (320, 240, Some(25.0)));
    }

    #[test]
    fn probe_failures_read_without_pointers_levels_or_the_path() {
        // As `probe` passes it on, the path already taken out.
        let stderr = "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x561f39b094c0] [error] moov atom not found\n\
                      [error] : Invalid data found when processing input\n\
                      [fatal] At least one output file must be specified\n";
        assert_eq!(
            probe_failure(stderr),
            "moov atom not found; Invalid data found when processing input"
        );
        assert_eq!(
            probe_failure("[warning] something\n"),
            "ffmpeg could not read it"
        );
    }
}
