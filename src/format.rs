//! How plumbline writes times, durations and shares for people, in one place: the alerts, the
//! window, the session list and the reports all say "2 min 5 s" and "73%" the same way.

use std::time::Duration;

/// A duration in plain words, to the second: "12 s", "2 min", "2 min 5 s", "1 h 20 min".
pub fn plain_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 if secs.is_multiple_of(60) => format!("{} min", secs / 60),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, (secs / 60) % 60),
    }
}

/// [`plain_duration`] of a number of seconds, rounded (negative and non-finite count as 0).
pub fn plain_seconds(secs: f64) -> String {
    let rounded = if secs.is_finite() { secs.max(0.0) } else { 0.0 };
    plain_duration(rounded.round() as u64)
}

/// A running time as a clock: "1:05", "1:02:05".
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A share as a whole percentage, "73%", or "—" when there is none (a session that spans no
/// time).
pub fn percent(fraction: Option<f64>) -> String {
    fraction
        .filter(|f| f.is_finite())
        .map_or("—".to_string(), |f| format!("{:.0}%", f * 100.0))
}

/// Text from a file name or the user (a session's source, its notes) made safe to print on a
/// terminal: control characters (escape sequences, carriage returns, C1 codes) are written as
/// Rust escapes (`\u{1b}`, `\r`), so a name cannot move the cursor, recolour or retitle the
/// terminal. JSON output keeps the exact text.
pub fn terminal_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// "2026-11-25 18:40 CET": milliseconds since the epoch as a person reads them, in the
/// computer's own time zone (`$TZ`, else the system's; UTC when neither is known), with the
/// zone said. The JSON outputs keep UTC milliseconds.
pub fn date_time(ms: i64) -> String {
    date_time_in(ms, &jiff::tz::TimeZone::system())
}

/// [`date_time`] in time zone `tz`.
pub fn date_time_in(ms: i64, tz: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string(),
        Err(_) => format!("{ms} ms after 1970"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_reach_the_terminal_as_escapes() {
        assert_eq!(terminal_text("clip ü.mp4"), "clip ü.mp4");
        assert_eq!(
            terminal_text("a\u{1b}]0;pwned\u{7}b\u{9b}2Jc\r\n\u{7f}"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{9b}2Jc\\r\\n\\u{7f}"
        );
    }

    #[test]
    fn durations_read_as_plain_words() {
        assert_eq!(plain_duration(0), "0 s");
        assert_eq!(plain_duration(59), "59 s");
        assert_eq!(plain_duration(60), "1 min");
        assert_eq!(plain_duration(125), "2 min 5 s");
        assert_eq!(plain_duration(4800), "1 h 20 min");
        assert_eq!(plain_seconds(59.6), "1 min");
        assert_eq!(plain_seconds(-3.0), "0 s");
        assert_eq!(plain_seconds(f64::NAN), "0 s");
    }

    #[test]
    fn a_running_time_reads_like_a_clock() {
        assert_eq!(clock(Duration::from_secs(65)), "1:05");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
    }

    #[test]
    fn shares_are_whole_percentages() {
        assert_eq!(percent(Some(0.734)), "73%");
        assert_eq!(percent(Some(1.0)), "100%");
        assert_eq!(percent(None), "—");
        assert_eq!(percent(Some(f64::NAN)), "—");
    }

    #[test]
    fn times_are_civil_utc() {
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(date_time_in(0, &utc), "1970-01-01 00:00 UTC");
        assert_eq!(
            date_time_in(1_795_628_400_000, &utc),
            "2026-11-25 17:40 UTC"
        );
        assert_eq!(date_time_in(951_782_400_000, &utc), "2000-02-29 00:00 UTC");
        // Local time with its zone, summer time included (a POSIX rule: no tz database needed).
        let berlin = jiff::tz::TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert_eq!(
            date_time_in(1_795_628_400_000, &berlin),
            "2026-11-25 18:40 CET"
        );
        assert_eq!(
            date_time_in(1_782_400_000_000, &berlin),
            "2026-06-25 17:06 CEST"
        );
    }
}
