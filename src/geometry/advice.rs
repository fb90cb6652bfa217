//! What to tell the user about their posture: one short cue for the measure furthest out of its
//! band, in plain words and in the person's own terms (their left and right, forward and back,
//! from the view and the way they face), beside the camera set-up advice of `framing`.

use super::bands::Thresholds;
use super::metric_id::MetricId;
use super::metrics::Metrics;
use super::state::{MetricLevels, PostureState};
use super::view::Facing;

/// A cue and the measure it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cue {
    pub metric: MetricId,
    /// "stand taller: lean back a little".
    pub text: &'static str,
}

/// The cue for this frame, or `None` when every judged measure is aligned (or unmeasured).
///
/// `metrics` are as judged (change from the baseline once calibrated), `bands` the bands
/// they were judged by and `facing` the way the person faces. Among the measures at the worst
/// level, the one first by [`MetricSpec::cue_rank`](super::metric_id::MetricSpec::cue_rank)
/// speaks (the trunk before the head before the shoulder and hip lines), and between measures
/// of one rank, the one furthest past its misaligned threshold relative to that threshold.
pub fn cue(
    metrics: &Metrics,
    levels: &MetricLevels,
    bands: &Thresholds,
    facing: Option<Facing>,
) -> Option<Cue> {
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
            text: words(metric, v, facing),
        })
}

/// Which way a measure's sign points for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toward {
    Forward,
    Back,
    TheirLeft,
    TheirRight,
    /// The view cannot tell (facing unknown): words without a direction.
    Unknown,
}

/// A positive value of a measure in picture terms (toward the picture's right, or the
/// right-hand end higher) as the person's own direction.
fn picture_right(facing: Option<Facing>) -> Toward {
    match facing {
        Some(Facing::Camera) => Toward::TheirLeft,
        Some(Facing::Away) => Toward::TheirRight,
        Some(Facing::Right) => Toward::Forward,
        Some(Facing::Left) => Toward::Back,
        None => Toward::Unknown,
    }
}

fn opposite(t: Toward) -> Toward {
    match t {
        Toward::Forward => Toward::Back,
        Toward::Back => Toward::Forward,
        Toward::TheirLeft => Toward::TheirRight,
        Toward::TheirRight => Toward::TheirLeft,
        Toward::Unknown => Toward::Unknown,
    }
}

/// The words for `metric` at value `v` for a person facing `facing`.
pub fn words(metric: MetricId, v: f32, facing: Option<Facing>) -> &'static str {
    use MetricId as M;
    // Where the measure's positive sign points for this person.
    let positive = match metric {
        // Signed positive forward already.
        M::TrunkLeanSagittal
        | M::HeadForward
        | M::PlumbEar
        | M::PlumbShoulder
        | M::PlumbHip
        | M::PlumbKnee => Toward::Forward,
        M::TrunkLeanFrontal
        | M::ShoulderHipOffset
        | M::ShoulderHipOffsetCm
        | M::ShoulderTilt
        | M::HipTilt => picture_right(facing),
    };
    let toward = if v < 0.0 {
        opposite(positive)
    } else {
        positive
    };
    match (metric, toward) {
        (M::TrunkLeanSagittal, Toward::Forward) => "stand taller: lean back a little",
        (M::TrunkLeanSagittal, _) => "lean forward a little: shoulders over your hips",
        (M::TrunkLeanFrontal | M::ShoulderHipOffset | M::ShoulderHipOffsetCm, t) => match t {
            Toward::Forward => "bring your shoulders back over your hips",
            Toward::Back => "bring your shoulders forward over your hips",
            Toward::TheirLeft => "you lean to your left: shoulders back over your hips",
            Toward::TheirRight => "you lean to your right: shoulders back over your hips",
            Toward::Unknown => "bring your shoulders back over your hips",
        },
        // The higher end is the one the measure points to.
        (M::ShoulderTilt, Toward::TheirLeft) => "lower your left shoulder",
        (M::ShoulderTilt, Toward::TheirRight) => "lower your right shoulder",
        (M::ShoulderTilt, _) => "level your shoulders",
        (M::HipTilt, _) => "level your hips: weight on both feet",
        (M::HeadForward, Toward::Forward) => "bring your head back over your shoulders",
        (M::HeadForward, _) => "let your head come forward over your shoulders",
        (M::PlumbEar | M::PlumbShoulder | M::PlumbHip | M::PlumbKnee, Toward::Forward) => {
            "stand tall: weight back over your ankles"
        }
        (M::PlumbEar | M::PlumbShoulder | M::PlumbHip | M::PlumbKnee, _) => {
            "stand tall: weight forward over your ankles"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::state::StateMachine;
    use crate::geometry::view::View;

    /// Judges `m` as seen in `view` with the default bands, no dwell.
    fn judged(m: &Metrics, view: View) -> (MetricLevels, Thresholds) {
        let mut bands = Thresholds::default().in_view(Some(view));
        bands.min_dwell_s = 0.0;
        let levels = StateMachine::new()
            .update(std::time::Duration::ZERO, m, &bands)
            .levels;
        (levels, bands)
    }

    #[test]
    fn cues_speak_in_the_persons_own_terms() {
        struct Case {
            what: &'static str,
            view: View,
            facing: Option<Facing>,
            metrics: Metrics,
            want: Option<&'static str>,
        }
        let m = Metrics::default;
        use Facing::*;
        use MetricId as M;
        let cases = [
            Case {
                what: "all aligned: nothing to say",
                view: View::Frontal,
                facing: Some(Camera),
                metrics: m().with(M::TrunkLeanFrontal, 2.0),
                want: None,
            },
            Case {
                what: "side view, leaning forward",
                view: View::Side,
                facing: Some(Right),
                metrics: m().with(M::TrunkLeanSagittal, 25.0),
                want: Some("stand taller: lean back a little"),
            },
            Case {
                what: "side view, leaning back",
                view: View::Side,
                facing: Some(Left),
                metrics: m().with(M::TrunkLeanSagittal, -25.0),
                want: Some("lean forward a little: shoulders over your hips"),
            },
            Case {
                what: "facing the picture's right, shoulders to the picture's right are ahead",
                view: View::Side,
                facing: Some(Right),
                metrics: m().with(M::ShoulderHipOffset, 0.4),
                want: Some("bring your shoulders back over your hips"),
            },
            Case {
                what: "facing the picture's left, the same offset is behind the hips",
                view: View::Side,
                facing: Some(Left),
                metrics: m().with(M::ShoulderHipOffset, 0.4),
                want: Some("bring your shoulders forward over your hips"),
            },
            Case {
                what: "facing the camera, a lean to the picture's right is to their left",
                view: View::Frontal,
                facing: Some(Camera),
                metrics: m().with(M::TrunkLeanFrontal, 12.0),
                want: Some("you lean to your left: shoulders back over your hips"),
            },
            Case {
                what: "back to the camera, the same lean is to their right",
                view: View::Frontal,
                facing: Some(Away),
                metrics: m().with(M::TrunkLeanFrontal, 12.0),
                want: Some("you lean to your right: shoulders back over your hips"),
            },
            Case {
                what: "facing the camera, the picture's right shoulder higher is their left",
                view: View::Frontal,
                facing: Some(Camera),
                metrics: m().with(M::ShoulderTilt, 7.0),
                want: Some("lower your left shoulder"),
            },
            Case {
                what: "facing the camera, the picture's left shoulder higher is their right",
                view: View::Frontal,
                facing: Some(Camera),
                metrics: m().with(M::ShoulderTilt, -7.0),
                want: Some("lower your right shoulder"),
            },
            Case {
                what: "facing unknown: no direction",
                view: View::Frontal,
                facing: None,
                metrics: m().with(M::ShoulderTilt, -7.0),
                want: Some("level your shoulders"),
            },
            Case {
                what: "the trunk speaks before the offset, though the offset is further out",
                view: View::Side,
                facing: Some(Right),
                metrics: m()
                    .with(M::TrunkLeanSagittal, 45.0)
                    .with(M::ShoulderHipOffset, 0.9),
                want: Some("stand taller: lean back a little"),
            },
            Case {
                what: "both misaligned: the trunk's 14° of 10° outranks the shoulders' 13° of 12°",
                view: View::Frontal,
                facing: Some(Camera),
                metrics: m()
                    .with(M::TrunkLeanFrontal, -14.0)
                    .with(M::ShoulderTilt, 13.0),
                want: Some("you lean to your right: shoulders back over your hips"),
            },
            Case {
                what: "a misaligned tilt outranks a merely drifting lean",
                view: View::Frontal,
                facing: Some(Camera),
                metrics: m()
                    .with(M::TrunkLeanFrontal, -8.0)
                    .with(M::ShoulderTilt, 13.0),
                want: Some("lower your left shoulder"),
            },
            Case {
                what: "head forward, side view",
                view: View::Side,
                facing: Some(Left),
                metrics: m().with(M::HeadForward, 30.0),
                want: Some("bring your head back over your shoulders"),
            },
            Case {
                what: "standing ahead of the ankles",
                view: View::Side,
                facing: Some(Left),
                metrics: m().with(M::PlumbShoulder, 0.4),
                want: Some("stand tall: weight back over your ankles"),
            },
            Case {
                what: "nothing measured",
                view: View::Frontal,
                facing: Some(Camera),
                metrics: m(),
                want: None,
            },
        ];
        for c in cases {
            let (levels, bands) = judged(&c.metrics, c.view);
            let got = cue(&c.metrics, &levels, &bands, c.facing).map(|c| c.text);
            assert_eq!(got, c.want, "{}", c.what);
        }
    }

    #[test]
    fn no_cue_speaks_in_screen_terms() {
        let facings = [
            None,
            Some(Facing::Camera),
            Some(Facing::Away),
            Some(Facing::Left),
            Some(Facing::Right),
        ];
        for id in MetricId::ALL {
            for facing in facings {
                for v in [-1.0, 1.0] {
                    let text = words(id, v, facing);
                    assert!(text.len() > 5, "{id:?}");
                    assert!(!text.contains("screen"), "{id:?}: {text}");
                }
            }
        }
    }
}
