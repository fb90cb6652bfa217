//! The report's content, built once from the session ([`build`]) into a plain [`Document`]
//! that the HTML and PDF renderers draw: what the report says is decided here only.
//!
//! Adding a section: write a function `fn name(input: &ReportInput) -> Section` in
//! `sections.rs` (or a file of its own beside it) and add it to the list in [`build`].

mod model;
mod sections;

pub use model::{Block, Chart, Document, Figure, Section, Tile};
pub use sections::longest_run_s;

use crate::format::plain_seconds;
use crate::report::input::ReportInput;

/// The report of `input`, section by section, in reading order.
pub fn build(input: &ReportInput<'_>) -> Document {
    let info = &input.session;
    let sections = vec![
        sections::headline(input),
        sections::timeline(input),
        sections::distributions(input),
        sections::moments(input),
        sections::trend(input),
    ];
    Document {
        title: format!("Posture session {}", info.id),
        meta: vec![
            info.started.clone(),
            plain_seconds(input.summary.duration_s),
            info.source.clone(),
            format!("model {}", info.model),
            info.status.clone(),
        ],
        notes: (!info.notes.is_empty()).then(|| info.notes.clone()),
        label: input
            .label
            .as_ref()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty()),
        sections,
        footer: "Made by plumbline on this computer; nothing in it was sent anywhere.".into(),
    }
}
