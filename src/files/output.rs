//! The one way plumbline writes a file the user named (CSV, JSON, reports, screenshots, manual
//! pages, completions) or one of its own (settings): it looks at what the name is before any
//! work starts, and writes each kind as it must be written.
//!
//! - `-` is standard output, and a FIFO or a character device (`/dev/null`, `/dev/stdout`, a
//!   terminal) is written in place, streaming. Renaming a file over `/dev/null`, as root,
//!   would replace the system's device, and a FIFO's reader would get nothing.
//! - A regular file, or a name not taken yet, is written to a temporary file in its folder,
//!   `.<name>.XXXXXX.part`, and renamed over it once complete: a reader sees the old file or
//!   the new one, never half of one, and a failure leaves the old file as it was. The temporary
//!   file is locked while it is written; one left by a killed run (nothing holds its lock) is
//!   removed by the next write to the same name.
//! - A symbolic link is followed: its target is replaced, in the target's own folder, and the
//!   link stays a link.
//! - A folder, a missing folder, a read-only file, a block device or a socket is refused by
//!   name before any work starts, as is an output that is one of the inputs or a file
//!   plumbline must never replace (the session database, its journals, the settings).

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use pending::{Pending, remove_abandoned};

mod device;
mod pending;

use device::is_windows_device;

/// Symbolic links followed from a name before giving up (Linux's own limit is 40).
const MAX_LINKS: usize = 40;

/// Why an output cannot be written. Each message says what to do and ends with the name as
/// the user gave it.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("the output is a folder; give a file name inside it: {path}")]
    IsFolder { path: PathBuf },
    #[error("the output's folder {} does not exist; create it first: {}", folder.display(), path.display())]
    NoFolder { folder: PathBuf, path: PathBuf },
    #[error(
        "the output is read-only, and plumbline does not replace read-only files; make it \
         writable or choose another name: {path}"
    )]
    ReadOnly { path: PathBuf },
    #[error("the output's folder {} cannot be written ({cause}); choose another folder: {}", folder.display(), path.display())]
    FolderNotWritable {
        folder: PathBuf,
        cause: io::Error,
        path: PathBuf,
    },
    #[error(
        "the output is {what}; plumbline writes files, FIFOs and character devices only: {path}"
    )]
    Unwritable { what: &'static str, path: PathBuf },
    #[error("the output is a symbolic link that leads nowhere after {MAX_LINKS} links: {path}")]
    LinkLoop { path: PathBuf },
    #[error(
        "refusing to write over the input {}; choose another output file: {}",
        input.display(),
        path.display()
    )]
    IsInput { input: PathBuf, path: PathBuf },
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
        path: PathBuf,
    },
    // The I/O error is part of the message and deliberately not a `source`: the CLI prints an
    // error's chain, which would repeat it after the path.
    #[error(
        "could not write the file ({cause}); check the folder's permissions and free space: {path}"
    )]
    Write { path: PathBuf, cause: io::Error },
    #[error("could not write to standard output ({cause})")]
    Stdout { cause: io::Error },
}

impl OutputError {
    /// The I/O error behind a failed write, if that is what this is.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            Self::Write { cause, .. } | Self::Stdout { cause } => Some(cause.kind()),
            _ => None,
        }
    }
}

/// What must never be written over: the inputs of the command, and files plumbline keeps
/// (each with what it is, for the message).
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub inputs: Vec<PathBuf>,
    pub protected: Vec<(&'static str, PathBuf)>,
}

/// Where an output goes, found once before any work starts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Stdout,
    /// A FIFO or a character device, written in place.
    Stream(PathBuf),
    /// A regular file (or a new one), replaced through a temporary file. `path` is the name
    /// with symbolic links followed.
    File {
        path: PathBuf,
        exists: bool,
    },
}

/// An output checked and ready to be opened.
#[derive(Debug, Clone)]
pub struct Target {
    /// The name as the user gave it, for messages.
    given: PathBuf,
    place: Place,
    owner_only: bool,
}

impl Target {
    /// Looks at what `given` names (`-`: standard output) and refuses what cannot be written.
    pub fn new(given: &Path) -> Result<Self, OutputError> {
        if given == Path::new("-") {
            return Ok(Self {
                given: given.to_path_buf(),
                place: Place::Stdout,
                owner_only: false,
            });
        }
        Self::named(given)
    }

    /// [`new`](Self::new) where `-` is a file name like any other (a folder's pages).
    pub fn named(given: &Path) -> Result<Self, OutputError> {
        let path = follow_links(given)?;
        // Windows' devices have no metadata to read (`NUL` answers "invalid parameter").
        if cfg!(windows) && is_windows_device(&path) {
            return Ok(Self {
                given: given.to_path_buf(),
                place: Place::Stream(path),
                owner_only: false,
            });
        }
        let place = match fs::metadata(&path) {
            Ok(meta) => {
                let ft = meta.file_type();
                if ft.is_dir() {
                    return Err(OutputError::IsFolder {
                        path: given.to_path_buf(),
                    });
                }
                if ft.is_file() {
                    if meta.permissions().readonly() {
                        return Err(OutputError::ReadOnly {
                            path: given.to_path_buf(),
                        });
                    }
                    check_folder(&path, given)?;
                    Place::File { path, exists: true }
                } else if let Some(what) = unwritable_kind(&ft) {
                    return Err(OutputError::Unwritable {
                        what,
                        path: given.to_path_buf(),
                    });
                } else {
                    Place::Stream(path)
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let folder = folder_of(&path);
                if !fs::metadata(folder).is_ok_and(|m| m.is_dir()) {
                    return Err(OutputError::NoFolder {
                        folder: folder.to_path_buf(),
                        path: given.to_path_buf(),
                    });
                }
                check_folder(&path, given)?;
                Place::File {
                    path,
                    exists: false,
                }
            }
            Err(cause) => {
                return Err(OutputError::Write {
                    path: given.to_path_buf(),
                    cause,
                });
            }
        };
        Ok(Self {
            given: given.to_path_buf(),
            place,
            owner_only: false,
        })
    }

    /// A new file is made readable by its owner only (0600), and a replaced one becomes so:
    /// for plumbline's own data (settings, reports in the data folder).
    pub fn owner_only(mut self) -> Self {
        self.owner_only = true;
        self
    }

    /// The name as given.
    pub fn path(&self) -> &Path {
        &self.given
    }

    /// Whether this is standard output.
    pub fn is_stdout(&self) -> bool {
        self.place == Place::Stdout
    }

    /// Whether this is a regular file (or a new one), replaced whole: not a stream.
    pub fn is_file(&self) -> bool {
        matches!(self.place, Place::File { .. })
    }

    /// Whether `self` and `other` would write to the same place (both standard output, or the
    /// same file however named). Two outputs to one place would overwrite each other.
    pub fn same_place(&self, other: &Target) -> bool {
        match (&self.place, &other.place) {
            (Place::Stdout, Place::Stdout) => true,
            (Place::Stream(a), Place::Stream(b)) => same_file(a, b),
            (Place::File { path: a, .. }, Place::File { path: b, .. }) => same_file(a, b),
            _ => false,
        }
    }

    /// Fails if this output is one of `guard`'s inputs or protected files, however named (hard
    /// and symbolic links, `./`, `..`).
    pub fn check(&self, guard: &Guard) -> Result<(), OutputError> {
        let path = match &self.place {
            Place::Stdout => return Ok(()),
            Place::Stream(p) | Place::File { path: p, .. } => p,
        };
        if let Some(input) = guard.inputs.iter().find(|i| same_file(i, path)) {
            return Err(OutputError::IsInput {
                input: input.clone(),
                path: self.given.clone(),
            });
        }
        if let Some((what, protected)) = guard.protected.iter().find(|(_, p)| same_file(p, path)) {
            return Err(OutputError::Protected {
                what,
                protected: protected.clone(),
                path: self.given.clone(),
            });
        }
        Ok(())
    }

    /// Opens the output for writing: standard output or the stream itself, or a temporary file
    /// beside the target that [`Output::commit`] renames over it.
    pub fn open(&self) -> Result<Output, OutputError> {
        let write = |cause| OutputError::Write {
            path: self.given.clone(),
            cause,
        };
        let sink = match &self.place {
            Place::Stdout => Sink::Stdout(io::stdout().lock()),
            Place::Stream(path) => {
                Sink::Stream(OpenOptions::new().write(true).open(path).map_err(write)?)
            }
            Place::File { path, exists } => {
                remove_abandoned(path);
                let permissions = if self.owner_only {
                    owner_only_permissions()
                } else if *exists {
                    fs::metadata(path).ok().map(|m| m.permissions())
                } else {
                    usual_permissions()
                };
                Sink::File(Pending::create(path, permissions).map_err(write)?)
            }
        };
        Ok(Output {
            sink,
            given: self.given.clone(),
        })
    }

    /// Writes `bytes` whole: [`open`](Self::open), write, [`Output::commit`].
    pub fn write_all(&self, bytes: &[u8]) -> Result<(), OutputError> {
        let mut out = self.open()?;
        out.write_all(bytes).map_err(|cause| out.error(cause))?;
        out.commit()
    }
}

/// An output being written. A file's bytes go to its temporary file until
/// [`commit`](Self::commit); dropped without one (a failed run, a full disk), the temporary
/// file is removed and the old file is as it was. A stream's bytes go straight out.
#[derive(Debug)]
pub struct Output {
    sink: Sink,
    given: PathBuf,
}

#[derive(Debug)]
enum Sink {
    Stdout(io::StdoutLock<'static>),
    Stream(File),
    File(Pending),
}

impl Output {
    /// The name as given.
    pub fn path(&self) -> &Path {
        &self.given
    }

    /// Whether the bytes go straight out (standard output, a FIFO, a device): what was written
    /// is already gone, and a closed pipe means the reader stopped.
    pub fn is_stream(&self) -> bool {
        !matches!(self.sink, Sink::File(_))
    }

    /// The error for `cause`, a failure to write this output, naming it.
    pub fn error(&self, cause: io::Error) -> OutputError {
        match self.sink {
            Sink::Stdout(_) => OutputError::Stdout { cause },
            _ => OutputError::Write {
                path: self.given.clone(),
                cause,
            },
        }
    }

    /// Finishes the output: a file is synced and renamed over its target; a stream is flushed.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let done = match &mut self.sink {
            Sink::Stdout(out) => out.flush(),
            Sink::Stream(file) => file.flush(),
            Sink::File(_) => Ok(()),
        };
        done.map_err(|cause| self.error(cause))?;
        let Output { sink, given } = self;
        match sink {
            Sink::File(pending) => pending
                .commit()
                .map_err(|cause| OutputError::Write { path: given, cause }),
            _ => Ok(()),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(out) => out.write(buf),
            Sink::Stream(file) => file.write(buf),
            Sink::File(pending) => pending.file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(out) => out.flush(),
            Sink::Stream(file) => file.flush(),
            Sink::File(pending) => pending.file.flush(),
        }
    }
}

/// Fails unless the folder of `path` may be written: the temporary file is made there and
/// renamed over the target, so a run would otherwise find out only at its end.
fn check_folder(path: &Path, given: &Path) -> Result<(), OutputError> {
    let folder = folder_of(path);
    folder_writable(folder).map_err(|cause| OutputError::FolderNotWritable {
        folder: folder.to_path_buf(),
        cause,
        path: given.to_path_buf(),
    })
}

#[cfg(unix)]
fn folder_writable(folder: &Path) -> io::Result<()> {
    rustix::fs::access(folder, rustix::fs::Access::WRITE_OK).map_err(io::Error::from)
}

/// Windows: a folder's permissions are ACLs, found out by trying; the temporary file is made
/// at the start of a run anyway.
#[cfg(not(unix))]
fn folder_writable(_: &Path) -> io::Result<()> {
    Ok(())
}

/// Follows `given` through symbolic links to the name that is not one (which may not exist
/// yet: a dangling link's target is created).
fn follow_links(given: &Path) -> Result<PathBuf, OutputError> {
    let mut path = given.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = fs::read_link(&path).map_err(|cause| OutputError::Write {
                    path: given.to_path_buf(),
                    cause,
                })?;
                path = folder_of(&path).join(to);
            }
            _ => return Ok(path),
        }
    }
    Err(OutputError::LinkLoop {
        path: given.to_path_buf(),
    })
}

/// What a file that is neither a regular file, a folder, a FIFO nor a character device is,
/// when plumbline must not write to it.
#[cfg(unix)]
fn unwritable_kind(ft: &fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt as _;
    if ft.is_block_device() {
        Some("a block device (a disk)")
    } else if ft.is_socket() {
        Some("a socket")
    } else if ft.is_fifo() || ft.is_char_device() {
        None
    } else {
        Some("not a file")
    }
}

/// Windows: what is neither a file nor a folder is a device (`NUL`, `CON`), written in place.
#[cfg(not(unix))]
fn unwritable_kind(_: &fs::FileType) -> Option<&'static str> {
    None
}

#[cfg(unix)]
fn usual_permissions() -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    // Filtered by the umask, as for any new file (tempfile's default would be owner-only).
    Some(Permissions::from_mode(0o666))
}

#[cfg(not(unix))]
fn usual_permissions() -> Option<Permissions> {
    None
}

#[cfg(unix)]
fn owner_only_permissions() -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Some(Permissions::from_mode(0o600))
}

/// Windows: a file in the user's profile is the user's own already.
#[cfg(not(unix))]
fn owner_only_permissions() -> Option<Permissions> {
    None
}

/// The folder a file is in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Whether `a` and `b` name the same file: the same device and inode when both exist (so hard
/// links and symbolic links count), else the same name in the same folder once the folders'
/// links are resolved (so `data/./x` and `data/x` count, even before `x` exists).
pub fn same_file(a: &Path, b: &Path) -> bool {
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
mod tests;
