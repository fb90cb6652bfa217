use super::*;

/// A layout 480 points wide, pages 700 high.
fn layout(fonts: &Fonts) -> Layout<'_> {
    Layout {
        fonts,
        width: 480.0,
        max_height: 700.0,
        rows: Vec::new(),
    }
}

/// A column of short figures stays narrow and one of long text gets the room, every column
/// at least its longest word, and together they fill the width.
#[test]
fn table_columns_are_as_wide_as_their_text_needs() {
    let fonts = Fonts::load().expect("the bundled font");
    let layout = layout(&fonts);
    let header = ["Measure", "Aligned", "Typical value (nearly always within)"].map(String::from);
    let rows = vec![
        [
            "trunk upright",
            "19 s (61%)",
            "trunk lean, sagittal: +4.3° (+1.6 to +21.1); a long note that wraps",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let w = layout.column_widths(&header, &rows, 3);
    assert!((w.iter().sum::<f32>() - 480.0).abs() < 0.01, "{w:?}");
    assert!(w[2] > 1.5 * w[1], "the long text gets the room: {w:?}");
    let longest_word = fonts.width("sagittal:", TEXT.size);
    assert!(
        w.iter().all(|&c| c > fonts.width("Aligned", TEXT.size)),
        "{w:?}"
    );
    assert!(w[2] > longest_word, "{w:?}");
    // A short cell that fits in a fair share stays on one line.
    assert!(w[1] >= fonts.width("19 s (61%)", TEXT.size) + 6.0, "{w:?}");
}

/// The state bar under the headline tiles goes to a new page with the tiles above it, never alone.
#[test]
fn the_state_bar_keeps_with_the_tiles_above_it() {
    let fonts = Fonts::load().expect("the bundled font");
    let layout = layout(&fonts);
    let tile = |v: &str| Tile {
        value: v.into(),
        label: "a label".into(),
    };
    let section = Section::new("headline", "At a glance")
        .with(Block::Tiles(vec![tile("82%"), tile("5 s")]))
        .with(Block::StateBar(vec![(PostureState::Aligned, 1.0)]));
    let doc = Document {
        title: "t".into(),
        meta: Vec::new(),
        notes: None,
        label: None,
        sections: vec![section],
        footer: String::new(),
    };
    let rows = layout.document(&doc);
    let bar = rows
        .iter()
        .position(|r| matches!(r.cells[0].content, Content::StateBar(_)))
        .expect("a state bar row");
    assert!(
        rows[bar - 1].keep_with_next,
        "the tiles' row keeps with the bar"
    );
}
