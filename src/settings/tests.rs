use super::*;
use crate::geometry::MetricId;
use crate::geometry::metric_id::Band;
use crate::source::camera::BackendKind;

#[test]
fn settings_round_trip_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Settings {
        model: ModelKind::Lite,
        offset_unit: OffsetUnit::Centimetres,
        ..Settings::default()
    };
    s.thresholds.set_band(
        MetricId::TrunkLeanFrontal,
        Band {
            drifting: 5.0,
            misaligned: 14.0,
        },
    );
    s.camera.index = 2;
    s.camera.backend = BackendKind::Ffmpeg.name().to_owned();
    s.save(dir.path()).unwrap();
    let (back, err) = Settings::load(dir.path());
    assert!(err.is_none());
    assert_eq!(back, s);
}

#[test]
fn missing_file_gives_defaults_without_complaint() {
    let dir = tempfile::tempdir().unwrap();
    let (s, err) = Settings::load(dir.path());
    assert!(err.is_none());
    assert_eq!(s, Settings::default());
}

#[test]
fn older_files_with_missing_fields_keep_what_they_have() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(SETTINGS_FILE), r#"{"model": "heavy"}"#).unwrap();
    let (s, err) = Settings::load(dir.path());
    assert!(err.is_none());
    assert_eq!(s.model, ModelKind::Heavy);
    assert_eq!(s.thresholds, Thresholds::default());
}

#[test]
fn alert_settings_keep_their_flat_layout() {
    let json = serde_json::to_value(AlertSettings::default()).unwrap();
    assert_eq!(json["misaligned_after_s"], 10.0);
    assert_eq!(json["sound"], true);
    let read: AlertSettings =
        serde_json::from_str(r#"{"repeat_after_s": 30, "notification": true}"#).unwrap();
    assert_eq!(read.rules.repeat_after_s, 30.0);
    assert!(read.notification && read.sound);
}

#[test]
fn the_judgment_comes_from_the_settings() {
    let mut s = Settings {
        min_visibility: 0.7,
        ..Settings::default()
    };
    s.alerts.rules.misaligned_after_s = 4.0;
    s.calibration.duration_s = 9.0;
    let j = s.judge_config();
    assert_eq!(j.min_visibility(), 0.7);
    assert_eq!(j.alerts.misaligned_after_s, 4.0);
    assert_eq!(j.calibration.duration_s, 9.0);
    assert_eq!(j.thresholds, s.thresholds);
}

#[test]
fn a_broken_file_is_set_aside_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SETTINGS_FILE);
    std::fs::write(&path, "{ not json").unwrap();
    let (s, err) = Settings::load(dir.path());
    assert_eq!(s, Settings::default());
    let msg = err.unwrap().to_string();
    assert!(msg.contains("settings.json.unreadable"), "{msg}");
    let kept = dir.path().join("settings.json.unreadable");
    assert_eq!(std::fs::read_to_string(kept).unwrap(), "{ not json");
    s.save(dir.path()).unwrap();
    assert!(path.exists());
}

#[test]
fn every_unreadable_file_is_kept_under_a_name_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SETTINGS_FILE);
    let files: [&[u8]; 3] = [
        // Not UTF-8: a Latin-1 "é" in a string.
        b"{\"model\": \"h\xe9avy\"}",
        // Not JSON.
        b"{ not json",
        // JSON of the wrong types.
        br#"{"model": 3, "camera": {"index": -1}}"#,
    ];
    for (n, bytes) in files.iter().enumerate() {
        std::fs::write(&path, bytes).unwrap();
        let (s, note) = Settings::load(dir.path());
        assert_eq!(s, Settings::default());
        let kept = match n {
            0 => "settings.json.unreadable".to_string(),
            n => format!("settings.json.unreadable.{n}"),
        };
        let note = note.unwrap();
        assert!(
            note.contains(&dir.path().join(&kept).display().to_string()),
            "{note}"
        );
        assert!(!path.exists(), "set aside before anything saves");
        // The first change saves the defaults; every earlier file is still there as it was.
        s.save(dir.path()).unwrap();
        for (m, earlier) in files[..=n].iter().enumerate() {
            let name = match m {
                0 => "settings.json.unreadable".to_string(),
                m => format!("settings.json.unreadable.{m}"),
            };
            assert_eq!(&std::fs::read(dir.path().join(name)).unwrap(), earlier);
        }
    }
    let (_, note) = Settings::load(dir.path());
    assert!(note.is_none(), "the saved defaults read back: {note:?}");
}

#[test]
fn a_file_that_is_not_text_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(SETTINGS_FILE), b"\xff\xfe{}").unwrap();
    let (_, note) = Settings::peek(dir.path());
    let note = note.unwrap();
    assert!(note.contains("it is not UTF-8 text"), "{note}");
    assert!(
        dir.path().join(SETTINGS_FILE).exists(),
        "analyze leaves the file where it is"
    );
}

#[test]
fn numbers_out_of_range_are_reset_on_load_and_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(SETTINGS_FILE),
        r#"{"calibration": {"countdown_s": 3e38}, "min_visibility": 2}"#,
    )
    .unwrap();
    for (s, note) in [Settings::load(dir.path()), Settings::peek(dir.path())] {
        assert_eq!(s, Settings::default());
        assert_eq!(
            note.unwrap(),
            "settings: min_visibility 2 is out of range (0–1); using 0.5\n\
             settings: calibration.countdown_s 3e38 is out of range (0–30 s); using 3 s"
        );
    }
}

#[test]
fn the_camera_backend_is_auto_in_older_files_and_an_unknown_one_is_reset() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(SETTINGS_FILE);
    // A file from before the choice: everything else kept, the backend `auto`.
    std::fs::write(&file, r#"{"camera": {"index": 1, "width": 1280}}"#).unwrap();
    let (s, note) = Settings::load(dir.path());
    assert!(note.is_none(), "{note:?}");
    assert_eq!((s.camera.index, s.camera.width), (1, 1280));
    assert_eq!(s.camera.backend, "auto");
    assert_eq!(s.camera.backend_kind(), BackendKind::Auto);

    std::fs::write(&file, r#"{"camera": {"index": 1, "backend": "gstreamer"}}"#).unwrap();
    let (s, note) = Settings::load(dir.path());
    assert_eq!((s.camera.index, s.camera.backend.as_str()), (1, "auto"));
    let note = note.unwrap();
    assert!(
        note.contains(
            "camera.backend \"gstreamer\" is not one of auto, system, ffmpeg; using auto"
        ),
        "{note}"
    );
    assert!(file.exists(), "a file with a value reset is not set aside");
}
