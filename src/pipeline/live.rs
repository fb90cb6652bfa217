//! The live analysis behind the app: one analysis thread that keeps the pose engine loaded and
//! judges every frame it takes, and a capture thread per source that opens it (a camera can
//! block in its driver, a video needs probing) and hands frames over. Nothing here ever makes
//! the caller wait: commands go in over a channel, results and events come back the same way.
//!
//! A camera hands over its newest frame (a slow model skips stale frames); a file hands over
//! every frame and waits for the model (the judgment of a recorded video is the same as
//! `plumbline analyze`'s). A camera's frame that shows the same picture as the last one the
//! model saw is judged with the pose found there (see `still`), and its result is shown only
//! when it says something new or a fifth of a second has passed: a person holding still costs
//! a fraction of the model's time and of the window's repaints.

mod capture;
mod messages;
mod still;
mod worker;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use messages::Command;
pub use messages::{LiveEvent, LiveResult, Opener, SourceSpec, Waker};
pub use still::MAX_REUSE;
use worker::Worker;

use super::analyzer::AnalysisConfig;
use super::record::RecordSender;
use super::slot::Slot;
use crate::geometry::judge::JudgeConfig;
use crate::pose::{EngineConfig, PoseError};

/// The live analysis: send it commands, poll it for results and events. Dropping it stops its
/// threads without waiting for them.
#[derive(Debug)]
pub struct LiveAnalysis {
    commands: Sender<Command>,
    results: Arc<Slot<Box<LiveResult>>>,
    events: Receiver<LiveEvent>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl LiveAnalysis {
    /// Starts the analysis thread, which loads the engine (reported as
    /// [`LiveEvent::EngineReady`] or [`LiveEvent::EngineFailed`]); returns at once. `waker`
    /// is called whenever a result or an event is ready.
    pub fn start(config: AnalysisConfig, waker: Option<Waker>) -> Self {
        let (commands, command_rx) = mpsc::channel();
        let (events_tx, events) = mpsc::channel();
        let results = Arc::new(Slot::new());
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let (results, events, stop) =
                (Arc::clone(&results), events_tx.clone(), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("analysis".into())
                .spawn(move || {
                    Worker::new(config.judge, results, events, stop, waker)
                        .run(config.engine, command_rx)
                })
        };
        let worker = match worker {
            Ok(w) => Some(w),
            Err(e) => {
                let error = PoseError::Inference {
                    stage: "analysis thread start",
                    message: e.to_string(),
                };
                let _ = events_tx.send(LiveEvent::EngineFailed {
                    error,
                    running: None,
                });
                None
            }
        };
        Self {
            commands,
            results,
            events,
            stop,
            worker,
        }
    }

    fn send(&self, c: Command) {
        // The thread only goes away when this handle stops it.
        let _ = self.commands.send(c);
    }

    /// Stops the current source and opens `source` on its own thread; the engine stays loaded.
    /// What the rules remember starts afresh with it.
    pub fn open(&self, source: SourceSpec) {
        self.send(Command::Open(source));
    }

    /// Stops the current source: a camera is released by its capture thread.
    pub fn stop_source(&self) {
        self.send(Command::Stop);
    }

    /// Loads these models unless they are the ones loaded (a change of model or threads).
    pub fn set_engine(&self, engine: EngineConfig) {
        self.send(Command::Engine(engine));
    }

    /// Judges by `config` from the next frame: the bands, the calibration, the measures and
    /// activity, the alert rules, all at once. What the rules remember carries over.
    pub fn configure(&self, config: JudgeConfig) {
        self.send(Command::Judge(Box::new(config)));
    }

    /// Starts a calibration, timed as the configuration says: a countdown, then the capture,
    /// on the analysed frames.
    pub fn calibrate(&self) {
        self.send(Command::Calibrate);
    }

    pub fn cancel_calibration(&self) {
        self.send(Command::CancelCalibration);
    }

    /// Sends every analysed frame to `tx` from the next frame on (a
    /// [`LiveRecording`](super::record::LiveRecording)'s sender), or stops with `None`.
    pub fn record(&self, tx: Option<RecordSender>) {
        self.send(Command::Record(tx));
    }

    /// The newest result, if one came since the last call, and every event since the last
    /// call, in order; never waits. Handle the result first: an event that ends a source comes
    /// after its last result.
    pub fn poll(&self) -> (Option<Box<LiveResult>>, Vec<LiveEvent>) {
        // Events first: whatever they report was preceded by the results put before them.
        let events: Vec<LiveEvent> = self.events.try_iter().collect();
        (self.results.try_take(), events)
    }

    /// Waits up to `timeout` for a result or an event, then polls.
    pub fn wait(&self, timeout: Duration) -> (Option<Box<LiveResult>>, Vec<LiveEvent>) {
        let deadline = Instant::now() + timeout;
        loop {
            let (result, events) = self.poll();
            if result.is_some() || !events.is_empty() {
                return (result, events);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return (None, Vec::new());
            }
            std::thread::sleep(left.min(Duration::from_millis(5)));
        }
    }

    /// Stops the threads and waits up to `timeout` for the analysis thread to end; `false` if it
    /// did not (a capture thread stuck in a driver is never waited for).
    pub fn shutdown(mut self, timeout: Duration) -> bool {
        self.stop.store(true, Ordering::Relaxed);
        let Some(worker) = self.worker.take() else {
            return true;
        };
        let deadline = Instant::now() + timeout;
        while !worker.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        worker.is_finished() && worker.join().is_ok()
    }
}

impl Drop for LiveAnalysis {
    fn drop(&mut self) {
        // The thread sees the flag within a poll and ends on its own; nothing waits here.
        self.stop.store(true, Ordering::Relaxed);
    }
}
