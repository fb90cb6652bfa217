//! `--screenshot`: the window saves a picture of itself once it has shown some frames (or its
//! video has ended), then closes. The tests and the README's picture use it.

use std::path::{Path, PathBuf};

use eframe::egui::{self, ColorImage};

/// A screenshot waiting to be taken.
#[derive(Debug)]
pub struct Screenshot {
    path: PathBuf,
    /// Results shown before it is taken.
    frames: u64,
    asked: bool,
}

impl Screenshot {
    pub fn new(path: PathBuf, frames: u64) -> Self {
        Self {
            path,
            frames: frames.max(1),
            asked: false,
        }
    }

    /// Whether the picture has been asked for (the window must then repaint until it comes).
    pub fn asked(&self) -> bool {
        self.asked
    }

    /// No more frames will come: take it now.
    pub fn now(&mut self) {
        self.frames = 0;
    }

    /// Asks for the picture once `shown` results have been shown, and saves it when it comes;
    /// `true` once saved (the window then closes).
    pub fn handle(&mut self, ctx: &egui::Context, shown: u64) -> bool {
        if !self.asked && shown >= self.frames {
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(Default::default()));
            self.asked = true;
        }
        let shot = ctx.input(|i| {
            i.raw.events.iter().find_map(|e| match e {
                egui::Event::Screenshot { image, .. } => Some(image.clone()),
                _ => None,
            })
        });
        let Some(image) = shot else {
            return false;
        };
        save_screenshot(&image, &self.path);
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        true
    }
}

fn save_screenshot(image: &ColorImage, path: &Path) {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    match image::RgbaImage::from_raw(w as u32, h as u32, rgba).map(|img| img.save(path)) {
        Some(Ok(())) => tracing::info!(path = %path.display(), "screenshot saved"),
        Some(Err(e)) => tracing::error!("cannot write the screenshot {}: {e}", path.display()),
        None => tracing::error!("the screenshot had an unexpected size"),
    }
}
