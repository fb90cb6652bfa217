//! Where the session database lives and how a connection to it is made: an existing file is
//! checked read-only first, so a corrupt or newer one is refused untouched.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::error::{StoreError, sql};
use super::migrations;

/// The database file inside the data directory.
pub const DB_FILE: &str = "plumbline.sqlite";
/// The app's settings file beside it (read and written by `crate::settings`).
pub const SETTINGS_FILE: &str = "settings.json";
/// Overrides the data directory when no explicit one is given.
pub const DATA_DIR_ENV: &str = "PLUMBLINE_DATA_DIR";

/// The platform's data directory for plumbline (`~/.local/share/plumbline` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "plumbline").map(|d| d.data_dir().to_path_buf())
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

/// Checks an existing file without writing to it: it must be a healthy SQLite database whose
/// schema version this program knows.
pub(super) fn check_existing(path: &Path) -> Result<(), StoreError> {
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
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(classify)?;
    let problems: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA quick_check").map_err(classify)?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(classify)?;
        rows.collect::<Result<_, _>>().map_err(classify)?
    };
    if problems.iter().any(|p| p != "ok") {
        return Err(corrupt(problems.join("; ")));
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(classify)?;
    if version > migrations::LATEST {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: migrations::LATEST,
        });
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
}
