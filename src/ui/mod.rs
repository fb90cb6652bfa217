//! The desktop app (eframe/egui): live video with the skeleton and plumb line, the posture
//! state at a glance, metrics and a live plot. The UI thread only drains the pipeline's
//! newest result and updates one texture; it never waits on inference.

pub mod alerts;
mod app;
pub mod calibration;
pub mod history;
mod overlay;
mod panel;
pub mod settings;

use std::path::PathBuf;

pub use alerts::{Alert, AlertKind, AlertOutputs, AlertSettings, Alerter};
pub use app::PlumblineApp;
pub use history::SessionBrowser;

use crate::pipeline::offline::AnalysisConfig;
use crate::pose::ModelKind;

/// How the app starts.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Engine and analysis settings; the model, thresholds and calibration come from the saved
    /// settings unless `model` overrides the model.
    pub config: AnalysisConfig,
    pub model: Option<ModelKind>,
    /// Where settings and sessions are kept (`None`: `$PLUMBLINE_DATA_DIR`, else the platform's
    /// data folder).
    pub data_dir: Option<PathBuf>,
    /// A video, image folder or glob to play instead of the camera.
    pub source: Option<PathBuf>,
    /// Save a screenshot here after `frames` analysed frames, then close (for tests and docs).
    pub screenshot: Option<PathBuf>,
    pub frames: u64,
}

/// A duration in plain words: "12 s", "2 min 5 s", "1 h 20 min".
pub fn plain_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 if secs.is_multiple_of(60) => format!("{} min", secs / 60),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, (secs / 60) % 60),
    }
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
