//! `plumbline app`: the desktop window, from validated options.

use super::args::{AppArgs, EngineArgs, ViewArg, engine_config};
use super::outcome::Outcome;
use crate::settings::ViewMode;
use crate::ui::AppOptions;

/// The app's options from its arguments.
fn options(args: &AppArgs) -> AppOptions {
    // The window needs a core of its own to repaint at display rate (under Xvfb or on a
    // machine without a GPU it paints in software): inference gets the rest. Measured on
    // 2 vCPUs with the heavy model: 25 repaints/s with 2 ORT threads, 45/s with 1, for 16 vs
    // 13 results/s.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let engine = EngineArgs {
        model: args.model.unwrap_or_default(),
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
        screenshot: args.screenshot.clone(),
        frames: args.frames,
        ..AppOptions::new(engine_config(&engine, true))
    }
}

pub fn run(args: &AppArgs) -> anyhow::Result<Outcome> {
    crate::ui::run(options(args))?;
    Ok(Outcome::Success)
}
