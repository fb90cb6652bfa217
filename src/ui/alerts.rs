//! How an alert reaches the user: a soft chime and a desktop notification, each delivered on a
//! background thread so the window never waits; and [`AlertGate`], the window's mute, snooze
//! and dismissed banners. When to alert is decided on the analysis side
//! ([`crate::geometry::alerts`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::geometry::alerts::{Alert, AlertKind, Banners};
use crate::geometry::state::PostureState;
use crate::settings::AlertSettings;

pub mod voice;
use voice::{SpeechSource, Voice, VoiceStatus};

/// The window's say over alerts: muted or snoozed, nothing sounds and no banner shows; a
/// dismissed banner stays hidden until the policy fires its next alert. Alerts are still
/// decided, and recorded, while quiet.
#[derive(Debug, Clone, Default)]
pub struct AlertGate {
    muted: bool,
    snoozed_until: Option<Instant>,
    /// Numbers of the alerts whose banners the user dismissed.
    dismissed: Vec<u64>,
}

impl AlertGate {
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

    /// The end of the snooze, while one is on at `now`.
    pub fn snoozed_until(&self, now: Instant) -> Option<Instant> {
        self.snoozed_until.filter(|until| *until > now)
    }

    /// Whether an alert fired at wall time `now` should sound and show.
    pub fn lets_through(&self, now: Instant) -> bool {
        !self.muted && self.snoozed_until(now).is_none()
    }

    /// The banner to show at `now`: the misaligned one unless dismissed, else the move
    /// reminder unless dismissed; nothing while muted or snoozed.
    pub fn banner<'a>(&self, banners: &'a Banners, now: Instant) -> Option<&'a Alert> {
        if !self.lets_through(now) {
            return None;
        }
        [&banners.misaligned, &banners.move_reminder]
            .into_iter()
            .flatten()
            .find(|a| !self.dismissed.contains(&a.seq))
    }

    /// Hides `banner` until the policy fires another alert.
    pub fn dismiss(&mut self, banner: &Alert) {
        self.dismissed.push(banner.seq);
        // Only the newest few matter: banners carry the number of a recent alert.
        if self.dismissed.len() > 16 {
            self.dismissed.remove(0);
        }
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

/// Sends alerts out: the spoken cue (else a chime) and a desktop notification, each on a
/// background thread so the UI never waits. A failure (no speech engine, no audio device, no
/// notification service) is logged once and kept for the UI to show; it never stops the app.
pub struct AlertOutputs {
    play: Arc<SoundFn>,
    show: Arc<NotifyFn>,
    sound: Arc<Channel>,
    notification: Arc<Channel>,
    /// Starts the voice when it is first wanted.
    make_voice: Box<dyn Fn() -> Voice + Send>,
    /// Started while the voice setting is on.
    voice: Option<Voice>,
    /// A misaligned cue was spoken and the person has not come back to aligned since: the
    /// return earns a short "good".
    awaiting_return: bool,
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

/// What the voice says when the person comes back to aligned after a spoken cue.
pub const PRAISE: &str = "good";

impl AlertOutputs {
    /// The real outputs: the platform's speech engine, the default audio device and the
    /// desktop's notification service.
    pub fn new() -> Self {
        Self::with_speech(Arc::new(voice::platform_speech))
    }

    /// The real chime and notifications, speaking through engines from `speech`.
    pub fn with_speech(speech: SpeechSource) -> Self {
        Self::with_retry(
            play_chime,
            notify,
            RETRY_AFTER_FAILURE,
            Box::new(move || Voice::from_source(&speech)),
        )
    }

    /// Outputs that call `play` and `show` instead, retried at once after a failure, with no
    /// speech engine (for tests).
    #[cfg(test)]
    fn with(
        play: impl Fn() -> Result<(), String> + Send + Sync + 'static,
        show: impl Fn(&Alert) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        Self::with_voice(
            play,
            show,
            Arc::new(|| Err("no speech engine in this test".into())),
        )
    }

    /// [`AlertOutputs::with`], speaking through engines from `speech`.
    #[cfg(test)]
    fn with_voice(
        play: impl Fn() -> Result<(), String> + Send + Sync + 'static,
        show: impl Fn(&Alert) -> Result<(), String> + Send + Sync + 'static,
        speech: SpeechSource,
    ) -> Self {
        Self::with_retry(
            play,
            show,
            Duration::ZERO,
            Box::new(move || Voice::from_source(&speech)),
        )
    }

    fn with_retry(
        play: impl Fn() -> Result<(), String> + Send + Sync + 'static,
        show: impl Fn(&Alert) -> Result<(), String> + Send + Sync + 'static,
        retry_after: Duration,
        make_voice: Box<dyn Fn() -> Voice + Send>,
    ) -> Self {
        Self {
            play: Arc::new(play),
            show: Arc::new(show),
            sound: Channel::new("sound", retry_after),
            notification: Channel::new("notifications", retry_after),
            make_voice,
            voice: None,
            awaiting_return: false,
        }
    }

    /// Starts the voice when `settings` turn it on (so whether speech works is known before
    /// the first alert) and lets it go when they turn it off.
    pub fn prepare(&mut self, settings: &AlertSettings) {
        match (settings.voice, self.voice.is_some()) {
            (true, false) => self.voice = Some((self.make_voice)()),
            (false, true) => {
                self.voice = None;
                self.awaiting_return = false;
            }
            _ => {}
        }
    }

    /// Speaks, sounds and shows `alert` as `settings` ask; returns at once. The spoken cue
    /// takes the chime's place; without a speech engine the chime sounds instead.
    pub fn deliver(&mut self, alert: &Alert, settings: &AlertSettings) {
        self.prepare(settings);
        let spoken = self.voice.as_ref().is_some_and(|v| v.say(&alert.spoken));
        if spoken && alert.kind == AlertKind::Misaligned {
            self.awaiting_return = true;
        }
        if settings.sound && !spoken {
            let play = Arc::clone(&self.play);
            self.sound.spawn(move || play());
        }
        if settings.notification {
            let show = Arc::clone(&self.show);
            let alert = alert.clone();
            self.notification.spawn(move || show(&alert));
        }
    }

    /// Says `text` (a goal reached) in the voice, or chimes when there is none, as `settings`
    /// allow.
    pub fn announce(&mut self, text: &str, settings: &AlertSettings) {
        self.prepare(settings);
        let spoken = self.voice.as_ref().is_some_and(|v| v.say(text));
        if settings.sound && !spoken {
            let play = Arc::clone(&self.play);
            self.sound.spawn(move || play());
        }
    }

    /// The state shown for a new frame: back to aligned after a spoken cue, the voice says
    /// "good" (unless the window is quiet: `heard` false).
    pub fn shown(&mut self, state: PostureState, heard: bool) {
        if self.awaiting_return && state == PostureState::Aligned {
            self.awaiting_return = false;
            if heard && let Some(voice) = &self.voice {
                voice.say(PRAISE);
            }
        }
    }

    /// What failed last time, for the UI: "speech unavailable: …", "sound unavailable: …",
    /// "notifications unavailable: …" (separated by "; "). Cleared when the output works
    /// again.
    pub fn last_error(&self) -> Option<String> {
        let speech = self.voice.as_ref().and_then(|v| match v.status() {
            VoiceStatus::Unavailable(e) => {
                Some(format!("speech unavailable ({e}); alerts chime instead"))
            }
            _ => None,
        });
        let errors: Vec<String> = speech
            .into_iter()
            .chain(
                [&self.sound, &self.notification]
                    .iter()
                    .filter_map(|c| c.error()),
            )
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
