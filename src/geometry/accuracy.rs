//! How far off a reading typically is, per metric and view: the error band a report puts
//! beside each measure ("± 0.8° side-on"). Plain numbers measured once by the validity suite,
//! kept here so a report never needs the suite's fixtures.

use super::metric_id::MetricId;
use super::view::View;

/// A metric's typical error in one view, in the metric's own unit (degrees, or torso lengths).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypicalError {
    /// The mean error of a reading as it is (what an uncalibrated session is judged on).
    pub absolute: f32,
    /// The mean error of a change from the same person's neutral stance, seen from the same
    /// view and camera (what a calibrated session is judged on).
    pub change: f32,
}

impl TypicalError {
    /// The error of what a session was judged on: the change when it was calibrated.
    pub fn judged(self, calibrated: bool) -> f32 {
        if calibrated {
            self.change
        } else {
            self.absolute
        }
    }
}

/// The mean errors the validity suite measures (`cargo test --release --test integration
/// validity`, `tests/integration/validity.rs`; the README's "Validity" table): plumbline's
/// full model on 140 rendered stills of two bodies of known posture, `side` pooling the stills
/// seen from the left and from the right and `oblique` those turned 30° and 45°. A metric has
/// a row only for the views it is measured in ([`MetricId::measurable_in`]); the centimetre
/// offset has no ground truth. Columns: metric, view, absolute error, change error, in the
/// metric's unit. The suite fails when a row no longer matches what it measures.
#[rustfmt::skip] // one row per line, as a table
const TABLE: &[(MetricId, View, f32, f32)] = &[
    (MetricId::TrunkLeanFrontal, View::Frontal, 0.4, 0.4),
    (MetricId::TrunkLeanFrontal, View::Oblique, 2.3, 0.8),
    (MetricId::TrunkLeanSagittal, View::Side, 0.9, 0.7),
    (MetricId::ShoulderHipOffset, View::Frontal, 0.008, 0.006),
    (MetricId::ShoulderHipOffset, View::Side, 0.011, 0.012),
    (MetricId::ShoulderHipOffset, View::Oblique, 0.040, 0.014),
    (MetricId::ShoulderTilt, View::Frontal, 1.5, 1.3),
    (MetricId::HipTilt, View::Frontal, 1.8, 2.0),
    (MetricId::HeadForward, View::Side, 4.3, 2.2),
    (MetricId::PlumbEar, View::Side, 0.036, 0.025),
    (MetricId::PlumbShoulder, View::Side, 0.053, 0.015),
    (MetricId::PlumbHip, View::Side, 0.044, 0.012),
    (MetricId::PlumbKnee, View::Side, 0.031, 0.009),
];

/// The typical error of `id` read in `view`; `None` where it is not measured (or has no
/// ground truth).
pub fn typical_error(id: MetricId, view: View) -> Option<TypicalError> {
    TABLE
        .iter()
        .find(|(m, v, _, _)| *m == id && *v == view)
        .map(|&(_, _, absolute, change)| TypicalError { absolute, change })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_has_an_error_only_in_the_views_it_is_measured_in() {
        let side = typical_error(MetricId::TrunkLeanSagittal, View::Side).unwrap();
        // Calibrated, the change from the stance is judged: its error, not the reading's.
        assert_eq!(side.judged(true), side.change);
        assert_eq!(side.judged(false), side.absolute);
        // Half turned, a reading of the lean in the picture is off by more than its change.
        let oblique = typical_error(MetricId::TrunkLeanFrontal, View::Oblique).unwrap();
        assert!(oblique.absolute > oblique.change, "{oblique:?}");
        for id in MetricId::ALL {
            for view in [View::Frontal, View::Side, View::Oblique] {
                if let Some(e) = typical_error(id, view) {
                    assert!(id.measurable_in(view), "{id:?} in {view:?}");
                    assert!(e.absolute > 0.0 && e.change > 0.0, "{id:?} in {view:?}");
                }
            }
        }
        assert_eq!(
            typical_error(MetricId::TrunkLeanSagittal, View::Frontal),
            None
        );
        assert_eq!(
            typical_error(MetricId::ShoulderHipOffsetCm, View::Side),
            None
        );
    }
}
