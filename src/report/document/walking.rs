//! The report's walking section, shown when the person walked: how long, how many steps, the
//! cadence over time, and the step timing between the two feet when enough steps were seen.

use super::model::{Block, Chart, Section, Tile};
use crate::format::plain_seconds;
use crate::report::charts::cadence_svg;
use crate::report::input::ReportInput;

/// The walking section, or a section with no blocks (left out of the report) when the person
/// did not walk.
pub(super) fn walking(input: &ReportInput<'_>) -> Section {
    let m = &input.summary.motion;
    let section = Section::new("walking", "Walking");
    if m.walking_s <= 0.0 {
        return section;
    }
    let g = &m.gait;
    let cadences: Vec<f64> = input
        .samples
        .iter()
        .filter_map(|s| s.cadence_spm.map(f64::from))
        .filter(|c| c.is_finite())
        .collect();
    let tiles = [
        ("Walking time", plain_seconds(m.walking_s)),
        (
            "Steps counted",
            g.steps_counted.map_or("—".into(), |n| n.to_string()),
        ),
        (
            "Cadence, median",
            median(&cadences).map_or("—".into(), |c| format!("{c:.0} steps/min")),
        ),
        (
            "Step time, median",
            g.step_time_s.map_or("—".into(), |t| format!("{t:.2} s")),
        ),
    ];
    let timing = [
        match g.step_time_asymmetry_pct {
            Some(pct) => format!(
                "Step-time asymmetry between the two feet: {pct:.1}% (how far apart the two \
                 feet's mean step times are, as a share of the mean step time)."
            ),
            None => format!(
                "Step-time asymmetry between the two feet: not measured. {}",
                sentence(g.step_time_asymmetry_note.as_deref())
            ),
        },
        match g.step_time_cv_pct {
            Some(pct) => format!(
                "Step-time variability: {pct:.1}% (how much each foot's step time varies \
                 around its own mean, as a share of the mean step time)."
            ),
            None => format!(
                "Step-time variability: not measured. {}",
                sentence(g.step_time_cv_note.as_deref())
            ),
        },
    ];
    section
        .with(Block::Tiles(
            tiles
                .into_iter()
                .map(|(label, value)| Tile {
                    value,
                    label: label.into(),
                })
                .collect(),
        ))
        .with(Block::Charts(vec![Chart::from_svg(
            cadence_svg(input.samples),
            Some(
                "Walking cadence over the session; gaps are times the person did not walk.".into(),
            ),
        )]))
        .with(Block::List(timing.to_vec()))
        .with(Block::Note(
            "Step times come from steady walking only, and the feet are not named: in side \
             views the pose model now and then swaps left and right. Walking speed and step \
             length are not reported: from one camera they need a known scale (a measured \
             distance in the picture)."
                .into(),
        ))
}

/// A note as a sentence: capitalised, with a full stop.
fn sentence(note: Option<&str>) -> String {
    let note = note.unwrap_or("it could not be measured");
    let mut chars = note.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

/// The middle value of `values`, if any (the upper middle for an even count).
fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::super::{Block, build};
    use crate::report::summary::{Summary, SummaryBuilder};
    use crate::report::synthetic::{self, session, standing, walking};
    use crate::session::Sample;

    /// The summary of `samples` with a step every `step_s` while walking.
    fn summary(samples: &[Sample], step_s: f64) -> Summary {
        let mut b = SummaryBuilder::default();
        let mut next_ms = 0.0;
        for s in samples {
            b.push(s);
            if s.cadence_spm.is_some() && s.t_ms >= next_ms {
                b.push_step(s.t_ms);
                next_ms = s.t_ms + step_s * 1000.0;
            }
        }
        b.finish("clip.mp4", "full", None)
    }

    fn sections(samples: &[Sample], summary: &Summary) -> Vec<super::super::Section> {
        let input = synthetic::input(samples, summary);
        build(&input).sections
    }

    fn text(section: &super::super::Section) -> String {
        section
            .blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(t) | Block::Note(t) => t.clone(),
                Block::List(items) => items.join("\n"),
                Block::Tiles(tiles) => tiles
                    .iter()
                    .map(|t| format!("{}: {}", t.label, t.value))
                    .collect::<Vec<_>>()
                    .join("\n"),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_walk_has_its_section_with_the_cadence_chart_and_step_timing() {
        // Standing 10 s, then walking 30 s at 100 steps/min: a step every 0.6 s.
        let samples = session(&[standing(10.0, &[]), walking(30.0, 100.0, &[])]);
        let summary = summary(&samples, 0.6);
        let sections = sections(&samples, &summary);
        let ids: Vec<&str> = sections.iter().map(|s| s.id).collect();
        let at = ids
            .iter()
            .position(|&id| id == "walking")
            .expect("a walking section");
        assert_eq!(ids[at - 1], "timeline", "{ids:?}");
        let walking = &sections[at];
        let Some(Block::Charts(charts)) = walking
            .blocks
            .iter()
            .find(|b| matches!(b, Block::Charts(_)))
        else {
            panic!("no chart: {:?}", walking.blocks);
        };
        assert!(charts[0].svg.contains("cadence (steps/min)"));
        let said = text(walking);
        for expected in [
            "Walking time: 30 s",
            "Steps counted: 50",
            "Cadence, median: 100 steps/min",
            "Step time, median: 0.60 s",
            "Step-time asymmetry between the two feet: 0.0%",
            "Step-time variability: 0.0%",
            "need a known scale",
        ] {
            assert!(said.contains(expected), "{expected}: {said}");
        }
        assert!(!said.contains("left") || said.contains("swaps left and right"));
    }

    #[test]
    fn a_short_walk_says_why_its_step_timing_is_missing() {
        // 8 s at 100 steps/min: 13 steps, 12 step times.
        let samples = session(&[standing(5.0, &[]), walking(7.8, 100.0, &[])]);
        let summary = summary(&samples, 0.6);
        let sections = sections(&samples, &summary);
        let walking = sections.iter().find(|s| s.id == "walking").unwrap();
        let said = text(walking);
        assert!(
            said.contains(
                "Step-time asymmetry between the two feet: not measured. 12 steps of the 13 \
                 seen were timed in steady walking; step-time asymmetry needs about 14 to mean \
                 anything."
            ),
            "{said}"
        );
        assert!(said.contains("variability needs about 26"), "{said}");
    }

    #[test]
    fn standing_still_has_no_walking_section() {
        let samples = session(&[standing(30.0, &[])]);
        let summary = summary(&samples, 0.6);
        let sections = sections(&samples, &summary);
        assert!(sections.iter().all(|s| s.id != "walking"));
        assert!(sections.iter().all(|s| !s.blocks.is_empty()));
    }
}
