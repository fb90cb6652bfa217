//! Shared helpers: running the binary, reading fixtures, comparing poses like a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use plumbline::geometry::state::PostureState;
use plumbline::session::Sample;
use plumbline::session::store::{Recorder, SessionMeta, Store};
use serde_json::Value;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

/// A fresh folder for recorded sessions, so tests never touch the user's own.
pub fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary data folder")
}

/// Runs the `plumbline` binary with `args`, recording into a throw-away data folder.
pub fn plumbline<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let dir = data_dir();
    plumbline_in(dir.path(), args)
}

/// Runs the `plumbline` binary with `args`, keeping sessions in `data`.
pub fn plumbline_in<I, S>(data: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .args(args)
        .env("PLUMBLINE_DATA_DIR", data)
        .output()
        .expect("the plumbline binary runs")
}

/// `plumbline analyze INPUT --quiet --no-record` with the settings in `data`, writing its
/// summary to `data/summary.json` and its frames to `data/frames.csv`: the run and those paths.
pub fn analyze_in(data: &Path, input: &Path) -> (Output, PathBuf, PathBuf) {
    let (json, csv) = (data.join("summary.json"), data.join("frames.csv"));
    let mut args: Vec<&std::ffi::OsStr> = vec!["analyze".as_ref(), input.as_os_str()];
    args.extend(["--quiet", "--no-record", "--json"].map(std::ffi::OsStr::new));
    args.extend([json.as_os_str(), "--csv".as_ref(), csv.as_os_str()]);
    let out = plumbline_in(data, args);
    (out, json, csv)
}

/// `plumbline app ARGS…` in a virtual screen of `screen` (`1280x800`) under Xvfb, killed after
/// 90 s so a window that never closes fails its test (exit 124) rather than hanging it.
pub fn app_under_xvfb(screen: &str, args: &[&std::ffi::OsStr]) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.args(["-k", "5", "90", "xvfb-run", "-a", "-s"])
        .arg(format!("-screen 0 {screen}x24"))
        .arg(env!("CARGO_BIN_EXE_plumbline"))
        .arg("app")
        .args(args);
    cmd
}

/// A command that failed as a user should see it: an error naming each of `must_mention`, no
/// panic.
pub fn assert_clean_failure(out: &Output, must_mention: &[&str]) {
    assert!(!out.status.success(), "should fail");
    let err = stderr(out);
    assert!(!err.contains("panicked"), "panicked: {err}");
    for m in must_mention {
        assert!(err.contains(m), "stderr should mention {m:?}: {err}");
    }
}

/// Records the 5 s rotation clip as a session in `data` with `plumbline analyze --notes`.
pub fn record_clip(data: &Path, notes: &str) {
    let clip = fixture("video/camera_turning.mp4");
    let out = plumbline_in(
        data,
        [
            "analyze",
            clip.to_str().unwrap(),
            "--quiet",
            "--notes",
            notes,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Starts recording a session from "camera 0" in `db`, as the app does; the session stays
/// `recording` (by this live process) until the recorder finishes.
pub fn start_recording(db: &mut Store) -> Recorder {
    start_recording_with_goal(db, None)
}

/// [`start_recording`] with a practice goal of `goal_s` seconds (`None`: no goal).
pub fn start_recording_with_goal(db: &mut Store, goal_s: Option<f64>) -> Recorder {
    let mut rec = db
        .start_session(SessionMeta {
            source: "camera 0".into(),
            model: "lite".into(),
            calibration: None,
            preset: None,
            thresholds: None,
            notes: String::new(),
            goal_s,
        })
        .unwrap();
    rec.flush().unwrap();
    rec
}

/// A database with one finished session of `n` frames without a person (50 ms apart),
/// written through the store's API.
pub fn stored_session(data: &Path, n: u64) -> i64 {
    stored_session_with_goal(data, n, None)
}

/// [`stored_session`] with a practice goal of `goal_s` seconds (`None`: no goal).
pub fn stored_session_with_goal(data: &Path, n: u64, goal_s: Option<f64>) -> i64 {
    let mut rec = start_recording_with_goal(&mut Store::open(data).unwrap(), goal_s);
    for frame in 0..n {
        let sample = Sample {
            frame,
            t_ms: frame as f64 * 50.0,
            person: false,
            metrics: None,
            state: PostureState::Unknown,
            cadence_spm: None,
            levels: None,
            cue: None,
        };
        rec.push(&sample, None).unwrap();
    }
    rec.finish().unwrap()
}

/// Makes session `id` look recorded by a process that has since exited, as after a crash.
pub fn mark_recorded_by_a_dead_process(dir: &Path, id: i64) {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    rusqlite::Connection::open(dir.join(plumbline::session::store::DB_FILE))
        .unwrap()
        .execute(
            "UPDATE sessions SET pid = ?1 WHERE id = ?2",
            rusqlite::params![dead_pid, id],
        )
        .unwrap();
}

pub fn stdout_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each stdout line is JSON"))
        .collect()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `[x, y, z, visibility, presence]` rows of a JSON pose.
pub fn landmarks(v: &Value) -> Vec<Vec<f64>> {
    v["landmarks"]
        .as_array()
        .expect("landmarks array")
        .iter()
        .map(|l| {
            l.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("number"))
                .collect()
        })
        .collect()
}

/// Landmarks as the `[x, y, z, visibility, presence]` rows the JSON output and fixtures use.
pub fn rows(landmarks: &[plumbline::pose::Landmark]) -> Vec<Vec<f64>> {
    landmarks
        .iter()
        .map(|l| {
            [l.x, l.y, l.z, l.visibility, l.presence]
                .iter()
                .map(|&v| v as f64)
                .collect()
        })
        .collect()
}

/// Length in pixels used to judge landmark error: shoulder midpoint to hip midpoint in the
/// reference, or the image height where the reference puts the hips out of the frame.
pub fn torso_px(reference: &[Vec<f64>], width: f64, height: f64) -> f64 {
    let hips_in_frame = [23, 24]
        .iter()
        .all(|&i| reference[i][1] <= 1.0 && reference[i][3] > 0.5);
    if !hips_in_frame {
        return height;
    }
    let mid = |a: usize, b: usize| {
        (
            (reference[a][0] + reference[b][0]) / 2.0 * width,
            (reference[a][1] + reference[b][1]) / 2.0 * height,
        )
    };
    let (s, h) = (mid(11, 12), mid(23, 24));
    ((s.0 - h.0).powi(2) + (s.1 - h.1).powi(2)).sqrt()
}

/// Mean pixel distance between `ours` and `reference` over the landmarks the reference marks
/// visible (visibility > 0.5), as a fraction of the torso length.
pub fn mean_error_in_torsos(
    ours: &[Vec<f64>],
    reference: &[Vec<f64>],
    width: f64,
    height: f64,
) -> f64 {
    let torso = torso_px(reference, width, height);
    let visible: Vec<f64> = ours
        .iter()
        .zip(reference)
        .filter(|(_, r)| r[3] > 0.5)
        .map(|(o, r)| (((o[0] - r[0]) * width).powi(2) + ((o[1] - r[1]) * height).powi(2)).sqrt())
        .collect();
    assert!(
        visible.len() >= 8,
        "the reference should see most of the body"
    );
    visible.iter().sum::<f64>() / visible.len() as f64 / torso
}

/// A PDF as a reader sees it: its pages' sizes in points, their text, and how many images it
/// holds.
pub struct ParsedPdf {
    pub sizes: Vec<(f32, f32)>,
    pub text: Vec<String>,
    pub images: usize,
}

pub fn parse_pdf(bytes: &[u8]) -> ParsedPdf {
    use pdf_extract::Object;
    let doc = pdf_extract::Document::load_mem(bytes).expect("a readable PDF");
    let sizes = doc
        .get_pages()
        .values()
        .map(|&id| {
            let page = doc.get_object(id).unwrap().as_dict().unwrap();
            let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
            let n: Vec<f32> = media.iter().map(|v| v.as_float().unwrap()).collect();
            (n[2] - n[0], n[3] - n[1])
        })
        .collect();
    let images = doc
        .objects
        .values()
        .filter(|o| match o {
            Object::Stream(s) => s
                .dict
                .get(b"Subtype")
                .and_then(Object::as_name)
                .is_ok_and(|n| n == b"Image"),
            _ => false,
        })
        .count();
    let text = pdf_extract::extract_text_from_mem_by_pages(bytes).expect("its text");
    ParsedPdf {
        sizes,
        text,
        images,
    }
}

/// Runs `plumbline report ID --format pdf EXTRA… -o OUT` on the sessions in `data`.
pub fn report_pdf(data: &Path, id: i64, extra: &[&str], out: &Path) -> Output {
    let id = id.to_string();
    let mut args = vec!["report", &id, "--format", "pdf"];
    args.extend(extra);
    args.extend(["-o", out.to_str().unwrap()]);
    plumbline_in(data, args)
}
