//! What can go wrong with the session database, for every part of it: opening, recording,
//! reading back. Each message names the file and what to do.

use std::path::{Path, PathBuf};

/// What went wrong with the session database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // The variable is `open::DATA_DIR_ENV`, spelled out so this file needs nothing from the others
    // (a test in `open` checks the two agree).
    #[error(
        "no data directory could be determined; set PLUMBLINE_DATA_DIR or pass a data directory"
    )]
    NoDataDir,
    #[error("could not create the data directory ({source}); check its permissions: {path}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "not a readable plumbline database ({detail}); it was left untouched; \
         move it aside to start afresh: {path}"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the session database was written by a newer plumbline (schema version {found}, this \
         program knows up to {supported}); update plumbline; the file was left untouched: {path}"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("could not {action} ({source}); check the disk and the file's permissions: {path}")]
    Sqlite {
        action: &'static str,
        path: PathBuf,
        source: rusqlite::Error,
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

/// Wraps a rusqlite error with what was being done and on which file.
pub(super) fn sql(action: &'static str, path: &Path) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Sqlite {
        action,
        path,
        source,
    }
}
