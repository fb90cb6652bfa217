use std::sync::atomic::AtomicUsize;
use std::sync::mpsc;

use super::*;

const CUE: &str = "shoulders back over hips";

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// Frames every 100 ms from `from` to `to` (inclusive) in `state`, with wall time following
/// media time from `wall0`; returns when each alert fired.
fn run(
    a: &mut Alerter,
    wall0: Instant,
    from: f64,
    to: f64,
    state: PostureState,
) -> Vec<(f64, Alert)> {
    let mut fired = Vec::new();
    let (first, last) = ((from * 10.0).round() as u64, (to * 10.0).round() as u64);
    for tenth in first..=last {
        let t = tenth as f64 / 10.0;
        if let Some(alert) = a.update(secs(t), state, Some(CUE), &[], wall0 + secs(t)) {
            fired.push((t, alert));
        }
    }
    fired
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
    let mut a = Alerter::new(AlertSettings::default());
    let wall = Instant::now();
    assert!(run(&mut a, wall, 0.0, 9.9, PostureState::Misaligned).is_empty());
    assert_eq!(a.banner(), None, "no banner before the delay either");
    let fired = run(&mut a, wall, 10.0, 10.0, PostureState::Misaligned);
    assert_eq!(times(&fired), [10.0]);
    assert_eq!(
        fired[0].1,
        Alert {
            kind: AlertKind::Misaligned,
            message: "Misaligned for 10 s: shoulders back over hips".into()
        }
    );
    assert_eq!(a.banner(), Some(&fired[0].1));
}

#[test]
fn misaligned_repeats_while_it_lasts_and_the_banner_follows_the_time() {
    let mut a = Alerter::new(AlertSettings::default());
    let fired = run(&mut a, Instant::now(), 0.0, 300.0, PostureState::Misaligned);
    assert_eq!(times(&fired), [10.0, 130.0, 250.0]);
    assert_eq!(
        fired[1].1.message,
        "Misaligned for 2 min 10 s: shoulders back over hips"
    );
    assert_eq!(
        a.banner().map(|b| b.message.as_str()),
        Some("Misaligned for 5 min: shoulders back over hips")
    );
}

#[test]
fn repeat_zero_alerts_once() {
    let mut a = Alerter::new(AlertSettings {
        repeat_after_s: 0.0,
        ..AlertSettings::default()
    });
    let fired = run(&mut a, Instant::now(), 0.0, 600.0, PostureState::Misaligned);
    assert_eq!(times(&fired), [10.0]);
}

#[test]
fn leaving_misaligned_resets_the_timer_and_ends_the_banner() {
    let mut a = Alerter::new(AlertSettings::default());
    let wall = Instant::now();
    assert!(run(&mut a, wall, 0.0, 8.0, PostureState::Misaligned).is_empty());
    assert!(run(&mut a, wall, 8.1, 8.1, PostureState::Drifting).is_empty());
    let fired = run(&mut a, wall, 8.2, 30.0, PostureState::Misaligned);
    assert_eq!(times(&fired), [18.2], "counted from the new start");
    assert!(a.banner().is_some());
    assert!(run(&mut a, wall, 30.1, 30.1, PostureState::Aligned).is_empty());
    assert_eq!(a.banner(), None);
}

#[test]
fn frames_without_a_person_reset_the_timer_but_gaps_between_frames_do_not() {
    let mut a = Alerter::new(AlertSettings::default());
    let wall = Instant::now();
    // Nobody seen for a frame: the person may have left; start again.
    assert!(run(&mut a, wall, 0.0, 9.0, PostureState::Misaligned).is_empty());
    assert!(run(&mut a, wall, 9.1, 9.1, PostureState::Unknown).is_empty());
    assert!(run(&mut a, wall, 9.2, 19.1, PostureState::Misaligned).is_empty());
    assert_eq!(
        times(&run(&mut a, wall, 19.2, 19.2, PostureState::Misaligned)),
        [19.2]
    );

    // Frames 4 s apart (a stalled camera, slow inference): the time between them still counts.
    let mut a = Alerter::new(AlertSettings::default());
    let mut fired = Vec::new();
    for t in [0.0, 4.0, 8.0, 12.0] {
        fired.extend(a.update(secs(t), PostureState::Misaligned, None, &[], wall));
    }
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].message, "Misaligned for 12 s");
}

#[test]
fn time_running_backwards_starts_afresh() {
    let mut a = Alerter::new(AlertSettings::default());
    let wall = Instant::now();
    assert!(run(&mut a, wall, 5.0, 9.0, PostureState::Misaligned).is_empty());
    // The demo clip loops: media time starts again at 0.
    assert!(run(&mut a, wall, 0.0, 9.9, PostureState::Misaligned).is_empty());
    assert_eq!(
        times(&run(&mut a, wall, 10.0, 10.0, PostureState::Misaligned)),
        [10.0]
    );
}

#[test]
fn muted_nothing_fires_and_no_banner_shows() {
    let mut a = Alerter::new(AlertSettings::default());
    let wall = Instant::now();
    a.set_muted(true);
    assert!(a.is_muted());
    assert!(run(&mut a, wall, 0.0, 100.0, PostureState::Misaligned).is_empty());
    assert_eq!(a.banner(), None);
    let reminded = a.update(
        secs(100.1),
        PostureState::Misaligned,
        Some(CUE),
        &[reminder(100, 1200.0)],
        wall,
    );
    assert_eq!(reminded, None);
    assert_eq!(a.banner(), None);

    // Unmuted while still misaligned: the banner is back at once, the sound waits for the
    // repeat (the alert due at 10 s counted as given).
    a.set_muted(false);
    assert!(run(&mut a, wall, 100.2, 100.2, PostureState::Misaligned).is_empty());
    assert_eq!(a.banner().map(|b| b.kind), Some(AlertKind::Misaligned));
    assert_eq!(
        times(&run(&mut a, wall, 100.3, 130.0, PostureState::Misaligned)),
        [130.0]
    );
}

#[test]
fn a_snooze_silences_until_it_expires() {
    let mut a = Alerter::new(AlertSettings::default());
    let wall = Instant::now();
    a.snooze(wall, Duration::from_secs(60));
    assert_eq!(a.snoozed_until(), Some(wall + Duration::from_secs(60)));
    assert!(run(&mut a, wall, 0.0, 59.9, PostureState::Misaligned).is_empty());
    assert_eq!(a.banner(), None);
    assert!(a.snoozed_until().is_some());
    // Wall time reaches the end of the snooze: the banner returns, the next alert is the repeat.
    let fired = run(&mut a, wall, 60.0, 130.0, PostureState::Misaligned);
    assert_eq!(a.snoozed_until(), None);
    assert_eq!(times(&fired), [130.0]);

    // A snooze that ended before the slouch does not delay its alert.
    let mut a = Alerter::new(AlertSettings::default());
    a.snooze(wall, Duration::from_secs(5));
    assert!(run(&mut a, wall, 0.0, 5.0, PostureState::Aligned).is_empty());
    assert_eq!(
        times(&run(&mut a, wall, 5.1, 15.1, PostureState::Misaligned)),
        [15.1]
    );
}

#[test]
fn a_move_reminder_fires_and_its_banner_lasts_a_minute() {
    let mut a = Alerter::new(AlertSettings::default());
    let wall = Instant::now();
    let fired = a.update(
        secs(1200.0),
        PostureState::Aligned,
        None,
        &[reminder(1200, 1200.4)],
        wall,
    );
    let expected = Alert {
        kind: AlertKind::MoveReminder,
        message: "Time to move: you have been still for 20 min".into(),
    };
    assert_eq!(fired.as_ref(), Some(&expected));
    let fired = run(&mut a, wall, 1200.1, 1259.9, PostureState::Aligned);
    assert!(fired.is_empty(), "it fires once");
    assert_eq!(a.banner(), Some(&expected));
    run(&mut a, wall, 1260.0, 1260.0, PostureState::Aligned);
    assert_eq!(a.banner(), None, "gone after {MOVE_BANNER_S} s");
}

#[test]
fn a_move_reminder_banner_ends_when_dismissed_or_the_person_moves() {
    let wall = Instant::now();
    let ended_by = |then: &dyn Fn(&mut Alerter)| {
        let mut a = Alerter::new(AlertSettings::default());
        a.update(
            secs(10.0),
            PostureState::Aligned,
            None,
            &[reminder(10, 45.0)],
            wall,
        );
        assert_eq!(
            a.banner().map(|b| b.message.as_str()),
            Some("Time to move: you have been still for 45 s")
        );
        then(&mut a);
        a.banner().cloned()
    };
    assert_eq!(ended_by(&|a| a.dismiss()), None);
    let moved = |event: MotionEvent| {
        move |a: &mut Alerter| {
            a.update(
                secs(11.0),
                PostureState::Aligned,
                None,
                std::slice::from_ref(&event),
                wall,
            );
        }
    };
    assert_eq!(
        ended_by(&moved(MotionEvent::SuddenMovement {
            t_ms: 11_000,
            speed_torso_per_s: 3.0
        })),
        None
    );
    assert_eq!(
        ended_by(&moved(MotionEvent::WalkingStarted { t_ms: 11_000 })),
        None
    );
    let stays = ended_by(&|a: &mut Alerter| {
        a.update(secs(11.0), PostureState::Aligned, None, &[], wall);
    });
    assert!(stays.is_some(), "a frame without movement keeps it");
}

#[test]
fn move_reminders_off_pass_nothing_on() {
    let mut a = Alerter::new(AlertSettings {
        move_reminders: false,
        ..AlertSettings::default()
    });
    let fired = a.update(
        secs(1.0),
        PostureState::Aligned,
        None,
        &[reminder(1, 1200.0)],
        Instant::now(),
    );
    assert_eq!(fired, None);
    assert_eq!(a.banner(), None);

    // Turning them off hides one on show.
    let mut a = Alerter::new(AlertSettings::default());
    a.update(
        secs(1.0),
        PostureState::Aligned,
        None,
        &[reminder(1, 1200.0)],
        Instant::now(),
    );
    assert!(a.banner().is_some());
    a.set_settings(AlertSettings {
        move_reminders: false,
        ..AlertSettings::default()
    });
    assert_eq!(a.banner(), None);
}

#[test]
fn dismissing_a_misaligned_banner_hides_it_until_the_next_repeat() {
    let mut a = Alerter::new(AlertSettings::default());
    let wall = Instant::now();
    run(&mut a, wall, 0.0, 20.0, PostureState::Misaligned);
    assert!(a.banner().is_some());
    a.dismiss();
    assert!(run(&mut a, wall, 20.1, 129.9, PostureState::Misaligned).is_empty());
    assert_eq!(a.banner(), None);
    run(&mut a, wall, 130.0, 130.0, PostureState::Misaligned);
    assert_eq!(a.banner().map(|b| b.kind), Some(AlertKind::Misaligned));
}

#[test]
fn two_alerts_on_one_frame_fire_one_after_the_other() {
    let mut a = Alerter::new(AlertSettings::default());
    let wall = Instant::now();
    run(&mut a, wall, 0.0, 9.9, PostureState::Misaligned);
    let first = a.update(
        secs(10.0),
        PostureState::Misaligned,
        Some(CUE),
        &[reminder(10, 1200.0)],
        wall,
    );
    assert_eq!(first.map(|a| a.kind), Some(AlertKind::Misaligned));
    assert_eq!(a.banner().map(|b| b.kind), Some(AlertKind::Misaligned));
    let second = a.update(secs(10.1), PostureState::Misaligned, Some(CUE), &[], wall);
    assert_eq!(second.map(|a| a.kind), Some(AlertKind::MoveReminder));
    // Once the posture is fine, the move reminder is what is left to show.
    a.update(secs(10.2), PostureState::Aligned, None, &[], wall);
    assert_eq!(a.banner().map(|b| b.kind), Some(AlertKind::MoveReminder));
}

#[test]
fn settings_from_a_file_are_made_safe() {
    let s: AlertSettings = serde_json::from_str(r#"{"sound": false}"#).unwrap();
    assert_eq!(
        s,
        AlertSettings {
            sound: false,
            ..AlertSettings::default()
        },
        "missing fields take their defaults"
    );
    let a = Alerter::new(AlertSettings {
        misaligned_after_s: f32::NAN,
        repeat_after_s: -5.0,
        ..AlertSettings::default()
    });
    assert_eq!(a.settings().misaligned_after_s, 10.0);
    assert_eq!(a.settings().repeat_after_s, 0.0);
}

#[test]
fn durations_read_as_plain_words() {
    assert_eq!(plain_duration(0), "0 s");
    assert_eq!(plain_duration(59), "59 s");
    assert_eq!(plain_duration(60), "1 min");
    assert_eq!(plain_duration(125), "2 min 5 s");
    assert_eq!(plain_duration(4800), "1 h 20 min");
    assert_eq!(
        move_message(1259.0),
        "Time to move: you have been still for 20 min"
    );
}

// --- outputs ---------------------------------------------------------------------------------

fn alert() -> Alert {
    Alert {
        kind: AlertKind::Misaligned,
        message: "Misaligned for 10 s".into(),
    }
}

#[test]
fn deliver_returns_before_the_outputs_finish() {
    let (release, gate) = mpsc::channel::<()>();
    let gate = Mutex::new(gate);
    let played = Arc::new(AtomicUsize::new(0));
    let p = Arc::clone(&played);
    let outputs = AlertOutputs::with(
        move || {
            // Blocks until the test lets it go: if deliver waited for it, the test would hang.
            let _ = gate.lock().unwrap().recv();
            p.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
        |_| Ok(()),
    );
    outputs.deliver(&alert(), &AlertSettings::default());
    assert!(outputs.is_busy());
    assert_eq!(played.load(Ordering::SeqCst), 0);
    // A second alert while the chime plays is not stacked on top of it.
    outputs.deliver(&alert(), &AlertSettings::default());
    release.send(()).unwrap();
    outputs.wait();
    assert_eq!(played.load(Ordering::SeqCst), 1);
    assert!(!outputs.is_busy());
    assert_eq!(outputs.last_error(), None);
}

#[test]
fn failures_are_kept_for_the_ui_and_cleared_when_an_output_works_again() {
    let works = Arc::new(AtomicBool::new(false));
    let w = Arc::clone(&works);
    let outputs = AlertOutputs::with(
        move || {
            if w.load(Ordering::SeqCst) {
                Ok(())
            } else {
                Err("no audio device".into())
            }
        },
        |_| Err("no D-Bus session".into()),
    );
    let both = AlertSettings {
        notification: true,
        ..AlertSettings::default()
    };
    outputs.deliver(&alert(), &both);
    outputs.wait();
    assert_eq!(
        outputs.last_error().as_deref(),
        Some("sound unavailable: no audio device; notifications unavailable: no D-Bus session")
    );
    works.store(true, Ordering::SeqCst);
    outputs.deliver(&alert(), &both);
    outputs.wait();
    assert_eq!(
        outputs.last_error().as_deref(),
        Some("notifications unavailable: no D-Bus session")
    );
}

#[test]
fn a_panicking_output_is_an_error_not_a_crash() {
    let outputs = AlertOutputs::with(|| panic!("driver bug"), |_| Ok(()));
    outputs.deliver(&alert(), &AlertSettings::default());
    outputs.wait();
    assert!(
        outputs
            .last_error()
            .is_some_and(|e| e.starts_with("sound unavailable"))
    );
}

#[test]
fn outputs_turned_off_are_not_called() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (c1, c2) = (Arc::clone(&calls), Arc::clone(&calls));
    let outputs = AlertOutputs::with(
        move || {
            c1.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
        move |_| {
            c2.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
    );
    let off = AlertSettings {
        sound: false,
        notification: false,
        ..AlertSettings::default()
    };
    outputs.deliver(&alert(), &off);
    outputs.wait();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let notify_only = AlertSettings {
        sound: false,
        notification: true,
        ..AlertSettings::default()
    };
    outputs.deliver(&alert(), &notify_only);
    outputs.wait();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn the_chime_is_two_short_soft_tones() {
    use rodio::Source as _;
    let tones = chime();
    let mut total = 0usize;
    for tone in tones {
        let rate = tone.sample_rate().get() as usize;
        let channels = tone.channels().get() as usize;
        let samples: Vec<f32> = tone.collect();
        let peak = samples.iter().fold(0.0_f32, |m, s| m.max(s.abs()));
        assert!(peak > 0.05 && peak <= 0.2, "audible but soft: peak {peak}");
        assert!(samples[0].abs() < 0.01, "fades in: {}", samples[0]);
        let tail = &samples[samples.len() - rate / 200..];
        assert!(
            tail.iter().all(|s| s.abs() < 0.02),
            "dies away instead of clicking off"
        );
        total += samples.len() / channels;
        assert_eq!(rate, 48_000);
    }
    let seconds = total as f64 / 48_000.0;
    assert!((0.3..0.6).contains(&seconds), "{seconds} s");
}

#[test]
fn a_failed_output_rests_before_it_is_tried_again() {
    let tries = Arc::new(AtomicUsize::new(0));
    let t = Arc::clone(&tries);
    let outputs = AlertOutputs::with_retry(
        move || {
            t.fetch_add(1, Ordering::SeqCst);
            Err("no audio device".into())
        },
        |_| Ok(()),
        Duration::from_secs(600),
    );
    for _ in 0..3 {
        outputs.deliver(&alert(), &AlertSettings::default());
        outputs.wait();
    }
    assert_eq!(
        tries.load(Ordering::SeqCst),
        1,
        "one probe, not one per alert"
    );
    assert!(outputs.last_error().unwrap().contains("no audio device"));
}
