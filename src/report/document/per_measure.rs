//! Each judged measure on its own: how far its reading can be trusted from the view it was
//! mostly seen in ("± 0.7° side-on", from [`crate::geometry::accuracy`]), and a timeline per
//! metric over the zones the session was judged by, with the level as judged beneath.

use super::model::{Block, Chart, Section};
use crate::geometry::MetricId;
use crate::geometry::accuracy::typical_error;
use crate::geometry::calibration::Baseline;
use crate::geometry::metric_id::BandSource;
use crate::geometry::preset::Measure;
use crate::geometry::state::PostureState;
use crate::geometry::view::View;
use crate::report::advice::Reference;
use crate::report::charts::{BandEdges, band_edges, measure_svg};
use crate::report::input::ReportInput;
use crate::session::Sample;

/// The view most of the frames that measured any of `metrics` were seen from; ties go to the
/// earlier of side, front, half turned. `None` if none of them was measured.
pub fn main_view(samples: &[Sample], metrics: &[MetricId]) -> Option<View> {
    let order = [View::Side, View::Frontal, View::Oblique];
    let mut counts = [0usize; 3];
    for m in samples.iter().filter_map(|s| s.metrics.as_ref()) {
        if let Some(i) = m
            .view
            .filter(|_| metrics.iter().any(|id| m.get(*id).is_some()))
            .and_then(|v| order.iter().position(|o| *o == v))
        {
            counts[i] += 1;
        }
    }
    let (i, n) = counts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    (*n > 0).then(|| order[i])
}

/// "side-on", "from the front", "half turned".
fn view_words(view: View) -> &'static str {
    match view {
        View::Side => "side-on",
        View::Frontal => "from the front",
        View::Oblique => "half turned",
    }
}

/// The metrics of `measure` the session judged, in table order: those with a level on some
/// frame or, for a session stored without levels, those measured that need no calibration the
/// session lacks (the head's lean is judged only as change from a stance).
fn judged_metrics(
    samples: &[Sample],
    measure: Measure,
    baseline: Option<&Baseline>,
) -> Vec<MetricId> {
    let has_levels = samples.iter().any(|s| s.levels.is_some());
    MetricId::judged()
        .filter(|id| Measure::of(*id) == measure)
        .filter(|&id| {
            if has_levels {
                samples
                    .iter()
                    .any(|s| s.levels.is_some_and(|l| l.get(id) != PostureState::Unknown))
            } else {
                (!id.spec().needs_baseline || baseline.is_some_and(|b| b.stat(id).is_some()))
                    && samples
                        .iter()
                        .any(|s| s.metrics.as_ref().is_some_and(|m| m.get(id).is_some()))
            }
        })
        .collect()
}

/// How far `measure`'s reading is typically off, from the view the session mostly measured it
/// from: the validity suite's mean error of a change from the stance when the session was
/// calibrated, of a reading otherwise. "± 0.7° side-on"; "± 1.2 to 2.5% side-on" for a measure
/// of several metrics; "—" when it was never measured.
pub fn error_band(
    samples: &[Sample],
    measure: Measure,
    reference: &Reference,
    baseline: Option<&Baseline>,
) -> String {
    let metrics = judged_metrics(samples, measure, baseline);
    let Some(view) = main_view(samples, &metrics) else {
        return "—".into();
    };
    let calibrated = matches!(reference, Reference::Calibrated { .. });
    let errors: Vec<(f64, &str)> = metrics
        .iter()
        .filter_map(|&id| {
            let e = typical_error(id, view)?.judged(calibrated);
            let unit = id.unit();
            Some((f64::from(e * unit.display_scale()), unit.short_suffix()))
        })
        .collect();
    let lo = errors.iter().map(|e| e.0).fold(f64::INFINITY, f64::min);
    let hi = errors.iter().map(|e| e.0).fold(0.0, f64::max);
    let Some(&(_, unit)) = errors.first() else {
        return "—".into();
    };
    let within = if format!("{lo:.1}") == format!("{hi:.1}") {
        format!("± {hi:.1}{unit}")
    } else {
        format!("± {lo:.1} to {hi:.1}{unit}")
    };
    format!("{within} {}", view_words(view))
}

/// What the measures table's "Typical error" column means.
pub const ERROR_NOTE: &str = "Typical error: how far plumbline's reading of the measure is off on \
     average, from the view it was mostly seen in, as measured on rendered people of known \
     posture (the README's Validity table): on a change from the calibrated stance when the \
     session was calibrated, on the reading itself when not.";

/// A timeline per judged metric of each judged measure that was measured, measure by measure.
pub fn timelines(input: &ReportInput<'_>) -> Section {
    let section = Section::new("measure_timelines", "Each measure over time");
    let stored = input.judged_by.thresholds;
    let thresholds = stored.unwrap_or_default();
    let baseline = input.judged_by.baseline.as_ref();
    let mut charts = Vec::new();
    for m in input.summary.measures.iter().filter(|m| m.judged) {
        for id in judged_metrics(input.samples, m.measure, baseline) {
            let Some(view) = main_view(input.samples, &[id]) else {
                continue;
            };
            let Some(edges) = band_edges(id, view, &thresholds, baseline) else {
                continue;
            };
            let caption = caption(input.samples, m.measure, id, view, edges, stored.is_none());
            charts.push(Chart::from_svg(
                measure_svg(input.samples, id, edges),
                Some(caption),
            ));
        }
    }
    if charts.is_empty() {
        return section.with(Block::Paragraph(
            "No judged measure was measured in this session.".into(),
        ));
    }
    let levels = if input.samples.iter().any(|s| s.levels.is_some()) {
        "The strip beneath each chart is that metric's level as judged, frame by frame; it can \
         differ from the zone the line is in for a moment: a level leaves a band only once the \
         value is 20% inside its edge, and while walking each stride is judged on its mean."
    } else {
        "This session was stored before plumbline kept each measure's level, so the charts have \
         no strip of levels beneath them."
    };
    section
        .with(Block::Charts(charts))
        .with(Block::Note(levels.into()))
}

/// What a measure's chart shows: the zones in numbers, centred where, seen from which view,
/// and whether they are the defaults standing in for bands the session did not keep.
fn caption(
    samples: &[Sample],
    measure: Measure,
    id: MetricId,
    view: View,
    edges: BandEdges,
    defaults: bool,
) -> String {
    let unit = id.unit();
    let k = f64::from(unit.display_scale());
    let suffix = unit.short_suffix();
    let centre = if edges.centre == 0.0 {
        "zero".to_string()
    } else {
        format!("the calibrated stance ({:+.1}{suffix})", edges.centre * k)
    };
    // "Trunk upright: trunk lean, sagittal"; "Plumb line: ear", not "plumb line: plumb line: ear".
    let what = match id
        .label()
        .strip_prefix(measure.label())
        .map(|rest| rest.trim_start_matches(':').trim())
    {
        Some("") => capitalised(measure.label()),
        Some(rest) => format!("{}: {rest}", capitalised(measure.label())),
        None => format!("{}: {}", capitalised(measure.label()), id.label()),
    };
    let mut text = format!(
        "{what} ({suffix}), {}. Green within ±{:.1}{suffix} of {centre}, amber to ±{:.1}{suffix}, \
         red beyond.",
        view_words(view),
        edges.drifting * k,
        edges.misaligned * k,
    );
    let from_views = |v: View| {
        samples
            .iter()
            .filter_map(|s| s.metrics.as_ref())
            .any(|m| m.view == Some(v) && m.get(id).is_some())
    };
    if id.spec().band_source == BandSource::LeanOfView
        && [View::Side, View::Frontal, View::Oblique]
            .into_iter()
            .any(|v| v != view && from_views(v))
    {
        text.push_str(&format!(
            " The bands drawn are those it was judged by {}, where it was mostly seen from; \
             in other views it was judged on that view's lean band.",
            view_words(view)
        ));
    }
    if defaults {
        text.push_str(
            " Bands: plumbline's defaults (this session was stored before it kept the bands it \
             was judged by).",
        );
    }
    text
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::bands::Thresholds;
    use crate::geometry::metrics::Metrics;
    use crate::geometry::state::MetricLevels;
    use crate::geometry::state::PostureState::{Aligned, Misaligned};
    use crate::report::charts::measure_colour;
    use crate::report::document::{Block, build};
    use crate::report::input::JudgedBy;
    use crate::report::summary::Summary;
    use crate::report::synthetic::{self, session, standing};

    type Levels = &'static [(MetricId, PostureState)];
    const UPRIGHT: Levels = &[
        (MetricId::TrunkLeanSagittal, Aligned),
        (MetricId::ShoulderHipOffset, Aligned),
    ];
    const LEANING: Levels = &[
        (MetricId::TrunkLeanSagittal, Misaligned),
        (MetricId::ShoulderHipOffset, Aligned),
    ];
    const SHIFTED: Levels = &[
        (MetricId::TrunkLeanSagittal, Aligned),
        (MetricId::ShoulderHipOffset, Misaligned),
    ];

    /// Side-on: upright, leaning forward (twice), shoulders shifted over the hips.
    fn two_drivers() -> Vec<Sample> {
        session(&[
            standing(20.0, UPRIGHT),
            standing(8.0, LEANING),
            standing(20.0, UPRIGHT),
            standing(8.0, SHIFTED),
            standing(20.0, UPRIGHT),
            standing(8.0, LEANING),
            standing(10.0, UPRIGHT),
        ])
    }

    fn input<'a>(
        samples: &'a [Sample],
        summary: &'a Summary,
        judged_by: JudgedBy,
    ) -> ReportInput<'a> {
        ReportInput {
            reference: Reference::of(judged_by.baseline.as_ref(), None),
            judged_by,
            ..synthetic::input(samples, summary)
        }
    }

    fn charts(section: &Section) -> &[Chart] {
        section
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Charts(c) => Some(c.as_slice()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no charts in {}", section.id))
    }

    #[test]
    fn the_error_band_is_the_one_for_the_view_the_measure_was_mostly_seen_from() {
        let samples = two_drivers();
        let calibrated = Reference::Calibrated { on: None };
        // Side-on, as change from the stance (0.7°) or as read (0.9°).
        assert_eq!(
            error_band(&samples, Measure::TrunkUpright, &calibrated, None),
            "± 0.7° side-on"
        );
        assert_eq!(
            error_band(&samples, Measure::TrunkUpright, &Reference::Absolute, None),
            "± 0.9° side-on"
        );
        // Never measured here.
        assert_eq!(
            error_band(&samples, Measure::LevelShoulders, &calibrated, None),
            "—"
        );
        // Measured, but never judged: the head's lean without a calibration.
        let head: Vec<Sample> = samples
            .iter()
            .cloned()
            .map(|mut s| {
                s.metrics = s.metrics.map(|m| m.with(MetricId::HeadForward, 20.0));
                s
            })
            .collect();
        assert_eq!(
            error_band(
                &head,
                Measure::HeadOverShoulders,
                &Reference::Absolute,
                None
            ),
            "—"
        );
        assert_eq!(
            error_band(
                &crate::report::synthetic::without_levels(head),
                Measure::HeadOverShoulders,
                &Reference::Absolute,
                None
            ),
            "—",
            "a session stored without levels"
        );
        // A few frames from the front among many side-on: still side-on.
        let mut mixed = samples.clone();
        for s in mixed.iter_mut().take(100) {
            s.metrics =
                Some(Metrics::new(Some(View::Frontal)).with(MetricId::ShoulderHipOffset, 0.02));
        }
        let offset = [MetricId::ShoulderHipOffset];
        assert_eq!(main_view(&mixed, &offset), Some(View::Side));
        for s in mixed.iter_mut().skip(100).take(500) {
            s.metrics =
                Some(Metrics::new(Some(View::Frontal)).with(MetricId::ShoulderHipOffset, 0.02));
        }
        assert_eq!(main_view(&mixed, &offset), Some(View::Frontal));
        assert_eq!(
            error_band(
                &mixed,
                Measure::ShouldersOverHips,
                &Reference::Absolute,
                None
            ),
            "± 0.8% from the front"
        );
        // The plumb line's points differ: the range of their errors.
        let plumb: Vec<Sample> = samples
            .iter()
            .cloned()
            .map(|mut s| {
                let mut metrics = Metrics::new(Some(View::Side));
                let mut levels = MetricLevels::default();
                for id in [
                    MetricId::PlumbEar,
                    MetricId::PlumbShoulder,
                    MetricId::PlumbHip,
                ] {
                    metrics.set(id, Some(0.01));
                    levels.set(id, Aligned);
                }
                s.metrics = Some(metrics);
                s.levels = Some(levels);
                s
            })
            .collect();
        assert_eq!(
            error_band(&plumb, Measure::PlumbLine, &calibrated, None),
            "± 1.2 to 2.5% side-on"
        );
    }

    /// The measures table carries the error band, and each measured metric has its own
    /// timeline, whose caption gives the bands it was judged by.
    #[test]
    fn each_measured_metric_has_a_timeline_over_the_bands_it_was_judged_by() {
        let samples = two_drivers();
        let summary = synthetic::summary_of(&samples);
        let doc = build(&input(&samples, &summary, JudgedBy::default()));
        let Some(Block::Table { header, rows }) = doc.sections[1].blocks.first() else {
            panic!("no measures table");
        };
        assert_eq!(header.last().map(String::as_str), Some("Typical error"));
        let trunk = rows.iter().find(|r| r[0] == "trunk upright").unwrap();
        assert_eq!(trunk.last().map(String::as_str), Some("± 0.9° side-on"));

        // After the main timeline: the charts come after the headline numbers.
        let ids: Vec<&str> = doc.sections.iter().map(|s| s.id).collect();
        let at = ids
            .iter()
            .position(|id| *id == "measure_timelines")
            .unwrap();
        assert_eq!(ids[at - 1], "timeline", "{ids:?}");
        let section = &doc.sections[at];
        let captions: Vec<&str> = charts(section)
            .iter()
            .filter_map(|c| c.caption.as_deref())
            .collect();
        assert_eq!(captions.len(), 2, "{captions:?}");
        assert!(
            captions[0].starts_with(
                "Trunk upright: trunk lean, sagittal (°), side-on. Green within ±10.0° of zero, \
                 amber to ±20.0°"
            ),
            "{captions:?}"
        );
        assert!(
            captions[1].starts_with("Shoulders over hips"),
            "{captions:?}"
        );
        assert!(captions.iter().all(|c| c.contains("plumbline's defaults")));

        // A session that kept its bands: those are drawn, and no word of defaults.
        let mut own = Thresholds::default();
        own.set_band(
            MetricId::TrunkLeanSagittal,
            crate::geometry::metric_id::Band {
                drifting: 6.0,
                misaligned: 12.0,
            },
        );
        let kept = JudgedBy {
            thresholds: Some(own),
            baseline: None,
        };
        let doc = build(&input(&samples, &summary, kept));
        let caption = charts(&doc.sections[at])[0].caption.clone().unwrap();
        assert!(
            caption.contains("Green within ±6.0° of zero, amber to ±12.0°")
                && !caption.contains("defaults"),
            "{caption}"
        );
    }

    /// Every misaligned stretch is marked on the main timeline in its driver's colour, and
    /// the legend names each driver.
    #[test]
    fn every_misaligned_stretch_shows_its_driver_on_the_main_timeline() {
        let samples = two_drivers();
        let summary = synthetic::summary_of(&samples);
        let drivers: Vec<Measure> = summary
            .misaligned_stretches
            .iter()
            .filter_map(|s| s.driver)
            .collect();
        assert_eq!(
            drivers,
            [
                Measure::TrunkUpright,
                Measure::ShouldersOverHips,
                Measure::TrunkUpright
            ]
        );
        let doc = build(&input(&samples, &summary, JudgedBy::default()));
        let timeline = doc.sections.iter().find(|s| s.id == "timeline").unwrap();
        let chart = &charts(timeline)[0];
        let svg = &chart.svg;
        assert!(svg.contains("drove a misaligned stretch:"), "no legend");
        for m in [Measure::TrunkUpright, Measure::ShouldersOverHips] {
            let c = measure_colour(m);
            let fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
            let shapes = svg.matches(&fill).count();
            let stretches = drivers.iter().filter(|d| **d == m).count();
            // A mark per stretch and the legend's square (names are text).
            assert!(
                shapes > stretches,
                "{m:?}: {shapes} shapes for {stretches} stretches"
            );
            assert!(svg.contains(&format!(">\n{}\n<", m.label())), "{m:?} named");
        }
        assert!(
            chart
                .caption
                .as_deref()
                .unwrap()
                .contains("drove each misaligned stretch")
        );
    }
}
