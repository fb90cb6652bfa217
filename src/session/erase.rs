//! Forgetting everything (`plumbline data erase`): every session with its pictures, the
//! settings and the app's reports, then the data folder itself if nothing else is in it. The
//! database is emptied through SQLite first (its pages overwritten, its journal emptied), then
//! each of plumbline's files is overwritten with zeros and removed. Anything else in the folder
//! is the user's and stays; another program's database is refused and left as it is.

use std::fs;
use std::path::{Path, PathBuf};

use super::error::{StoreError, sql};
use super::open::{DB_FILE, Found, REPORTS_DIR, SETTINGS_FILE, inspect};
use super::recovery::process_running;
use super::store::Store;
use crate::files::private;

/// What is in a data folder, as `data erase` sees it before asking.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    pub dir: PathBuf,
    /// Sessions and their pictures (keyframes) in the database (0 without one, or when it
    /// cannot be read).
    pub sessions: u64,
    pub pictures: u64,
    /// Whether a settings file is there.
    pub settings: bool,
    /// Reports the app wrote into the folder.
    pub reports: u64,
    /// plumbline's files, to be erased.
    pub files: Vec<PathBuf>,
    /// Everything else in the folder: the user's, kept.
    pub others: Vec<PathBuf>,
    /// A session being recorded right now, and by which process: nothing may be erased.
    pub recording: Option<(i64, i64)>,
}

impl Survey {
    /// Whether there is nothing of plumbline's to erase.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Whether `name` (in the data folder) is one of plumbline's files: the database and its
/// journals, the settings and any set aside, and their temporary files. Exact names only: a
/// copy the user made beside them (`plumbline.sqlite.backup`) is theirs.
fn ours(name: &str) -> bool {
    let exact = |n: &str| {
        let db = [
            DB_FILE,
            &format!("{DB_FILE}-wal"),
            &format!("{DB_FILE}-shm"),
        ]
        .contains(&n);
        let set_aside = n
            .strip_prefix(SETTINGS_FILE)
            .and_then(|rest| rest.strip_prefix(".unreadable"))
            .is_some_and(|n| {
                n.is_empty()
                    || n.strip_prefix('.')
                        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
            });
        db || n == SETTINGS_FILE || set_aside
    };
    exact(name) || temporary(name).is_some_and(exact)
}

/// The name a temporary file `.<name>.XXXXXX.part` stands for.
fn temporary(name: &str) -> Option<&str> {
    let inner = name.strip_prefix('.')?.strip_suffix(".part")?;
    let (target, random) = inner.rsplit_once('.')?;
    (random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(target)
}

/// Whether `name` (in the reports folder) is a report the app wrote (`session-<id>.html`), or
/// its temporary file.
fn our_report(name: &str) -> bool {
    let report = |n: &str| {
        n.strip_prefix("session-")
            .and_then(|n| n.strip_suffix(".html"))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
    };
    report(name) || temporary(name).is_some_and(report)
}

/// Looks at what `dir` holds, writing nothing.
pub fn survey(dir: &Path) -> Result<Survey, StoreError> {
    let mut survey = Survey {
        dir: dir.to_path_buf(),
        ..Survey::default()
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(survey);
    };
    let db = dir.join(DB_FILE);
    match inspect(&db) {
        Ok(Found::Ours(checked)) => {
            let count = |table: &str| -> Result<u64, StoreError> {
                checked
                    .conn
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                        r.get::<_, i64>(0)
                    })
                    .map(|n| n.unsigned_abs())
                    .map_err(sql("count what is recorded", &db))
            };
            survey.sessions = count("sessions")?;
            survey.pictures = count("keyframes")?;
            let mut stmt = checked
                .conn
                .prepare("SELECT id, pid FROM sessions WHERE status = 'recording'")
                .map_err(sql("look for a recording", &db))?;
            let open: Vec<(i64, Option<i64>)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(Iterator::collect)
                .map_err(sql("look for a recording", &db))?;
            survey.recording = open
                .into_iter()
                .find_map(|(id, pid)| pid.filter(|&p| process_running(p)).map(|p| (id, p)));
        }
        // Another program's database: never erased.
        Err(e @ StoreError::Foreign { .. }) => return Err(e),
        // Damaged, newer or unreadable: still plumbline's file, erased whole.
        _ => {}
    }
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if ours(&name) {
            survey.settings |= name == SETTINGS_FILE;
            survey.files.push(path);
        } else if name == REPORTS_DIR && path.is_dir() {
            for report in fs::read_dir(&path).into_iter().flatten().flatten() {
                let name = report.file_name().to_string_lossy().into_owned();
                if our_report(&name) {
                    survey.reports += u64::from(name.ends_with(".html"));
                    survey.files.push(report.path());
                } else {
                    survey.others.push(report.path());
                }
            }
        } else {
            survey.others.push(path);
        }
    }
    survey.files.sort();
    survey.others.sort();
    Ok(survey)
}

/// Erases what `survey` found of plumbline's; returns the folders removed (the reports
/// folder, the data folder) once they were left empty.
pub fn erase(survey: &Survey) -> Result<Vec<PathBuf>, StoreError> {
    if let Some((id, pid)) = survey.recording {
        return Err(StoreError::StillRecording {
            id,
            pid,
            path: survey.dir.join(DB_FILE),
        });
    }
    let db = survey.dir.join(DB_FILE);
    if let Ok(Found::Ours(_)) = inspect(&db) {
        // Emptied through SQLite first: a program reading it meanwhile sees no sessions, not a
        // damaged file.
        let store = Store::open(&survey.dir)?;
        store
            .conn
            .execute_batch("DELETE FROM sessions")
            .map_err(sql("erase the sessions", &db))?;
        store.erase_freed()?;
    }
    for file in &survey.files {
        private::erase_file(file).map_err(|cause| StoreError::Erase {
            path: file.clone(),
            cause,
        })?;
    }
    let mut removed = Vec::new();
    for folder in [survey.dir.join(REPORTS_DIR), survey.dir.clone()] {
        // Only when empty: anything else in it is the user's.
        if fs::remove_dir(&folder).is_ok() {
            removed.push(folder);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plumbline_s_files_are_known_by_name_and_nothing_else_is() {
        for name in [
            "plumbline.sqlite",
            "plumbline.sqlite-wal",
            "plumbline.sqlite-shm",
            "settings.json",
            "settings.json.unreadable.2",
            ".settings.json.a1B2c3.part",
        ] {
            assert!(ours(name), "{name}");
        }
        for name in [
            "notes.txt",
            "plumbline.sqlite.backup",
            "settings.json.mine",
            ".settings.json.x.part",
            "reports",
        ] {
            assert!(!ours(name), "{name}");
        }
        assert!(our_report("session-12.html"));
        assert!(our_report(".session-12.html.Ab3dE9.part"));
        assert!(!our_report("my-letter.html"));
        assert!(!our_report("session-notes.html"));
    }
}
