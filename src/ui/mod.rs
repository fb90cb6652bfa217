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
mod notice;
pub mod options;
mod overlay;
mod panel;
mod practice;
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

/// The window's icon: the one the desktop entry names (`packaging/io.github.plumbline.Plumbline.svg`, drawn at
/// 256 px), for desktops that take it from the window.
fn with_icon(viewport: eframe::egui::ViewportBuilder) -> eframe::egui::ViewportBuilder {
    let png = include_bytes!("../../packaging/io.github.plumbline.Plumbline.png");
    match image::load_from_memory_with_format(png, image::ImageFormat::Png) {
        Ok(icon) => {
            let icon = icon.to_rgba8();
            viewport.with_icon(eframe::egui::IconData {
                width: icon.width(),
                height: icon.height(),
                rgba: icon.into_raw(),
            })
        }
        Err(e) => {
            tracing::warn!("the window icon does not decode: {e}");
            viewport
        }
    }
}

/// Opens the window and runs until it is closed.
pub fn run(options: AppOptions) -> Result<(), AppError> {
    let native = eframe::NativeOptions {
        viewport: with_icon(eframe::egui::ViewportBuilder::default())
            .with_title("plumbline")
            // The desktop entry's name, so the dock shows its icon for the window.
            .with_app_id("io.github.plumbline.Plumbline")
            .with_inner_size(options.window_size.unwrap_or([1180.0, 720.0]))
            .with_fullscreen(options.fullscreen),
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn the_window_has_the_desktop_entry_s_icon() {
        let with = super::with_icon(eframe::egui::ViewportBuilder::default());
        let icon = with.icon.expect("an icon");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        // Not blank: the teal tile and the figure on it.
        assert!(icon.rgba.chunks(4).any(|p| p[3] == 255 && p[1] > p[0]));
    }

    /// The characters inside string literals of a Rust source (roughly: comments skipped,
    /// quotes toggled), so every text the window can show is checked, not the docs.
    fn literal_chars(source: &str) -> Vec<char> {
        let mut out = Vec::new();
        for line in source.lines() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            let mut inside = false;
            let mut escaped = false;
            for c in line.chars() {
                match c {
                    '\\' if inside => escaped = !escaped,
                    '"' if !escaped => inside = !inside,
                    _ => {
                        if inside && !c.is_ascii() {
                            out.push(c);
                        }
                        escaped = false;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_character_the_window_shows_is_in_its_fonts() {
        // The default fonts lack some symbols (● and ✕ drew as empty boxes): check every
        // non-ASCII character in the texts of the window and of the words it shows.
        let ctx = eframe::egui::Context::default();
        let _ = ctx.run(Default::default(), |_| {});
        let font = eframe::egui::FontId::proportional(14.0);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for dir in ["ui", "ui/alerts", "ui/history", "geometry"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        files.push(root.join("format.rs"));
        let mut missing = Vec::new();
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            for c in literal_chars(&text) {
                if !ctx.fonts_mut(|f| f.has_glyph(&font, c)) {
                    missing.push(format!("{c} (U+{:04X}) in {}", c as u32, path.display()));
                }
            }
        }
        assert!(files.len() > 20, "{} files read", files.len());
        assert!(missing.is_empty(), "no glyph for: {missing:#?}");
    }
}
