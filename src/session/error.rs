//! What can go wrong with the session database, for every part of it: opening, recording,
//! reading back. Each message names the file and what to do.
//!
//! The underlying I/O or SQLite error is part of a message and deliberately not its `source`:
//! the CLI prints an error's whole chain, which would repeat it.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// What went wrong with the session database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // The variable is `open::DATA_DIR_ENV`, spelled out so this file needs nothing from the others
    // (a test in `open` checks the two agree).
    #[error(
        "no data directory could be determined; set PLUMBLINE_DATA_DIR or pass a data directory"
    )]
    NoDataDir,
    #[error("could not create the data directory ({cause}); check its permissions: {path}")]
    CreateDir {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// The data directory, or a folder on the way to it, is a file.
    #[error(
        "the data directory cannot be made there: this is a file, not a folder; move the file \
         aside or choose another data directory: {path}"
    )]
    NotAFolder { path: PathBuf },
    #[error(
        "not a readable plumbline database ({detail}); it was left untouched; \
         move it aside to start afresh: {path}"
    )]
    Corrupt { path: PathBuf, detail: String },
    /// An SQLite database of another program (or not one plumbline made): never written to.
    #[error(
        "not a plumbline session database: it belongs to another program; it was left \
         untouched; move it aside or choose another data directory: {path}"
    )]
    Foreign { path: PathBuf },
    #[error("could not read the session database ({detail}); check the file: {path}")]
    Unreadable { path: PathBuf, detail: String },
    #[error(
        "the session database was written by a newer plumbline (schema version {found}, this \
         program knows up to {supported}); update plumbline; the file was left untouched: {path}"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// An older file must be upgraded before it can be read, and it cannot be written.
    #[error(
        "the session database is from an older plumbline (schema version {found}) and must be \
         upgraded before it can be read, but it cannot be written here: {why}; free some space \
         or copy the data directory somewhere writable; the file was left untouched: {path}"
    )]
    CannotUpgrade {
        path: PathBuf,
        found: i64,
        why: String,
    },
    /// A change asked of a store opened for reading only.
    #[error("the session database is open for reading only ({why}); nothing was changed: {path}")]
    ReadOnly { path: PathBuf, why: String },
    #[error("could not {action} ({cause}); check the disk and the file's permissions: {path}")]
    Sqlite {
        action: &'static str,
        path: PathBuf,
        cause: rusqlite::Error,
    },
    #[error("could not erase the file ({cause}); check its permissions: {path}")]
    Erase {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("the recording thread {detail}")]
    RecordingThread { detail: String },
    #[error(
        "session {id} is still being recorded (by process {pid}); stop that recording first \
         (close the app's session or let `plumbline analyze` finish), then delete it: {path}"
    )]
    StillRecording { id: i64, pid: i64, path: PathBuf },
    #[error(
        "a stored {what} could not be read ({detail}); the database may have been edited by \
         another program: {path}"
    )]
    BadData {
        what: &'static str,
        detail: String,
        path: PathBuf,
    },
}

impl StoreError {
    /// Whether this error means the data directory or the database cannot be written (a
    /// read-only folder, file or disk, a full disk): reading may still work.
    pub fn is_write_refused(&self) -> bool {
        use std::io::ErrorKind;
        match self {
            StoreError::CreateDir { cause, .. } => matches!(
                cause.kind(),
                ErrorKind::PermissionDenied
                    | ErrorKind::ReadOnlyFilesystem
                    | ErrorKind::StorageFull
                    | ErrorKind::QuotaExceeded
            ),
            StoreError::Sqlite { cause, .. } => matches!(
                cause.sqlite_error_code(),
                // Cannot open for writing, or create the -wal/-shm beside the file (CannotOpen,
                // ReadOnly); cannot grow the file or the shared-memory index (DiskFull, and
                // SystemIoFailure for the index on a full disk or past a size limit).
                Some(
                    ErrorCode::ReadOnly
                        | ErrorCode::CannotOpen
                        | ErrorCode::PermissionDenied
                        | ErrorCode::DiskFull
                        | ErrorCode::SystemIoFailure
                )
            ),
            StoreError::ReadOnly { .. } => true,
            _ => false,
        }
    }
}

/// Wraps a rusqlite error with what was being done and on which file.
pub(super) fn sql(action: &'static str, path: &Path) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    move |cause| StoreError::Sqlite {
        action,
        path,
        cause,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: std::ffi::c_int) -> StoreError {
        sql(
            "open the session database",
            Path::new("/d/plumbline.sqlite"),
        )(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            None,
        ))
    }

    #[test]
    fn a_refused_write_is_told_from_a_broken_file() {
        use rusqlite::ffi;
        // Writing is impossible: reading may still work.
        for code in [
            ffi::SQLITE_READONLY,
            ffi::SQLITE_CANTOPEN,
            ffi::SQLITE_FULL,
            ffi::SQLITE_IOERR_SHMSIZE,
            ffi::SQLITE_PERM,
        ] {
            assert!(sqlite(code).is_write_refused(), "{code}");
        }
        let dir = |kind| StoreError::CreateDir {
            path: "/d".into(),
            cause: std::io::Error::from(kind),
        };
        assert!(dir(std::io::ErrorKind::PermissionDenied).is_write_refused());
        assert!(dir(std::io::ErrorKind::ReadOnlyFilesystem).is_write_refused());
        // The file itself is the problem: reading would not help.
        for code in [ffi::SQLITE_CORRUPT, ffi::SQLITE_NOTADB, ffi::SQLITE_BUSY] {
            assert!(!sqlite(code).is_write_refused(), "{code}");
        }
        let corrupt = StoreError::Corrupt {
            path: "/d/plumbline.sqlite".into(),
            detail: "damaged".into(),
        };
        assert!(!corrupt.is_write_refused());
        assert!(!StoreError::Foreign { path: "/d".into() }.is_write_refused());
    }

    #[test]
    fn the_cause_is_said_once() {
        let e = sqlite(rusqlite::ffi::SQLITE_FULL);
        assert!(std::error::Error::source(&e).is_none());
        let text = e.to_string();
        assert_eq!(text.matches("full").count(), 1, "{text}");
        let e = StoreError::CreateDir {
            path: "/d".into(),
            cause: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        assert!(std::error::Error::source(&e).is_none());
    }
}
