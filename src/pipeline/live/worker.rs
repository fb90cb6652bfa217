//! The analysis thread: it keeps the pose engine loaded, takes frames from the current source,
//! judges each, and sends out results, events and frames to record; commands change it between
//! frames.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::capture::Feed;
use super::messages::{Command, LiveEvent, LiveResult, SourceSpec, Waker};
use super::still::{MAX_REUSE, StillPicture};
use crate::geometry::advice::Cue;
use crate::geometry::judge::{JudgeConfig, Judgment};
use crate::geometry::state::PostureState;
use crate::pipeline::analyzer::FrameAnalyzer;
use crate::pipeline::record::{RecordItem, RecordSender};
use crate::pipeline::slot::{Delivery, Slot, Taken};
use crate::pose::{EngineConfig, PoseEstimator};

/// How long the analysis thread waits for a frame or a command before looking again.
const POLL: Duration = Duration::from_millis(50);

/// Where frames go while recording, and the recording's origin.
struct Recording {
    tx: RecordSender,
    /// Timestamp and index of the first recorded frame: the session's zero.
    origin: Option<(Duration, u64)>,
}

/// The analysis thread's state.
pub(super) struct Worker {
    analyzer: FrameAnalyzer,
    engine: Option<(PoseEstimator, EngineConfig)>,
    feed: Option<Feed>,
    opened: u64,
    recording: Option<Recording>,
    /// What the model last saw on a camera, to spare it a picture that has not changed.
    still: StillPicture,
    /// Frames of the current source judged on a still picture's pose.
    reused: u64,
    /// The last result handed to the window: its frame's time, state and cue.
    shown: Option<(Duration, PostureState, Option<Cue>)>,
    results: Arc<Slot<Box<LiveResult>>>,
    events: Sender<LiveEvent>,
    stop: Arc<AtomicBool>,
    waker: Option<Waker>,
}

impl Worker {
    pub(super) fn new(
        judge: JudgeConfig,
        results: Arc<Slot<Box<LiveResult>>>,
        events: Sender<LiveEvent>,
        stop: Arc<AtomicBool>,
        waker: Option<Waker>,
    ) -> Self {
        Self {
            analyzer: FrameAnalyzer::new(judge),
            engine: None,
            feed: None,
            opened: 0,
            recording: None,
            still: StillPicture::default(),
            reused: 0,
            shown: None,
            results,
            events,
            stop,
            waker,
        }
    }

    fn emit(&self, e: LiveEvent) {
        let _ = self.events.send(e);
        self.wake();
    }

    fn wake(&self) {
        if let Some(wake) = &self.waker {
            wake();
        }
    }

    pub(super) fn run(mut self, engine: EngineConfig, commands: Receiver<Command>) {
        self.load(engine);
        while !self.stop.load(Ordering::Relaxed) {
            // Without frames to analyse, wait on the commands instead.
            let first = if self.feed.is_some() && self.engine.is_some() {
                commands.try_recv().ok()
            } else {
                match commands.recv_timeout(POLL) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            };
            for c in first.into_iter().chain(commands.try_iter()) {
                self.apply(c);
            }
            if self.engine.is_some() {
                self.next_frame();
            }
        }
        if let Some(feed) = self.feed.take() {
            feed.release();
        }
    }

    /// Loads `config`'s models unless they are loaded already.
    fn load(&mut self, config: EngineConfig) {
        if self
            .engine
            .as_ref()
            .is_some_and(|(_, loaded)| *loaded == config)
        {
            return;
        }
        let started = Instant::now();
        match PoseEstimator::new(&config) {
            Ok(engine) => {
                let model = config.model;
                // Another model finds another pose on the same picture.
                self.still.forget();
                self.engine = Some((engine, config));
                self.emit(LiveEvent::EngineReady {
                    model,
                    took: started.elapsed(),
                });
            }
            Err(error) => {
                let running = self.engine.as_ref().map(|(_, c)| c.model);
                if running.is_none()
                    && let Some(feed) = self.feed.take()
                {
                    feed.release();
                }
                self.emit(LiveEvent::EngineFailed { error, running });
            }
        }
    }

    fn apply(&mut self, c: Command) {
        let judge = self.analyzer.judge_mut();
        match c {
            Command::Open(spec) => self.open(spec),
            Command::Stop => {
                if let Some(feed) = self.feed.take() {
                    feed.release();
                }
            }
            Command::Engine(config) => self.load(config),
            Command::Judge(config) => judge.configure(*config),
            Command::Calibrate => judge.calibrate(),
            Command::CancelCalibration => judge.cancel_calibration(),
            Command::Record(tx) => self.recording = tx.map(|tx| Recording { tx, origin: None }),
        }
    }

    /// Replaces the current source with `spec`, opened on a capture thread of its own.
    fn open(&mut self, spec: SourceSpec) {
        if let Some(feed) = self.feed.take() {
            feed.release();
        }
        self.opened += 1;
        // A new stream: tracking, smoothing, timers and the state start afresh.
        if let Some((engine, _)) = self.engine.as_mut() {
            engine.reset();
        }
        self.analyzer.restart();
        self.still.forget();
        self.reused = 0;
        self.shown = None;
        if let Some(r) = self.recording.as_mut() {
            // The session's clock carries on past the old source's last frame.
            r.origin = None;
        }
        let feed = Feed::open(self.opened, spec, self.events.clone(), self.waker.clone());
        self.feed = Some(feed);
    }

    /// Takes the next frame of the current source and analyses it, or reports how the source
    /// ended once its last frame is done.
    fn next_frame(&mut self) {
        let Some(feed) = &self.feed else {
            return;
        };
        let captured = match feed.frames.take(POLL) {
            Taken::Value(c) => c,
            Taken::Empty => return,
            Taken::Closed => {
                let id = feed.id;
                let failed = feed.ending();
                self.feed = None;
                self.emit(match failed {
                    Some(error) => LiveEvent::SourceFailed { source: id, error },
                    None => LiveEvent::SourceEnded { source: id },
                });
                return;
            }
        };
        let (id, captured_n, dropped) = (feed.id, feed.frames.put_count(), feed.frames.dropped());
        let camera = feed.frames.delivery() == Delivery::Newest;
        let Some((engine, _)) = self.engine.as_mut() else {
            return;
        };
        // A calibration measures the person's own noise: every frame of it goes to the model.
        let look = (camera && !self.analyzer.judge().calibrating())
            .then(|| self.still.look(&captured.frame));
        let (mut done, pose_reused) = match look {
            Some(Ok(pose)) => (self.analyzer.judge_with(&captured.frame, pose), true),
            look => match self.analyzer.analyze(engine, &captured.frame) {
                Ok(done) => {
                    if let Some(Err(look)) = look {
                        let t = captured.frame.timestamp;
                        self.still.seen(look, t, done.pose.as_ref());
                    }
                    (done, false)
                }
                Err(error) => {
                    if let Some(feed) = self.feed.take() {
                        feed.release();
                    }
                    self.emit(LiveEvent::InferenceFailed { source: id, error });
                    return;
                }
            },
        };
        self.reused += u64::from(pose_reused);
        done.timings.capture = captured.took;
        if let Some(alert) = &done.judgment.alerts.fired {
            self.emit(LiveEvent::Alert(alert.clone()));
        }
        if let Some(result) = &done.judgment.calibrated {
            self.emit(LiveEvent::Calibrated(result.clone()));
        }
        if let Some(r) = self.recording.as_mut() {
            let (t0, i0) = *r
                .origin
                .get_or_insert((captured.frame.timestamp, captured.frame.index));
            let mut sample = done.sample(&captured.frame);
            sample.frame = captured.frame.index.saturating_sub(i0);
            sample.t_ms = captured.frame.timestamp.saturating_sub(t0).as_secs_f64() * 1000.0;
            let item = RecordItem {
                sample,
                pose: done.pose.clone(),
                frame: None,
                events: done.judgment.motion.events.clone(),
                alert: done.judgment.alerts.fired.clone(),
            };
            if !r.tx.send(item, &captured.frame) {
                tracing::warn!("the recording thread stopped; no longer recording");
                self.recording = None;
            }
        }
        if pose_reused && !self.worth_showing(captured.frame.timestamp, &done.judgment) {
            return;
        }
        self.shown = Some((
            captured.frame.timestamp,
            done.judgment.state.state,
            done.judgment.cue,
        ));
        self.results.put(Box::new(LiveResult {
            source: id,
            frame: captured.frame,
            pose: done.pose,
            judgment: done.judgment,
            timings: done.timings,
            latency: captured.at.elapsed() + captured.took,
            captured_at: captured
                .at
                .checked_sub(captured.took)
                .unwrap_or(captured.at),
            captured: captured_n,
            dropped,
            pose_reused,
            reused: self.reused,
        }));
        self.wake();
    }

    /// Whether a still picture's judgment at `t` is worth a repaint: it changed what the window
    /// says, or the window's clocks have not moved for [`MAX_REUSE`].
    fn worth_showing(&self, t: Duration, judgment: &Judgment) -> bool {
        self.shown.is_none_or(|(shown_t, state, cue)| {
            t.saturating_sub(shown_t) >= MAX_REUSE
                || judgment.state.state != state
                || judgment.cue != cue
                || judgment.alerts.fired.is_some()
                || judgment.calibrated.is_some()
        })
    }
}
