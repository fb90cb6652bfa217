//! Step timing from the steps the motion rules found: the typical step time, its asymmetry
//! between the two feet and its variability, each only from enough steps to mean something.
//! Pure: step times in, numbers (or why there are none) out; the summary carries them.
//!
//! **Bouts.** A step time is the interval between two consecutive steps. Only steady walking
//! is timed: an interval must be a walking cadence (40–200 steps/min, the motion rules' range)
//! and within a factor of [`NEIGHBOUR_RATIO`] of the local stride's half (the median of the
//! mean of each pair of neighbouring intervals, which a limp's long-short alternation does not
//! move). A missed step (one interval twice as long) or a spurious one (an interval cut in
//! two) fails that test and ends the bout, so it never shifts which foot an interval belongs
//! to. A pause ends a bout the same way.
//!
//! **The two feet without naming them.** Steps are maxima of the feet's separation, so within
//! a bout they alternate feet: odd intervals end on one foot, even ones on the other. Which
//! foot is which is not known (BlazePose swaps left and right in side views), and need not be:
//! asymmetry is the difference between the two feet's mean step times, taken unsigned per bout
//! and pooled over bouts weighted by their steps, over the mean step time (the symmetry index
//! `|A − B| / ((A + B) / 2)`; 0.5 s and 0.7 s alternating is 33%). Variability is the
//! coefficient of variation of the step time around each foot's own mean within its bout (the
//! pooled per-foot standard deviation over the mean), so a steady limp is not counted as
//! variability.
//!
//! **How many steps.** Galna, Lord and Rochester (Gait & Posture 2013) found step-time
//! asymmetry needs about 14 steps and variability about 26 to be reliable; fewer give `null`
//! with the reason.

use serde::{Deserialize, Serialize};

use crate::geometry::motion::{CADENCE_MAX_SPM, CADENCE_MIN_SPM};

/// Step times needed for a typical step time (as the cadence needs: three intervals).
pub const MIN_STEPS_FOR_STEP_TIME: usize = 3;
/// Step times needed for step-time asymmetry to be reliable.
pub const MIN_STEPS_FOR_ASYMMETRY: usize = 14;
/// Step times needed for step-time variability to be reliable.
pub const MIN_STEPS_FOR_VARIABILITY: usize = 26;
/// An interval longer than this many times the local half stride, or shorter than its
/// inverse, is a missed or a spurious step, not a step time. It lets a limp through whose
/// long step is up to twice the short one.
pub const NEIGHBOUR_RATIO: f64 = 1.5;
/// Pairs of intervals on each side that set the local half stride.
const NEIGHBOUR_PAIRS: usize = 3;

/// The step-time measures of a session, flattened into the summary's `motion`. Every value is
/// `null` when it could not be measured, with a note saying why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepTiming {
    /// Steps found (each a maximum of the feet's separation), walking or not. Counted, where
    /// `steps` is estimated from the cadence; `null` for a session recorded before plumbline
    /// kept each step.
    pub steps_counted: Option<u64>,
    /// Step times measured in steady walking (the intervals in bouts): what the step-time
    /// measures rest on.
    pub steps_timed: Option<u64>,
    /// Median step time in steady walking, seconds.
    pub step_time_s: Option<f64>,
    /// Difference between the two feet's mean step times over the mean step time, percent.
    pub step_time_asymmetry_pct: Option<f64>,
    /// Step-time variability: standard deviation around each foot's mean over the mean step
    /// time, percent.
    pub step_time_cv_pct: Option<f64>,
    /// Why `step_time_s` is `null`, when it is.
    pub step_time_note: Option<String>,
    /// Why `step_time_asymmetry_pct` is `null`, when it is.
    pub step_time_asymmetry_note: Option<String>,
    /// Why `step_time_cv_pct` is `null`, when it is.
    pub step_time_cv_note: Option<String>,
}

impl StepTiming {
    /// The measures of the steps at `steps_s` (seconds, in any order; non-finite ones are
    /// ignored).
    pub fn of_steps(steps_s: &[f64]) -> Self {
        let mut steps: Vec<f64> = steps_s.iter().copied().filter(|t| t.is_finite()).collect();
        steps.sort_by(f64::total_cmp);
        let bouts = bouts(&steps);
        let timed: Vec<f64> = bouts.iter().flatten().copied().collect();
        // Bouts of one interval say nothing about the two feet.
        let paired: Vec<&Vec<f64>> = bouts.iter().filter(|b| b.len() >= 2).collect();
        let n_paired = paired.iter().map(|b| b.len()).sum::<usize>();
        let step_time_s = (timed.len() >= MIN_STEPS_FOR_STEP_TIME).then(|| median(&timed));
        let asymmetry_pct = (n_paired >= MIN_STEPS_FOR_ASYMMETRY)
            .then(|| asymmetry_pct(&paired))
            .flatten();
        let cv_pct = (n_paired >= MIN_STEPS_FOR_VARIABILITY)
            .then(|| cv_pct(&paired))
            .flatten();
        let why = |needed: usize, what: &str| {
            format!(
                "{}; {what} needs about {needed} to mean anything",
                timed_words(n_paired, steps.len())
            )
        };
        Self {
            steps_counted: Some(steps.len() as u64),
            steps_timed: Some(timed.len() as u64),
            step_time_s,
            step_time_asymmetry_pct: asymmetry_pct,
            step_time_cv_pct: cv_pct,
            step_time_note: step_time_s.is_none().then(|| {
                format!(
                    "{}; a typical step time needs at least {MIN_STEPS_FOR_STEP_TIME}",
                    timed_words(timed.len(), steps.len())
                )
            }),
            step_time_asymmetry_note: asymmetry_pct
                .is_none()
                .then(|| why(MIN_STEPS_FOR_ASYMMETRY, "step-time asymmetry")),
            step_time_cv_note: cv_pct
                .is_none()
                .then(|| why(MIN_STEPS_FOR_VARIABILITY, "step-time variability")),
        }
    }

    /// A session recorded before plumbline kept each step: nothing is known.
    pub fn not_recorded() -> Self {
        let note = || Some("recorded before plumbline kept each step".to_string());
        Self {
            step_time_note: note(),
            step_time_asymmetry_note: note(),
            step_time_cv_note: note(),
            ..Self::default()
        }
    }
}

/// "12 steps were timed in steady walking" (of `seen` found).
fn timed_words(timed: usize, seen: usize) -> String {
    match (timed, seen) {
        (_, 0) => "no steps were seen".into(),
        (1, _) => format!("1 step of the {seen} seen was timed in steady walking"),
        (n, _) => format!("{n} steps of the {seen} seen were timed in steady walking"),
    }
}

/// The intervals of sorted `steps` grouped into bouts of steady walking (see the module doc).
fn bouts(steps: &[f64]) -> Vec<Vec<f64>> {
    let intervals: Vec<f64> = steps.windows(2).map(|w| w[1] - w[0]).collect();
    let (shortest, longest) = (
        60.0 / f64::from(CADENCE_MAX_SPM),
        60.0 / f64::from(CADENCE_MIN_SPM),
    );
    let plausible: Vec<bool> = intervals
        .iter()
        .map(|d| (shortest..=longest).contains(d))
        .collect();
    let mut bouts: Vec<Vec<f64>> = Vec::new();
    let mut open = false;
    for (i, &d) in intervals.iter().enumerate() {
        let steady = plausible[i] && {
            let half_stride = local_half_stride(&intervals, &plausible, i).unwrap_or(d);
            let ratio = d / half_stride;
            (1.0 / NEIGHBOUR_RATIO..=NEIGHBOUR_RATIO).contains(&ratio)
        };
        match (steady, open) {
            (true, true) => bouts.last_mut().into_iter().for_each(|b| b.push(d)),
            (true, false) => bouts.push(vec![d]),
            (false, _) => {}
        }
        open = steady;
    }
    bouts
}

/// The median mean of neighbouring plausible pairs of intervals around interval `i`: half a
/// stride, whatever a limp does to each step.
fn local_half_stride(intervals: &[f64], plausible: &[bool], i: usize) -> Option<f64> {
    let from = i.saturating_sub(NEIGHBOUR_PAIRS);
    let to = (i + NEIGHBOUR_PAIRS).min(intervals.len().saturating_sub(1));
    let pairs: Vec<f64> = (from..to)
        .filter(|&j| plausible[j] && plausible[j + 1])
        .map(|j| (intervals[j] + intervals[j + 1]) / 2.0)
        .collect();
    (!pairs.is_empty()).then(|| median(&pairs))
}

/// The middle value (the mean of the two middle ones for an even count); 0 for none.
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Each bout's intervals split by foot: those ending on the foot that ended its first, and
/// the others.
fn by_foot(bout: &[f64]) -> [Vec<f64>; 2] {
    let foot = |parity: usize| {
        bout.iter()
            .skip(parity)
            .step_by(2)
            .copied()
            .collect::<Vec<_>>()
    };
    [foot(0), foot(1)]
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// The two feet's mean step times apart, pooled over bouts, over the mean step time.
fn asymmetry_pct(bouts: &[&Vec<f64>]) -> Option<f64> {
    let (mut weighted, mut n, mut sum) = (0.0, 0.0, 0.0);
    for bout in bouts {
        let [a, b] = by_foot(bout);
        let len = bout.len() as f64;
        weighted += len * (mean(&a) - mean(&b)).abs();
        n += len;
        sum += bout.iter().sum::<f64>();
    }
    let mean_step = sum / n;
    (n > 0.0 && mean_step > 0.0).then(|| 100.0 * weighted / n / mean_step)
}

/// The step times' standard deviation around each foot's mean within each bout, over the
/// mean step time.
fn cv_pct(bouts: &[&Vec<f64>]) -> Option<f64> {
    let (mut squares, mut dof, mut sum, mut n) = (0.0, 0usize, 0.0, 0usize);
    for bout in bouts {
        for foot in by_foot(bout) {
            let m = mean(&foot);
            squares += foot.iter().map(|d| (d - m).powi(2)).sum::<f64>();
            dof += foot.len().saturating_sub(1);
        }
        sum += bout.iter().sum::<f64>();
        n += bout.len();
    }
    let mean_step = sum / n.max(1) as f64;
    (dof > 0 && mean_step > 0.0).then(|| 100.0 * (squares / dof as f64).sqrt() / mean_step)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Steps from `start_s`, each the next of `step_times_s` (cycled) after the last.
    fn walk(start_s: f64, n: usize, step_times_s: &[f64]) -> Vec<f64> {
        let mut t = start_s;
        let mut out = vec![t];
        for d in step_times_s.iter().cycle().take(n - 1) {
            t += d;
            out.push(t);
        }
        out
    }

    /// A little timing noise, as one camera reads steps (±10 ms), repeatable.
    fn jitter(steps: &mut [f64]) {
        let mut x: u32 = 12345;
        for t in steps {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *t += (f64::from(x >> 16) / 65536.0 - 0.5) * 0.02;
        }
    }

    #[test]
    fn a_symmetric_walk_has_about_no_asymmetry_and_little_variability() {
        // 40 steps at 100 steps/min.
        let mut steps = walk(2.0, 40, &[0.6]);
        jitter(&mut steps);
        let t = StepTiming::of_steps(&steps);
        assert_eq!((t.steps_counted, t.steps_timed), (Some(40), Some(39)));
        assert!((t.step_time_s.unwrap() - 0.6).abs() < 0.01, "{t:?}");
        let asym = t.step_time_asymmetry_pct.unwrap();
        assert!(asym < 1.5, "{asym}");
        let cv = t.step_time_cv_pct.unwrap();
        assert!(cv < 2.5, "{cv}");
        assert_eq!(
            (
                t.step_time_note,
                t.step_time_asymmetry_note,
                t.step_time_cv_note
            ),
            (None, None, None)
        );
    }

    #[test]
    fn a_limp_is_asymmetry_not_variability() {
        // One foot's step 0.5 s, the other's 0.7 s: |0.5 − 0.7| / 0.6 = 33%.
        let t = StepTiming::of_steps(&walk(0.0, 30, &[0.5, 0.7]));
        assert!(
            (t.step_time_asymmetry_pct.unwrap() - 100.0 / 3.0).abs() < 0.5,
            "{t:?}"
        );
        assert!(t.step_time_cv_pct.unwrap() < 0.01, "{t:?}");
        // Whichever foot starts: the same.
        let other = StepTiming::of_steps(&walk(0.0, 30, &[0.7, 0.5]));
        assert!((other.step_time_asymmetry_pct.unwrap() - 100.0 / 3.0).abs() < 0.5);
    }

    #[test]
    fn bouts_pool_whichever_foot_starts_each() {
        // Two bouts of a limp with a pause between; the second starts on the other foot.
        let mut steps = walk(0.0, 11, &[0.5, 0.7]);
        steps.extend(walk(20.0, 11, &[0.7, 0.5]));
        let t = StepTiming::of_steps(&steps);
        assert_eq!(t.steps_timed, Some(20), "the pause is not a step time");
        assert!(
            (t.step_time_asymmetry_pct.unwrap() - 100.0 / 3.0).abs() < 0.5,
            "{t:?}"
        );
    }

    #[test]
    fn a_missed_or_an_extra_step_fabricates_no_asymmetry() {
        struct Case {
            what: &'static str,
            steps: Vec<f64>,
        }
        let even = walk(0.0, 40, &[0.6]);
        let cases = [
            Case {
                // A step lost mid-bout (the ankles hidden, a foot read late): one interval of
                // 1.2 s, still a plausible 50 steps/min by itself, and the feet after it on
                // the other parity.
                what: "a step missed",
                steps: [&even[..15], &even[16..]].concat(),
            },
            Case {
                // A landmark glitch read as a step between two real ones.
                what: "a step too many",
                steps: {
                    let mut s = even.clone();
                    s.insert(20, even[19] + 0.3);
                    s
                },
            },
        ];
        for case in cases {
            let t = StepTiming::of_steps(&case.steps);
            let asym = t.step_time_asymmetry_pct.unwrap();
            assert!(asym < 0.5, "{}: asymmetry {asym}%", case.what);
            let cv = t.step_time_cv_pct.unwrap();
            assert!(cv < 0.5, "{}: variability {cv}%", case.what);
            assert!((t.step_time_s.unwrap() - 0.6).abs() < 1e-9, "{}", case.what);
        }
        // Without the bout break, the missed step would read as asymmetry.
        let missed = [&even[..15], &even[16..]].concat();
        let whole: Vec<f64> = missed.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(asymmetry_pct(&[&whole]).unwrap() > 2.0);
    }

    #[test]
    fn a_limp_survives_a_missed_step() {
        let limp = walk(0.0, 41, &[0.5, 0.7]);
        let t = StepTiming::of_steps(&[&limp[..20], &limp[21..]].concat());
        assert!(
            (t.step_time_asymmetry_pct.unwrap() - 100.0 / 3.0).abs() < 0.5,
            "{t:?}"
        );
    }

    #[test]
    fn too_few_steps_give_null_with_the_reason() {
        // 13 steps: 12 step times.
        let t = StepTiming::of_steps(&walk(1.0, 13, &[0.6]));
        assert_eq!(t.steps_timed, Some(12));
        assert!(t.step_time_s.is_some());
        assert_eq!(t.step_time_asymmetry_pct, None);
        assert_eq!(
            t.step_time_asymmetry_note.as_deref(),
            Some(
                "12 steps of the 13 seen were timed in steady walking; step-time asymmetry \
                 needs about 14 to mean anything"
            )
        );
        assert_eq!(t.step_time_cv_pct, None);
        assert!(
            t.step_time_cv_note
                .as_deref()
                .is_some_and(|n| n.ends_with("variability needs about 26 to mean anything")),
            "{t:?}"
        );
        // 15 steps: asymmetry, not yet variability.
        let t = StepTiming::of_steps(&walk(1.0, 15, &[0.6]));
        assert!(t.step_time_asymmetry_pct.is_some() && t.step_time_cv_pct.is_none());
        // Nothing at all, and steps far apart (no walking).
        let none = StepTiming::of_steps(&[]);
        assert_eq!((none.steps_counted, none.step_time_s), (Some(0), None));
        assert_eq!(
            none.step_time_note.as_deref(),
            Some("no steps were seen; a typical step time needs at least 3")
        );
        let shuffles = StepTiming::of_steps(&[1.0, 5.0, 9.0, 13.0, f64::NAN]);
        assert_eq!(
            (shuffles.steps_counted, shuffles.steps_timed),
            (Some(4), Some(0))
        );
    }

    #[test]
    fn old_sessions_say_steps_were_not_kept() {
        let t = StepTiming::not_recorded();
        assert_eq!((t.steps_counted, t.step_time_s), (None, None));
        assert!(
            t.step_time_asymmetry_note
                .unwrap()
                .contains("before plumbline")
        );
    }
}
