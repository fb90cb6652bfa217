//! Where reports and exports are written, for the CLI's `report` and the app's session
//! browser: through [`crate::files::output`], the one way a user's file is written.
//!
//! A file is never written over the session database (or its `-wal`/`-shm` journals) or the
//! settings beside it: a mistyped `-o` must not destroy every recorded session.

use std::path::{Path, PathBuf};

use super::export::{ExportError, ExportFormat, ReportOptions, export_session};
use crate::files::private;
use crate::files::{Guard, OutputError, Target};
pub use crate::session::store::REPORTS_DIR;
use crate::session::store::{DB_FILE, SETTINGS_FILE, SessionId, Store, StoreError};

/// Why a report or export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Output(#[from] OutputError),
    // The I/O error is part of the message and deliberately not a `source`: the CLI prints an
    // error's chain, which would repeat it after the path.
    #[error("could not create the reports folder ({cause}); check its permissions: {path}")]
    CreateDir {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// What an output must never replace: `inputs`, and the session database, its journals and
/// the settings in `data_dir` (when there is one).
pub fn guard(data_dir: Option<&Path>, inputs: &[&Path]) -> Guard {
    Guard {
        inputs: inputs.iter().map(|p| p.to_path_buf()).collect(),
        protected: data_dir.map(protected_files).unwrap_or_default(),
    }
}

/// The files in `data_dir` that no output may replace.
fn protected_files(data_dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let db = data_dir.join(DB_FILE);
    let journal = |suffix: &str| {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    vec![
        ("database", db.clone()),
        ("database's journal", journal("-wal")),
        ("database's journal", journal("-shm")),
        ("settings", data_dir.join(SETTINGS_FILE)),
    ]
}

/// Checks `output` as a place a report or export of the sessions in `data_dir` may go, before
/// anything is made.
pub fn report_target(data_dir: &Path, output: &Path) -> Result<Target, WriteError> {
    let target = Target::new(output)?;
    target.check(&guard(Some(data_dir), &[]))?;
    Ok(target)
}

/// Where [`write_report`] puts session `id`'s report: `<data_dir>/reports/session-<id>.html`.
pub fn report_path(data_dir: &Path, id: SessionId) -> PathBuf {
    data_dir
        .join(REPORTS_DIR)
        .join(ExportFormat::Html.file_name(id))
}

/// Writes session `id`'s HTML report, made as `options` say (the patient's label), to
/// [`report_path`] beside the database (creating the folder) and returns where. The report is
/// part of the user's data: owner-only, as the folder it is in.
pub fn write_report(
    db: &Store,
    id: SessionId,
    options: &ReportOptions,
) -> Result<PathBuf, WriteError> {
    let data_dir = db.dir();
    let dir = data_dir.join(REPORTS_DIR);
    private::create(&dir).map_err(|cause| WriteError::CreateDir {
        path: dir.clone(),
        cause,
    })?;
    let path = report_path(data_dir, id);
    let target = report_target(data_dir, &path)?.owner_only();
    let bytes = export_session(db, id, ExportFormat::Html, options)?;
    target.write_all(&bytes)?;
    Ok(path)
}

/// Writes session `id` to `path` as `format`, a report made as `options` say (the PDF's
/// paper, the patient's label), replacing what is there only once the new file is complete.
/// Refuses a `path` that is the database, its journals or the settings beside it.
pub fn write_export(
    db: &Store,
    id: SessionId,
    format: ExportFormat,
    options: &ReportOptions,
    path: &Path,
) -> Result<(), WriteError> {
    let target = report_target(db.dir(), path)?;
    let bytes = export_session(db, id, format, options)?;
    target.write_all(&bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_go_to_the_data_dirs_reports_folder() {
        assert_eq!(
            report_path(Path::new("/data"), 7),
            Path::new("/data/reports/session-7.html")
        );
    }

    #[test]
    fn the_database_its_journals_and_settings_are_protected() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        let refused = |name: &str| {
            matches!(
                report_target(data, &data.join(name)),
                Err(WriteError::Output(OutputError::Protected { .. }))
            )
        };
        for name in [
            DB_FILE,
            &format!("{DB_FILE}-wal"),
            &format!("{DB_FILE}-shm"),
            SETTINGS_FILE,
        ] {
            assert!(refused(name), "{name}");
        }
        assert!(!refused("report.html"));
    }
}
