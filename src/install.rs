//! Where plumbline finds the files it ships with (the ONNX models, the ONNX Runtime library,
//! the demo clip and the example photo), whether installed or run from a checkout.
//!
//! Each is looked for, in order:
//! 1. where an environment variable says (`PLUMBLINE_MODELS_DIR`, `ORT_DYLIB_PATH`), which is
//!    then the only place looked;
//! 2. beside the executable, in the installed layout: `<prefix>/bin/plumbline` finds
//!    `<prefix>/share/plumbline/…` and `<prefix>/lib/plumbline/…` (the Debian package installs
//!    under `/usr`; a copy unpacked anywhere else works the same). On Windows the folder
//!    holding `plumbline.exe` holds them too (`models\`, `onnxruntime\onnxruntime.dll`, …),
//!    as the zip and the installer lay it out;
//! 3. in the checkout the binary was built from (`target/<profile>/plumbline`, and tests and
//!    benches under `target/<profile>/deps/`), for development.
//!
//! Messages about a missing file list every place looked, in this order.

use std::path::{Path, PathBuf};

/// The installed layout's folders under the prefix.
pub const SHARE_DIR: &str = "share/plumbline";
pub const LIB_DIR: &str = "lib/plumbline";

/// A file or folder that plumbline ships: where it sits installed and in a checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shipped {
    /// Under the prefix (`share/plumbline/models`).
    pub installed: &'static str,
    /// Beside `plumbline.exe` on Windows (`models`).
    pub windows: &'static str,
    /// Under the checkout (`models`).
    pub checkout: &'static str,
}

pub const MODELS: Shipped = Shipped {
    installed: "share/plumbline/models",
    windows: "models",
    checkout: "models",
};
/// The Windows build's runtime sits in a folder of its own, with its `VERSION` and licence.
pub const ORT_LIBRARY: Shipped = Shipped {
    installed: "lib/plumbline/libonnxruntime.so",
    windows: "onnxruntime/onnxruntime.dll",
    checkout: if cfg!(windows) {
        ".ort/windows/onnxruntime.dll"
    } else {
        ".ort/libonnxruntime.so"
    },
};
pub const DEMO_CLIP: Shipped = Shipped {
    installed: "share/plumbline/demo-practice.mp4",
    windows: "demo-practice.mp4",
    checkout: "assets/demo-practice.mp4",
};
pub const EXAMPLE_PHOTO: Shipped = Shipped {
    installed: "share/plumbline/example-astronaut.png",
    windows: "example-astronaut.png",
    checkout: "assets/example-astronaut.png",
};

/// The prefix the running executable sits under: `<prefix>/bin/plumbline` gives `<prefix>`.
/// `None` when it is not in a `bin` folder (a build in `target/`).
pub fn prefix() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // A symlink (`/usr/local/bin/plumbline` → `/opt/plumbline/bin/plumbline`) counts where it
    // points.
    let exe = exe.canonicalize().unwrap_or(exe);
    prefix_of(&exe)
}

/// The prefix of an installed copy: [`prefix`] when its `share/plumbline` folder is there
/// (on Windows, the executable's folder when its `models` folder is there). `None` for a build
/// run from a checkout, whose missing files come back by its scripts rather than by
/// reinstalling.
pub fn installed_prefix() -> Option<PathBuf> {
    if cfg!(windows) {
        return exe_dir().filter(|d| d.join(MODELS.windows).is_dir());
    }
    prefix().filter(|p| p.join(SHARE_DIR).is_dir())
}

/// The folder the running executable is in (on Windows as started: canonical paths there
/// read `\\?\C:\…` in every message).
fn exe_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let exe = if cfg!(windows) {
        exe
    } else {
        exe.canonicalize().unwrap_or(exe)
    };
    exe.parent().map(Path::to_path_buf)
}

/// Where an installed copy keeps `item`: under the prefix, or beside the executable on Windows.
fn installed_place(item: Shipped) -> Option<PathBuf> {
    if cfg!(windows) {
        return Some(join(&exe_dir()?, item.windows));
    }
    Some(join(&prefix()?, item.installed))
}

/// `base` and a `/`-separated relative path, joined with the platform's separator (Windows'
/// loader wants backslashes).
fn join(base: &Path, relative: &str) -> PathBuf {
    relative
        .split('/')
        .fold(base.to_path_buf(), |p, part| p.join(part))
}

fn prefix_of(exe: &Path) -> Option<PathBuf> {
    let bin = exe.parent()?;
    (bin.file_name()? == "bin").then(|| bin.parent().map(Path::to_path_buf))?
}

/// The checkouts the executable may have been built in: a few folders up from it, then the
/// folder it was compiled from.
fn checkout_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        roots.extend(exe.ancestors().skip(1).take(4).map(Path::to_path_buf));
    }
    roots.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    roots
}

/// Every place `item` is looked for, in order: the environment's override alone when `env`
/// names one that is set, else the installed layout, then the checkouts.
pub fn candidates(item: Shipped, env: Option<&str>) -> Vec<PathBuf> {
    if let Some(p) = env.and_then(std::env::var_os) {
        return vec![PathBuf::from(p)];
    }
    let mut out: Vec<PathBuf> = installed_place(item).into_iter().collect();
    for root in checkout_roots() {
        let p = join(&root, item.checkout);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The first of `candidates` that `exists`, else the first of them (so a message names where
/// it was expected first).
pub fn first(candidates: &[PathBuf], exists: impl Fn(&Path) -> bool) -> PathBuf {
    candidates
        .iter()
        .find(|p| exists(p))
        .or(candidates.first())
        .cloned()
        .unwrap_or_default()
}

/// Where a shipped file is: the first place it exists, else the first place looked.
pub fn find(item: Shipped) -> PathBuf {
    first(&candidates(item, None), Path::is_file)
}

/// `paths` as a message lists them: "a, b, c".
pub fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_folder_above_bin() {
        assert_eq!(
            prefix_of(Path::new("/usr/bin/plumbline")),
            Some(PathBuf::from("/usr"))
        );
        assert_eq!(
            prefix_of(Path::new("/home/me/.local/bin/plumbline")),
            Some(PathBuf::from("/home/me/.local"))
        );
        assert_eq!(prefix_of(Path::new("/src/target/release/plumbline")), None);
    }

    #[test]
    fn a_build_finds_the_checkout_and_lists_every_place_looked() {
        let models = candidates(MODELS, None);
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        assert!(models.contains(&checkout), "{models:?}");
        assert_eq!(
            models.iter().filter(|p| **p == checkout).count(),
            1,
            "{models:?}"
        );
        assert_eq!(
            find(DEMO_CLIP),
            Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO_CLIP.checkout)
        );
        let nowhere = [PathBuf::from("/nowhere/a"), PathBuf::from("/nowhere/b")];
        assert_eq!(first(&nowhere, Path::exists), nowhere[0]);
        assert_eq!(list(&nowhere), "/nowhere/a, /nowhere/b");
    }
}
