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

pub use app::PlumblineApp;
pub use history::SessionBrowser;
pub use options::AppOptions;

/// Opens the window and runs until it is closed.
pub fn run(options: AppOptions) -> Result<(), eframe::Error> {
    let native = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("plumbline")
            .with_inner_size([1180.0, 720.0]),
        ..Default::default()
    };
    eframe::run_native(
        "plumbline",
        native,
        Box::new(move |cc| Ok(Box::new(PlumblineApp::new(cc, options)))),
    )
}
