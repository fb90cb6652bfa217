//! Spoken cues: the platform's speech engine (Speech Dispatcher on Linux, the native engines on
//! Windows and macOS, through the `tts` crate), driven from a thread of its own so the window
//! never waits on it. The engine is started when the voice is turned on, so by the first alert
//! it is known whether there is one; where there is none, the window says so once and the
//! alert falls back to the chime.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// A speech engine: says `text`, cutting short whatever it was saying.
pub trait Speech {
    fn say(&mut self, text: &str) -> Result<(), String>;
}

/// Starts a speech engine (on the voice thread: engines need not be `Send`).
pub type SpeechFactory = Box<dyn FnOnce() -> Result<Box<dyn Speech>, String> + Send>;

/// Where a speech engine comes from, each time the voice is turned on: the platform's
/// ([`platform_speech`]) or, in tests, a recording one.
pub type SpeechSource = Arc<dyn Fn() -> Result<Box<dyn Speech>, String> + Send + Sync>;

/// The platform's engine.
struct Platform(tts::Tts);

impl Speech for Platform {
    fn say(&mut self, text: &str) -> Result<(), String> {
        self.0
            .speak(text, true)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// The platform's speech engine, started.
pub fn platform_speech() -> Result<Box<dyn Speech>, String> {
    let engine = tts::Tts::default().map_err(|e| e.to_string())?;
    Ok(Box::new(Platform(engine)))
}

/// Whether speech works here, as far as is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoiceStatus {
    /// The engine is starting.
    Starting,
    Ready,
    /// No engine, or it failed: why, in words.
    Unavailable(String),
}

/// The voice: one thread that owns the engine and says what it is sent, in order.
#[derive(Debug)]
pub struct Voice {
    tx: Option<Sender<String>>,
    status: Arc<Mutex<VoiceStatus>>,
    /// Never joined (see `Drop`).
    thread: Option<JoinHandle<()>>,
}

impl Voice {
    /// Starts the platform's engine on the voice thread.
    pub fn platform() -> Self {
        Self::with(Box::new(platform_speech))
    }

    /// Starts an engine from `source` on the voice thread.
    pub fn from_source(source: &SpeechSource) -> Self {
        let source = Arc::clone(source);
        Self::with(Box::new(move || source()))
    }

    /// Starts the engine `start` makes (tests pass a recording one).
    pub fn with(start: SpeechFactory) -> Self {
        let status = Arc::new(Mutex::new(VoiceStatus::Starting));
        let (tx, rx) = mpsc::channel();
        let shared = Arc::clone(&status);
        let thread = std::thread::Builder::new()
            .name("plumbline voice".into())
            .spawn(move || speak_loop(start, rx, &shared));
        match thread {
            Ok(thread) => Self {
                tx: Some(tx),
                status,
                thread: Some(thread),
            },
            Err(e) => {
                *status.lock().unwrap_or_else(PoisonError::into_inner) =
                    VoiceStatus::Unavailable(format!("cannot start a thread: {e}"));
                Self {
                    tx: None,
                    status,
                    thread: None,
                }
            }
        }
    }

    pub fn status(&self) -> VoiceStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Says `text` unless speech is known to be unavailable; `false` when the caller should
    /// fall back to the chime.
    pub fn say(&self, text: &str) -> bool {
        if matches!(self.status(), VoiceStatus::Unavailable(_)) {
            return false;
        }
        self.tx
            .as_ref()
            .is_some_and(|tx| tx.send(text.to_string()).is_ok())
    }
}

impl Drop for Voice {
    fn drop(&mut self) {
        // Closing the channel ends the thread once it has said what it was sent. It is not
        // waited for: closing a Speech Dispatcher connection can block for as long as the
        // server takes to answer, and the window must close at once.
        self.tx = None;
        drop(self.thread.take());
    }
}

fn speak_loop(start: SpeechFactory, rx: Receiver<String>, status: &Mutex<VoiceStatus>) {
    let set = |s: VoiceStatus| *status.lock().unwrap_or_else(PoisonError::into_inner) = s;
    let mut engine = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(start)) {
        Ok(Ok(engine)) => {
            set(VoiceStatus::Ready);
            engine
        }
        Ok(Err(e)) => return set(VoiceStatus::Unavailable(e)),
        Err(_) => {
            return set(VoiceStatus::Unavailable(
                "the engine failed to start".into(),
            ));
        }
    };
    for text in rx {
        if let Err(e) = engine.say(&text) {
            tracing::warn!("speech unavailable: {e}");
            return set(VoiceStatus::Unavailable(e));
        }
    }
}

/// A speech engine that keeps what it was asked to say (for tests of the speech path).
#[derive(Debug, Clone, Default)]
pub struct RecordingSpeech {
    pub said: Arc<Mutex<Vec<String>>>,
}

impl RecordingSpeech {
    /// A factory for [`Voice::with`] that starts this engine.
    pub fn factory(&self) -> SpeechFactory {
        let me = self.clone();
        Box::new(move || Ok(Box::new(me) as Box<dyn Speech>))
    }

    /// A source for [`crate::ui::AppOptions::speech`] whose engines all record here.
    pub fn source(&self) -> SpeechSource {
        let me = self.clone();
        Arc::new(move || Ok(Box::new(me.clone()) as Box<dyn Speech>))
    }

    pub fn said(&self) -> Vec<String> {
        self.said
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Speech for RecordingSpeech {
    fn say(&mut self, text: &str) -> Result<(), String> {
        self.said
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(text.to_string());
        Ok(())
    }
}

/// Waits up to 5 s for `done` (the voice works on its own thread).
#[cfg(test)]
pub(super) fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_sent_is_said_in_order() {
        let engine = RecordingSpeech::default();
        let voice = Voice::with(engine.factory());
        assert!(voice.say("bring your shoulders back over your hips"));
        assert!(voice.say("good"));
        wait_for("both", || engine.said().len() == 2);
        assert_eq!(voice.status(), VoiceStatus::Ready);
        assert_eq!(
            engine.said(),
            ["bring your shoulders back over your hips", "good"]
        );
    }

    #[test]
    fn without_an_engine_the_caller_is_told_to_chime() {
        let voice = Voice::with(Box::new(|| Err("no speech-dispatcher".to_string())));
        wait_for("the engine's answer", || {
            voice.status() != VoiceStatus::Starting
        });
        assert_eq!(
            voice.status(),
            VoiceStatus::Unavailable("no speech-dispatcher".into())
        );
        assert!(!voice.say("good"), "fall back to the chime");
    }
}
