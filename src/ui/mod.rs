//! The desktop app (eframe/egui): live video with the skeleton and plumb line, the posture
//! state at a glance, metrics and a live plot. The UI thread only drains the pipeline's
//! newest result and updates one texture; it never waits on inference.

mod app;
mod overlay;

use std::path::PathBuf;

pub use app::PlumblineApp;

use crate::pipeline::offline::AnalysisConfig;

/// How the app starts.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub config: AnalysisConfig,
    /// A video, image folder or glob to play instead of the camera.
    pub source: Option<PathBuf>,
    /// Save a screenshot here after `frames` analysed frames, then close (for tests and docs).
    pub screenshot: Option<PathBuf>,
    pub frames: u64,
}

/// The bundled demo clip, played when there is no camera.
pub fn demo_clip() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join("demo-turning.mp4")
}

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
