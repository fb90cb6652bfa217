//! The app's recordings: the one being recorded, and those stopped but still writing their
//! last rows and keyframes on their own threads. Nothing here waits, except at exit.

use std::path::Path;
use std::time::{Duration, Instant};

use super::notice::Notice;
use crate::pipeline::record::{LiveRecording, RecordSender};
use crate::session::store::{SessionId, SessionMeta};

/// A recording in progress.
#[derive(Debug)]
struct Current {
    live: LiveRecording,
    started: Instant,
}

/// The recording under way and the ones finishing.
#[derive(Debug, Default)]
pub struct Recordings {
    current: Option<Current>,
    finishing: Vec<LiveRecording>,
}

impl Recordings {
    pub fn is_recording(&self) -> bool {
        self.current.is_some()
    }

    /// Whether stopped recordings are still writing.
    pub fn is_finishing(&self) -> bool {
        !self.finishing.is_empty()
    }

    /// Starts recording a session into the store in `data_dir`; returns where the analysis
    /// sends its frames. The store is opened on the recording's own thread.
    pub fn start(&mut self, data_dir: &Path, meta: SessionMeta) -> Option<RecordSender> {
        let live = LiveRecording::start(data_dir, meta);
        let tx = live.sender();
        self.current = Some(Current {
            live,
            started: Instant::now(),
        });
        tx
    }

    /// Stops the recording under way (the analysis must drop its sender too); it saves in the
    /// background. Returns how long it ran.
    pub fn stop(&mut self) -> Option<Duration> {
        let mut current = self.current.take()?;
        current.live.stop();
        self.finishing.push(current.live);
        Some(current.started.elapsed())
    }

    /// How long the recording under way has run, and its session once the store made it.
    pub fn status(&mut self) -> Option<(Duration, Option<SessionId>)> {
        let current = self.current.as_mut()?;
        Some((current.started.elapsed(), current.live.session()))
    }

    /// Recordings that finished writing or failed since the last call. A recording whose
    /// thread failed while running (a full disk, a store that would not open) stops itself.
    pub fn poll(&mut self) -> Vec<Notice> {
        let mut news = Vec::new();
        self.finishing.retain_mut(|rec| match rec.outcome() {
            None => true,
            Some(Ok(id)) => {
                news.push(Notice::Info(format!(
                    "saved session {id}; Sessions lists it"
                )));
                false
            }
            Some(Err(e)) => {
                news.push(Notice::Error(format!(
                    "the recording could not be completed: {e}"
                )));
                false
            }
        });
        if let Some(current) = &mut self.current {
            let started = current.live.session().is_some();
            if let Some(Err(e)) = current.live.outcome() {
                let text = if started {
                    format!("recording stopped: {e}; what was saved before is kept")
                } else {
                    format!("cannot start recording: {e}")
                };
                news.push(Notice::Error(text));
                self.current = None;
            }
        }
        news
    }

    /// Stops any recording and waits up to `timeout` each for them to be saved (the window is
    /// closing; a recording not saved by then is recovered at the next start).
    pub fn finish_all(&mut self, timeout: Duration) {
        self.stop();
        for rec in self.finishing.drain(..) {
            match rec.finish(timeout) {
                Some(Ok(id)) => tracing::info!("saved session {id}"),
                Some(Err(e)) => tracing::error!("the recording could not be completed: {e}"),
                None => tracing::error!(
                    "the recording is still saving; it will be recovered at the next start"
                ),
            }
        }
    }
}
