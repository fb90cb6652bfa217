//! Threshold bands: where each metric's magnitude stops being aligned and where it becomes
//! misaligned, with the dead zone and dwell that keep the state steady. Plain data shared by
//! the state machine, the calibration (which widens bands past its noise) and the settings.

use serde::{Deserialize, Serialize};

use super::metric_id::{Band, BandSource, MetricId};
use super::per_metric::PerMetric;
use super::view::View;

/// Thresholds on the magnitude of each judged metric (relative to the baseline when
/// calibrated). The defaults and their sources are in [`MetricId::spec`].
///
/// Stored in `settings.json` as `{"<metric key>": {"drifting", "misaligned"}, …, "hysteresis",
/// "min_dwell_s"}`; missing metrics take their default band, and a file from before the plumb
/// line had a band per point (`"plumb_deviation"`) gives that band to each point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "ThresholdsFile", into = "ThresholdsFile")]
pub struct Thresholds {
    /// Only judged metrics have one.
    bands: PerMetric<Band>,
    /// Dead zone: a metric leaves a band only when it falls this fraction below the band's
    /// threshold (0.2 = 20%), so noise around a threshold does not flip the state.
    pub hysteresis: f32,
    /// The shown state changes only after the new state has held this long.
    pub min_dwell_s: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            bands: PerMetric::from_fn(|id| id.spec().band),
            hysteresis: 0.2,
            min_dwell_s: 1.0,
        }
    }
}

impl Thresholds {
    /// The band `id` is judged by; `None` for a metric that is not judged.
    pub fn band(&self, id: MetricId) -> Option<Band> {
        self.bands.get(id)
    }

    /// Changes a judged metric's band (a metric without a default band stays unjudged).
    pub fn set_band(&mut self, id: MetricId, band: Band) {
        if id.is_judged() {
            self.bands.set(id, Some(band));
        }
    }

    /// Every judged metric with its band, in table order.
    pub fn bands(&self) -> impl Iterator<Item = (MetricId, Band)> + '_ {
        self.bands.present()
    }

    /// The bands a frame seen in `view` is judged by: every distance in torso lengths takes
    /// the band of the lean of its plane, as sines ([`BandSource`]), so a lean and an offset
    /// of the same geometry get the same verdict; one with no lean in this view has no band.
    pub fn in_view(&self, view: Option<View>) -> Thresholds {
        let mut out = *self;
        for id in MetricId::judged() {
            let lean = match id.spec().band_source {
                BandSource::Own => continue,
                BandSource::LeanOfView => match view {
                    // In an oblique view the picture's own lean is the frontal lean.
                    Some(View::Frontal | View::Oblique) => Some(MetricId::TrunkLeanFrontal),
                    Some(View::Side) => Some(MetricId::TrunkLeanSagittal),
                    None => None,
                },
                BandSource::SagittalLean => Some(MetricId::TrunkLeanSagittal),
            };
            out.bands
                .set(id, lean.and_then(|l| self.band(l)).map(sine_of_band));
        }
        out
    }
}

/// A band in degrees of lean as a band in torso lengths of horizontal offset.
fn sine_of_band(b: Band) -> Band {
    let sine = |deg: f32| deg.clamp(0.0, 90.0).to_radians().sin();
    Band {
        drifting: sine(b.drifting),
        misaligned: sine(b.misaligned),
    }
}

/// The settings file's shape of [`Thresholds`].
#[derive(Serialize, Deserialize)]
struct ThresholdsFile {
    #[serde(flatten)]
    bands: PerMetric<Band>,
    /// One band for the whole plumb line, as files before the per-point bands had it.
    #[serde(default, skip_serializing)]
    plumb_deviation: Option<Band>,
    #[serde(default)]
    hysteresis: Option<f32>,
    #[serde(default)]
    min_dwell_s: Option<f32>,
}

impl From<ThresholdsFile> for Thresholds {
    fn from(f: ThresholdsFile) -> Self {
        let defaults = Thresholds::default();
        let legacy_plumb = |id: MetricId| {
            matches!(
                id,
                MetricId::PlumbEar | MetricId::PlumbShoulder | MetricId::PlumbHip
            )
            .then_some(f.plumb_deviation)
            .flatten()
        };
        Thresholds {
            bands: PerMetric::from_fn(|id| {
                id.is_judged()
                    .then(|| f.bands.get(id).or(legacy_plumb(id)).or(defaults.band(id)))
                    .flatten()
            }),
            hysteresis: f.hysteresis.unwrap_or(defaults.hysteresis),
            min_dwell_s: f.min_dwell_s.unwrap_or(defaults.min_dwell_s),
        }
    }
}

impl From<Thresholds> for ThresholdsFile {
    fn from(t: Thresholds) -> Self {
        ThresholdsFile {
            bands: t.bands,
            plumb_deviation: None,
            hysteresis: Some(t.hysteresis),
            min_dwell_s: Some(t.min_dwell_s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_round_trip_and_fill_gaps_with_defaults() {
        let mut t = Thresholds::default();
        t.set_band(
            MetricId::HipTilt,
            Band {
                drifting: 4.0,
                misaligned: 9.0,
            },
        );
        t.min_dwell_s = 2.5;
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Thresholds>(&json).unwrap(), t);
        // A partial file: what it has wins, the rest are defaults.
        let partial: Thresholds =
            serde_json::from_str(r#"{"hip_tilt_deg": {"drifting": 4, "misaligned": 9}}"#).unwrap();
        assert_eq!(partial.band(MetricId::HipTilt), t.band(MetricId::HipTilt));
        assert_eq!(
            partial.band(MetricId::TrunkLeanFrontal),
            MetricId::TrunkLeanFrontal.spec().band
        );
        assert_eq!(partial.min_dwell_s, 1.0);
    }

    #[test]
    fn an_older_file_with_one_plumb_band_gives_it_to_each_point() {
        let old: Thresholds = serde_json::from_str(
            r#"{"plumb_deviation": {"drifting": 0.3, "misaligned": 0.4}, "hysteresis": 0.1}"#,
        )
        .unwrap();
        for id in [
            MetricId::PlumbEar,
            MetricId::PlumbShoulder,
            MetricId::PlumbHip,
        ] {
            assert_eq!(old.band(id).map(|b| b.drifting), Some(0.3), "{id:?}");
        }
        assert_eq!(old.band(MetricId::PlumbKnee), None, "never judged");
        assert_eq!(old.hysteresis, 0.1);
    }

    #[test]
    fn offsets_take_the_band_of_the_lean_of_their_plane() {
        let mut t = Thresholds::default();
        t.set_band(
            MetricId::TrunkLeanSagittal,
            Band {
                drifting: 30.0,
                misaligned: 90.0,
            },
        );
        let side = t.in_view(Some(View::Side));
        let offset = side.band(MetricId::ShoulderHipOffset).unwrap();
        assert!((offset.drifting - 0.5).abs() < 1e-6, "sin 30° = 0.5");
        assert!((offset.misaligned - 1.0).abs() < 1e-6);
        assert_eq!(side.band(MetricId::PlumbShoulder), Some(offset));
        let frontal = t.in_view(Some(View::Frontal));
        let lateral = frontal.band(MetricId::ShoulderHipOffset).unwrap();
        assert!((lateral.drifting - 5f32.to_radians().sin()).abs() < 1e-6);
        assert_eq!(
            t.in_view(Some(View::Oblique))
                .band(MetricId::ShoulderHipOffset),
            Some(lateral),
            "the picture's lean"
        );
        assert_eq!(t.in_view(None).band(MetricId::ShoulderHipOffset), None);
        // The leans and tilts keep their own.
        assert_eq!(
            side.band(MetricId::TrunkLeanSagittal),
            t.band(MetricId::TrunkLeanSagittal)
        );
    }

    #[test]
    fn unjudged_metrics_cannot_be_given_a_band() {
        let mut t = Thresholds::default();
        let b = Band {
            drifting: 1.0,
            misaligned: 2.0,
        };
        t.set_band(MetricId::ShoulderHipOffsetCm, b);
        assert_eq!(t.band(MetricId::ShoulderHipOffsetCm), None);
        let from_file: Thresholds =
            serde_json::from_str(r#"{"plumb_knee": {"drifting": 1, "misaligned": 2}}"#).unwrap();
        assert_eq!(from_file.band(MetricId::PlumbKnee), None);
    }
}
