//! One metric of a measure over the session: its values (signed, in the unit people read)
//! over its aligned, drifting and misaligned zones as the session was judged, with its level
//! as judged each frame in a thin strip beneath. Pure: data in, an SVG string out.

use plotters::prelude::*;

use super::{MAX_LINE_POINTS, TimeChart, labels_from, state_colour};
use crate::geometry::MetricId;
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::Baseline;
use crate::geometry::judge::JudgeConfig;
use crate::geometry::state::PostureState;
use crate::geometry::view::View;
use crate::session::Sample;

/// Where a metric's zones lie, in its stored unit (degrees, or torso lengths): aligned within
/// `centre ± drifting`, drifting out to `centre ± misaligned`, misaligned beyond, on both sides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandEdges {
    /// Zero, or the calibrated stance: values are stored as measured, judged as change from it.
    pub centre: f64,
    pub drifting: f64,
    pub misaligned: f64,
}

/// The edges `id` was judged by in `view`: `thresholds` widened past the calibration's noise
/// and taken for the view, as the judge takes them ([`JudgeConfig::effective_bands`],
/// [`Thresholds::in_view`]), centred on the stance when calibrated. `None` for a metric with
/// no band in that view.
pub fn band_edges(
    id: MetricId,
    view: View,
    thresholds: &Thresholds,
    baseline: Option<&Baseline>,
) -> Option<BandEdges> {
    let config = JudgeConfig {
        thresholds: *thresholds,
        baseline: baseline.cloned(),
        ..JudgeConfig::default()
    };
    let band = config.effective_bands().in_view(Some(view)).band(id)?;
    Some(BandEdges {
        centre: baseline
            .and_then(|b| b.stat(id))
            .map_or(0.0, |s| f64::from(s.mean)),
        drifting: f64::from(band.drifting),
        misaligned: f64::from(band.misaligned),
    })
}

impl BandEdges {
    /// The zones from `lo` to `hi`, bottom to top: (from, to, level), each clipped to the range
    /// and left out where empty.
    pub fn zones(&self, lo: f64, hi: f64) -> Vec<(f64, f64, PostureState)> {
        let (c, d, m) = (self.centre, self.drifting, self.misaligned);
        [
            (f64::NEG_INFINITY, c - m, PostureState::Misaligned),
            (c - m, c - d, PostureState::Drifting),
            (c - d, c + d, PostureState::Aligned),
            (c + d, c + m, PostureState::Drifting),
            (c + m, f64::INFINITY, PostureState::Misaligned),
        ]
        .into_iter()
        .map(|(a, b, level)| (a.max(lo), b.min(hi), level))
        .filter(|(a, b, _)| b > a)
        .collect()
    }

    /// The edges scaled to the unit people read (torso fractions as percentages).
    fn scaled(&self, k: f64) -> Self {
        Self {
            centre: self.centre * k,
            drifting: self.drifting * k,
            misaligned: self.misaligned * k,
        }
    }
}

/// The values of `id` over time (seconds, value × `scale`), averaged into at most
/// [`MAX_LINE_POINTS`] points and broken where the metric went unmeasured for a while (out of
/// view, or a view that cannot measure it), so no line is drawn across a gap.
fn value_segments(samples: &[Sample], id: MetricId, scale: f64) -> Vec<Vec<(f64, f64)>> {
    let points: Vec<(f64, f64)> = samples
        .iter()
        .filter_map(|s| {
            let v = s.metrics.as_ref()?.get(id)?;
            v.is_finite()
                .then(|| (s.t_ms / 1000.0, f64::from(v) * scale))
        })
        .collect();
    let per = points.len().div_ceil(MAX_LINE_POINTS).max(1);
    // A gap: longer than two seconds, and than a few points' share of the session.
    let span_s = points.last().map_or(0.0, |p| p.0) - points.first().map_or(0.0, |p| p.0);
    let gap_s = (3.0 * span_s / MAX_LINE_POINTS as f64).max(2.0);
    points
        .chunk_by(|a, b| b.0 - a.0 <= gap_s)
        .map(|run| {
            run.chunks(per)
                .map(|c| {
                    let n = c.len() as f64;
                    (
                        c.iter().map(|p| p.0).sum::<f64>() / n,
                        c.iter().map(|p| p.1).sum::<f64>() / n,
                    )
                })
                .collect()
        })
        .collect()
}

/// Slots across the level strip: about a pixel each.
const STRIP_SLOTS: usize = 800;

/// The level of `id` as judged, in runs (start s, end s, level) for the strip: the session cut
/// into [`STRIP_SLOTS`] slots, each the worst level judged in it (so a moment off shows however
/// short; a frame's level holds until the next frame), then equal neighbours merged. Empty for
/// a session stored without levels.
fn level_runs(samples: &[Sample], id: MetricId) -> Vec<(f64, f64, PostureState)> {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return Vec::new();
    };
    let (t0, t1) = (first.t_ms / 1000.0, last.t_ms / 1000.0);
    if t1 <= t0 || samples.iter().all(|s| s.levels.is_none()) {
        return Vec::new();
    }
    let slot_s = (t1 - t0) / STRIP_SLOTS as f64;
    let slot = |t_ms: f64| (((t_ms / 1000.0 - t0) / slot_s) as usize).min(STRIP_SLOTS - 1);
    let mut slots = [PostureState::Unknown; STRIP_SLOTS];
    for w in samples.windows(2) {
        let Some(level) = w[0].levels.map(|l| l.get(id)) else {
            continue;
        };
        let (a, b) = (slot(w[0].t_ms), slot(w[1].t_ms));
        for s in &mut slots[a..b.max(a + 1)] {
            *s = (*s).max(level);
        }
    }
    let mut runs: Vec<(f64, f64, PostureState)> = Vec::new();
    for (i, &level) in slots.iter().enumerate() {
        let (a, b) = (t0 + i as f64 * slot_s, t0 + (i + 1) as f64 * slot_s);
        match runs.last_mut() {
            Some(run) if run.2 == level => run.1 = b,
            _ => runs.push((a, b, level)),
        }
    }
    runs
}

/// The values of `id` over the session on its zones (`edges`, in the stored unit), with its
/// level as judged in a strip beneath.
pub(in crate::report) fn measure_svg(samples: &[Sample], id: MetricId, edges: BandEdges) -> String {
    let k = f64::from(id.unit().display_scale());
    let edges = edges.scaled(k);
    let end_s = samples.last().map_or(1.0, |s| (s.t_ms / 1000.0).max(1.0));
    let segments = value_segments(samples, id, k);
    let (data_lo, data_hi) = segments
        .iter()
        .flatten()
        .fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            (lo.min(p.1), hi.max(p.1))
        });
    // Room for the misaligned zone on both sides, and for every value.
    let reach = edges.misaligned * 1.4;
    let lo = data_lo.min(edges.centre - reach).floor();
    let hi = data_hi.max(edges.centre + reach).ceil();
    // The strip sits below the values' range.
    let strip = (hi - lo) * 0.09;
    let bottom = lo - strip * 1.4;
    let unit = id.unit().short_suffix().trim();
    let y_label = labels_from(lo);
    let axes = TimeChart {
        height: 240,
        end_s,
        y: bottom..hi,
        y_desc: format!("{} ({unit})", id.label()),
        y_labels: 6,
        y_label: &y_label,
        margin_top: 12,
    };
    axes.draw(|_, chart| {
        let _ = chart.draw_series(edges.zones(lo, hi).into_iter().map(|(a, b, level)| {
            Rectangle::new(
                [(0.0, a), (end_s, b)],
                state_colour(level).mix(0.18).filled(),
            )
        }));
        let _ = chart.draw_series(level_runs(samples, id).into_iter().map(|(a, b, level)| {
            Rectangle::new(
                [(a, bottom), (b, bottom + strip)],
                state_colour(level).filled(),
            )
        }));
        // The centre: zero, or the calibrated stance.
        let _ = chart.draw_series(LineSeries::new(
            [(0.0, edges.centre), (end_s, edges.centre)],
            BLACK.mix(0.4),
        ));
        for segment in segments {
            let _ = chart.draw_series(LineSeries::new(
                segment,
                RGBColor(30, 80, 200).stroke_width(2),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::calibration::Stat;
    use crate::geometry::metric_id::Band;
    use crate::geometry::metrics::Metrics;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    /// The zones drawn are the bands the session was judged by: its own thresholds, the
    /// lean's band (as a sine) for an offset, widened past a noisy calibration and centred on
    /// the calibrated stance.
    #[test]
    fn band_edges_are_the_bands_the_session_was_judged_by() {
        let defaults = Thresholds::default();
        let side = band_edges(MetricId::TrunkLeanSagittal, View::Side, &defaults, None).unwrap();
        assert_eq!(
            side,
            BandEdges {
                centre: 0.0,
                drifting: 10.0,
                misaligned: 20.0
            }
        );
        // The session's own bands, not the defaults.
        let mut own = Thresholds::default();
        own.set_band(
            MetricId::TrunkLeanSagittal,
            Band {
                drifting: 6.0,
                misaligned: 14.0,
            },
        );
        let e = band_edges(MetricId::TrunkLeanSagittal, View::Side, &own, None).unwrap();
        assert!(close(e.drifting, 6.0) && close(e.misaligned, 14.0), "{e:?}");
        // An offset side-on is judged on the sine of the sagittal lean's band.
        let offset = band_edges(MetricId::ShoulderHipOffset, View::Side, &own, None).unwrap();
        assert!(
            close(offset.drifting, 6f64.to_radians().sin()),
            "{offset:?}"
        );
        assert!(close(offset.misaligned, 14f64.to_radians().sin()));
        // Calibrated: centred on the stance; a wobble of ±4° pushes drifting out to 2σ = 8°
        // and misaligned keeps its distance above it.
        let mut baseline = Baseline::new(30, 3.0);
        baseline.set_stat(
            MetricId::TrunkLeanSagittal,
            Some(Stat {
                mean: 3.0,
                std: 4.0,
                samples: 30,
            }),
        );
        let e = band_edges(
            MetricId::TrunkLeanSagittal,
            View::Side,
            &own,
            Some(&baseline),
        )
        .unwrap();
        assert!(close(e.centre, 3.0), "{e:?}");
        assert!(close(e.drifting, 8.0) && close(e.misaligned, 16.0), "{e:?}");
        // The zones, bottom to top, at those edges.
        let zones = e.zones(-30.0, 30.0);
        let edges: Vec<(f64, f64, PostureState)> = vec![
            (-30.0, -13.0, PostureState::Misaligned),
            (-13.0, -5.0, PostureState::Drifting),
            (-5.0, 11.0, PostureState::Aligned),
            (11.0, 19.0, PostureState::Drifting),
            (19.0, 30.0, PostureState::Misaligned),
        ];
        assert_eq!(zones.len(), edges.len());
        for (z, want) in zones.iter().zip(&edges) {
            assert!(
                close(z.0, want.0) && close(z.1, want.1) && z.2 == want.2,
                "{zones:?}"
            );
        }
        // No band where the metric is not judged.
        assert_eq!(
            band_edges(MetricId::ShoulderHipOffsetCm, View::Side, &own, None),
            None
        );
    }

    #[test]
    fn an_hour_of_one_metric_draws_as_a_few_thousand_shapes_with_gaps_left_open() {
        let hour: Vec<Sample> = (0..108_000u64)
            .map(|i| {
                // Out of view for the first minute of every ten.
                let seen = (i / 1800) % 10 != 0;
                Sample {
                    frame: i,
                    t_ms: i as f64 * 1000.0 / 30.0,
                    person: seen,
                    metrics: seen.then(|| {
                        Metrics::new(Some(View::Side))
                            .with(MetricId::TrunkLeanSagittal, 12.0 * (i as f32 / 900.0).sin())
                    }),
                    state: PostureState::Aligned,
                    cadence_spm: None,
                    levels: None,
                    cue: None,
                }
            })
            .collect();
        let segments = value_segments(&hour, MetricId::TrunkLeanSagittal, 1.0);
        // At most one point more per stretch than an unbroken line.
        assert!(segments.iter().map(Vec::len).sum::<usize>() <= MAX_LINE_POINTS + 6);
        assert_eq!(segments.len(), 6, "one line per stretch in view");
        let edges = band_edges(
            MetricId::TrunkLeanSagittal,
            View::Side,
            &Thresholds::default(),
            None,
        )
        .unwrap();
        assert!(measure_svg(&hour, MetricId::TrunkLeanSagittal, edges).len() < 500_000);
    }
}
