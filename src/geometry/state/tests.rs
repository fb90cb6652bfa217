use super::*;

fn lean(v: f32) -> Metrics {
    Metrics::default().with(MetricId::TrunkLeanFrontal, v)
}

fn instant() -> Thresholds {
    let mut t = Thresholds::default();
    t.min_dwell_s = 0.0;
    t
}

fn at(frame: u64) -> Duration {
    Duration::from_micros(frame * 33_333)
}

#[test]
fn levels_use_a_dead_zone() {
    struct Case {
        value: f32,
        previous: PostureState,
        want: PostureState,
    }
    let band = Band {
        drifting: 5.0,
        misaligned: 10.0,
    };
    let cases = [
        Case {
            value: 4.9,
            previous: PostureState::Aligned,
            want: PostureState::Aligned,
        }, // below the threshold
        Case {
            value: 5.0,
            previous: PostureState::Aligned,
            want: PostureState::Drifting,
        }, // at it: in
        Case {
            value: -6.0,
            previous: PostureState::Aligned,
            want: PostureState::Drifting,
        }, // magnitude counts
        Case {
            value: 4.5,
            previous: PostureState::Drifting,
            want: PostureState::Drifting,
        }, // in the dead zone: stays
        Case {
            value: 3.9,
            previous: PostureState::Drifting,
            want: PostureState::Aligned,
        }, // below 80%: leaves
        Case {
            value: 8.5,
            previous: PostureState::Misaligned,
            want: PostureState::Misaligned,
        }, // dead zone of the upper band
        Case {
            value: 7.9,
            previous: PostureState::Misaligned,
            want: PostureState::Drifting,
        }, // falls one band
        Case {
            value: 3.0,
            previous: PostureState::Misaligned,
            want: PostureState::Aligned,
        }, // falls two
        Case {
            value: 12.0,
            previous: PostureState::Unknown,
            want: PostureState::Misaligned,
        },
    ];
    for c in cases {
        assert_eq!(
            level_with_hysteresis(Some(c.value), &band, c.previous, 0.2),
            c.want,
            "{} after {:?}",
            c.value,
            c.previous
        );
    }
    assert_eq!(
        level_with_hysteresis(None, &band, PostureState::Aligned, 0.2),
        PostureState::Unknown
    );
}

#[test]
fn oscillation_around_a_threshold_does_not_flicker() {
    // The lean swings 3.5° ↔ 6.5° around the 5° threshold, switching every 0.3 s: each swing
    // crosses the dead zone, yet the shown state may change at most once per dwell (1 s).
    let mut sm = StateMachine::new();
    let mut changes = Vec::new();
    for f in 0..300u64 {
        let t = at(f);
        let v = if (f / 9) % 2 == 0 { 3.5 } else { 6.5 };
        let u = sm.update(t, &lean(v), &Thresholds::default());
        if u.changed {
            changes.push(t);
        }
    }
    for w in changes.windows(2) {
        assert!(
            (w[1] - w[0]).as_secs_f32() >= 1.0,
            "flipped within the dwell: {changes:?}"
        );
    }
    // Small noise inside the dead zone never changes the state once drifting.
    let mut sm = StateMachine::new();
    let mut n = 0;
    for f in 0..300u64 {
        let v = if f % 2 == 0 { 4.3 } else { 5.6 };
        n += sm.update(at(f), &lean(v), &Thresholds::default()).changed as u32;
    }
    assert_eq!(n, 1, "one change (unknown → drifting), then steady");
    assert_eq!(sm.state(), PostureState::Drifting);
}

#[test]
fn a_bad_stretch_must_last_the_dwell_to_show() {
    let mut sm = StateMachine::new();
    for f in 0..60 {
        sm.update(at(f), &lean(1.0), &Thresholds::default());
    }
    assert_eq!(sm.state(), PostureState::Aligned);
    // Half a second of strong lean: not long enough.
    for f in 60..75 {
        sm.update(at(f), &lean(15.0), &Thresholds::default());
    }
    assert_eq!(sm.state(), PostureState::Aligned);
    for f in 75..90 {
        sm.update(at(f), &lean(1.0), &Thresholds::default());
    }
    // A sustained lean shows after a second.
    let mut shown_at = None;
    for f in 90..150 {
        if sm
            .update(at(f), &lean(15.0), &Thresholds::default())
            .changed
        {
            shown_at = Some(f);
        }
    }
    let f = shown_at.expect("became misaligned");
    assert!((at(f) - at(90)).as_secs_f32() >= 1.0 && (at(f) - at(90)).as_secs_f32() < 1.1);
    assert_eq!(sm.state(), PostureState::Misaligned);
}

#[test]
fn worst_metric_decides_and_nothing_measured_is_unknown() {
    let mut sm = StateMachine::new();
    let m = Metrics::default()
        .with(MetricId::TrunkLeanFrontal, 1.0)
        .with(MetricId::ShoulderTilt, 13.0);
    let u = sm.update(at(0), &m, &instant());
    assert_eq!(
        u.levels.get(MetricId::TrunkLeanFrontal),
        PostureState::Aligned
    );
    assert_eq!(
        u.levels.get(MetricId::ShoulderTilt),
        PostureState::Misaligned
    );
    assert_eq!(
        u.levels.of_part(BodyPart::ShoulderLine),
        PostureState::Misaligned
    );
    assert_eq!(u.levels.of_part(BodyPart::Trunk), PostureState::Aligned);
    assert_eq!(u.state, PostureState::Misaligned);
    assert_eq!(
        sm.update(at(1), &Metrics::default(), &instant()).state,
        PostureState::Unknown
    );
    assert_eq!(
        sm.update_absent(at(2), &instant()).state,
        PostureState::Unknown
    );
}

#[test]
fn unjudged_metrics_never_change_the_state() {
    let mut sm = StateMachine::new();
    // 40 cm of offset in 3-D and a knee far off the plumb line: reported, not judged.
    let m = Metrics::default()
        .with(MetricId::TrunkLeanFrontal, 1.0)
        .with(MetricId::ShoulderHipOffsetCm, 40.0)
        .with(MetricId::PlumbKnee, 0.9);
    let u = sm.update(at(0), &m, &instant());
    assert_eq!(u.state, PostureState::Aligned);
    assert_eq!(u.levels.get(MetricId::PlumbKnee), PostureState::Unknown);
}

#[test]
fn time_in_state_adds_up() {
    let mut t = TimeInState::default();
    t.record(Duration::from_secs(0), PostureState::Aligned);
    t.record(Duration::from_secs(6), PostureState::Misaligned);
    t.record(Duration::from_secs(8), PostureState::Unknown);
    t.record(Duration::from_secs(10), PostureState::Unknown);
    assert_eq!(t.aligned_s, 6.0);
    assert_eq!(t.misaligned_s, 2.0);
    assert_eq!(t.unknown_s, 2.0);
    assert!((t.fraction(PostureState::Aligned) - 0.6).abs() < 1e-9);
    // An out-of-order timestamp adds nothing.
    t.record(Duration::from_secs(9), PostureState::Aligned);
    assert_eq!(t.total_s(), 10.0);
}

#[test]
fn levels_pack_into_two_bits_per_metric_and_back() {
    let none = MetricLevels::default();
    assert_eq!(none.pack(), 0, "nothing judged packs to nothing");
    let mut levels = MetricLevels::default();
    levels.set(MetricId::TrunkLeanFrontal, PostureState::Aligned);
    levels.set(MetricId::ShoulderHipOffset, PostureState::Drifting);
    levels.set(MetricId::PlumbHip, PostureState::Misaligned);
    // Frontal lean in bits 0–1, the offset (index 2) in bits 4–5, the plumb hip (9) in 18–19.
    assert_eq!(levels.pack(), 1 | 2 << 4 | 3 << 18);
    assert_eq!(MetricLevels::unpack(levels.pack()), levels);
    let all_misaligned = MetricLevels::unpack(u64::MAX);
    assert!(
        MetricId::ALL
            .iter()
            .all(|&id| all_misaligned.get(id) == PostureState::Misaligned)
    );
    assert!(all_misaligned.pack() < 1 << 22, "eleven metrics in 22 bits");
    let json = serde_json::to_value(levels).unwrap();
    assert_eq!(json["shoulder_hip_offset"], "drifting");
    assert!(
        json["trunk_lean_sagittal_deg"].is_null(),
        "present, as null"
    );
    assert_eq!(
        serde_json::from_value::<MetricLevels>(json).unwrap(),
        levels
    );
}
