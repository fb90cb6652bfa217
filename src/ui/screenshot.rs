//! `--screenshot`: the window saves a picture of itself once it has shown some frames (or its
//! video has ended), then closes. The tests and the README's picture use it.

use eframe::egui::{self, ColorImage};

use crate::files::Target;

/// A screenshot waiting to be taken.
#[derive(Debug)]
pub struct Screenshot {
    /// Where it goes, checked before the window opened.
    target: Target,
    /// Results shown before it is taken.
    frames: u64,
    asked: bool,
}

impl Screenshot {
    pub fn new(target: Target, frames: u64) -> Self {
        Self {
            target,
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

    /// Asks for the picture once the result on show is of the source's frame number `frames`
    /// or later (`analysed`: that frame's number, counted from 1), and saves it when it comes;
    /// `Some` once it came (the window then closes), with why it could not be saved.
    pub fn handle(&mut self, ctx: &egui::Context, analysed: u64) -> Option<Result<(), String>> {
        if !self.asked && analysed >= self.frames {
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(Default::default()));
            self.asked = true;
        }
        let shot = ctx.input(|i| {
            i.raw.events.iter().find_map(|e| match e {
                egui::Event::Screenshot { image, .. } => Some(image.clone()),
                _ => None,
            })
        });
        let image = shot?;
        let saved = save_screenshot(&image, &self.target);
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        Some(saved)
    }
}

/// Writes `image` as a PNG to `target`.
fn save_screenshot(image: &ColorImage, target: &Target) -> Result<(), String> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let picture = image::RgbaImage::from_raw(w as u32, h as u32, rgba)
        .ok_or("the screenshot had an unexpected size")?;
    let mut png = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the screenshot: {e}"))?;
    target
        .write_all(png.get_ref())
        .map_err(|e| format!("cannot save the screenshot: {e}"))?;
    tracing::info!(path = %target.path().display(), "screenshot saved");
    Ok(())
}
