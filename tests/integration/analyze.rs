//! `plumbline analyze` on real files: every frame, CSV and JSON out, lean following a known
//! rotation, truncated input, signals and failures handled without losing what was written.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use plumbline::session::store::{SessionStatus, Store};

use crate::helpers::*;

struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_csv(path: &Path) -> Csv {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>());
    let header = lines.next().expect("a header");
    Csv {
        header,
        rows: lines.collect(),
    }
}

impl Csv {
    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
}

/// The picture's lean, read by the frontal-lean estimator whatever the view, follows the known
/// rotation of the clip frame by frame (the real decoder, the real model, `compute_all`).
#[test]
fn the_pictures_lean_follows_the_rotation() {
    use plumbline::geometry::MetricId;
    use plumbline::geometry::metrics::{MetricsConfig, compute_all};
    use plumbline::pose::roi::ImageSize;
    use plumbline::pose::{EngineConfig, ModelKind, PoseEstimator};

    let reference = read_json(&fixture("reference/rotation_clip.json"));
    let angles: Vec<f64> = reference["rotation_ccw_deg"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_f64().unwrap())
        .collect();
    let mut engine = PoseEstimator::new(&EngineConfig::video(ModelKind::Full)).unwrap();
    let mut source = plumbline::source::open(&fixture("video/camera_turning.mp4")).unwrap();
    let mut leans = Vec::new();
    while let Some(frame) = source.next_frame().unwrap() {
        let size = ImageSize {
            width: frame.image.width(),
            height: frame.image.height(),
        };
        let pose = engine
            .estimate(&frame.image, frame.timestamp)
            .unwrap()
            .expect("a person on every frame");
        let m = compute_all(&pose, size, &MetricsConfig::default());
        leans.push(f64::from(m.get(MetricId::TrunkLeanFrontal).unwrap()));
    }
    assert_eq!(leans.len(), angles.len());
    // Turning the photo counter-clockwise by a carries the shoulders left: lean = offset − a.
    let offset = leans.iter().zip(&angles).map(|(l, a)| l + a).sum::<f64>() / leans.len() as f64;
    let errors: Vec<f64> = leans
        .iter()
        .zip(&angles)
        .map(|(l, a)| (l - (offset - a)).abs())
        .collect();
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    let max = errors.iter().cloned().fold(0.0, f64::max);
    let mp_max = reference["mediapipe_vs_rotation"]["max_error_deg"]
        .as_f64()
        .unwrap();
    eprintln!(
        "lean follows the rotation: mean error {mean:.2}°, max {max:.2}° (MediaPipe on this clip: max {mp_max:.2}°)"
    );
    // Well under MediaPipe's own mean error on this clip (3.09°), with room for the CPU: the
    // same build read under 1.5° on earlier machines and reads 1.60° on an AVX2-only EPYC (ONNX
    // Runtime picks its kernels by CPU, and tracking carries a difference from frame to frame).
    let mp_mean = reference["mediapipe_vs_rotation"]["mean_error_deg"]
        .as_f64()
        .unwrap();
    assert!(mean <= 2.0 && mean < mp_mean, "mean error {mean:.2}°");
    // The 4° bound, or MediaPipe's own worst frame on this clip if that is larger: the
    // photographer's hidden hips move as the photo turns, for MediaPipe as for plumbline.
    assert!(max <= f64::max(4.0, mp_max), "max error {max:.2}°");
}

#[test]
fn every_frame_is_analysed_and_says_what_cannot_be_measured() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, json) = (
        dir.path().join("frames.csv"),
        dir.path().join("summary.json"),
    );
    let clip = fixture("video/camera_turning.mp4");
    let out = plumbline(analyze_quietly(&clip, &csv, &json));
    assert!(out.status.success(), "{}", stderr(&out));

    let table = read_csv(&csv);
    let expected_header = [
        "frame",
        "t_ms",
        "person",
        "view",
        "trunk_lean_frontal_deg",
        "trunk_lean_sagittal_deg",
        "shoulder_hip_offset",
        "shoulder_hip_offset_cm",
        "shoulder_tilt_deg",
        "hip_tilt_deg",
        "head_forward_deg",
        "plumb_ear",
        "plumb_shoulder",
        "plumb_hip",
        "plumb_knee",
        "state",
        "cue_metric",
        "cue",
    ];
    assert_eq!(table.header, expected_header);
    assert_eq!(table.rows.len(), 150, "every frame, none dropped");
    let (frame, t, lean) = (
        table.col("frame"),
        table.col("t_ms"),
        table.col("trunk_lean_frontal_deg"),
    );
    for (i, row) in table.rows.iter().enumerate() {
        assert_eq!(row[frame], i.to_string());
        let t_ms: f64 = row[t].parse().unwrap();
        assert!(
            (t_ms - i as f64 * 1000.0 / 30.0).abs() < 1.0,
            "frame {i} at {t_ms} ms"
        );
    }
    // The photographer is half turned: the lean in the picture is measured, the sagittal
    // lean's depth cannot be from this view, and every frame says so with an empty field.
    let (view, sagittal) = (table.col("view"), table.col("trunk_lean_sagittal_deg"));
    for row in &table.rows {
        assert_eq!(row[view], "oblique");
        assert_eq!(row[sagittal], "", "frame {}: not measurable", row[frame]);
    }
    let summary = read_json(&json);
    assert_eq!(summary["frames"], 150);
    assert_eq!(summary["frames_with_person"], 150);
    assert_eq!(summary["complete"], true);
    assert!((summary["duration_s"].as_f64().unwrap() - 149.0 / 30.0).abs() < 0.01);
    let leans: Vec<f64> = table
        .rows
        .iter()
        .map(|r| r[lean].parse().expect("a lean on every frame"))
        .collect();
    let lean_stats = &summary["metrics"]["trunk_lean_frontal_deg"];
    assert_eq!(lean_stats["n"], 150);
    assert!(
        (lean_stats["mean"].as_f64().unwrap() - leans.iter().sum::<f64>() / 150.0).abs() < 0.01
    );
    let sagittal = &summary["metrics"]["trunk_lean_sagittal_deg"];
    assert!(
        sagittal.is_null() || sagittal["n"] == 0,
        "never measured: {sagittal}"
    );
    let fractions: f64 = ["aligned", "drifting", "misaligned", "unknown"]
        .iter()
        .map(|s| {
            summary["time_in_state"][format!("{s}_fraction")]
                .as_f64()
                .unwrap()
        })
        .sum();
    assert!((fractions - 1.0).abs() < 1e-6);
    // Where the time went: inference dominates, and every stage is accounted for.
    let t = &summary["timings_ms"];
    let inference = t["inference"].as_f64().unwrap();
    assert!(inference > 0.5, "{t}");
    for stage in ["wait_for_frame", "preprocess", "geometry"] {
        assert!(
            t[stage].as_f64().unwrap() >= 0.0 && t[stage].as_f64().unwrap() < inference * 5.0,
            "{t}"
        );
    }
}

#[test]
fn a_truncated_video_is_analysed_as_far_as_it_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture("video/camera_turning.mp4")).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let (csv, json) = (
        dir.path().join("frames.csv"),
        dir.path().join("summary.json"),
    );
    let out = plumbline(analyze_quietly(&cut, &csv, &json));
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(1), "partial result: {err}");
    assert!(err.contains("cut.mp4"), "names the file: {err}");
    let rows = read_csv(&csv).rows.len();
    assert!(rows > 10 && rows < 150, "{rows} frames decoded");
    let summary = read_json(&json);
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["frames"], rows as u64);
    assert!(summary["note"].as_str().unwrap().contains("ended early"));
}

#[test]
fn a_signal_stops_cleanly_and_keeps_what_was_written() {
    // Ctrl-C, `kill` (SIGTERM) and a closed terminal (SIGHUP) all end the run the same way:
    // the CSV and JSON hold what was analysed and the session is stored as interrupted, saying
    // why.
    for (signal, reason) in [("INT", "Ctrl-C"), ("TERM", "SIGTERM"), ("HUP", "SIGHUP")] {
        let dir = tempfile::tempdir().unwrap();
        let (csv, json) = (
            dir.path().join("frames.csv"),
            dir.path().join("summary.json"),
        );
        std::fs::write(&csv, "an older analysis\n").unwrap();
        let clip = fixture("video/camera_turning.mp4");
        let data = data_dir();
        let child = Command::new(env!("CARGO_BIN_EXE_plumbline"))
            .env("PLUMBLINE_DATA_DIR", data.path())
            .args(analyze_quietly(&clip, &csv, &json))
            .args(["--model", "full", "--threads", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The CSV streams into a temporary file beside the old one, which stays as it was
        // until the end. Wait until some rows are on disk, then send the signal.
        let started = Instant::now();
        while read_rows(&part_file(dir.path(), "frames.csv")) < 31 {
            assert!(started.elapsed() < Duration::from_secs(60), "no progress");
            assert_eq!(
                std::fs::read_to_string(&csv).unwrap(),
                "an older analysis\n"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let kill = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130), "{signal}: {}", stderr(&out));
        let rows = read_csv(&csv).rows.len();
        assert!((31..150).contains(&rows), "{signal}: {rows} rows kept");
        assert!(!part_file(dir.path(), "frames.csv").exists(), "renamed");
        let summary = read_json(&json);
        assert_eq!(summary["complete"], false);
        assert_eq!(summary["frames"], rows as u64);
        assert!(
            summary["note"].as_str().unwrap().contains(reason),
            "{signal}: {}",
            summary["note"]
        );
        let db = Store::open(data.path()).unwrap();
        let session = db.session(1).unwrap().expect("the session is stored");
        assert_eq!(session.status, SessionStatus::Interrupted, "{signal}");
        assert!(
            session.end_reason.as_deref().unwrap_or("").contains(reason),
            "{signal}: {:?}",
            session.end_reason
        );
        assert_eq!(
            db.samples(1).unwrap().len(),
            rows,
            "{signal}: every row recorded"
        );
        assert!(db.recovered_on_open().is_empty(), "closed, not recovered");
        // `sessions show` says what `--json` said.
        let shown = plumbline_in(data.path(), ["sessions", "show", "1"]);
        let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
        assert_eq!(shown["session"]["status"], "interrupted");
        assert_eq!(shown["summary"]["complete"], false, "{signal}");
        assert_eq!(shown["summary"]["note"], shown["session"]["end_reason"]);
    }
}

#[test]
fn ctrl_c_while_the_model_loads_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("frames.csv");
    let clip = fixture("video/camera_turning.mp4");
    let data = data_dir();
    // Loading the engine takes a few hundred milliseconds; the stop handler is installed in
    // the first few. (Should the signal beat the handler, the process dies of it: try later.)
    for delay_ms in [50, 100, 150] {
        let child = Command::new(env!("CARGO_BIN_EXE_plumbline"))
            .env("PLUMBLINE_DATA_DIR", data.path())
            .args([
                "analyze",
                clip.to_str().unwrap(),
                "--model",
                "full",
                "--csv",
            ])
            .arg(&csv)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        let out = child.wait_with_output().unwrap();
        if out.status.code().is_none() {
            continue;
        }
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(130), "{err}");
        assert!(err.contains("before the analysis began"), "{err}");
        assert!(!csv.exists(), "no CSV");
        let db = Store::open(data.path()).unwrap();
        assert!(
            db.list().unwrap().is_empty(),
            "no empty \"complete\" session"
        );
        return;
    }
    panic!("the stop handler was never installed in time");
}

#[test]
fn a_run_that_fails_at_the_start_leaves_existing_outputs_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, json) = (dir.path().join("old.csv"), dir.path().join("old.json"));
    std::fs::write(&csv, "frame,t_s\n0,0.0\n").unwrap();
    std::fs::write(&json, "{\"frames\": 1}\n").unwrap();
    let no_models = dir.path().join("no-models");
    std::fs::create_dir(&no_models).unwrap();
    let clip = fixture("video/camera_turning.mp4");
    let missing = dir.path().join("missing.mp4");
    let cases: [(&Path, &[&str]); 2] = [
        (&clip, &["--models-dir", no_models.to_str().unwrap()]),
        (&missing, &[]),
    ];
    for (input, extra) in cases {
        let data = data_dir();
        let out = Command::new(env!("CARGO_BIN_EXE_plumbline"))
            .env("PLUMBLINE_DATA_DIR", data.path())
            .args(["analyze", input.to_str().unwrap(), "--quiet", "--csv"])
            .arg(&csv)
            .arg("--json")
            .arg(&json)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), "frame,t_s\n0,0.0\n");
        assert_eq!(std::fs::read_to_string(&json).unwrap(), "{\"frames\": 1}\n");
        let listed: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(listed.len(), 3, "nothing left behind: {listed:?}");
        let db = Store::open(data.path()).unwrap();
        assert!(db.list().unwrap().is_empty(), "no empty session recorded");
    }
}

#[test]
fn a_full_disk_stops_the_recording_not_the_analysis() {
    // The database's disk fills up (here: a file-size limit, as `ulimit -f` sets, which binds
    // every file but a pipe): the recording stops once, with one message, and the CSV (on
    // standard output, a pipe) and the summary (small) are still written in full. The
    // database is made first, without the limit; then 60 KiB leave the write-ahead log room
    // for a commit or two of the 900 frames' compressed blocks, and no more.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let made = plumbline_in(&data, ["sessions"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let clip = dir.path().join("long.mp4");
    let looped = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-stream_loop", "5", "-i"])
        .arg(fixture("video/camera_turning.mp4"))
        .args(["-c", "copy"])
        .arg(&clip)
        .status()
        .unwrap();
    assert!(looped.success());
    let json = dir.path().join("s.json");
    let line = format!(
        "trap '' XFSZ; ulimit -f 60; exec '{}' analyze '{}' --model lite --data-dir '{}' \
         --csv - --json '{}' --quiet",
        env!("CARGO_BIN_EXE_plumbline"),
        clip.display(),
        data.display(),
        json.display()
    );
    let out = Command::new("bash").args(["-c", &line]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("cannot record session 1").count(), 1, "{err}");
    assert!(
        !err.contains("WARN"),
        "reported once, not again as a warning: {err}"
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        csv.lines().count(),
        901,
        "a header and every frame in the CSV"
    );
    let summary = read_json(&json);
    assert_eq!(summary["frames"], 900);
    assert_eq!(summary["complete"], true);
    // What was committed before the disk filled is kept and can be read.
    let listed = plumbline_in(&data, ["sessions", "--json"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let sessions: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 1);
    assert_eq!(sessions[0]["status"], "recovered");
    let kept = sessions[0]["samples"].as_u64().unwrap();
    assert!(kept < 900, "{kept} frames kept");
}

/// `analyze INPUT --csv CSV --json JSON --quiet`.
fn analyze_quietly(input: &Path, csv: &Path, json: &Path) -> Vec<std::ffi::OsString> {
    let line: [&std::ffi::OsStr; 7] = [
        "analyze".as_ref(),
        input.as_ref(),
        "--csv".as_ref(),
        csv.as_ref(),
        "--json".as_ref(),
        json.as_ref(),
        "--quiet".as_ref(),
    ];
    line.iter().map(|a| a.to_os_string()).collect()
}

/// `analyze` of the 5 s rotation clip with the lite model, quietly, its summary to `json` and
/// its sessions in `data`, with `extra` arguments.
fn analyze_clip(data: &Path, json: &Path, extra: &[&str]) -> Output {
    let clip = fixture("video/camera_turning.mp4");
    let mut args = vec![
        "analyze",
        clip.to_str().unwrap(),
        "--model",
        "lite",
        "--quiet",
        "--json",
        json.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    plumbline_in(data, args)
}

/// The temporary file `analyze` streams `name` into, beside it (a path that does not exist when
/// there is none).
fn part_file(dir: &Path, name: &str) -> std::path::PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with(&format!(".{name}.")) && n.ends_with(".part")
        })
        .unwrap_or_else(|| dir.join(format!(".{name}.none.part")))
}

fn read_rows(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count().saturating_sub(1))
        .unwrap_or(0)
}

#[test]
fn an_image_folder_is_analysed_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("frames.csv");
    let out = plumbline([
        "analyze",
        fixture("sequence").to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = read_csv(&csv);
    assert_eq!(table.rows.len(), 10);
    let person = table.col("person");
    let found: Vec<&str> = table.rows.iter().map(|r| r[person].as_str()).collect();
    assert_eq!(
        found,
        ["1", "1", "1", "1", "1", "0", "1", "1", "1", "1"],
        "frame 5 is blank"
    );
}

/// A physiotherapist's preset from the command line: only the chosen measures are judged, and
/// the summary says which were on; an unknown measure is refused with the ones there are.
#[test]
fn measures_and_activity_choose_what_is_judged() {
    let (data, dir) = (data_dir(), tempfile::tempdir().unwrap());
    let json = dir.path().join("summary.json");
    let run =
        |extra: &[&str]| analyze_clip(data.path(), &json, &[&["--no-record"], extra].concat());
    // The half-turned photographer leans ~28° in the picture: misaligned when the trunk is
    // judged.
    let out = run(&["--measures", "trunk_upright"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = read_json(&json);
    assert_eq!(
        s["preset"],
        serde_json::json!({"activity": "free", "measures": ["trunk_upright"]})
    );
    // (The first second is the state's dwell, shown as unknown.)
    assert!(s["time_in_state"]["misaligned_fraction"].as_f64().unwrap() > 0.7);
    // The shoulders' level cannot be measured from his view: nothing is judged.
    let out = run(&["--measures", "level_shoulders", "--activity", "standing"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = read_json(&json);
    assert_eq!(s["preset"]["activity"], "standing");
    assert_eq!(s["time_in_state"]["unknown_fraction"], 1.0);
    assert!(
        s["metrics"]["trunk_lean_frontal_deg"]["n"]
            .as_u64()
            .unwrap()
            > 100,
        "still measured and reported"
    );

    let out = run(&["--measures", "trunk"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("no measure 'trunk'") && err.contains("trunk_upright"),
        "{err}"
    );
}

/// The summary per measure comes from the judge's own levels: each measure's time aligned,
/// drifting, misaligned and unmeasured adds up to the analysed time, the half-turned
/// photographer's lean is what drove his misaligned stretches, and the stored session says
/// the same.
#[test]
fn per_measure_times_add_up_to_the_duration_and_name_what_drove_the_misalignment() {
    let (data, dir) = (data_dir(), tempfile::tempdir().unwrap());
    let json = dir.path().join("summary.json");
    let out = analyze_clip(data.path(), &json, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = read_json(&json);
    let duration = s["duration_s"].as_f64().unwrap();
    let measures = s["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 5, "every measure");
    assert!(s["measures_note"].is_null());
    for m in measures {
        let t = &m["time"];
        let sum: f64 = ["aligned_s", "drifting_s", "misaligned_s", "unmeasured_s"]
            .iter()
            .map(|k| t[k].as_f64().unwrap())
            .sum();
        assert!((sum - duration).abs() < 1e-6, "{m}");
    }
    let trunk = &measures[0];
    assert_eq!(trunk["measure"], "trunk_upright");
    assert!(
        trunk["time"]["misaligned_fraction"].as_f64().unwrap() > 0.5,
        "{trunk}"
    );
    let lean = &trunk["values"]["trunk_lean_frontal_deg"];
    assert!(lean["p5"].as_f64() <= lean["median"].as_f64());
    assert!(lean["median"].as_f64() <= lean["p95"].as_f64());
    assert!(
        trunk["values"]["trunk_lean_sagittal_deg"].is_null(),
        "not measurable from his view: null, not absent"
    );
    let stretches = s["misaligned_stretches"].as_array().unwrap();
    assert!(!stretches.is_empty());
    assert!(
        stretches.iter().all(|x| x["driver"] == "trunk_upright"),
        "{stretches:?}"
    );

    let shown = plumbline_in(data.path(), ["sessions", "show", "1"]);
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["summary"]["measures"], s["measures"]);
    assert_eq!(
        shown["summary"]["misaligned_stretches"],
        s["misaligned_stretches"]
    );
}

/// `--goal MINUTES` carries a practice goal through a scripted run: the summary says whether
/// the analysed time reached it, the session keeps it, and its report says so; without it,
/// there is no goal.
#[test]
fn a_goal_is_kept_with_the_session_and_judged_in_the_summary() {
    let (data, dir) = (data_dir(), tempfile::tempdir().unwrap());
    let json = dir.path().join("summary.json");
    let run = |extra: &[&str]| {
        let out = analyze_clip(data.path(), &json, extra);
        assert!(out.status.success(), "{}", stderr(&out));
        read_json(&json)
    };
    // The clip is 5 s: a 3 s goal is reached.
    let s = run(&["--goal", "0.05"]);
    assert_eq!(s["goal_s"], 3.0);
    assert_eq!(s["goal_reached"], true);
    let s = run(&[]);
    assert!(s["goal_s"].is_null() && s["goal_reached"].is_null(), "{s}");

    let db = Store::open(data.path()).unwrap();
    assert_eq!(db.session(1).unwrap().unwrap().goal_s, Some(3.0));
    assert_eq!(db.session(2).unwrap().unwrap().goal_s, None);
    let shown = plumbline_in(data.path(), ["sessions", "show", "1"]);
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["session"]["goal_s"], 3.0);
    assert_eq!(shown["summary"]["goal_reached"], true);
    // The session keeps the bands it was judged by (here the defaults), for its report.
    assert_eq!(
        shown["session"]["thresholds"]["trunk_lean_sagittal_deg"],
        serde_json::json!({"drifting": 10.0, "misaligned": 20.0})
    );

    let html = dir.path().join("report.html");
    let out = plumbline_in(data.path(), ["report", "1", "-o", html.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains(" s · 3 s goal · reached · "), "{html:.600}");

    // A goal that is no length is refused before anything runs, saying what it wants.
    let out = analyze_clip(data.path(), &json, &["--goal", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a number above 0"),
        "{}",
        stderr(&out)
    );
    assert_eq!(db.list().unwrap().len(), 2, "nothing recorded");
}

/// An output never replaces what is read: the input (by any name: `./`, a hard link) or the
/// session database; the run is refused before anything is written, naming both paths.
#[test]
fn an_output_may_not_be_the_input_or_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    record_clip(&data, "kept");
    let video = dir.path().join("v.mp4");
    std::fs::copy(fixture("video/camera_turning.mp4"), &video).unwrap();
    let link = dir.path().join("same-bytes.mp4");
    std::fs::hard_link(&video, &link).unwrap();
    let original = std::fs::read(&video).unwrap();
    let db = data.join(plumbline::session::store::DB_FILE);
    let db_before = std::fs::read(&db).unwrap();
    let dotted = dir.path().join(".").join("v.mp4");
    let cases: [(&str, &std::path::Path, &str); 4] = [
        ("--csv", &video, "input"),
        ("--json", &dotted, "input"),
        ("--csv", &link, "input"),
        ("--csv", &db, "session database"),
    ];
    for (flag, output, what) in cases {
        let out = plumbline_in(
            &data,
            [
                "analyze",
                video.to_str().unwrap(),
                flag,
                output.to_str().unwrap(),
                "--quiet",
            ],
        );
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {}: {err}",
            output.display()
        );
        assert!(
            err.contains(&format!("refusing to write over the {what}"))
                && err.contains(output.to_str().unwrap()),
            "{err}"
        );
        assert!(
            std::fs::read(&video).unwrap() == original,
            "the video is untouched"
        );
        assert!(
            std::fs::read(&db).unwrap() == db_before,
            "the database is untouched"
        );
    }
}
