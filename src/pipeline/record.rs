//! Recording a live session without slowing the live loop: the inference thread hands each
//! analysed frame to a recording thread over a channel; that thread owns the session's
//! [`Recorder`] (batched SQLite commits) and picks the report's keyframes.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::geometry::motion::MotionEvent;
use crate::pose::Pose;
use crate::session::keyframes::KeyframePicker;
use crate::session::store::{Recorder, SessionId, SessionMeta, Store, StoreError};
use crate::session::{EventKind, Sample};
use crate::source::Frame;

/// One analysed frame on its way to the database. Times are from the start of the recording.
#[derive(Debug)]
pub struct RecordItem {
    pub sample: Sample,
    pub pose: Option<Pose>,
    /// The frame itself, shared with the UI (only kept if it becomes a keyframe).
    pub frame: Arc<Frame>,
    pub events: Vec<MotionEvent>,
}

/// What the recording thread is sent.
#[derive(Debug)]
pub enum RecordMsg {
    Frame(Box<RecordItem>),
    /// Something that happened (an alert the user saw), recorded at the last frame's time.
    Event {
        kind: EventKind,
        detail: serde_json::Value,
    },
}

/// A session being recorded on its own thread. Dropping the last [`Sender`] (stopping the
/// recording) lets the thread write the keyframes and close the session.
#[derive(Debug)]
pub struct LiveRecording {
    tx: Option<Sender<RecordMsg>>,
    /// The session's id, once the thread has opened the store and started it.
    started: Receiver<SessionId>,
    session: Option<SessionId>,
    done: Receiver<Result<SessionId, StoreError>>,
    thread: Option<JoinHandle<()>>,
    outcome: Option<Result<SessionId, StoreError>>,
}

impl LiveRecording {
    /// Starts recording a session into the store in `data_dir`. Opening the store (which checks
    /// the whole file) happens on the recording thread, so a large database never freezes the
    /// caller; frames sent meanwhile wait in the channel. If the store cannot be opened (an
    /// unwritable folder, a corrupt database), [`outcome`](Self::outcome) says so.
    pub fn start(data_dir: &Path, meta: SessionMeta) -> Self {
        let (tx, rx) = mpsc::channel::<RecordMsg>();
        let (started_tx, started) = mpsc::channel();
        let (done_tx, done) = mpsc::channel();
        let dir = data_dir.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("recording".into())
            .spawn(move || {
                let result = Store::open(&dir)
                    .and_then(|mut store| store.start_session(meta))
                    .and_then(|recorder| {
                        let _ = started_tx.send(recorder.session());
                        record(recorder, rx)
                    });
                let _ = done_tx.send(result);
            });
        let (thread, outcome) = match thread {
            Ok(t) => (Some(t), None),
            Err(e) => (
                None,
                Some(Err(StoreError::RecordingThread {
                    detail: format!("could not start ({e})"),
                })),
            ),
        };
        Self {
            tx: Some(tx),
            started,
            session: None,
            done,
            thread,
            outcome,
        }
    }

    /// The session's id in the store, once it has been created.
    pub fn session(&mut self) -> Option<SessionId> {
        if self.session.is_none() {
            self.session = self.started.try_recv().ok();
        }
        self.session
    }

    /// Where the pipeline sends frames; `None` once the recording was stopped.
    pub fn sender(&self) -> Option<Sender<RecordMsg>> {
        self.tx.clone()
    }

    /// Records an event (`posture_alert`, …) at the time of the last recorded frame.
    pub fn event(&self, kind: EventKind, detail: serde_json::Value) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(RecordMsg::Event { kind, detail });
        }
    }

    /// Stops taking frames: the thread writes what is left and closes the session. Senders
    /// handed out earlier must be dropped too (the pipeline drops its own when told).
    pub fn stop(&mut self) {
        self.tx = None;
    }

    /// How the recording ended, once it has (never waits). An error here means the recording
    /// thread stopped writing: the frames committed before it are kept.
    pub fn outcome(&mut self) -> Option<&Result<SessionId, StoreError>> {
        if self.outcome.is_none() {
            match self.done.try_recv() {
                Ok(r) => self.outcome = Some(r),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => {
                    self.outcome = Some(Err(StoreError::RecordingThread {
                        detail: "stopped unexpectedly".into(),
                    }))
                }
            }
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
        self.outcome.as_ref()
    }

    /// Stops and waits up to `timeout` for the session to be closed.
    pub fn finish(mut self, timeout: Duration) -> Option<Result<SessionId, StoreError>> {
        self.stop();
        let deadline = std::time::Instant::now() + timeout;
        while self.outcome().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.outcome.take()
    }
}

/// One session's clock across sources: when the source restarts (the demo loops, the user
/// opens another file while recording), its times start again from zero; the session's must
/// not run backwards, so the new run continues one frame after the last.
#[derive(Debug, Default, Clone, Copy)]
struct Timeline {
    shift_ms: f64,
    shift_frames: u64,
    last: Option<(f64, u64)>,
}

impl Timeline {
    /// The session's time and frame number for a frame at `t_ms`, `frame` of its own run.
    fn place(&mut self, t_ms: f64, frame: u64) -> (f64, u64) {
        if let Some((last_t, last_frame)) = self.last
            && t_ms + self.shift_ms < last_t
        {
            self.shift_ms = last_t + 1000.0 / 30.0 - t_ms;
            self.shift_frames = (last_frame + 1).saturating_sub(frame);
        }
        let placed = (t_ms + self.shift_ms, frame + self.shift_frames);
        self.last = Some(placed);
        placed
    }
}

/// The recording thread: every frame into the store, keyframes at the end.
fn record(mut recorder: Recorder, rx: Receiver<RecordMsg>) -> Result<SessionId, StoreError> {
    let mut picker = KeyframePicker::default();
    let mut last_state = None;
    let mut timeline = Timeline::default();
    for msg in rx {
        let mut item = match msg {
            RecordMsg::Frame(item) => item,
            RecordMsg::Event { kind, detail } => {
                let t = timeline.last.map_or(0.0, |(t, _)| t);
                recorder.event(t, kind, detail)?;
                continue;
            }
        };
        (item.sample.t_ms, item.sample.frame) = timeline.place(item.sample.t_ms, item.sample.frame);
        let changed = last_state != Some(item.sample.state);
        last_state = Some(item.sample.state);
        recorder.record_frame(&item.sample, item.pose.as_ref(), &item.events, changed)?;
        picker.consider(&item.sample, &item.frame.image, item.pose.as_ref());
    }
    for k in picker.finish() {
        recorder.keyframe(k.t_ms, k.kind, k.jpeg, Some(&k.pose))?;
    }
    recorder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restarted_source_continues_the_session_clock() {
        let mut t = Timeline::default();
        assert_eq!(t.place(0.0, 0), (0.0, 0));
        assert_eq!(t.place(33.0, 1), (33.0, 1));
        assert_eq!(t.place(5000.0, 150), (5000.0, 150));
        // The demo loops: its clock starts again at zero.
        let (ms, frame) = t.place(0.0, 0);
        assert!((ms - 5033.3).abs() < 0.1 && frame == 151, "{ms} {frame}");
        let (ms, frame) = t.place(33.0, 1);
        assert!((ms - 5066.3).abs() < 0.1 && frame == 152, "{ms} {frame}");
    }
}
