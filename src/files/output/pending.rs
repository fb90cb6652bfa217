//! The temporary file a regular file's output is written to, `.<name>.XXXXXX.part` beside
//! its target, and the sweep that removes those a killed run left behind.

use std::fs::{self, File, Permissions};
use std::io;
use std::path::{Path, PathBuf};

use super::folder_of;

/// Characters of the random part of a temporary file's name (tempfile's default).
const RANDOM_CHARS: usize = 6;
/// The temporary file's suffix.
const PART: &str = ".part";

/// A temporary file beside its target, locked while this process writes it.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) file: tempfile::NamedTempFile,
    target: PathBuf,
}

impl Pending {
    pub(super) fn create(target: &Path, permissions: Option<Permissions>) -> io::Result<Self> {
        let prefix = part_prefix(target);
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(&prefix)
            .suffix(PART)
            .rand_bytes(RANDOM_CHARS);
        if let Some(p) = permissions {
            builder.permissions(p);
        }
        let file = builder
            .tempfile_in(folder_of(target))
            .map_err(without_temporary_name)?;
        // Held until the process ends: a later run sees the file is not abandoned.
        if let Err(e) = file.as_file().try_lock() {
            tracing::debug!("could not lock {}: {e}", file.path().display());
        }
        Ok(Self {
            file,
            target: target.to_path_buf(),
        })
    }

    pub(super) fn commit(self) -> io::Result<()> {
        self.file.as_file().sync_all()?;
        self.file.persist(&self.target).map_err(|e| e.error)?;
        Ok(())
    }
}

/// `.<name>.`: how the temporary files of `target` begin.
fn part_prefix(target: &Path) -> std::ffi::OsString {
    let name = target.file_name().unwrap_or(target.as_os_str());
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    prefix
}

/// Removes `target`'s temporary files that a run killed while writing left behind (`kill -9`,
/// a power cut): files named as [`Pending`] names them whose lock nobody holds. A file another
/// run is writing is locked, and left alone; so is anything not named exactly so.
pub(super) fn remove_abandoned(target: &Path) {
    let prefix = part_prefix(target);
    let prefix = prefix.to_string_lossy();
    let Ok(entries) = fs::read_dir(folder_of(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let is_part = name
            .strip_prefix(prefix.as_ref())
            .and_then(|rest| rest.strip_suffix(PART))
            .is_some_and(|random| {
                random.len() == RANDOM_CHARS && random.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if !is_part || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let Ok(file) = File::open(&path) else {
            continue;
        };
        if owned_by_me(&file) && file.try_lock().is_ok() {
            match fs::remove_file(&path) {
                Ok(()) => {
                    tracing::info!("removed {}, left by a run that was killed", path.display())
                }
                Err(e) => tracing::debug!("could not remove {}: {e}", path.display()),
            }
        }
    }
}

#[cfg(unix)]
fn owned_by_me(file: &File) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    file.metadata()
        .is_ok_and(|m| m.uid() == rustix::process::geteuid().as_raw())
}

#[cfg(not(unix))]
fn owned_by_me(_: &File) -> bool {
    true
}

/// tempfile's error names the temporary file ("… at path \"/x/.y.csv.Mut5JC.part\""), which
/// the user never asked for: the caller names the target instead, so keep only the cause.
/// (tempfile keeps the cause's text, not the cause itself.)
fn without_temporary_name(e: io::Error) -> io::Error {
    let text = e.to_string();
    match text.rsplit_once(" at path ") {
        Some((cause, _)) => io::Error::new(e.kind(), cause.to_string()),
        None => e,
    }
}
