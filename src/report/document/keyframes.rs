//! The worst moments as a physiotherapist reads them: each kept frame, cropped to the person,
//! with the skeleton and the plumb line over it, and a caption from the judge's own record of
//! that frame: the measure, its value with sign and unit, its level and band, the time into the
//! session and the cue the person was given.

use std::fmt::Write as _;
use std::time::Duration;

use super::model::{Block, Figure, Section};
use crate::format::clock;
use crate::geometry::MetricId;
use crate::geometry::bands::Thresholds;
use crate::geometry::preset::Measure;
use crate::geometry::state::PostureState;
use crate::pose::LandmarkId;
use crate::pose::landmarks::SKELETON;
use crate::report::advice::{Reference, capitalized};
use crate::report::input::{Keyframe, ReportInput};
use crate::session::Sample;
use crate::session::keyframes::moment::{Moment, moment};

/// The worst moments (and a typical one), each cropped to the person with the skeleton and
/// the plumb line, and captioned.
pub(super) fn moments(input: &ReportInput<'_>) -> Section {
    let section = Section::new("moments", "Worst moments");
    if input.keyframes.is_empty() {
        return section.with(Block::Paragraph(
            "No frames were kept for this session.".into(),
        ));
    }
    let section = if input.keyframes.iter().any(|k| k.kind == "worst") {
        section
    } else {
        section.with(Block::Paragraph(
            "No measure was out of its band in this session; here is a typical moment.".into(),
        ))
    };
    section.with(Block::Figures(
        input.keyframes.iter().map(|k| figure(k, input)).collect(),
    ))
}

/// A keyframe with the skeleton and the plumb line, in the image's pixels, and its caption.
pub(super) fn figure(k: &Keyframe, input: &ReportInput<'_>) -> Figure {
    Figure {
        jpeg: k.jpeg.clone(),
        width: k.width,
        height: k.height,
        overlay: overlay(k),
        caption: caption(
            k,
            input.samples,
            &input.reference,
            &input.judged_by.thresholds.unwrap_or_default(),
        ),
    }
}

fn overlay(k: &Keyframe) -> String {
    let (w, h) = (k.width.max(1) as f32, k.height.max(1) as f32);
    let mut overlay = String::new();
    let Some(l) = &k.landmarks else {
        return overlay;
    };
    let p = |id: LandmarkId| {
        (
            l[id.index()].x * w,
            l[id.index()].y * h,
            l[id.index()].visibility,
        )
    };
    for (a, b) in SKELETON {
        let (pa, pb) = (p(a), p(b));
        if pa.2 > 0.5 && pb.2 > 0.5 {
            let _ = write!(
                overlay,
                r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#19e0ff" stroke-width="3"/>"##,
                pa.0, pa.1, pb.0, pb.1
            );
        }
    }
    // The plumb line through the hip midpoint: the reference the trunk should stack on.
    let (lh, rh) = (p(LandmarkId::LeftHip), p(LandmarkId::RightHip));
    let x = (lh.0 + rh.0) / 2.0;
    let _ = write!(
        overlay,
        r##"<line x1="{x:.1}" y1="0" x2="{x:.1}" y2="{h:.1}" stroke="#ff3b3b" stroke-width="2" stroke-dasharray="8 6"/>"##
    );
    overlay
}

/// The sample recorded at `t_ms` (the nearest one; `samples` are in time order).
fn sample_at(samples: &[Sample], t_ms: f64) -> Option<&Sample> {
    let i = samples.partition_point(|s| s.t_ms < t_ms);
    [i.checked_sub(1), Some(i)]
        .into_iter()
        .flatten()
        .filter_map(|i| samples.get(i))
        .min_by(|a, b| (a.t_ms - t_ms).abs().total_cmp(&(b.t_ms - t_ms).abs()))
}

/// "Shoulders over hips: +14% torso (misaligned; aligned within ±9%) · 1:42 into the session ·
/// cue: “bring your shoulders back over your hips”". A typical moment says so first. The band
/// is the one of `thresholds`, those the session was judged by.
pub fn caption(
    k: &Keyframe,
    samples: &[Sample],
    reference: &Reference,
    thresholds: &Thresholds,
) -> String {
    let start_ms = samples.first().map_or(0.0, |s| s.t_ms);
    let sample = sample_at(samples, k.t_ms);
    let mut parts = Vec::with_capacity(3);
    let what = sample.and_then(|s| moment(s, thresholds)).map(|m| {
        measure_text(
            &m,
            sample.is_some_and(|s| s.cadence_spm.is_some()),
            reference,
        )
    });
    parts.push(match (k.kind == "typical", what) {
        (true, Some(w)) => format!("A typical moment. {w}"),
        (true, None) => "A typical moment".to_string(),
        (false, Some(w)) => w,
        (false, None) => "A worst moment (no measure recorded)".to_string(),
    });
    let into_ms = (k.t_ms - start_ms).max(0.0);
    parts.push(format!(
        "{} into the session",
        clock(Duration::from_secs_f64(into_ms / 1000.0))
    ));
    if let Some(cue) = sample.and_then(|s| s.cue) {
        parts.push(format!("cue: “{}”", cue.text));
    }
    parts.join(" · ")
}

/// "Trunk upright (trunk lean, sagittal): +18.2° (misaligned; aligned within ±10°)". While
/// `walking` the judge went by the stride's mean, not the frame's own value: the caption says so,
/// lest a value inside its band read as wrongly judged.
fn measure_text(m: &Moment, walking: bool, reference: &Reference) -> String {
    let measure = Measure::of(m.metric);
    // The metric too when the measure judges several: "Trunk upright (trunk lean, sagittal)",
    // "Plumb line (ear)".
    let siblings = MetricId::judged()
        .filter(|id| Measure::of(*id) == measure)
        .count();
    let mut name = capitalized(measure.label());
    if siblings > 1 {
        let label = m.metric.label();
        let own = label
            .strip_prefix(measure.label())
            .and_then(|rest| rest.strip_prefix(": "))
            .unwrap_or(label);
        let _ = write!(name, " ({own})");
    }
    let unit = m.metric.unit();
    let scale = unit.display_scale();
    // Percentages of the torso to the whole number, degrees and centimetres to a tenth.
    let digits = if scale > 1.0 { 0 } else { 1 };
    let value = format!("{:+.digits$}{}", m.value * scale, unit.suffix());
    let mut judged = Vec::with_capacity(2);
    if m.level != PostureState::Unknown {
        let over = if walking { " over the stride" } else { "" };
        judged.push(format!("{}{over}", m.level.name()));
    }
    match (reference, m.band) {
        (Reference::Absolute, Some(band)) => judged.push(format!(
            "aligned within ±{}{}",
            trimmed(band.drifting * scale, digits),
            unit.short_suffix()
        )),
        (Reference::Calibrated { .. }, _) => {
            judged.push("judged as change from your calibrated stance".to_string())
        }
        (Reference::Absolute, None) => {}
    }
    if judged.is_empty() {
        format!("{name}: {value}")
    } else {
        format!("{name}: {value} ({})", judged.join("; "))
    }
}

/// `v` to `digits` decimals, without a trailing ".0": "10", "8.5".
fn trimmed(v: f32, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    match s.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::advice::{CUE_TEXTS, Cue};
    use crate::geometry::metrics::Metrics;
    use crate::geometry::state::MetricLevels;
    use crate::geometry::view::View;

    fn keyframe(t_ms: f64, kind: &str) -> Keyframe {
        Keyframe {
            t_ms,
            kind: kind.into(),
            jpeg: Vec::new(),
            width: 100,
            height: 200,
            landmarks: None,
        }
    }

    fn samples() -> Vec<Sample> {
        (0..2000u64)
            .map(|i| {
                let off = i == 1020;
                let mut levels = MetricLevels::default();
                levels.set(
                    MetricId::ShoulderHipOffset,
                    if off {
                        PostureState::Misaligned
                    } else {
                        PostureState::Aligned
                    },
                );
                Sample {
                    frame: i,
                    t_ms: 500.0 + i as f64 * 100.0,
                    person: true,
                    metrics: Some(
                        Metrics::new(Some(View::Frontal))
                            .with(MetricId::ShoulderHipOffset, if off { 0.14 } else { 0.02 }),
                    ),
                    state: PostureState::Aligned,
                    cadence_spm: None,
                    levels: Some(levels),
                    cue: off.then_some(Cue {
                        metric: MetricId::ShoulderHipOffset,
                        text: CUE_TEXTS[2],
                    }),
                }
            })
            .collect()
    }

    #[test]
    fn a_caption_gives_measure_value_level_band_time_and_cue() {
        let s = samples();
        assert_eq!(
            caption(
                &keyframe(102_500.0, "worst"),
                &s,
                &Reference::Absolute,
                &Thresholds::default()
            ),
            "Shoulders over hips: +14% torso (misaligned; aligned within \
             ±9%) · 1:42 into the session · cue: “bring your shoulders back over your hips”"
        );
        assert_eq!(
            caption(
                &keyframe(3_500.0, "typical"),
                &s,
                &Reference::Absolute,
                &Thresholds::default()
            ),
            "A typical moment. Shoulders over hips: +2% torso (aligned; \
             aligned within ±9%) · 0:03 into the session"
        );
        // The band quoted is the one the session was judged by, when it kept it: the offset's
        // band follows the frontal lean's (3° is 5% of the torso as a sine).
        let mut own = Thresholds::default();
        own.set_band(
            MetricId::TrunkLeanFrontal,
            crate::geometry::metric_id::Band {
                drifting: 3.0,
                misaligned: 6.0,
            },
        );
        let with_own = caption(
            &keyframe(102_500.0, "worst"),
            &s,
            &Reference::Absolute,
            &own,
        );
        assert!(
            with_own.contains("(misaligned; aligned within ±5%)"),
            "{with_own}"
        );
        let calibrated = Reference::Calibrated { on: None };
        assert!(
            caption(
                &keyframe(102_500.0, "worst"),
                &s,
                &calibrated,
                &Thresholds::default()
            )
            .contains("(misaligned; judged as change from your calibrated stance)")
        );
        // Walking: judged over the stride; a whole-degree band without its ".0".
        let mut walking = s.clone();
        walking[1020].cadence_spm = Some(100.0);
        walking[1020].metrics =
            Some(Metrics::new(Some(View::Side)).with(MetricId::TrunkLeanSagittal, 8.5));
        let mut levels = MetricLevels::default();
        levels.set(MetricId::TrunkLeanSagittal, PostureState::Drifting);
        walking[1020].levels = Some(levels);
        walking[1020].cue = None;
        assert_eq!(
            caption(
                &keyframe(102_500.0, "worst"),
                &walking,
                &Reference::Absolute,
                &Thresholds::default()
            ),
            "Trunk upright (trunk lean, sagittal): +8.5° (drifting over the stride; aligned \
             within ±10°) · 1:42 into the session"
        );
        // A frame with no sample (a damaged session) still says when it was.
        assert_eq!(
            caption(
                &keyframe(3_000.0, "worst"),
                &[],
                &Reference::Absolute,
                &Thresholds::default()
            ),
            "A worst moment (no measure recorded) · 0:03 into the session"
        );
    }
}
