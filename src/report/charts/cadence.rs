//! The walking cadence over the session: one line per stretch of walking, gaps where the
//! person stood, sat or was not seen. Pure: samples in, an SVG string out.

use plotters::prelude::*;

use super::{MAX_LINE_POINTS, TimeChart, bucket_means};
use crate::session::Sample;

/// The cadence's stretches of walking, (time s, steps/min), averaged into at most
/// [`MAX_LINE_POINTS`] points in all.
pub(in crate::report) fn cadence_runs(samples: &[Sample]) -> Vec<Vec<(f64, f64)>> {
    let walking = samples.iter().filter(|s| s.cadence_spm.is_some()).count();
    let per = walking.div_ceil(MAX_LINE_POINTS).max(1);
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut flush = |run: &mut Vec<(f64, f64)>| {
        if !run.is_empty() {
            runs.push(bucket_means(run, per));
            run.clear();
        }
    };
    for s in samples {
        match s.cadence_spm.filter(|c| c.is_finite()) {
            Some(c) => run.push((s.t_ms / 1000.0, f64::from(c))),
            None => flush(&mut run),
        }
    }
    flush(&mut run);
    runs
}

/// Steps per minute over the session, each stretch of walking a line of its own.
pub(in crate::report) fn cadence_svg(samples: &[Sample]) -> String {
    let end_s = samples.last().map_or(1.0, |s| (s.t_ms / 1000.0).max(1.0));
    let runs = cadence_runs(samples);
    let (lo, hi) = runs
        .iter()
        .flatten()
        .fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            (lo.min(p.1), hi.max(p.1))
        });
    // Tens of steps/min around what was walked, at least 40 wide.
    let (lo, hi) = if lo > hi { (60.0, 140.0) } else { (lo, hi) };
    let lo = ((lo - 10.0) / 10.0).floor().max(0.0) * 10.0;
    let hi = (((hi + 10.0) / 10.0).ceil() * 10.0).max(lo + 40.0);
    let y_label = |v: &f64| format!("{v:.0}");
    let axes = TimeChart {
        height: 240,
        end_s,
        y: lo..hi,
        y_desc: "cadence (steps/min)".into(),
        y_labels: 5,
        y_label: &y_label,
        margin_top: 12,
    };
    axes.draw(|_, chart| {
        for run in runs {
            // A stretch too short for a line still shows as a dot.
            if let [only] = run[..] {
                let _ = chart.draw_series([Circle::new(only, 3, RGBColor(30, 80, 200).filled())]);
            } else {
                let _ =
                    chart.draw_series(LineSeries::new(run, RGBColor(30, 80, 200).stroke_width(2)));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::synthetic::{session, standing, walking};

    #[test]
    fn each_stretch_of_walking_is_a_line_of_its_own() {
        // Walking 0–20 s at 100, standing 20–30 s, walking 30–40 s at 120.
        let samples = session(&[
            walking(20.0, 100.0, &[]),
            standing(10.0, &[]),
            walking(10.0, 120.0, &[]),
        ]);
        let runs = cadence_runs(&samples);
        assert_eq!(runs.len(), 2);
        assert!(runs[0].iter().all(|p| p.1 == 100.0 && p.0 < 20.0));
        assert!(runs[1].iter().all(|p| p.1 == 120.0 && p.0 >= 30.0));
        let svg = cadence_svg(&samples);
        assert!(svg.contains("cadence (steps/min)") && svg.contains("(min:s)"));
        assert!(svg.contains(">\n0:30\n<"), "time as min:s");
        // Two polylines: the gap is not bridged.
        assert_eq!(svg.matches(r##"stroke="#1E50C8""##).count(), 2, "{svg}");
    }

    #[test]
    fn an_hour_of_walking_draws_as_a_few_thousand_points() {
        let hour: Vec<Sample> = session(&[walking(3600.0, 110.0, &[])]);
        let points: usize = cadence_runs(&hour).iter().map(Vec::len).sum();
        assert!(points <= MAX_LINE_POINTS, "{points}");
    }
}
