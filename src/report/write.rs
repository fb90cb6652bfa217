//! The one place report and export files are written, for the CLI's `report` and the app's
//! session browser: a temporary file beside the target, renamed over it once complete.
//!
//! A file is never written over the session database (or its `-wal`/`-shm` journals) or the
//! settings beside it: a mistyped `-o` must not destroy every recorded session.

use std::fs::{self, Permissions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::export::{ExportError, ExportFormat, ReportOptions, export_session_with};
use crate::session::store::{DB_FILE, SETTINGS_FILE, SessionId, Store, StoreError};

/// The folder under the data directory where the app writes HTML reports.
pub const REPORTS_DIR: &str = "reports";

/// Why a report or export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] ExportError),
    // The I/O error is part of the message and deliberately not a `source`: the CLI prints an
    // error's chain, which would repeat it after the path.
    #[error("could not create the reports folder ({cause}); check its permissions: {path}")]
    CreateDir {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "could not write the file ({cause}); check the folder's permissions and free space: {path}"
    )]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "refusing to write over the session {what} {}; choose another output file: {}",
        protected.display(),
        path.display()
    )]
    Protected {
        /// "database", "database's journal", "settings".
        what: &'static str,
        /// The file that would have been destroyed.
        protected: PathBuf,
        /// The output path as given.
        path: PathBuf,
    },
    #[error(
        "refusing to write over the input {}; choose another output file: {}",
        input.display(),
        path.display()
    )]
    IsInput {
        input: PathBuf,
        /// The output path as given.
        path: PathBuf,
    },
}

/// Fails unless `output` may be written: it must not be one of `inputs`, nor the session
/// database, its journals or the settings in `data_dir`, however it is named (hard and
/// symbolic links, `./`, `..`: the same device and inode, or the same name in the same
/// folder).
pub fn check_output(
    data_dir: Option<&Path>,
    inputs: &[&Path],
    output: &Path,
) -> Result<(), WriteError> {
    if let Some(input) = inputs.iter().find(|i| same_file(i, output)) {
        return Err(WriteError::IsInput {
            input: input.to_path_buf(),
            path: output.to_path_buf(),
        });
    }
    match data_dir {
        Some(dir) => refuse_protected(dir, output),
        None => Ok(()),
    }
}

/// Where [`write_report`] puts session `id`'s report: `<data_dir>/reports/session-<id>.html`.
pub fn report_path(data_dir: &Path, id: SessionId) -> PathBuf {
    data_dir
        .join(REPORTS_DIR)
        .join(ExportFormat::Html.file_name(id))
}

/// Writes session `id`'s HTML report to [`report_path`] beside the database (creating the
/// folder) and returns where.
pub fn write_report(db: &Store, id: SessionId) -> Result<PathBuf, WriteError> {
    write_report_with(db, id, &ReportOptions::default())
}

/// [`write_report`], with the report made as `options` say (the patient's label).
pub fn write_report_with(
    db: &Store,
    id: SessionId,
    options: &ReportOptions,
) -> Result<PathBuf, WriteError> {
    let data_dir = db.dir();
    let dir = data_dir.join(REPORTS_DIR);
    fs::create_dir_all(&dir).map_err(|cause| WriteError::CreateDir {
        path: dir.clone(),
        cause,
    })?;
    let path = report_path(data_dir, id);
    write_export_with(db, id, ExportFormat::Html, options, &path)?;
    Ok(path)
}

/// Writes session `id` to `path` as `format`, replacing what is there only once the new file is
/// complete. Refuses a `path` that is the database, its journals or the settings beside it.
pub fn write_export(
    db: &Store,
    id: SessionId,
    format: ExportFormat,
    path: &Path,
) -> Result<(), WriteError> {
    write_export_with(db, id, format, &ReportOptions::default(), path)
}

/// [`write_export`], with the report made as `options` say (the PDF's paper, the patient's
/// label).
pub fn write_export_with(
    db: &Store,
    id: SessionId,
    format: ExportFormat,
    options: &ReportOptions,
    path: &Path,
) -> Result<(), WriteError> {
    refuse_protected(db.dir(), path)?;
    let bytes = export_session_with(db, id, format, options)?;
    write_whole(path, &bytes).map_err(|cause| WriteError::Write {
        path: path.to_path_buf(),
        cause,
    })
}

/// Writes `bytes` to a temporary file in `path`'s folder and renames it over `path`: a reader
/// sees the old file or the new one, never a half-written one, and a failure leaves the old
/// file as it was (and no temporary file behind).
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = PendingFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// A file being written beside its target (`.<name>.<random>.part`), renamed over the target by
/// [`PendingFile::commit`]. Until then the target keeps its old contents; dropped without a
/// commit (a failed run, a full disk), the temporary file is removed and the target is as it
/// was.
#[derive(Debug)]
pub struct PendingFile {
    file: tempfile::NamedTempFile,
    target: PathBuf,
}

impl PendingFile {
    /// Creates the temporary file in `target`'s folder. A replaced file keeps its permissions;
    /// a new one gets the usual ones (filtered by the umask).
    pub fn create(target: &Path) -> std::io::Result<Self> {
        let name = target.file_name().unwrap_or(target.as_os_str());
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".part");
        // tempfile's default would be owner-only.
        let permissions = fs::metadata(target)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.permissions())
            .or_else(default_permissions);
        if let Some(p) = permissions {
            builder.permissions(p);
        }
        let file = builder
            .tempfile_in(folder_of(target))
            .map_err(without_temporary_name)?;
        Ok(Self {
            file,
            target: target.to_path_buf(),
        })
    }

    /// The file this will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Syncs the written bytes and renames the file over the target.
    pub fn commit(self) -> std::io::Result<()> {
        self.file.as_file().sync_all()?;
        self.file.persist(&self.target).map_err(|e| e.error)?;
        Ok(())
    }
}

/// tempfile's error names the temporary file ("… at path \"/x/.y.csv.Mut5JC.part\""), which
/// the user never asked for: the caller names the target instead, so keep only the cause.
/// (tempfile keeps the cause's text, not the cause itself.)
fn without_temporary_name(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.rsplit_once(" at path ") {
        Some((cause, _)) => std::io::Error::new(e.kind(), cause.to_string()),
        None => e,
    }
}

impl std::io::Write for PendingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    // Filtered by the umask, as for any new file.
    Some(Permissions::from_mode(0o666))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<Permissions> {
    None
}

/// The folder a file is in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Fails if `path` names one of the files in `data_dir` that a report must never replace.
fn refuse_protected(data_dir: &Path, path: &Path) -> Result<(), WriteError> {
    let db = data_dir.join(DB_FILE);
    let journal = |suffix: &str| {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    let protected = [
        ("database", db.clone()),
        ("database's journal", journal("-wal")),
        ("database's journal", journal("-shm")),
        ("settings", data_dir.join(SETTINGS_FILE)),
    ];
    match protected.into_iter().find(|(_, p)| same_file(p, path)) {
        Some((what, protected)) => Err(WriteError::Protected {
            what,
            protected,
            path: path.to_path_buf(),
        }),
        None => Ok(()),
    }
}

/// Whether `a` and `b` name the same file: the same device and inode when both exist (so hard
/// links and symbolic links count), else the same name in the same folder once the folders'
/// links are resolved (so `data/./x` and `data/x` count, even before `x` exists).
fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) {
        return same_identity(a, &ma, b, &mb);
    }
    let folder = |p: &Path| fs::canonicalize(folder_of(p)).ok();
    a.file_name().is_some()
        && a.file_name() == b.file_name()
        && folder(a).is_some_and(|fa| folder(b) == Some(fa))
}

#[cfg(unix)]
fn same_identity(_: &Path, ma: &fs::Metadata, _: &Path, mb: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    ma.dev() == mb.dev() && ma.ino() == mb.ino()
}

#[cfg(not(unix))]
fn same_identity(a: &Path, _: &fs::Metadata, b: &Path, _: &fs::Metadata) -> bool {
    matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_file_replaces_its_target_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("frames.csv");
        std::fs::write(&target, b"old").unwrap();
        let count = || std::fs::read_dir(dir.path()).unwrap().count();
        let mut dropped = PendingFile::create(&target).unwrap();
        dropped.write_all(b"half").unwrap();
        assert_eq!(count(), 2, "the temporary file sits beside the target");
        drop(dropped);
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert_eq!(count(), 1, "and goes when dropped");
        let mut done = PendingFile::create(&target).unwrap();
        done.write_all(b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"old", "until committed");
        done.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(count(), 1);
        let e = PendingFile::create(&dir.path().join("missing/x.csv")).unwrap_err();
        assert!(!e.to_string().contains(".part"), "{e}");
    }

    #[test]
    fn reports_go_to_the_data_dirs_reports_folder() {
        assert_eq!(
            report_path(Path::new("/data"), 7),
            Path::new("/data/reports/session-7.html")
        );
    }

    #[test]
    fn the_database_its_journals_and_settings_are_recognised_however_named() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        std::fs::write(data.join(DB_FILE), b"db").unwrap();
        std::fs::create_dir(data.join("sub")).unwrap();
        let refused =
            |p: &Path| matches!(refuse_protected(data, p), Err(WriteError::Protected { .. }));
        assert!(refused(&data.join(DB_FILE)));
        assert!(refused(&data.join("sub/..").join(DB_FILE)), "a detour");
        assert!(
            refused(&data.join(format!("{DB_FILE}-wal"))),
            "before it exists"
        );
        assert!(refused(&data.join(format!("{DB_FILE}-shm"))));
        assert!(refused(&data.join(SETTINGS_FILE)));
        std::fs::hard_link(data.join(DB_FILE), data.join("sub/alias")).unwrap();
        assert!(refused(&data.join("sub/alias")), "a hard link");
        assert!(!refused(&data.join("report.html")));
        assert!(
            !refused(&data.join("sub").join(DB_FILE)),
            "same name elsewhere"
        );
    }
}
