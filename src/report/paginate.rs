//! Where a printed report's pieces fall: given each piece's height and whether it must stay
//! with the next one (a heading with what follows, a chart with its caption), the page each
//! piece goes on. Pure arithmetic, so the rules are tested on their own.

/// A piece of a page: a heading, a paragraph, a row of charts, a caption, a row of tiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// Height on the page, with the space after it.
    pub height: f32,
    /// Must go on the same page as the piece after it.
    pub keep_with_next: bool,
}

impl Piece {
    /// A piece that may end a page.
    pub fn new(height: f32) -> Self {
        Self {
            height,
            keep_with_next: false,
        }
    }

    /// A piece that must stay with the next.
    pub fn keep_with_next(height: f32) -> Self {
        Self {
            height,
            keep_with_next: true,
        }
    }
}

/// The page (from 0) of each of `pieces`, filled top to bottom into pages `page_height` tall.
///
/// A piece that does not fit below the last one starts a new page; so does a run of pieces
/// tied by `keep_with_next` (with the piece that ends it) that does not fit, so a heading is
/// never last on a page and a chart never leaves its caption behind. Only a run taller than a
/// whole page is cut, between its pieces; a single piece taller than a page has a page of its
/// own.
pub fn paginate(pieces: &[Piece], page_height: f32) -> Vec<usize> {
    let mut pages = Vec::with_capacity(pieces.len());
    let (mut page, mut used) = (0usize, 0.0f32);
    let mut i = 0;
    while i < pieces.len() {
        // The run starting here: up to and including the first piece not kept with the next.
        let end = pieces[i..]
            .iter()
            .position(|p| !p.keep_with_next)
            .map_or(pieces.len(), |k| i + k + 1);
        let run: f32 = pieces[i..end].iter().map(|p| p.height).sum();
        if used > 0.0 && used + run > page_height && run <= page_height {
            page += 1;
            used = 0.0;
        }
        // Place the run piece by piece (a run taller than a page breaks where it must).
        for p in &pieces[i..end] {
            if used > 0.0 && used + p.height > page_height {
                page += 1;
                used = 0.0;
            }
            pages.push(page);
            used += p.height;
        }
        i = end;
    }
    pages
}

/// How many pages [`paginate`]'s answer fills.
pub fn page_count(pages: &[usize]) -> usize {
    pages.last().map_or(1, |last| last + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        /// (height, keep with next)
        pieces: &'static [(f32, bool)],
        page: f32,
        expected: &'static [usize],
    }

    fn run(case: &Case) -> Vec<usize> {
        let pieces: Vec<Piece> = case
            .pieces
            .iter()
            .map(|&(height, keep_with_next)| Piece {
                height,
                keep_with_next,
            })
            .collect();
        paginate(&pieces, case.page)
    }

    #[test]
    fn pieces_fall_on_the_pages_the_rules_say() {
        let cases = [
            // Everything fits on one page.
            Case {
                pieces: &[(100.0, false), (200.0, false), (300.0, false)],
                page: 700.0,
                expected: &[0, 0, 0],
            },
            // A piece that does not fit moves whole to the next page.
            Case {
                pieces: &[(400.0, false), (400.0, false), (100.0, false)],
                page: 700.0,
                expected: &[0, 1, 1],
            },
            // Exactly full is still on the page.
            Case {
                pieces: &[(350.0, false), (350.0, false), (1.0, false)],
                page: 700.0,
                expected: &[0, 0, 1],
            },
            // A heading that would fit, but not with the block after it, goes with the block.
            Case {
                pieces: &[(600.0, false), (30.0, true), (200.0, false)],
                page: 700.0,
                expected: &[0, 1, 1],
            },
            // A chart that fits but whose caption does not: both go over.
            Case {
                pieces: &[(300.0, false), (380.0, true), (40.0, false)],
                page: 700.0,
                expected: &[0, 1, 1],
            },
            // A heading, a chart and its caption: one run, kept together.
            Case {
                pieces: &[(500.0, false), (30.0, true), (150.0, true), (40.0, false)],
                page: 700.0,
                expected: &[0, 1, 1, 1],
            },
            // A piece taller than a page gets a page of its own; the next starts fresh.
            Case {
                pieces: &[(100.0, false), (900.0, false), (100.0, false)],
                page: 700.0,
                expected: &[0, 1, 2],
            },
            // A run taller than a page is cut between its pieces, not left where it would
            // push everything on.
            Case {
                pieces: &[(100.0, false), (400.0, true), (400.0, false)],
                page: 700.0,
                expected: &[0, 0, 1],
            },
            // A heading last in the document has nothing to keep with; it stays put.
            Case {
                pieces: &[(100.0, false), (30.0, true)],
                page: 700.0,
                expected: &[0, 0],
            },
        ];
        for (n, case) in cases.iter().enumerate() {
            assert_eq!(run(case), case.expected, "case {n}");
        }
    }

    #[test]
    fn no_page_ends_on_a_piece_kept_with_the_next_and_no_page_overflows() {
        // A long report's worth of headings, paragraphs, charts and captions.
        let mut pieces = Vec::new();
        for i in 0..60 {
            pieces.push(Piece::keep_with_next(28.0));
            pieces.push(Piece::new(40.0 + (i % 7) as f32 * 15.0));
            pieces.push(Piece::keep_with_next(150.0 + (i % 5) as f32 * 40.0));
            pieces.push(Piece::new(24.0));
        }
        let page = 720.0;
        let pages = paginate(&pieces, page);
        assert_eq!(pages.len(), pieces.len());
        assert!(page_count(&pages) > 5);
        for i in 0..pieces.len() - 1 {
            if pieces[i].keep_with_next {
                assert_eq!(pages[i], pages[i + 1], "piece {i} left alone");
            }
            assert!(pages[i + 1] >= pages[i] && pages[i + 1] <= pages[i] + 1);
        }
        for p in 0..page_count(&pages) {
            let used: f32 = (0..pieces.len())
                .filter(|&i| pages[i] == p)
                .map(|i| pieces[i].height)
                .sum();
            assert!(used <= page, "page {p} holds {used}");
        }
    }
}
