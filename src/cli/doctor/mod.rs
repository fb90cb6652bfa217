//! `plumbline doctor`: checks each thing the app needs on this machine (the ONNX Runtime
//! library, the models against their checksums, the engine on the example photo, FFmpeg, the
//! cameras and the user's access to them, the data folder, the display, sound and speech) and
//! says how to fix what is wrong. `--camera` (or `--source FILE`) also looks through the camera:
//! a person found, the light, the framing. It is what a user pastes into a bug report: `--json` for a
//! script. Exit code 0 when nothing is a problem; warnings (no speech engine, say: the app
//! chimes instead) do not count.

mod check;
mod desktop;
mod engine;
mod picture;

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use super::args::DoctorArgs;
use super::outcome::Outcome;
use crate::source::camera::{self, CameraRequest, CameraSource, CameraTiming};
pub use check::{Check, Status};
use desktop::{cameras, data_folder, display, sound, speech};
use engine::{engine, ffmpeg, installation, models, onnx_runtime};

/// The report `--json` prints.
#[derive(Debug, Serialize)]
struct Report {
    version: &'static str,
    executable: Option<PathBuf>,
    checks: Vec<Check>,
    problems: usize,
    warnings: usize,
}

pub fn run(args: &DoctorArgs) -> anyhow::Result<Outcome> {
    let checks = vec![
        installation(),
        onnx_runtime(),
        models(),
        engine(),
        ffmpeg(),
        cameras(),
        data_folder(args.data.get()),
        display(),
        sound(),
        speech(),
    ];
    let mut checks = checks;
    if let Some(path) = &args.source {
        checks.push(picture::picture(crate::source::open(path)));
    } else if args.camera {
        let kind = args
            .camera_backend
            .camera_backend
            .unwrap_or_else(super::cameras::saved_backend);
        let camera = CameraSource::open_with(
            camera::backend(kind),
            &CameraRequest::default(),
            CameraTiming::default(),
        )
        .map(|c| Box::new(c) as Box<dyn crate::source::FrameSource>);
        checks.push(picture::picture(camera));
    }
    let count = |s| checks.iter().filter(|c| c.status == s).count();
    let report = Report {
        version: env!("CARGO_PKG_VERSION"),
        executable: std::env::current_exe().ok(),
        problems: count(Status::Problem),
        warnings: count(Status::Warning),
        checks,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &report)?;
    }
    Ok(match report.problems {
        0 => Outcome::Success,
        n => Outcome::Problems(n),
    })
}

fn write_text(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    writeln!(out, "plumbline {} doctor", report.version)?;
    for c in &report.checks {
        let mark = match c.status {
            Status::Ok => "ok",
            Status::Warning => "WARNING",
            Status::Problem => "PROBLEM",
        };
        writeln!(out, "{mark:<8} {:<13} {}", c.name, c.detail)?;
        if let Some(fix) = &c.fix {
            writeln!(out, "{:<8} {:<13} fix: {fix}", "", "")?;
        }
    }
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "{}, {}.",
        plural(report.problems, "problem"),
        plural(report.warnings, "warning")
    )
}
