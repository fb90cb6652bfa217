use super::*;

const CUE: &str = "shoulders back over hips";

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// Frames every 100 ms from `from` to `to` (inclusive) in `state`; returns when each alert
/// fired, and the last frame's banners.
fn run(a: &mut Alerter, from: f64, to: f64, state: PostureState) -> (Vec<(f64, Alert)>, Banners) {
    let mut fired = Vec::new();
    let mut banners = Banners::default();
    let (first, last) = ((from * 10.0).round() as u64, (to * 10.0).round() as u64);
    for tenth in first..=last {
        let t = tenth as f64 / 10.0;
        let u = a.update(secs(t), state, Some(CUE), &[]);
        if let Some(alert) = u.fired {
            fired.push((t, alert));
        }
        banners = u.banners;
    }
    (fired, banners)
}

fn times(fired: &[(f64, Alert)]) -> Vec<f64> {
    fired.iter().map(|(t, _)| *t).collect()
}

fn reminder(t_s: u64, still_for_s: f32) -> MotionEvent {
    MotionEvent::MoveReminder {
        t_ms: t_s * 1000,
        still_for_s,
    }
}

#[test]
fn misaligned_fires_after_the_delay_not_before() {
    let mut a = Alerter::new(AlertRules::default());
    let (fired, banners) = run(&mut a, 0.0, 9.9, PostureState::Misaligned);
    assert!(fired.is_empty());
    assert_eq!(
        banners.misaligned, None,
        "no banner before the delay either"
    );
    let (fired, banners) = run(&mut a, 10.0, 10.0, PostureState::Misaligned);
    assert_eq!(times(&fired), [10.0]);
    assert_eq!(
        fired[0].1,
        Alert {
            kind: AlertKind::Misaligned,
            message: "Misaligned for 10 s: shoulders back over hips".into(),
            spoken: "shoulders back over hips".into(),
            seq: 1,
        }
    );
    assert_eq!(banners.misaligned, Some(fired[0].1.clone()));
}

#[test]
fn misaligned_repeats_while_it_lasts_and_the_banner_follows_the_time() {
    let mut a = Alerter::new(AlertRules::default());
    let (fired, banners) = run(&mut a, 0.0, 300.0, PostureState::Misaligned);
    assert_eq!(times(&fired), [10.0, 130.0, 250.0]);
    assert_eq!(
        fired[1].1.message,
        "Misaligned for 2 min 10 s: shoulders back over hips"
    );
    let banner = banners.misaligned.unwrap();
    assert_eq!(
        banner.message,
        "Misaligned for 5 min: shoulders back over hips"
    );
    assert_eq!(banner.seq, 3, "the banner carries the last alert's number");
}

#[test]
fn repeat_zero_alerts_once() {
    let mut a = Alerter::new(AlertRules {
        repeat_after_s: 0.0,
        ..AlertRules::default()
    });
    let (fired, _) = run(&mut a, 0.0, 600.0, PostureState::Misaligned);
    assert_eq!(times(&fired), [10.0]);
}

#[test]
fn leaving_misaligned_resets_the_timer_and_ends_the_banner() {
    let mut a = Alerter::new(AlertRules::default());
    assert!(run(&mut a, 0.0, 8.0, PostureState::Misaligned).0.is_empty());
    assert!(run(&mut a, 8.1, 8.1, PostureState::Drifting).0.is_empty());
    let (fired, banners) = run(&mut a, 8.2, 30.0, PostureState::Misaligned);
    assert_eq!(times(&fired), [18.2], "counted from the new start");
    assert!(banners.misaligned.is_some());
    let (fired, banners) = run(&mut a, 30.1, 30.1, PostureState::Aligned);
    assert!(fired.is_empty());
    assert_eq!(banners.misaligned, None);
}

#[test]
fn frames_without_a_person_reset_the_timer_but_gaps_between_frames_do_not() {
    let mut a = Alerter::new(AlertRules::default());
    // Nobody seen for a frame (or the user calibrating): start again.
    assert!(run(&mut a, 0.0, 9.0, PostureState::Misaligned).0.is_empty());
    assert!(run(&mut a, 9.1, 9.1, PostureState::Unknown).0.is_empty());
    assert!(
        run(&mut a, 9.2, 19.1, PostureState::Misaligned)
            .0
            .is_empty()
    );
    assert_eq!(
        times(&run(&mut a, 19.2, 19.2, PostureState::Misaligned).0),
        [19.2]
    );

    // Frames 4 s apart (a stalled camera, slow inference): the time between them still counts.
    let mut a = Alerter::new(AlertRules::default());
    let mut fired = Vec::new();
    for t in [0.0, 4.0, 8.0, 12.0] {
        fired.extend(a.update(secs(t), PostureState::Misaligned, None, &[]).fired);
    }
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].message, "Misaligned for 12 s");
}

#[test]
fn time_running_backwards_starts_afresh() {
    let mut a = Alerter::new(AlertRules::default());
    assert!(run(&mut a, 5.0, 9.0, PostureState::Misaligned).0.is_empty());
    // The source restarted: media time starts again at 0.
    assert!(run(&mut a, 0.0, 9.9, PostureState::Misaligned).0.is_empty());
    assert_eq!(
        times(&run(&mut a, 10.0, 10.0, PostureState::Misaligned).0),
        [10.0]
    );
}

#[test]
fn a_move_reminder_fires_and_its_banner_lasts_a_minute() {
    let mut a = Alerter::new(AlertRules::default());
    let u = a.update(
        secs(1200.0),
        PostureState::Aligned,
        None,
        &[reminder(1200, 1200.4)],
    );
    let expected = Alert {
        kind: AlertKind::MoveReminder,
        message: "Time to move: you have been still for 20 min".into(),
        spoken: "time to move".into(),
        seq: 1,
    };
    assert_eq!(u.fired.as_ref(), Some(&expected));
    let (fired, banners) = run(&mut a, 1200.1, 1259.9, PostureState::Aligned);
    assert!(fired.is_empty(), "it fires once");
    assert_eq!(banners.move_reminder, Some(expected));
    let (_, banners) = run(&mut a, 1260.0, 1260.0, PostureState::Aligned);
    assert_eq!(banners.move_reminder, None, "gone after {MOVE_BANNER_S} s");
}

#[test]
fn a_move_reminder_banner_ends_when_the_person_moves() {
    let banner_after = |event: Option<MotionEvent>| {
        let mut a = Alerter::new(AlertRules::default());
        let u = a.update(
            secs(10.0),
            PostureState::Aligned,
            None,
            &[reminder(10, 45.0)],
        );
        assert_eq!(
            u.banners.move_reminder.map(|b| b.message),
            Some("Time to move: you have been still for 45 s".to_string())
        );
        let events: Vec<MotionEvent> = event.into_iter().collect();
        a.update(secs(11.0), PostureState::Aligned, None, &events)
            .banners
            .move_reminder
    };
    assert_eq!(
        banner_after(Some(MotionEvent::SuddenMovement {
            t_ms: 11_000,
            speed_torso_per_s: 3.0
        })),
        None
    );
    assert_eq!(
        banner_after(Some(MotionEvent::WalkingStarted { t_ms: 11_000 })),
        None
    );
    assert!(
        banner_after(None).is_some(),
        "a frame without movement keeps it"
    );
}

#[test]
fn move_reminders_off_pass_nothing_on() {
    let mut a = Alerter::new(AlertRules {
        move_reminders: false,
        ..AlertRules::default()
    });
    let u = a.update(
        secs(1.0),
        PostureState::Aligned,
        None,
        &[reminder(1, 1200.0)],
    );
    assert_eq!(u, AlertUpdate::default());

    // Turning them off hides one on show.
    let mut a = Alerter::new(AlertRules::default());
    let u = a.update(
        secs(1.0),
        PostureState::Aligned,
        None,
        &[reminder(1, 1200.0)],
    );
    assert!(u.banners.move_reminder.is_some());
    a.set_rules(AlertRules {
        move_reminders: false,
        ..AlertRules::default()
    });
    let u = a.update(secs(1.1), PostureState::Aligned, None, &[]);
    assert_eq!(u.banners.move_reminder, None);
}

#[test]
fn two_alerts_on_one_frame_fire_one_after_the_other() {
    let mut a = Alerter::new(AlertRules::default());
    run(&mut a, 0.0, 9.9, PostureState::Misaligned);
    let first = a.update(
        secs(10.0),
        PostureState::Misaligned,
        Some(CUE),
        &[reminder(10, 1200.0)],
    );
    assert_eq!(first.fired.map(|a| a.kind), Some(AlertKind::Misaligned));
    let second = a.update(secs(10.1), PostureState::Misaligned, Some(CUE), &[]);
    assert_eq!(second.fired.map(|a| a.kind), Some(AlertKind::MoveReminder));
    // Once the posture is fine, the move reminder is what is left to show.
    let u = a.update(secs(10.2), PostureState::Aligned, None, &[]);
    assert_eq!(u.banners.misaligned, None);
    assert_eq!(u.banners.move_reminder.map(|b| b.seq), Some(2));
}

#[test]
fn rules_from_a_file_are_made_safe() {
    let r: AlertRules = serde_json::from_str(r#"{"move_reminders": false}"#).unwrap();
    assert_eq!(
        r,
        AlertRules {
            move_reminders: false,
            ..AlertRules::default()
        },
        "missing fields take their defaults"
    );
    let a = Alerter::new(AlertRules {
        misaligned_after_s: f32::NAN,
        repeat_after_s: -5.0,
        ..AlertRules::default()
    });
    assert_eq!(a.rules().misaligned_after_s, 10.0);
    assert_eq!(a.rules().repeat_after_s, 0.0);
    assert_eq!(
        move_message(1259.0),
        "Time to move: you have been still for 20 min"
    );
}
