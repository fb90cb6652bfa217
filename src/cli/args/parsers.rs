//! The value parsers of the command line's arguments: each range is checked as the argument is
//! parsed, with a message that says what was expected.

use crate::geometry::metrics::MIN_VISIBILITY_RANGE;
use crate::geometry::preset::{Measure, Practice};

/// `--threads`: 1 to 64.
pub(super) fn threads_parser() -> impl clap::builder::TypedValueParser<Value = usize> {
    use clap::builder::TypedValueParser as _;
    clap::value_parser!(u16).range(1..=64).map(usize::from)
}

pub(super) fn window_size(s: &str) -> Result<[f32; 2], String> {
    let bad = || format!("'{s}' is not a window size like 1280x800 (each side 320 to 8192)");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let side = |v: &str| {
        v.trim()
            .parse::<u16>()
            .ok()
            .filter(|v| (320..=8192).contains(v))
            .map(f32::from)
    };
    Ok([side(w).ok_or_else(bad)?, side(h).ok_or_else(bad)?])
}

pub(super) fn measures(s: &str) -> Result<Measure, String> {
    Measure::from_key(s.trim()).ok_or_else(|| {
        let known: Vec<&str> = Measure::ALL.iter().map(|m| m.key()).collect();
        format!("no measure '{s}' (known: {})", known.join(", "))
    })
}

pub(super) fn activity(s: &str) -> Result<Practice, String> {
    Practice::from_key(s.trim())
        .ok_or_else(|| format!("no activity '{s}' (free, standing, walking)"))
}

/// `--min-visibility` of `pose` and `analyze`: a probability, the range the saved settings
/// accept too (NaN is in no range).
pub(super) fn min_visibility(s: &str) -> Result<f32, String> {
    let v: f32 = s.parse().map_err(|e| format!("{e}"))?;
    if MIN_VISIBILITY_RANGE.contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} is not between {} and {}",
            MIN_VISIBILITY_RANGE.start(),
            MIN_VISIBILITY_RANGE.end()
        ))
    }
}

/// `--goal`: a practice length in minutes, a number above 0 (NaN and infinity are none).
pub(super) fn goal_minutes(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of minutes"))?;
    if v > 0.0 && (v * 60.0).is_finite() {
        Ok(v)
    } else {
        Err(format!(
            "{s} is not a practice length: give the minutes as a number above 0, such as 10 or 2.5"
        ))
    }
}

/// A frame rate: a finite number above 0.
pub(super) fn positive_rate(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{v} is not a positive frame rate"))
    }
}
