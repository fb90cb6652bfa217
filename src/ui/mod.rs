//! The desktop app (eframe/egui): live video with the skeleton and plumb line, the posture
//! state at a glance, metrics and a live plot. The UI thread only sends commands to the
//! analysis, takes its newest result and events, and draws; anything slower (models, cameras,
//! files, the session store, dialogs) runs on other threads.

pub mod alerts;
mod app;
mod background;
pub mod history;
mod input;
mod live_view;
pub mod options;
mod overlay;
mod panel;
mod recording;
mod screenshot;
pub mod settings;
mod stats;
mod toolbar;

use std::sync::{Arc, OnceLock};

pub use app::PlumblineApp;
pub use history::SessionBrowser;
pub use options::AppOptions;

/// Why the app ended badly.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("cannot open the app window: {0}")]
    Window(String),
    /// A `--screenshot` run whose source or model could not open (or whose engine stopped):
    /// the picture shows the error, and the command fails with it.
    #[error("{0}")]
    Failed(String),
}

/// Opens the window and runs until it is closed.
pub fn run(options: AppOptions) -> Result<(), AppError> {
    let native = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("plumbline")
            .with_inner_size([1180.0, 720.0]),
        ..Default::default()
    };
    let failure: Arc<OnceLock<String>> = Arc::default();
    let report = Arc::clone(&failure);
    eframe::run_native(
        "plumbline",
        native,
        Box::new(move |cc| Ok(Box::new(PlumblineApp::new(cc, options).failures_to(report)))),
    )
    .map_err(|e| AppError::Window(e.to_string()))?;
    match failure.get() {
        Some(error) => Err(AppError::Failed(error.clone())),
        None => Ok(()),
    }
}
