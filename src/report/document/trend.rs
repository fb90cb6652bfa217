//! The trend: how this session compares with the ones before it, overall and per measure,
//! against each session's local date, with the sessions' notes beside their numbers.

use super::model::{Block, Chart, Section};
use crate::format::plain_seconds;
use crate::geometry::preset::Measure;
use crate::report::charts::{TrendLine, trend_svg};
use crate::report::input::ReportInput;
use crate::report::measures::MeasureSummary;

/// One session on the trend, oldest first.
struct Point<'a> {
    /// Local start, "2026-11-25 18:40 CET".
    started: &'a str,
    duration_s: f64,
    /// The whole session's time aligned, 0 to 1.
    aligned: f64,
    measures: &'a [(Measure, f64)],
    notes: &'a str,
}

/// "82%", or "—" where the session did not measure it.
fn percent(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

/// Each session's label on the trend, from its local start "2026-11-25 18:40 CET": the month
/// and day ("11-25"), with the time ("11-25 18:40") for a day that has more than one session.
fn point_labels(started: &[&str]) -> Vec<String> {
    let day = |s: &str| s.get(5..10).unwrap_or(s).to_string();
    started
        .iter()
        .map(|s| {
            let shared = started.iter().filter(|o| day(o) == day(s)).count() > 1;
            match s.get(5..16) {
                Some(day_time) if shared => day_time.to_string(),
                _ => day(s),
            }
        })
        .collect()
}

/// The share of time aligned in this session and the ones before it, overall and per measure,
/// as a chart and a table with each session's notes.
pub(super) fn trend(input: &ReportInput<'_>) -> Section {
    let section = Section::new("trend", "Compared with earlier sessions");
    if input.history.is_empty() {
        return section.with(Block::Paragraph(
            "This is the first session: the trend starts here.".into(),
        ));
    }
    let this = MeasureSummary::aligned_shares(&input.summary.measures);
    let sessions: Vec<Point<'_>> = input
        .history
        .iter()
        .map(|h| Point {
            started: &h.started,
            duration_s: h.duration_s,
            aligned: h.aligned_fraction,
            measures: &h.measures,
            notes: &h.notes,
        })
        .chain(std::iter::once(Point {
            started: &input.session.started,
            duration_s: input.summary.duration_s,
            aligned: input.summary.time_in_state.aligned_fraction,
            measures: &this,
            notes: &input.session.notes,
        }))
        .collect();
    let of = |measures: &[(Measure, f64)], m: Measure| {
        measures.iter().find(|(k, _)| *k == m).map(|(_, v)| *v)
    };
    // The measures any of them judged and measured, in the usual order.
    let measures: Vec<Measure> = Measure::ALL
        .into_iter()
        .filter(|&m| sessions.iter().any(|s| of(s.measures, m).is_some()))
        .collect();
    let lines: Vec<TrendLine> = std::iter::once(TrendLine {
        name: "whole session".into(),
        values: sessions.iter().map(|s| Some(s.aligned)).collect(),
    })
    .chain(measures.iter().map(|&m| TrendLine {
        name: m.label().into(),
        values: sessions.iter().map(|s| of(s.measures, m)).collect(),
    }))
    .collect();
    let dates = point_labels(&sessions.iter().map(|s| s.started).collect::<Vec<_>>());
    let header: Vec<String> = ["Started", "Length", "Aligned, whole session"]
        .into_iter()
        .map(String::from)
        .chain(
            measures
                .iter()
                .map(|m| format!("{} (of its measured time)", m.label())),
        )
        .chain(["Notes".to_string()])
        .collect();
    let last = sessions.len() - 1;
    let rows = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let started = if i == last {
                format!("{} (this session)", s.started)
            } else {
                s.started.to_string()
            };
            [
                started,
                plain_seconds(s.duration_s),
                percent(Some(s.aligned)),
            ]
            .into_iter()
            .chain(measures.iter().map(|&m| percent(of(s.measures, m))))
            .chain([s.notes.trim().to_string()])
            .collect()
        })
        .collect();
    let mut section = section
        .with(Block::Charts(vec![Chart::from_svg(
            trend_svg(&lines, &dates),
            Some(
                "Time aligned in each session, at its local date (with the time when a day \
                 had more than one): the whole session (dark), and each measure the session \
                 judged, as a share of the time that measure could be measured from the view."
                    .into(),
            ),
        )]))
        .with(Block::Table { header, rows });
    if input.earlier_sessions > input.history.len() {
        section = section.with(Block::Note(format!(
            "The {} most recent of {} earlier sessions; `plumbline sessions` lists them all.",
            input.history.len(),
            input.earlier_sessions
        )));
    }
    section
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::MetricId;
    use crate::geometry::state::PostureState::{Aligned, Misaligned};
    use crate::report::input::HistoryPoint;
    use crate::report::synthetic::{input, session, standing, summary_of};

    #[test]
    fn sessions_on_the_same_day_are_told_apart_by_their_time() {
        let labels = point_labels(&[
            "2026-11-20 09:00 CET",
            "2026-12-02 09:15 CET",
            "2026-12-02 14:52 CET",
        ]);
        assert_eq!(labels, ["11-20", "12-02 09:15", "12-02 14:52"]);
    }

    #[test]
    fn each_measure_is_followed_across_sessions_with_their_dates_and_notes() {
        const MIXED: &[(MetricId, crate::geometry::state::PostureState)] = &[
            (MetricId::TrunkLeanSagittal, Aligned),
            (MetricId::HeadForward, Misaligned),
        ];
        const UPRIGHT: &[(MetricId, crate::geometry::state::PostureState)] = &[
            (MetricId::TrunkLeanSagittal, Aligned),
            (MetricId::HeadForward, Aligned),
        ];
        let samples = session(&[standing(30.0, UPRIGHT), standing(10.0, MIXED)]);
        let summary = summary_of(&samples);
        let history: Vec<HistoryPoint> = (0..3)
            .map(|i| HistoryPoint {
                id: i,
                started: format!("2026-11-{:02} 09:00 CET", 20 + i),
                duration_s: 600.0,
                aligned_fraction: 0.5,
                measures: vec![(Measure::TrunkUpright, 0.6 + 0.1 * i as f64)],
                notes: if i == 1 {
                    "sore after gardening".into()
                } else {
                    String::new()
                },
            })
            .collect();
        let mut input = input(&samples, &summary);
        input.history = &history;
        input.earlier_sessions = 15;
        let section = trend(&input);
        let Some(Block::Table { header, rows }) = section
            .blocks
            .iter()
            .find(|b| matches!(b, Block::Table { .. }))
        else {
            panic!("no table: {:?}", section.blocks);
        };
        assert_eq!(rows.len(), 4, "three earlier sessions and this one");
        let column = |name: &str| header.iter().position(|h| h.starts_with(name)).unwrap();
        let (trunk, head, notes) = (
            column("trunk upright"),
            column("head over shoulders"),
            column("Notes"),
        );
        let trunk_values: Vec<&str> = rows.iter().map(|r| r[trunk].as_str()).collect();
        assert_eq!(trunk_values, ["60%", "70%", "80%", "100%"]);
        // Head forward was judged in this session only: the earlier ones have no value for it.
        let head_values: Vec<&str> = rows.iter().map(|r| r[head].as_str()).collect();
        assert_eq!(head_values, ["—", "—", "—", "75%"]);
        assert_eq!(rows[1][notes], "sore after gardening");
        assert!(rows[3][0].ends_with("(this session)"), "{:?}", rows[3]);
        let Some(Block::Charts(charts)) = section
            .blocks
            .iter()
            .find(|b| matches!(b, Block::Charts(_)))
        else {
            panic!("no chart");
        };
        for date in ["11-20", "11-21", "11-22", "11-25"] {
            assert!(charts[0].svg.contains(&format!(">\n{date}\n<")), "{date}");
        }
        assert!(charts[0].svg.contains(">\nhead over shoulders\n<"));
        assert!(section.blocks.iter().any(
            |b| matches!(b, Block::Note(n) if n.contains("3 most recent of 15 earlier sessions"))
        ));
    }
}
