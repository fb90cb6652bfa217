//! The one table of posture metrics: every per-metric list in plumbline (the baseline, the
//! bands, the levels, the session codec, CSV columns, the summary, the panel, the overlay and
//! the report's charts) is built by walking [`MetricId::ALL`], as landmarks come from
//! `LandmarkId`. Adding a metric means a row here and its line in `metrics::compute`.

use serde::{Deserialize, Serialize};

/// A posture metric. The order is the order of CSV columns and of the session codec: append
/// new metrics at the end so scripts that read columns by position keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricId {
    TrunkLeanFrontal,
    TrunkLeanSagittal,
    ShoulderHipOffset,
    ShoulderHipOffsetCm,
    ShoulderTilt,
    HipTilt,
    HeadForward,
    PlumbEar,
    PlumbShoulder,
    PlumbHip,
    PlumbKnee,
}

/// Where a metric's magnitude stops being aligned and where it becomes misaligned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub drifting: f32,
    pub misaligned: f32,
}

/// What a metric's number is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Degrees,
    /// A fraction of the torso length (shoulder midpoint to hip midpoint); shown as a percentage.
    Torso,
    Centimetres,
}

impl Unit {
    /// The factor from the stored value to the number people read (fractions as percentages).
    pub fn display_scale(self) -> f32 {
        match self {
            Unit::Torso => 100.0,
            Unit::Degrees | Unit::Centimetres => 1.0,
        }
    }

    /// What follows the number: "°", "% torso", " cm".
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Degrees => "°",
            Unit::Torso => "% torso",
            Unit::Centimetres => " cm",
        }
    }

    /// The shortest suffix, for tables and gauges: "°", "%", " cm".
    pub fn short_suffix(self) -> &'static str {
        match self {
            Unit::Torso => "%",
            other => other.suffix(),
        }
    }
}

/// The part of the drawn skeleton that carries a metric's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyPart {
    /// Shoulder-to-hip segments.
    Trunk,
    /// The line through the shoulders.
    ShoulderLine,
    /// The line through the hips.
    HipLine,
    /// The face: nose, eyes, ears, mouth.
    Head,
}

/// Everything plumbline knows about one metric besides how to compute it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricSpec {
    /// Its name in CSV columns, in the JSON summary, in the calibration baseline and in the
    /// threshold settings: `trunk_lean_frontal_deg`.
    pub key: &'static str,
    /// In a pose's JSON metrics, a member of a group object (`plumb_deviation.ear`) instead of a
    /// top-level field under `key`.
    pub json_group: Option<(&'static str, &'static str)>,
    /// For people: "trunk lean, frontal".
    pub label: &'static str,
    pub unit: Unit,
    /// The default drifting / misaligned thresholds on its magnitude (change from the baseline
    /// once calibrated); `None`: measured and reported, but no part of the posture state.
    pub band: Option<Band>,
    /// What the overlay colours by this metric's level.
    pub part: Option<BodyPart>,
    /// What to tell the user when this metric is the one out of its band: `[when positive,
    /// when negative]`, in the metric's own sign convention.
    pub cue: [&'static str; 2],
    /// Which cue speaks first when several measures are equally out of their bands (lower
    /// first): the trunk before the head, the head before the shoulder and hip lines, the plumb
    /// line last. For a back, the trunk matters most, and a tilt seen on a half-turned body is
    /// the least trustworthy.
    pub cue_rank: u8,
}

const fn band(drifting: f32, misaligned: f32) -> Option<Band> {
    Some(Band {
        drifting,
        misaligned,
    })
}

/// The plumb-line cue: the deviations are measured in a side view from the ankle's vertical.
const PLUMB_CUE: [&str; 2] = ["stand tall over your ankles", "stand tall over your ankles"];

impl MetricId {
    /// Every metric, in table order.
    pub const ALL: [MetricId; 11] = [
        MetricId::TrunkLeanFrontal,
        MetricId::TrunkLeanSagittal,
        MetricId::ShoulderHipOffset,
        MetricId::ShoulderHipOffsetCm,
        MetricId::ShoulderTilt,
        MetricId::HipTilt,
        MetricId::HeadForward,
        MetricId::PlumbEar,
        MetricId::PlumbShoulder,
        MetricId::PlumbHip,
        MetricId::PlumbKnee,
    ];

    /// How many metrics there are.
    pub const COUNT: usize = Self::ALL.len();

    /// Position in [`MetricId::ALL`], for per-metric arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The table.
    ///
    /// Default bands, and where they come from:
    /// - trunk lean: RULA (McAtamney & Corlett 1993, *Applied Ergonomics* 24(2)) scores the
    ///   trunk as upright up to 0° and penalises flexion from 0–20°, more beyond 20°. 2-D pose
    ///   angles carry a few degrees of error, so "drifting" starts at 5° frontal / 10° sagittal
    ///   and "misaligned" at 10° / 20°.
    /// - shoulder and hip tilt: a level shoulder girdle within ~2–3° is usual in standing
    ///   posture assessments (e.g. Kendall, *Muscles: Testing and Function*); 3° / 6°.
    /// - shoulder-over-hip offset: 5% / 10% of the torso length (≈2.5 / 5 cm for a 50 cm
    ///   torso). Its centimetre twin is shown, not judged twice.
    /// - head forward: ear over shoulder is Kendall's ideal; forward-head thresholds in the
    ///   craniovertebral-angle literature are ≈50° from horizontal, i.e. ≈40° from vertical at
    ///   C7. Measured from the shoulder midpoint (BlazePose has no C7) the angle runs smaller,
    ///   so 15° / 25°, best read against the person's own baseline.
    /// - plumb line (side view): ear, shoulder and hip each 10% / 20% of the torso from the
    ///   ankle's vertical; the knee is reported only.
    pub const fn spec(self) -> MetricSpec {
        match self {
            MetricId::TrunkLeanFrontal => MetricSpec {
                key: "trunk_lean_frontal_deg",
                json_group: None,
                label: "trunk lean, frontal",
                unit: Unit::Degrees,
                band: band(5.0, 10.0),
                part: Some(BodyPart::Trunk),
                cue: [
                    "lean less to the right (as on screen)",
                    "lean less to the left (as on screen)",
                ],
                cue_rank: 1,
            },
            MetricId::TrunkLeanSagittal => MetricSpec {
                key: "trunk_lean_sagittal_deg",
                json_group: None,
                label: "trunk lean, sagittal",
                unit: Unit::Degrees,
                band: band(10.0, 20.0),
                part: Some(BodyPart::Trunk),
                cue: [
                    "shoulders back over hips",
                    "lean back less: stack your shoulders over your hips",
                ],
                cue_rank: 0,
            },
            MetricId::ShoulderHipOffset => MetricSpec {
                key: "shoulder_hip_offset",
                json_group: None,
                label: "shoulders over hips",
                unit: Unit::Torso,
                band: band(0.05, 0.10),
                part: Some(BodyPart::Trunk),
                cue: [
                    "lean less to the right (as on screen)",
                    "lean less to the left (as on screen)",
                ],
                cue_rank: 1,
            },
            MetricId::ShoulderHipOffsetCm => MetricSpec {
                key: "shoulder_hip_offset_cm",
                json_group: None,
                label: "shoulders over hips (3-D)",
                unit: Unit::Centimetres,
                band: None,
                part: None,
                cue: [
                    "lean less to the right (as on screen)",
                    "lean less to the left (as on screen)",
                ],
                cue_rank: 1,
            },
            MetricId::ShoulderTilt => MetricSpec {
                key: "shoulder_tilt_deg",
                json_group: None,
                label: "shoulder tilt",
                unit: Unit::Degrees,
                band: band(3.0, 6.0),
                part: Some(BodyPart::ShoulderLine),
                cue: ["level your shoulders", "level your shoulders"],
                cue_rank: 3,
            },
            MetricId::HipTilt => MetricSpec {
                key: "hip_tilt_deg",
                json_group: None,
                label: "hip tilt",
                unit: Unit::Degrees,
                band: band(3.0, 6.0),
                part: Some(BodyPart::HipLine),
                cue: [
                    "level your hips: weight on both feet",
                    "level your hips: weight on both feet",
                ],
                cue_rank: 4,
            },
            MetricId::HeadForward => MetricSpec {
                key: "head_forward_deg",
                json_group: None,
                label: "head forward",
                unit: Unit::Degrees,
                band: band(15.0, 25.0),
                part: Some(BodyPart::Head),
                cue: [
                    "bring your head back over your shoulders",
                    "bring your head back over your shoulders",
                ],
                cue_rank: 2,
            },
            MetricId::PlumbEar => MetricSpec {
                key: "plumb_ear",
                json_group: Some(("plumb_deviation", "ear")),
                label: "plumb line: ear",
                unit: Unit::Torso,
                band: band(0.10, 0.20),
                part: None,
                cue: PLUMB_CUE,
                cue_rank: 5,
            },
            MetricId::PlumbShoulder => MetricSpec {
                key: "plumb_shoulder",
                json_group: Some(("plumb_deviation", "shoulder")),
                label: "plumb line: shoulder",
                unit: Unit::Torso,
                band: band(0.10, 0.20),
                part: None,
                cue: PLUMB_CUE,
                cue_rank: 5,
            },
            MetricId::PlumbHip => MetricSpec {
                key: "plumb_hip",
                json_group: Some(("plumb_deviation", "hip")),
                label: "plumb line: hip",
                unit: Unit::Torso,
                band: band(0.10, 0.20),
                part: None,
                cue: PLUMB_CUE,
                cue_rank: 5,
            },
            MetricId::PlumbKnee => MetricSpec {
                key: "plumb_knee",
                json_group: Some(("plumb_deviation", "knee")),
                label: "plumb line: knee",
                unit: Unit::Torso,
                band: None,
                part: None,
                cue: PLUMB_CUE,
                cue_rank: 5,
            },
        }
    }

    /// The CSV column, summary key and settings key.
    pub const fn key(self) -> &'static str {
        self.spec().key
    }

    /// For people: "trunk lean, frontal".
    pub const fn label(self) -> &'static str {
        self.spec().label
    }

    pub const fn unit(self) -> Unit {
        self.spec().unit
    }

    /// Whether the metric counts toward the posture state (it has a band).
    pub const fn is_judged(self) -> bool {
        self.spec().band.is_some()
    }

    /// The metrics that count toward the posture state, in table order.
    pub fn judged() -> impl Iterator<Item = MetricId> {
        Self::ALL.into_iter().filter(|m| m.is_judged())
    }

    /// The metric whose [`key`](Self::key) is `key`.
    pub fn from_key(key: &str) -> Option<MetricId> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }
}

/// One value per metric, in table order: the storage behind [`Metrics`](super::metrics::Metrics),
/// the baseline, the bands and the levels. Serialised as an object keyed by
/// [`MetricId::key`], every metric present (`null` when it has no value); reading tolerates
/// missing and unknown keys.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerMetric<T>([Option<T>; MetricId::COUNT]);

impl<T: Copy> Default for PerMetric<T> {
    fn default() -> Self {
        Self([None; MetricId::COUNT])
    }
}

impl<T: Copy> PerMetric<T> {
    pub fn get(&self, id: MetricId) -> Option<T> {
        self.0[id.index()]
    }

    pub fn set(&mut self, id: MetricId, value: Option<T>) {
        self.0[id.index()] = value;
    }

    /// Every metric with its value, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (MetricId, Option<T>)> + '_ {
        MetricId::ALL.into_iter().map(|id| (id, self.get(id)))
    }

    /// The metrics that have a value, with it.
    pub fn present(&self) -> impl Iterator<Item = (MetricId, T)> + '_ {
        MetricId::ALL
            .into_iter()
            .filter_map(|id| Some((id, self.get(id)?)))
    }

    /// A value for every metric from `f`.
    pub fn from_fn(mut f: impl FnMut(MetricId) -> Option<T>) -> Self {
        let mut out = Self::default();
        for id in MetricId::ALL {
            out.set(id, f(id));
        }
        out
    }
}

impl<T: Copy + Serialize> Serialize for PerMetric<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(MetricId::COUNT))?;
        for (id, v) in self.iter() {
            map.serialize_entry(id.key(), &v)?;
        }
        map.end()
    }
}

impl<'de, T: Copy + Deserialize<'de>> Deserialize<'de> for PerMetric<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Copy + Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = PerMetric<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object keyed by metric names")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = PerMetric::default();
                while let Some(key) = map.next_key::<String>()? {
                    match MetricId::from_key(&key) {
                        Some(id) => out.set(id, map.next_value::<Option<T>>()?),
                        // Written by a newer plumbline, or another field beside a flattened map.
                        None => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_order_and_keys_are_unique() {
        for (i, id) in MetricId::ALL.into_iter().enumerate() {
            assert_eq!(id.index(), i, "{id:?} out of place");
            assert_eq!(MetricId::from_key(id.key()), Some(id));
            assert!(!id.label().is_empty());
        }
        let mut keys: Vec<&str> = MetricId::ALL.iter().map(|m| m.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), MetricId::COUNT);
    }

    #[test]
    fn every_band_rises_from_drifting_to_misaligned() {
        for id in MetricId::judged() {
            let b = id.spec().band.unwrap();
            assert!(
                0.0 < b.drifting && b.drifting < b.misaligned,
                "{id:?}: {b:?}"
            );
        }
        // What the state is judged on: lean, offset, tilts, head and the plumb line; the
        // centimetre offset and the knee are reported only.
        assert_eq!(MetricId::judged().count(), 9);
        assert!(!MetricId::ShoulderHipOffsetCm.is_judged());
        assert!(!MetricId::PlumbKnee.is_judged());
    }

    #[test]
    fn per_metric_values_round_trip_by_key_and_ignore_strangers() {
        let mut v = PerMetric::<f32>::default();
        v.set(MetricId::HipTilt, Some(2.5));
        let json = serde_json::to_value(v).unwrap();
        assert_eq!(json["hip_tilt_deg"], 2.5);
        assert!(json["trunk_lean_frontal_deg"].is_null(), "present, as null");
        let back: PerMetric<f32> =
            serde_json::from_str(r#"{"hip_tilt_deg": 2.5, "from_the_future": [1, 2]}"#).unwrap();
        assert_eq!(back, v);
        assert_eq!(
            back.present().collect::<Vec<_>>(),
            [(MetricId::HipTilt, 2.5)]
        );
    }
}
