//! The PDF report's document laid out for a page width: rows of cells (text, tiles, the state
//! bar, charts, keyframes), each row with its height and whether it must stay with the next.
//! Where the rows fall on pages is [`crate::report::paginate`]'s business.

use krilla::image::Image;

use super::fonts::Fonts;
use crate::geometry::state::PostureState;
use crate::report::document::{Block, Chart, Document, Figure, Section, Tile};

/// CSS pixels to points: the charts are drawn for a 96-dpi screen.
const PT_PER_PX: f32 = 0.75;
/// Space between cells side by side, and under a block.
pub(super) const GAP: f32 = 10.0;
/// Body text.
pub(super) const BODY: f32 = 10.0;
/// Line height per point of font size.
const LEADING: f32 = 1.35;

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Style {
    pub size: f32,
    pub grey: u8,
    pub bold: bool,
}

const TITLE: Style = Style {
    size: 20.0,
    grey: 20,
    bold: true,
};
const HEADING: Style = Style {
    size: 14.0,
    grey: 20,
    bold: true,
};
const TEXT: Style = Style {
    size: BODY,
    grey: 34,
    bold: false,
};
const SMALL: Style = Style {
    size: 8.5,
    grey: 100,
    bold: false,
};
const META: Style = Style {
    size: 9.0,
    grey: 100,
    bold: false,
};

/// What one cell of a row shows.
pub(super) enum Content {
    Text {
        lines: Vec<String>,
        style: Style,
    },
    /// A headline number over its label, on a tinted box.
    Tile {
        value: Vec<String>,
        label: Vec<String>,
    },
    StateBar(Vec<(PostureState, f64)>),
    /// A chart; `None` when its SVG could not be read (a grey box says so).
    Svg(Option<usvg::Tree>),
    /// A keyframe and the overlay drawn on it.
    Picture {
        image: Option<Image>,
        overlay: Option<usvg::Tree>,
    },
}

/// A cell: its content in a box `x` from the left margin, `y` below the row's top.
pub(super) struct Cell {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub content: Content,
}

/// A chart or a keyframe before it is placed: its natural size and its caption.
struct Picture<'a> {
    width_px: u32,
    height_px: u32,
    content: Content,
    caption: Option<&'a str>,
}

/// A row of cells, as tall as its tallest cell plus the space under it.
pub(super) struct Row {
    pub height: f32,
    pub keep_with_next: bool,
    pub cells: Vec<Cell>,
}

/// The height of `lines` of text in `style`.
pub(super) fn text_height(lines: usize, style: Style) -> f32 {
    lines as f32 * style.size * LEADING
}

/// Lays out a whole document `width` points wide, no row taller than `max_height`.
pub(super) struct Layout<'a> {
    pub fonts: &'a Fonts,
    pub width: f32,
    pub max_height: f32,
    pub rows: Vec<Row>,
}

impl Layout<'_> {
    /// The document's rows, top to bottom.
    pub fn document(mut self, doc: &Document) -> Vec<Row> {
        self.text(&doc.title, TITLE, 4.0, true);
        self.text(&doc.meta.join(" · "), META, 6.0, false);
        if let Some(notes) = &doc.notes {
            self.text(notes, TEXT, GAP, false);
        }
        for section in &doc.sections {
            self.section(section);
        }
        self.text(&doc.footer, SMALL, 0.0, false);
        self.rows
    }

    fn section(&mut self, section: &Section) {
        // Space above the heading sits in its row, so a heading at the top of a page is not
        // pushed down by more than this.
        let lines = self.fonts.wrap(&section.heading, HEADING.size, self.width);
        let top = 8.0;
        let height = top + text_height(lines.len(), HEADING) + 4.0;
        self.rows.push(Row {
            height,
            keep_with_next: true,
            cells: vec![Cell {
                x: 0.0,
                y: top,
                width: self.width,
                height: height - top,
                content: Content::Text {
                    lines,
                    style: HEADING,
                },
            }],
        });
        for block in &section.blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Paragraph(text) => self.text(text, TEXT, GAP, false),
            Block::Note(text) => self.text(text, SMALL, GAP, false),
            Block::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    let indent = 12.0;
                    let lines = self.fonts.wrap(item, TEXT.size, self.width - indent);
                    let h = text_height(lines.len(), TEXT);
                    let after = if i + 1 == items.len() { GAP } else { 2.0 };
                    self.rows.push(Row {
                        height: h + after,
                        keep_with_next: false,
                        cells: vec![
                            text_cell(0.0, indent, vec!["•".into()], TEXT),
                            text_cell(indent, self.width - indent, lines, TEXT),
                        ],
                    });
                }
            }
            Block::Tiles(tiles) => self.tiles(tiles),
            Block::StateBar(states) => {
                // The bar sums up the tiles above it: never alone at the top of a page.
                if let Some(above) = self.rows.last_mut() {
                    above.keep_with_next = true;
                }
                self.state_bar(states);
            }
            Block::Charts(charts) => self.charts(charts),
            Block::Figures(figures) => self.figures(figures),
            Block::Table { header, rows } => self.table(header, rows),
        }
    }

    fn state_bar(&mut self, states: &[(PostureState, f64)]) {
        self.rows.push(Row {
            height: 10.0 + GAP,
            keep_with_next: false,
            cells: vec![Cell {
                x: 0.0,
                y: 0.0,
                width: self.width,
                height: 10.0,
                content: Content::StateBar(states.to_vec()),
            }],
        });
    }

    /// A paragraph in `style`, in rows of at most a page's worth of lines.
    fn text(&mut self, text: &str, style: Style, after: f32, keep_with_next: bool) {
        let lines = self.fonts.wrap(text, style.size, self.width);
        let per_row = ((self.max_height / (style.size * LEADING)).floor() as usize).max(1);
        let chunks: Vec<&[String]> = lines.chunks(per_row).collect();
        let last = chunks.len().saturating_sub(1);
        for (i, chunk) in chunks.into_iter().enumerate() {
            let h = text_height(chunk.len(), style);
            self.rows.push(Row {
                height: h + if i == last { after } else { 0.0 },
                keep_with_next: keep_with_next && i == last,
                cells: vec![text_cell(0.0, self.width, chunk.to_vec(), style)],
            });
        }
    }

    fn tiles(&mut self, tiles: &[Tile]) {
        const PER_ROW: usize = 4;
        const PAD: f32 = 6.0;
        const VALUE: Style = Style {
            size: 14.0,
            grey: 20,
            bold: true,
        };
        let w = (self.width - GAP * (PER_ROW - 1) as f32) / PER_ROW as f32;
        for row in tiles.chunks(PER_ROW) {
            let cells: Vec<(Vec<String>, Vec<String>)> = row
                .iter()
                .map(|t| {
                    (
                        self.fonts.wrap(&t.value, VALUE.size, w - 2.0 * PAD),
                        self.fonts.wrap(&t.label, SMALL.size, w - 2.0 * PAD),
                    )
                })
                .collect();
            let h = cells
                .iter()
                .map(|(v, l)| 2.0 * PAD + text_height(v.len(), VALUE) + text_height(l.len(), SMALL))
                .fold(0.0, f32::max);
            self.rows.push(Row {
                height: h + GAP,
                keep_with_next: false,
                cells: cells
                    .into_iter()
                    .enumerate()
                    .map(|(i, (value, label))| Cell {
                        x: i as f32 * (w + GAP),
                        y: 0.0,
                        width: w,
                        height: h,
                        content: Content::Tile { value, label },
                    })
                    .collect(),
            });
        }
    }

    /// Charts side by side, as many as fit at more than half their natural width.
    fn charts(&mut self, charts: &[Chart]) {
        let natural = charts
            .iter()
            .map(|c| c.width as f32 * PT_PER_PX)
            .fold(1.0, f32::max);
        let columns = (((self.width + GAP) / (natural * 0.55 + GAP)).floor() as usize)
            .clamp(1, 3)
            .min(charts.len().max(1));
        let cell_w = ((self.width - GAP * (columns - 1) as f32) / columns as f32).min(natural);
        let pictures = charts
            .iter()
            .map(|c| Picture {
                width_px: c.width,
                height_px: c.height,
                content: Content::Svg(self.svg(&c.svg)),
                caption: c.caption.as_deref(),
            })
            .collect();
        self.grid(pictures, columns, cell_w, self.max_height * 0.8);
    }

    /// Keyframes two to a row; portrait frames are capped in height, narrower than the column.
    fn figures(&mut self, figures: &[Figure]) {
        let columns = 2;
        let cell_w = (self.width - GAP) / columns as f32;
        let pictures = figures
            .iter()
            .map(|f| Picture {
                width_px: f.width,
                height_px: f.height,
                content: Content::Picture {
                    image: Image::from_jpeg(f.jpeg.clone().into(), true)
                        .map_err(|e| tracing::warn!("a keyframe cannot go in the PDF: {e}"))
                        .ok(),
                    overlay: self.svg(&f.overlay_svg()),
                },
                caption: Some(f.caption.as_str()),
            })
            .collect();
        self.grid(
            pictures,
            columns,
            cell_w,
            (cell_w * 1.1).min(self.max_height * 0.7),
        );
    }

    /// Pictures `columns` to a row, each as wide as `cell_w` and no taller than `max_h`
    /// (keeping its aspect), each row of them kept with the row of their captions.
    fn grid(&mut self, pictures: Vec<Picture<'_>>, columns: usize, cell_w: f32, max_h: f32) {
        let mut pictures = pictures.into_iter().peekable();
        while pictures.peek().is_some() {
            let row: Vec<Picture<'_>> = pictures.by_ref().take(columns.max(1)).collect();
            let mut boxes = Vec::with_capacity(row.len());
            let mut captions = Vec::with_capacity(row.len());
            let mut cells = Vec::with_capacity(row.len());
            for (i, p) in row.into_iter().enumerate() {
                let aspect = p.height_px.max(1) as f32 / p.width_px.max(1) as f32;
                let h = (cell_w * aspect).min(max_h);
                boxes.push((h / aspect, h));
                captions.push(p.caption);
                cells.push(Cell {
                    x: i as f32 * (cell_w + GAP),
                    y: 0.0,
                    width: h / aspect,
                    height: h,
                    content: p.content,
                });
            }
            self.picture_row(cells, &boxes, &captions, cell_w);
        }
    }

    /// A row of pictures and, when any has one, the row of their captions, kept together.
    fn picture_row(
        &mut self,
        pictures: Vec<Cell>,
        boxes: &[(f32, f32)],
        captions: &[Option<&str>],
        cell_w: f32,
    ) {
        let picture_h = boxes.iter().map(|b| b.1).fold(0.0, f32::max);
        let captioned = captions.iter().any(Option::is_some);
        self.rows.push(Row {
            height: picture_h + if captioned { 3.0 } else { GAP },
            keep_with_next: captioned,
            cells: pictures,
        });
        if !captioned {
            return;
        }
        let wrapped: Vec<Vec<String>> = captions
            .iter()
            .map(|c| {
                c.map(|c| self.fonts.wrap(c, SMALL.size, cell_w))
                    .unwrap_or_default()
            })
            .collect();
        let h = wrapped
            .iter()
            .map(|l| text_height(l.len(), SMALL))
            .fold(0.0, f32::max);
        self.rows.push(Row {
            height: h + GAP,
            keep_with_next: false,
            cells: wrapped
                .into_iter()
                .enumerate()
                .map(|(i, lines)| text_cell(i as f32 * (cell_w + GAP), cell_w, lines, SMALL))
                .collect(),
        });
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let columns = header
            .len()
            .max(rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        let widths = self.column_widths(header, rows, columns);
        let lefts: Vec<f32> = widths
            .iter()
            .scan(0.0, |x, w| {
                let left = *x;
                *x += w;
                Some(left)
            })
            .collect();
        let bold = Style { bold: true, ..TEXT };
        let mut row = |cells: &[String], style: Style, keep: bool, after: f32| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| self.fonts.wrap(c, style.size, w - 6.0))
                .collect();
            let h = wrapped
                .iter()
                .map(|l| text_height(l.len(), style))
                .fold(0.0, f32::max);
            self.rows.push(Row {
                height: h + after,
                keep_with_next: keep,
                cells: wrapped
                    .into_iter()
                    .enumerate()
                    .map(|(i, lines)| text_cell(lefts[i], widths[i] - 6.0, lines, style))
                    .collect(),
            });
        };
        row(header, bold, true, 3.0);
        for (i, r) in rows.iter().enumerate() {
            row(r, TEXT, false, if i + 1 == rows.len() { GAP } else { 2.0 });
        }
    }

    /// Each column's width, as a browser lays out an automatic table: every column gets at
    /// least its longest word, and the rest of the width goes to the columns in proportion to
    /// how much more their longest cell would need to fit on one line. So a column of short
    /// figures stays narrow and one of long text gets the room.
    fn column_widths(&self, header: &[String], rows: &[Vec<String>], columns: usize) -> Vec<f32> {
        const PAD: f32 = 6.0;
        let mut least = vec![PAD; columns];
        let mut most = vec![PAD; columns];
        for (cells, style) in std::iter::once((header, Style { bold: true, ..TEXT }))
            .chain(rows.iter().map(|r| (r.as_slice(), TEXT)))
        {
            for (i, cell) in cells.iter().enumerate().take(columns) {
                let word = cell
                    .split_whitespace()
                    .map(|w| self.fonts.width(w, style.size))
                    .fold(0.0, f32::max);
                least[i] = least[i].max(word + PAD);
                most[i] = most[i].max(self.fonts.width(cell, style.size) + PAD);
            }
        }
        let (sum_least, sum_most) = (least.iter().sum::<f32>(), most.iter().sum::<f32>());
        if sum_least >= self.width {
            // Even the longest words do not fit: share the width by them.
            return least.iter().map(|l| l / sum_least * self.width).collect();
        }
        if sum_most <= self.width {
            // Everything fits on one line: spread the spare room evenly.
            let spare = (self.width - sum_most) / columns as f32;
            return most.iter().map(|m| m + spare).collect();
        }
        // Columns whose longest cell fits in a fair share keep it on one line; the others
        // share what is left beyond their longest words.
        let fair = self.width / columns as f32;
        let narrow: Vec<bool> = most.iter().map(|&m| m <= fair).collect();
        let kept: f32 = most
            .iter()
            .zip(&narrow)
            .filter(|(_, n)| **n)
            .map(|(m, _)| m)
            .sum();
        let (wide_least, wide_most) = least
            .iter()
            .zip(&most)
            .zip(&narrow)
            .filter(|(_, n)| !**n)
            .fold((0.0, 0.0), |(l, m), ((wl, wm), _)| (l + wl, m + wm));
        let room = self.width - kept - wide_least;
        if room <= 0.0 || wide_most <= wide_least {
            let room = self.width - sum_least;
            return least
                .iter()
                .zip(&most)
                .map(|(l, m)| l + room * (m - l) / (sum_most - sum_least))
                .collect();
        }
        least
            .iter()
            .zip(&most)
            .zip(&narrow)
            .map(|((l, m), &n)| {
                if n {
                    *m
                } else {
                    l + room * (m - l) / (wide_most - wide_least)
                }
            })
            .collect()
    }

    /// An SVG read for drawing, with the bundled font for its text.
    fn svg(&self, svg: &str) -> Option<usvg::Tree> {
        usvg::Tree::from_str(svg, &self.fonts.svg_options)
            .map_err(|e| tracing::warn!("a chart cannot go in the PDF: {e}"))
            .ok()
    }
}

fn text_cell(x: f32, width: f32, lines: Vec<String>, style: Style) -> Cell {
    Cell {
        x,
        y: 0.0,
        width,
        height: text_height(lines.len(), style),
        content: Content::Text { lines, style },
    }
}

#[cfg(test)]
mod tests;
