//! What a moment is about and how bad it was: the measure the judge spoke about (the cue's, else
//! the one furthest out of its band), from the levels and cue the sample recorded. The keyframe
//! picker ranks frames by it and the report captions them with it, so both agree.

use crate::geometry::MetricId;
use crate::geometry::bands::Thresholds;
use crate::geometry::metric_id::Band;
use crate::geometry::state::PostureState;
use crate::session::Sample;

/// The metric that speaks for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moment {
    pub metric: MetricId,
    /// Its value as measured, in stored units (fractions of the torso, degrees).
    pub value: f32,
    /// Its level as the judge made it; `Unknown` when the sample has none (a session from
    /// before levels were kept) or the metric was measured but not judged then.
    pub level: PostureState,
    /// The default band it is judged by in the frame's view (the report's caption quotes it).
    pub band: Option<Band>,
    /// How bad: the level first (misaligned above drifting above aligned above not judged),
    /// then how far past the band's misaligned threshold, as a multiple of it (capped).
    pub score: f32,
}

/// A level's weight in [`Moment::score`]: larger than any capped excess, so a misaligned frame
/// always outranks a drifting one.
const LEVEL_STEP: f32 = 10.0;
/// The excess counted at most (a wild value from a misdetected landmark ranks no higher than a
/// ninefold one).
const MAX_EXCESS: f32 = 9.0;

fn level_rank(level: PostureState) -> f32 {
    match level {
        PostureState::Unknown => 0.0,
        PostureState::Aligned => 1.0,
        PostureState::Drifting => 2.0,
        PostureState::Misaligned => 3.0,
    }
}

/// The moment of `sample`, judged against `bands` (the default bands, before the view picks
/// the lean each distance is judged on): `None` without metrics or any measured judged metric.
///
/// The cue's metric speaks when there was a cue (the judge already chose among the measures
/// out of their bands); otherwise the judged metric with the worst level and, among those, the
/// largest value for its band. A session without levels ranks every measured metric as not
/// judged, by its value alone; a metric judged only against a calibrated stance is then left
/// out (its absolute value means nothing).
pub fn moment(sample: &Sample, bands: &Thresholds) -> Option<Moment> {
    let metrics = sample.metrics.as_ref()?;
    let bands = bands.in_view(metrics.view);
    let of = |metric: MetricId| -> Option<Moment> {
        let value = metrics.get(metric)?;
        let level = sample
            .levels
            .map_or(PostureState::Unknown, |l| l.get(metric));
        if level == PostureState::Unknown && metric.spec().needs_baseline {
            return None;
        }
        let band = bands.band(metric);
        let excess = band
            .filter(|b| b.misaligned > 0.0)
            .map_or(0.0, |b| (value.abs() / b.misaligned).min(MAX_EXCESS));
        Some(Moment {
            metric,
            value,
            level,
            band,
            score: level_rank(level) * LEVEL_STEP + excess,
        })
    };
    if let Some(cue) = sample.cue
        && let Some(m) = of(cue.metric)
    {
        return Some(m);
    }
    MetricId::judged()
        .filter(|id| bands.band(*id).is_some())
        .filter_map(of)
        .max_by(|a, b| a.score.total_cmp(&b.score))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::advice::{CUE_TEXTS, Cue};
    use crate::geometry::metrics::Metrics;
    use crate::geometry::state::MetricLevels;
    use crate::geometry::view::View;

    fn sample(metrics: Metrics, levels: &[(MetricId, PostureState)], cue: Option<Cue>) -> Sample {
        Sample {
            frame: 0,
            t_ms: 0.0,
            person: true,
            metrics: Some(metrics),
            state: PostureState::Aligned,
            cadence_spm: None,
            levels: (!levels.is_empty()).then(|| {
                let mut l = MetricLevels::default();
                for (id, level) in levels {
                    l.set(*id, *level);
                }
                l
            }),
            cue,
        }
    }

    #[test]
    fn the_measure_out_of_its_band_speaks_not_the_largest_number() {
        use PostureState::*;
        let side = Metrics::new(Some(View::Side))
            .with(MetricId::TrunkLeanSagittal, 8.0)
            .with(MetricId::HeadForward, 30.0);
        let bands = Thresholds::default();
        struct Case {
            levels: Vec<(MetricId, PostureState)>,
            cue: Option<Cue>,
            metric: MetricId,
            why: &'static str,
        }
        let cases = [
            Case {
                levels: vec![
                    (MetricId::TrunkLeanSagittal, Aligned),
                    (MetricId::HeadForward, Misaligned),
                ],
                cue: Some(Cue {
                    metric: MetricId::HeadForward,
                    text: CUE_TEXTS[10],
                }),
                metric: MetricId::HeadForward,
                why: "the cue spoke about the head",
            },
            Case {
                levels: vec![
                    (MetricId::TrunkLeanSagittal, Drifting),
                    (MetricId::HeadForward, Aligned),
                ],
                cue: None,
                metric: MetricId::TrunkLeanSagittal,
                why: "no cue recorded: the worst level wins over a larger value",
            },
            Case {
                levels: vec![],
                cue: None,
                metric: MetricId::TrunkLeanSagittal,
                why: "no levels: head forward needs a baseline to mean anything",
            },
        ];
        for c in cases {
            let m = moment(&sample(side, &c.levels, c.cue), &bands).expect("a moment");
            assert_eq!(m.metric, c.metric, "{}", c.why);
        }
    }

    #[test]
    fn a_misaligned_frame_outranks_any_drifting_one() {
        use PostureState::*;
        let bands = Thresholds::default();
        let frontal = |lean: f32, level| {
            let m = Metrics::new(Some(View::Frontal)).with(MetricId::TrunkLeanFrontal, lean);
            moment(
                &sample(m, &[(MetricId::TrunkLeanFrontal, level)], None),
                &bands,
            )
            .unwrap()
            .score
        };
        assert!(frontal(10.5, Misaligned) > frontal(40.0, Drifting));
        assert!(frontal(12.0, Misaligned) > frontal(10.5, Misaligned));
        assert!(
            frontal(0.0, Aligned) > frontal(3.0, Unknown),
            "judged beats not judged"
        );
        // The band quoted is the view's: the offset is judged on the frontal lean's sine.
        let offset = Metrics::new(Some(View::Frontal)).with(MetricId::ShoulderHipOffset, 0.14);
        let m = moment(
            &sample(offset, &[(MetricId::ShoulderHipOffset, Misaligned)], None),
            &bands,
        )
        .unwrap();
        assert!((m.band.unwrap().drifting - 5f32.to_radians().sin()).abs() < 1e-6);
    }

    #[test]
    fn nothing_measured_is_no_moment() {
        let bands = Thresholds::default();
        let mut s = sample(Metrics::new(Some(View::Frontal)), &[], None);
        assert_eq!(moment(&s, &bands), None);
        s.metrics = None;
        assert_eq!(moment(&s, &bands), None);
    }
}
