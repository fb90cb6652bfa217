//! The live loop: a capture thread and an inference thread joined by a newest-frame slot, so a
//! slow model never works through stale frames; results go to the UI or CLI the same way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::offline::AnalysisConfig;
use super::record::{RecordItem, RecordMsg};
use super::slot::{Slot, Taken};
use super::{FrameAnalyzer, StageTimings};
use crate::geometry::advice::Cue;
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::Baseline;
use crate::geometry::metrics::Metrics;
use crate::geometry::motion::{MotionEvent, MotionUpdate};
use crate::geometry::state::StateUpdate;
use crate::pose::{Pose, PoseError, PoseEstimator};
use crate::session::Sample;
use crate::source::{Frame, FrameSource, SourceError};

/// One analysed frame, as the UI needs it.
#[derive(Debug, Clone)]
pub struct LiveResult {
    pub frame: Arc<Frame>,
    pub pose: Option<Pose>,
    pub metrics: Option<Metrics>,
    /// The metrics as judged: change from the baseline when calibrated.
    pub judged: Option<Metrics>,
    /// The bands they were judged by (widened past the baseline's noise when calibrated).
    pub bands: Thresholds,
    /// The cue for the measure furthest out of its band.
    pub cue: Option<Cue>,
    pub state: StateUpdate,
    pub motion: MotionUpdate,
    pub timings: StageTimings,
    /// From the frame's capture to the end of its analysis.
    pub latency: Duration,
    /// When capture of this frame began: the UI measures latency to the screen from it.
    pub captured_at: Instant,
    /// Frames captured so far, and how many were skipped because the model was busy.
    pub captured: u64,
    pub dropped: u64,
}

/// What the pipeline tells its consumer.
#[derive(Debug, Clone)]
pub enum LiveMessage {
    Result(Box<LiveResult>),
    /// The source failed (a camera unplugged, a truncated file); the run is over.
    SourceFailed(SourceError),
    /// The engine failed; the run is over.
    EngineFailed(PoseError),
    /// The source ended normally.
    Ended,
}

/// Changes the UI makes to a running pipeline; applied before the next frame.
#[derive(Debug)]
enum Control {
    Baseline(Option<Baseline>),
    Thresholds(Thresholds),
    /// Send every analysed frame here from now on (`None`: stop).
    Record(Option<Sender<RecordMsg>>),
}

/// Where the inference thread sends frames while recording, and the recording's origin.
#[derive(Debug)]
struct Recording {
    tx: Sender<RecordMsg>,
    /// Timestamp and index of the first recorded frame: the session's zero.
    origin: Option<(Duration, u64)>,
}

impl Recording {
    /// Hands one frame to the recording thread; `false` once that thread has gone.
    fn send(&mut self, frame: &Arc<Frame>, result: &LiveResult) -> bool {
        let (t0, i0) = *self.origin.get_or_insert((frame.timestamp, frame.index));
        let sample = Sample {
            frame: frame.index.saturating_sub(i0),
            t_ms: frame.timestamp.saturating_sub(t0).as_secs_f64() * 1000.0,
            person: result.pose.is_some(),
            metrics: result.metrics,
            state: result.state.state,
        };
        let item = RecordItem {
            sample,
            pose: result.pose.clone(),
            frame: Arc::clone(frame),
            events: result.motion.events.clone(),
        };
        self.tx.send(RecordMsg::Frame(Box::new(item))).is_ok()
    }
}

/// A captured frame with the time it arrived and how long capture took.
#[derive(Debug)]
struct Captured {
    frame: Arc<Frame>,
    at: Instant,
    took: Duration,
}

/// Capture and inference threads; dropping it stops and joins them.
#[derive(Debug)]
pub struct LivePipeline {
    stop: Arc<AtomicBool>,
    frames: Arc<Slot<Captured>>,
    results: Arc<Slot<LiveMessage>>,
    /// How the run ended, kept apart so a later result cannot replace it.
    ending: Arc<Slot<LiveMessage>>,
    control: Sender<Control>,
    /// Motion events of every analysed frame, including frames whose result the UI never saw.
    events: Receiver<MotionEvent>,
    threads: Vec<JoinHandle<()>>,
}

impl LivePipeline {
    /// Loads the engine (errors come back here) and starts both threads.
    pub fn start(
        mut source: Box<dyn FrameSource>,
        config: &AnalysisConfig,
    ) -> Result<Self, PoseError> {
        let mut engine = PoseEstimator::new(&config.engine)?;
        let stop = Arc::new(AtomicBool::new(false));
        let frames: Arc<Slot<Captured>> = Arc::new(Slot::new());
        // Results also hand over newest-first: the UI shows the latest, never a queue.
        let results: Arc<Slot<LiveMessage>> = Arc::new(Slot::new());
        let ending: Arc<Slot<LiveMessage>> = Arc::new(Slot::new());
        let (control, control_rx) = mpsc::channel::<Control>();
        let (events_tx, events) = mpsc::channel::<MotionEvent>();

        // How the source failed, handed to the inference thread: it reports the ending only
        // after the results of the frames that came before it.
        let failure: Arc<Mutex<Option<SourceError>>> = Arc::default();

        let capture = {
            let (stop, frames, failure) =
                (Arc::clone(&stop), Arc::clone(&frames), Arc::clone(&failure));
            std::thread::Builder::new()
                .name("capture".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let started = Instant::now();
                        match source.next_frame() {
                            Ok(Some(frame)) => {
                                let captured = Captured {
                                    frame: Arc::new(frame),
                                    at: Instant::now(),
                                    took: started.elapsed(),
                                };
                                frames.put(captured);
                            }
                            Ok(None) => break,
                            Err(e) if e.is_skippable() => tracing::warn!("skipped a frame: {e}"),
                            Err(e) => {
                                *failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                                break;
                            }
                        }
                    }
                    frames.close();
                })
        };
        let worker = {
            let (stop, frames, results, ending, failure) = (
                Arc::clone(&stop),
                Arc::clone(&frames),
                Arc::clone(&results),
                Arc::clone(&ending),
                Arc::clone(&failure),
            );
            let config = config.clone();
            std::thread::Builder::new()
                .name("inference".into())
                .spawn(move || {
                    let mut analyzer = FrameAnalyzer::new(&config);
                    let mut recording: Option<Recording> = None;
                    while !stop.load(Ordering::Relaxed) {
                        for c in control_rx.try_iter() {
                            match c {
                                Control::Baseline(b) => analyzer.set_baseline(b),
                                Control::Thresholds(t) => analyzer.set_thresholds(t),
                                Control::Record(tx) => {
                                    recording = tx.map(|tx| Recording { tx, origin: None })
                                }
                            }
                        }
                        let captured = match frames.take(Duration::from_millis(100)) {
                            Taken::Value(c) => c,
                            Taken::Empty => continue,
                            Taken::Closed => break,
                        };
                        let mut done = match analyzer.analyze(&mut engine, &captured.frame) {
                            Ok(done) => done,
                            Err(e) => {
                                ending.put(LiveMessage::EngineFailed(e));
                                stop.store(true, Ordering::Relaxed);
                                break;
                            }
                        };
                        done.timings.capture = captured.took;
                        let result = LiveResult {
                            frame: captured.frame,
                            pose: done.pose,
                            metrics: done.metrics,
                            judged: done.judged,
                            bands: done.bands,
                            cue: done.cue,
                            state: done.state,
                            motion: done.motion,
                            timings: done.timings,
                            latency: captured.at.elapsed() + captured.took,
                            captured_at: captured
                                .at
                                .checked_sub(captured.took)
                                .unwrap_or(captured.at),
                            captured: frames.put_count(),
                            dropped: frames.dropped(),
                        };
                        for e in &result.motion.events {
                            let _ = events_tx.send(e.clone());
                        }
                        if let Some(r) = recording.as_mut()
                            && !r.send(&result.frame, &result)
                        {
                            tracing::warn!("the recording thread stopped; no longer recording");
                            recording = None;
                        }
                        results.put(LiveMessage::Result(Box::new(result)));
                    }
                    // The frames before it are analysed: now say how the source ended (an
                    // engine failure was reported where it happened).
                    if !stop.load(Ordering::Relaxed) && ending.put_count() == 0 {
                        let failed = failure
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .take();
                        ending.put(failed.map_or(LiveMessage::Ended, LiveMessage::SourceFailed));
                    }
                })
        };
        let mut threads = Vec::new();
        for handle in [capture, worker] {
            match handle {
                Ok(h) => threads.push(h),
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err(PoseError::Inference {
                        stage: "thread start",
                        message: e.to_string(),
                    });
                }
            }
        }
        Ok(Self {
            stop,
            frames,
            results,
            ending,
            control,
            events,
            threads,
        })
    }

    /// Judges posture as change from `baseline` (the user's calibration) from the next frame.
    pub fn set_baseline(&self, baseline: Option<Baseline>) {
        let _ = self.control.send(Control::Baseline(baseline));
    }

    /// New threshold bands from the next frame.
    pub fn set_thresholds(&self, thresholds: Thresholds) {
        let _ = self.control.send(Control::Thresholds(thresholds));
    }

    /// Sends every analysed frame to `tx` from the next frame on (a
    /// [`LiveRecording`](super::record::LiveRecording)'s sender), or stops with `None`.
    pub fn record(&self, tx: Option<Sender<RecordMsg>>) {
        let _ = self.control.send(Control::Record(tx));
    }

    /// Motion events (sudden movement, move reminders, walking) since the last call, from
    /// every analysed frame: unlike results, none is skipped.
    pub fn events(&self) -> Vec<MotionEvent> {
        self.events.try_iter().collect()
    }

    /// The newest result, or once the results are drained, how the run ended; never waits
    /// (for a UI's update loop).
    pub fn latest(&self) -> Option<LiveMessage> {
        if let Some(r) = self.results.try_take() {
            return Some(r);
        }
        let end = self.ending.try_take()?;
        // A result put just before the ending (between the two looks) still comes first.
        match self.results.try_take() {
            Some(r) => {
                self.ending.put(end);
                Some(r)
            }
            None => Some(end),
        }
    }

    /// Waits up to `timeout` for the next message: a result, or how the run ended.
    pub fn next(&self, timeout: Duration) -> Option<LiveMessage> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(m) = self.latest() {
                return Some(m);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            if let Taken::Value(m) = self.results.take(left.min(Duration::from_millis(20))) {
                return Some(m);
            }
        }
    }

    /// Frames captured, and how many the model had to skip.
    pub fn frame_counts(&self) -> (u64, u64) {
        (self.frames.put_count(), self.frames.dropped())
    }

    /// Stops both threads and waits for them.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.frames.close();
        for t in self.threads.drain(..) {
            if t.join().is_err() {
                tracing::error!("a pipeline thread panicked");
            }
        }
    }
}

impl Drop for LivePipeline {
    fn drop(&mut self) {
        self.shutdown();
    }
}
