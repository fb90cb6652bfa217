//! FFmpeg's log while it decodes: each frame's presentation time from the `showinfo` filter,
//! and its error lines, read from stderr on a thread and passed to the [`super::VideoSource`].

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc;
use std::time::Duration;

/// What the stderr reader passes on.
#[derive(Debug, PartialEq)]
pub(super) enum LogEvent {
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
pub(super) fn read_log(stderr: impl Read, tx: &mpsc::Sender<LogEvent>) {
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
