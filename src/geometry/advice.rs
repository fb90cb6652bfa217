//! What to tell the user about their posture: one short cue for the measure furthest out of its
//! band, in plain words, beside the camera set-up advice of `framing`. The wording of each cue
//! lives in the metric table ([`MetricSpec::cue`](super::metric_id::MetricSpec::cue)).

use super::bands::Thresholds;
use super::metric_id::MetricId;
use super::metrics::Metrics;
use super::state::{MetricLevels, PostureState};

/// A cue and the measure it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cue {
    pub metric: MetricId,
    /// "shoulders back over hips".
    pub text: &'static str,
}

/// The cue for this frame, or `None` when every judged measure is aligned (or unmeasured).
///
/// `metrics` are as judged (change from the baseline once calibrated) and `bands` the bands
/// they were judged by. Among the measures at the worst level, the one first by
/// [`MetricSpec::cue_rank`](super::metric_id::MetricSpec::cue_rank) speaks (the trunk before
/// the head before the shoulder and hip lines), and between measures of one rank, the one
/// furthest past its misaligned threshold relative to that threshold.
pub fn cue(metrics: &Metrics, levels: &MetricLevels, bands: &Thresholds) -> Option<Cue> {
    let worst = levels.worst();
    if !matches!(worst, PostureState::Drifting | PostureState::Misaligned) {
        return None;
    }
    bands
        .bands()
        .filter(|(id, _)| levels.get(*id) == worst)
        .filter_map(|(id, band)| {
            let v = metrics.get(id)?;
            Some((id, v, v.abs() / band.misaligned.max(f32::EPSILON)))
        })
        // The lowest rank, then the largest excess.
        .max_by(|a, b| (b.0.spec().cue_rank.cmp(&a.0.spec().cue_rank)).then(a.2.total_cmp(&b.2)))
        .map(|(metric, v, _)| Cue {
            metric,
            text: metric.spec().cue[usize::from(v < 0.0)],
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::state::StateMachine;

    fn judged(m: &Metrics) -> (MetricLevels, Thresholds) {
        let mut bands = Thresholds::default();
        bands.min_dwell_s = 0.0;
        let levels = StateMachine::new()
            .update(std::time::Duration::ZERO, m, &bands)
            .levels;
        (levels, bands)
    }

    #[test]
    fn the_measure_furthest_out_of_its_band_speaks() {
        struct Case {
            what: &'static str,
            metrics: Metrics,
            want: Option<&'static str>,
        }
        let m = Metrics::default;
        let cases = [
            Case {
                what: "all aligned: nothing to say",
                metrics: m().with(MetricId::TrunkLeanFrontal, 2.0),
                want: None,
            },
            Case {
                what: "leaning forward",
                metrics: m().with(MetricId::TrunkLeanSagittal, 25.0),
                want: Some("shoulders back over hips"),
            },
            Case {
                what: "leaning back: the negative cue",
                metrics: m().with(MetricId::TrunkLeanSagittal, -25.0),
                want: Some("lean back less: stack your shoulders over your hips"),
            },
            Case {
                what: "bending forward: the trunk speaks before the shoulders-over-hips offset, \
                       though the offset is further out of its band",
                metrics: m()
                    .with(MetricId::TrunkLeanSagittal, 45.0)
                    .with(MetricId::ShoulderHipOffset, 0.55),
                want: Some("shoulders back over hips"),
            },
            Case {
                what: "a hip line seen on a half-turned body waits behind the trunk",
                metrics: m()
                    .with(MetricId::TrunkLeanSagittal, 42.0)
                    .with(MetricId::HipTilt, 27.0),
                want: Some("shoulders back over hips"),
            },
            Case {
                what: "one rank: the lean further out of its band speaks (14° of 10°, not 5% of 10%)",
                metrics: m()
                    .with(MetricId::TrunkLeanFrontal, -14.0)
                    .with(MetricId::ShoulderHipOffset, 0.105),
                want: Some("lean less to the left (as on screen)"),
            },
            Case {
                what: "both misaligned: the trunk's 14° of 10° outranks the shoulders' 7° of 6°",
                metrics: m()
                    .with(MetricId::TrunkLeanFrontal, 14.0)
                    .with(MetricId::ShoulderTilt, 7.0),
                want: Some("lean less to the right (as on screen)"),
            },
            Case {
                what: "a misaligned tilt outranks a merely drifting lean",
                metrics: m()
                    .with(MetricId::TrunkLeanFrontal, -8.0)
                    .with(MetricId::HipTilt, 6.5),
                want: Some("level your hips: weight on both feet"),
            },
            Case {
                what: "nothing measured",
                metrics: m(),
                want: None,
            },
        ];
        for c in cases {
            let (levels, bands) = judged(&c.metrics);
            let got = cue(&c.metrics, &levels, &bands).map(|c| c.text);
            assert_eq!(got, c.want, "{}", c.what);
        }
    }

    #[test]
    fn every_judged_metric_has_words_for_both_directions() {
        for id in MetricId::judged() {
            for text in id.spec().cue {
                assert!(text.len() > 5, "{id:?}");
            }
        }
    }
}
