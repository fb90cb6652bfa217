//! The one typeface of the PDF report, embedded in the program: Ubuntu Light, the font the
//! app's window already ships (egui's default, under the Ubuntu Font Licence 1.0), measured
//! here for wrapping and handed to krilla to embed (subset) in each PDF and to usvg for the
//! charts' text.

use std::sync::Arc;

use krilla::text::Font;
use usvg::fontdb;

/// The font's bytes: egui's bundled Ubuntu Light.
const FONT: &[u8] = epaint_default_fonts::UBUNTU_LIGHT;

/// The font for text and charts, and what is needed to measure text in it.
pub(super) struct Fonts {
    pub font: Font,
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
    /// usvg's options for the charts, with this font as every family.
    pub svg_options: usvg::Options<'static>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts").finish_non_exhaustive()
    }
}

impl Fonts {
    /// Loads the bundled font; `None` only if the bundled bytes were not a font.
    pub fn load() -> Option<Self> {
        let face = ttf_parser::Face::parse(FONT, 0).ok()?;
        let font = Font::new(FONT.into(), 0)?;
        let mut db = fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        let family = db
            .faces()
            .next()
            .and_then(|f| f.families.first())
            .map(|(name, _)| name.clone())?;
        db.set_sans_serif_family(family.clone());
        db.set_serif_family(family.clone());
        db.set_monospace_family(family.clone());
        let svg_options = usvg::Options {
            font_family: family,
            fontdb: Arc::new(db),
            ..usvg::Options::default()
        };
        Some(Self {
            units_per_em: f32::from(face.units_per_em()),
            font,
            face,
            svg_options,
        })
    }

    /// How far the baseline is below the top of a line, per point of font size.
    pub fn ascent(&self) -> f32 {
        f32::from(self.face.ascender()) / self.units_per_em
    }

    /// The width of `text` set in one line at `size` points (kerning aside).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(self.units_per_em * 0.5, f32::from)
            })
            .sum();
        units / self.units_per_em * size
    }

    /// `text` broken into lines no wider than `width` at `size` points: between words, and
    /// inside a word only when the word alone is too wide.
    pub fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: cut it where it must be.
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, size) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::replace(&mut line, c.to_string()));
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_to_the_width_between_words() {
        let fonts = Fonts::load().unwrap();
        let text = "You kept your trunk upright most of the time; your shoulders drifted \
                    forward of your hips in the last minutes.";
        let lines = fonts.wrap(text, 10.0, 150.0);
        assert!(lines.len() >= 3, "{lines:?}");
        for l in &lines {
            assert!(fonts.width(l, 10.0) <= 150.0, "{l}");
        }
        assert_eq!(
            lines.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        let long = fonts.wrap(&"x".repeat(200), 10.0, 100.0);
        assert!(long.len() > 1 && long.iter().all(|l| fonts.width(l, 10.0) <= 100.0));
        assert_eq!(fonts.wrap("", 10.0, 100.0), [""]);
    }
}
