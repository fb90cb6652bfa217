//! The data folder is the user's health record, with pictures of them at home: it and
//! everything plumbline keeps in it are the user's alone (folder 0700, files 0600) whatever the
//! umask. A folder made before this was so is tightened on first use, and the user is told.
//! A shared folder (sticky, like `/tmp`) or one owned by someone else is never changed, only
//! named. Windows keeps a profile's data folder private by its own permissions: nothing to do
//! there.

use std::fs;
use std::io;
use std::path::Path;

/// Makes `dir` (and any missing folder on the way) owner-only if it is new; if it exists and
/// others may read it, [`tighten`]s it. Returns what to tell the user, one line each (nothing
/// when nothing changed).
pub fn secure_folder(dir: &Path, files: &[&str], folders: &[&str]) -> io::Result<Vec<String>> {
    create(dir)?;
    Ok(tighten(dir, files, folders))
}

/// Creates `dir` and its missing parents, owner-only.
#[cfg(unix)]
pub fn create(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub fn create(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

/// Erases the file at `path`: overwrites its bytes with zeros, syncs them to the disk, and
/// removes it. A symbolic link is removed, its target left alone (the user placed it); a file
/// already gone is fine. (On a copy-on-write file system or an SSD, the old blocks may still
/// exist on the device until reused: what this promises is that no file holds them.)
pub fn erase_file(path: &Path) -> io::Result<()> {
    use std::io::Write as _;
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.is_file() {
        let mut file = fs::OpenOptions::new().write(true).open(path)?;
        let zeros = vec![0u8; 1 << 20];
        let mut left = meta.len();
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            file.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        file.sync_all()?;
    }
    fs::remove_file(path)
}

/// Makes `path` owner-only (0600) if it is a regular file of ours that others may read. A
/// symbolic link is left alone: its target is the user's to place.
pub fn make_owner_only(path: &Path) {
    #[cfg(unix)]
    if let Ok(meta) = fs::symlink_metadata(path)
        && meta.is_file()
    {
        let _ = restrict(path, &meta, 0o600);
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// If others may read the existing folder `dir`, makes it owner-only, with the files in it
/// whose names begin with one of `files` and the files in the folders named in `folders` (what
/// plumbline keeps there; anything else is the user's and left as it is). Returns what to tell
/// the user.
#[cfg(unix)]
pub fn tighten(dir: &Path, files: &[&str], folders: &[&str]) -> Vec<String> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let Ok(meta) = fs::metadata(dir) else {
        return Vec::new();
    };
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Vec::new();
    }
    let shared = mode & 0o1000 != 0;
    if shared || meta.uid() != rustix::process::geteuid().as_raw() {
        return vec![format!(
            "the data folder is shared with other users (mode {mode:04o}); plumbline's files in \
             it are yours alone, but give it a folder of your own with --data-dir or \
             PLUMBLINE_DATA_DIR: {}",
            dir.display()
        )];
    }
    let mut notes = Vec::new();
    match restrict(dir, &meta, 0o700) {
        Ok(()) => notes.push(format!(
            "the data folder could be read by other users (mode {mode:04o}); it is now yours \
             alone (0700), as are the sessions and settings in it: {}",
            dir.display()
        )),
        Err(e) => notes.push(format!(
            "the data folder can be read by other users (mode {mode:04o}) and could not be \
             made yours alone ({e}); run `chmod 700` on it: {}",
            dir.display()
        )),
    }
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        if files.iter().any(|f| name.to_string_lossy().starts_with(f)) {
            make_owner_only(&entry.path());
        }
    }
    for folder in folders {
        let folder = dir.join(folder);
        let Ok(meta) = fs::symlink_metadata(&folder) else {
            continue;
        };
        if meta.is_dir() {
            let _ = restrict(&folder, &meta, 0o700);
            for entry in fs::read_dir(&folder).into_iter().flatten().flatten() {
                make_owner_only(&entry.path());
            }
        }
    }
    notes
}

#[cfg(not(unix))]
pub fn tighten(_: &Path, _: &[&str], _: &[&str]) -> Vec<String> {
    Vec::new()
}

/// Takes group and other permissions off `path` (leaving at most `keep` for the owner), if it
/// is ours.
#[cfg(unix)]
fn restrict(path: &Path, meta: &fs::Metadata, keep: u32) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 || meta.uid() != rustix::process::geteuid().as_raw() {
        return Ok(());
    }
    fs::set_permissions(path, fs::Permissions::from_mode(mode & keep))
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_new_folder_is_owner_only_and_says_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/data");
        assert!(secure_folder(&dir, &[], &[]).unwrap().is_empty());
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn an_open_folder_and_its_files_are_tightened_once_with_a_notice() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        fs::create_dir(&dir).unwrap();
        fs::create_dir(dir.join("reports")).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        for (name, m) in [
            ("db", 0o644),
            ("reports/r.html", 0o664),
            ("theirs.txt", 0o644),
        ] {
            fs::write(dir.join(name), b"x").unwrap();
            fs::set_permissions(dir.join(name), fs::Permissions::from_mode(m)).unwrap();
        }
        let notes = secure_folder(&dir, &["db", "missing"], &["reports"]).unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("mode 0755") && notes[0].contains("0700"),
            "{notes:?}"
        );
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("db")), 0o600);
        assert_eq!(mode(&dir.join("reports")), 0o700);
        assert_eq!(mode(&dir.join("reports/r.html")), 0o600);
        assert_eq!(
            mode(&dir.join("theirs.txt")),
            0o644,
            "not plumbline's: left"
        );
        assert!(
            secure_folder(&dir, &["db"], &["reports"])
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_shared_folder_is_named_not_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("shared");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o1777)).unwrap();
        let notes = secure_folder(&dir, &[], &[]).unwrap();
        assert!(notes[0].contains("shared with other users"), "{notes:?}");
        assert_eq!(mode(&dir), 0o1777);
    }
}
