//! Every number read from `settings.json` checked against a sane range as it is loaded: a value
//! typed by hand or damaged (a countdown of 3e38 s, a threshold of −1e38°) is reset to its
//! default, and the user is told which field, what it held and what is used instead.

use std::ops::RangeInclusive;

use super::Settings;
use crate::geometry::MetricId;
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::Baseline;
use crate::geometry::metric_id::Unit;
use crate::geometry::metrics::MIN_VISIBILITY_RANGE;
use crate::report::{MAX_LABEL_CHARS, ReportOptions};
use crate::source::camera::BackendKind;

/// The ranges a saved value must be in. The settings window offers these, or narrower ones
/// where a value allowed in the file is not one to choose there (an alert at 0 s).
pub const CAMERA_INDEX: RangeInclusive<u32> = 0..=63;
pub const CAMERA_WIDTH: RangeInclusive<u32> = 16..=7680;
pub const CAMERA_HEIGHT: RangeInclusive<u32> = 16..=4320;
pub const CAMERA_FPS: RangeInclusive<u32> = 1..=240;
/// A fraction of a threshold; 1 would make a metric never leave its band.
pub const HYSTERESIS: RangeInclusive<f32> = 0.0..=0.9;
pub const MIN_DWELL_S: RangeInclusive<f32> = 0.0..=10.0;
pub const MISALIGNED_AFTER_S: RangeInclusive<f32> = 0.0..=600.0;
/// 0: alert once.
pub const REPEAT_AFTER_S: RangeInclusive<f32> = 0.0..=3600.0;
pub const COUNTDOWN_S: RangeInclusive<f32> = 0.0..=30.0;
pub const CAPTURE_S: RangeInclusive<f32> = 1.0..=60.0;
/// A practice goal of up to ten hours (0: none).
pub const GOAL_MIN: RangeInclusive<f32> = 0.0..=600.0;
/// A calibration longer than this was not made by plumbline.
const BASELINE_DURATION_S: RangeInclusive<f32> = 0.0..=3600.0;

/// The band thresholds a metric of `unit` may have: up to 90° of lean or tilt, up to 0.9 torso
/// lengths (the settings window's 90%), up to 90 cm.
pub fn band_range(unit: Unit) -> RangeInclusive<f32> {
    0.0..=90.0 / unit.display_scale()
}

/// How far from zero a calibrated stance's mean or wobble can be and still be a body's.
fn baseline_limit(unit: Unit) -> f32 {
    match unit {
        Unit::Degrees => 180.0,
        Unit::Torso => 10.0,
        Unit::Centimetres => 500.0,
    }
}

/// How a unit follows a number in a note: "3 s", "10°", "0.09 torso lengths".
fn unit_suffix(unit: Unit) -> &'static str {
    match unit {
        Unit::Degrees => "°",
        Unit::Torso => " torso lengths",
        Unit::Centimetres => " cm",
    }
}

/// A number as the note shows it: short for the huge and the tiny (`3e38`), as typed otherwise.
trait Shown: Copy + PartialOrd {
    fn shown(self) -> String;
}

impl Shown for f32 {
    fn shown(self) -> String {
        let a = self.abs();
        if self.is_finite() && a != 0.0 && !(1e-3..1e6).contains(&a) {
            format!("{self:e}")
        } else {
            format!("{self}")
        }
    }
}

impl Shown for u32 {
    fn shown(self) -> String {
        self.to_string()
    }
}

/// Collects a note for each value reset.
#[derive(Debug, Default)]
struct Checker {
    notes: Vec<String>,
}

impl Checker {
    /// Resets `value` to `default` unless it lies in `range` (NaN and infinities never do).
    fn field<T: Shown>(
        &mut self,
        field: &str,
        value: &mut T,
        range: RangeInclusive<T>,
        default: T,
        unit: &str,
    ) {
        if range.contains(value) {
            return;
        }
        self.notes.push(format!(
            "settings: {field} {} is out of range ({}–{}{unit}); using {}{unit}",
            value.shown(),
            range.start().shown(),
            range.end().shown(),
            default.shown(),
        ));
        *value = default;
    }

    fn thresholds(&mut self, th: &mut Thresholds) {
        let defaults = Thresholds::default();
        for (id, mut band) in th.bands().collect::<Vec<_>>() {
            let Some(default) = defaults.band(id) else {
                continue;
            };
            let (key, unit) = (id.key(), id.unit());
            let (range, suffix) = (band_range(unit), unit_suffix(unit));
            let field = |end: &str| format!("thresholds.{key}.{end}");
            self.field(
                &field("drifting"),
                &mut band.drifting,
                range.clone(),
                default.drifting,
                suffix,
            );
            self.field(
                &field("misaligned"),
                &mut band.misaligned,
                range,
                default.misaligned,
                suffix,
            );
            if band.misaligned < band.drifting {
                self.notes.push(format!(
                    "settings: {} {} is below its drifting threshold {}; using the default \
                     band {}–{}{suffix}",
                    field("misaligned"),
                    band.misaligned.shown(),
                    band.drifting.shown(),
                    default.drifting.shown(),
                    default.misaligned.shown(),
                ));
                band = default;
            }
            th.set_band(id, band);
        }
        self.field(
            "thresholds.hysteresis",
            &mut th.hysteresis,
            HYSTERESIS,
            defaults.hysteresis,
            "",
        );
        self.field(
            "thresholds.min_dwell_s",
            &mut th.min_dwell_s,
            MIN_DWELL_S,
            defaults.min_dwell_s,
            " s",
        );
    }

    /// A calibration with an impossible number is dropped whole: half a baseline would judge
    /// some metrics against a stance the person never had.
    fn baseline(&mut self, baseline: &mut Option<Baseline>) {
        let Some(b) = baseline else {
            return;
        };
        if let Some(problem) = baseline_problem(b) {
            self.notes.push(format!(
                "settings: {problem}; the calibration is dropped, calibrate again"
            ));
            *baseline = None;
        }
    }
}

/// The first impossible number in a saved calibration, named by its field.
fn baseline_problem(b: &Baseline) -> Option<String> {
    if !BASELINE_DURATION_S.contains(&b.duration_s) {
        return Some(format!(
            "baseline.duration_s {} is out of range",
            b.duration_s.shown()
        ));
    }
    MetricId::ALL.into_iter().find_map(|id| {
        let stat = b.stat(id)?;
        let limit = baseline_limit(id.unit());
        let key = id.key();
        if !(-limit..=limit).contains(&stat.mean) {
            Some(format!(
                "baseline.{key}.mean {} is out of range",
                stat.mean.shown()
            ))
        } else if !(0.0..=limit).contains(&stat.std) {
            Some(format!(
                "baseline.{key}.std {} is out of range",
                stat.std.shown()
            ))
        } else {
            None
        }
    })
}

/// `s` with every number in its range; a note for each that was not.
pub(super) fn checked(mut s: Settings) -> (Settings, Vec<String>) {
    let d = Settings::default();
    let mut c = Checker::default();
    if let Some(label) = &s.report.label {
        let clean = ReportOptions::clean_label(label);
        if clean
            .as_ref()
            .is_some_and(|l| l.chars().count() < label.trim().chars().count())
        {
            c.notes.push(format!(
                "settings: report.label is longer than {MAX_LABEL_CHARS} characters; it is cut"
            ));
        }
        s.report.label = clean;
    }
    c.field(
        "min_visibility",
        &mut s.min_visibility,
        MIN_VISIBILITY_RANGE,
        d.min_visibility,
        "",
    );
    let cam = &mut s.camera;
    c.field(
        "camera.index",
        &mut cam.index,
        CAMERA_INDEX,
        d.camera.index,
        "",
    );
    c.field(
        "camera.width",
        &mut cam.width,
        CAMERA_WIDTH,
        d.camera.width,
        " px",
    );
    c.field(
        "camera.height",
        &mut cam.height,
        CAMERA_HEIGHT,
        d.camera.height,
        " px",
    );
    c.field("camera.fps", &mut cam.fps, CAMERA_FPS, d.camera.fps, "");
    if let Err(problem) = cam.backend.parse::<BackendKind>() {
        c.notes.push(format!(
            "settings: camera.backend {problem}; using {}",
            d.camera.backend
        ));
        cam.backend = d.camera.backend.clone();
    }
    c.thresholds(&mut s.thresholds);
    let rules = &mut s.alerts.rules;
    c.field(
        "alerts.misaligned_after_s",
        &mut rules.misaligned_after_s,
        MISALIGNED_AFTER_S,
        d.alerts.rules.misaligned_after_s,
        " s",
    );
    c.field(
        "alerts.repeat_after_s",
        &mut rules.repeat_after_s,
        REPEAT_AFTER_S,
        d.alerts.rules.repeat_after_s,
        " s",
    );
    let cal = &mut s.calibration;
    c.field(
        "calibration.countdown_s",
        &mut cal.countdown_s,
        COUNTDOWN_S,
        d.calibration.countdown_s,
        " s",
    );
    c.field(
        "calibration.duration_s",
        &mut cal.duration_s,
        CAPTURE_S,
        d.calibration.duration_s,
        " s",
    );
    c.field("goal_min", &mut s.goal_min, GOAL_MIN, d.goal_min, " min");
    c.baseline(&mut s.baseline);
    (s, c.notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::calibration::Stat;
    use crate::geometry::metric_id::Band;

    /// The settings read from `json`, and the notes.
    fn load(json: &str) -> (Settings, Vec<String>) {
        checked(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn the_report_label_is_kept_as_one_clean_line() {
        let (s, notes) = load(r#"{"report": {"paper": "Letter", "label": " Jo\tBloggs\n"}}"#);
        assert_eq!(s.report.label.as_deref(), Some("Jo Bloggs"));
        assert_eq!(s.report.paper, crate::report::Paper::Letter);
        assert!(notes.is_empty(), "{notes:?}");
        let (s, _) = load(r#"{"report": {"label": "   "}}"#);
        assert_eq!(s.report.label, None, "blank is none");
        let long = "x".repeat(MAX_LABEL_CHARS + 5);
        let (s, notes) = load(&format!(r#"{{"report": {{"label": "{long}"}}}}"#));
        assert_eq!(
            s.report.label.map(|l| l.chars().count()),
            Some(MAX_LABEL_CHARS)
        );
        assert!(
            notes[0].starts_with("settings: report.label is longer"),
            "{notes:?}"
        );
        let (s, _) = load("{}");
        assert_eq!(s.report, ReportOptions::default(), "A4, no label");
    }

    #[test]
    fn values_in_range_pass_untouched_and_silently() {
        let (s, notes) = checked(Settings::default());
        assert_eq!(s, Settings::default());
        assert!(notes.is_empty(), "{notes:?}");
        // The edges are in range.
        let (s, notes) = load(
            r#"{"min_visibility": 0, "calibration": {"countdown_s": 30, "duration_s": 1},
                "alerts": {"repeat_after_s": 0}}"#,
        );
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(s.calibration.countdown_s, 30.0);
    }

    /// Seconds: a countdown of 3e38 s once panicked on Calibrate; 1e39 reads as infinity.
    #[test]
    fn durations_out_of_range_take_their_default_with_a_note() {
        let (s, notes) = load(
            r#"{"calibration": {"countdown_s": 3e38, "duration_s": -2},
                "alerts": {"misaligned_after_s": 1e39, "repeat_after_s": 4000},
                "thresholds": {"min_dwell_s": -0.5}, "goal_min": -10}"#,
        );
        let d = Settings::default();
        assert_eq!(s.calibration, d.calibration);
        assert_eq!(s.alerts.rules, d.alerts.rules);
        assert_eq!(s.thresholds.min_dwell_s, d.thresholds.min_dwell_s);
        assert_eq!(
            notes[0],
            "settings: thresholds.min_dwell_s -0.5 is out of range (0–10 s); using 1 s"
        );
        assert_eq!(
            notes[1],
            "settings: alerts.misaligned_after_s inf is out of range (0–600 s); using 10 s"
        );
        assert!(notes[2].starts_with("settings: alerts.repeat_after_s 4000 "));
        assert_eq!(
            notes[3],
            "settings: calibration.countdown_s 3e38 is out of range (0–30 s); using 3 s"
        );
        assert!(notes[4].starts_with("settings: calibration.duration_s -2 "));
        assert_eq!(
            notes[5],
            "settings: goal_min -10 is out of range (0–600 min); using 0 min"
        );
        assert_eq!(s.goal(), None);
        assert_eq!(notes.len(), 6, "{notes:?}");
    }

    /// Thresholds: −1e38 once collapsed the video panel; a band upside down makes "drifting"
    /// unreachable.
    #[test]
    fn bands_out_of_range_or_upside_down_take_their_default() {
        let (s, notes) = load(
            r#"{"thresholds": {
                "trunk_lean_frontal_deg": {"drifting": -1e38, "misaligned": 10},
                "shoulder_tilt_deg": {"drifting": 9, "misaligned": 4},
                "head_forward_deg": {"drifting": 15, "misaligned": 1e30},
                "hysteresis": 1.5}}"#,
        );
        let d = Thresholds::default();
        for id in [
            MetricId::TrunkLeanFrontal,
            MetricId::ShoulderTilt,
            MetricId::HeadForward,
        ] {
            assert_eq!(s.thresholds.band(id), d.band(id), "{id:?}");
        }
        assert_eq!(s.thresholds.hysteresis, d.hysteresis);
        assert_eq!(
            notes[0],
            "settings: thresholds.trunk_lean_frontal_deg.drifting -1e38 is out of range \
             (0–90°); using 5°"
        );
        assert_eq!(
            notes[1],
            "settings: thresholds.shoulder_tilt_deg.misaligned 4 is below its drifting \
             threshold 9; using the default band 7–12°"
        );
        assert!(notes[2].starts_with("settings: thresholds.head_forward_deg.misaligned 1e30"));
        assert!(notes[3].starts_with("settings: thresholds.hysteresis 1.5 "));
        assert_eq!(notes.len(), 4, "{notes:?}");
    }

    /// A band in torso lengths is checked in torso lengths.
    #[test]
    fn bands_in_torso_lengths_have_their_own_range() {
        let mut s = Settings::default();
        let id = MetricId::ShoulderHipOffset;
        s.thresholds.set_band(
            id,
            Band {
                drifting: 0.1,
                misaligned: 2.0,
            },
        );
        let (s, notes) = checked(s);
        assert_eq!(s.thresholds.band(id).unwrap().drifting, 0.1);
        assert_eq!(
            s.thresholds.band(id).unwrap().misaligned,
            Thresholds::default().band(id).unwrap().misaligned
        );
        assert!(notes[0].contains("(0–0.9 torso lengths)"), "{notes:?}");
    }

    #[test]
    fn the_visibility_threshold_is_a_probability() {
        for bad in ["2", "-0.1", "1e39"] {
            let (s, notes) = load(&format!(r#"{{"min_visibility": {bad}}}"#));
            assert_eq!(s.min_visibility, 0.5);
            assert!(
                notes[0].starts_with("settings: min_visibility ")
                    && notes[0].ends_with("is out of range (0–1); using 0.5"),
                "{notes:?}"
            );
        }
    }

    #[test]
    fn camera_numbers_out_of_range_take_their_default() {
        let (s, notes) =
            load(r#"{"camera": {"index": 4000, "width": 0, "height": 480, "fps": 0}}"#);
        assert_eq!(s.camera, Settings::default().camera);
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(
            notes[1],
            "settings: camera.width 0 is out of range (16–7680 px); using 640 px"
        );
    }

    #[test]
    fn a_calibration_with_an_impossible_number_is_dropped() {
        let mut s = Settings::default();
        let mut b = Baseline::new(90, 3.0);
        b.set_stat(
            MetricId::TrunkLeanFrontal,
            Some(Stat {
                mean: 2.0,
                std: 0.5,
                samples: 90,
            }),
        );
        s.baseline = Some(b.clone());
        let (kept, notes) = checked(s.clone());
        assert_eq!(kept.baseline, Some(b.clone()));
        assert!(notes.is_empty());

        b.set_stat(
            MetricId::ShoulderTilt,
            Some(Stat {
                mean: f32::INFINITY,
                std: 0.5,
                samples: 90,
            }),
        );
        s.baseline = Some(b);
        let (dropped, notes) = checked(s);
        assert_eq!(dropped.baseline, None);
        assert_eq!(
            notes,
            [
                "settings: baseline.shoulder_tilt_deg.mean inf is out of range; the calibration \
              is dropped, calibrate again"
            ]
        );
    }
}
