//! `plumbline cameras`: the webcams the system offers, one per line as `INDEX<TAB>NAME`.

use std::io::Write;

use super::outcome::Outcome;
use crate::source::list_cameras;

pub fn run() -> anyhow::Result<Outcome> {
    let cameras = list_cameras()?;
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
