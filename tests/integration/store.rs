//! The session database on real SQLite files in a temp dir: recording, batching, crash
//! recovery, refusing files it must not touch, migrations and deletion.

use std::path::Path;

use plumbline::geometry::MetricId;
use plumbline::geometry::advice::{Cue, words};
use plumbline::geometry::bands::Thresholds;
use plumbline::geometry::calibration::{Baseline, Stat};
use plumbline::geometry::metric_id::Band;
use plumbline::geometry::metrics::Metrics;
use plumbline::geometry::preset::{Measure, Practice, Preset};
use plumbline::geometry::state::{MetricLevels, PostureState};
use plumbline::geometry::view::Facing;
use plumbline::pose::{Landmark, NUM_LANDMARKS, Pose, Vec3};
use plumbline::session::migrations;
use plumbline::session::store::{
    DB_FILE, SessionMeta, SessionStatus, Store, StoreError, decode_landmarks, encode_landmarks,
};
use plumbline::session::{EventKind, Sample};
use rusqlite::Connection;

use crate::helpers::mark_recorded_by_a_dead_process;
use serde_json::json;

fn pose(seed: f32) -> Pose {
    let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
    for (i, lm) in landmarks.iter_mut().enumerate() {
        let f = i as f32 / NUM_LANDMARKS as f32;
        *lm = Landmark {
            x: (f + seed).fract(),
            y: 1.0 - f,
            z: -0.3 + 0.6 * f,
            visibility: 0.5 + f / 2.0,
            presence: 0.97,
        };
    }
    Pose {
        landmarks,
        world: [Vec3::default(); NUM_LANDMARKS],
        score: 0.9,
    }
}

/// A frame as the judge records it: the frontal lean's level is the shown state, the shoulder
/// line aligned, and a cue about the lean when it is misaligned.
fn sample(frame: u64, person: bool, state: PostureState) -> Sample {
    let mut levels = MetricLevels::default();
    if person {
        levels.set(MetricId::TrunkLeanFrontal, state);
        levels.set(MetricId::ShoulderTilt, PostureState::Aligned);
    }
    Sample {
        frame,
        t_ms: frame as f64 * 33.3,
        person,
        metrics: person.then(|| {
            Metrics::default()
                .with(MetricId::TrunkLeanFrontal, 1.5 + frame as f32)
                .with(MetricId::ShoulderTilt, -2.25)
        }),
        state,
        cadence_spm: None,
        levels: Some(levels),
        cue: (state == PostureState::Misaligned).then(|| Cue {
            metric: MetricId::TrunkLeanFrontal,
            text: words(MetricId::TrunkLeanFrontal, 12.0, Some(Facing::Camera)),
        }),
    }
}

fn meta() -> SessionMeta {
    SessionMeta {
        source: "camera 0".into(),
        model: "full".into(),
        calibration: Some({
            let mut b = Baseline::new(30, 1.0);
            b.set_stat(
                MetricId::TrunkLeanFrontal,
                Some(Stat {
                    mean: 1.0,
                    std: 0.5,
                    samples: 30,
                }),
            );
            b
        }),
        preset: Some(Preset {
            activity: Practice::Walking,
            measures: vec![Measure::TrunkUpright, Measure::ShouldersOverHips],
        }),
        thresholds: Some({
            let mut t = Thresholds::default();
            t.set_band(
                MetricId::TrunkLeanSagittal,
                Band {
                    drifting: 8.0,
                    misaligned: 16.0,
                },
            );
            t
        }),
        notes: "desk".into(),
        goal_s: None,
    }
}

/// Landmarks as the store keeps them: `x`, `y` to 1/10000, `z` to 1/1000, visibility and
/// presence to 1/255.
fn assert_landmarks_close(a: &[Landmark; NUM_LANDMARKS], b: &[Landmark; NUM_LANDMARKS]) {
    for (a, b) in a.iter().zip(b) {
        for (x, y, step) in [
            (a.x, b.x, 1e-4),
            (a.y, b.y, 1e-4),
            (a.z, b.z, 1e-3),
            (a.visibility, b.visibility, 1.0 / 255.0),
            (a.presence, b.presence, 1.0 / 255.0),
        ] {
            assert!((x - y).abs() <= step / 2.0 + 1e-6, "{x} vs {y}");
        }
    }
}

/// A plumbline database at `path` with the schema of version `version`, as an older plumbline
/// left it.
fn plumbline_database_at(path: &Path, version: i64) -> Connection {
    let mut conn = Connection::open(path).unwrap();
    conn.pragma_update(
        None,
        "application_id",
        plumbline::session::store::APPLICATION_ID,
    )
    .unwrap();
    assert_eq!(migrations::migrate_to(&mut conn, version).unwrap(), version);
    conn
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_session_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    assert!(dir.path().join(DB_FILE).exists());
    let mut rec = store.start_session(meta()).unwrap();
    let states = [
        PostureState::Aligned,
        PostureState::Aligned,
        PostureState::Misaligned,
        PostureState::Unknown,
    ];
    let mut pushed = Vec::new();
    for (i, st) in states.into_iter().enumerate() {
        let person = st != PostureState::Unknown;
        let s = sample(i as u64, person, st);
        let p = pose(i as f32 * 0.1);
        rec.push(&s, person.then_some(&p)).unwrap();
        pushed.push((s, person.then_some(p)));
    }
    rec.event(
        40.0,
        EventKind::PostureAlert,
        json!({"message": "Misaligned for 12 s"}),
    )
    .unwrap();
    rec.keyframe(66.6, "worst", vec![0xFF, 0xD8, 1, 2, 3], Some(&pose(0.2)))
        .unwrap();
    rec.keyframe(10.0, "typical", vec![0xFF, 0xD8], None)
        .unwrap();
    let id = rec.finish().unwrap();

    let row = store.session(id).unwrap().unwrap();
    assert_eq!(row.status, SessionStatus::Complete);
    assert_eq!(row.source, "camera 0");
    assert_eq!(row.model, "full");
    assert_eq!(row.notes, "desk");
    assert_eq!(row.calibration, meta().calibration);
    assert_eq!(row.preset, meta().preset, "the preset it was judged with");
    assert_eq!(row.thresholds, meta().thresholds, "and the bands");
    assert_eq!(row.pid, Some(i64::from(std::process::id())));
    // Ended at the last sample: 3 × 33.3 ms.
    assert_eq!(row.ended_ms, Some(row.started_ms + 100));

    let samples = store.samples(id).unwrap();
    assert_eq!(samples.len(), pushed.len());
    for ((got, got_lm), (want, want_pose)) in samples.iter().zip(&pushed) {
        assert_eq!(got, want);
        match (got_lm, want_pose) {
            (Some(got), Some(want)) => assert_landmarks_close(got, &want.landmarks),
            (None, None) => {}
            other => panic!("landmarks mismatch: {other:?}"),
        }
    }
    assert!(samples[3].0.metrics.is_none());
    // What the judge said of each frame comes back as it was recorded.
    let misaligned = &samples[2].0;
    assert_eq!(
        misaligned.levels.unwrap().get(MetricId::TrunkLeanFrontal),
        PostureState::Misaligned
    );
    assert_eq!(
        misaligned.cue.map(|c| c.text),
        Some("you lean to your left: shoulders back over your hips")
    );
    assert_eq!(samples[0].0.cue, None, "aligned: nothing was said");
    assert_eq!(
        samples[3].0.levels,
        Some(MetricLevels::default()),
        "nobody in view: nothing judged, which is not the same as not recorded"
    );

    let events = store.events(id).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::PostureAlert);
    assert_eq!(events[0].detail["message"], "Misaligned for 12 s");

    let keyframes = store.keyframes(id).unwrap();
    assert_eq!(keyframes.len(), 2);
    assert_eq!(keyframes[0].kind, "typical");
    assert!(keyframes[0].landmarks.is_none());
    assert_eq!(keyframes[1].jpeg, vec![0xFF, 0xD8, 1, 2, 3]);
    assert_landmarks_close(
        keyframes[1].landmarks.as_ref().unwrap(),
        &pose(0.2).landmarks,
    );

    let list = store.list().unwrap();
    assert_eq!(list.len(), 1);
    let summary = &list[0];
    assert_eq!(summary.id, id);
    assert_eq!(summary.samples, 4);
    assert_eq!(summary.status, SessionStatus::Complete);
    assert!((summary.duration_s - 0.1).abs() < 1e-9);
    // Spans: aligned 0→33.3, aligned 33.3→66.6, misaligned 66.6→99.9; the last sample adds none.
    let aligned = summary.aligned_fraction.unwrap();
    assert!((aligned - 2.0 / 3.0).abs() < 1e-9, "{aligned}");

    assert!(store.set_notes(id, "after lunch").unwrap());
    assert_eq!(store.session(id).unwrap().unwrap().notes, "after lunch");
    assert!(!store.set_notes(id + 100, "x").unwrap());
    assert!(store.session(id + 100).unwrap().is_none());
}

#[test]
fn a_session_keeps_its_goal_and_one_without_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut ids = Vec::new();
    // Ten minutes; none; and goals that are no practice length, kept as none.
    for goal_s in [Some(600.0), None, Some(0.0), Some(-60.0), Some(f64::NAN)] {
        let rec = store
            .start_session(SessionMeta { goal_s, ..meta() })
            .unwrap();
        ids.push(rec.finish().unwrap());
    }
    let goals: Vec<Option<f64>> = ids
        .iter()
        .map(|&id| store.session(id).unwrap().unwrap().goal_s)
        .collect();
    assert_eq!(goals, [Some(600.0), None, None, None, None]);
    // The list says the same, newest first.
    let listed: Vec<Option<f64>> = store.list().unwrap().iter().map(|r| r.goal_s).collect();
    assert_eq!(listed, [None, None, None, None, Some(600.0)]);
}

#[test]
fn landmark_blob_is_compact_and_close() {
    let p = pose(0.37);
    let blob = encode_landmarks(&p);
    assert_eq!(blob.len(), 1 + 33 * 5 * 2);
    assert_landmarks_close(&decode_landmarks(&blob).unwrap(), &p.landmarks);
}

#[test]
fn pushes_are_batched_until_flush() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut rec = store.start_session(meta()).unwrap();
    let id = rec.session();
    for i in 0..10 {
        rec.push(&sample(i, true, PostureState::Aligned), None)
            .unwrap();
    }
    // What another program reading the file sees.
    let count = |_: &()| {
        Store::open_for_reading(dir.path())
            .unwrap()
            .samples(id)
            .unwrap()
            .len()
    };
    let other = ();
    assert_eq!(count(&other), 0, "nothing committed before a second passed");
    rec.flush().unwrap();
    assert_eq!(count(&other), 10);

    // 256 buffered rows commit without waiting for the clock.
    for i in 10..(10 + 256) {
        rec.push(&sample(i, false, PostureState::Unknown), None)
            .unwrap();
    }
    assert_eq!(count(&other), 266);
    // Drop without finish commits the buffer and leaves the session recording.
    rec.push(&sample(266, false, PostureState::Unknown), None)
        .unwrap();
    drop(rec);
    assert_eq!(count(&other), 267);
    assert_eq!(
        store.session(id).unwrap().unwrap().status,
        SessionStatus::Recording
    );
}

#[test]
fn a_crashed_recording_is_recovered_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut rec = store.start_session(meta()).unwrap();
    let id = rec.session();
    for i in 0..30 {
        rec.push(&sample(i, true, PostureState::Drifting), Some(&pose(0.0)))
            .unwrap();
    }
    rec.flush().unwrap();
    // Buffered but never committed: lost with the crash.
    rec.push(&sample(30, true, PostureState::Drifting), None)
        .unwrap();
    std::mem::forget(rec);

    // Our own pid counts as running: nothing is recovered under a live recorder.
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert!(store.recovered_on_open().is_empty());
    drop(store);

    mark_recorded_by_a_dead_process(dir.path(), id);

    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.recovered_on_open(), &[id]);
    let row = store.session(id).unwrap().unwrap();
    assert_eq!(row.status, SessionStatus::Recovered);
    // Last committed sample: frame 29 at 965.7 ms.
    assert_eq!(row.ended_ms, Some(row.started_ms + 966));
    let samples = store.samples(id).unwrap();
    assert_eq!(samples.len(), 30);
    assert!(samples.iter().all(|(_, lm)| lm.is_some()));
    drop(store);
    // Recovery happens once.
    assert!(
        Store::open(dir.path())
            .unwrap()
            .recovered_on_open()
            .is_empty()
    );
}

fn assert_refused_untouched(dir: &Path, check: impl Fn(&StoreError)) {
    let path = dir.join(DB_FILE);
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(dir).unwrap_err();
    check(&err);
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before, "file was modified");
}

#[test]
fn random_bytes_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // Deterministic noise (an LCG), 8 KiB.
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..8192)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    std::fs::write(dir.path().join(DB_FILE), &noise).unwrap();
    assert_refused_untouched(dir.path(), |e| {
        assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}");
        assert!(e.to_string().contains("left untouched"), "{e}");
    });
}

#[test]
fn a_truncated_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(dir.path()).unwrap();
        let mut rec = store.start_session(meta()).unwrap();
        for i in 0..2000 {
            rec.push(&sample(i, true, PostureState::Aligned), Some(&pose(0.1)))
                .unwrap();
        }
        rec.finish().unwrap();
    }
    // Closing the last connection checkpoints the WAL into the main file.
    let path = dir.path().join(DB_FILE);
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 40_000, "{}", bytes.len());
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert_refused_untouched(dir.path(), |e| {
        assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}");
    });
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let path = dir.path().join(DB_FILE);
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", migrations::LATEST + 1)
        .unwrap();
    assert_refused_untouched(dir.path(), |e| match e {
        StoreError::TooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, migrations::LATEST + 1);
            assert_eq!(*supported, migrations::LATEST);
            assert!(e.to_string().contains("update plumbline"), "{e}");
        }
        other => panic!("expected TooNew, got {other:?}"),
    });
}

#[test]
fn a_version_1_database_is_migrated_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let mut conn = Connection::open(&path).unwrap();
        assert_eq!(migrations::migrate_to(&mut conn, 1).unwrap(), 1);
        conn.execute_batch(
            "INSERT INTO sessions (id, started_ms, ended_ms, source, model, status, pid)
                 VALUES (7, 1000, 2000, 'old.mp4', 'lite', 'complete', NULL);
             INSERT INTO samples (session_id, frame, t_ms, person, state, metrics, landmarks)
                 VALUES (7, 0, 0.0, 0, 'unknown', NULL, NULL),
                        (7, 1, 500.0, 1, 'aligned', '{\"shoulder_tilt_deg\": 1.5}', NULL);
             INSERT INTO events (session_id, t_ms, kind, detail)
                 VALUES (7, 250.0, 'posture_alert', '{\"n\": 1}'),
                        (7, 260.0, 'from_a_newer_plumbline', '{}');",
        )
        .unwrap();
    }
    assert_eq!(user_version(&path), 1);

    let store = Store::open(dir.path()).unwrap();
    assert_eq!(user_version(&path), migrations::LATEST);
    let row = store.session(7).unwrap().unwrap();
    assert_eq!(row.source, "old.mp4");
    assert_eq!(row.ended_ms, Some(2000));
    let samples = store.samples(7).unwrap();
    assert_eq!(samples.len(), 2);
    assert_eq!(samples[1].0.state, PostureState::Aligned);
    assert_eq!(
        samples[1].0.metrics.unwrap().get(MetricId::ShoulderTilt),
        Some(1.5)
    );
    // An event kind this version does not know is left out, not an error.
    let events = store.events(7).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::PostureAlert);
    assert_eq!(events[0].detail, json!({"n": 1}));
    // Version 2's index exists.
    let indexes: i64 = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'events_by_session'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 1);
    // Version 3's cached totals: counted from the samples on the first list, then kept.
    let cached = |path: &Path| -> Option<i64> {
        Connection::open(path)
            .unwrap()
            .query_row("SELECT samples_n FROM sessions WHERE id = 7", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(cached(&path), None);
    let listed = store.list().unwrap();
    assert_eq!(listed[0].samples, 2);
    // 500 ms unknown, then the last (aligned) sample, which adds no time.
    assert_eq!(listed[0].aligned_fraction, Some(0.0));
    assert_eq!(cached(&path), Some(2));
    assert_eq!(store.list().unwrap(), listed);
}

/// A file from the plumbline before goals (schema 6) gains the column empty: its sessions have
/// no goal, for the writer and the reader alike, and new sessions keep theirs.
#[test]
fn a_version_6_database_is_migrated_with_no_goals() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let conn = plumbline_database_at(&path, 6);
        conn.execute_batch(
            "INSERT INTO sessions (id, started_ms, ended_ms, source, model, status, pid,
                                   preset, end_reason)
                 VALUES (4, 1000, 2000, 'old.mp4', 'lite', 'interrupted', NULL,
                         '{\"activity\": \"standing\", \"measures\": [\"trunk_upright\"]}',
                         'interrupted by Ctrl-C');
             INSERT INTO samples (session_id, frame, t_ms, person, state)
                 VALUES (4, 0, 0.0, 0, 'unknown'), (4, 1, 1000.0, 0, 'unknown');",
        )
        .unwrap();
    }
    assert_eq!(user_version(&path), 6);

    // A reader of an old file migrates it too (it needs the change), then reads it.
    let reader = Store::open_for_reading(dir.path()).unwrap();
    assert_eq!(user_version(&path), migrations::LATEST);
    let row = reader.session(4).unwrap().unwrap();
    assert_eq!(row.goal_s, None);
    assert_eq!(row.end_reason.as_deref(), Some("interrupted by Ctrl-C"));
    assert_eq!(row.status, SessionStatus::Interrupted);
    assert_eq!(
        row.preset.map(|p| p.activity),
        Some(Practice::Standing),
        "what step 5 kept is still read"
    );
    assert_eq!(reader.list().unwrap()[0].goal_s, None);
    drop(reader);

    // Opened again, it is plumbline's and up to date: nothing to refuse, and goals are kept.
    let mut store = Store::open(dir.path()).unwrap();
    let rec = store
        .start_session(SessionMeta {
            goal_s: Some(300.0),
            ..meta()
        })
        .unwrap();
    let id = rec.finish().unwrap();
    assert_eq!(store.session(id).unwrap().unwrap().goal_s, Some(300.0));
    assert_eq!(store.session(4).unwrap().unwrap().goal_s, None);
}

/// A file from the plumbline before per-frame levels (schema 7) gains the columns empty: its
/// samples read with no levels and no cue (not "all unknown"), so its report can say the time
/// per measure is not known; new sessions keep theirs.
#[test]
fn a_version_7_database_is_migrated_with_no_levels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let conn = plumbline_database_at(&path, 7);
        conn.execute_batch(
            "INSERT INTO sessions (id, started_ms, ended_ms, source, model, status, pid, goal_s)
                 VALUES (5, 1000, 3000, 'old.mp4', 'lite', 'complete', NULL, 60.0);
             INSERT INTO samples (session_id, frame, t_ms, person, state, cadence_spm)
                 VALUES (5, 0, 0.0, 0, 'misaligned', NULL),
                        (5, 1, 1000.0, 0, 'misaligned', 98.0),
                        (5, 2, 2000.0, 0, 'aligned', NULL);",
        )
        .unwrap();
    }
    assert_eq!(user_version(&path), 7);

    let mut store = Store::open(dir.path()).unwrap();
    assert_eq!(user_version(&path), migrations::LATEST);
    let old: Vec<Sample> = store
        .samples(5)
        .unwrap()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(old.len(), 3);
    assert!(old.iter().all(|s| s.levels.is_none() && s.cue.is_none()));
    assert_eq!(
        old[1].cadence_spm,
        Some(98.0),
        "what step 4 kept is still read"
    );
    let row = store.session(5).unwrap().unwrap();
    assert_eq!(row.goal_s, Some(60.0), "and step 7's");
    let summary = plumbline::report::summary_of(&store, &row, &old).unwrap();
    assert!(summary.measures_note.is_some());
    assert!(summary.measures.iter().all(|m| m.time.is_none()));
    assert_eq!(summary.misaligned_stretches.len(), 1);
    assert_eq!(summary.misaligned_stretches[0].driver, None);

    let mut rec = store.start_session(meta()).unwrap();
    let new = sample(0, true, PostureState::Misaligned);
    rec.push(&new, None).unwrap();
    let id = rec.finish().unwrap();
    assert_eq!(store.samples(id).unwrap()[0].0, new);
}

/// A file from the plumbline before sessions kept their bands (schema 8) gains the column
/// empty: its sessions read with no thresholds (their report draws the defaults and says so),
/// and new sessions keep theirs.
#[test]
fn a_version_8_database_is_migrated_with_no_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let conn = plumbline_database_at(&path, 8);
        conn.execute_batch(
            "INSERT INTO sessions (id, started_ms, ended_ms, source, model, status, pid, goal_s)
                 VALUES (6, 1000, 3000, 'old.mp4', 'lite', 'complete', NULL, 60.0);",
        )
        .unwrap();
    }
    assert_eq!(user_version(&path), 8);

    let mut store = Store::open(dir.path()).unwrap();
    assert_eq!(user_version(&path), migrations::LATEST);
    let old = store.session(6).unwrap().unwrap();
    assert_eq!(old.thresholds, None);
    assert_eq!(old.goal_s, Some(60.0), "what step 7 kept is still read");

    let id = store.start_session(meta()).unwrap().finish().unwrap();
    let new = store.session(id).unwrap().unwrap();
    assert_eq!(new.thresholds, meta().thresholds);
    assert_eq!(
        new.thresholds
            .and_then(|t| t.band(MetricId::TrunkLeanSagittal)),
        Some(Band {
            drifting: 8.0,
            misaligned: 16.0
        })
    );
}

#[test]
fn delete_cascades_to_samples_events_and_keyframes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let mut rec = store.start_session(meta()).unwrap();
        rec.push(&sample(0, true, PostureState::Aligned), Some(&pose(0.0)))
            .unwrap();
        rec.event(0.0, EventKind::State, json!({"state": "unknown"}))
            .unwrap();
        rec.keyframe(0.0, "typical", vec![1, 2], None).unwrap();
        ids.push(rec.finish().unwrap());
    }
    assert!(store.delete(ids[0]).unwrap());
    assert!(!store.delete(ids[0]).unwrap());
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    for table in ["sample_blocks", "events", "keyframes"] {
        let (gone, kept): (i64, i64) = conn
            .query_row(
                &format!("SELECT SUM(session_id = ?1), SUM(session_id = ?2) FROM {table}"),
                [ids[0], ids[1]],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((gone, kept), (0, 1), "{table}");
    }
    assert_eq!(store.list().unwrap().len(), 1);
}

#[test]
fn errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the database file should be: cannot be opened.
    std::fs::create_dir(dir.path().join(DB_FILE)).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        err.to_string()
            .contains(&dir.path().join(DB_FILE).display().to_string()),
        "{err}"
    );
}

#[test]
fn a_session_being_recorded_is_not_deleted_under_its_recorder() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut rec = store.start_session(meta()).unwrap();
    let id = rec.session();
    rec.push(&sample(0, true, PostureState::Aligned), None)
        .unwrap();
    rec.flush().unwrap();

    // This process is recording it: refused, with what to do and the file.
    let e = store.delete(id).unwrap_err();
    assert!(
        matches!(e, StoreError::StillRecording { id: refused, .. } if refused == id),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("session {id} is still being recorded")),
        "{msg}"
    );
    assert!(msg.ends_with(&store.path().display().to_string()), "{msg}");
    // So the recorder carries on: its next commit and its end succeed.
    rec.push(&sample(1, true, PostureState::Aligned), None)
        .unwrap();
    rec.flush().unwrap();
    assert_eq!(rec.finish().unwrap(), id);
    assert!(store.delete(id).unwrap(), "a finished session can go");

    // A session whose recorder is gone (its process exited) can go even before recovery.
    let rec = store.start_session(meta()).unwrap();
    let orphan = rec.session();
    drop(rec);
    mark_recorded_by_a_dead_process(dir.path(), orphan);
    assert!(store.delete(orphan).unwrap());
}

#[test]
fn a_stored_session_keeps_its_walking_and_its_summary_is_the_analysis_summary() {
    use plumbline::report::summary::SummaryBuilder;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut rec = store.start_session(meta()).unwrap();
    // 10 s at 30 fps: standing for 3 s, walking at 96–104 steps/min for 5 s, standing again.
    let samples: Vec<Sample> = (0..300u64)
        .map(|frame| {
            let mut s = sample(frame, true, PostureState::Aligned);
            let t_s = frame as f64 / 30.0;
            s.t_ms = t_s * 1000.0;
            s.cadence_spm = (3.0..8.0)
                .contains(&t_s)
                .then_some(100.0 + 4.0 * (frame as f32 / 7.0).sin());
            s
        })
        .collect();
    let mut live = SummaryBuilder::default();
    for s in &samples {
        rec.push(s, None).unwrap();
        live.push(s);
    }
    for kind in [EventKind::SuddenMovement, EventKind::PostureAlert] {
        rec.event(1000.0, kind, json!({})).unwrap();
        live.push_event(kind);
    }
    let id = rec.finish().unwrap();

    let row = store.session(id).unwrap().unwrap();
    let stored: Vec<Sample> = store
        .samples(id)
        .unwrap()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(stored, samples, "cadence and all, as recorded");
    let from_store = plumbline::report::summary_of(&store, &row, &stored).unwrap();
    let live = live.finish(&row.source, &row.model, None);
    assert_eq!(from_store.motion, live.motion);
    assert!(
        (from_store.motion.walking_s - 5.0).abs() < 0.05,
        "{:?}",
        from_store.motion
    );
    let cadence = from_store.motion.cadence_spm.unwrap();
    assert!((98.0..102.0).contains(&cadence), "{cadence}");
    assert_eq!(from_store.posture_alerts, 1);
    assert_eq!(from_store.time_in_state, live.time_in_state);
}
