//! The report as plain content: a title, a few header lines and sections of blocks (text,
//! tiles, charts as SVG, keyframes as JPEG with an SVG overlay). Both renderers, HTML and PDF,
//! draw this; neither decides what the report says.

use crate::geometry::state::PostureState;

/// A whole report, ready to render.
#[derive(Debug, Clone)]
pub struct Document {
    /// "Posture session 7".
    pub title: String,
    /// The parts of the line under the title: start, length, source, model, status.
    pub meta: Vec<String>,
    /// The session's notes, if any.
    pub notes: Option<String>,
    /// The patient's name or label, when the user gave one: in the header of every page.
    pub label: Option<String>,
    pub sections: Vec<Section>,
    /// Small print at the end.
    pub footer: String,
}

/// One part of the report under its own heading.
#[derive(Debug, Clone)]
pub struct Section {
    /// A stable name for the part (an HTML `id`): "headline", "timeline".
    pub id: &'static str,
    pub heading: String,
    pub blocks: Vec<Block>,
}

impl Section {
    /// A section with no blocks yet; add them with [`Section::with`].
    pub fn new(id: &'static str, heading: impl Into<String>) -> Self {
        Self {
            id,
            heading: heading.into(),
            blocks: Vec::new(),
        }
    }

    /// The section with `block` appended.
    pub fn with(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }
}

/// A piece of a section's content. Each is kept whole on one printed page.
#[derive(Debug, Clone)]
pub enum Block {
    Paragraph(String),
    /// A bulleted list.
    List(Vec<String>),
    /// Headline numbers, each a large value over a short label.
    Tiles(Vec<Tile>),
    /// The share of time in each state, left to right (fractions of the whole, 0 to 1).
    StateBar(Vec<(PostureState, f64)>),
    /// Charts side by side as the width allows (one per row when wide).
    Charts(Vec<Chart>),
    /// Keyframes side by side, two to a row.
    Figures(Vec<Figure>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Small print.
    Note(String),
}

/// A headline number.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub value: String,
    pub label: String,
}

/// A chart drawn as SVG, with its natural size in CSS pixels.
#[derive(Debug, Clone)]
pub struct Chart {
    /// A whole `<svg>` document.
    pub svg: String,
    pub width: u32,
    pub height: u32,
    pub caption: Option<String>,
}

/// A stored frame with the skeleton and the plumb line drawn over it.
#[derive(Debug, Clone)]
pub struct Figure {
    pub jpeg: Vec<u8>,
    /// The JPEG's size in pixels; the overlay's coordinates are in these pixels.
    pub width: u32,
    pub height: u32,
    /// SVG elements (lines with their own stroke attributes) to lay over the image.
    pub overlay: String,
    pub caption: String,
}

impl Figure {
    /// The overlay as a whole SVG document the size of the image.
    pub fn overlay_svg(&self) -> String {
        let (w, h) = (self.width.max(1), self.height.max(1));
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">{}</svg>"#,
            self.overlay
        )
    }
}

impl Chart {
    /// A chart from a whole SVG document, its size read from the root's `width` and `height`
    /// (plotters writes both).
    pub fn from_svg(svg: String, caption: Option<String>) -> Self {
        let root = svg.find("<svg").map_or("", |at| {
            let rest = &svg[at..];
            &rest[..rest.find('>').unwrap_or(rest.len())]
        });
        let attribute = |name: &str| {
            let key = format!(" {name}=\"");
            let at = root.find(&key)? + key.len();
            let value = &root[at..];
            value[..value.find('"')?]
                .trim_end_matches("px")
                .parse()
                .ok()
        };
        let (width, height) = (attribute("width"), attribute("height"));
        Self {
            width: width.unwrap_or(600),
            height: height.unwrap_or(300),
            svg,
            caption,
        }
    }
}
