//! The checks of the desktop around the app: cameras and the user's access to them, the data
//! folder, the display, sound and speech.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::check::{Check, Status};
use crate::install;
use crate::session::store::data_dir;
use crate::source::list_cameras;
use crate::ui::alerts::voice::platform_speech;

/// Below this much free space in the data folder, recording may soon stop.
const LOW_SPACE: u64 = 500 * 1024 * 1024;
/// How long a speech engine may take to start before it counts as missing.
const SPEECH_START: Duration = Duration::from_secs(5);

/// The video devices, whether this user may open them, and the cameras behind them.
pub(super) fn cameras() -> Check {
    let name = "cameras";
    let mut devices: Vec<PathBuf> = std::fs::read_dir("/dev")
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("video"))
                })
                .collect()
        })
        .unwrap_or_default();
    devices.sort();
    if cfg!(target_os = "linux") && devices.is_empty() {
        return Check::bad(
            name,
            Status::Problem,
            "no video devices (/dev/video*): no webcam is connected, or its driver is not loaded",
            "connect a webcam (until then the app plays its bundled demo)",
        );
    }
    let locked: Vec<String> = devices
        .iter()
        .filter(|d| !may_open(d))
        .map(|d| d.display().to_string())
        .collect();
    if !locked.is_empty() {
        return Check::bad(
            name,
            Status::Problem,
            format!("this user may not open {}", locked.join(", ")),
            "add yourself to the `video` group (`sudo usermod -aG video $USER`), then log out \
             and in again",
        );
    }
    match list_cameras() {
        Ok(found) if !found.is_empty() => {
            let names: Vec<String> = found
                .iter()
                .map(|c| format!("{}: {}", c.index, c.name))
                .collect();
            Check::ok(name, names.join("; "))
        }
        // Where there is no /dev (Windows), the camera API is all there is to ask.
        Ok(_) if devices.is_empty() => Check::bad(
            name,
            Status::Problem,
            "no camera found: no webcam is connected, or Windows' camera privacy settings \
             keep desktop apps from it",
            "connect a webcam, and allow desktop apps to use it (Settings > Privacy & \
             security > Camera); until then the app plays its bundled demo",
        ),
        Ok(_) => Check::bad(
            name,
            Status::Problem,
            format!(
                "{} found, but none is a camera that can be opened",
                install::list(&devices)
            ),
            "close other programs using the camera, or reconnect it",
        ),
        Err(e) => Check::bad(
            name,
            Status::Problem,
            e.to_string(),
            "reconnect the camera, and close other programs using it",
        ),
    }
}

#[cfg(unix)]
fn may_open(device: &Path) -> bool {
    use rustix::fs::{Access, access};
    access(device, Access::READ_OK | Access::WRITE_OK).is_ok()
}

#[cfg(not(unix))]
fn may_open(_device: &Path) -> bool {
    true
}

/// The data folder (settings and sessions): there or creatable, writable, with room.
pub(super) fn data_folder(explicit: Option<&Path>) -> Check {
    let name = "data folder";
    let dir = match data_dir(explicit) {
        Ok(d) => d,
        Err(e) => {
            return Check::bad(
                name,
                Status::Problem,
                e.to_string(),
                "pass --data-dir DIR or set PLUMBLINE_DATA_DIR",
            );
        }
    };
    // The folder itself, or the nearest folder above it that exists (it is made on first use).
    let Some(existing) = dir.ancestors().find(|a| a.is_dir()) else {
        let detail = format!("{}: no part of this path exists", dir.display());
        return Check::bad(name, Status::Problem, detail, "pass --data-dir DIR");
    };
    let state = if existing == dir {
        "exists"
    } else {
        "will be made on first use"
    };
    if !writable(existing) {
        return Check::bad(
            name,
            Status::Problem,
            format!(
                "{} {state}, but {} is not writable",
                dir.display(),
                existing.display()
            ),
            "pass --data-dir DIR (a folder you may write) or fix the folder's permissions",
        );
    }
    match free_space(existing) {
        Some(free) if free < LOW_SPACE => Check::bad(
            name,
            Status::Warning,
            format!(
                "{} {state}, writable, only {} free",
                dir.display(),
                megabytes(free)
            ),
            "free some space: recording stops (keeping what it saved) when the disk is full",
        ),
        free => Check::ok(
            name,
            format!(
                "{} {state}, writable{}",
                dir.display(),
                free.map_or(String::new(), |f| format!(", {} free", megabytes(f)))
            ),
        ),
    }
}

fn megabytes(bytes: u64) -> String {
    if bytes >= 10 * 1024 * 1024 * 1024 {
        format!("{} GB", bytes / (1024 * 1024 * 1024))
    } else {
        format!("{} MB", bytes / (1024 * 1024))
    }
}

#[cfg(unix)]
fn writable(dir: &Path) -> bool {
    rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(not(unix))]
fn writable(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

#[cfg(unix)]
fn free_space(dir: &Path) -> Option<u64> {
    let s = rustix::fs::statvfs(dir).ok()?;
    Some(s.f_bavail.saturating_mul(s.f_frsize))
}

#[cfg(not(unix))]
fn free_space(_dir: &Path) -> Option<u64> {
    None
}

pub(super) fn display() -> Check {
    let name = "display";
    let var = |v: &str| std::env::var(v).ok().filter(|s| !s.is_empty());
    match (var("WAYLAND_DISPLAY"), var("DISPLAY")) {
        (Some(w), _) => Check::ok(name, format!("Wayland ({w})")),
        (None, Some(x)) => Check::ok(name, format!("X11 ({x})")),
        _ if !cfg!(target_os = "linux") => Check::ok(name, "the desktop's own"),
        _ => Check::bad(
            name,
            Status::Problem,
            "no display (DISPLAY and WAYLAND_DISPLAY are unset): the app's window cannot open",
            "run the app from a desktop session; `plumbline analyze`, `pose` and `report` work \
             without one",
        ),
    }
}

/// The default sound output, which plays the alert chime.
pub(super) fn sound() -> Check {
    let name = "sound";
    let fix = "connect speakers or headphones, and check the desktop's sound settings";
    // Without a sound card ALSA would print a page of errors on opening the default device.
    if std::fs::read_to_string("/proc/asound/cards").is_err_and(|_| cfg!(target_os = "linux")) {
        let detail = "no sound card (/proc/asound/cards): alerts show on screen and as \
                      notifications only";
        return Check::bad(name, Status::Warning, detail, fix);
    }
    let opened = rodio::DeviceSinkBuilder::from_default_device()
        .map_err(|e| e.to_string())
        .and_then(|b| b.open_stream().map_err(|e| e.to_string()));
    match opened {
        Ok(_) => Check::ok(name, "the default output device opens (the alert chime)"),
        Err(e) => Check::bad(
            name,
            Status::Warning,
            format!("no sound output ({e}): alerts show on screen and as notifications only"),
            fix,
        ),
    }
}

/// The speech engine that speaks the cues (Speech Dispatcher on Linux).
pub(super) fn speech() -> Check {
    let name = "speech";
    let fix = if cfg!(windows) {
        "add a voice in Settings > Time & language > Speech; until then the chime sounds instead"
    } else {
        "install Speech Dispatcher with a voice (Debian and Ubuntu: `sudo apt install \
         speech-dispatcher espeak-ng`); until then the chime sounds instead"
    };
    let (tx, rx) = std::sync::mpsc::channel();
    // Started on a thread of its own: a speech server that does not answer must not hold the
    // report up.
    let started = std::thread::Builder::new()
        .name("doctor speech".into())
        .spawn(move || {
            let _ = tx.send(platform_speech().map(drop));
        });
    let answer =
        started
            .map_err(|e| e.to_string())
            .and_then(|_| match rx.recv_timeout(SPEECH_START) {
                Ok(result) => result,
                Err(_) => Err(format!(
                    "the speech engine did not start within {} s",
                    SPEECH_START.as_secs()
                )),
            });
    match answer {
        Ok(()) => Check::ok(name, "the speech engine starts (spoken cues)"),
        Err(e) => Check::bad(
            name,
            Status::Warning,
            format!("no speech engine ({e})"),
            fix,
        ),
    }
}
