//! The one table of posture metrics: every per-metric list in plumbline (the baseline, the
//! bands, the levels, the session codec, CSV columns, the summary, the panel, the overlay and
//! the report's charts) is built by walking [`MetricId::ALL`], as landmarks come from
//! `LandmarkId`. Adding a metric means a row here and its line in `metrics::compute`.

use serde::{Deserialize, Serialize};

use super::view::View;

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

/// The views a metric can be measured from; see [`MetricSpec::views`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Views {
    pub frontal: bool,
    pub side: bool,
    pub oblique: bool,
}

impl Views {
    pub const fn contains(self, view: View) -> bool {
        match view {
            View::Frontal => self.frontal,
            View::Side => self.side,
            View::Oblique => self.oblique,
        }
    }
}

const FRONTAL: Views = Views {
    frontal: true,
    side: false,
    oblique: false,
};
const SIDE: Views = Views {
    frontal: false,
    side: true,
    oblique: false,
};
const FRONTAL_AND_OBLIQUE: Views = Views {
    frontal: true,
    side: false,
    oblique: true,
};
const EVERY_VIEW: Views = Views {
    frontal: true,
    side: true,
    oblique: true,
};

/// Where a metric's band comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandSource {
    /// Its own band in the settings.
    Own,
    /// The band of the trunk lean in the plane the view shows (frontal lean in a frontal view,
    /// sagittal lean in a side view), as the sine of its angles: a horizontal distance in torso
    /// lengths that is the same geometry as a lean, on the same scale, so the two can never
    /// disagree.
    LeanOfView,
    /// The sagittal lean's band, as the sine of its angles (the plumb line's points are
    /// horizontal distances in torso lengths in the side view).
    SagittalLean,
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
    /// Where the band it is judged by comes from.
    pub band_source: BandSource,
    /// The views it can be measured from: elsewhere it is `null` ("not measurable from this
    /// view"), whatever the landmarks say. Chosen from the validity suite (README, Validity):
    /// a metric is measured in a view only where its worst error against rendered ground
    /// truth is well inside its drifting band.
    pub views: Views,
    /// Judged only as change from the person's calibrated stance: its absolute value is a
    /// proxy whose zero differs from person to person and view to view by more than its band.
    pub needs_baseline: bool,
    /// What the overlay colours by this metric's level.
    pub part: Option<BodyPart>,
    /// Which cue speaks first when several measures are equally out of their bands (lower
    /// first): the trunk before the head, the head before the shoulder and hip lines, the plumb
    /// line last. For a back, the trunk matters most.
    pub cue_rank: u8,
}

const fn band(drifting: f32, misaligned: f32) -> Option<Band> {
    Some(Band {
        drifting,
        misaligned,
    })
}

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
    ///   and "misaligned" at 10° / 20°. In an oblique view the frontal lean is the lean in the
    ///   picture, where a forward and a sideways lean both show, foreshortened; the sagittal
    ///   lean's depth is not measurable there (a change off by up to 8°).
    /// - shoulder tilt: a level shoulder girdle within ~2–3° is usual in standing posture
    ///   assessments (e.g. Kendall, *Muscles: Testing and Function*), but BlazePose cannot
    ///   resolve that: on rendered ground truth it reads a shrug at about 60% of its size (a
    ///   change off by up to 4.5°). A band must be half again as wide as the worst error to be
    ///   trusted, so 7° / 12°: gross tilts only.
    /// - hip tilt is reported, not judged: BlazePose's hip points ride with a sideways trunk
    ///   lean, so a level pelvis under a trunk leaning 12° to the side reads 8.8° of hip tilt;
    ///   a hip tilt cannot be told apart from the lean, which is judged.
    /// - shoulder-over-hip offset and plumb line: horizontal distances in torso lengths, judged
    ///   on the trunk lean's band of the same plane (its sine: 5° is 0.087 torso), so a lean and
    ///   an offset of the same geometry always agree ([`BandSource`]). The centimetre offset
    ///   and the knee are reported only.
    /// - head forward: ear over shoulder is Kendall's ideal; forward-head thresholds in the
    ///   craniovertebral-angle literature are ≈50° from horizontal, i.e. ≈40° from vertical at
    ///   C7. Measured from the shoulder midpoint (BlazePose has no C7) the angle runs smaller,
    ///   so 15° / 25°, best read against the person's own baseline.
    pub const fn spec(self) -> MetricSpec {
        match self {
            MetricId::TrunkLeanFrontal => MetricSpec {
                key: "trunk_lean_frontal_deg",
                json_group: None,
                label: "trunk lean, frontal",
                unit: Unit::Degrees,
                band: band(5.0, 10.0),
                band_source: BandSource::Own,
                views: FRONTAL_AND_OBLIQUE,
                needs_baseline: false,
                part: Some(BodyPart::Trunk),
                cue_rank: 1,
            },
            MetricId::TrunkLeanSagittal => MetricSpec {
                key: "trunk_lean_sagittal_deg",
                json_group: None,
                label: "trunk lean, sagittal",
                unit: Unit::Degrees,
                band: band(10.0, 20.0),
                band_source: BandSource::Own,
                views: SIDE,
                needs_baseline: false,
                part: Some(BodyPart::Trunk),
                cue_rank: 0,
            },
            MetricId::ShoulderHipOffset => MetricSpec {
                key: "shoulder_hip_offset",
                json_group: None,
                label: "shoulders over hips",
                unit: Unit::Torso,
                band: band(0.087, 0.174),
                band_source: BandSource::LeanOfView,
                views: EVERY_VIEW,
                needs_baseline: false,
                part: Some(BodyPart::Trunk),
                cue_rank: 1,
            },
            MetricId::ShoulderHipOffsetCm => MetricSpec {
                key: "shoulder_hip_offset_cm",
                json_group: None,
                label: "shoulders over hips (3-D)",
                unit: Unit::Centimetres,
                band: None,
                band_source: BandSource::Own,
                views: EVERY_VIEW,
                needs_baseline: false,
                part: None,
                cue_rank: 1,
            },
            MetricId::ShoulderTilt => MetricSpec {
                key: "shoulder_tilt_deg",
                json_group: None,
                label: "shoulder tilt",
                unit: Unit::Degrees,
                band: band(7.0, 12.0),
                band_source: BandSource::Own,
                views: FRONTAL,
                needs_baseline: false,
                part: Some(BodyPart::ShoulderLine),
                cue_rank: 3,
            },
            MetricId::HipTilt => MetricSpec {
                key: "hip_tilt_deg",
                json_group: None,
                label: "hip tilt",
                unit: Unit::Degrees,
                band: None,
                band_source: BandSource::Own,
                views: FRONTAL,
                needs_baseline: false,
                part: Some(BodyPart::HipLine),
                cue_rank: 4,
            },
            MetricId::HeadForward => MetricSpec {
                key: "head_forward_deg",
                json_group: None,
                label: "head forward",
                unit: Unit::Degrees,
                band: band(15.0, 25.0),
                band_source: BandSource::Own,
                views: SIDE,
                needs_baseline: true,
                part: Some(BodyPart::Head),
                cue_rank: 2,
            },
            MetricId::PlumbEar => plumb("plumb_ear", "ear", "plumb line: ear", true),
            MetricId::PlumbShoulder => {
                plumb("plumb_shoulder", "shoulder", "plumb line: shoulder", true)
            }
            MetricId::PlumbHip => plumb("plumb_hip", "hip", "plumb line: hip", true),
            MetricId::PlumbKnee => plumb("plumb_knee", "knee", "plumb line: knee", false),
        }
    }

    /// Whether `view` lets this metric be measured.
    pub const fn measurable_in(self, view: View) -> bool {
        self.spec().views.contains(view)
    }

    /// Whether its band is its own setting (rather than the lean's, see [`BandSource`]).
    pub const fn has_own_band(self) -> bool {
        matches!(self.spec().band_source, BandSource::Own)
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

/// A point of the plumb line: measured in a side view, judged (except the knee) on the
/// sagittal lean's band.
const fn plumb(
    key: &'static str,
    field: &'static str,
    label: &'static str,
    judged: bool,
) -> MetricSpec {
    MetricSpec {
        key,
        json_group: Some(("plumb_deviation", field)),
        label,
        unit: Unit::Torso,
        band: if judged { band(0.174, 0.342) } else { None },
        band_source: BandSource::SagittalLean,
        views: SIDE,
        needs_baseline: false,
        part: None,
        cue_rank: 5,
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
        // What the state is judged on: lean, offset, shoulder tilt, head and the plumb line;
        // the centimetre offset, the hip tilt and the knee are reported only.
        assert_eq!(MetricId::judged().count(), 8);
        assert!(!MetricId::HipTilt.is_judged());
        assert!(!MetricId::ShoulderHipOffsetCm.is_judged());
        assert!(!MetricId::PlumbKnee.is_judged());
    }
}
