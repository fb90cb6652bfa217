//! Quiet alerts: when the shown posture has stayed misaligned for a while, or the motion rules
//! say it is time to move. [`Alerter`] is the pure policy (frames in, an alert out);
//! [`AlertOutputs`] sounds a chime and shows a desktop notification, off the UI thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::plain_duration;
use crate::geometry::motion::MotionEvent;
use crate::geometry::state::PostureState;

/// How long a move-reminder banner stays up when nobody dismisses it and nobody moves.
pub const MOVE_BANNER_S: f32 = 60.0;

/// What the user chose to be alerted about, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertSettings {
    /// Alert when the shown state stays misaligned this long, seconds.
    pub misaligned_after_s: f32,
    /// While it stays misaligned, alert again after this long, seconds (0: only once).
    pub repeat_after_s: f32,
    /// A short soft chime.
    pub sound: bool,
    /// A desktop notification.
    pub notification: bool,
    /// Pass on the motion rules' reminders to move after sitting still.
    pub move_reminders: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            misaligned_after_s: 10.0,
            repeat_after_s: 120.0,
            sound: true,
            notification: false,
            move_reminders: true,
        }
    }
}

impl AlertSettings {
    /// The settings with every duration finite and non-negative (they may come from a file).
    fn sanitized(mut self) -> Self {
        let defaults = Self::default();
        let clean = |v: f32, default: f32| if v.is_finite() { v.max(0.0) } else { default };
        self.misaligned_after_s = clean(self.misaligned_after_s, defaults.misaligned_after_s);
        self.repeat_after_s = clean(self.repeat_after_s, defaults.repeat_after_s);
        self
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Misaligned,
    MoveReminder,
}

/// One alert, in plain words.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub kind: AlertKind,
    /// "Misaligned for 12 s: shoulders back over hips".
    pub message: String,
}

fn misaligned_message(secs: u64, cue: Option<&str>) -> String {
    match cue {
        Some(cue) => format!("Misaligned for {}: {cue}", plain_duration(secs)),
        None => format!("Misaligned for {}", plain_duration(secs)),
    }
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

/// A stretch of frames all shown as misaligned.
#[derive(Debug, Clone)]
struct Episode {
    /// Media time of its first frame.
    since: Duration,
    /// Media time of the last alert (fired, or swallowed while muted or snoozed).
    alerted_at: Option<Duration>,
    /// The banner, once the first alert is due; its text follows the elapsed time.
    banner: Option<Alert>,
    /// Whole seconds and cue the banner's text was last written for.
    banner_secs: u64,
    banner_cue: Option<String>,
    /// The user dismissed the banner; the next repeat shows it again.
    dismissed: bool,
}

/// A move reminder on show.
#[derive(Debug, Clone)]
struct MoveBanner {
    alert: Alert,
    /// Media time it fired.
    at: Duration,
}

/// Decides when to alert, frame by frame, on media time; wall time only ends a snooze.
#[derive(Debug, Clone)]
pub struct Alerter {
    settings: AlertSettings,
    muted: bool,
    snoozed_until: Option<Instant>,
    last_t: Option<Duration>,
    episode: Option<Episode>,
    move_banner: Option<MoveBanner>,
    /// A move reminder that came on the same frame as a misaligned alert, to fire next frame.
    queued: Option<Alert>,
}

impl Alerter {
    pub fn new(settings: AlertSettings) -> Self {
        Self {
            settings: settings.sanitized(),
            muted: false,
            snoozed_until: None,
            last_t: None,
            episode: None,
            move_banner: None,
            queued: None,
        }
    }

    pub fn settings(&self) -> &AlertSettings {
        &self.settings
    }

    /// Applies new settings; a running misaligned stretch keeps its start.
    pub fn set_settings(&mut self, s: AlertSettings) {
        self.settings = s.sanitized();
        if !self.settings.move_reminders {
            self.move_banner = None;
            self.queued = None;
        }
    }

    /// One analysed frame at media time `t` (the frame's timestamp) with the state shown for it,
    /// the cue shown with it and the motion rules' events; `now` is wall time, for the snooze.
    /// Returns the alert to sound or notify now, if any. Frames without a person come in as
    /// [`PostureState::Unknown`] and end a misaligned stretch. Time running backwards (a looped
    /// or restarted source) starts afresh.
    pub fn update(
        &mut self,
        t: Duration,
        state: PostureState,
        cue: Option<&str>,
        events: &[MotionEvent],
        now: Instant,
    ) -> Option<Alert> {
        if self.snoozed_until.is_some_and(|until| now >= until) {
            self.snoozed_until = None;
        }
        if self.last_t.is_some_and(|last| t < last) {
            self.episode = None;
            self.move_banner = None;
            self.queued = None;
        }
        self.last_t = Some(t);
        let quiet = self.is_quiet();

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
        if quiet {
            // Muted or snoozed: an alert that falls due now is swallowed, not saved for later.
            self.queued = None;
            return None;
        }
        fired
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
            alerted_at: None,
            banner: None,
            banner_secs: 0,
            banner_cue: None,
            dismissed: false,
        });
        let elapsed = t.saturating_sub(ep.since);
        let due = match ep.alerted_at {
            None => elapsed.as_secs_f32() >= self.settings.misaligned_after_s,
            Some(at) => {
                let repeat = self.settings.repeat_after_s;
                repeat > 0.0 && t.saturating_sub(at).as_secs_f32() >= repeat
            }
        };
        if ep.alerted_at.is_none() && !due {
            return None;
        }
        let secs = elapsed.as_secs();
        if ep.banner.is_none() || ep.banner_secs != secs || ep.banner_cue.as_deref() != cue {
            ep.banner = Some(Alert {
                kind: AlertKind::Misaligned,
                message: misaligned_message(secs, cue),
            });
            ep.banner_secs = secs;
            ep.banner_cue = cue.map(str::to_owned);
        }
        if !due {
            return None;
        }
        ep.alerted_at = Some(t);
        ep.dismissed = false;
        ep.banner.clone()
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
            .is_some_and(|b| t.saturating_sub(b.at).as_secs_f32() >= MOVE_BANNER_S);
        if moved || expired {
            self.move_banner = None;
        }
        if !self.settings.move_reminders {
            return None;
        }
        let still_for_s = events.iter().find_map(|e| match e {
            MotionEvent::MoveReminder { still_for_s, .. } => Some(*still_for_s),
            _ => None,
        })?;
        let alert = Alert {
            kind: AlertKind::MoveReminder,
            message: move_message(still_for_s),
        };
        self.move_banner = Some(MoveBanner {
            alert: alert.clone(),
            at: t,
        });
        Some(alert)
    }

    fn is_quiet(&self) -> bool {
        self.muted || self.snoozed_until.is_some()
    }

    /// The alert to show as a banner while its condition lasts: misaligned until the state
    /// changes (its text follows the time), a move reminder until dismissed, until the person
    /// moves, or for [`MOVE_BANNER_S`]. Nothing while muted or snoozed.
    pub fn banner(&self) -> Option<&Alert> {
        if self.is_quiet() {
            return None;
        }
        let misaligned = self
            .episode
            .as_ref()
            .filter(|ep| !ep.dismissed && ep.alerted_at.is_some())
            .and_then(|ep| ep.banner.as_ref());
        misaligned.or(self.move_banner.as_ref().map(|b| &b.alert))
    }

    /// Hides the banner on show: a misaligned banner until the next repeat, a move reminder for
    /// good.
    pub fn dismiss(&mut self) {
        match self.episode.as_mut() {
            Some(ep) if !ep.dismissed && ep.alerted_at.is_some() => ep.dismissed = true,
            _ => self.move_banner = None,
        }
    }

    /// Silences alerts until unmuted: nothing fires and no banner shows.
    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
    }

    pub fn is_muted(&self) -> bool {
        self.muted
    }

    /// Silences alerts for `d` from `now` (wall time), like muting with an end.
    pub fn snooze(&mut self, now: Instant, d: Duration) {
        self.snoozed_until = now.checked_add(d);
    }

    /// The end of the snooze, while one is on (it ends at the first frame after that time).
    pub fn snoozed_until(&self) -> Option<Instant> {
        self.snoozed_until
    }
}

// ---------------------------------------------------------------------------------------------
// Outputs

/// The chime: two soft tones a fourth apart, each fading in quickly and dying away.
fn chime() -> [impl rodio::Source + Send + 'static; 2] {
    use rodio::Source as _;
    use rodio::source::SineWave;
    // E5 then A5: a gentle rising fourth, clearly a notification and not an alarm.
    [659.25_f32, 880.0].map(|freq| {
        let mut tone = SineWave::new(freq).take_duration(Duration::from_millis(220));
        tone.set_filter_fadeout();
        tone.fade_in(Duration::from_millis(8)).amplify(0.18)
    })
}

/// Plays the chime on the default audio device; blocks until it has played.
fn play_chime() -> Result<(), String> {
    let mut sink = rodio::DeviceSinkBuilder::from_default_device()
        .map_err(|e| error_chain(&e))?
        .with_error_callback(|e| tracing::debug!("audio stream error: {e}"))
        .open_sink_or_fallback()
        .map_err(|e| error_chain(&e))?;
    sink.log_on_drop(false);
    let player = rodio::Player::connect_new(sink.mixer());
    for tone in chime() {
        player.append(tone);
    }
    player.sleep_until_end();
    Ok(())
}

/// Shows `alert` as a desktop notification.
fn notify(alert: &Alert) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname("plumbline")
        .summary("plumbline")
        .body(&alert.message)
        .timeout(notify_rust::Timeout::Milliseconds(8000))
        .show()
        .map(drop)
        .map_err(|e| error_chain(&e))
}

/// An error with its causes: "could not open: no such device".
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = cause.source();
    }
    s
}

type SoundFn = dyn Fn() -> Result<(), String> + Send + Sync;
type NotifyFn = dyn Fn(&Alert) -> Result<(), String> + Send + Sync;

/// After a failure (no sound card, no notification service) an output is tried again only this
/// much later: each failed attempt costs a device probe, and ALSA prints to stderr every time.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10 * 60);

/// Why an output failed, and whether that was already logged.
#[derive(Debug, Default)]
struct OutputState {
    error: Option<String>,
    warned: bool,
    failed_at: Option<Instant>,
}

/// One output (sound or notification): at most one delivery at a time, failures remembered.
struct Channel {
    name: &'static str,
    retry_after: Duration,
    busy: AtomicBool,
    state: Mutex<OutputState>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Channel {
    fn new(name: &'static str, retry_after: Duration) -> Arc<Self> {
        Arc::new(Self {
            name,
            retry_after,
            busy: AtomicBool::new(false),
            state: Mutex::new(OutputState::default()),
            thread: Mutex::new(None),
        })
    }

    fn record(&self, result: Result<(), String>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(()) => {
                state.error = None;
                state.failed_at = None;
            }
            Err(e) => {
                state.failed_at = Some(Instant::now());
                if !state.warned {
                    tracing::warn!("{} unavailable: {e}", self.name);
                    state.warned = true;
                }
                state.error = Some(format!("{} unavailable: {e}", self.name));
            }
        }
    }

    fn error(&self) -> Option<String> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .error
            .clone()
    }

    /// Runs `job` on its own thread unless the previous one is still running (two chimes at
    /// once would only be noise).
    fn spawn(self: &Arc<Self>, job: impl FnOnce() -> Result<(), String> + Send + 'static) {
        let resting = self
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .failed_at
            .is_some_and(|t| t.elapsed() < self.retry_after);
        if resting || self.busy.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name(format!("plumbline {}", self.name))
            .spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
                    .unwrap_or_else(|_| Err("it failed unexpectedly".to_string()));
                me.record(result);
                me.busy.store(false, Ordering::Release);
            });
        match spawned {
            Ok(handle) => {
                // The previous thread has finished (`busy` was clear): nothing to wait for.
                *self.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
            }
            Err(e) => {
                self.record(Err(format!("cannot start a thread: {e}")));
                self.busy.store(false, Ordering::Release);
            }
        }
    }

    fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Acquire)
    }

    fn wait(&self) {
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            // The job's panics are caught inside the thread.
            let _ = handle.join();
        }
    }
}

/// Sends alerts out: a chime and a desktop notification, each on a background thread so the UI
/// never waits. A failure (no audio device, no notification service) is logged once and kept
/// for the UI to show; it never stops the app.
pub struct AlertOutputs {
    play: Arc<SoundFn>,
    show: Arc<NotifyFn>,
    sound: Arc<Channel>,
    notification: Arc<Channel>,
}

impl std::fmt::Debug for AlertOutputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertOutputs")
            .field("last_error", &self.last_error())
            .finish_non_exhaustive()
    }
}

impl Default for AlertOutputs {
    fn default() -> Self {
        Self::new()
    }
}

impl AlertOutputs {
    /// The real outputs: the default audio device and the desktop's notification service.
    pub fn new() -> Self {
        Self::with_retry(play_chime, notify, RETRY_AFTER_FAILURE)
    }

    /// Outputs that call `play` and `show` instead, retried at once after a failure (for tests).
    #[cfg(test)]
    fn with(
        play: impl Fn() -> Result<(), String> + Send + Sync + 'static,
        show: impl Fn(&Alert) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        Self::with_retry(play, show, Duration::ZERO)
    }

    fn with_retry(
        play: impl Fn() -> Result<(), String> + Send + Sync + 'static,
        show: impl Fn(&Alert) -> Result<(), String> + Send + Sync + 'static,
        retry_after: Duration,
    ) -> Self {
        Self {
            play: Arc::new(play),
            show: Arc::new(show),
            sound: Channel::new("sound", retry_after),
            notification: Channel::new("notifications", retry_after),
        }
    }

    /// Sounds and shows `alert` as `settings` ask; returns at once.
    pub fn deliver(&self, alert: &Alert, settings: &AlertSettings) {
        if settings.sound {
            let play = Arc::clone(&self.play);
            self.sound.spawn(move || play());
        }
        if settings.notification {
            let show = Arc::clone(&self.show);
            let alert = alert.clone();
            self.notification.spawn(move || show(&alert));
        }
    }

    /// What failed last time, for the UI: "sound unavailable: …", "notifications unavailable:
    /// …" (both, separated by "; "). Cleared when the output works again.
    pub fn last_error(&self) -> Option<String> {
        let errors: Vec<String> = [&self.sound, &self.notification]
            .iter()
            .filter_map(|c| c.error())
            .collect();
        (!errors.is_empty()).then(|| errors.join("; "))
    }

    /// Whether a chime or a notification is still being delivered.
    pub fn is_busy(&self) -> bool {
        self.sound.is_busy() || self.notification.is_busy()
    }

    /// Blocks until the deliveries under way have finished (at shutdown, so a chime is not cut
    /// short).
    pub fn wait(&self) {
        self.sound.wait();
        self.notification.wait();
    }
}

#[cfg(test)]
mod tests;
