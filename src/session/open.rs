//! Where the session database lives and how a connection to it is made. An existing file is
//! identified and checked before anything is written: plumbline's own database (marked with
//! [`APPLICATION_ID`]) is opened; a corrupt, newer or foreign file is refused untouched.
//! Nothing here creates a file beside one it refuses.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::error::{StoreError, sql};
use super::migrations;
use crate::files::private;

/// The database file inside the data directory.
pub const DB_FILE: &str = "plumbline.sqlite";
/// The app's settings file beside it (read and written by `crate::settings`).
pub const SETTINGS_FILE: &str = "settings.json";
/// The folder under the data directory where the app writes HTML reports.
pub const REPORTS_DIR: &str = "reports";
/// What plumbline keeps in the data folder, by the start of its names: the database and its
/// journals, the settings and any set aside.
const OWN_FILES: [&str; 2] = [DB_FILE, SETTINGS_FILE];
/// Overrides the data directory when no explicit one is given.
pub const DATA_DIR_ENV: &str = "PLUMBLINE_DATA_DIR";
/// plumbline's mark in the SQLite header (`PRAGMA application_id`, bytes 68..72): ASCII
/// "PLMB". Set when a database is created; a file without it is adopted only if it is
/// plainly an older plumbline database (which is then marked), so another program's
/// database is never written to.
pub const APPLICATION_ID: i32 = i32::from_be_bytes(*b"PLMB");

/// The columns of plumbline's `sessions` table since the first schema: with an unmarked file's
/// version, what makes it an older plumbline database.
const SESSIONS_COLUMNS: [&str; 9] = [
    "id",
    "started_ms",
    "ended_ms",
    "source",
    "model",
    "calibration",
    "notes",
    "status",
    "pid",
];

/// The platform's data directory for plumbline: `~/.local/share/plumbline` on Linux,
/// `%LOCALAPPDATA%\plumbline\data` on Windows (local, not roaming: a profile that follows its
/// user between machines should not carry hours of recorded sessions).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "plumbline").map(|d| d.data_local_dir().to_path_buf())
}

/// Where the database lives: `explicit` if given, else `$PLUMBLINE_DATA_DIR`, else the default.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    default_data_dir().ok_or(StoreError::NoDataDir)
}

/// Creates the data directory if needed, owner-only, and makes an existing one that others may
/// read the user's alone; returns what to tell the user of that. A file in its place (or on
/// the way to it) is named as such, not as "File exists".
pub fn create_dir(dir: &Path) -> Result<Vec<String>, StoreError> {
    private::secure_folder(dir, &OWN_FILES, &[REPORTS_DIR]).map_err(|cause| {
        match dir.ancestors().find(|a| a.is_file()) {
            Some(file) => StoreError::NotAFolder {
                path: file.to_path_buf(),
            },
            None => StoreError::CreateDir {
                path: dir.to_path_buf(),
                cause,
            },
        }
    })
}

/// Makes the existing data directory `dir` the user's alone if others may read it (nothing is
/// created); returns what to tell the user.
pub fn tighten_dir(dir: &Path) -> Vec<String> {
    private::tighten(dir, &OWN_FILES, &[REPORTS_DIR])
}

/// Makes a new, empty database file readable by its owner only, before SQLite makes it (SQLite
/// gives the journals the file's own permissions); an existing one is made so too.
pub(super) fn owner_only_file(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let made = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match made {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                private::make_owner_only(path)
            }
            Err(cause) => {
                return Err(StoreError::CreateDir {
                    path: path.to_path_buf(),
                    cause,
                });
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// What is at the database's path, found without writing anything.
#[derive(Debug)]
pub(super) enum Found {
    /// No file, or an empty one: a new database is made there.
    Nothing,
    /// plumbline's database, checked sound and of a schema this program knows.
    Ours(Checked),
}

/// An existing plumbline database, as checked.
#[derive(Debug)]
pub(super) struct Checked {
    /// A read-only connection that created nothing beside the file.
    pub conn: Connection,
    /// Whether the file carries [`APPLICATION_ID`] (older files are marked on their next
    /// writable open).
    pub marked: bool,
    /// Its schema version (`PRAGMA user_version`).
    pub version: i64,
}

/// Identifies and checks the file at `path` without writing to it or beside it: it must be
/// plumbline's (marked, or plainly an older plumbline database), healthy, and of a schema
/// version this program knows.
pub(super) fn inspect(path: &Path) -> Result<Found, StoreError> {
    let unreadable = |detail: String| StoreError::Unreadable {
        path: path.to_path_buf(),
        detail,
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(unreadable(e.to_string())),
    };
    if meta.is_dir() {
        return Err(unreadable("it is a folder, not a file".into()));
    }
    if meta.len() == 0 {
        return Ok(Found::Nothing);
    }
    // The header says whose file it is before SQLite opens it (opening a WAL-mode file can
    // create its -wal and -shm).
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .and_then(|f| f.take(100).read_to_end(&mut header))
        .map_err(|e| unreadable(e.to_string()))?;
    if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: "it is not an SQLite database".into(),
        });
    }
    let marked = match i32::from_be_bytes([header[68], header[69], header[70], header[71]]) {
        APPLICATION_ID => true,
        0 => false,
        _ => {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
            });
        }
    };
    let shm = sibling(path, "-shm");
    let shm_existed = shm.exists();
    let checked = check(path, marked);
    if checked.is_err() && !shm_existed {
        // A read-only open of a file with a live -wal creates its -shm: a refused file is left
        // as it was found. (Without a -shm, no other connection has the file open.)
        let _ = std::fs::remove_file(&shm);
    }
    checked.map(Found::Ours)
}

fn check(path: &Path, marked: bool) -> Result<Checked, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    // Only "this is not a (sound) database" means corrupt; other failures (permissions, a lock)
    // are reported as they are.
    let classify = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => corrupt(e.to_string()),
        _ => sql("check the session database", path)(e),
    };
    let conn = open_read_only(path).map_err(classify)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(classify)?;
    if !marked && !older_plumbline(&conn, version).map_err(classify)? {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
        });
    }
    let problems: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA quick_check").map_err(classify)?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(classify)?;
        rows.collect::<Result<_, _>>().map_err(classify)?
    };
    if let Some(detail) = damage(&problems) {
        return Err(corrupt(detail));
    }
    if version > migrations::LATEST {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: migrations::LATEST,
        });
    }
    if version < 0 {
        return Err(corrupt(format!("its schema version is {version}")));
    }
    Ok(Checked {
        conn,
        marked,
        version,
    })
}

/// Whether an unmarked file is a database an older plumbline made: a schema version plumbline
/// has had and plumbline's `sessions` table.
fn older_plumbline(conn: &Connection, version: i64) -> rusqlite::Result<bool> {
    if !(1..=migrations::LATEST).contains(&version) {
        return Ok(false);
    }
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info('sessions')")?;
    let columns: Vec<String> = stmt
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(SESSIONS_COLUMNS
        .iter()
        .all(|c| columns.iter().any(|have| have == c)))
}

/// The result of `PRAGMA quick_check` as one line: `None` when it found nothing. One damaged
/// page can yield dozens of problems (a row may hold many lines, under a "*** in database
/// main ***" heading); the first names the damage, the rest are counted.
fn damage(rows: &[String]) -> Option<String> {
    let problems: Vec<&str> = rows
        .iter()
        .flat_map(|row| row.lines())
        .map(str::trim)
        .filter(|p| !p.is_empty() && *p != "ok" && !p.starts_with("*** in database"))
        .collect();
    let (first, rest) = problems.split_first()?;
    Some(match rest.len() {
        0 => format!("the file is damaged: {first}"),
        1 => format!("the file is damaged: {first}, and 1 more problem"),
        n => format!("the file is damaged: {first}, and {n} more problems"),
    })
}

/// `path` with `suffix` appended to its file name: the -wal and -shm beside a database.
pub(super) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A read-only connection that creates nothing beside the file and writes nothing to it.
/// Without a -wal holding changes (the file was closed cleanly) the file is opened as
/// immutable: no -wal or -shm is made, so a read-only folder or a full disk does not stop
/// reading. With one, it is read through the -wal (which needs the -shm, made if missing).
pub(super) fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let wal_in_use = std::fs::metadata(sibling(path, "-wal")).is_ok_and(|m| m.len() > 0);
    let conn = Connection::open_with_flags(
        file_uri(path, !wal_in_use),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// An SQLite `file:` URI for `path`, read-only, `immutable` if asked. Every byte but the
/// unreserved ones and `/` is percent-encoded, so `?`, `#` and `%` in a name stay in the name.
fn file_uri(path: &Path, immutable: bool) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut uri = String::from("file:");
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?mode=ro");
    if immutable {
        uri.push_str("&immutable=1");
    }
    uri
}

/// Why recording into `dir` is impossible, when it plainly is (the folder or the file cannot
/// be written): checked with the system's own test, without writing anything.
pub(super) fn unwritable(dir: &Path, path: &Path) -> Option<String> {
    for (what, target) in [("data directory", dir), ("database file", path)] {
        if let Err(e) = can_write(target) {
            return Some(format!(
                "the {what} cannot be written ({e}): {}",
                target.display()
            ));
        }
    }
    None
}

/// Why sessions cannot be recorded into the data directory `dir`, when that is plain before
/// trying (the folder, or the database in it, cannot be written); `None` when they can, or
/// when neither exists yet.
pub fn cannot_record(dir: &Path) -> Option<String> {
    let path = dir.join(DB_FILE);
    match (dir.exists(), path.exists()) {
        (false, _) => None,
        (true, false) => unwritable(dir, dir),
        (true, true) => unwritable(dir, &path),
    }
}

#[cfg(unix)]
fn can_write(path: &Path) -> std::io::Result<()> {
    rustix::fs::access(path, rustix::fs::Access::WRITE_OK).map_err(std::io::Error::from)
}

#[cfg(not(unix))]
fn can_write(path: &Path) -> std::io::Result<()> {
    if std::fs::metadata(path)?.permissions().readonly() {
        return Err(std::io::ErrorKind::PermissionDenied.into());
    }
    Ok(())
}

/// A read-write connection with the settings every connection needs (they are per connection).
pub(super) fn open_rw(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(sql("open the session database", path))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(sql("configure the session database", path))?;
    // NORMAL is durable enough in WAL mode: a crash can lose the last commits, not corrupt.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sql("configure the session database", path))?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sql("configure the session database", path))?;
    // What is deleted is overwritten, not just unlinked: a deleted session's photos must not
    // stay readable in the file.
    conn.pragma_update(None, "secure_delete", true)
        .map_err(sql("configure the session database", path))?;
    // The write-ahead log is cut back to 4 MB after each checkpoint, instead of keeping the
    // largest size it ever reached.
    conn.pragma_update(None, "journal_size_limit", 4 * 1024 * 1024)
        .map_err(sql("configure the session database", path))?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_prefers_the_explicit_path() -> Result<(), StoreError> {
        assert_eq!(data_dir(Some(Path::new("/x/y")))?, PathBuf::from("/x/y"));
        Ok(())
    }

    #[test]
    fn without_a_data_dir_the_message_names_the_variable_to_set() {
        assert!(StoreError::NoDataDir.to_string().contains(DATA_DIR_ENV));
    }

    #[test]
    fn the_mark_spells_plmb() {
        assert_eq!(APPLICATION_ID, 0x504C_4D42);
    }

    #[test]
    fn one_damaged_page_reads_as_one_problem_and_a_count() {
        let ok = vec!["ok".to_string()];
        assert_eq!(damage(&ok), None);
        let many: Vec<String> = (0..38)
            .map(|i| format!("Tree 7 page {i}: btreeInitPage() returns error code 11"))
            .collect();
        let text = damage(&many).unwrap_or_default();
        assert!(
            text.starts_with("the file is damaged: Tree 7 page 0:"),
            "{text}"
        );
        assert!(text.ends_with("and 37 more problems"), "{text}");
        assert!(!text.contains("page 1:"), "{text}");
        let text = damage(&many[..2]).unwrap_or_default();
        assert!(text.ends_with("and 1 more problem"), "{text}");
    }

    #[test]
    fn a_file_uri_keeps_every_character_of_the_name() {
        assert_eq!(
            file_uri(Path::new("/d/a b?c#d%e/plumbline.sqlite"), true),
            "file:/d/a%20b%3Fc%23d%25e/plumbline.sqlite?mode=ro&immutable=1"
        );
        assert_eq!(
            file_uri(Path::new("rel/x.db"), false),
            "file:rel/x.db?mode=ro"
        );
    }

    #[test]
    fn a_file_in_place_of_the_data_dir_is_called_a_file() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = tmp.path().join("data");
        std::fs::write(&file, b"x").unwrap_or_else(|e| panic!("{e}"));
        for dir in [file.clone(), file.join("below")] {
            let e = create_dir(&dir).err();
            let text = e.as_ref().map(ToString::to_string).unwrap_or_default();
            assert!(matches!(e, Some(StoreError::NotAFolder { .. })), "{e:?}");
            assert!(text.contains("is a file, not a folder"), "{text}");
            assert!(!text.contains("File exists"), "{text}");
            assert!(text.ends_with(&file.display().to_string()), "{text}");
        }
    }
}
