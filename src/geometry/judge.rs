//! The whole judgment of a frame, made once: metrics, metrics as change from the baseline, the
//! activity and, while walking, the stride they are judged over, the bands after widening,
//! each metric's level, the shown state, the cue, the camera set-up and light advice, the motion rules,
//! the alert policy and a calibration in progress. The live app and
//! `plumbline analyze` both feed every analysed frame through one [`Judge`]; windows and
//! reports draw its [`Judgment`], they never recompute it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::MetricId;
use super::advice::{self, Cue};
use super::alerts::{AlertRules, AlertUpdate, Alerter};
use super::bands::Thresholds;
use super::calibration::flow::{CalibrationFlow, CalibrationStatus, CalibrationTiming};
use super::calibration::{Baseline, CalibrationError};
use super::framing::{self, Framing};
use super::light::{self, Light};
use super::metrics::{self, Metrics, MetricsConfig};
use super::motion::{Activity, MotionConfig, MotionTracker, MotionUpdate};
use super::preset::{Measure, Preset};
use super::state::{PostureState, StateMachine, StateUpdate};
use super::stride::StrideMeans;
use super::view::{self, Facing, View};
use crate::pose::Pose;
use crate::pose::exposure::Exposure;
use crate::pose::roi::ImageSize;

/// Framing advice is given once the framing has held this long, so a border case does not
/// flicker.
pub const FRAMING_HOLD: Duration = Duration::from_millis(800);

/// Light advice is given once the light has been wrong this long: a lamp switched on, or a
/// cloud passing, is not worth a word.
pub const LIGHT_HOLD: Duration = Duration::from_secs(2);

/// The plumb line is judged once the person has stood still this long: it runs through the
/// ankle, which means nothing while a foot swings.
pub const PLUMB_AFTER_STILL_S: f32 = 1.0;

/// Everything a judgment depends on; the app and `plumbline analyze` build it from the same
/// saved settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JudgeConfig {
    /// Includes the one landmark visibility threshold used by the metrics, the motion rules,
    /// the framing advice and the overlay.
    pub metrics: MetricsConfig,
    pub thresholds: Thresholds,
    pub motion: MotionConfig,
    pub alerts: AlertRules,
    pub calibration: CalibrationTiming,
    /// The user's neutral stance: metrics are judged as change from it when set.
    pub baseline: Option<Baseline>,
    /// Which measures are judged, and for which activity.
    pub preset: Preset,
}

impl JudgeConfig {
    /// The landmark visibility from which a landmark counts as seen.
    pub fn min_visibility(&self) -> f32 {
        self.metrics.min_visibility
    }

    /// The bands as judged: widened past the baseline's own noise when calibrated.
    pub fn effective_bands(&self) -> Thresholds {
        match &self.baseline {
            Some(b) => b.widen(&self.thresholds),
            None => self.thresholds,
        }
    }
}

/// The judgment of one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgment {
    /// The metrics as measured (`None` without a person).
    pub metrics: Option<Metrics>,
    /// The metrics as judged: change from the baseline when calibrated, else as measured;
    /// while walking, the means over the latest stride; the plumb line only while standing
    /// still.
    pub judged: Option<Metrics>,
    /// The bands they were judged by (for the view they were seen in).
    pub bands: Thresholds,
    /// Which way the person faces: what the cue's left, right, forward and back are.
    pub facing: Option<Facing>,
    /// Levels, the shown (debounced) state and what this frame alone says.
    pub state: StateUpdate,
    /// What to tell the user, when a measure is out of its band.
    pub cue: Option<Cue>,
    /// The camera set-up, once it has held for [`FRAMING_HOLD`] (`Good` until then).
    pub framing: Framing,
    /// The light, once it has held for [`LIGHT_HOLD`] (`Good` until then, and for a frame
    /// judged without its picture).
    pub light: Light,
    /// Sudden movements, move reminders, walking and its cadence.
    pub motion: MotionUpdate,
    /// An alert due now, and the banners on show.
    pub alerts: AlertUpdate,
    /// A calibration under way.
    pub calibration: Option<CalibrationStatus>,
    /// A calibration that ended on this frame: the new baseline (already applied from the
    /// next frame on) or why it was refused.
    pub calibrated: Option<Result<Baseline, CalibrationError>>,
}

/// Judges a stream of frames, keeping what the rules remember between them.
#[derive(Debug, Clone)]
pub struct Judge {
    config: JudgeConfig,
    bands: Thresholds,
    states: StateMachine,
    motion: MotionTracker,
    alerter: Alerter,
    strides: StrideMeans,
    calibration: CalibrationFlow,
    /// The framing of the latest frames, and the media time it started.
    framing: Option<(Framing, Duration)>,
    /// The light of the latest frames, and the media time it started.
    light: Option<(Light, Duration)>,
}

impl Judge {
    pub fn new(config: JudgeConfig) -> Self {
        Self {
            bands: config.effective_bands(),
            states: StateMachine::new(),
            motion: MotionTracker::new(config.motion.clone(), config.min_visibility()),
            alerter: Alerter::new(config.alerts.clone()),
            strides: StrideMeans::default(),
            calibration: CalibrationFlow::default(),
            framing: None,
            light: None,
            config,
        }
    }

    pub fn config(&self) -> &JudgeConfig {
        &self.config
    }

    /// Judges by `config` from the next frame on, keeping what the rules remember: the shown
    /// state, a running misaligned stretch and a calibration under way carry over. The one way a
    /// setting changes a running judge (the window sends its settings' configuration whole).
    pub fn configure(&mut self, config: JudgeConfig) {
        if config.alerts != self.config.alerts {
            self.alerter.set_rules(config.alerts.clone());
        }
        if config.motion != self.config.motion {
            self.motion = MotionTracker::new(config.motion.clone(), config.min_visibility());
        } else if config.min_visibility() != self.config.min_visibility() {
            self.motion.set_min_visibility(config.min_visibility());
        }
        self.config = config;
        self.bands = self.config.effective_bands();
    }

    /// Starts a calibration with the configuration's timing: its countdown begins at the
    /// next frame.
    pub fn calibrate(&mut self) {
        self.calibration.start(self.config.calibration.clone());
    }

    pub fn cancel_calibration(&mut self) {
        self.calibration.cancel();
    }

    /// Whether a calibration is counting down or capturing.
    pub fn calibrating(&self) -> bool {
        self.calibration.is_running()
    }

    /// Judges the frame taken at media time `t` in a picture of `size` (`pose`: `None` when
    /// nobody was found), lit as `exposure` says (`None`: not measured).
    pub fn judge(
        &mut self,
        t: Duration,
        size: ImageSize,
        pose: Option<&Pose>,
        exposure: Option<&Exposure>,
    ) -> Judgment {
        let min_visibility = self.config.min_visibility();
        let metrics = pose.map(|p| metrics::compute(p, size, &self.config.metrics));
        let view = metrics.and_then(|m| m.view);
        let facing = pose.and_then(|p| view::facing(p, view, min_visibility));
        // A calibration that found too little of the person in bad light says what to do
        // about the light.
        let calibrated = self
            .calibration
            .push(t, metrics.as_ref())
            .map(|r| r.map_err(|e| blame_the_light(e, exposure)));
        let motion = self.motion.update(t, size, pose);
        let baseline = self.config.baseline.as_ref();
        let relative = metrics.map(|m| {
            let m = baseline.map_or(m, |b| b.relative(&m));
            // A proxy with no zero of its own is judged only against the person's stance.
            m.map(|id, v| v.filter(|_| !waits_for_calibration(id, baseline)))
        });
        let in_stride = self.strides.push(t, relative.as_ref(), motion.stride);
        let judged = in_stride
            .or(relative)
            .map(|m| judged_for(m, &motion, &self.config.preset));
        let bands = self.bands.in_view(view);
        let state = match &judged {
            Some(m) => self.states.update(t, m, &bands),
            None => self.states.update_absent(t, &bands),
        };
        // Half turned, a lean in the picture is partly forward, partly sideways: no direction.
        let cue_facing = facing.filter(|_| view != Some(View::Oblique));
        let cue = judged
            .as_ref()
            .and_then(|m| advice::cue(m, &state.levels, &bands, cue_facing));
        // Nobody is alerted while holding still for the calibration.
        let alerted_state = if self.calibration.is_running() || calibrated.is_some() {
            PostureState::Unknown
        } else {
            state.state
        };
        let alerts = self
            .alerter
            .update(t, alerted_state, cue.map(|c| c.text), &motion.events);
        let framing = self.framing(t, pose);
        let light = self.light(t, exposure);
        let judgment = Judgment {
            metrics,
            judged,
            bands,
            facing,
            state,
            cue,
            framing,
            light,
            motion,
            alerts,
            calibration: self.calibration.status(),
            calibrated,
        };
        if let Some(Ok(baseline)) = &judgment.calibrated {
            self.configure(JudgeConfig {
                baseline: Some(baseline.clone()),
                ..self.config.clone()
            });
        }
        judgment
    }

    /// This frame's light once it has held for [`LIGHT_HOLD`]; `Good` until then.
    fn light(&mut self, t: Duration, exposure: Option<&Exposure>) -> Light {
        match exposure.map(light::assess) {
            Some(now) => held(&mut self.light, t, now, LIGHT_HOLD).unwrap_or(Light::Good),
            None => Light::Good,
        }
    }

    /// This frame's framing once it has held for [`FRAMING_HOLD`]; `Good` until then.
    fn framing(&mut self, t: Duration, pose: Option<&Pose>) -> Framing {
        let now = framing::assess(pose, self.config.min_visibility());
        held(&mut self.framing, t, now, FRAMING_HOLD).unwrap_or(Framing::Good)
    }
}

/// `now`, if the verdicts at media time `t` have been `now` for at least `hold`; `last` keeps
/// the verdict and the time it started.
fn held<T: Copy + PartialEq>(
    last: &mut Option<(T, Duration)>,
    t: Duration,
    now: T,
    hold: Duration,
) -> Option<T> {
    let since = match *last {
        Some((v, since)) if v == now && t >= since => since,
        _ => t,
    };
    *last = Some((now, since));
    (t.saturating_sub(since) >= hold).then_some(now)
}

/// A calibration that saw too few frames of the person, in light that is wrong now, failed
/// for the light.
fn blame_the_light(e: CalibrationError, exposure: Option<&Exposure>) -> CalibrationError {
    let advice = exposure.map(light::assess).and_then(Light::advice);
    match (e, advice) {
        (CalibrationError::TooFewFrames { got, needed }, Some(advice)) => {
            CalibrationError::PoorLight {
                got,
                needed,
                advice,
            }
        }
        (e, _) => e,
    }
}

/// `m` as judged for what the person is doing and what the preset asks: the preset's measures
/// during its activity, and the plumb line only while standing still.
fn judged_for(m: Metrics, motion: &MotionUpdate, preset: &Preset) -> Metrics {
    let judged_now = preset.activity.judges(motion.activity);
    let standing_still = standing_still(motion);
    m.map(|id, v| {
        let measure = Measure::of(id);
        v.filter(|_| {
            judged_now
                && preset.measures.contains(&measure)
                && (standing_still || measure != Measure::PlumbLine)
        })
    })
}

/// Whether the person has stood still long enough for the plumb line to mean something.
fn standing_still(motion: &MotionUpdate) -> bool {
    motion.activity == Some(Activity::Standing)
        && motion.still_for_s >= PLUMB_AFTER_STILL_S
        && motion.legs_still_for_s >= PLUMB_AFTER_STILL_S
}

/// Whether `id` is a proxy with no zero of its own, judged only against a calibrated stance
/// that does not have it yet.
fn waits_for_calibration(id: MetricId, baseline: Option<&Baseline>) -> bool {
    id.spec().needs_baseline && baseline.is_none_or(|b| b.stat(id).is_none())
}

/// Why a measure has no judged value although its landmarks may be in view: what the window
/// writes in its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotJudged {
    /// The preset does not judge it.
    OffInPreset,
    /// The preset judges another activity than the one under way.
    NotNow,
    /// The view cannot measure it (a forward lean from the front).
    NotFromThisView,
    /// The plumb line: judged once the person has stood still for a moment.
    UntilStill,
    /// A proxy judged only as change from the person's calibrated stance.
    UntilCalibrated,
}

impl NotJudged {
    pub fn text(self) -> &'static str {
        match self {
            NotJudged::OffInPreset => "off in this preset",
            NotJudged::NotNow => "not judged now",
            NotJudged::NotFromThisView => "not measurable from this view",
            NotJudged::UntilStill => "judged when standing still",
            NotJudged::UntilCalibrated => "judged once calibrated",
        }
    }
}

/// Why metric `id` was not judged in `judgment`, made with `preset` against `baseline`, by
/// the judge's own rules; `None` when nothing but its landmarks stood in the way (or it was
/// judged). Checked in the order a user can act on: the preset, the activity, the view,
/// standing still, calibrating.
pub fn why_not_judged(
    id: MetricId,
    judgment: &Judgment,
    preset: &Preset,
    baseline: Option<&Baseline>,
) -> Option<NotJudged> {
    if !preset.judges_metric(id) {
        return Some(NotJudged::OffInPreset);
    }
    let view = judgment.metrics.and_then(|m| m.view)?;
    if !preset.activity.judges(judgment.motion.activity) {
        Some(NotJudged::NotNow)
    } else if !id.measurable_in(view) {
        Some(NotJudged::NotFromThisView)
    } else if Measure::of(id) == Measure::PlumbLine && !standing_still(&judgment.motion) {
        Some(NotJudged::UntilStill)
    } else if waits_for_calibration(id, baseline) {
        Some(NotJudged::UntilCalibrated)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
