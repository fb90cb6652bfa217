//! The report's charts as inline SVG (plotters): the lean over time with the state beneath it,
//! a histogram per metric, and the trend across sessions. Pure: data in, an SVG string out.

mod cadence;
mod drivers;
mod measure;

pub(super) use cadence::cadence_svg;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

#[cfg(test)]
pub(super) use drivers::measure_colour;
pub(super) use measure::{BandEdges, band_edges, measure_svg};

use crate::geometry::MetricId;
use crate::geometry::state::PostureState;
use crate::report::measures::MisalignedStretch;
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

/// Axis text: at least 12 px at 100% zoom (plotters writes a size of 16 as 12.9 px in SVG).
const AXIS_TEXT: (&str, u32) = ("sans-serif", 16);
/// Axis titles, a little larger than the tick labels.
const AXIS_TITLE: (&str, u32) = ("sans-serif", 17);

/// "1:05": seconds as minutes and seconds, for a time axis.
fn min_s(s: &f64) -> String {
    crate::format::clock(std::time::Duration::from_secs_f64(s.max(0.0)))
}

/// A value axis's labels, whole numbers, left blank below `lo`: the strips drawn under a
/// chart's values have no value to read.
fn labels_from(lo: f64) -> impl Fn(&f64) -> String {
    move |v| {
        if *v < lo {
            String::new()
        } else {
            format!("{v:.0}")
        }
    }
}

/// A chart against time into the session: what the timeline, the cadence and each measure's
/// chart share. `y` the value axis's range, its title and labels as given.
struct TimeChart<'a> {
    height: u32,
    end_s: f64,
    y: std::ops::Range<f64>,
    y_desc: String,
    /// How many value labels plotters aims for.
    y_labels: usize,
    y_label: &'a dyn Fn(&f64) -> String,
    /// Room above the plot (for a legend).
    margin_top: u32,
}

/// An axis labelled where the chart says: a time axis at round times (see [`time_ticks`]), the
/// trend's at each session.
pub(super) struct TickedAxis {
    range: RangedCoordf64,
    ticks: Vec<f64>,
}

/// A time axis: seconds into the session.
pub(super) type TimeAxis = TickedAxis;

impl TickedAxis {
    /// Seconds from 0 to `end_s`, labelled at round times.
    fn time(end_s: f64) -> Self {
        Self {
            range: (0.0..end_s).into(),
            ticks: time_ticks(end_s),
        }
    }

    /// `range`, labelled at `ticks` only.
    fn at(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Self {
        Self {
            range: range.into(),
            ticks,
        }
    }
}

impl Ranged for TickedAxis {
    // Labels are always given by a formatter (min:s), never by the value's Debug.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.range.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.range()
    }
}

/// The plotting context [`TimeChart::draw`] hands its caller.
type TimeContext<'c, 'b> = ChartContext<'c, SVGBackend<'b>, Cartesian2d<TimeAxis, RangedCoordf64>>;

/// Steps a time axis is labelled in, in seconds: whole seconds and minutes people count in.
const TIME_STEPS_S: [f64; 14] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
];
/// A time axis carries at most this many labels.
const MAX_TIME_TICKS: f64 = 10.0;

/// Where a time axis over `0..end_s` is labelled: from 0 in the smallest step of
/// [`TIME_STEPS_S`] that needs at most [`MAX_TIME_TICKS`] labels, so no two labels read the
/// same ("0:00 0:00 0:01" on a short clip) and each is a round time.
fn time_ticks(end_s: f64) -> Vec<f64> {
    let step = TIME_STEPS_S
        .into_iter()
        .find(|step| end_s / step < MAX_TIME_TICKS)
        .unwrap_or_else(|| (end_s / MAX_TIME_TICKS / 3600.0).ceil() * 3600.0);
    (0..)
        .map(|k| f64::from(k) * step)
        .take_while(|t| *t <= end_s + 1e-9)
        .collect()
}

impl TimeChart<'_> {
    /// The chart as SVG, 900 px wide: white, its axes and titles drawn without a grid, then
    /// `plot` draws the data (given the whole drawing area too, for legends).
    fn draw(
        self,
        plot: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>, &mut TimeContext<'_, '_>),
    ) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (900, self.height)).into_drawing_area();
            let _ = root.fill(&WHITE);
            if let Ok(mut chart) = ChartBuilder::on(&root)
                .margin(12)
                .margin_top(self.margin_top)
                .x_label_area_size(44)
                .y_label_area_size(60)
                .build_cartesian_2d(TimeAxis::time(self.end_s), self.y)
            {
                let _ = chart
                    .configure_mesh()
                    .x_desc("time into the session (min:s)")
                    .y_desc(self.y_desc)
                    .x_label_formatter(&min_s)
                    .y_labels(self.y_labels)
                    .y_label_formatter(self.y_label)
                    .label_style(AXIS_TEXT)
                    .axis_desc_style(AXIS_TITLE)
                    .light_line_style(WHITE.mix(0.0))
                    .draw();
                plot(&root, &mut chart);
            }
            let _ = root.present();
        }
        svg
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
    bucket_means(&points, points.len().div_ceil(MAX_LINE_POINTS).max(1))
}

/// The mean point of each `per` consecutive points.
fn bucket_means(points: &[(f64, f64)], per: usize) -> Vec<(f64, f64)> {
    points
        .chunks(per.max(1))
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
/// coloured band beneath and, above it, a mark in the driving measure's colour over each
/// misaligned stretch (`stretches`), with a legend over the plot.
pub(super) fn timeline_svg(samples: &[Sample], stretches: &[MisalignedStretch]) -> String {
    let end_s = samples.last().map_or(1.0, |s| (s.t_ms / 1000.0).max(1.0));
    let leans = lean_line(samples);
    let max_abs = leans
        .iter()
        .map(|(_, l)| l.abs())
        .fold(10.0, f64::max)
        .ceil();
    // Below the lean's range: the state band, the drivers' marks and their names.
    let bottom = -max_abs * 1.5;
    let y_label = labels_from(-max_abs);
    let axes = TimeChart {
        height: 320,
        end_s,
        y: bottom..max_abs,
        y_desc: "trunk lean (°)".into(),
        y_labels: 11,
        y_label: &y_label,
        margin_top: 34,
    };
    axes.draw(|root, chart| {
        // The state as a coloured band along the bottom, one rectangle per run.
        let band = max_abs * 0.1;
        let _ = chart.draw_series(state_runs(samples).into_iter().map(|(a, b, st)| {
            Rectangle::new([(a, bottom), (b, bottom + band)], state_colour(st).filled())
        }));
        let (xs, _) = chart.plotting_area().get_pixel_range();
        let marks = drivers::marks(stretches, end_s, f64::from(xs.end - xs.start));
        drivers::draw_marks(chart, &marks, bottom + band * 1.4, bottom + band * 2.4);
        drivers::draw_legend(root, &marks, (xs.start, 8));
        let _ = chart.draw_series(LineSeries::new(
            leans,
            RGBColor(30, 80, 200).stroke_width(2),
        ));
        let _ = chart.draw_series(LineSeries::new([(0.0, 0.0), (end_s, 0.0)], BLACK.mix(0.4)));
    })
}

/// How long each value of one metric lasted, in 24 bins: `values` one per frame, each frame
/// lasting `frame_s` seconds.
pub(super) fn histogram_svg(values: &[f64], frame_s: f64, label: &str) -> String {
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
    let mut secs = [0f64; BINS];
    for &v in values {
        secs[(((v - lo) / width) as usize).min(BINS - 1)] += frame_s;
    }
    let top = secs
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(frame_s.max(1e-3))
        * 1.05;
    {
        let root = SVGBackend::with_string(&mut svg, (420, 230)).into_drawing_area();
        let _ = root.fill(&WHITE);
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(lo..hi, 0.0..top)
        {
            let _ = chart
                .configure_mesh()
                .x_desc(label)
                .y_desc("time (s)")
                .x_labels(5)
                .y_labels(4)
                .label_style(AXIS_TEXT)
                .axis_desc_style(AXIS_TITLE)
                .light_line_style(WHITE.mix(0.0))
                .draw();
            let _ = chart.draw_series(secs.iter().enumerate().map(|(i, &c)| {
                let x0 = lo + i as f64 * width;
                Rectangle::new(
                    [(x0, 0.0), (x0 + width, c)],
                    RGBColor(30, 80, 200).mix(0.7).filled(),
                )
            }));
        }
        let _ = root.present();
    }
    svg
}

/// A line on the trend: its name in the legend and a value per session (0 to 1; `None` where
/// that session did not measure it).
pub(super) struct TrendLine {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// Colours of the trend's lines in order: the overall time aligned first (dark), then one per
/// measure, told apart by hue and by dashes' absence in print.
const TREND_COLOURS: [RGBColor; 6] = [
    RGBColor(40, 40, 40),
    RGBColor(46, 120, 200),
    RGBColor(220, 120, 30),
    RGBColor(150, 70, 170),
    RGBColor(30, 150, 130),
    RGBColor(190, 60, 90),
];

/// Which sessions the trend's axis labels: all when their dates fit side by side, else every
/// k-th counted back from this session (the last), so no two labels overlap.
fn session_ticks(dates: &[String]) -> Vec<f64> {
    // The plot is about 810 px wide; a character of axis text is about 7.5 px.
    let per_session = 810.0 / dates.len().max(1) as f64;
    let widest = dates.iter().map(|d| d.chars().count()).max().unwrap_or(0) as f64 * 7.5 + 12.0;
    let every = (widest / per_session).ceil().max(1.0) as usize;
    let last = dates.len().saturating_sub(1);
    (0..dates.len())
        .filter(|i| (last - i).is_multiple_of(every))
        .map(|i| i as f64)
        .collect()
}

/// The share of time aligned per session, oldest first (this one last), each session at its
/// local date from `dates` on the axis (see [`session_ticks`]): the first line the whole
/// session's time aligned, the others each measure's time aligned while measured, named in a
/// legend.
pub(super) fn trend_svg(lines: &[TrendLine], dates: &[String]) -> String {
    let mut svg = String::new();
    let n = dates.len().max(2) as f64 - 1.0;
    {
        let root = SVGBackend::with_string(&mut svg, (900, 300)).into_drawing_area();
        let _ = root.fill(&WHITE);
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(60)
            .build_cartesian_2d(
                TickedAxis::at(-0.5..n + 0.5, session_ticks(dates)),
                0.0..105.0,
            )
        {
            // Each session is labelled with its local date, under its points.
            let date = |v: &f64| {
                dates
                    .get(v.round().max(0.0) as usize)
                    .cloned()
                    .unwrap_or_default()
            };
            let _ = chart
                .configure_mesh()
                .x_desc("sessions, oldest first, at their local dates (this session last)")
                .y_desc("time aligned (%)")
                .x_label_formatter(&date)
                .y_labels(6)
                .y_label_formatter(&|v| format!("{v:.0}"))
                .label_style(AXIS_TEXT)
                .axis_desc_style(AXIS_TITLE)
                .light_line_style(WHITE.mix(0.0))
                .draw();
            for (k, line) in lines.iter().enumerate() {
                let colour = TREND_COLOURS[k % TREND_COLOURS.len()];
                let points: Vec<(f64, f64)> = line
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| Some((i as f64, (*v)? * 100.0)))
                    .collect();
                let width = if k == 0 { 3 } else { 2 };
                if let Ok(series) =
                    chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(width)))
                {
                    series.label(line.name.clone()).legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(3))
                    });
                }
                let _ =
                    chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, colour.filled())));
            }
            if lines.len() > 1 {
                let _ = chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::LowerLeft)
                    .label_font(AXIS_TEXT)
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.3))
                    .draw();
            }
        }
        let _ = root.present();
    }
    svg
}

#[cfg(test)]
pub(super) mod tests;
