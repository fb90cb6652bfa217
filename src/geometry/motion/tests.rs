//! Tests of the motion rules, long because each rule (steps and cadence, strides, activity,
//! stillness, sudden movements, the reminders) is checked on streams of synthetic frames built
//! by one shared body model, with left/right swaps and jitter.

use super::*;
use crate::pose::{Landmark, LandmarkId, NUM_LANDMARKS, Vec3};

const SIZE: ImageSize = ImageSize {
    width: 640,
    height: 480,
};
const TORSO_PX: f32 = 100.0;
const FPS: f64 = 30.0;

/// Deterministic noise in [-1, 1] (Numerical Recipes' LCG).
struct Lcg(u32);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (self.0 >> 8) as f32 / (1 << 23) as f32 - 1.0
    }
}

/// A person standing in a three-quarter view, in torso lengths: `offset` moves the whole
/// body, the ankles sit `left_ankle`/`right_ankle` to the side of the hips, `swapped`
/// exchanges every left and right landmark (BlazePose's side-view mistake), and `jitter`
/// adds that much noise to every coordinate.
#[derive(Debug, Clone, Copy, Default)]
struct Body {
    offset: (f32, f32),
    /// Shoulders and nose moved this far (torso lengths) to the right of the hips.
    lean: f32,
    left_ankle: f32,
    right_ankle: f32,
    swapped: bool,
    jitter: f32,
    /// Thighs level, as on a chair.
    seated: bool,
}

impl Body {
    fn knee_y(&self) -> f32 {
        if self.seated { 0.1 } else { 0.9 }
    }

    fn pose(&self, rng: &mut Lcg) -> Pose {
        use LandmarkId::*;
        let named = [
            (Nose, 0.05 + 1.35 * self.lean, -1.35),
            (LeftShoulder, 0.2 + self.lean, -1.0),
            (RightShoulder, -0.2 + self.lean, -1.0),
            (LeftHip, 0.12, 0.0),
            (RightHip, -0.12, 0.0),
            (LeftKnee, 0.12 + 0.5 * self.left_ankle, self.knee_y()),
            (RightKnee, -0.12 + 0.5 * self.right_ankle, self.knee_y()),
            (LeftAnkle, self.left_ankle, self.knee_y() + 0.8),
            (RightAnkle, self.right_ankle, self.knee_y() + 0.8),
        ];
        let mut pose = Pose {
            landmarks: [Landmark::default(); NUM_LANDMARKS],
            world: [Vec3::default(); NUM_LANDMARKS],
            score: 1.0,
        };
        for (id, dx, dy) in named {
            let id = if self.swapped { id.mirrored() } else { id };
            let x_px = 320.0 + TORSO_PX * (dx + self.offset.0 + self.jitter * rng.next());
            let y_px = 300.0 + TORSO_PX * (dy + self.offset.1 + self.jitter * rng.next());
            pose.landmarks[id.index()] = Landmark {
                x: x_px / SIZE.w(),
                y: y_px / SIZE.h(),
                z: 0.0,
                visibility: 1.0,
                presence: 1.0,
            };
        }
        pose
    }
}

fn frame_time(i: usize) -> Duration {
    Duration::from_secs_f64(i as f64 / FPS)
}

/// Runs `frames` frames, the body at frame `i` given by `body(i)`; returns every update.
fn run(
    tracker: &mut MotionTracker,
    frames: usize,
    body: impl Fn(usize) -> Option<Body>,
) -> Vec<MotionUpdate> {
    let mut rng = Lcg(12345);
    (0..frames)
        .map(|i| {
            let pose = body(i).map(|b| b.pose(&mut rng));
            tracker.update(frame_time(i), SIZE, pose.as_ref())
        })
        .collect()
}

fn events(updates: &[MotionUpdate]) -> Vec<MotionEvent> {
    updates.iter().flat_map(|u| u.events.clone()).collect()
}

/// The steps raised, in seconds.
fn steps_s(updates: &[MotionUpdate]) -> Vec<f64> {
    events(updates)
        .iter()
        .filter_map(|e| match e {
            MotionEvent::Step { t_ms } => Some(*t_ms as f64 / 1000.0),
            _ => None,
        })
        .collect()
}

fn sudden_count(updates: &[MotionUpdate]) -> usize {
    events(updates)
        .iter()
        .filter(|e| matches!(e, MotionEvent::SuddenMovement { .. }))
        .count()
}

/// Ankles swinging in anti-phase at `spm` steps per minute, amplitude 0.3 torso lengths:
/// the separation `0.6 |sin(π f t)|` peaks once per step.
fn gait(spm: f32, i: usize, swapped: bool) -> Body {
    let phase = std::f32::consts::PI * spm / 60.0 * (i as f64 / FPS) as f32;
    Body {
        left_ankle: 0.3 * phase.sin(),
        right_ankle: -0.3 * phase.sin(),
        swapped,
        jitter: 0.01,
        ..Body::default()
    }
}

#[test]
fn gait_cadence_matches_step_frequency_even_with_left_right_swaps() {
    const SECONDS: f64 = 15.0;
    for spm in [60.0, 90.0, 110.0, 120.0, 150.0, 195.0] {
        let frames = (SECONDS * FPS) as usize;
        let mut plain = MotionTracker::default();
        let plain_updates = run(&mut plain, frames, |i| Some(gait(spm, i, false)));
        // Two swapped frames every second.
        let mut swapped = MotionTracker::default();
        let swapped_updates = run(&mut swapped, frames, |i| {
            Some(gait(spm, i, i % 30 == 14 || i % 30 == 15))
        });
        for (name, updates) in [("plain", &plain_updates), ("swapped", &swapped_updates)] {
            let last = updates.last().unwrap();
            let cadence = last.cadence_spm.unwrap_or(f32::NAN);
            assert!(
                (cadence - spm).abs() <= 3.0,
                "{name} {spm} spm: cadence {cadence}"
            );
            assert!(last.walking, "{name} {spm} spm: not walking");
            // Steps start after the first trough; at most one step is lost at each end.
            let expected_steps = SECONDS * f64::from(spm) / 60.0;
            let steps = steps_s(updates).len() as f64;
            assert!(
                (expected_steps - 2.0..=expected_steps).contains(&steps),
                "{name} {spm} spm: {steps} steps, expected ≈{expected_steps}"
            );
            let started = events(updates)
                .iter()
                .filter(|e| matches!(e, MotionEvent::WalkingStarted { .. }))
                .count();
            assert_eq!(started, 1, "{name} {spm} spm: walking started {started}×");
        }
        // A swap changes no step, nor when it was.
        let (plain_steps, swapped_steps) = (steps_s(&plain_updates), steps_s(&swapped_updates));
        assert_eq!(
            plain_steps.len(),
            swapped_steps.len(),
            "{spm} spm: swaps changed the step count"
        );
        let step_s = 60.0 / f64::from(spm);
        for (a, b) in plain_steps.iter().zip(&swapped_steps) {
            assert!((a - b).abs() < 0.02, "{spm} spm: a step moved {a} → {b}");
        }
        // Each step at its own time, read between frames: one step time apart, within three
        // frames each (the separation's maximum is broad at slow cadences, and the landmarks
        // jitter) and within 0.01 s on average.
        let intervals: Vec<f64> = plain_steps.windows(2).map(|w| w[1] - w[0]).collect();
        for d in &intervals {
            assert!((d - step_s).abs() < 0.1, "{spm} spm: {intervals:?}");
        }
        let mean = intervals.iter().sum::<f64>() / intervals.len() as f64;
        assert!((mean - step_s).abs() < 0.01, "{spm} spm: {intervals:?}");
    }
}

#[test]
fn one_frame_ankle_spikes_are_not_steps() {
    struct Case {
        what: &'static str,
        body: fn(usize) -> Body,
        cadence_spm: Option<f32>,
    }
    let cases = [
        Case {
            // Without the two-frame rule this is a perfect 120 steps/min.
            what: "standing; an ankle jumps 0.5 torso out for one frame every 0.5 s",
            body: |i| Body {
                left_ankle: if i % 15 == 7 { 0.5 } else { 0.0 },
                jitter: 0.01,
                ..Body::default()
            },
            cadence_spm: None,
        },
        Case {
            what: "walking at 110 spm; an ankle jumps 0.5 torso for one frame every 0.7 s",
            body: |i| {
                let mut body = gait(110.0, i, false);
                if i % 21 == 7 {
                    body.left_ankle += 0.5;
                }
                body
            },
            cadence_spm: Some(110.0),
        },
    ];
    for case in cases {
        let mut tracker = MotionTracker::default();
        let updates = run(&mut tracker, 15 * 30, |i| Some((case.body)(i)));
        let last = updates.last().unwrap();
        match case.cadence_spm {
            None => {
                assert_eq!(steps_s(&updates), Vec::<f64>::new(), "{}", case.what);
                assert!(updates.iter().all(|u| !u.walking), "{}", case.what);
            }
            Some(spm) => {
                let cadence = last.cadence_spm.unwrap_or(f32::NAN);
                assert!((cadence - spm).abs() <= 3.0, "{}: {cadence}", case.what);
            }
        }
    }
}

#[test]
fn walking_stops_soon_after_the_last_step() {
    let mut tracker = MotionTracker::default();
    // 8 s of walking at 100 spm, then standing with the feet together.
    let updates = run(&mut tracker, 12 * 30, |i| {
        Some(if i < 8 * 30 {
            gait(100.0, i, false)
        } else {
            Body::default()
        })
    });
    let stopped_ms: Vec<u64> = events(&updates)
        .iter()
        .filter_map(|e| match e {
            MotionEvent::WalkingStopped { t_ms } => Some(*t_ms),
            _ => None,
        })
        .collect();
    assert_eq!(stopped_ms.len(), 1, "{stopped_ms:?}");
    // Two step intervals (1.2 s) after the last step, not a whole 10 s window later.
    assert!((8000..=9500).contains(&stopped_ms[0]), "{stopped_ms:?}");
    assert!(!updates.last().unwrap().walking);
}

#[test]
fn standing_still_reminds_to_move_and_a_real_move_restarts_the_timer() {
    let config = MotionConfig {
        still_after_s: 5.0,
        ..MotionConfig::default()
    };
    let mut tracker = MotionTracker::new(config, 0.5);
    // Still at the origin for 12 s, then a slow 0.5-torso shift over 1 s, then still again.
    let updates = run(&mut tracker, 20 * 30, |i| {
        let moved = ((i as f32 / 30.0 - 12.0) / 1.0).clamp(0.0, 1.0) * 0.5;
        Some(Body {
            offset: (moved, 0.0),
            jitter: 0.01,
            ..Body::default()
        })
    });
    let reminders: Vec<(u64, f32)> = events(&updates)
        .iter()
        .filter_map(|e| match e {
            MotionEvent::MoveReminder { t_ms, still_for_s } => Some((*t_ms, *still_for_s)),
            _ => None,
        })
        .collect();
    assert_eq!(reminders.len(), 3, "{reminders:?}");
    // The median filter lags one frame and the first filtered frame starts the timer.
    for ((t_ms, still_for_s), (expected_ms, expected_s)) in
        reminders.iter().zip([(5000, 5.0), (10000, 10.0)])
    {
        assert!(t_ms.abs_diff(expected_ms) <= 100, "{reminders:?}");
        assert!((still_for_s - expected_s).abs() < 0.05, "{reminders:?}");
    }
    // The move ends at 13 s, so the third reminder comes ≈5 s later, not at 15 s.
    let (t_ms, still_for_s) = reminders[2];
    assert!((17_500..=18_200).contains(&t_ms), "{reminders:?}");
    assert!((still_for_s - 5.0).abs() < 0.05, "{reminders:?}");
    assert_eq!(sudden_count(&updates), 0);
    assert!(updates.iter().all(|u| !u.walking));
}

#[test]
fn default_reminder_comes_after_twenty_minutes_of_frames() {
    // 36 000 frames: the still time must add up without drift.
    let mut tracker = MotionTracker::default();
    let updates = run(&mut tracker, 1201 * 30, |_| {
        Some(Body {
            jitter: 0.01,
            ..Body::default()
        })
    });
    let reminders: Vec<MotionEvent> = events(&updates);
    let [MotionEvent::MoveReminder { t_ms, still_for_s }] = reminders.as_slice() else {
        panic!("{reminders:?}");
    };
    assert!(t_ms.abs_diff(1_200_000) <= 100, "{reminders:?}");
    assert!((still_for_s - 1200.0).abs() < 0.05, "{reminders:?}");
}

#[test]
fn absence_pauses_the_stillness_timer_and_a_long_absence_restarts_it() {
    struct Case {
        what: &'static str,
        absent_s: (f32, f32),
        /// Still time reported at 12 s.
        still_for_s: f32,
    }
    let cases = [
        Case {
            what: "no absence: 12 s still",
            absent_s: (0.0, 0.0),
            still_for_s: 12.0,
        },
        Case {
            what: "a 4 s absence is not counted",
            absent_s: (4.0, 8.0),
            still_for_s: 8.0,
        },
        Case {
            what: "a half-second dropout counts as still",
            absent_s: (4.0, 4.5),
            still_for_s: 12.0,
        },
        Case {
            what: "a 6 s absence (≥ absent_reset_s) restarts the timer",
            absent_s: (2.0, 8.0),
            still_for_s: 4.0,
        },
    ];
    for case in cases {
        let config = MotionConfig {
            still_after_s: 100.0,
            absent_reset_s: 5.0,
            ..MotionConfig::default()
        };
        let mut tracker = MotionTracker::new(config, 0.5);
        let (from_s, to_s) = case.absent_s;
        let updates = run(&mut tracker, 12 * 30 + 1, |i| {
            let t = i as f32 / 30.0;
            (t < from_s || t >= to_s).then_some(Body {
                jitter: 0.01,
                ..Body::default()
            })
        });
        let still_for_s = updates.last().unwrap().still_for_s;
        // The median filter's warm-up and one-frame lag lose up to three frames at each
        // start, end and absence edge (≈0.17 s here).
        assert!(
            (still_for_s - case.still_for_s).abs() < 0.2,
            "{}: {still_for_s}",
            case.what
        );
    }
}

#[test]
fn only_real_fast_movements_are_sudden() {
    struct Case {
        what: &'static str,
        body: fn(usize) -> Body,
        sudden: usize,
    }
    /// Standing with jitter, `x` torso lengths to the right, the trunk leaning `lean` torso
    /// lengths to the right of the hips.
    fn at(x: f32, lean: f32) -> Body {
        Body {
            offset: (x, 0.0),
            lean,
            jitter: 0.01,
            ..Body::default()
        }
    }
    // Frame 60 is t = 2 s; everything else stands still with jitter.
    let cases = [
        Case {
            what: "trunk jerks 0.5 torso sideways within 100 ms",
            body: |i| at(0.0, ((i as f32 - 60.0) / 3.0 * 0.5).clamp(0.0, 0.5)),
            sudden: 1,
        },
        Case {
            what: "the whole body jumps 0.5 torso within 100 ms: a step aside, not a jerk",
            body: |i| at(((i as f32 - 60.0) / 3.0 * 0.5).clamp(0.0, 0.5), 0.0),
            sudden: 0,
        },
        Case {
            what: "walking briskly past the camera: 3 torso lengths a second",
            body: |i| at(i as f32 * 0.1 - 5.0, 0.0),
            sudden: 0,
        },
        Case {
            // The median of three frames never picks the outlier; without it the speed
            // over the 100 ms window would be 5 torso/s.
            what: "trunk displaced 0.5 torso for one frame",
            body: |i| at(0.0, if i == 60 { 0.5 } else { 0.0 }),
            sudden: 0,
        },
        Case {
            // Each shoulder moves 0.4 torso but their midpoint does not; two frames get
            // past the median, so this relies on the symmetric key points.
            what: "left and right swapped for two frames",
            body: |i| Body {
                swapped: i == 60 || i == 61,
                jitter: 0.01,
                ..Body::default()
            },
            sudden: 0,
        },
        Case {
            what: "slow lean of 0.5 torso over 1 s",
            body: |i| at(0.0, ((i as f32 - 60.0) / 30.0 * 0.5).clamp(0.0, 0.5)),
            sudden: 0,
        },
        Case {
            what: "two jerks 3 s apart",
            body: |i| at(0.0, if (60..150).contains(&i) { 0.6 } else { 0.0 }),
            sudden: 2,
        },
        Case {
            what: "two jerks 1 s apart (within sudden_min_interval_s)",
            body: |i| at(0.0, if (60..90).contains(&i) { 0.6 } else { 0.0 }),
            sudden: 1,
        },
    ];
    for case in cases {
        let mut tracker = MotionTracker::default();
        let updates = run(&mut tracker, 6 * 30, |i| Some((case.body)(i)));
        assert_eq!(sudden_count(&updates), case.sudden, "{}", case.what);
        let max_speed = updates
            .iter()
            .filter_map(|u| u.speed_torso_per_s)
            .fold(0.0, f32::max);
        if case.sudden == 0 {
            assert!(max_speed < 1.0, "{}: speed {max_speed}", case.what);
        }
    }
}

#[test]
fn missing_people_and_bad_timestamps_produce_no_events() {
    let mut tracker = MotionTracker::new(
        MotionConfig {
            still_after_s: 0.5,
            ..MotionConfig::default()
        },
        0.5,
    );
    let mut rng = Lcg(7);
    let standing = Body::default().pose(&mut rng);
    let mut invisible = standing.clone();
    invisible
        .landmarks
        .iter_mut()
        .for_each(|lm| lm.visibility = 0.1);
    let mut nan = standing.clone();
    nan.landmarks[LandmarkId::LeftHip.index()].x = f32::NAN;
    let mut collapsed = standing.clone();
    collapsed.landmarks.iter_mut().for_each(|lm| {
        lm.x = 0.5;
        lm.y = 0.5;
    });
    let empty = ImageSize {
        width: 0,
        height: 0,
    };
    let ms = Duration::from_millis;
    let frames: [(Duration, ImageSize, Option<&Pose>); 9] = [
        (ms(0), SIZE, None),
        (ms(33), SIZE, None),
        (ms(33), SIZE, Some(&standing)), // repeated timestamp
        (ms(20), SIZE, Some(&standing)), // going back in time
        (ms(66), SIZE, Some(&invisible)),
        (ms(100), SIZE, Some(&nan)),
        (ms(133), SIZE, Some(&collapsed)),
        (ms(166), empty, Some(&standing)),
        (ms(2000), SIZE, None),
    ];
    for (t, size, pose) in frames {
        let update = tracker.update(t, size, pose);
        assert_eq!(
            update,
            MotionUpdate::default(),
            "{t:?} {size:?} {:?}",
            pose.map(|p| p.landmarks[0])
        );
    }
}

#[test]
fn config_defaults_survive_a_partial_settings_file() {
    let config: MotionConfig = serde_json::from_str(r#"{"still_after_s": 60.0}"#).unwrap();
    assert_eq!(config.still_after_s, 60.0);
    assert_eq!(config.still_radius_torso, 0.15);
    assert_eq!(config.cadence_window_s, 10.0);
    let event = MotionEvent::WalkingStarted { t_ms: 1500 };
    let json = serde_json::to_string(&event).unwrap();
    assert_eq!(json, r#"{"event":"walking_started","t_ms":1500}"#);
}

#[test]
fn standing_sitting_and_walking_are_told_apart() {
    let mut tracker = MotionTracker::default();
    let seated = Body {
        seated: true,
        jitter: 0.01,
        ..Body::default()
    };
    // 2 s standing, 3 s seated, 1 s standing, then 8 s walking at 100 steps/min.
    let updates = run(&mut tracker, 14 * 30, |i| match i {
        0..60 => Some(Body {
            jitter: 0.01,
            ..Body::default()
        }),
        60..150 => Some(seated),
        150..180 => Some(Body {
            jitter: 0.01,
            ..Body::default()
        }),
        _ => Some(gait(100.0, i, i % 45 == 7)),
    });
    let at = |s: f64| updates[(s * FPS) as usize].activity;
    assert_eq!(at(1.9), Some(Activity::Standing));
    assert_eq!(
        at(2.5),
        Some(Activity::Standing),
        "a second before it counts"
    );
    assert_eq!(at(3.5), Some(Activity::Sitting));
    assert_eq!(at(6.2), Some(Activity::Standing));
    assert_eq!(at(13.9), Some(Activity::Walking));
    // Seated from about 3.1 s to 5.1 s, and not a second longer.
    let seated_s = updates[(5.0 * FPS) as usize].seated_for_s;
    assert!((1.8..=2.1).contains(&seated_s), "{seated_s}");
    assert_eq!(updates.last().unwrap().seated_for_s, 0.0);
    // In stride: the last three steps, two steps of 0.6 s.
    let stride = updates.last().unwrap().stride.expect("in stride");
    let length = (stride.end - stride.start).as_secs_f32();
    assert!((length - 1.2).abs() < 0.1, "{length}");
    assert!(updates[(1.9 * FPS) as usize].stride.is_none());
}

#[test]
fn sitting_counts_toward_the_reminders_however_much_one_fidgets() {
    let config = MotionConfig {
        sit_reminder_after_s: 5.0,
        still_after_s: 8.0,
        ..MotionConfig::default()
    };
    let mut tracker = MotionTracker::new(config, 0.5);
    // Seated for 12 s, swaying 0.3 torso (past the stillness radius) every 2 s.
    let updates = run(&mut tracker, 12 * 30, |i| {
        Some(Body {
            seated: true,
            offset: (if (i / 60) % 2 == 1 { 0.3 } else { 0.0 }, 0.0),
            jitter: 0.01,
            ..Body::default()
        })
    });
    let all = events(&updates);
    let stand_ups: Vec<f32> = all
        .iter()
        .filter_map(|e| match e {
            MotionEvent::StandUpReminder { seated_for_s, .. } => Some(*seated_for_s),
            _ => None,
        })
        .collect();
    // Seated from 1 s on (the activity holds a second first): reminders at 5 s and 10 s seated.
    assert_eq!(stand_ups.len(), 2, "{all:?}");
    assert!((stand_ups[0] - 5.0).abs() < 0.1, "{stand_ups:?}");
    let moves = all
        .iter()
        .filter(|e| matches!(e, MotionEvent::MoveReminder { .. }))
        .count();
    assert_eq!(moves, 1, "fidgeting in the chair is not moving: {all:?}");
}
