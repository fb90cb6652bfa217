use super::*;
use crate::report::summary::{Summary, SummaryBuilder};
use crate::report::synthetic::{session, standing, walking, without_levels};

use MetricId::{ShoulderHipOffset as Offset, TrunkLeanSagittal as Trunk};
use PostureState::{Aligned as A, Drifting as D, Misaligned as M};

fn summarize(samples: &[Sample]) -> Summary {
    let mut b = SummaryBuilder::default();
    for s in samples {
        b.push(s);
    }
    b.finish("synthetic", "lite", None)
}

fn measure(s: &Summary, m: Measure) -> &MeasureSummary {
    s.measures.iter().find(|x| x.measure == m).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn each_measure_has_its_time_at_each_level_adding_up_to_the_duration() {
    // 60 s upright, 20 s leaning well forward, 10 s drifting; the shoulders judged only in
    // the first minute.
    let s = summarize(&session(&[
        standing(60.0, &[(Trunk, A), (Offset, A)]),
        standing(20.0, &[(Trunk, M)]),
        standing(10.0, &[(Trunk, D)]),
    ]));
    let order: Vec<Measure> = s.measures.iter().map(|m| m.measure).collect();
    assert_eq!(order, Measure::ALL, "every measure, in the preset's order");
    let trunk = measure(&s, Measure::TrunkUpright).time.clone().unwrap();
    // The last frame adds no time: 89.9 s in all.
    assert!(close(trunk.aligned_s, 60.0) && close(trunk.misaligned_s, 20.0));
    assert!(close(trunk.drifting_s, 9.9) && close(trunk.unmeasured_s, 0.0));
    for m in &s.measures {
        let t = m.time.as_ref().unwrap();
        assert!(
            close(t.measured_s() + t.unmeasured_s, s.duration_s),
            "{m:?}"
        );
        let fractions = t.aligned_fraction
            + t.drifting_fraction
            + t.misaligned_fraction
            + t.unmeasured_fraction;
        assert!(close(fractions, 1.0));
    }
    let shoulders = measure(&s, Measure::ShouldersOverHips)
        .time
        .clone()
        .unwrap();
    assert!(close(shoulders.aligned_s, 60.0) && close(shoulders.unmeasured_s, 29.9));
    assert_eq!(s.measures_note, None);
    // The trunk's one off stretch, from 60 s to the end, and its cue.
    let trunk = measure(&s, Measure::TrunkUpright);
    assert_eq!(trunk.off_stretches.len(), 1);
    assert!(close(trunk.off_stretches[0].start_s, 60.0));
    assert!(close(trunk.off_stretches[0].end_s, 89.9));
    assert_eq!(
        trunk.cue.as_deref(),
        Some("stand taller: lift your chest over your hips")
    );
    assert_eq!(measure(&s, Measure::ShouldersOverHips).cue, None);
}

#[test]
fn values_are_signed_over_the_frames_judged_and_null_when_never_measured() {
    let s = summarize(&session(&[
        standing(10.0, &[(Trunk, A)]),
        standing(30.0, &[(Trunk, M)]),
    ]));
    let trunk = measure(&s, Measure::TrunkUpright);
    let v = trunk.values["trunk_lean_sagittal_deg"].clone().unwrap();
    // Band 10°/20°: aligned frames read 5°, misaligned 30°.
    assert_eq!((v.n, v.median, v.p5, v.p95), (400, 30.0, 5.0, 30.0));
    assert!(
        trunk.values["trunk_lean_frontal_deg"].is_none(),
        "present, as null"
    );
    let json = serde_json::to_value(&s).unwrap();
    let values = &json["measures"][0]["values"];
    assert!(
        values
            .as_object()
            .unwrap()
            .contains_key("trunk_lean_frontal_deg")
    );
    assert!(values["trunk_lean_frontal_deg"].is_null());
}

#[test]
fn each_misaligned_stretch_names_the_measure_that_drove_it() {
    // The trunk drifts throughout; the shoulders go out of line twice, then the trunk does.
    let s = summarize(&session(&[
        standing(10.0, &[(Trunk, D), (Offset, A)]),
        standing(5.0, &[(Trunk, D), (Offset, M)]),
        standing(10.0, &[(Trunk, D), (Offset, A)]),
        standing(4.0, &[(Trunk, M), (Offset, M)]),
        standing(6.0, &[(Trunk, D), (Offset, M)]),
        standing(5.0, &[(Trunk, A), (Offset, A)]),
    ]));
    let got: Vec<(f64, f64, Option<Measure>, Option<&str>)> = s
        .misaligned_stretches
        .iter()
        .map(|m| (m.start_s, m.end_s, m.driver, m.cue.as_deref()))
        .collect();
    let shoulders = Some("bring your shoulders back over your hips");
    assert_eq!(
        got,
        [
            (10.0, 15.0, Some(Measure::ShouldersOverHips), shoulders),
            // Both out of line for 4 s (the trunk speaks first), the shoulders alone for 6 s.
            (25.0, 35.0, Some(Measure::ShouldersOverHips), shoulders),
        ]
    );
    assert_eq!(
        s.misaligned_stretches[0].driver_metric.as_deref(),
        Some("shoulder_hip_offset")
    );
}

#[test]
fn off_stretches_bridge_short_gaps_and_count_walking() {
    let s = summarize(&session(&[
        walking(10.0, 100.0, &[(Offset, D)]),
        walking(1.0, 100.0, &[(Offset, A)]),
        walking(10.0, 120.0, &[(Offset, M)]),
        standing(5.0, &[(Offset, A)]),
        standing(10.0, &[(Offset, D)]),
    ]));
    let m = measure(&s, Measure::ShouldersOverHips);
    let spans: Vec<(f64, f64)> = m
        .off_stretches
        .iter()
        .map(|x| (x.start_s, x.end_s))
        .collect();
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert!(
        close(spans[0].0, 0.0) && close(spans[0].1, 21.0),
        "1 s back in line is bridged"
    );
    assert!(
        close(spans[1].0, 26.0) && close(spans[1].1, 35.9),
        "5 s is not"
    );
    assert!(close(m.off_stretches[0].drifting_s, 10.0));
    assert!(close(m.off_stretches[0].misaligned_s, 10.0));
    assert!(close(m.off_walking_s.unwrap(), 20.0));
    // Off while walking: half the time at 100, half at 120 steps per minute.
    assert!(close(m.off_cadence_spm.unwrap(), 110.0));
}

#[test]
fn a_session_stored_before_levels_says_its_times_are_not_known() {
    let s = summarize(&without_levels(session(&[
        standing(10.0, &[(Trunk, A)]),
        standing(10.0, &[(Trunk, M)]),
    ])));
    assert_eq!(s.measures_note.as_deref(), Some(NO_LEVELS_NOTE));
    for m in &s.measures {
        assert!(m.time.is_none() && m.off_walking_s.is_none(), "{m:?}");
    }
    // The stretch is still known from the shown state, not what drove it.
    assert_eq!(s.misaligned_stretches.len(), 1);
    assert!(s.misaligned_stretches[0].driver.is_none());
    // Values are still there, over every measured frame.
    let v = measure(&s, Measure::TrunkUpright).values["trunk_lean_sagittal_deg"].clone();
    assert_eq!(v.unwrap().n, 200);
    let json = serde_json::to_value(&s).unwrap();
    assert!(json["measures"][0]["time"].is_null());
    assert!(
        json["measures"][0]
            .as_object()
            .unwrap()
            .contains_key("time")
    );
}
