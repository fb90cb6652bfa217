use std::sync::atomic::AtomicUsize;
use std::sync::mpsc;

use super::*;
use crate::geometry::alerts::AlertKind;

// --- the gate --------------------------------------------------------------------------------

fn banners(misaligned: Option<u64>, move_reminder: Option<u64>) -> Banners {
    Banners {
        misaligned: misaligned.map(alert_numbered),
        move_reminder: move_reminder.map(|seq| Alert {
            kind: AlertKind::MoveReminder,
            message: "Time to move".into(),
            spoken: "time to move".into(),
            seq,
        }),
    }
}

#[test]
fn muted_nothing_sounds_and_no_banner_shows_until_unmuted() {
    let now = Instant::now();
    let mut gate = AlertGate::default();
    let b = banners(Some(1), None);
    gate.set_muted(true);
    assert!(!gate.lets_through(now));
    assert_eq!(gate.banner(&b, now), None);
    // Unmuted while the stretch lasts: its banner is back at once.
    gate.set_muted(false);
    assert!(gate.lets_through(now));
    assert_eq!(gate.banner(&b, now).map(|a| a.seq), Some(1));
}

#[test]
fn a_snooze_silences_until_it_expires() {
    let now = Instant::now();
    let mut gate = AlertGate::default();
    gate.snooze(now, Duration::from_secs(60));
    assert_eq!(gate.snoozed_until(now), Some(now + Duration::from_secs(60)));
    let b = banners(Some(1), None);
    assert!(!gate.lets_through(now + Duration::from_secs(59)));
    assert_eq!(gate.banner(&b, now + Duration::from_secs(59)), None);
    let later = now + Duration::from_secs(60);
    assert!(gate.lets_through(later));
    assert_eq!(gate.snoozed_until(later), None);
    assert!(gate.banner(&b, later).is_some());
}

#[test]
fn a_dismissed_banner_stays_hidden_until_the_next_alert() {
    let now = Instant::now();
    let mut gate = AlertGate::default();
    let first = banners(Some(1), Some(2));
    let shown = gate.banner(&first, now).cloned().unwrap();
    assert_eq!(shown.kind, AlertKind::Misaligned, "posture first");
    gate.dismiss(&shown);
    // The move reminder underneath shows next; dismissed too, nothing is left.
    let under = gate.banner(&first, now).cloned().unwrap();
    assert_eq!(under.kind, AlertKind::MoveReminder);
    gate.dismiss(&under);
    assert_eq!(gate.banner(&first, now), None);
    // The policy repeats the misaligned alert (number 3): it shows again.
    assert_eq!(
        gate.banner(&banners(Some(3), Some(2)), now).map(|a| a.seq),
        Some(3)
    );
}

// --- outputs ---------------------------------------------------------------------------------

/// The settings with the voice off: these tests are about the chime and notifications.
fn chime_only() -> AlertSettings {
    AlertSettings {
        voice: false,
        ..AlertSettings::default()
    }
}

fn alert() -> Alert {
    alert_numbered(1)
}

fn alert_numbered(seq: u64) -> Alert {
    Alert {
        kind: AlertKind::Misaligned,
        message: "Misaligned for 10 s".into(),
        spoken: "check your posture".into(),
        seq,
    }
}

#[test]
fn deliver_returns_before_the_outputs_finish() {
    let (release, gate) = mpsc::channel::<()>();
    let gate = Mutex::new(gate);
    let played = Arc::new(AtomicUsize::new(0));
    let p = Arc::clone(&played);
    let mut outputs = AlertOutputs::with(
        move || {
            // Blocks until the test lets it go: if deliver waited for it, the test would hang.
            let _ = gate.lock().unwrap().recv();
            p.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
        |_| Ok(()),
    );
    outputs.deliver(&alert(), &chime_only());
    assert!(outputs.is_busy());
    assert_eq!(played.load(Ordering::SeqCst), 0);
    // A second alert while the chime plays is not stacked on top of it.
    outputs.deliver(&alert(), &chime_only());
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
    let mut outputs = AlertOutputs::with(
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
        ..chime_only()
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
    let mut outputs = AlertOutputs::with(|| panic!("driver bug"), |_| Ok(()));
    outputs.deliver(&alert(), &chime_only());
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
    let mut outputs = AlertOutputs::with(
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
        ..chime_only()
    };
    outputs.deliver(&alert(), &off);
    outputs.wait();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let notify_only = AlertSettings {
        sound: false,
        notification: true,
        ..chime_only()
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
    let mut outputs = AlertOutputs::with_retry(
        move || {
            t.fetch_add(1, Ordering::SeqCst);
            Err("no audio device".into())
        },
        |_| Ok(()),
        Duration::from_secs(600),
        Box::new(|| Voice::with(Box::new(|| Err("none".into())))),
    );
    for _ in 0..3 {
        outputs.deliver(&alert(), &chime_only());
        outputs.wait();
    }
    assert_eq!(
        tries.load(Ordering::SeqCst),
        1,
        "one probe, not one per alert"
    );
    assert!(outputs.last_error().unwrap().contains("no audio device"));
}

// --- the voice -------------------------------------------------------------------------------

use super::voice::RecordingSpeech;

fn misaligned(seq: u64, cue: &str) -> Alert {
    Alert {
        kind: AlertKind::Misaligned,
        message: format!("Misaligned for 10 s: {cue}"),
        spoken: cue.into(),
        seq,
    }
}

/// Outputs speaking into `speech`, and the count of chimes they played.
fn speaking_outputs(speech: &RecordingSpeech) -> (AlertOutputs, Arc<AtomicUsize>) {
    let chimes = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&chimes);
    let outputs = AlertOutputs::with_voice(
        move || {
            c.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
        |_| Ok(()),
        speech.source(),
    );
    (outputs, chimes)
}

#[test]
fn the_cue_is_spoken_in_place_of_the_chime_and_the_return_praised_once() {
    let speech = RecordingSpeech::default();
    let (mut outputs, chimes) = speaking_outputs(&speech);
    let settings = AlertSettings::default();
    outputs.prepare(&settings);
    outputs.deliver(
        &misaligned(1, "bring your shoulders back over your hips"),
        &settings,
    );
    // Still misaligned, then aligned twice: one "good".
    outputs.shown(PostureState::Misaligned, true);
    outputs.shown(PostureState::Aligned, true);
    outputs.shown(PostureState::Aligned, true);
    voice::wait_for("the words", || speech.said().len() == 2);
    outputs.wait();
    assert_eq!(
        speech.said(),
        ["bring your shoulders back over your hips", PRAISE]
    );
    assert_eq!(chimes.load(Ordering::SeqCst), 0, "no chime over the voice");
    assert_eq!(outputs.last_error(), None);
}

#[test]
fn a_quiet_window_says_no_good_and_a_voice_turned_off_chimes() {
    let speech = RecordingSpeech::default();
    let (mut outputs, chimes) = speaking_outputs(&speech);
    let settings = AlertSettings::default();
    outputs.deliver(&misaligned(1, "level your shoulders"), &settings);
    voice::wait_for("the cue", || speech.said().len() == 1);
    // Muted meanwhile: back to aligned in silence.
    outputs.shown(PostureState::Aligned, false);
    let off = AlertSettings {
        voice: false,
        ..settings
    };
    outputs.deliver(&misaligned(2, "level your shoulders"), &off);
    outputs.shown(PostureState::Aligned, true);
    outputs.wait();
    assert_eq!(speech.said(), ["level your shoulders"]);
    assert_eq!(
        chimes.load(Ordering::SeqCst),
        1,
        "the chime, with the voice off"
    );
}

#[test]
fn without_a_speech_engine_the_window_is_told_and_the_chime_sounds() {
    let chimes = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&chimes);
    let mut outputs = AlertOutputs::with(
        move || {
            c.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
        |_| Ok(()),
    );
    let settings = AlertSettings::default();
    outputs.prepare(&settings);
    voice::wait_for("the engine's answer", || outputs.last_error().is_some());
    assert_eq!(
        outputs.last_error().as_deref(),
        Some("speech unavailable (no speech engine in this test); alerts chime instead")
    );
    outputs.deliver(&misaligned(1, "level your shoulders"), &settings);
    outputs.wait();
    assert_eq!(chimes.load(Ordering::SeqCst), 1);
}
