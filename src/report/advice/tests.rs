use super::*;
use crate::geometry::MetricId;
use crate::geometry::calibration::Baseline;
use crate::geometry::preset::Preset;
use crate::geometry::state::PostureState;
use crate::report::summary::SummaryBuilder;
use crate::report::synthetic::{Part, session, standing, walking, without_levels};
use crate::session::Sample;

use MetricId::{ShoulderHipOffset as Offset, ShoulderTilt as Tilt, TrunkLeanSagittal as Trunk};
use PostureState::{Aligned as A, Drifting as D, Misaligned as M};

const TRUNK_CUE: &str = "stand taller: lift your chest over your hips";
const SHOULDERS_CUE: &str = "bring your shoulders back over your hips";

fn summarize(samples: &[Sample], preset: Option<Preset>) -> Summary {
    let mut b = SummaryBuilder::default();
    for s in samples {
        b.push(s);
    }
    b.set_preset(preset);
    b.finish("synthetic", "full", None)
}

fn walking_practice() -> Option<Preset> {
    Some(Preset {
        activity: Practice::Walking,
        measures: vec![Measure::TrunkUpright, Measure::ShouldersOverHips],
    })
}

/// A synthetic session and what its report's first words must be.
struct Case {
    what: &'static str,
    parts: Vec<Part>,
    /// Stored before levels and cues were kept.
    old: bool,
    overview: &'static str,
    /// The work-on items' lines, in rank order.
    work_on: &'static [&'static str],
}

#[test]
fn the_overview_and_what_to_work_on_say_what_the_session_showed() {
    let cases = [
        Case {
            what: "all aligned: nothing to work on",
            parts: vec![standing(600.0, &[(Trunk, A), (Offset, A)])],
            old: false,
            overview: "You kept your trunk upright and your shoulders over your hips the whole \
                       time.",
            work_on: &[],
        },
        Case {
            what: "the trunk out of line in the last three of twenty minutes",
            parts: vec![
                standing(1020.0, &[(Trunk, A), (Offset, A)]),
                standing(180.0, &[(Trunk, M), (Offset, A)]),
            ],
            old: false,
            overview: "You kept your shoulders over your hips the whole time. You kept your \
                       trunk upright 85% of the time. Your trunk leaned mostly in the last \
                       three minutes.",
            work_on: &[
                "Trunk upright: misaligned for 3 min, mostly in the last three \
                        minutes. Cue: “stand taller: lift your chest over your hips”.",
            ],
        },
        Case {
            what: "the shoulders drifting while walking faster, in the last five minutes",
            parts: vec![
                walking(600.0, 100.0, &[(Trunk, A), (Offset, A)]),
                walking(300.0, 112.0, &[(Trunk, A), (Offset, D)]),
            ],
            old: false,
            overview: "You kept your trunk upright the whole time. You kept your shoulders \
                       over your hips 67% of the time. Your shoulders drifted off your hips \
                       mostly in the last five minutes while walking, when you were also \
                       walking faster.",
            work_on: &[
                "Shoulders over hips: drifting for 5 min, mostly in the last five \
                        minutes while walking, when you were also walking faster. Cue: \
                        “bring your shoulders back over your hips”.",
            ],
        },
        Case {
            what: "less misaligned but much more drifting ranks second (a drifting second \
                   weighs a quarter)",
            parts: vec![
                standing(60.0, &[(Trunk, A), (Offset, A)]),
                // The trunk: 20 s misaligned, lost 20 s.
                standing(20.0, &[(Trunk, M), (Offset, A)]),
                standing(60.0, &[(Trunk, A), (Offset, A)]),
                // The shoulders: 10 s misaligned and 30 s drifting, lost 17.5 s.
                standing(10.0, &[(Trunk, A), (Offset, M)]),
                standing(30.0, &[(Trunk, A), (Offset, D)]),
            ],
            old: false,
            overview: "You kept your trunk upright 89% of the time. Your trunk leaned mostly \
                       in the middle. You kept your shoulders over your hips 78% of the time. \
                       Your shoulders drifted off your hips mostly in the last minute.",
            work_on: &[
                "Trunk upright: misaligned for 20 s, mostly in the middle. Cue: “stand \
                 taller: lift your chest over your hips”.",
                "Shoulders over hips: misaligned for 10 s and drifting for 30 s, mostly in \
                 the last minute. Cue: “bring your shoulders back over your hips”.",
            ],
        },
        Case {
            what: "…but with twice the drift, the shoulders lose more and come first",
            parts: vec![
                standing(20.0, &[(Trunk, M), (Offset, A)]),
                standing(10.0, &[(Trunk, A), (Offset, M)]),
                standing(60.0, &[(Trunk, A), (Offset, D)]),
                standing(30.0, &[(Trunk, A), (Offset, A)]),
            ],
            old: false,
            overview: "You kept your shoulders over your hips 42% of the time. Your shoulders \
                       drifted off your hips between 0:20 and 1:30. You kept your trunk \
                       upright 83% of the time. Your trunk leaned mostly near the start.",
            work_on: &[
                "Shoulders over hips: misaligned for 10 s and drifting for 1 min, between \
                 0:20 and 1:30. Cue: “bring your shoulders back over your hips”.",
                "Trunk upright: misaligned for 20 s, mostly near the start. Cue: “stand \
                 taller: lift your chest over your hips”.",
            ],
        },
        Case {
            what: "a short clip leaning at many moments counts them rather than saying \
                   \"throughout\"",
            parts: [standing(3.0, &[(Trunk, A)]), standing(1.0, &[(Trunk, M)])].repeat(5),
            old: false,
            overview: "You kept your trunk upright 75% of the time. Your trunk leaned at five \
                       moments across the session.",
            work_on: &[
                "Trunk upright: misaligned for 5 s, at five moments across the \
                        session. Cue: “stand taller: lift your chest over your hips”.",
            ],
        },
        Case {
            what: "a moment of drift is not worth naming",
            parts: vec![
                standing(300.0, &[(Trunk, A)]),
                standing(2.0, &[(Trunk, D)]),
                standing(300.0, &[(Trunk, A)]),
            ],
            old: false,
            overview: "You kept your trunk upright nearly all the time.",
            work_on: &[],
        },
        Case {
            what: "a short clip drifting half the time loses too little to work on, but is \
                   not kept \"nearly all the time\"",
            parts: vec![
                walking(3.0, 100.0, &[(Trunk, A), (Offset, A)]),
                walking(3.0, 100.0, &[(Trunk, D), (Offset, A)]),
            ],
            old: false,
            overview: "You kept your shoulders over your hips the whole time. You kept your \
                       trunk upright 51% of the time; the rest of the time you drifted close \
                       to the limit but not past it.",
            work_on: &[],
        },
        Case {
            what: "a session stored before levels: its states, and why no more",
            parts: vec![
                standing(60.0, &[(Trunk, A)]),
                standing(20.0, &[(Trunk, D)]),
                standing(20.0, &[(Trunk, M)]),
            ],
            old: true,
            overview: "Your posture was aligned 60% of the time, drifting 20% and misaligned \
                       20%. This session was recorded before plumbline kept each measure's \
                       result, so this report cannot say which measure was out of line.",
            work_on: &[],
        },
        Case {
            what: "checked for only part of the session",
            parts: vec![standing(100.0, &[(Tilt, A)]), standing(200.0, &[])],
            old: false,
            overview: "You kept your shoulders level the whole time. Your posture could be \
                       checked for 1 min 40 s of the 5 min session.",
            work_on: &[],
        },
        Case {
            what: "nothing could be checked",
            parts: vec![standing(60.0, &[])],
            old: false,
            overview: "None of the measures could be checked in this session.",
            work_on: &[],
        },
    ];
    for c in cases {
        let samples = session(&c.parts);
        let samples = if c.old {
            without_levels(samples)
        } else {
            samples
        };
        let s = summarize(&samples, None);
        assert_eq!(overview(&s), c.overview, "{}", c.what);
        let items: Vec<String> = work_on(&s).into_iter().map(|w| w.text).collect();
        assert_eq!(items, c.work_on, "{}", c.what);
    }
}

#[test]
fn work_on_items_carry_their_parts_for_the_document() {
    let s = summarize(
        &session(&[
            walking(600.0, 100.0, &[(Trunk, A), (Offset, A)]),
            walking(300.0, 112.0, &[(Trunk, A), (Offset, D)]),
        ]),
        walking_practice(),
    );
    let items = work_on(&s);
    assert_eq!(items.len(), 1);
    let w = &items[0];
    assert_eq!(w.measure, Measure::ShouldersOverHips);
    // The last frame adds no time.
    assert!((w.drifting_s - 299.9).abs() < 1e-6 && w.misaligned_s == 0.0);
    assert!(
        (w.lost_s - 299.9 / 4.0).abs() < 1e-6,
        "a quarter of the drift"
    );
    assert_eq!(
        w.when,
        "mostly in the last five minutes while walking, when you were also walking faster"
    );
    assert_eq!(w.cue.as_deref(), Some(SHOULDERS_CUE));
}

#[test]
fn at_most_three_things_to_work_on() {
    use MetricId::HeadForward as Head;
    let s = summarize(
        &session(&[
            standing(40.0, &[(Trunk, M)]),
            standing(30.0, &[(Offset, M)]),
            standing(20.0, &[(Tilt, M)]),
            standing(10.0, &[(Head, M)]),
        ]),
        None,
    );
    let items = work_on(&s);
    assert_eq!(items[0].cue.as_deref(), Some(TRUNK_CUE));
    let ranked: Vec<Measure> = items.iter().map(|w| w.measure).collect();
    assert_eq!(
        ranked,
        [
            Measure::TrunkUpright,
            Measure::ShouldersOverHips,
            Measure::LevelShoulders
        ]
    );
}

#[test]
fn walking_practice_without_walking_says_so() {
    let s = summarize(&session(&[standing(60.0, &[])]), walking_practice());
    assert_eq!(
        overview(&s),
        "None of the measures could be checked in this session. This was walking practice, \
         and no walking was seen."
    );
}

#[test]
fn the_basis_says_what_was_judged_and_against_what() {
    struct Case {
        what: &'static str,
        preset: Option<Preset>,
        reference: Reference,
        want: &'static str,
    }
    let calibrated_on = |on: Option<&str>| Reference::Calibrated {
        on: on.map(str::to_string),
    };
    let cases = [
        Case {
            what: "walking practice, calibrated on a known date",
            preset: walking_practice(),
            reference: calibrated_on(Some("2026-11-20")),
            want: "Trunk upright and shoulders over hips were checked while you walked \
                   (walking practice). Your posture was judged as change from the stance you \
                   calibrated on 2026-11-20.",
        },
        Case {
            what: "every measure, absolute",
            preset: Some(Preset::default()),
            reference: Reference::Absolute,
            want: "Every measure was checked whatever you were doing. Your posture was judged \
                   against the usual limits, not against a calibrated stance of your own.",
        },
        Case {
            what: "one measure standing, calibrated at an unknown date",
            preset: Some(Preset {
                activity: Practice::Standing,
                measures: vec![Measure::PlumbLine],
            }),
            reference: calibrated_on(None),
            want: "Plumb line was checked while you stood (standing practice). Your posture \
                   was judged as change from your calibrated stance.",
        },
        Case {
            what: "a session from before presets were kept",
            preset: None,
            reference: Reference::Absolute,
            want: "This session was recorded before plumbline kept which measures were \
                   checked. Your posture was judged against the usual limits, not against a \
                   calibrated stance of your own.",
        },
    ];
    for c in cases {
        let s = summarize(&session(&[standing(10.0, &[(Trunk, A)])]), c.preset);
        assert_eq!(judged_with(&s, &c.reference), c.want, "{}", c.what);
    }
    assert_eq!(
        Reference::of(Some(&Baseline::new(30, 1.0)), None),
        calibrated_on(None)
    );
    assert_eq!(Reference::of(None, Some("x".into())), Reference::Absolute);
}

#[test]
fn with_nothing_to_work_on_a_measure_often_close_to_its_limit_is_still_named() {
    let calm = summarize(
        &session(&[standing(60.0, &[(Trunk, A), (Offset, A)])]),
        None,
    );
    assert_eq!(
        nothing_to_work_on(&calm),
        "Nothing to work on from this session: keep practising as you did."
    );
    let drifting = summarize(
        &session(&[
            walking(3.0, 100.0, &[(Trunk, A), (Offset, A)]),
            walking(3.0, 100.0, &[(Trunk, D), (Offset, D)]),
        ]),
        walking_practice(),
    );
    assert!(
        work_on(&drifting).is_empty(),
        "too little time lost to name"
    );
    assert_eq!(
        nothing_to_work_on(&drifting),
        "Nothing was out of line long enough to work on. Trunk upright and shoulders over \
         hips were often close to their limits: keep an eye on them next time."
    );
}
