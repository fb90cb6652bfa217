//! `plumbline cameras`: the webcams the system offers, one per line as `INDEX<TAB>NAME`,
//! through the backend `--camera-backend` names, else the one chosen in Settings.

use std::io::Write;

use super::args::CamerasArgs;
use super::outcome::Outcome;
use crate::session::store;
use crate::settings::Settings;
use crate::source::camera::{self, BackendKind};

pub fn run(args: &CamerasArgs) -> anyhow::Result<Outcome> {
    let kind = args.camera.camera_backend.unwrap_or_else(saved_backend);
    let cameras = camera::backend(kind).cameras()?;
    let mut out = std::io::stdout().lock();
    if cameras.is_empty() {
        // Not a failure: a headless machine or a desktop without a webcam simply has none.
        writeln!(
            out,
            "no cameras found (no video devices; connect a webcam and check that your user \
             may open /dev/video*, e.g. is in the `video` group)"
        )?;
    }
    for camera in &cameras {
        writeln!(out, "{}\t{}", camera.index, camera.name)?;
    }
    Ok(Outcome::Success)
}

/// The backend the saved settings choose; `auto` when there are none (or they cannot be
/// read: listing cameras is no reason to complain about them).
pub(super) fn saved_backend() -> BackendKind {
    store::data_dir(None)
        .map(|dir| Settings::peek(&dir).0.camera.backend_kind())
        .unwrap_or_default()
}
