//! A source's own capture thread: it opens the source (a camera may block in its driver, a
//! video needs probing) and hands frames to the analysis thread, newest-first for a camera and
//! every frame for a file; it releases the source on its own thread when told to stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::messages::{LiveEvent, Opener, SourceSpec, Waker};
use crate::pipeline::slot::Slot;
use crate::source::{Frame, SourceError};

/// A captured frame with the time it arrived and how long capture took.
#[derive(Debug)]
pub(super) struct Captured {
    pub(super) frame: Arc<Frame>,
    pub(super) at: Instant,
    pub(super) took: Duration,
}

/// One open source: its capture thread's hand-over and how it ended.
pub(super) struct Feed {
    pub(super) id: u64,
    pub(super) frames: Arc<Slot<Captured>>,
    ending: Arc<Mutex<Option<SourceError>>>,
    stop: Arc<AtomicBool>,
}

impl Feed {
    /// Starts `spec`'s capture thread as source number `id`; its news goes to `events`.
    pub(super) fn open(
        id: u64,
        spec: SourceSpec,
        events: Sender<LiveEvent>,
        waker: Option<Waker>,
    ) -> Feed {
        let feed = Feed {
            id,
            frames: Arc::new(Slot::with_delivery(spec.delivery)),
            ending: Arc::default(),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let capture = Capture {
            id,
            frames: Arc::clone(&feed.frames),
            ending: Arc::clone(&feed.ending),
            stop: Arc::clone(&feed.stop),
            events,
            waker,
        };
        let spawned = std::thread::Builder::new()
            .name("capture".into())
            .spawn(move || capture.run(spec.opener));
        if let Err(e) = spawned {
            *lock(&feed.ending) = Some(SourceError::Open {
                path: spec.label.into(),
                what: "the source",
                reason: format!("cannot start its capture thread ({e})"),
                hint: "free some system resources and try again".into(),
            });
            feed.frames.close();
        }
        feed
    }

    /// How the source ended, once its frames are all taken (`None`: it simply ended).
    pub(super) fn ending(&self) -> Option<SourceError> {
        lock(&self.ending).take()
    }
    /// Tells the capture thread to stop and lets it go: a camera blocked in its driver must
    /// not hold up the analysis. It releases the source on its own thread.
    pub(super) fn release(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.frames.close();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A source's capture thread.
struct Capture {
    id: u64,
    frames: Arc<Slot<Captured>>,
    ending: Arc<Mutex<Option<SourceError>>>,
    stop: Arc<AtomicBool>,
    events: Sender<LiveEvent>,
    waker: Option<Waker>,
}

impl Capture {
    fn emit(&self, e: LiveEvent) {
        let _ = self.events.send(e);
        if let Some(wake) = &self.waker {
            wake();
        }
    }

    fn run(self, opener: Opener) {
        let mut source = match opener() {
            Ok(s) => s,
            Err(e) => {
                *lock(&self.ending) = Some(e);
                self.frames.close();
                return;
            }
        };
        self.emit(LiveEvent::SourceOpened {
            source: self.id,
            description: source.describe(),
        });
        while !self.stop.load(Ordering::Relaxed) {
            let started = Instant::now();
            match source.next_frame() {
                Ok(Some(frame)) => {
                    let captured = Captured {
                        frame: Arc::new(frame),
                        at: Instant::now(),
                        // A paced file's sleep until the frame is due is not capture.
                        took: started.elapsed().saturating_sub(source.waited()),
                    };
                    if !self.frames.put(captured) {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) if e.is_skippable() => {
                    tracing::warn!("skipped a frame: {e}");
                    self.emit(LiveEvent::FrameSkipped(e));
                }
                Err(e) => {
                    *lock(&self.ending) = Some(e);
                    break;
                }
            }
        }
        self.frames.close();
        // The analysis thread reports the ending once it has taken the last frame.
        if let Some(wake) = &self.waker {
            wake();
        }
        // Dropping the source here releases a camera on this thread, never the caller's.
        drop(source);
    }
}
