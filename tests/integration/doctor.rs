//! `plumbline doctor` on this machine, on a damaged model and a missing runtime; an installed
//! layout (`<prefix>/bin`, `share/plumbline`, `lib/plumbline`) found from the executable's own
//! place, with no environment variables; the manual pages and completions the package ships.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::helpers::*;

/// `plumbline doctor --json` run as `exe`, with plumbline's own variables removed and `env`
/// set: the run and the report.
fn doctor(exe: &Path, data: &Path, env: &[(&str, &Path)]) -> (Output, Value) {
    let mut cmd = Command::new(exe);
    cmd.args(["doctor", "--json", "--data-dir"]).arg(data);
    for var in [
        "ORT_DYLIB_PATH",
        "PLUMBLINE_MODELS_DIR",
        "PLUMBLINE_DATA_DIR",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("plumbline runs");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    (out, report)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The check called `name`: (status, detail).
fn check(report: &Value, name: &str) -> (String, String) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {report:#}"));
    let status = c["status"].as_str().unwrap().to_string();
    assert!(
        ["ok", "warning", "problem"].contains(&status.as_str()),
        "{c}"
    );
    if status != "ok" {
        assert!(c["fix"].as_str().is_some_and(|f| !f.is_empty()), "{c}");
    }
    (status, c["detail"].as_str().unwrap().to_string())
}

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_plumbline"))
}

#[test]
fn the_doctor_checks_this_machine_and_its_exit_code_counts_the_problems() {
    let data = data_dir();
    let (out, report) = doctor(&exe(), data.path(), &[]);
    for name in [
        "onnx runtime",
        "models",
        "pose engine",
        "ffmpeg",
        "data folder",
    ] {
        assert_eq!(check(&report, name).0, "ok", "{name}: {report:#}");
    }
    assert!(check(&report, "onnx runtime").1.starts_with("1.32.0 at "));
    assert!(
        check(&report, "models")
            .1
            .contains("pose_landmark_full.onnx")
    );
    assert!(check(&report, "data folder").1.contains(" free"));
    for name in ["cameras", "display", "sound", "speech"] {
        check(&report, name);
    }
    let problems = report["problems"].as_u64().unwrap();
    let counted = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "problem")
        .count() as u64;
    assert_eq!(problems, counted);
    assert_eq!(out.status.code(), Some(if problems == 0 { 0 } else { 1 }));

    // The text report says the same, with each fix under its line.
    let text = Command::new(exe())
        .args(["doctor", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    let text = stdout(&text);
    assert!(
        text.lines()
            .any(|l| l.starts_with("ok") && l.contains("1.32.0")),
        "{text}"
    );
    assert!(text.contains(&format!("{problems} problem")), "{text}");
}

#[test]
fn a_damaged_model_and_a_missing_runtime_are_named_with_their_fix() {
    let data = data_dir();
    let models = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo().join("models")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, models.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let lite = models.path().join("pose_landmark_lite.onnx");
    let mut bytes = std::fs::read(&lite).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&lite, bytes).unwrap();
    let (out, report) = doctor(
        &exe(),
        data.path(),
        &[("PLUMBLINE_MODELS_DIR", models.path())],
    );
    let (status, detail) = check(&report, "models");
    assert_eq!(status, "problem");
    assert!(
        detail.contains(&lite.display().to_string()) && detail.contains("damaged"),
        "{detail}"
    );
    assert_eq!(out.status.code(), Some(1));
    // The engine checks the model it loads as the doctor does, and refuses it in the same
    // words: `pose` and `analyze` would otherwise run it and be quietly wrong.
    let photo = fixture("images/camera.png");
    for args in [
        vec!["pose", "--model", "lite"],
        vec!["analyze", "--model", "lite", "--no-record", "--quiet"],
    ] {
        let run = Command::new(exe())
            .args(&args)
            .arg(&photo)
            .env("PLUMBLINE_MODELS_DIR", models.path())
            .env("PLUMBLINE_DATA_DIR", data.path())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", stderr(&run));
        assert!(stderr(&run).contains(&detail), "{args:?}: {}", stderr(&run));
        assert!(run.stdout.is_empty(), "{args:?}: nothing was estimated");
    }

    let nowhere = data.path().join("no-such-libonnxruntime.so");
    let (out, report) = doctor(&exe(), data.path(), &[("ORT_DYLIB_PATH", &nowhere)]);
    let (status, detail) = check(&report, "onnx runtime");
    assert_eq!(status, "problem");
    assert!(detail.contains(&nowhere.display().to_string()), "{detail}");
    assert_eq!(check(&report, "pose engine").0, "problem");
    assert_eq!(out.status.code(), Some(1));
}

/// A copy of the build laid out as the package installs it, under a prefix of its own.
fn install_under(prefix: &Path) -> PathBuf {
    let share = prefix.join("share/plumbline");
    let lib = prefix.join("lib/plumbline");
    for dir in [prefix.join("bin"), share.join("models"), lib.clone()] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let exe_copy = prefix.join("bin/plumbline");
    // A hard link where the file system allows it: the build is large.
    if std::fs::hard_link(exe(), &exe_copy).is_err() {
        std::fs::copy(exe(), &exe_copy).unwrap();
    }
    for file in [
        "pose_detection.onnx",
        "pose_landmark_lite.onnx",
        "pose_landmark_full.onnx",
        "MODELS.sha256",
    ] {
        std::fs::copy(
            repo().join("models").join(file),
            share.join("models").join(file),
        )
        .unwrap();
    }
    for file in ["demo-practice.mp4", "example-astronaut.png"] {
        std::fs::copy(repo().join("assets").join(file), share.join(file)).unwrap();
    }
    for file in ["libonnxruntime.so", "VERSION"] {
        std::fs::copy(repo().join(".ort").join(file), lib.join(file)).unwrap();
    }
    exe_copy
}

#[test]
fn an_installed_copy_finds_its_files_beside_itself() {
    let prefix = tempfile::tempdir().unwrap();
    let exe = install_under(prefix.path());
    let data = data_dir();
    let (_, report) = doctor(&exe, data.path(), &[]);
    let under = |name: &str, path: &str| {
        let (status, detail) = check(&report, name);
        let want = prefix.path().join(path).display().to_string();
        assert!(
            status == "ok" && detail.contains(&want),
            "{name}: {detail} (want {want})"
        );
    };
    under("plumbline", "bin/plumbline");
    under("onnx runtime", "lib/plumbline/libonnxruntime.so");
    under("models", "share/plumbline/models");
    under("pose engine", "share/plumbline/example-astronaut.png");
    under("ffmpeg", "share/plumbline/demo-practice.mp4");

    // `pose` with no arguments but the installed photo, and no variables set.
    let photo = prefix.path().join("share/plumbline/example-astronaut.png");
    let out = Command::new(&exe)
        .arg("pose")
        .arg(&photo)
        .env_remove("ORT_DYLIB_PATH")
        .env_remove("PLUMBLINE_MODELS_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("landmarks"));

    // An empty models folder named by the variable: the message says where it looked.
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(&exe)
        .arg("pose")
        .arg(&photo)
        .env("PLUMBLINE_MODELS_DIR", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("reinstall plumbline") && err.contains(&empty.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn manual_pages_and_completions_come_from_the_argument_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let out = plumbline(["man".as_ref(), dir.path().as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    for page in [
        "plumbline.1",
        "plumbline-doctor.1",
        "plumbline-sessions-show.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap();
        assert!(
            text.starts_with(".ie") || text.contains(".TH"),
            "{page}: {text}"
        );
    }
    let top = std::fs::read_to_string(dir.path().join("plumbline.1")).unwrap();
    assert!(top.contains("doctor") && top.contains("analyze"), "{top}");
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef"),
        ("fish", "complete -c"),
    ] {
        let out = plumbline(["completions", shell]);
        let script = stdout(&out);
        assert!(
            out.status.success() && script.contains(marker),
            "{shell}: {script}"
        );
        assert!(
            script.contains("doctor") && script.contains("data-dir"),
            "{shell}"
        );
    }
    let out = plumbline(["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "an unknown shell is refused");
}
