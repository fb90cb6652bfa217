//! Turning samples into things people read or load elsewhere: per-frame CSV rows, a JSON
//! summary and the HTML report. Pure functions from data to records, plus [`export`], which reads
//! a stored session for them, and [`write`], the one place their files are written.

mod charts;
pub mod csv;
pub mod export;
pub mod html;
pub mod summary;
pub mod write;

pub use export::{ExportError, ExportFormat, export_session, summary_of};
pub use write::{REPORTS_DIR, WriteError, report_path, write_export, write_report};

/// "2026-11-25 17:40 UTC", from milliseconds since the epoch.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem / 60) % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_civil_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_795_628_400_000), "2026-11-25 17:40 UTC");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
