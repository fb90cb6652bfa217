//! Recording a live session without slowing the live loop: the analysis thread hands each
//! analysed frame to a recording thread over a channel; that thread owns the session's
//! [`SessionWriter`] (batched SQLite commits, keyframes).

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::geometry::alerts::Alert;
use crate::geometry::motion::MotionEvent;
use crate::pose::Pose;
use crate::session::Sample;
use crate::session::store::{SessionEnd, SessionId, SessionMeta, Store, StoreError};
use crate::session::writer::{FrameRecord, SessionWriter};
use crate::source::Frame;

/// One analysed frame on its way to the database. Times are from the start of the recording.
#[derive(Debug)]
pub struct RecordItem {
    pub sample: Sample,
    pub pose: Option<Pose>,
    /// The frame itself, shared with the window (only kept if it becomes a keyframe).
    pub frame: Arc<Frame>,
    pub events: Vec<MotionEvent>,
    /// The alert the policy fired on this frame.
    pub alert: Option<Alert>,
}

/// What the recording thread is sent: every analysed frame, in order.
pub type RecordMsg = Box<RecordItem>;

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
                        record(SessionWriter::new(recorder), rx)
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

/// The recording thread: every frame into the session, keyframes at the end.
fn record(mut writer: SessionWriter, rx: Receiver<RecordMsg>) -> Result<SessionId, StoreError> {
    for item in rx {
        writer.write(FrameRecord {
            sample: &item.sample,
            pose: item.pose.as_ref(),
            image: &item.frame.image,
            events: &item.events,
            alert: item.alert.as_ref(),
        })?;
    }
    // The user stopped recording (or closed the app): a complete session.
    writer.finish(SessionEnd::Complete)
}
