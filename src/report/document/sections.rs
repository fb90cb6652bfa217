//! The report's sections, one function each, from the report's input to a [`Section`]:
//! the headline numbers, the timeline, the distributions and the trend (the worst moments are
//! in `keyframes.rs`).

use super::model::{Block, Chart, Section, Tile};
use crate::format::plain_seconds;
use crate::geometry::MetricId;
use crate::geometry::state::PostureState;
use crate::report::advice;
use crate::report::charts::{histogram_svg, timeline_svg};
use crate::report::input::ReportInput;
use crate::session::Sample;

/// The longest run of consecutive samples in `state`, in seconds.
pub fn longest_run_s(samples: &[Sample], state: PostureState) -> f64 {
    let (mut best, mut start): (f64, Option<f64>) = (0.0, None);
    for s in samples {
        if s.state == state {
            let st = *start.get_or_insert(s.t_ms);
            best = best.max((s.t_ms - st) / 1000.0);
        } else {
            start = None;
        }
    }
    best
}

fn number(v: Option<f64>, unit: &str, digits: usize) -> String {
    v.filter(|v| v.is_finite())
        .map_or("—".to_string(), |v| format!("{v:.digits$}{unit}"))
}

/// The answer first: how the session went in plain words, what was judged against what, and
/// up to three things to work on, ranked by the time they cost.
pub(super) fn summary(input: &ReportInput<'_>) -> Section {
    let s = input.summary;
    let mut section = Section::new("summary", "Summary")
        .with(Block::Paragraph(advice::overview(s)))
        .with(Block::Paragraph(advice::judged_with(s, &input.reference)));
    let items: Vec<String> = advice::work_on(s).into_iter().map(|w| w.text).collect();
    section = if items.is_empty() {
        section.with(Block::Paragraph(advice::nothing_to_work_on(s)))
    } else {
        section
            .with(Block::Paragraph("What to work on, most time first:".into()))
            .with(Block::List(items))
    };
    section
}

/// Per measure: the time aligned, drifting and misaligned, and the typical value with the
/// range it kept to nearly all the time, in one sign convention.
pub(super) fn measures(input: &ReportInput<'_>) -> Section {
    let s = input.summary;
    // Shares of the time the measure was judged, as the summary's sentences give them.
    let share = |t: f64, of: f64| format!("{} ({}%)", plain_seconds(t), advice::percent(t / of));
    let rows: Vec<Vec<String>> = s
        .measures
        .iter()
        .filter(|m| m.judged)
        .map(|m| {
            let times = match &m.time {
                // Judged, but never measurable from the views the session saw.
                Some(t) if t.aligned_s + t.drifting_s + t.misaligned_s <= 0.0 => {
                    vec!["not measured".into(), "—".into(), "—".into()]
                }
                Some(t) => vec![
                    share(t.aligned_s, t.measured_s()),
                    share(t.drifting_s, t.measured_s()),
                    share(t.misaligned_s, t.measured_s()),
                ],
                None => vec!["—".into(), "—".into(), "—".into()],
            };
            let typical: Vec<String> = m
                .values
                .iter()
                .filter_map(|(key, stats)| {
                    let id = MetricId::from_key(key)?;
                    let st = stats.as_ref()?;
                    let k = f64::from(id.unit().display_scale());
                    let unit = id.unit().short_suffix();
                    Some(format!(
                        "{}: {:+.1}{unit} ({:+.1} to {:+.1})",
                        id.label(),
                        st.median * k,
                        st.p5 * k,
                        st.p95 * k
                    ))
                })
                .collect();
            let typical = if typical.is_empty() {
                "not measured from the views seen".to_string()
            } else {
                typical.join("; ")
            };
            let error = super::per_measure::error_band(
                input.samples,
                m.measure,
                &input.reference,
                input.judged_by.baseline.as_ref(),
            );
            [
                vec![m.measure.label().to_string()],
                times,
                vec![typical, error],
            ]
            .concat()
        })
        .collect();
    let mut section = Section::new("measures", "Each measure");
    if rows.is_empty() {
        return section.with(Block::Paragraph(
            "No measure was judged in this session.".into(),
        ));
    }
    section = section.with(Block::Table {
        header: [
            "Measure",
            "Aligned",
            "Drifting",
            "Misaligned",
            "Typical value (nearly always within)",
            "Typical error",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
    if let Some(note) = &s.measures_note {
        section = section.with(Block::Note(note.clone()));
    }
    section
        .with(Block::Note(
            "Aligned, drifting and misaligned: seconds, and their share of the time the measure \
             was judged (not of the whole session: another activity, a view that cannot \
             measure it, or nobody in the picture leaves it unjudged)."
                .into(),
        ))
        .with(Block::Note(super::per_measure::ERROR_NOTE.into()))
}

/// "At a glance": what was judged, the headline numbers and the time in each state.
pub(super) fn headline(input: &ReportInput<'_>) -> Section {
    let s = input.summary;
    let t = &s.time_in_state;
    let aligned = t.aligned_fraction * 100.0;
    // Each measure's typical value is in the measures table, over the frames it was judged
    // on; a tile over every frame would give a second, different "typical" for the same thing.
    let tiles = [
        ("Time aligned", format!("{aligned:.0}%")),
        (
            "Time misaligned",
            format!(
                "{} ({:.0}%)",
                plain_seconds(t.misaligned_s),
                t.misaligned_fraction * 100.0
            ),
        ),
        (
            "Posture checked (a person seen and judged)",
            format!(
                "{} of {}",
                plain_seconds(s.duration_s - t.unknown_s),
                plain_seconds(s.duration_s)
            ),
        ),
        (
            "Longest misaligned stretch",
            plain_seconds(longest_run_s(input.samples, PostureState::Misaligned)),
        ),
        ("Sudden movements", s.motion.sudden_movements.to_string()),
        ("Reminders to move", s.motion.move_reminders.to_string()),
        (
            "Posture alerts (as the app raises them)",
            s.posture_alerts.to_string(),
        ),
        (
            if s.motion.cadence_spm.is_some() {
                "Walking cadence"
            } else {
                "Walking cadence (no walking of four steps or more was seen)"
            },
            number(s.motion.cadence_spm, " steps/min", 0),
        ),
    ];
    let judged = s.preset.as_ref().map_or_else(
        || "not recorded (a session from before plumbline kept it)".to_string(),
        |p| p.describe(),
    );
    let states = [
        PostureState::Aligned,
        PostureState::Drifting,
        PostureState::Misaligned,
        PostureState::Unknown,
    ]
    .into_iter()
    .map(|st| (st, s.time_in_state_fraction(st)))
    .filter(|(_, f)| *f > 0.0)
    .collect();
    Section::new("headline", "At a glance")
        .with(Block::Paragraph(format!("Judged: {judged}")))
        .with(Block::Tiles(
            tiles
                .into_iter()
                .map(|(label, value)| Tile {
                    value,
                    label: label.to_string(),
                })
                .collect(),
        ))
        .with(Block::StateBar(states))
}

/// The lean over the session with the state beneath it.
pub(super) fn timeline(input: &ReportInput<'_>) -> Section {
    Section::new("timeline", "Timeline").with(Block::Charts(vec![Chart::from_svg(
        timeline_svg(input.samples, &input.summary.misaligned_stretches),
        Some(
            "Trunk lean over the session (sideways from the front or half turned, forward \
             side-on); the band below shows the posture state (green aligned, amber drifting, \
             red misaligned, grey unknown), and the marks above it, in the colours of the \
             legend, the measure that drove each misaligned stretch (named where there is \
             room)."
                .into(),
        ),
    )]))
}

/// A histogram per judged metric, over the frames it was judged on (as the measures table's
/// typical values; every frame it was measured on for a session stored before levels), so a
/// metric the view or the activity left unjudged draws none.
pub(super) fn distributions(input: &ReportInput<'_>) -> Section {
    let charts = MetricId::judged()
        .filter_map(|id| {
            let scale = f64::from(id.unit().display_scale());
            let values: Vec<f64> = input
                .samples
                .iter()
                .filter(|s| s.levels.is_none_or(|l| l.get(id) != PostureState::Unknown))
                .filter_map(|s| s.metrics.as_ref().and_then(|m| m.get(id)))
                .map(|v| f64::from(v) * scale)
                .collect();
            let label = format!("{} ({})", id.label(), id.unit().short_suffix().trim());
            // Each frame lasts the session's span over its frames.
            let frames = input.samples.len().saturating_sub(1).max(1) as f64;
            let frame_s = input.summary.duration_s / frames;
            (!values.is_empty())
                .then(|| Chart::from_svg(histogram_svg(&values, frame_s, &label), None))
        })
        .collect();
    Section::new("distributions", "Distributions").with(Block::Charts(charts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::state::PostureState::{Aligned, Unknown};
    use crate::report::synthetic::{input, session, standing, summary_of};

    /// A metric measured but never judged (the view or the activity left it out) draws no
    /// histogram: the report does not show a spread it did not judge.
    #[test]
    fn only_judged_frames_make_a_distribution() {
        const PARTS: &[(MetricId, PostureState)] = &[
            (MetricId::TrunkLeanSagittal, Aligned),
            (MetricId::HeadForward, Unknown),
        ];
        let samples = session(&[standing(20.0, PARTS)]);
        assert!(
            samples[0]
                .metrics
                .unwrap()
                .get(MetricId::HeadForward)
                .is_some()
        );
        let summary = summary_of(&samples);
        let section = distributions(&input(&samples, &summary));
        let Some(Block::Charts(charts)) = section.blocks.first() else {
            panic!("{:?}", section.blocks);
        };
        assert_eq!(charts.len(), 1, "the trunk's only");
        assert!(charts[0].svg.contains("trunk lean"));
    }
}
