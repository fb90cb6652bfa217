//! Nothing lost, whatever the user or the system does: the session database is never written
//! when it is another program's, is read (never written) by the commands that only read, is
//! still read from a read-only folder or a full disk, and what plumbline prints about it is
//! said once and cannot drive the terminal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use plumbline::session::store::{APPLICATION_ID, DB_FILE, SessionMeta, Store};
use rusqlite::Connection;
use serde_json::Value;

use crate::helpers::*;

/// Every file in `dir` with its bytes and modification time: what "left as it was" compares.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
            (path, (bytes, mtime))
        })
        .collect()
}

fn application_id(db: &Path) -> i32 {
    let header = std::fs::read(db).unwrap();
    i32::from_be_bytes(header[68..72].try_into().unwrap())
}

fn listed(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice::<Value>(&out.stdout)
        .expect("a JSON array")
        .as_array()
        .unwrap()
        .clone()
}

/// Another program's SQLite database where plumbline keeps its own: in either journal mode,
/// marked with its own application id or with none, with a `sessions` table or not.
#[test]
fn another_programs_database_is_refused_and_left_byte_for_byte() {
    struct Case {
        journal: &'static str,
        application_id: i32,
        schema: &'static str,
    }
    let cases = [
        // An address book in rollback and WAL mode.
        Case {
            journal: "DELETE",
            application_id: 0,
            schema: "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT);
                     INSERT INTO contacts (name) VALUES ('Ada');",
        },
        Case {
            journal: "WAL",
            application_id: 0,
            schema: "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT);
                     INSERT INTO contacts (name) VALUES ('Ada');",
        },
        // Its own `sessions` table, but not plumbline's columns.
        Case {
            journal: "WAL",
            application_id: 0,
            schema: "CREATE TABLE sessions (token TEXT, expires INTEGER);
                     PRAGMA user_version = 3;",
        },
        // plumbline's columns, but marked by another program.
        Case {
            journal: "DELETE",
            application_id: 0x4749_5453,
            schema: "CREATE TABLE sessions (id INTEGER PRIMARY KEY, started_ms, ended_ms,
                         source, model, calibration, notes, status, pid);
                     PRAGMA user_version = 1;",
        },
    ];
    for case in cases {
        let data = data_dir();
        let db = data.path().join(DB_FILE);
        {
            let conn = Connection::open(&db).unwrap();
            conn.pragma_update(None, "application_id", case.application_id)
                .unwrap();
            conn.execute_batch(case.schema).unwrap();
            conn.pragma_update(None, "journal_mode", case.journal)
                .unwrap();
        }
        let before = snapshot(data.path());
        assert_eq!(before.len(), 1, "the database file alone");
        let report = data.path().join("r.html");
        for args in [
            vec!["sessions"],
            vec!["sessions", "--json"],
            vec!["sessions", "show", "1"],
            vec!["report", "1", "-o", report.to_str().unwrap()],
            vec!["sessions", "delete", "1", "--yes"],
            vec!["data", "erase", "--yes"],
        ] {
            let out = plumbline_in(data.path(), &args);
            let err = stderr(&out);
            let what = format!("{} {args:?}: {err}", case.journal);
            assert_eq!(out.status.code(), Some(2), "{what}");
            assert!(err.contains("not a plumbline session database"), "{what}");
            assert!(err.contains("left untouched"), "{what}");
            assert!(
                err.trim_end().ends_with(&db.display().to_string()),
                "names the file: {what}"
            );
            assert!(
                !err.contains("contacts") && !err.contains("token"),
                "{what}"
            );
            assert_eq!(
                snapshot(data.path()),
                before,
                "same bytes, same time, no -wal or -shm beside it: {what}"
            );
        }
    }
}

#[test]
fn an_older_plumbline_database_without_the_mark_is_opened_and_marked() {
    let data = data_dir();
    let id = stored_session(data.path(), 10);
    let db = data.path().join(DB_FILE);
    assert_eq!(application_id(&db), APPLICATION_ID, "a new file is marked");
    Connection::open(&db)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();
    assert_eq!(application_id(&db), 0);
    let list = listed(&plumbline_in(data.path(), ["sessions", "--json"]));
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["samples"], 10);
    assert_eq!(
        application_id(&db),
        APPLICATION_ID,
        "marked as it was opened"
    );

    // An empty file (a database whose creation was cut short) counts as none.
    let empty = data_dir();
    std::fs::write(empty.path().join(DB_FILE), b"").unwrap();
    assert!(listed(&plumbline_in(empty.path(), ["sessions", "--json"])).is_empty());
    analyze_records_into(empty.path());
    assert_eq!(application_id(&empty.path().join(DB_FILE)), APPLICATION_ID);
}

fn analyze_records_into(data: &Path) {
    let out = plumbline_in(
        data,
        ["analyze", fixture("sequence").to_str().unwrap(), "--quiet"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(listed(&plumbline_in(data, ["sessions", "--json"])).len(), 1);
}

/// The commands that only read leave the database as they found it: no byte, no modification
/// time, no -wal or -shm created beside it.
#[test]
fn reading_sessions_writes_nothing() {
    let data = data_dir();
    let id = stored_session(data.path(), 12).to_string();
    let before = snapshot(data.path());
    assert_eq!(before.len(), 1, "closed cleanly: the database file alone");
    let out_dir = tempfile::tempdir().unwrap();
    let csv = out_dir.path().join("s.csv");
    for args in [
        vec!["sessions"],
        vec!["sessions", "--json"],
        vec!["sessions", "show", &id],
        vec![
            "report",
            &id,
            "--format",
            "csv",
            "-o",
            csv.to_str().unwrap(),
        ],
    ] {
        let out = plumbline_in(data.path(), &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(snapshot(data.path()), before, "{args:?}");
    }
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 13);
}

/// Runs `plumbline ARGS` on `data` unable to grow any file past 16 KiB, as on a full disk
/// (RLIMIT_FSIZE, which binds root too; SIGXFSZ ignored so a refused write fails instead of
/// killing the process). The database's -shm needs 32 KiB, so no write to it can happen.
fn plumbline_on_a_full_disk(data: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .args(["-c", r#"trap "" XFSZ; ulimit -f 16; exec "$0" "$@""#])
        .arg(env!("CARGO_BIN_EXE_plumbline"))
        .args(args)
        .env("PLUMBLINE_DATA_DIR", data)
        .output()
        .expect("bash runs")
}

#[test]
fn on_a_full_disk_sessions_are_read_as_they_are() {
    let data = data_dir();
    let complete = stored_session(data.path(), 10);
    // A recording whose program died: closing it needs a write.
    let open = {
        // Dropped without finishing: left `recording`, and every connection closed.
        let rec = start_recording(&mut Store::open(data.path()).unwrap());
        rec.session()
    };
    mark_recorded_by_a_dead_process(data.path(), open);
    let db = data.path().join(DB_FILE);
    let bytes = std::fs::read(&db).unwrap();
    assert_eq!(snapshot(data.path()).len(), 1, "no connection left open");

    let out = plumbline_on_a_full_disk(data.path(), &["sessions", "--json"]);
    let err = stderr(&out);
    let list = listed(&out);
    assert_eq!(list.len(), 2, "{err}");
    let status = |id: i64| {
        list.iter()
            .find(|s| s["id"] == id)
            .map(|s| s["status"].clone())
    };
    assert_eq!(status(complete), Some("complete".into()));
    assert_eq!(status(open), Some("recording".into()), "shown as it is");
    assert_eq!(
        err.matches("nothing can be recorded or changed").count(),
        1,
        "said once: {err}"
    );
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert!(!err.contains("recovered"), "{err}");

    // Its report is written (elsewhere, and small enough).
    let out_dir = tempfile::tempdir().unwrap();
    let csv = out_dir.path().join("s.csv");
    let out = plumbline_on_a_full_disk(
        data.path(),
        &[
            "report",
            &complete.to_string(),
            "--format",
            "csv",
            "-o",
            csv.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 11);

    // A change is refused with one clear reason, not a panic.
    let out = plumbline_on_a_full_disk(
        data.path(),
        &["sessions", "delete", &complete.to_string(), "--yes"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(err.matches("disk I/O error").count(), 1, "said once: {err}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "nothing written");

    // With room again, the recording is closed and the session kept.
    let out = plumbline_in(data.path(), ["sessions", "--json"]);
    let err = stderr(&out);
    let list = listed(&out);
    assert_eq!(list.len(), 2);
    assert!(
        list.iter()
            .any(|s| s["id"] == open && s["status"] == "recovered")
    );
    assert_eq!(
        err.matches("marked recovered").count(),
        1,
        "said once: {err}"
    );
}

/// A folder that cannot be written (a backup, another user's data): read, and said once. As
/// root, permissions do not stop writing and the test has nothing to show (the full-disk test
/// covers the same way through the code).
#[test]
fn a_read_only_data_directory_is_read() {
    use std::os::unix::fs::PermissionsExt;
    let data = data_dir();
    let id = stored_session(data.path(), 10);
    let readable = std::fs::Permissions::from_mode(0o555);
    std::fs::set_permissions(data.path(), readable).unwrap();
    let probe = data.path().join("probe");
    if std::fs::write(&probe, b"").is_ok() {
        std::fs::remove_file(&probe).unwrap();
        std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("running as root: a read-only folder cannot be made here");
        return;
    }
    let before = snapshot(data.path());
    let out = plumbline_in(data.path(), ["sessions", "--json"]);
    let err = stderr(&out);
    let list = listed(&out);
    assert_eq!(list[0]["id"], id, "{err}");
    assert_eq!(
        err.matches("nothing can be recorded or changed").count(),
        1,
        "{err}"
    );
    assert!(err.contains("data directory cannot be written"), "{err}");
    let report = tempfile::tempdir().unwrap();
    let html = report.path().join("r.html");
    let out = plumbline_in(
        data.path(),
        ["report", &id.to_string(), "-o", html.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(snapshot(data.path()), before);
    std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// One damaged page: the message says the file is damaged, names the first problem and counts
/// the rest, on one line.
#[test]
fn a_damaged_page_is_one_problem_and_a_count() {
    let data = data_dir();
    record_clip(data.path(), "");
    let db = data.path().join(DB_FILE);
    let page: i64 = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_sample_blocks_1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Garbage over the sample blocks' index page, past its 8-byte header: every cell points
    // astray.
    let mut bytes = std::fs::read(&db).unwrap();
    let start = usize::try_from(page - 1).unwrap() * 4096;
    bytes[start + 8..start + 4096].fill(0xA5);
    std::fs::write(&db, &bytes).unwrap();
    let out = plumbline_in(data.path(), ["sessions"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("(the file is damaged: Tree "), "{err}");
    assert!(err.contains(" cell "), "the first problem: {err}");
    // How many more depends on how many blocks the recording committed; the noun agrees.
    let counted = err.split(", and ").nth(1).unwrap_or_default();
    let (more, rest) = counted.split_once(' ').unwrap_or_default();
    let more: usize = more.parse().unwrap_or_else(|_| panic!("a count: {err}"));
    let noun = if more == 1 { "problem" } else { "problems" };
    assert!(rest.starts_with(&format!("more {noun});")), "{err}");
    assert!(err.contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

#[test]
fn the_recovery_notice_is_said_once() {
    let data = data_dir();
    let id = start_recording(&mut Store::open(data.path()).unwrap()).session();
    mark_recorded_by_a_dead_process(data.path(), id);
    let out = plumbline_in(data.path(), ["sessions"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "session {id} was left open by a program that stopped"
        )),
        "{err}"
    );
}

/// A file name with terminal escape sequences (clear the screen, retitle the window, a C1
/// CSI) reaches the terminal as visible escapes; JSON keeps it exactly.
#[test]
fn a_hostile_file_name_cannot_drive_the_terminal() {
    let data = data_dir();
    let source = "clip\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\r.mp4";
    let id = {
        let mut db = Store::open(data.path()).unwrap();
        let rec = db
            .start_session(SessionMeta {
                source: source.into(),
                model: "lite".into(),
                ..SessionMeta::default()
            })
            .unwrap();
        rec.finish().unwrap()
    };
    let out = plumbline_in(data.path(), ["sessions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(
        text.contains(r"clip\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\r.mp4"),
        "{text}"
    );
    let list = listed(&plumbline_in(data.path(), ["sessions", "--json"]));
    assert_eq!(list[0]["source"], source);
    // The delete question names it safely too.
    let out = Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .args(["sessions", "delete", &id.to_string()])
        .env("PLUMBLINE_DATA_DIR", data.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains(r"clip\u{1b}[2J"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn a_file_where_the_data_directory_should_be_is_named_as_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("data");
    std::fs::write(&file, b"notes").unwrap();
    for args in [vec!["sessions"], vec!["sessions", "delete", "1", "--yes"]] {
        let out = plumbline_in(&file, &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("this is a file, not a folder"), "{err}");
        assert!(!err.contains("File exists"), "{err}");
        assert!(
            err.trim_end().ends_with(&file.display().to_string()),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"notes");
}

/// Runs the binary as an ordinary user: as root (whom permissions do not bind), dropped to
/// `nobody` with setpriv; otherwise as it is.
fn plumbline_unprivileged(data: &Path, args: &[&std::ffi::OsStr]) -> Output {
    let binary = env!("CARGO_BIN_EXE_plumbline");
    let mut cmd = if rustix::process::geteuid().is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
        c
    } else {
        Command::new(binary)
    };
    cmd.args(args)
        .env("PLUMBLINE_DATA_DIR", data)
        .output()
        .expect("the binary (or setpriv, as root) runs")
}

/// A data folder that cannot be written (a backup, another user's): `analyze` refuses to
/// record before anything starts, says why, and points to `--no-record`, which works.
#[test]
fn analyze_into_a_read_only_data_folder_points_to_no_record() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    std::fs::set_permissions(parent.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = parent.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o555)).unwrap();
    let image = fixture("images/camera.png");
    let args = ["analyze".as_ref(), image.as_os_str(), "--quiet".as_ref()];
    let out = plumbline_unprivileged(&data, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_clean_failure(
        &out,
        &[
            "cannot record the session",
            "cannot be written",
            "--no-record",
        ],
    );
    let mut args = args.to_vec();
    args.push("--no-record".as_ref());
    let out = plumbline_unprivileged(&data, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&data).unwrap().count(), 0);
}
