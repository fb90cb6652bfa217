//! What drove each misaligned stretch, drawn on the main timeline: a mark in the measure's
//! colour over the stretch, its name above when there is room, and a legend of the measures
//! over the plot.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor;

use super::AXIS_TEXT;
use crate::geometry::preset::Measure;
use crate::report::measures::MisalignedStretch;

/// A measure's colour on the timeline: none of the states' green, amber, red or grey, nor the
/// lean's blue.
pub(in crate::report) fn measure_colour(m: Measure) -> RGBColor {
    match m {
        Measure::TrunkUpright => RGBColor(120, 60, 170),
        Measure::ShouldersOverHips => RGBColor(0, 130, 140),
        Measure::LevelShoulders => RGBColor(150, 90, 30),
        Measure::HeadOverShoulders => RGBColor(200, 60, 150),
        Measure::PlumbLine => RGBColor(60, 60, 60),
    }
}

/// The width of `text` in pixels at [`AXIS_TEXT`] (12.9 px): about 0.55 em a character, plus a
/// little room.
fn text_width_px(text: &str) -> f64 {
    text.chars().count() as f64 * 7.2 + 8.0
}

/// Where a stretch's mark goes, in pixels across the plot.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Mark {
    pub measure: Measure,
    /// From and to, seconds into the session.
    pub start_s: f64,
    pub end_s: f64,
    /// Whether its name is written above it (left out where it would run into the one
    /// before).
    pub labelled: bool,
}

/// The marks of `stretches` on a plot `width_px` wide showing `0..end_s` seconds: one per
/// stretch with a known driver, at least [`MIN_MARK_PX`] wide; each named where its name fits
/// before the next one's start and within the plot, else left to the legend.
pub(super) fn marks(stretches: &[MisalignedStretch], end_s: f64, width_px: f64) -> Vec<Mark> {
    let px_per_s = width_px / end_s.max(1e-9);
    let min_s = MIN_MARK_PX / px_per_s;
    let mut free_from_px = f64::NEG_INFINITY;
    stretches
        .iter()
        .filter_map(|s| {
            let measure = s.driver?;
            let x = s.start_s * px_per_s;
            let w = text_width_px(measure.label());
            let labelled = x >= free_from_px && x + w <= width_px;
            if labelled {
                free_from_px = x + w;
            }
            Some(Mark {
                measure,
                start_s: s.start_s,
                end_s: s.end_s.max(s.start_s + min_s),
                labelled,
            })
        })
        .collect()
}

/// The narrowest a mark is drawn, in pixels, so a short stretch still shows.
const MIN_MARK_PX: f64 = 3.0;

/// Draws `marks` as coloured bars from `y0` to `y1` (data units) with their names above, on
/// `chart`.
pub(super) fn draw_marks<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<super::TimeAxis, RangedCoordf64>>,
    marks: &[Mark],
    y0: f64,
    y1: f64,
) {
    let _ = chart.draw_series(marks.iter().map(|m| {
        Rectangle::new(
            [(m.start_s, y0), (m.end_s, y1)],
            measure_colour(m.measure).filled(),
        )
    }));
    let style = TextStyle::from(AXIS_TEXT.into_font()).pos(text_anchor::Pos::new(
        text_anchor::HPos::Left,
        text_anchor::VPos::Bottom,
    ));
    for m in marks.iter().filter(|m| m.labelled) {
        let colour = measure_colour(m.measure);
        let _ = chart.draw_series(std::iter::once(Text::new(
            m.measure.label(),
            (m.start_s, y1 + (y1 - y0) * 0.4),
            style.color(&colour),
        )));
    }
}

/// The legend of the measures in `marks`, left to right in [`Measure::ALL`] order, at pixel
/// `(x, y)` of `area` (the whole picture).
pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    marks: &[Mark],
    (x, y): (i32, i32),
) {
    let shown: Vec<Measure> = Measure::ALL
        .into_iter()
        .filter(|m| marks.iter().any(|k| k.measure == *m))
        .collect();
    if shown.is_empty() {
        return;
    }
    let style = TextStyle::from(AXIS_TEXT.into_font());
    let title = "drove a misaligned stretch:";
    let _ = area.draw(&Text::new(title, (x, y), style.clone()));
    let mut at = x + text_width_px(title) as i32;
    for m in shown {
        let _ = area.draw(&Rectangle::new(
            [(at, y + 1), (at + 12, y + 13)],
            measure_colour(m).filled(),
        ));
        let _ = area.draw(&Text::new(m.label(), (at + 16, y), style.clone()));
        at += 16 + text_width_px(m.label()) as i32 + 8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stretch(start_s: f64, end_s: f64, driver: Option<Measure>) -> MisalignedStretch {
        MisalignedStretch {
            start_s,
            end_s,
            driver,
            driver_metric: None,
            cue: None,
        }
    }

    #[test]
    fn close_stretches_keep_their_marks_but_not_names_that_would_collide() {
        let stretches = [
            stretch(10.0, 20.0, Some(Measure::TrunkUpright)),
            // 5 s later on an 800 px plot of 600 s: under 7 px on, where the first name runs.
            stretch(25.0, 26.0, Some(Measure::ShouldersOverHips)),
            stretch(300.0, 300.001, Some(Measure::ShouldersOverHips)),
            stretch(400.0, 410.0, None),
            // Too near the end for its name to fit.
            stretch(598.0, 600.0, Some(Measure::PlumbLine)),
        ];
        let m = marks(&stretches, 600.0, 800.0);
        let got: Vec<(Measure, bool)> = m.iter().map(|m| (m.measure, m.labelled)).collect();
        assert_eq!(
            got,
            [
                (Measure::TrunkUpright, true),
                (Measure::ShouldersOverHips, false),
                (Measure::ShouldersOverHips, true),
                (Measure::PlumbLine, false),
            ],
            "a stretch without a known driver has no mark"
        );
        // A stretch of a millisecond is still 3 px wide.
        assert!((m[2].end_s - m[2].start_s - 3.0 * 600.0 / 800.0).abs() < 1e-9);
    }
}
