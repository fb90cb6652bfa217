//! Every file plumbline writes goes through one function that knows what the target is
//! (`files::output`): the real binary, writing CSV, JSON, every report format, screenshots,
//! manual pages and completions into regular files, symbolic links (to the same folder,
//! another folder, or nowhere yet), FIFOs, character devices and standard output. Nothing a
//! user owns is replaced or left behind, `/dev/null` included.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::helpers::*;

/// What a command writing to one place must have written.
type Valid = fn(&[u8]) -> bool;

fn csv(b: &[u8]) -> bool {
    b.starts_with(b"frame,t_ms,")
}
fn json(b: &[u8]) -> bool {
    b.starts_with(b"{") && serde_json::from_slice::<serde_json::Value>(b).is_ok()
}
fn html(b: &[u8]) -> bool {
    b.starts_with(b"<!DOCTYPE html>") && b.trim_ascii_end().ends_with(b"</html>")
}
fn pdf(b: &[u8]) -> bool {
    b.starts_with(b"%PDF-") && b.windows(5).any(|w| w == b"%%EOF")
}
fn png(b: &[u8]) -> bool {
    b.starts_with(b"\x89PNG\r\n\x1a\n") && image::load_from_memory(b).is_ok()
}

/// The places a user can name as an output.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    Regular,
    /// A symbolic link to a file in the same folder.
    LinkHere,
    /// A symbolic link to a file in another folder.
    LinkElsewhere,
    /// A symbolic link to a file that does not exist yet.
    Dangling,
    Fifo,
    /// A character device like `/dev/null`, made with mknod (root only).
    Device,
}

const PLACES: [Place; 6] = [
    Place::Regular,
    Place::LinkHere,
    Place::LinkElsewhere,
    Place::Dangling,
    Place::Fifo,
    Place::Device,
];

/// Reads a FIFO on a thread until its writer closes it.
struct FifoReader {
    path: PathBuf,
    got: mpsc::Receiver<Vec<u8>>,
}

impl FifoReader {
    fn new(path: &Path) -> Self {
        run_ok(Command::new("mkfifo").arg(path));
        let (tx, got) = mpsc::channel();
        let p = path.to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(fs::read(&p).unwrap_or_default());
        });
        Self {
            path: path.to_path_buf(),
            got,
        }
    }

    /// What the reader got. A command that never opened the FIFO left the reader waiting for
    /// a writer: it is let go with nothing.
    fn received(self) -> Vec<u8> {
        if let Ok(bytes) = self.got.recv_timeout(Duration::from_secs(5)) {
            return bytes;
        }
        drop(fs::OpenOptions::new().write(true).open(&self.path));
        self.got.recv().unwrap_or_default()
    }
}

fn run_ok(cmd: &mut Command) {
    let status = cmd.status().unwrap();
    assert!(status.success(), "{cmd:?}");
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Makes a character device at `path` that behaves as `/dev/null` (1, 3), when allowed.
fn null_device(path: &Path) -> bool {
    is_root()
        && Command::new("mknod")
            .arg(path)
            .args(["c", "1", "3"])
            .status()
            .is_ok_and(|s| s.success())
}

fn file_type(path: &Path) -> fs::FileType {
    fs::symlink_metadata(path).unwrap().file_type()
}

/// The names ending in `.part` under `dir` (one level of folders deep).
fn parts(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            found.extend(parts(&path));
        } else if path.to_string_lossy().ends_with(".part") {
            found.push(path);
        }
    }
    found
}

/// Runs `write` (a command writing to the path it is given) once into each kind of place, and
/// checks each is written as it must be: a regular file replaced, a link followed and kept, a
/// FIFO fed and kept, a device kept; never a temporary file left.
fn writes_into_every_place(what: &str, valid: Valid, write: impl Fn(&Path) -> Output) {
    use std::os::unix::fs::{FileTypeExt as _, symlink};
    for place in PLACES {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let other = d.join("other");
        fs::create_dir(&other).unwrap();
        let out = d.join("out");
        let (mut fifo, mut written) = (None, None);
        match place {
            Place::Regular => {
                fs::write(&out, b"old").unwrap();
                written = Some(out.clone());
            }
            Place::LinkHere => {
                fs::write(d.join("real"), b"old").unwrap();
                symlink("real", &out).unwrap();
                written = Some(d.join("real"));
            }
            Place::LinkElsewhere => {
                fs::write(other.join("far"), b"old").unwrap();
                symlink(other.join("far"), &out).unwrap();
                written = Some(other.join("far"));
            }
            Place::Dangling => {
                symlink(other.join("new"), &out).unwrap();
                written = Some(other.join("new"));
            }
            Place::Fifo => fifo = Some(FifoReader::new(&out)),
            Place::Device => {
                if !null_device(&out) {
                    eprintln!("{what}: no character device test here (not root)");
                    continue;
                }
            }
        }
        let rdev = {
            use std::os::unix::fs::MetadataExt as _;
            fs::symlink_metadata(&out).unwrap().rdev()
        };
        let run = write(&out);
        let received = fifo.map(FifoReader::received);
        assert!(
            run.status.success(),
            "{what} into {place:?}: {}",
            stderr(&run)
        );
        let after = file_type(&out);
        match place {
            Place::Regular => assert!(after.is_file(), "{what}: {after:?}"),
            Place::LinkHere | Place::LinkElsewhere | Place::Dangling => {
                assert!(
                    after.is_symlink(),
                    "{what} into {place:?}: the link was replaced"
                )
            }
            Place::Fifo => assert!(after.is_fifo(), "{what}: the FIFO was replaced"),
            Place::Device => {
                use std::os::unix::fs::MetadataExt as _;
                assert!(after.is_char_device(), "{what}: the device was replaced");
                assert_eq!(fs::symlink_metadata(&out).unwrap().rdev(), rdev);
            }
        }
        if let Some(path) = written {
            let bytes = fs::read(&path).unwrap();
            assert!(
                valid(&bytes),
                "{what} into {place:?}: {} holds {:?}",
                path.display(),
                String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
            );
        }
        if let Some(bytes) = received {
            assert!(
                valid(&bytes),
                "{what} into a FIFO: the reader got {} bytes",
                bytes.len()
            );
        }
        assert_eq!(parts(d), Vec::<PathBuf>::new(), "{what} into {place:?}");
    }
}

/// A data folder holding one session (id 1): the rotation clip, recorded by `analyze`.
fn data_with_a_session() -> tempfile::TempDir {
    let data = data_dir();
    record_clip(data.path(), "");
    data
}

fn analyze_to(flag: &str, path: &Path) -> Output {
    let image = fixture("images/camera.png");
    plumbline([
        "analyze".as_ref(),
        image.as_os_str(),
        "--quiet".as_ref(),
        "--no-record".as_ref(),
        "--model".as_ref(),
        "lite".as_ref(),
        flag.as_ref(),
        path.as_os_str(),
    ])
}

fn report_to(data: &Path, format: &str, path: &Path) -> Output {
    plumbline_in(
        data,
        [
            "report".as_ref(),
            "1".as_ref(),
            "--format".as_ref(),
            format.as_ref(),
            "-o".as_ref(),
            path.as_os_str(),
        ],
    )
}

/// `plumbline app --source SOURCE --screenshot PATH --frames 1` under Xvfb, in `cwd`.
fn screenshot_in(cwd: &Path, source: &Path, path: &Path, data: &Path) -> Output {
    let args: [&OsStr; 9] = [
        "--model".as_ref(),
        "lite".as_ref(),
        "--frames".as_ref(),
        "1".as_ref(),
        "--source".as_ref(),
        source.as_os_str(),
        "--screenshot".as_ref(),
        path.as_os_str(),
        "--data-dir".as_ref(),
    ];
    app_under_xvfb("1024x768", &args)
        .arg(data)
        .current_dir(cwd)
        .output()
        .expect("timeout and xvfb-run (installed by .ci/setup.sh) run")
}

fn screenshot_to(source: &Path, path: &Path, data: &Path) -> Output {
    screenshot_in(Path::new("."), source, path, data)
}

#[test]
fn analyze_and_report_write_into_links_fifos_and_devices_and_replace_only_files() {
    writes_into_every_place("analyze --csv", csv, |p| analyze_to("--csv", p));
    writes_into_every_place("analyze --json", json, |p| analyze_to("--json", p));
    let data = data_with_a_session();
    let formats: [(&str, Valid); 4] = [("html", html), ("pdf", pdf), ("csv", csv), ("json", json)];
    for (format, valid) in formats {
        writes_into_every_place(&format!("report --format {format}"), valid, |p| {
            report_to(data.path(), format, p)
        });
    }
    // The system's own /dev/null, as root could once replace it: still the device after.
    let null = Path::new("/dev/null");
    use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
    let rdev = fs::metadata(null).unwrap().rdev();
    for run in [
        analyze_to("--csv", null),
        analyze_to("--json", null),
        report_to(data.path(), "pdf", null),
    ] {
        assert!(run.status.success(), "{}", stderr(&run));
        assert!(file_type(null).is_char_device());
        assert_eq!(fs::metadata(null).unwrap().rdev(), rdev);
    }
}

#[test]
fn a_screenshot_writes_into_links_fifos_and_devices_and_replaces_only_files() {
    let data = data_dir();
    let source = fixture("images/camera.png");
    writes_into_every_place("app --screenshot", png, |p| {
        screenshot_to(&source, p, data.path())
    });
}

#[test]
fn a_screenshot_never_replaces_what_it_plays_and_refuses_what_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("data");
    let photo = d.join("in.png");
    fs::copy(fixture("images/camera.png"), &photo).unwrap();
    let frames = d.join("frames");
    fs::create_dir(&frames).unwrap();
    for name in ["a.png", "b.png"] {
        fs::copy(fixture("images/camera.png"), frames.join(name)).unwrap();
    }
    let original = fs::read(&photo).unwrap();
    let read_only = d.join("kept.png");
    fs::write(&read_only, b"mine").unwrap();
    let mut p = fs::metadata(&read_only).unwrap().permissions();
    p.set_readonly(true);
    fs::set_permissions(&read_only, p).unwrap();
    let cases: [(&Path, PathBuf, &str); 6] = [
        (&photo, photo.clone(), "refusing to write over the input"),
        (
            &frames,
            frames.join("b.png"),
            "refusing to write over the input",
        ),
        (&photo, d.to_path_buf(), "is a folder"),
        (&photo, d.join("no/such.png"), "does not exist"),
        (&photo, read_only.clone(), "read-only"),
        (&photo, data.join("plumbline.sqlite"), "session database"),
    ];
    fs::create_dir(&data).unwrap();
    for (source, target, says) in cases {
        let out = screenshot_to(source, &target, &data);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: {}",
            target.display(),
            stderr(&out)
        );
        assert_clean_failure(&out, &["--screenshot", says]);
    }
    assert_eq!(fs::read(&photo).unwrap(), original);
    assert_eq!(fs::read(frames.join("b.png")).unwrap(), original);
    assert_eq!(fs::read(&read_only).unwrap(), b"mine");
    // `-` is standard output: the PNG comes out there, and no file named `-` is made.
    let out = screenshot_in(d, &photo, Path::new("-"), &data);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(png(&out.stdout), "{} bytes on stdout", out.stdout.len());
    assert!(!d.join("-").exists());
}

#[test]
fn a_screenshot_that_cannot_be_saved_fails_the_run() {
    // A device that is always full: the write fails after the window showed its frame.
    let dir = tempfile::tempdir().unwrap();
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: no /dev/full here");
        return;
    }
    let out = screenshot_to(&fixture("images/camera.png"), full, dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_clean_failure(
        &out,
        &["cannot save the screenshot", "No space left", "/dev/full"],
    );
}

#[test]
fn standard_output_is_dash_and_two_outputs_may_not_share_a_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let image = fixture("images/camera.png");
    let run = |extra: &[&OsStr]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_plumbline"));
        cmd.args([
            "analyze".as_ref(),
            image.as_os_str(),
            "--quiet".as_ref(),
            "--model".as_ref(),
            "lite".as_ref(),
        ])
        .args(extra)
        .env("PLUMBLINE_DATA_DIR", d.join("data"))
        .current_dir(d);
        cmd.output().unwrap()
    };
    let out = run(&["--no-record".as_ref(), "--csv".as_ref(), "-".as_ref()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(csv(&out.stdout), "{}", String::from_utf8_lossy(&out.stdout));
    let out = run(&["--no-record".as_ref(), "--json".as_ref(), "-".as_ref()]);
    assert!(json(&out.stdout));
    assert!(!d.join("-").exists(), "no file named '-'");

    // Both on one place: refused before the analysis, so nothing is recorded either.
    for (a, b) in [("-", "-"), ("x.csv", "./x.csv")] {
        let out = run(&["--csv".as_ref(), a.as_ref(), "--json".as_ref(), b.as_ref()]);
        assert_clean_failure(&out, &["--csv and --json"]);
        assert!(out.stdout.is_empty());
        assert!(!d.join("x.csv").exists());
    }
    // A folder is refused before the analysis too.
    fs::create_dir(d.join("folder")).unwrap();
    let out = run(&["--csv".as_ref(), "folder".as_ref()]);
    assert_clean_failure(&out, &["--csv", "is a folder", "folder"]);
    let sessions = plumbline_in(&d.join("data"), ["sessions", "--json"]);
    assert_eq!(
        String::from_utf8_lossy(&sessions.stdout).trim(),
        "[]",
        "nothing recorded"
    );

    // `report -o -` writes the report on standard output.
    let data = data_with_a_session();
    let out = Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .args(["report", "1", "--format", "csv", "-o", "-"])
        .env("PLUMBLINE_DATA_DIR", data.path())
        .current_dir(d)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(csv(&out.stdout));
    assert!(!d.join("-").exists());
}

#[test]
fn read_only_files_are_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_with_a_session();
    let ro = dir.path().join("kept");
    fs::write(&ro, b"mine").unwrap();
    let mut p = fs::metadata(&ro).unwrap().permissions();
    p.set_readonly(true);
    fs::set_permissions(&ro, p.clone()).unwrap();
    for out in [
        analyze_to("--csv", &ro),
        analyze_to("--json", &ro),
        report_to(data.path(), "html", &ro),
        report_to(data.path(), "pdf", &ro),
    ] {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert_clean_failure(&out, &["read-only", "kept"]);
    }
    assert_eq!(fs::read(&ro).unwrap(), b"mine");
    assert_eq!(fs::metadata(&ro).unwrap().permissions(), p);
    assert_eq!(parts(dir.path()), Vec::<PathBuf>::new());
}

#[test]
fn a_temporary_file_left_by_a_killed_run_is_removed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("o.csv");
    let clip = fixture("video/camera_turning.mp4");
    let mut child = Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .args([
            "analyze".as_ref(),
            clip.as_os_str(),
            "--quiet".as_ref(),
            "--no-record".as_ref(),
        ])
        .arg("--csv")
        .arg(&csv_path)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while parts(dir.path()).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(parts(dir.path()).len(), 1, "kill -9 leaves it");
    assert!(!csv_path.exists());
    let out = analyze_to("--csv", &csv_path);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(csv(&fs::read(&csv_path).unwrap()));
    assert_eq!(
        parts(dir.path()),
        Vec::<PathBuf>::new(),
        "the next run removed it"
    );
}

#[test]
fn a_signal_while_a_report_is_written_leaves_the_old_file_and_nothing_else() {
    let data = data_with_a_session();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.pdf");
    let mut caught = 0;
    for _ in 0..10 {
        fs::write(&out, b"old").unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_plumbline"))
            .args(["report", "1", "--format", "pdf", "-o"])
            .arg(&out)
            .env("PLUMBLINE_DATA_DIR", data.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Ctrl-C the moment the temporary file appears, while the report is being written.
        let mut signalled = false;
        while child.try_wait().unwrap().is_none() {
            if !parts(dir.path()).is_empty() {
                run_ok(Command::new("kill").args(["-INT", &child.id().to_string()]));
                signalled = true;
                break;
            }
        }
        let status = child.wait().unwrap();
        let bytes = fs::read(&out).unwrap();
        assert_eq!(parts(dir.path()), Vec::<PathBuf>::new(), "{status:?}");
        // Stopped, the old file; or, signalled as it was being renamed into place, the new one.
        match status.code() {
            Some(130) if signalled => assert_eq!(bytes, b"old"),
            Some(0) => assert!(pdf(&bytes)),
            other => panic!("exit {other:?} (signalled: {signalled})"),
        }
        caught += usize::from(signalled);
    }
    assert!(
        caught > 0,
        "no run was caught while writing: the test proved nothing"
    );
}

#[test]
fn man_checks_every_page_before_writing_any_and_follows_links() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let man = dir.path().join("man1");
    fs::create_dir_all(man.join("plumbline-pose.1")).unwrap();
    let out = plumbline(["man".as_ref(), man.as_os_str()]);
    assert_clean_failure(
        &out,
        &["nothing was written", "is a folder", "plumbline-pose.1"],
    );
    assert_eq!(
        fs::read_dir(&man).unwrap().count(),
        1,
        "no page was written"
    );
    fs::remove_dir(man.join("plumbline-pose.1")).unwrap();
    // A page that is a link (to a shared copy) is written through it.
    let shared = dir.path().join("shared.1");
    fs::write(&shared, b"old").unwrap();
    symlink(&shared, man.join("plumbline.1")).unwrap();
    let out = plumbline(["man".as_ref(), man.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let fresh = dir.path().join("fresh");
    let all = plumbline(["man".as_ref(), fresh.as_os_str()]);
    assert!(all.status.success(), "{}", stderr(&all));
    let pages = fs::read_dir(&fresh).unwrap().count();
    assert!(pages > 10, "a page per command: {pages}");
    assert_eq!(fs::read_dir(&man).unwrap().count(), pages);
    assert!(file_type(&man.join("plumbline.1")).is_symlink());
    assert!(
        fs::read_to_string(&shared)
            .unwrap()
            .contains(".TH plumbline 1")
    );
    assert_eq!(parts(dir.path()), Vec::<PathBuf>::new());
}

#[test]
fn completions_into_a_closed_pipe_or_a_full_device_end_cleanly() {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' completions bash | head -c10 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
            env!("CARGO_BIN_EXE_plumbline")
        ))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0",
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    if Path::new("/dev/full").exists() {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_plumbline"))
            .args(["completions", "zsh"])
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert_clean_failure(&out, &["standard output", "No space left"]);
    }
}

#[test]
fn file_names_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "e\u{1b}[2J\u{1b}]0;owned\u{7}\nplumbline: fake";
    let escaped = "e\\u{1b}[2J\\u{1b}]0;owned\\u{7}\\nplumbline: fake";
    // pose on a file that is not an image, analyze on one that is not there.
    let bad = dir.path().join(format!("{evil}.png"));
    fs::write(&bad, b"not a picture").unwrap();
    let pose = plumbline(["pose".as_ref(), bad.as_os_str()]);
    let analyze = plumbline([
        "analyze".as_ref(),
        dir.path().join(format!("{evil}.mp4")).as_os_str(),
        "--no-record".as_ref(),
    ]);
    // report's "wrote" line.
    let data = data_with_a_session();
    let report = report_to(data.path(), "csv", &dir.path().join(format!("{evil}.csv")));
    assert!(report.status.success(), "{}", stderr(&report));
    for (what, out) in [("pose", pose), ("analyze", analyze), ("report", report)] {
        let err = stderr(&out);
        assert!(err.contains(escaped), "{what}: {err:?}");
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{7}'),
            "{what}: {err:?}"
        );
        assert!(
            !err.lines().any(|l| l == "plumbline: fake.png"),
            "{what}: {err:?}"
        );
    }
}

/// An output whose folder cannot be written (another user's, a read-only share) is refused
/// before the analysis, not after it. As root (whom permissions do not bind) the run is made
/// as `nobody`.
#[test]
fn an_output_in_a_folder_that_cannot_be_written_is_refused_before_the_analysis() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let binary = env!("CARGO_BIN_EXE_plumbline");
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
        c
    } else {
        Command::new(binary)
    };
    let out = cmd
        .arg("analyze")
        .arg(fixture("images/camera.png"))
        .args(["--no-record", "--json"])
        .arg(locked.join("s.json"))
        .env("PLUMBLINE_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_clean_failure(&out, &["--json", "cannot be written", "locked"]);
    assert!(
        !stderr(&out).contains("frames"),
        "refused before the analysis"
    );
}
