//! The report as a PDF, made in this process (krilla, with krilla-svg for the same SVG charts
//! as the HTML page; no browser): A4 or Letter, the bundled font embedded, keyframes as their
//! JPEGs with the skeleton drawn over them, page breaks that keep a chart or a keyframe with
//! its caption and a heading with what follows, "page N of M" at the foot of each page and
//! the patient's label at the head. Pure: a document in, bytes out.

mod fonts;
mod layout;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;
use krilla_svg::{SurfaceExt as _, SvgSettings};

use self::fonts::Fonts;
use self::layout::{Cell, Content, Layout, Row, Style};
use super::charts::state_colour;
use super::document::Document;
use super::paginate::{Piece, page_count, paginate};

/// The paper a PDF is laid out for.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Paper {
    /// 210 × 297 mm.
    #[default]
    A4,
    /// 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in points (1/72 in).
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PdfError(String);

/// Left and right margins, points.
const MARGIN_X: f32 = 50.0;
/// From the top edge to the body; the running head sits above it.
const MARGIN_TOP: f32 = 62.0;
/// From the body to the bottom edge; the page number sits below it.
const MARGIN_BOTTOM: f32 = 56.0;

/// Renders `doc` as a PDF on `paper`.
pub fn render(doc: &Document, paper: Paper) -> Result<Vec<u8>, PdfError> {
    let fonts =
        Fonts::load().ok_or_else(|| PdfError("the bundled font could not be read".into()))?;
    let (page_w, page_h) = paper.size_pt();
    let body_w = page_w - 2.0 * MARGIN_X;
    let body_h = page_h - MARGIN_TOP - MARGIN_BOTTOM;
    let rows = Layout {
        fonts: &fonts,
        width: body_w,
        max_height: body_h,
        rows: Vec::new(),
    }
    .document(doc);
    let pieces: Vec<Piece> = rows
        .iter()
        .map(|r| Piece {
            height: r.height,
            keep_with_next: r.keep_with_next,
        })
        .collect();
    let on_page = paginate(&pieces, body_h);
    let pages = page_count(&on_page);

    let mut pdf = krilla::Document::new();
    pdf.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .creator("plumbline".into()),
    );
    let settings = PageSettings::from_wh(page_w, page_h)
        .ok_or_else(|| PdfError("the paper has no size".into()))?;
    let mut next = 0;
    for p in 0..pages {
        let mut page = pdf.start_page_with(settings.clone());
        let mut surface = page.surface();
        running_head(&mut surface, &fonts, doc, page_w, p == 0);
        let foot = format!("page {} of {pages}", p + 1);
        let foot_w = fonts.width(&foot, 8.5);
        text(
            &mut surface,
            &fonts,
            (page_w - foot_w) / 2.0,
            page_h - MARGIN_BOTTOM / 2.0 - 4.0,
            &foot,
            Style {
                size: 8.5,
                grey: 110,
                bold: false,
            },
        );
        let mut y = MARGIN_TOP;
        while next < rows.len() && on_page[next] == p {
            draw_row(&mut surface, &fonts, &rows[next], MARGIN_X, y);
            y += rows[next].height;
            next += 1;
        }
        surface.finish();
        page.finish();
    }
    pdf.finish()
        .map_err(|e| PdfError(format!("krilla refused the document: {e:?}")))
}

/// The label (when set) at the left of every page's head, the title at the right from the
/// second page on (the first has it large beneath), a rule beneath when there is either.
fn running_head(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    doc: &Document,
    page_w: f32,
    first: bool,
) {
    let y = MARGIN_TOP - 30.0;
    let style = Style {
        size: 8.5,
        grey: 110,
        bold: false,
    };
    if let Some(label) = &doc.label {
        let label_style = Style {
            grey: 30,
            bold: true,
            ..style
        };
        let max = page_w / 2.0 - MARGIN_X;
        let line = fonts.wrap(label, label_style.size, max).swap_remove(0);
        text(surface, fonts, MARGIN_X, y, &line, label_style);
    }
    if first && doc.label.is_none() {
        return;
    }
    if !first {
        let title_w = fonts.width(&doc.title, style.size);
        text(
            surface,
            fonts,
            page_w - MARGIN_X - title_w,
            y,
            &doc.title,
            style,
        );
    }
    let mut rule = PathBuilder::new();
    rule.move_to(MARGIN_X, y + 14.0);
    rule.line_to(page_w - MARGIN_X, y + 14.0);
    if let Some(path) = rule.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(210, 210, 210).into(),
            width: 0.5,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn draw_row(surface: &mut Surface<'_>, fonts: &Fonts, row: &Row, x: f32, y: f32) {
    for cell in &row.cells {
        draw_cell(surface, fonts, cell, x + cell.x, y + cell.y);
    }
}

fn draw_cell(surface: &mut Surface<'_>, fonts: &Fonts, cell: &Cell, x: f32, y: f32) {
    match &cell.content {
        Content::Text { lines, style } => {
            let mut top = y;
            for line in lines {
                text(surface, fonts, x, top, line, *style);
                top += layout::text_height(1, *style);
            }
        }
        Content::Tile { value, label } => {
            rect(surface, x, y, cell.width, cell.height, (243, 246, 251));
            let value_style = Style {
                size: 14.0,
                grey: 20,
                bold: true,
            };
            let label_style = Style {
                size: 8.5,
                grey: 85,
                bold: false,
            };
            let mut top = y + 6.0;
            for line in value {
                text(surface, fonts, x + 6.0, top, line, value_style);
                top += layout::text_height(1, value_style);
            }
            for line in label {
                text(surface, fonts, x + 6.0, top, line, label_style);
                top += layout::text_height(1, label_style);
            }
        }
        Content::StateBar(states) => {
            let mut left = x;
            for (state, fraction) in states {
                let w = cell.width * *fraction as f32;
                let c = state_colour(*state);
                rect(surface, left, y, w, cell.height, (c.0, c.1, c.2));
                left += w;
            }
        }
        Content::Svg(tree) => match tree {
            Some(tree) => svg(surface, tree, x, y, cell.width, cell.height),
            None => rect(surface, x, y, cell.width, cell.height, (235, 235, 235)),
        },
        Content::Picture { image, overlay } => {
            match (image, Size::from_wh(cell.width, cell.height)) {
                (Some(image), Some(size)) => {
                    surface.push_transform(&Transform::from_translate(x, y));
                    surface.draw_image(image.clone(), size);
                    surface.pop();
                }
                _ => rect(surface, x, y, cell.width, cell.height, (235, 235, 235)),
            }
            if let Some(tree) = overlay {
                svg(surface, tree, x, y, cell.width, cell.height);
            }
        }
    }
}

/// One line of text with its top at `y`; bold is the light face filled and stroked.
fn text(surface: &mut Surface<'_>, fonts: &Fonts, x: f32, y: f32, line: &str, style: Style) {
    let colour = rgb::Color::new(style.grey, style.grey, style.grey);
    surface.set_fill(Some(Fill {
        paint: colour.into(),
        ..Fill::default()
    }));
    surface.set_stroke(style.bold.then(|| Stroke {
        paint: colour.into(),
        width: style.size * 0.045,
        ..Stroke::default()
    }));
    surface.draw_text(
        Point::from_xy(x, y + fonts.ascent() * style.size),
        fonts.font.clone(),
        style.size,
        line,
        false,
        TextDirection::Auto,
    );
    surface.set_stroke(None);
}

fn rect(surface: &mut Surface<'_>, x: f32, y: f32, w: f32, h: f32, (r, g, b): (u8, u8, u8)) {
    let Some(rect) = Rect::from_xywh(x, y, w.max(0.01), h.max(0.01)) else {
        return;
    };
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(r, g, b).into(),
            ..Fill::default()
        }));
        surface.draw_path(&path);
    }
}

fn svg(surface: &mut Surface<'_>, tree: &usvg::Tree, x: f32, y: f32, w: f32, h: f32) {
    let Some(size) = Size::from_wh(w, h) else {
        return;
    };
    surface.push_transform(&Transform::from_translate(x, y));
    let _ = surface.draw_svg(tree, size, SvgSettings::default());
    surface.pop();
}
