//! When to alert: the shown posture has stayed misaligned for a while, or the motion rules say
//! it is time to move. A pure policy on media time, fed every analysed frame by the analysis
//! (the same in the app and in `plumbline analyze`); muting, snoozing, sounds and
//! notifications are the window's business.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::motion::MotionEvent;
use super::state::PostureState;
use crate::format::plain_duration;

/// How long a move-reminder banner stays up when nobody dismisses it and nobody moves.
pub const MOVE_BANNER_S: f32 = 60.0;

/// When to alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertRules {
    /// Alert when the shown state stays misaligned this long, seconds.
    pub misaligned_after_s: f32,
    /// While it stays misaligned, alert again after this long, seconds (0: only once).
    pub repeat_after_s: f32,
    /// Pass on the motion rules' reminders to move after long stillness.
    pub move_reminders: bool,
}

impl Default for AlertRules {
    fn default() -> Self {
        Self {
            misaligned_after_s: 10.0,
            repeat_after_s: 120.0,
            move_reminders: true,
        }
    }
}

impl AlertRules {
    /// The rules with every duration finite and non-negative (they may come from a file).
    pub fn sanitized(mut self) -> Self {
        let defaults = Self::default();
        let clean = |v: f32, default: f32| if v.is_finite() { v.max(0.0) } else { default };
        self.misaligned_after_s = clean(self.misaligned_after_s, defaults.misaligned_after_s);
        self.repeat_after_s = clean(self.repeat_after_s, defaults.repeat_after_s);
        self
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    Misaligned,
    MoveReminder,
}

/// One alert, in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub kind: AlertKind,
    /// "Misaligned for 12 s: shoulders back over hips".
    pub message: String,
    /// The words to say aloud, short: the cue alone ("bring your shoulders back over your
    /// hips"), or "time to move".
    #[serde(default)]
    pub spoken: String,
    /// Which firing this is, counted from 1 over the analysis: a banner carries the number of
    /// the alert that raised it, so a window can hide a dismissed banner until the next one.
    pub seq: u64,
}

/// The banners to show after a frame, while their condition lasts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Banners {
    /// Misaligned since the alert, its text following the time, until the state changes.
    pub misaligned: Option<Alert>,
    /// A move reminder, until the person moves or [`MOVE_BANNER_S`] pass.
    pub move_reminder: Option<Alert>,
}

/// What the policy decided on one frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertUpdate {
    /// The alert to sound, show and record now, if any (at most one a frame).
    pub fired: Option<Alert>,
    pub banners: Banners,
}

fn misaligned_message(secs: u64, cue: Option<&str>) -> String {
    match cue {
        Some(cue) => format!("Misaligned for {}: {cue}", plain_duration(secs)),
        None => format!("Misaligned for {}", plain_duration(secs)),
    }
}

/// What a misaligned alert says aloud: the cue, else a general word.
fn misaligned_spoken(cue: Option<&str>) -> String {
    cue.unwrap_or("check your posture").to_string()
}

fn move_message(still_for_s: f32) -> String {
    let secs = still_for_s.max(0.0).round() as u64;
    // Whole minutes read better once past a minute.
    let secs = if secs >= 60 { secs / 60 * 60 } else { secs };
    format!(
        "Time to move: you have been still for {}",
        plain_duration(secs)
    )
}

fn stand_up_message(seated_for_s: f32) -> String {
    let minutes = (seated_for_s.max(0.0) / 60.0).round() as u64;
    format!(
        "Time to stand up: you have been sitting for {}",
        plain_duration(minutes * 60)
    )
}

/// A stretch of frames all shown as misaligned.
#[derive(Debug, Clone)]
struct Episode {
    /// Media time of its first frame.
    since: Duration,
    /// Media time and number of the last alert.
    alerted: Option<(Duration, u64)>,
}

/// Decides when to alert, frame by frame, on media time.
#[derive(Debug, Clone)]
pub struct Alerter {
    rules: AlertRules,
    last_t: Option<Duration>,
    fired: u64,
    episode: Option<Episode>,
    /// The move reminder on show and the media time it fired.
    move_banner: Option<(Alert, Duration)>,
    /// A move reminder that came on the same frame as a misaligned alert, to fire next frame.
    queued: Option<Alert>,
}

impl Alerter {
    pub fn new(rules: AlertRules) -> Self {
        Self {
            rules: rules.sanitized(),
            last_t: None,
            fired: 0,
            episode: None,
            move_banner: None,
            queued: None,
        }
    }

    pub fn rules(&self) -> &AlertRules {
        &self.rules
    }

    /// Applies new rules; a running misaligned stretch keeps its start.
    pub fn set_rules(&mut self, rules: AlertRules) {
        self.rules = rules.sanitized();
        if !self.rules.move_reminders {
            self.move_banner = None;
            self.queued = None;
        }
    }

    /// One analysed frame at media time `t` with the state shown for it, the cue shown with it
    /// and the motion rules' events. Frames without a person come in as
    /// [`PostureState::Unknown`] and end a misaligned stretch; so do frames while the user is
    /// calibrating (`state` unknown). Time running backwards (a restarted source) starts afresh.
    pub fn update(
        &mut self,
        t: Duration,
        state: PostureState,
        cue: Option<&str>,
        events: &[MotionEvent],
    ) -> AlertUpdate {
        if self.last_t.is_some_and(|last| t < last) {
            self.episode = None;
            self.move_banner = None;
            self.queued = None;
        }
        self.last_t = Some(t);
        let mut fired = self.queued.take();
        if let Some(alert) = self.update_misaligned(t, state, cue)
            && let Some(queued) = fired.replace(alert)
        {
            self.queued = Some(queued);
        }
        if let Some(alert) = self.update_move(t, events) {
            match fired {
                None => fired = Some(alert),
                Some(_) => self.queued = Some(alert),
            }
        }
        AlertUpdate {
            fired,
            banners: Banners {
                misaligned: self.misaligned_banner(t, cue),
                move_reminder: self.move_banner.as_ref().map(|(a, _)| a.clone()),
            },
        }
    }

    fn next_alert(&mut self, kind: AlertKind, message: String, spoken: String) -> Alert {
        self.fired += 1;
        Alert {
            kind,
            message,
            spoken,
            seq: self.fired,
        }
    }

    fn update_misaligned(
        &mut self,
        t: Duration,
        state: PostureState,
        cue: Option<&str>,
    ) -> Option<Alert> {
        if state != PostureState::Misaligned {
            self.episode = None;
            return None;
        }
        let ep = self.episode.get_or_insert(Episode {
            since: t,
            alerted: None,
        });
        let elapsed = t.saturating_sub(ep.since);
        let due = match ep.alerted {
            None => elapsed.as_secs_f32() >= self.rules.misaligned_after_s,
            Some((at, _)) => {
                let repeat = self.rules.repeat_after_s;
                repeat > 0.0 && t.saturating_sub(at).as_secs_f32() >= repeat
            }
        };
        if !due {
            return None;
        }
        let alert = self.next_alert(
            AlertKind::Misaligned,
            misaligned_message(elapsed.as_secs(), cue),
            misaligned_spoken(cue),
        );
        if let Some(ep) = self.episode.as_mut() {
            ep.alerted = Some((t, alert.seq));
        }
        Some(alert)
    }

    /// The misaligned banner after an alert: its text follows the time and the cue.
    fn misaligned_banner(&self, t: Duration, cue: Option<&str>) -> Option<Alert> {
        let ep = self.episode.as_ref()?;
        let (_, seq) = ep.alerted?;
        Some(Alert {
            kind: AlertKind::Misaligned,
            message: misaligned_message(t.saturating_sub(ep.since).as_secs(), cue),
            spoken: misaligned_spoken(cue),
            seq,
        })
    }

    fn update_move(&mut self, t: Duration, events: &[MotionEvent]) -> Option<Alert> {
        let moved = events.iter().any(|e| {
            matches!(
                e,
                MotionEvent::SuddenMovement { .. } | MotionEvent::WalkingStarted { .. }
            )
        });
        let expired = self
            .move_banner
            .as_ref()
            .is_some_and(|(_, at)| t.saturating_sub(*at).as_secs_f32() >= MOVE_BANNER_S);
        if moved || expired {
            self.move_banner = None;
        }
        if !self.rules.move_reminders {
            return None;
        }
        let (message, spoken) = events.iter().find_map(|e| match e {
            MotionEvent::MoveReminder { still_for_s, .. } => {
                Some((move_message(*still_for_s), "time to move"))
            }
            MotionEvent::StandUpReminder { seated_for_s, .. } => {
                Some((stand_up_message(*seated_for_s), "time to stand up"))
            }
            _ => None,
        })?;
        let alert = self.next_alert(AlertKind::MoveReminder, message, spoken.to_string());
        self.move_banner = Some((alert.clone(), t));
        Some(alert)
    }
}

#[cfg(test)]
mod tests;
