//! The live analysis behind the app: one analysis thread that keeps the pose engine loaded and
//! judges every frame it takes, and a capture thread per source that opens it (a camera can
//! block in its driver, a video needs probing) and hands frames over. Nothing here ever makes
//! the caller wait: commands go in over a channel, results and events come back the same way.
//!
//! A camera hands over its newest frame (a slow model skips stale frames); a file hands over
//! every frame and waits for the model (the judgment of a recorded video is the same as
//! `plumbline analyze`'s).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::analyzer::{AnalysisConfig, FrameAnalyzer, StageTimings};
use super::record::{RecordItem, RecordMsg};
use super::slot::{Delivery, Slot, Taken};
use crate::geometry::alerts::{Alert, AlertRules};
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::flow::CalibrationTiming;
use crate::geometry::calibration::{Baseline, CalibrationError};
use crate::geometry::judge::{JudgeConfig, Judgment};
use crate::geometry::motion::MotionEvent;
use crate::pose::{EngineConfig, ModelKind, Pose, PoseError, PoseEstimator};
use crate::source::{Frame, FrameSource, SourceError};

/// How long the analysis thread waits for a frame or a command before looking again.
const POLL: Duration = Duration::from_millis(50);
/// Frames of a file waiting for the model: enough to hide decoding jitter.
const FILE_QUEUE: usize = 2;

/// Called after every result and event, so a window that repaints only when something happens
/// is woken (the app passes its `request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Opens a source; runs on the source's own capture thread.
pub type Opener = Box<dyn FnOnce() -> Result<Box<dyn FrameSource>, SourceError> + Send>;

/// A source to analyse: how to open it and how its frames are handed over.
pub struct SourceSpec {
    /// What the user chose, for messages: "camera 0", a path.
    pub label: String,
    pub delivery: Delivery,
    opener: Opener,
}

impl SourceSpec {
    /// A live source (a camera): the model takes the newest frame and skips stale ones.
    pub fn live(label: impl Into<String>, opener: Opener) -> Self {
        Self {
            label: label.into(),
            delivery: Delivery::Newest,
            opener,
        }
    }

    /// A recorded source (a file, the demo): every frame is analysed; the source waits for the
    /// model when it is slower.
    pub fn every_frame(label: impl Into<String>, opener: Opener) -> Self {
        Self {
            label: label.into(),
            delivery: Delivery::Every(FILE_QUEUE),
            opener,
        }
    }
}

impl std::fmt::Debug for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceSpec")
            .field("label", &self.label)
            .field("delivery", &self.delivery)
            .finish_non_exhaustive()
    }
}

/// One analysed frame, as the window needs it.
#[derive(Debug, Clone)]
pub struct LiveResult {
    /// Which source it came from: the count of sources opened, from 1.
    pub source: u64,
    pub frame: Arc<Frame>,
    pub pose: Option<Pose>,
    pub judgment: Judgment,
    pub timings: StageTimings,
    /// From the frame's capture to the end of its analysis.
    pub latency: Duration,
    /// When capture of this frame began: the window measures latency to the screen from it.
    pub captured_at: Instant,
    /// Frames captured from this source so far, and how many were skipped because the model
    /// was busy.
    pub captured: u64,
    pub dropped: u64,
}

/// What happened, in order; none is ever dropped.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// The models are loaded (at the start, or after a change of model).
    EngineReady { model: ModelKind, took: Duration },
    /// The models could not be loaded; `running` is the model still in use, if any.
    EngineFailed {
        error: PoseError,
        running: Option<ModelKind>,
    },
    /// Source number `source` opened and frames are coming.
    SourceOpened { source: u64, description: String },
    /// A frame could not be decoded and was skipped.
    FrameSkipped(SourceError),
    /// The source ended normally (the end of a video). Sent after its last result.
    SourceEnded { source: u64 },
    /// The source could not be opened, or failed part-way. Sent after its last result.
    SourceFailed { source: u64, error: SourceError },
    /// The engine failed on a frame; the source is stopped.
    InferenceFailed { source: u64, error: PoseError },
    /// The motion rules noticed something.
    Motion(MotionEvent),
    /// The alert policy fired.
    Alert(Alert),
    /// A calibration ended: the baseline (already in use) or why it was refused.
    Calibrated(Result<Baseline, CalibrationError>),
}

/// Changes to the running analysis; applied before the next frame.
enum Command {
    Open(SourceSpec),
    Stop,
    Engine(EngineConfig),
    Baseline(Option<Baseline>),
    Thresholds(Thresholds),
    AlertRules(AlertRules),
    MinVisibility(f32),
    Calibrate(CalibrationTiming),
    CancelCalibration,
    /// Send every analysed frame here from now on (`None`: stop).
    Record(Option<Sender<RecordMsg>>),
}

/// A captured frame with the time it arrived and how long capture took.
#[derive(Debug)]
struct Captured {
    frame: Arc<Frame>,
    at: Instant,
    took: Duration,
}

/// One open source: its capture thread's hand-over and how it ended.
struct Feed {
    id: u64,
    frames: Arc<Slot<Captured>>,
    ending: Arc<Mutex<Option<SourceError>>>,
    stop: Arc<AtomicBool>,
}

impl Feed {
    /// Tells the capture thread to stop and lets it go: a camera blocked in its driver must
    /// not hold up the analysis. It releases the source on its own thread.
    fn release(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.frames.close();
    }
}

/// Where frames go while recording, and the recording's origin.
struct Recording {
    tx: Sender<RecordMsg>,
    /// Timestamp and index of the first recorded frame: the session's zero.
    origin: Option<(Duration, u64)>,
}

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

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Command::Open(_) => "Open",
            Command::Stop => "Stop",
            Command::Engine(_) => "Engine",
            Command::Baseline(_) => "Baseline",
            Command::Thresholds(_) => "Thresholds",
            Command::AlertRules(_) => "AlertRules",
            Command::MinVisibility(_) => "MinVisibility",
            Command::Calibrate(_) => "Calibrate",
            Command::CancelCalibration => "CancelCalibration",
            Command::Record(_) => "Record",
        })
    }
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

    /// Judges as change from `baseline` from the next frame (`None`: absolute values).
    pub fn set_baseline(&self, baseline: Option<Baseline>) {
        self.send(Command::Baseline(baseline));
    }

    /// New bands from the next frame.
    pub fn set_thresholds(&self, thresholds: Thresholds) {
        self.send(Command::Thresholds(thresholds));
    }

    /// New alert rules from the next frame.
    pub fn set_alert_rules(&self, rules: AlertRules) {
        self.send(Command::AlertRules(rules));
    }

    /// The landmark visibility from which a landmark counts as seen, from the next frame.
    pub fn set_min_visibility(&self, min_visibility: f32) {
        self.send(Command::MinVisibility(min_visibility));
    }

    /// Starts a calibration: a countdown, then the capture, on the analysed frames.
    pub fn calibrate(&self, timing: CalibrationTiming) {
        self.send(Command::Calibrate(timing));
    }

    pub fn cancel_calibration(&self) {
        self.send(Command::CancelCalibration);
    }

    /// Sends every analysed frame to `tx` from the next frame on (a
    /// [`LiveRecording`](super::record::LiveRecording)'s sender), or stops with `None`.
    pub fn record(&self, tx: Option<Sender<RecordMsg>>) {
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

/// The analysis thread's state.
struct Worker {
    analyzer: FrameAnalyzer,
    engine: Option<(PoseEstimator, EngineConfig)>,
    feed: Option<Feed>,
    opened: u64,
    recording: Option<Recording>,
    results: Arc<Slot<Box<LiveResult>>>,
    events: Sender<LiveEvent>,
    stop: Arc<AtomicBool>,
    waker: Option<Waker>,
}

impl Worker {
    fn new(
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

    fn run(mut self, engine: EngineConfig, commands: Receiver<Command>) {
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
            .is_some_and(|(_, loaded)| same_engine(loaded, &config))
        {
            return;
        }
        let started = Instant::now();
        match PoseEstimator::new(&config) {
            Ok(engine) => {
                let model = config.model;
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
            Command::Baseline(b) => judge.set_baseline(b),
            Command::Thresholds(t) => judge.set_thresholds(t),
            Command::AlertRules(r) => judge.set_alert_rules(r),
            Command::MinVisibility(v) => judge.set_min_visibility(v),
            Command::Calibrate(timing) => judge.calibrate(timing),
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
        if let Some(r) = self.recording.as_mut() {
            // The session's clock carries on past the old source's last frame.
            r.origin = None;
        }
        let feed = Feed {
            id: self.opened,
            frames: Arc::new(Slot::with_delivery(spec.delivery)),
            ending: Arc::default(),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let capture = Capture {
            id: feed.id,
            frames: Arc::clone(&feed.frames),
            ending: Arc::clone(&feed.ending),
            stop: Arc::clone(&feed.stop),
            events: self.events.clone(),
            waker: self.waker.clone(),
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
                let failed = lock(&feed.ending).take();
                self.feed = None;
                self.emit(match failed {
                    Some(error) => LiveEvent::SourceFailed { source: id, error },
                    None => LiveEvent::SourceEnded { source: id },
                });
                return;
            }
        };
        let (id, captured_n, dropped) = (feed.id, feed.frames.put_count(), feed.frames.dropped());
        let Some((engine, _)) = self.engine.as_mut() else {
            return;
        };
        let mut done = match self.analyzer.analyze(engine, &captured.frame) {
            Ok(done) => done,
            Err(error) => {
                if let Some(feed) = self.feed.take() {
                    feed.release();
                }
                self.emit(LiveEvent::InferenceFailed { source: id, error });
                return;
            }
        };
        done.timings.capture = captured.took;
        for e in &done.judgment.motion.events {
            self.emit(LiveEvent::Motion(e.clone()));
        }
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
                frame: Arc::clone(&captured.frame),
                events: done.judgment.motion.events.clone(),
                alert: done.judgment.alerts.fired.clone(),
            };
            if r.tx.send(Box::new(item)).is_err() {
                tracing::warn!("the recording thread stopped; no longer recording");
                self.recording = None;
            }
        }
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
        }));
        self.wake();
    }
}

/// Whether two engine settings load the same models the same way.
fn same_engine(a: &EngineConfig, b: &EngineConfig) -> bool {
    (a.model, &a.models_dir, a.threads, a.tracking, a.smoothing)
        == (b.model, &b.models_dir, b.threads, b.tracking, b.smoothing)
        && a.min_detection_score == b.min_detection_score
        && a.min_pose_score == b.min_pose_score
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
                        took: started.elapsed(),
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
