//! The report's content, built once from the session ([`build`]) into a plain [`Document`]
//! that the HTML and PDF renderers draw: what the report says is decided here only.
//!
//! Adding a section: write a function `fn name(input: &ReportInput) -> Section` in
//! `sections.rs` (or a file of its own beside it) and add it to the list in [`build`].

mod keyframes;
mod model;
mod per_measure;
mod sections;
mod trend;
mod walking;

pub use model::{Block, Chart, Document, Figure, Section, Tile};
pub use sections::longest_run_s;

use crate::format::plain_seconds;
use crate::report::input::ReportInput;
use crate::report::summary::Summary;

/// The goal after the session's length, "10 min goal" and "reached", or nothing without one.
fn goal(s: &Summary) -> Vec<String> {
    let Some(goal_s) = s.goal_s else {
        return Vec::new();
    };
    let outcome = if s.goal_reached == Some(true) {
        "reached"
    } else {
        "not reached"
    };
    vec![
        format!("{} goal", plain_seconds(goal_s)),
        outcome.to_string(),
    ]
}

/// The report of `input`, section by section, in reading order.
pub fn build(input: &ReportInput<'_>) -> Document {
    let info = &input.session;
    let mut sections = vec![
        sections::summary(input),
        sections::measures(input),
        sections::headline(input),
        sections::timeline(input),
        walking::walking(input),
        per_measure::timelines(input),
        sections::distributions(input),
        keyframes::moments(input),
        trend::trend(input),
    ];
    // A section with nothing to say (walking, when the person did not walk) is left out.
    sections.retain(|s| !s.blocks.is_empty());
    Document {
        title: format!("Posture session {}", info.id),
        meta: [
            info.started.clone(),
            plain_seconds(input.summary.duration_s),
        ]
        .into_iter()
        .chain(goal(input.summary))
        .chain([
            info.source.clone(),
            format!("model {}", info.model),
            info.status.clone(),
        ])
        .collect(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::samples;
    use crate::report::summary::SummaryBuilder;
    use crate::report::synthetic::input;

    #[test]
    fn the_header_says_the_goal_and_whether_it_was_reached() {
        let samples = samples();
        let header = |goal_s: Option<f64>| {
            let mut b = SummaryBuilder::default();
            for s in &samples {
                b.push(s);
            }
            b.set_goal(goal_s);
            let summary = b.finish("clip.mp4", "full", None);
            let input = input(&samples, &summary);
            build(&input).meta.join(" · ")
        };
        // The samples span 30 s.
        let reached = header(Some(20.0));
        assert!(
            reached.contains("UTC · 30 s · 20 s goal · reached · clip.mp4"),
            "{reached}"
        );
        let short = header(Some(600.0));
        assert!(
            short.contains("UTC · 30 s · 10 min goal · not reached · clip.mp4"),
            "{short}"
        );
        assert_eq!(
            header(None),
            "2026-11-25 17:40 UTC · 30 s · clip.mp4 · model full · complete"
        );
    }
}

#[cfg(test)]
mod first_page {
    use super::*;
    use crate::geometry::MetricId;
    use crate::geometry::state::PostureState::{Aligned, Misaligned};
    use crate::report::synthetic::{input, session, standing, summary_of};

    /// The report opens with the answer: the summary and what to work on, then each measure's
    /// times, before the headline numbers and the charts.
    #[test]
    fn the_report_opens_with_the_summary_and_what_to_work_on() {
        const UPRIGHT: &[(MetricId, crate::geometry::state::PostureState)] =
            &[(MetricId::TrunkLeanSagittal, Aligned)];
        const LEANING: &[(MetricId, crate::geometry::state::PostureState)] =
            &[(MetricId::TrunkLeanSagittal, Misaligned)];
        // 20 s unjudged (nobody seen): the table's shares are of the 80 s judged.
        let samples = session(&[
            standing(60.0, UPRIGHT),
            standing(20.0, LEANING),
            standing(20.0, &[]),
        ]);
        let summary = summary_of(&samples);
        let input = input(&samples, &summary);
        let doc = build(&input);
        let ids: Vec<&str> = doc.sections.iter().map(|s| s.id).collect();
        assert_eq!(&ids[..3], ["summary", "measures", "headline"]);
        let summary = &doc.sections[0];
        let Some(Block::List(items)) = summary.blocks.iter().find(|b| matches!(b, Block::List(_)))
        else {
            panic!("no work-on list: {:?}", summary.blocks);
        };
        assert_eq!(items.len(), 1, "{items:?}");
        assert!(
            items[0].starts_with("Trunk upright: misaligned for 20 s"),
            "{items:?}"
        );
        let Some(Block::Table { rows, .. }) = doc.sections[1].blocks.first() else {
            panic!("no table: {:?}", doc.sections[1].blocks);
        };
        let trunk = rows.iter().find(|r| r[0] == "trunk upright").unwrap();
        assert!(trunk[3].starts_with("20 s (25%)"), "{trunk:?}");
        // A measure the views never measured says so rather than "0 s (0%)".
        let level = rows.iter().find(|r| r[0] == "level shoulders").unwrap();
        assert_eq!(level[1], "not measured");
    }
}
