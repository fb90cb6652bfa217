use super::*;
use crate::geometry::MetricId;
use crate::geometry::alerts::AlertKind;
use crate::geometry::calibration::Stat;
use crate::geometry::testing::Body;
use crate::pose::LandmarkId as L;
use crate::pose::exposure::Exposure;

fn at(frame: u64) -> Duration {
    Duration::from_micros(frame * 33_333)
}

/// Shoulders `dx` px to the image right of the hips: a frontal lean of atan(dx / 180).
fn leaning(dx: f32) -> Body {
    let mut b = Body::frontal();
    b.shift(L::LeftShoulder, dx, 0.0)
        .shift(L::RightShoulder, dx, 0.0);
    b
}

fn judge_frames(judge: &mut Judge, body: &Body, frames: std::ops::Range<u64>) -> Vec<Judgment> {
    let pose = body.pose();
    frames
        .map(|f| judge.judge(at(f), body.size, Some(&pose), None))
        .collect()
}

#[test]
fn the_baseline_moves_the_zero_point_and_its_noise_widens_the_bands() {
    // 20 px over a 180 px torso: 6.3° of lean and 11% of offset, both drifting.
    let body = leaning(20.0);
    let mut plain = Judge::new(JudgeConfig::default());
    let last = judge_frames(&mut plain, &body, 0..60).pop().unwrap();
    let m = last.metrics.unwrap();
    let (lean, offset) = (
        m.get(MetricId::TrunkLeanFrontal).unwrap(),
        m.get(MetricId::ShoulderHipOffset).unwrap(),
    );
    assert!(
        (6.0..6.6).contains(&lean) && (0.10..0.12).contains(&offset),
        "{m:?}"
    );
    assert_eq!(last.state.state, PostureState::Drifting);
    assert_eq!(
        last.cue.map(|c| c.text),
        Some("you lean to your left: shoulders back over your hips"),
        "facing the camera, the picture's right is their left"
    );

    // This person's neutral is that stance: relative to it, aligned.
    let mut baseline = Baseline::new(90, 3.0);
    let stat = |mean, std| {
        Some(Stat {
            mean,
            std,
            samples: 90,
        })
    };
    baseline.set_stat(MetricId::TrunkLeanFrontal, stat(lean, 4.0));
    baseline.set_stat(MetricId::ShoulderHipOffset, stat(offset, 0.01));
    let mut calibrated = Judge::new(JudgeConfig {
        baseline: Some(baseline),
        ..JudgeConfig::default()
    });
    let last = judge_frames(&mut calibrated, &body, 0..60).pop().unwrap();
    let judged = last.judged.unwrap();
    assert!(
        judged.get(MetricId::TrunkLeanFrontal).unwrap().abs() < 1e-4,
        "read as change from the stance"
    );
    assert_eq!(last.state.state, PostureState::Aligned);
    assert_eq!(last.cue, None);
    // A ±4° wobble: "drifting" cannot start before 8°, the 5° gap to misaligned is kept.
    let band = last.bands.band(MetricId::TrunkLeanFrontal).unwrap();
    assert_eq!((band.drifting, band.misaligned), (8.0, 13.0));
}

#[test]
fn a_calibration_runs_on_frames_applies_its_baseline_and_silences_alerts() {
    let mut config = JudgeConfig::default();
    config.alerts.misaligned_after_s = 1.0;
    let mut judge = Judge::new(config);
    // 30° of lean: misaligned, and after a second an alert.
    let body = leaning(104.0);
    let before = judge_frames(&mut judge, &body, 0..90);
    assert!(before.iter().any(|j| j.alerts.fired.is_some()));
    judge.configure(JudgeConfig {
        calibration: CalibrationTiming {
            countdown_s: 1.0,
            duration_s: 1.0,
        },
        ..judge.config().clone()
    });
    judge.calibrate();
    let during = judge_frames(&mut judge, &body, 90..200);
    let end = during
        .iter()
        .position(|j| j.calibrated.is_some())
        .expect("the calibration ends");
    // A second of countdown and a second of capture, in media time.
    assert!((59..=62).contains(&end), "ended after {end} frames");
    assert!(matches!(
        during[0].calibration,
        Some(CalibrationStatus::Countdown { .. })
    ));
    assert!(matches!(
        during[45].calibration,
        Some(CalibrationStatus::Capturing { .. })
    ));
    assert!(
        during[..=end]
            .iter()
            .all(|j| j.alerts.fired.is_none() && j.alerts.banners.misaligned.is_none()),
        "no posture alert while holding still for the calibration"
    );
    let baseline = during[end].calibrated.clone().unwrap().unwrap();
    assert!(baseline.frames >= 25, "{}", baseline.frames);
    // From the next frame the same stance is this person's zero: aligned.
    let after = &during[end + 40];
    assert!(after.calibration.is_none());
    assert_eq!(after.state.state, PostureState::Aligned);
    assert_eq!(judge.config().baseline.as_ref(), Some(&baseline));
}

#[test]
fn light_advice_waits_two_seconds_and_a_dark_calibration_blames_the_light() {
    let mut judge = Judge::new(JudgeConfig::default());
    let body = Body::frontal();
    let dark = Exposure {
        luma: 20.0,
        blown: 0.0,
        rest: 20.0,
        person: None,
        surround: None,
    };
    let lights: Vec<Light> = (0..70)
        .map(|f| judge.judge(at(f), body.size, None, Some(&dark)).light)
        .collect();
    assert_eq!(lights[50], Light::Good, "1.7 s: not yet");
    assert_eq!(lights[69], Light::TooDark);
    // Unmeasured light is never blamed.
    assert_eq!(
        judge.judge(at(70), body.size, None, None).light,
        Light::Good
    );

    // Nobody seen through a calibration in the dark: the refusal says what to do.
    judge.calibrate();
    let refused = (71..600)
        .find_map(|f| judge.judge(at(f), body.size, None, Some(&dark)).calibrated)
        .expect("the calibration ends");
    let err = refused.unwrap_err();
    assert!(
        matches!(err, CalibrationError::PoorLight { got: 0, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("turn on a light in front of you"),
        "{err}"
    );
}

#[test]
fn framing_advice_waits_until_the_framing_holds() {
    let mut judge = Judge::new(JudgeConfig::default());
    let mut cut = Body::frontal();
    cut.visibility[L::LeftAnkle.index()] = 0.1;
    cut.visibility[L::RightAnkle.index()] = 0.1;
    let first = judge_frames(&mut judge, &cut, 0..23);
    assert!(
        first.iter().all(|j| j.framing == Framing::Good),
        "0.73 s: not yet"
    );
    let later = judge_frames(&mut judge, &cut, 23..30);
    assert_eq!(later.last().unwrap().framing, Framing::FeetOut);
    // Nobody: the same wait before "step into view".
    let gone: Vec<Judgment> = (30..60)
        .map(|f| judge.judge(at(f), cut.size, None, None))
        .collect();
    assert_eq!(gone[5].framing, Framing::Good);
    assert_eq!(gone.last().unwrap().framing, Framing::NoPerson);
}

#[test]
fn a_lower_visibility_threshold_reaches_every_rule() {
    // Ankles seen at 0.4: hidden at the default 0.5, seen at 0.3 by the framing advice too.
    let mut body = Body::frontal();
    body.visibility[L::LeftAnkle.index()] = 0.4;
    body.visibility[L::RightAnkle.index()] = 0.4;
    let framing_after = |min_visibility: f32| {
        let mut judge = Judge::new(JudgeConfig {
            metrics: MetricsConfig { min_visibility },
            ..JudgeConfig::default()
        });
        judge_frames(&mut judge, &body, 0..40)
            .pop()
            .unwrap()
            .framing
    };
    assert_eq!(framing_after(0.5), Framing::FeetOut);
    assert_eq!(framing_after(0.3), Framing::Good);
}

#[test]
fn the_cue_and_the_alert_name_the_same_measure() {
    let mut config = JudgeConfig::default();
    config.alerts.misaligned_after_s = 1.0;
    let mut judge = Judge::new(config);
    let frames = judge_frames(&mut judge, &leaning(104.0), 0..120);
    let fired = frames
        .iter()
        .find_map(|j| j.alerts.fired.clone())
        .expect("an alert after a second");
    assert_eq!(fired.kind, AlertKind::Misaligned);
    let cue = frames.last().unwrap().cue.unwrap();
    // Shoulders half a torso right of the hips: the 30° lean (3× its band) speaks before the
    // offset of the same geometry (sin 30° = 0.5, 2.9× the sine of that band).
    assert_eq!(cue.metric, MetricId::TrunkLeanFrontal);
    assert!(fired.message.ends_with(cue.text), "{}", fired.message);
}

/// The offset is the same geometry as the lean: at every lean, on either side of each band,
/// the two get the same level, so two numbers can never give two verdicts.
#[test]
fn a_lean_and_its_offset_always_agree() {
    let mut config = JudgeConfig::default();
    config.thresholds.hysteresis = 0.0;
    for dx in (-60..=60).step_by(3) {
        let mut judge = Judge::new(config.clone());
        let last = judge_frames(&mut judge, &leaning(dx as f32), 0..3)
            .pop()
            .unwrap();
        assert_eq!(
            last.state.levels.get(MetricId::TrunkLeanFrontal),
            last.state.levels.get(MetricId::ShoulderHipOffset),
            "{dx} px: {:?}",
            last.metrics
        );
    }
}

#[test]
fn a_preset_judges_only_its_measures_during_its_activity() {
    use crate::geometry::preset::{Measure, Practice, Preset};
    // 30° of frontal lean, standing still: misaligned on every measure. (The test body's thighs
    // are short for its 480 px frame; lengthened, it stands rather than sits.)
    let mut body = leaning(104.0);
    for knee in [L::LeftKnee, L::RightKnee] {
        body.shift(knee, 0.0, 70.0);
    }
    let last_with = |preset: Preset| {
        let mut judge = Judge::new(JudgeConfig {
            preset,
            ..JudgeConfig::default()
        });
        judge_frames(&mut judge, &body, 0..90).pop().unwrap()
    };
    let all = last_with(Preset::default());
    assert_eq!(all.state.state, PostureState::Misaligned);
    let shoulders_only = last_with(Preset {
        activity: Practice::Free,
        measures: vec![Measure::LevelShoulders],
    });
    assert_eq!(shoulders_only.state.state, PostureState::Aligned);
    assert_eq!(
        shoulders_only.state.levels.get(MetricId::TrunkLeanFrontal),
        PostureState::Unknown,
        "measured, not judged"
    );
    assert!(
        shoulders_only
            .metrics
            .unwrap()
            .get(MetricId::TrunkLeanFrontal)
            .is_some()
    );
    assert_eq!(shoulders_only.cue, None);
    // Walking practice: a person standing is not judged at all.
    let walking = last_with(Preset {
        activity: Practice::Walking,
        measures: Measure::ALL.to_vec(),
    });
    assert_eq!(walking.motion.activity, Some(Activity::Standing));
    assert_eq!(walking.state.state, PostureState::Unknown);
    let standing = last_with(Preset {
        activity: Practice::Standing,
        measures: Measure::ALL.to_vec(),
    });
    assert_eq!(standing.state.state, PostureState::Misaligned);
}
