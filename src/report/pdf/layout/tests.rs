use super::*;

/// A column of short figures stays narrow and one of long text gets the room, every column
/// at least its longest word, and together they fill the width.
#[test]
fn table_columns_are_as_wide_as_their_text_needs() {
    let fonts = Fonts::load().expect("the bundled font");
    let layout = Layout {
        fonts: &fonts,
        width: 480.0,
        max_height: 700.0,
        rows: Vec::new(),
    };
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
