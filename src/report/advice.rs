//! What a report says first, in plain words for a patient and their physiotherapist: a short
//! overview of the session, up to three things to work on, and what was judged and against
//! what. Pure functions of the [`Summary`] (the judge's own levels and cues, summed up), so the
//! HTML and PDF say the same.

use super::measures::{LevelTimes, MeasureSummary, OffStretch};
use super::summary::Summary;
use crate::format::plain_seconds;
use crate::geometry::calibration::Baseline;
use crate::geometry::preset::{Measure, Practice};

/// A drifting second counts as this much of a misaligned one when ranking what to work on:
/// drifting is a warning, misaligned the problem, so four seconds of drift weigh as one
/// misaligned.
pub const DRIFT_WEIGHT: f64 = 0.25;

/// A measure is named as off when the time it lost is at least this many seconds...
pub const MIN_LOST_S: f64 = 1.0;
/// ...and at least this share of the time it was judged.
pub const MIN_LOST_FRACTION: f64 = 0.02;

/// A measure not named as off was kept "nearly all the time" when aligned this share of the
/// time it was measured; below it the report gives the share and says the rest was drifting.
const NEARLY_ALL: f64 = 0.9;

/// Off time is "mostly" in a window ("the last three minutes") when it holds this share of it:
/// high, so the window is the stretch people remember, not a part of it.
const MOSTLY_IN_WINDOW: f64 = 0.85;
/// ...or in a third of the session, this share.
const MOSTLY_IN_THIRD: f64 = 0.6;
/// Off time counts as "while walking" from this share on.
const MOSTLY_WALKING: f64 = 2.0 / 3.0;
/// A cadence this much above (or below) the session's is "faster" ("more slowly").
const CADENCE_CHANGE: f64 = 0.05;
/// Off stretches named by the clock ("between 0:30 and 1:40") when they are this few and not
/// mostly in one part of the session.
const MAX_NAMED_STRETCHES: usize = 3;
/// A session shorter than this with many off stretches counts them ("at 5 moments") rather than
/// saying "throughout": in a short clip the difference matters.
const SHORT_SESSION_S: f64 = 120.0;
/// Windows tried for "in the last N minutes", shortest first; at most half the session.
const WINDOWS_MIN: [u32; 13] = [1, 2, 3, 4, 5, 10, 15, 20, 30, 45, 60, 90, 120];

/// What the values were judged against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// The default bands around zero.
    Absolute,
    /// Change from the person's calibrated stance; `on` is the calibration's local date and
    /// time when known (a [`Baseline`] saved before plumbline kept it has none).
    Calibrated { on: Option<String> },
}

impl Reference {
    /// The reference of a session recorded with `calibration`, taken on `on`.
    pub fn of(calibration: Option<&Baseline>, on: Option<String>) -> Self {
        match calibration {
            Some(_) => Reference::Calibrated { on },
            None => Reference::Absolute,
        }
    }
}

/// One thing to work on.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkOn {
    pub measure: Measure,
    /// Misaligned seconds plus [`DRIFT_WEIGHT`] × drifting seconds: what it is ranked by.
    pub lost_s: f64,
    pub misaligned_s: f64,
    pub drifting_s: f64,
    /// When it was off: "mostly in the last five minutes while walking".
    pub when: String,
    /// The words the app gave most often for it.
    pub cue: Option<String>,
    /// The whole item as one line: "Shoulders over hips: misaligned for 40 s and drifting for
    /// 2 min, mostly in the last five minutes while walking. Cue: “bring your shoulders back
    /// over your hips”."
    pub text: String,
}

/// Words a measure is spoken of with.
struct Words {
    /// "You kept {kept} …".
    kept: &'static str,
    /// "{off} mostly …".
    off: &'static str,
}

fn words(m: Measure) -> Words {
    let (kept, off) = match m {
        Measure::TrunkUpright => ("your trunk upright", "Your trunk leaned"),
        Measure::ShouldersOverHips => (
            "your shoulders over your hips",
            "Your shoulders drifted off your hips",
        ),
        Measure::LevelShoulders => ("your shoulders level", "Your shoulders tilted"),
        Measure::HeadOverShoulders => (
            "your head over your shoulders",
            "Your head drifted off your shoulders",
        ),
        Measure::PlumbLine => (
            "your weight over your ankles",
            "Your weight moved off your ankles",
        ),
    };
    Words { kept, off }
}

/// "Shoulders over hips".
fn title(m: Measure) -> String {
    capitalized(m.label())
}

pub(crate) fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// "a", "a and b", "a, b and c".
fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// One to ten in words, larger numbers in digits.
fn number(n: u32) -> String {
    const WORDS: [&str; 10] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    match n {
        1..=10 => WORDS[n as usize - 1].to_string(),
        _ => n.to_string(),
    }
}

/// A share as a whole percentage that is 0 or 100 only when exactly so.
pub(crate) fn percent(f: f64) -> u32 {
    let p = (f * 100.0).round() as u32;
    match p {
        0 if f > 0.0 => 1,
        100 if f < 1.0 => 99,
        p => p,
    }
}

/// A judged measure with time it was judged, and its times.
fn checked(s: &Summary) -> Vec<(&MeasureSummary, &LevelTimes)> {
    s.measures
        .iter()
        .filter(|m| m.judged)
        .filter_map(|m| Some((m, m.time.as_ref()?)))
        .filter(|(_, t)| t.measured_s() > 0.0)
        .collect()
}

fn lost_s(t: &LevelTimes) -> f64 {
    t.misaligned_s + DRIFT_WEIGHT * t.drifting_s
}

/// Whether a measure lost enough time to be named.
fn is_off(t: &LevelTimes) -> bool {
    let lost = lost_s(t);
    lost >= MIN_LOST_S && lost >= MIN_LOST_FRACTION * t.measured_s()
}

/// Off time within `from_s..to_s`, the off time of each stretch taken as spread evenly over it.
fn off_within(stretches: &[OffStretch], from_s: f64, to_s: f64) -> f64 {
    stretches
        .iter()
        .map(|s| {
            let off = s.drifting_s + s.misaligned_s;
            let span = s.end_s - s.start_s;
            let overlap = (to_s.min(s.end_s) - from_s.max(s.start_s)).max(0.0);
            if span > 0.0 {
                off * overlap / span
            } else {
                0.0
            }
        })
        .sum()
}

/// When a measure was off, as words: "mostly in the last five minutes", "mostly near the
/// start", "between 0:30 and 1:40", "at 5 moments across the session", "on and off
/// throughout the session".
fn when(stretches: &[OffStretch], duration_s: f64) -> String {
    let total = off_within(stretches, f64::NEG_INFINITY, f64::INFINITY);
    if total <= 0.0 || duration_s <= 0.0 {
        return "on and off throughout the session".into();
    }
    for n in WINDOWS_MIN {
        let w = f64::from(n) * 60.0;
        if w > duration_s / 2.0 {
            break;
        }
        let span = if n == 1 {
            "minute".to_string()
        } else {
            format!("{} minutes", number(n))
        };
        if off_within(stretches, duration_s - w, duration_s) >= MOSTLY_IN_WINDOW * total {
            return format!("mostly in the last {span}");
        }
        if off_within(stretches, 0.0, w) >= MOSTLY_IN_WINDOW * total {
            return format!("mostly in the first {span}");
        }
    }
    let third = duration_s / 3.0;
    let places = ["near the start", "in the middle", "near the end"];
    for (k, place) in places.iter().enumerate() {
        let from = third * k as f64;
        if off_within(stretches, from, from + third) >= MOSTLY_IN_THIRD * total {
            return format!("mostly {place}");
        }
    }
    // Spread out: a few stretches are named by the clock, many in a short session counted.
    let off: Vec<&OffStretch> = stretches
        .iter()
        .filter(|s| s.drifting_s + s.misaligned_s > 0.0)
        .collect();
    let at = |s: f64| crate::format::clock(std::time::Duration::from_secs_f64(s.max(0.0)));
    match off.len() {
        1..=MAX_NAMED_STRETCHES => {
            let spans: Vec<String> = off
                .iter()
                .map(|s| format!("between {} and {}", at(s.start_s), at(s.end_s)))
                .collect();
            join_and(&spans)
        }
        n if duration_s < SHORT_SESSION_S => {
            format!("at {} moments across the session", number(n as u32))
        }
        _ => "on and off throughout the session".into(),
    }
}

/// "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// " while walking[, when you were also walking faster]" when most of the off time was walking.
fn activity(s: &Summary, m: &MeasureSummary, t: &LevelTimes) -> String {
    let off = t.drifting_s + t.misaligned_s;
    let walking = m.off_walking_s.unwrap_or(0.0);
    if off <= 0.0 || walking < MOSTLY_WALKING * off {
        return String::new();
    }
    let pace = match (m.off_cadence_spm, s.motion.cadence_spm) {
        (Some(off), Some(all)) if off >= all * (1.0 + CADENCE_CHANGE) => {
            ", when you were also walking faster"
        }
        (Some(off), Some(all)) if off <= all * (1.0 - CADENCE_CHANGE) => {
            ", when you were also walking more slowly"
        }
        _ => "",
    };
    format!(" while walking{pace}")
}

/// Up to three measures to work on, most time lost first (see [`WorkOn::lost_s`]; ties in
/// the preset's order). Only judged measures that lost at least [`MIN_LOST_S`] and
/// [`MIN_LOST_FRACTION`] of their judged time are named; none for a session stored before
/// levels were kept.
pub fn work_on(s: &Summary) -> Vec<WorkOn> {
    let mut off: Vec<(&MeasureSummary, &LevelTimes)> =
        checked(s).into_iter().filter(|(_, t)| is_off(t)).collect();
    // Stable: equal losses keep the preset's order.
    off.sort_by(|a, b| lost_s(b.1).total_cmp(&lost_s(a.1)));
    off.into_iter()
        .take(3)
        .map(|(m, t)| {
            let when = format!(
                "{}{}",
                when(&m.off_stretches, s.duration_s),
                activity(s, m, t)
            );
            let how_long = match (t.misaligned_s >= 0.5, t.drifting_s >= 0.5) {
                (true, true) => format!(
                    "misaligned for {} and drifting for {}",
                    plain_seconds(t.misaligned_s),
                    plain_seconds(t.drifting_s)
                ),
                (true, false) => format!("misaligned for {}", plain_seconds(t.misaligned_s)),
                _ => format!("drifting for {}", plain_seconds(t.drifting_s)),
            };
            let cue = m
                .cue
                .as_ref()
                .map(|c| format!(" Cue: “{c}”."))
                .unwrap_or_default();
            WorkOn {
                measure: m.measure,
                lost_s: lost_s(t),
                misaligned_s: t.misaligned_s,
                drifting_s: t.drifting_s,
                text: format!("{}: {how_long}, {when}.{cue}", title(m.measure)),
                when,
                cue: m.cue.clone(),
            }
        })
        .collect()
}

/// The session in a few plain sentences: which measures were kept, and for those that were
/// not, how much and when (the first third, "the last five minutes", while walking and
/// faster). A session stored before levels were kept gets its shown states and says why no
/// more.
pub fn overview(s: &Summary) -> String {
    if s.frames < 2 || s.duration_s <= 0.0 {
        return "The session is too short to say how your posture was.".into();
    }
    if s.measures_note.is_some() {
        let t = &s.time_in_state;
        return format!(
            "Your posture was aligned {}% of the time, drifting {}% and misaligned {}%. \
             This session was recorded before plumbline kept each measure's result, so this \
             report cannot say which measure was out of line.",
            percent(t.aligned_fraction),
            percent(t.drifting_fraction),
            percent(t.misaligned_fraction)
        );
    }
    let checked = checked(s);
    if checked.is_empty() {
        let mut text = "None of the measures could be checked in this session.".to_string();
        if s.preset.as_ref().map(|p| p.activity) == Some(Practice::Walking)
            && s.motion.walking_s <= 0.0
        {
            text.push_str(" This was walking practice, and no walking was seen.");
        }
        return text;
    }
    let items = work_on(s);
    let mut sentences = Vec::new();
    // Measures not worth working on: kept aligned nearly all the time, or (in a session too
    // short to lose a second) often drifting, which is said with its share, not "nearly all".
    let (kept, close): (Vec<_>, Vec<_>) = checked
        .iter()
        .filter(|(_, t)| !is_off(t))
        .partition(|(_, t)| t.aligned_s >= NEARLY_ALL * t.measured_s());
    if !kept.is_empty() {
        let names: Vec<&str> = kept.iter().map(|(m, _)| words(m.measure).kept).collect();
        let whole = kept
            .iter()
            .all(|(_, t)| t.drifting_s + t.misaligned_s <= 0.0);
        let span = if whole {
            "the whole time"
        } else {
            "nearly all the time"
        };
        sentences.push(format!("You kept {} {span}.", join(&names)));
    }
    for (m, t) in close {
        let rest = if t.misaligned_s > 0.0 {
            "you mostly drifted close to the limit"
        } else {
            "you drifted close to the limit but not past it"
        };
        sentences.push(format!(
            "You kept {} {}% of the time; the rest of the time {rest}.",
            words(m.measure).kept,
            percent(t.aligned_s / t.measured_s())
        ));
    }
    for item in &items {
        let Some((_, t)) = checked.iter().find(|(m, _)| m.measure == item.measure) else {
            continue;
        };
        let w = words(item.measure);
        sentences.push(format!(
            "You kept {} {}% of the time.",
            w.kept,
            percent(t.aligned_s / t.measured_s())
        ));
        sentences.push(format!("{} {}.", w.off, item.when));
    }
    let checked_s = s.duration_s - s.time_in_state.unknown_s;
    if checked_s < 0.9 * s.duration_s {
        sentences.push(format!(
            "Your posture could be checked for {} of the {} session.",
            plain_seconds(checked_s),
            plain_seconds(s.duration_s)
        ));
    }
    sentences.join(" ")
}

/// What the summary says when [`work_on`] names nothing: keep practising, or, when a measure
/// spent much of its time drifting without losing enough to be named (a short session), which
/// ones to keep an eye on.
pub fn nothing_to_work_on(s: &Summary) -> String {
    let close: Vec<&str> = checked(s)
        .into_iter()
        .filter(|(_, t)| t.aligned_s < NEARLY_ALL * t.measured_s())
        .map(|(m, _)| m.measure.label())
        .collect();
    match close.len() {
        0 => "Nothing to work on from this session: keep practising as you did.".into(),
        n => format!(
            "Nothing was out of line long enough to work on. {} {}: keep an eye on {} next \
             time.",
            capitalized(&join(&close)),
            if n == 1 {
                "was often close to its limit"
            } else {
                "were often close to their limits"
            },
            if n == 1 { "it" } else { "them" },
        ),
    }
}

/// Which measures were judged, in which activity, and against what: "Trunk upright and
/// shoulders over hips were checked while you walked (walking practice). Your posture was
/// judged as change from the stance you calibrated on 2026-11-20."
pub fn judged_with(s: &Summary, reference: &Reference) -> String {
    let what = match &s.preset {
        None => "This session was recorded before plumbline kept which measures were checked."
            .to_string(),
        Some(p) => {
            let names: Vec<&str> = p.measures.iter().map(|m| m.label()).collect();
            let (subject, verb) = match names.len() {
                0 => ("No measure".to_string(), "was"),
                1 => (capitalized(names[0]), "was"),
                n if n == Measure::ALL.len() => ("Every measure".to_string(), "was"),
                _ => (capitalized(&join(&names)), "were"),
            };
            let during = match p.activity {
                Practice::Free => "whatever you were doing",
                Practice::Walking => "while you walked (walking practice)",
                Practice::Standing => "while you stood (standing practice)",
            };
            format!("{subject} {verb} checked {during}.")
        }
    };
    let against = match reference {
        Reference::Absolute => {
            "Your posture was judged against the usual limits, not against a calibrated \
             stance of your own."
                .to_string()
        }
        Reference::Calibrated { on: Some(date) } => {
            format!("Your posture was judged as change from the stance you calibrated on {date}.")
        }
        Reference::Calibrated { on: None } => {
            "Your posture was judged as change from your calibrated stance.".to_string()
        }
    };
    format!("{what} {against}")
}

#[cfg(test)]
mod tests;
