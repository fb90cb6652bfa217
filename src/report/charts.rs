//! The report's charts as inline SVG (plotters): the lean over time with the state beneath it,
//! a histogram per metric, and the trend across sessions. Pure: data in, an SVG string out.

use plotters::prelude::*;

use crate::geometry::MetricId;
use crate::geometry::state::PostureState;
use crate::session::Sample;

/// The colour of a posture state, in the charts and the page's state bar.
pub(super) fn state_colour(s: PostureState) -> RGBColor {
    match s {
        PostureState::Aligned => RGBColor(46, 160, 67),
        PostureState::Drifting => RGBColor(230, 160, 20),
        PostureState::Misaligned => RGBColor(210, 50, 50),
        PostureState::Unknown => RGBColor(190, 190, 190),
    }
}

/// Points a chart line needs at most: more than the pixels across, fewer than an hour of frames.
const MAX_LINE_POINTS: usize = 1500;

/// The lean over time, averaged into at most [`MAX_LINE_POINTS`] buckets.
fn lean_line(samples: &[Sample]) -> Vec<(f64, f64)> {
    let points: Vec<(f64, f64)> = samples
        .iter()
        .filter_map(|s| {
            s.metrics
                .and_then(|m| {
                    m.get(MetricId::TrunkLeanFrontal)
                        .or(m.get(MetricId::TrunkLeanSagittal))
                })
                .map(|l| (s.t_ms / 1000.0, l as f64))
        })
        .collect();
    let per = points.len().div_ceil(MAX_LINE_POINTS).max(1);
    points
        .chunks(per)
        .map(|c| {
            let n = c.len() as f64;
            (
                c.iter().map(|p| p.0).sum::<f64>() / n,
                c.iter().map(|p| p.1).sum::<f64>() / n,
            )
        })
        .collect()
}

/// Runs of one state: (start s, end s, state).
fn state_runs(samples: &[Sample]) -> Vec<(f64, f64, PostureState)> {
    let mut runs: Vec<(f64, f64, PostureState)> = Vec::new();
    for w in samples.windows(2) {
        let (a, b, st) = (w[0].t_ms / 1000.0, w[1].t_ms / 1000.0, w[0].state);
        match runs.last_mut() {
            Some(last) if last.2 == st => last.1 = b,
            _ => runs.push((a, b, st)),
        }
    }
    runs
}

/// The trunk lean over the session (frontal, or sagittal side-on), with the posture state as a
/// coloured band beneath.
pub(super) fn timeline_svg(samples: &[Sample]) -> String {
    let mut svg = String::new();
    let end_s = samples.last().map_or(1.0, |s| (s.t_ms / 1000.0).max(1.0));
    let leans = lean_line(samples);
    let max_abs = leans
        .iter()
        .map(|(_, l)| l.abs())
        .fold(10.0, f64::max)
        .ceil();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 260)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(45)
            .build_cartesian_2d(0.0..end_s, -max_abs..max_abs);
        if let Ok(mut chart) = chart {
            let _ = chart
                .configure_mesh()
                .x_desc("time (s)")
                .y_desc("trunk lean (°)")
                .light_line_style(WHITE.mix(0.0))
                .draw();
            // The state as a coloured band along the bottom, one rectangle per run.
            let band = max_abs * 0.08;
            let _ = chart.draw_series(state_runs(samples).into_iter().map(|(a, b, st)| {
                Rectangle::new(
                    [(a, -max_abs), (b, -max_abs + band)],
                    state_colour(st).filled(),
                )
            }));
            let _ = chart.draw_series(LineSeries::new(
                leans,
                RGBColor(30, 80, 200).stroke_width(2),
            ));
            let _ = chart.draw_series(LineSeries::new([(0.0, 0.0), (end_s, 0.0)], BLACK.mix(0.4)));
        }
        let _ = root.present();
    }
    svg
}

/// How often each value of one metric occurred, in 24 bins.
pub(super) fn histogram_svg(values: &[f64], label: &str) -> String {
    let mut svg = String::new();
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    const BINS: usize = 24;
    let width = (hi - lo) / BINS as f64;
    let mut counts = [0u32; BINS];
    for &v in values {
        counts[(((v - lo) / width) as usize).min(BINS - 1)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1);
    {
        let root = SVGBackend::with_string(&mut svg, (420, 200)).into_drawing_area();
        let _ = root.fill(&WHITE);
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(35)
            .build_cartesian_2d(lo..hi, 0u32..top)
        {
            let _ = chart
                .configure_mesh()
                .x_desc(label)
                .y_desc("frames")
                .light_line_style(WHITE.mix(0.0))
                .draw();
            let _ = chart.draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let x0 = lo + i as f64 * width;
                Rectangle::new(
                    [(x0, 0), (x0 + width, c)],
                    RGBColor(30, 80, 200).mix(0.7).filled(),
                )
            }));
        }
        let _ = root.present();
    }
    svg
}

/// The share of time aligned per session, `aligned_fractions` oldest first (this one last).
pub(super) fn trend_svg(aligned_fractions: &[f64]) -> String {
    let mut svg = String::new();
    let points: Vec<(f64, f64)> = aligned_fractions
        .iter()
        .map(|f| f * 100.0)
        .enumerate()
        .map(|(i, v)| (i as f64, v))
        .collect();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 200)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let n = points.len().max(2) as f64 - 1.0;
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(45)
            .build_cartesian_2d(-0.2..n + 0.2, 0.0..100.0)
        {
            let _ = chart
                .configure_mesh()
                .x_desc("session (oldest → this one)")
                .y_desc("time aligned (%)")
                .draw();
            let _ = chart.draw_series(LineSeries::new(
                points.clone(),
                RGBColor(46, 160, 67).stroke_width(2),
            ));
            let _ = chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 4, RGBColor(46, 160, 67).filled())),
            );
        }
        let _ = root.present();
    }
    svg
}

#[cfg(test)]
pub(super) mod tests {
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
        assert!(timeline_svg(&hour).len() < 1_000_000);
    }
}
