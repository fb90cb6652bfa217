//! Practice presets: which measures a physiotherapist wants judged and which activity the
//! session is for. The app's settings and `plumbline analyze` share them, and reports say which
//! were on. A measure that is off is still measured and recorded; it just never makes the state
//! drift or alert.

use serde::{Deserialize, Serialize};

use super::metric_id::MetricId;
use super::motion::Activity;

/// A measure as a physiotherapist names it; each judges one or more metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    TrunkUpright,
    ShouldersOverHips,
    LevelShoulders,
    HeadOverShoulders,
    PlumbLine,
}

impl Measure {
    pub const ALL: [Measure; 5] = [
        Measure::TrunkUpright,
        Measure::ShouldersOverHips,
        Measure::LevelShoulders,
        Measure::HeadOverShoulders,
        Measure::PlumbLine,
    ];

    /// Its name in settings, on the command line and in reports: `trunk_upright`.
    pub fn key(self) -> &'static str {
        match self {
            Measure::TrunkUpright => "trunk_upright",
            Measure::ShouldersOverHips => "shoulders_over_hips",
            Measure::LevelShoulders => "level_shoulders",
            Measure::HeadOverShoulders => "head_over_shoulders",
            Measure::PlumbLine => "plumb_line",
        }
    }

    /// For people: "trunk upright".
    pub fn label(self) -> &'static str {
        match self {
            Measure::TrunkUpright => "trunk upright",
            Measure::ShouldersOverHips => "shoulders over hips",
            Measure::LevelShoulders => "level shoulders",
            Measure::HeadOverShoulders => "head over shoulders",
            Measure::PlumbLine => "plumb line",
        }
    }

    pub fn from_key(key: &str) -> Option<Measure> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }

    /// The measure metric `id` belongs to. The hip tilt, reported only, goes with the shoulder
    /// line.
    pub fn of(id: MetricId) -> Measure {
        match id {
            MetricId::TrunkLeanFrontal | MetricId::TrunkLeanSagittal => Measure::TrunkUpright,
            MetricId::ShoulderHipOffset | MetricId::ShoulderHipOffsetCm => {
                Measure::ShouldersOverHips
            }
            MetricId::ShoulderTilt | MetricId::HipTilt => Measure::LevelShoulders,
            MetricId::HeadForward => Measure::HeadOverShoulders,
            MetricId::PlumbEar
            | MetricId::PlumbShoulder
            | MetricId::PlumbHip
            | MetricId::PlumbKnee => Measure::PlumbLine,
        }
    }
}

/// What the session is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Practice {
    /// Whatever the person does is judged.
    #[default]
    Free,
    /// Standing practice: posture is judged while standing; walking to and from the spot and
    /// sitting down are not held against the person.
    Standing,
    /// Walking practice: posture is judged while walking (by the stride); pauses between laps
    /// are not.
    Walking,
}

impl Practice {
    pub const ALL: [Practice; 3] = [Practice::Free, Practice::Standing, Practice::Walking];

    /// Its name in settings, on the command line and in reports: `walking`.
    pub fn key(self) -> &'static str {
        match self {
            Practice::Free => "free",
            Practice::Standing => "standing",
            Practice::Walking => "walking",
        }
    }

    /// For people: "walking practice".
    pub fn label(self) -> &'static str {
        match self {
            Practice::Free => "free practice",
            Practice::Standing => "standing practice",
            Practice::Walking => "walking practice",
        }
    }

    pub fn from_key(key: &str) -> Option<Practice> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    /// Whether posture is judged while the person does `activity` (`None`: cannot be told).
    pub fn judges(self, activity: Option<Activity>) -> bool {
        match self {
            Practice::Free => true,
            Practice::Standing => activity == Some(Activity::Standing),
            Practice::Walking => activity == Some(Activity::Walking),
        }
    }
}

/// Which measures are judged, and for which activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preset {
    /// The activity the session is for.
    pub activity: Practice,
    /// The measures judged, in [`Measure::ALL`] order.
    pub measures: Vec<Measure>,
}

impl Default for Preset {
    /// Free practice, every measure.
    fn default() -> Self {
        Self {
            activity: Practice::Free,
            measures: Measure::ALL.to_vec(),
        }
    }
}

impl Preset {
    /// Whether metric `id` is judged.
    pub fn judges_metric(&self, id: MetricId) -> bool {
        self.measures.contains(&Measure::of(id))
    }

    /// The preset with its measures in order and without repeats.
    pub fn normalized(mut self) -> Self {
        self.measures.sort_unstable();
        self.measures.dedup();
        self
    }

    /// For people: "walking practice: trunk upright, shoulders over hips".
    pub fn describe(&self) -> String {
        let measures: Vec<&str> = self.measures.iter().map(|m| m.label()).collect();
        let measures = if measures.is_empty() {
            "no measure".to_string()
        } else if self.measures.len() == Measure::ALL.len() {
            "every measure".to_string()
        } else {
            measures.join(", ")
        };
        format!("{}: {measures}", self.activity.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_belongs_to_a_measure_and_keys_round_trip() {
        for id in MetricId::ALL {
            let m = Measure::of(id);
            assert_eq!(Measure::from_key(m.key()), Some(m));
        }
        for p in Practice::ALL {
            assert_eq!(Practice::from_key(p.key()), Some(p));
        }
        let preset = Preset {
            activity: Practice::Walking,
            measures: vec![Measure::ShouldersOverHips, Measure::TrunkUpright],
        };
        let json = serde_json::to_value(&preset).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"activity": "walking", "measures": ["shoulders_over_hips", "trunk_upright"]})
        );
        assert_eq!(
            preset.normalized().describe(),
            "walking practice: trunk upright, shoulders over hips"
        );
        assert_eq!(Preset::default().describe(), "free practice: every measure");
    }

    #[test]
    fn a_practice_judges_its_own_activity() {
        use Activity::*;
        assert!(Practice::Free.judges(None));
        assert!(Practice::Walking.judges(Some(Walking)));
        assert!(!Practice::Walking.judges(Some(Standing)));
        assert!(Practice::Standing.judges(Some(Standing)));
        assert!(!Practice::Standing.judges(Some(Sitting)));
        assert!(!Practice::Standing.judges(None));
    }
}
