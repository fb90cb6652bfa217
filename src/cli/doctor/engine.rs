//! The checks of what analysis needs: where the program runs from, ONNX Runtime, the models
//! against their checksums, the engine on the example photo, and FFmpeg with the demo clip.

use std::process::Command;
use std::time::{Duration, Instant};

use super::check::{Check, Status};
use crate::install;
use crate::pose::{EngineConfig, ModelKind, PoseEstimator, runtime};

/// FFmpeg from this version decodes as the video source asks (`-fps_mode`).
const FFMPEG_MIN: (u32, u32) = (5, 1);

/// Where the program runs from: installed, or a checkout's build.
pub(super) fn installation() -> Check {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|e| format!("(unknown: {e})"));
    let layout = match install::installed_prefix() {
        Some(p) => format!("installed under {}", p.display()),
        None => "run from a build (files from the checkout)".to_string(),
    };
    Check::ok("plumbline", format!("{exe}, {layout}"))
}

pub(super) fn onnx_runtime() -> Check {
    let name = "onnx runtime";
    match runtime::library_path() {
        Ok(path) => {
            let version = match runtime::recorded_version(path) {
                Some(v) => v,
                None => format!(
                    "{} or newer (no VERSION beside it)",
                    runtime::OLDEST_RUNTIME
                ),
            };
            Check::ok(name, format!("{version} at {}", path.display()))
        }
        Err(e) => Check::bad(
            name,
            Status::Problem,
            e.to_string(),
            "without it nothing can be analysed; the message says where it was looked for",
        ),
    }
}

/// The shipped models against the checksums shipped with them, checked as the engine checks
/// each model it loads (and in the same words).
pub(super) fn models() -> Check {
    let name = "models";
    let dir = runtime::models_dir();
    let fix = "reinstall plumbline (or, in a checkout, run `bash models/convert.sh`)";
    let listed = match runtime::listed_checksums(&dir) {
        Ok(listed) if listed.is_empty() => {
            let detail = format!(
                "no checksums to check the models by: {}",
                dir.join(runtime::CHECKSUMS_FILE).display()
            );
            return Check::bad(name, Status::Problem, detail, fix);
        }
        Ok(listed) => listed,
        Err(e) => return Check::bad(name, Status::Problem, e.to_string(), fix),
    };
    let mut good = Vec::new();
    for (file, _) in &listed {
        match runtime::read_checked(&dir.join(file)) {
            Ok(_) => good.push(file.as_str()),
            Err(e) => return Check::bad(name, Status::Problem, e.to_string(), fix),
        }
    }
    let heavy = if dir.join(ModelKind::Heavy.file_name()).is_file() {
        "; the heavy model is there too (not checked: made locally)"
    } else {
        ""
    };
    Check::ok(
        name,
        format!(
            "{} match {} in {}{heavy}",
            good.join(", "),
            runtime::CHECKSUMS_FILE,
            dir.display()
        ),
    )
}

/// The engine loads and finds the astronaut on the example photo.
pub(super) fn engine() -> Check {
    let name = "pose engine";
    let fix = "see the onnx runtime and models lines above";
    let photo = install::find(install::EXAMPLE_PHOTO);
    let started = Instant::now();
    let found = image::open(&photo)
        .map_err(|e| format!("cannot read the example photo {} ({e})", photo.display()))
        .and_then(|img| {
            let mut engine = PoseEstimator::new(&EngineConfig::still_images(ModelKind::Full))
                .map_err(|e| e.to_string())?;
            engine
                .estimate(&img.to_rgb8(), Duration::ZERO)
                .map_err(|e| e.to_string())
        });
    match found {
        Ok(Some(_)) => Check::ok(
            name,
            format!(
                "found the person in {} (full model, {} ms with loading)",
                photo.display(),
                started.elapsed().as_millis()
            ),
        ),
        Ok(None) => Check::bad(
            name,
            Status::Problem,
            format!("found nobody in {}", photo.display()),
            "reinstall plumbline: the example photo or a model is not what was shipped",
        ),
        Err(e) => Check::bad(name, Status::Problem, e, fix),
    }
}

/// FFmpeg's version, and the demo clip decoded through it.
pub(super) fn ffmpeg() -> Check {
    let name = "ffmpeg";
    let fix = if cfg!(windows) {
        "reinstall plumbline, whose folder carries ffmpeg.exe, or put FFmpeg 5.1 or newer's \
         ffmpeg.exe beside plumbline.exe"
    } else {
        "install FFmpeg 5.1 or newer (Debian and Ubuntu: `sudo apt install ffmpeg`)"
    };
    let program = crate::source::video::ffmpeg_program();
    let out = match Command::new(&program).arg("-version").output() {
        Ok(out) => out,
        Err(e) => {
            let detail = format!("`{}` cannot be run ({e})", program.display());
            return Check::bad(name, Status::Problem, detail, fix);
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(ffmpeg) = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(2))
    else {
        let detail = format!("`{} -version` printed no version", program.display());
        return Check::bad(name, Status::Problem, detail, fix);
    };
    // Beside plumbline, its full path; from the PATH, the plain name says so.
    let which = if program.is_absolute() {
        format!(" ({})", program.display())
    } else {
        " (on the PATH)".to_owned()
    };
    let numbers: Vec<u32> = ffmpeg
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .filter_map(|n| n.parse().ok())
        .collect();
    if let [major, minor] = numbers[..]
        && (major, minor) < FFMPEG_MIN
    {
        let detail = format!("FFmpeg {ffmpeg} is too old: videos need 5.1 or newer");
        return Check::bad(name, Status::Problem, detail, fix);
    }
    let demo = install::find(install::DEMO_CLIP);
    let decoded = crate::source::open(&demo).and_then(|mut s| s.next_frame());
    match decoded {
        Ok(Some(f)) => Check::ok(
            name,
            format!(
                "ffmpeg {ffmpeg}{which}; decoded the demo clip {} ({}×{})",
                demo.display(),
                f.image.width(),
                f.image.height()
            ),
        ),
        Ok(None) => Check::bad(
            name,
            Status::Problem,
            format!("the demo clip {} has no frames", demo.display()),
            "reinstall plumbline",
        ),
        Err(e) => Check::bad(name, Status::Problem, e.to_string(), fix),
    }
}
