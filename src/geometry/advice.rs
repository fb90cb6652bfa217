//! What to tell the user about their posture: one short cue for the measure furthest out of its
//! band, in plain words and in the person's own terms (their left and right, forward and back,
//! from the view and the way they face), beside the camera set-up advice of `framing`.

use serde::{Deserialize, Serialize};

use super::bands::Thresholds;
use super::metric_id::MetricId;
use super::metrics::Metrics;
use super::state::{MetricLevels, PostureState};
use super::view::Facing;

/// A cue and the measure it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cue {
    pub metric: MetricId,
    /// "stand taller: lift your chest over your hips".
    pub text: &'static str,
}

// The words of every cue. A session stores a cue as its position in [`CUE_TEXTS`], so the table
// is append-only: reword a cue in place, add new ones at the end, never reorder or remove.
const STAND_TALLER: &str = "stand taller: lift your chest over your hips";
const LEAN_FORWARD: &str = "lean forward a little: shoulders over your hips";
const SHOULDERS_BACK: &str = "bring your shoulders back over your hips";
const SHOULDERS_FORWARD: &str = "bring your shoulders forward over your hips";
const LEAN_LEFT: &str = "you lean to your left: shoulders back over your hips";
const LEAN_RIGHT: &str = "you lean to your right: shoulders back over your hips";
const LOWER_LEFT_SHOULDER: &str = "lower your left shoulder";
const LOWER_RIGHT_SHOULDER: &str = "lower your right shoulder";
const LEVEL_SHOULDERS: &str = "level your shoulders";
const LEVEL_HIPS: &str = "level your hips: weight on both feet";
const HEAD_BACK: &str = "bring your head back over your shoulders";
const HEAD_FORWARD: &str = "let your head come forward over your shoulders";
const WEIGHT_BACK: &str = "stand tall: weight back over your ankles";
const WEIGHT_FORWARD: &str = "stand tall: weight forward over your ankles";

/// Every cue's words, in the order sessions store them by (see [`Cue::code`]).
pub const CUE_TEXTS: [&str; 14] = [
    STAND_TALLER,
    LEAN_FORWARD,
    SHOULDERS_BACK,
    SHOULDERS_FORWARD,
    LEAN_LEFT,
    LEAN_RIGHT,
    LOWER_LEFT_SHOULDER,
    LOWER_RIGHT_SHOULDER,
    LEVEL_SHOULDERS,
    LEVEL_HIPS,
    HEAD_BACK,
    HEAD_FORWARD,
    WEIGHT_BACK,
    WEIGHT_FORWARD,
];

impl Cue {
    /// The cue's words as their position in [`CUE_TEXTS`] (`None` for words not in the table,
    /// which [`words`] never gives).
    pub fn code(&self) -> Option<usize> {
        CUE_TEXTS.iter().position(|t| *t == self.text)
    }

    /// The cue about `metric` with the words at `code` in [`CUE_TEXTS`], if there are any.
    pub fn from_code(metric: MetricId, code: usize) -> Option<Cue> {
        Some(Cue {
            metric,
            text: CUE_TEXTS.get(code)?,
        })
    }
}

/// A cue in JSON: `{"metric": "<metric key>", "text": "<its words>"}`.
#[derive(Serialize)]
struct CueJson<'a> {
    metric: &'a str,
    text: &'a str,
}

impl Serialize for Cue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        CueJson {
            metric: self.metric.key(),
            text: self.text,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Cue {
    /// Reads a cue whose words are in [`CUE_TEXTS`]; others are an error.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let json = CueJsonOwned::deserialize(d)?;
        let metric = MetricId::from_key(&json.metric)
            .ok_or_else(|| D::Error::custom(format!("unknown metric `{}`", json.metric)))?;
        let text = CUE_TEXTS
            .iter()
            .find(|t| **t == json.text)
            .ok_or_else(|| D::Error::custom(format!("unknown cue `{}`", json.text)))?;
        Ok(Cue { metric, text })
    }
}

/// [`CueJson`] as read (owned: a reader's strings may be escaped).
#[derive(Deserialize)]
struct CueJsonOwned {
    metric: String,
    text: String,
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
        (M::TrunkLeanSagittal, Toward::Forward) => STAND_TALLER,
        (M::TrunkLeanSagittal, _) => LEAN_FORWARD,
        (M::TrunkLeanFrontal | M::ShoulderHipOffset | M::ShoulderHipOffsetCm, t) => match t {
            Toward::Forward => SHOULDERS_BACK,
            Toward::Back => SHOULDERS_FORWARD,
            Toward::TheirLeft => LEAN_LEFT,
            Toward::TheirRight => LEAN_RIGHT,
            Toward::Unknown => SHOULDERS_BACK,
        },
        // The higher end is the one the measure points to.
        (M::ShoulderTilt, Toward::TheirLeft) => LOWER_LEFT_SHOULDER,
        (M::ShoulderTilt, Toward::TheirRight) => LOWER_RIGHT_SHOULDER,
        (M::ShoulderTilt, _) => LEVEL_SHOULDERS,
        (M::HipTilt, _) => LEVEL_HIPS,
        (M::HeadForward, Toward::Forward) => HEAD_BACK,
        (M::HeadForward, _) => HEAD_FORWARD,
        (M::PlumbEar | M::PlumbShoulder | M::PlumbHip | M::PlumbKnee, Toward::Forward) => {
            WEIGHT_BACK
        }
        (M::PlumbEar | M::PlumbShoulder | M::PlumbHip | M::PlumbKnee, _) => WEIGHT_FORWARD,
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
                want: Some("stand taller: lift your chest over your hips"),
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
                want: Some("stand taller: lift your chest over your hips"),
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

    /// Every metric, either sign, every way of facing: everything [`words`] is asked.
    fn every_question() -> impl Iterator<Item = (MetricId, f32, Option<Facing>)> {
        let facings = [
            None,
            Some(Facing::Camera),
            Some(Facing::Away),
            Some(Facing::Left),
            Some(Facing::Right),
        ];
        MetricId::ALL.into_iter().flat_map(move |id| {
            facings
                .into_iter()
                .flat_map(move |f| [-1.0, 1.0].map(|v| (id, v, f)))
        })
    }

    #[test]
    fn no_cue_speaks_in_screen_terms() {
        for (id, v, facing) in every_question() {
            let text = words(id, v, facing);
            assert!(text.len() > 5, "{id:?}");
            assert!(!text.contains("screen"), "{id:?}: {text}");
        }
    }

    #[test]
    fn every_cue_is_in_the_stored_table_and_round_trips() {
        let mut seen = std::collections::BTreeSet::new();
        for (id, v, facing) in every_question() {
            let cue = Cue {
                metric: id,
                text: words(id, v, facing),
            };
            let code = cue.code().expect("in the table");
            assert_eq!(Cue::from_code(id, code), Some(cue));
            seen.insert(code);
            let json = serde_json::to_value(cue).unwrap();
            assert_eq!(json["metric"], id.key());
            assert_eq!(serde_json::from_value::<Cue>(json).unwrap(), cue);
        }
        assert_eq!(
            seen.len(),
            CUE_TEXTS.len(),
            "every stored cue is one words() gives"
        );
        assert_eq!(Cue::from_code(MetricId::HipTilt, CUE_TEXTS.len()), None);
        assert!(
            serde_json::from_str::<Cue>(r#"{"metric": "hip_tilt_deg", "text": "dance"}"#).is_err()
        );
    }
}
