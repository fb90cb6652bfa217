//! The data folder is the user's health record, with pictures of them at home: owner-only
//! whatever the umask, tightened on first use with a notice, unreadable by another user;
//! deleting a session erases its pictures from the file; `data erase` forgets everything.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use plumbline::session::store::{DB_FILE, Store};
use rusqlite::Connection;

use crate::helpers::*;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Runs the binary under `umask`, keeping sessions in `data`.
fn with_umask(umask: &str, data: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_plumbline"))
        .args(args)
        .env("PLUMBLINE_DATA_DIR", data)
        .output()
        .unwrap()
}

/// The database and its journals, and their permissions.
fn database_files(data: &Path) -> Vec<(PathBuf, u32)> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|s| data.join(format!("{DB_FILE}{s}")))
        .filter(|p| p.exists())
        .map(|p| {
            let m = mode(&p);
            (p, m)
        })
        .collect()
}

#[test]
fn the_data_folder_and_its_files_are_the_users_alone_whatever_the_umask() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("new/plumbline");
    let clip = fixture("video/camera_turning.mp4");
    let out = with_umask(
        "000",
        &data,
        &["analyze", clip.to_str().unwrap(), "--quiet"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&data), 0o700);
    let files = database_files(&data);
    assert!(!files.is_empty());
    for (path, m) in files {
        assert_eq!(m, 0o600, "{}", path.display());
    }
    // The app's reports in the data folder too, written by the session browser's Report.
    let db = Store::open(&data).unwrap();
    let report =
        plumbline::report::write_report(&db, 1, &plumbline::report::ReportOptions::default())
            .unwrap();
    assert_eq!(mode(&report), 0o600);
    assert_eq!(mode(report.parent().unwrap()), 0o700);
}

#[test]
fn a_data_folder_others_could_read_is_tightened_on_first_use_and_said_once() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("plumbline");
    record_clip(&data, "");
    std::fs::create_dir(data.join("reports")).unwrap();
    std::fs::write(data.join("reports/session-1.html"), "<html>").unwrap();
    std::fs::write(data.join("notes.txt"), "mine").unwrap();
    // As an earlier plumbline left it under umask 022.
    for (path, m) in [
        (data.clone(), 0o755),
        (data.join(DB_FILE), 0o644),
        (data.join("reports"), 0o755),
        (data.join("reports/session-1.html"), 0o644),
        (data.join("notes.txt"), 0o644),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(m)).unwrap();
    }
    let out = plumbline_in(&data, ["sessions"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("could be read by other users (mode 0755); it is now yours alone"),
        "{err}"
    );
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join(DB_FILE)), 0o600);
    assert_eq!(mode(&data.join("reports")), 0o700);
    assert_eq!(mode(&data.join("reports/session-1.html")), 0o600);
    assert_eq!(
        mode(&data.join("notes.txt")),
        0o644,
        "the user's own file is theirs"
    );
    let again = plumbline_in(&data, ["sessions"]);
    assert!(
        !stderr(&again).contains("yours alone"),
        "{}",
        stderr(&again)
    );
}

/// The probe's attack: another local user making a report of the owner's sessions, with their
/// photos at home. Needs a second user: as root, `nobody`.
#[test]
fn another_user_cannot_read_the_sessions() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: needs root to run as a second user");
        return;
    }
    let parent = tempfile::tempdir().unwrap();
    std::fs::set_permissions(parent.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = parent.path().join("plumbline");
    record_clip(&data, "");
    let loot = tempfile::tempdir().unwrap();
    std::fs::set_permissions(loot.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let report = loot.path().join("r.html");
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_plumbline"))
        .args(["report", "1", "-o"])
        .arg(&report)
        .env("PLUMBLINE_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(!report.exists());
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "cat"])
        .arg(data.join(DB_FILE))
        .output()
        .unwrap();
    assert!(!out.status.success() && out.stdout.is_empty());
}

/// How many 64-byte pieces of a JPEG's picture data are found in `hay`. The first kilobyte
/// is left out: a JPEG's headers and tables are the same in every picture the encoder makes.
fn pieces_found(hay: &[u8], jpeg: &[u8]) -> usize {
    jpeg[1024..]
        .chunks_exact(64)
        .filter(|piece| hay.windows(64).any(|w| w == *piece))
        .count()
}

/// The bytes of the database and its journals.
fn database_bytes(data: &Path) -> Vec<u8> {
    database_files(data)
        .into_iter()
        .flat_map(|(p, _)| std::fs::read(p).unwrap())
        .collect()
}

fn keyframe_jpegs(data: &Path, id: i64) -> Vec<Vec<u8>> {
    let conn = Connection::open(data.join(DB_FILE)).unwrap();
    let mut stmt = conn
        .prepare("SELECT jpeg FROM keyframes WHERE session_id = ?1")
        .unwrap();
    stmt.query_map([id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Records `clip` (a validity clip) as a session in `data`.
fn record(data: &Path, clip: &str) {
    let clip = fixture(&format!("validity/clips/{clip}"));
    let out = plumbline_in(data, ["analyze", clip.to_str().unwrap(), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_deleted_sessions_pictures_leave_the_database_file() {
    let data = data_dir();
    record(data.path(), "hold_then_lean_fwd_20.mp4");
    record_clip(data.path(), "deleted");
    let jpegs = keyframe_jpegs(data.path(), 2);
    assert!(!jpegs.is_empty(), "the session has pictures");
    let before = database_bytes(data.path());
    let found = |bytes: &[u8]| jpegs.iter().map(|j| pieces_found(bytes, j)).sum::<usize>();
    assert!(found(&before) > 0);
    let out = plumbline_in(data.path(), ["sessions", "delete", "2", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = database_bytes(data.path());
    assert_eq!(found(&after), 0, "no piece of the deleted pictures is left");
    assert!(
        after.len() < before.len(),
        "{} → {} bytes",
        before.len(),
        after.len()
    );
    // The other session keeps its pictures.
    assert!(!keyframe_jpegs(data.path(), 1).is_empty());
}

#[test]
fn a_database_made_before_deleting_erased_is_rebuilt_once_without_the_leftovers() {
    let data = data_dir();
    record_clip(data.path(), "");
    let jpegs = keyframe_jpegs(data.path(), 1);
    {
        // As an earlier plumbline left it: no auto-vacuum, and a session deleted without
        // overwriting (its pages freed as they were).
        let conn = Connection::open(data.path().join(DB_FILE)).unwrap();
        conn.execute_batch(
            "PRAGMA auto_vacuum = NONE; VACUUM; PRAGMA secure_delete = OFF;
             PRAGMA foreign_keys = ON; DELETE FROM sessions WHERE id = 1;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    }
    let found = |bytes: &[u8]| jpegs.iter().map(|j| pieces_found(bytes, j)).sum::<usize>();
    assert!(
        found(&database_bytes(data.path())) > 0,
        "the leftovers are there"
    );
    // The next time plumbline writes to it (here: a recording of another clip), they go.
    record(data.path(), "hold_then_lean_fwd_20.mp4");
    assert_eq!(found(&database_bytes(data.path())), 0);
}

fn erase(data: &Path, answer: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .args(["data", "erase"])
        .args(answer.is_none().then_some("--yes"))
        .env("PLUMBLINE_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(answer) = answer {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{answer}").unwrap();
    }
    child.wait_with_output().unwrap()
}

#[test]
fn data_erase_forgets_every_session_picture_setting_and_report_after_asking() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("plumbline");
    record_clip(&data, "");
    record_clip(&data, "");
    plumbline::settings::Settings::default()
        .save(&data)
        .unwrap();
    let db = Store::open(&data).unwrap();
    plumbline::report::write_report(&db, 2, &plumbline::report::ReportOptions::default()).unwrap();
    drop(db);
    std::fs::write(data.join("my notes.txt"), "mine").unwrap();
    let db_path = data.join(DB_FILE);

    // Asked, and not confirmed: nothing changes.
    let before = std::fs::read(&db_path).unwrap();
    let out = erase(&data, Some("y"));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("this erases 2 sessions with 6 pictures, the settings and 1 report"),
        "{err}"
    );
    assert!(err.contains("nothing was erased"), "{err}");
    assert_eq!(std::fs::read(&db_path).unwrap(), before);

    // Confirmed: plumbline's files are gone, the user's stays, and so does the folder. A
    // program still holding the database open reads zeros where the sessions were: the bytes
    // were overwritten before the file went.
    let mut held = std::fs::File::open(&db_path).unwrap();
    let out = erase(&data, Some("erase"));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("erased 2 sessions with 6 pictures"), "{err}");
    assert!(err.contains("kept what is not plumbline's"), "{err}");
    let left: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["my notes.txt"]);
    assert_eq!(
        plumbline_in(&data, ["sessions", "--json"])
            .stdout
            .trim_ascii(),
        b"[]"
    );
    let mut seen = Vec::new();
    std::io::Read::read_to_end(&mut held, &mut seen).unwrap();
    assert!(
        !seen.is_empty() && seen.iter().all(|&b| b == 0),
        "{} bytes",
        seen.len()
    );

    // With nothing of the user's left in it, the folder goes too.
    std::fs::remove_file(data.join("my notes.txt")).unwrap();
    record_clip(&data, "");
    let out = erase(&data, None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("removed the data folder"),
        "{}",
        stderr(&out)
    );
    assert!(!data.exists());
}

#[test]
fn data_erase_refuses_while_a_session_is_recorded() {
    let data = data_dir();
    let mut db = Store::open(data.path()).unwrap();
    let recorder = start_recording(&mut db);
    let out = erase(data.path(), None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_clean_failure(&out, &["still being recorded"]);
    assert!(data.path().join(DB_FILE).exists());
    drop(recorder);
}
