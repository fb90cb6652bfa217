//! The charts' text, axes and size.

use super::*;
use crate::geometry::metrics::Metrics;

/// Thirty seconds of a slow sway at 10 fps, its state following the lean.
pub(in crate::report) fn samples() -> Vec<Sample> {
    (0..300u64)
        .map(|i| {
            let lean = 12.0 * (i as f32 / 40.0).sin();
            let state = match lean.abs() {
                l if l < 5.0 => PostureState::Aligned,
                l if l < 10.0 => PostureState::Drifting,
                _ => PostureState::Misaligned,
            };
            Sample {
                frame: i,
                t_ms: i as f64 * 100.0,
                person: true,
                metrics: Some(
                    Metrics::default()
                        .with(MetricId::TrunkLeanFrontal, lean)
                        .with(MetricId::ShoulderHipOffset, lean / 100.0),
                ),
                state,
                cadence_spm: None,
                levels: None,
                cue: None,
            }
        })
        .collect()
}

/// Every font size in an SVG, in pixels.
fn font_sizes(svg: &str) -> Vec<f64> {
    svg.split("font-size=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.trim_end_matches("px").parse().ok())
        .collect()
}

#[test]
fn axis_text_is_legible_with_units_and_time_in_minutes_and_seconds() {
    let samples = samples();
    let timeline = timeline_svg(&samples, &[]);
    let values: Vec<f64> = (0..300).map(|i| f64::from(i % 17)).collect();
    let histogram = histogram_svg(&values, 0.1, "trunk lean (°)");
    let trend = trend_svg(
        &[
            TrendLine {
                name: "whole session".into(),
                values: vec![Some(0.4), Some(0.6), Some(0.7)],
            },
            TrendLine {
                name: "trunk upright".into(),
                values: vec![None, Some(0.8), Some(0.9)],
            },
        ],
        &["11-20".into(), "11-23".into(), "11-25".into()],
    );
    for (name, svg) in [
        ("timeline", &timeline),
        ("histogram", &histogram),
        ("trend", &trend),
    ] {
        let sizes = font_sizes(svg);
        assert!(!sizes.is_empty(), "{name}: no text");
        assert!(sizes.iter().all(|&px| px >= 12.0), "{name}: {sizes:?}");
    }
    assert!(
        timeline.contains("(min:s)") && timeline.contains(">\n0:10\n<"),
        "time as min:s"
    );
    assert!(
        histogram.contains("time (s)"),
        "histograms count seconds, not frames"
    );
    for date in ["11-20", "11-23", "11-25"] {
        assert!(
            trend.contains(&format!(">\n{date}\n<")),
            "the trend's dates: {date}"
        );
    }
    assert!(
        trend.contains(">\ntrunk upright\n<"),
        "each measure's line is named"
    );
    // No fractional session numbers on the trend's axis.
    assert!(!trend.contains(">\n-0.2\n<") && !trend.contains(">\n0.5\n<"));
    assert!(
        !trend.contains(">\n1.0\n<") && !trend.contains(">\n2\n<"),
        "{trend}"
    );
}

/// The text of each label under a chart's time axis, in order.
fn time_labels(svg: &str) -> Vec<String> {
    svg.split(">\n")
        .skip(1)
        .filter_map(|rest| rest.split("\n<").next())
        .filter(|t| {
            t.split_once(':')
                .is_some_and(|(m, s)| m.parse::<u32>().is_ok() && s.len() == 2)
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn time_axes_are_labelled_at_round_times_none_twice() {
    assert_eq!(time_ticks(1.5), [0.0, 1.0]);
    assert_eq!(
        time_ticks(15.0),
        [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0]
    );
    assert_eq!(time_ticks(3600.0).len(), 7, "every ten minutes");
    assert!(time_ticks(36_000.0).len() <= 10, "ten hours");
    for secs in [1.2, 2.5, 7.0, 15.0, 61.0, 600.0, 3600.0] {
        let samples: Vec<Sample> = samples()
            .into_iter()
            .map(|mut s| {
                s.t_ms *= secs / 30.0;
                s
            })
            .collect();
        let labels = time_labels(&timeline_svg(&samples, &[]));
        let mut distinct = labels.clone();
        distinct.dedup();
        assert!(labels.len() >= 2, "{secs} s: {labels:?}");
        assert_eq!(distinct, labels, "{secs} s: a label twice");
    }
}

#[test]
fn an_hour_of_frames_draws_as_a_few_thousand_shapes() {
    let hour: Vec<Sample> = (0..108_000u64)
        .map(|i| {
            let mut s = samples()[(i % 300) as usize].clone();
            s.t_ms = i as f64 * 1000.0 / 30.0;
            s
        })
        .collect();
    assert!(lean_line(&hour).len() <= MAX_LINE_POINTS);
    let runs = state_runs(&hour);
    // A debounced state changes at most once a second: 3600 runs an hour at worst.
    assert!(runs.len() < 5000, "{} runs", runs.len());
    assert!(
        runs.windows(2)
            .all(|w| w[0].2 != w[1].2 && (w[0].1 - w[1].0).abs() < 1e-9)
    );
    assert!(timeline_svg(&hour, &[]).len() < 1_000_000);
}

#[test]
fn the_trend_labels_its_sessions_without_overlap_and_always_this_one() {
    let dates = |n: usize, text: &str| vec![text.to_string(); n];
    assert_eq!(session_ticks(&dates(3, "11-20")), [0.0, 1.0, 2.0]);
    // Thirteen sessions with their times: every other one, counted back from this session.
    let ticks = session_ticks(&dates(13, "12-02 15:44"));
    assert_eq!(ticks.last(), Some(&12.0));
    assert!(ticks.len() < 13 && ticks.len() >= 5, "{ticks:?}");
    let svg = trend_svg(
        &[TrendLine {
            name: "whole session".into(),
            values: vec![Some(0.5); 13],
        }],
        &dates(13, "12-02 15:44"),
    );
    assert_eq!(svg.matches(">\n12-02 15:44\n<").count(), ticks.len());
}
