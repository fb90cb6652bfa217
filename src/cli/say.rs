//! What the commands tell a person on standard error: one line, `plumbline: ` first, with any
//! control character in it (from a file name, a session's source) written as an escape, so no
//! name can drive the terminal. A closed standard error is not worth a panic.

use std::io::Write as _;

use crate::format::terminal_text;

/// Writes `plumbline: <message>` as one line on standard error.
pub fn say(message: impl std::fmt::Display) {
    let text = message.to_string();
    let _ = writeln!(std::io::stderr(), "plumbline: {}", terminal_text(&text));
}

#[cfg(test)]
mod tests {
    use crate::format::terminal_text;

    #[test]
    fn a_name_with_an_escape_sequence_or_a_line_break_stays_one_harmless_line() {
        let text = format!("wrote {}", "r\u{1b}[2J\nfake.pdf");
        assert_eq!(terminal_text(&text), "wrote r\\u{1b}[2J\\nfake.pdf");
    }
}
