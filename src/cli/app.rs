//! `plumbline app`: the desktop window, from validated options.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::args::{AppArgs, EngineArgs, ViewArg, engine_config};
use super::outcome::Outcome;
use crate::files::Target;
use crate::pose::ModelKind;
use crate::report::write::guard;
use crate::session::store;
use crate::settings::ViewMode;
use crate::source::camera;
use crate::ui::AppOptions;

/// Where `--screenshot` goes, checked before the window opens: never over what is played (the
/// file, or a frame of the folder or pattern), the session database or the settings; not a
/// folder, a missing folder or a read-only file.
fn screenshot_target(args: &AppArgs) -> anyhow::Result<Option<Target>> {
    let Some(path) = &args.screenshot else {
        return Ok(None);
    };
    let target = Target::new(path).context("--screenshot")?;
    let inputs = args
        .source
        .as_deref()
        .map(crate::source::input_files)
        .unwrap_or_default();
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let data_dir = store::data_dir(args.data.get()).ok();
    target
        .check(&guard(data_dir.as_deref(), &inputs))
        .context("--screenshot")?;
    Ok(Some(target))
}

/// The app's options from its arguments.
fn options(args: &AppArgs, screenshot: Option<Target>) -> AppOptions {
    // The window needs a core of its own to repaint at display rate (under Xvfb or on a
    // machine without a GPU it paints in software): inference gets the rest. Measured on
    // 2 vCPUs with the heavy model: 25 repaints/s with 2 ORT threads, 45/s with 1, for 16 vs
    // 13 results/s.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let engine = EngineArgs {
        // Replaced by the model `AppOptions::engine_for` chooses: `--model`, else the saved one.
        model: ModelKind::default(),
        threads: args.threads.or(Some((cores.saturating_sub(1)).clamp(1, 4))),
        models_dir: args.models_dir.clone(),
    };
    AppOptions {
        model: args.model,
        data_dir: args.data.dir.clone(),
        source: args.source.clone(),
        record: args.record,
        calibrate: args.calibrate,
        fullscreen: args.fullscreen,
        window_size: args.window_size,
        view: args.view.map(|v| match v {
            ViewArg::Practice => ViewMode::Practice,
            ViewArg::Details => ViewMode::Details,
        }),
        screenshot,
        frames: args.frames,
        cameras: args.camera.camera_backend.map(camera::backend),
        ..AppOptions::new(engine_config(&engine, true))
    }
}

pub fn run(args: &AppArgs) -> anyhow::Result<Outcome> {
    let screenshot = screenshot_target(args)?;
    crate::ui::run(options(args, screenshot))?;
    Ok(Outcome::Success)
}
