//! Recording a live session without slowing the live loop: the analysis thread hands each
//! analysed frame to a recording thread over a channel; that thread owns the session's
//! [`SessionWriter`] (batched SQLite commits, keyframes).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    /// The frame itself, shared with the window (only kept if it becomes a keyframe); `None`
    /// when the recording thread had fallen behind (see [`RecordSender`]).
    pub frame: Option<Arc<Frame>>,
    pub events: Vec<MotionEvent>,
    /// The alert the policy fired on this frame.
    pub alert: Option<Alert>,
}

/// What the recording thread is sent: every analysed frame, in order.
pub type RecordMsg = Box<RecordItem>;

/// Pictures waiting for the recording thread, at most. A recording thread held up (a
/// checkpoint's sync, a slow disk, a busy machine) would otherwise hold a picture for every
/// frame sent meanwhile, 0.9 MB each at 640×480, and the memory they took stays with the
/// process: with four allowed, one checkpoint in an hour's soak left it 2.7 MB larger for
/// good. The thread takes each frame within a few milliseconds, well inside the 33 ms between
/// frames, so the one picture allowed is almost always there.
pub const MAX_QUEUED_PICTURES: usize = 1;

/// The analysis's end of a recording: every frame is sent, its picture only while fewer than
/// [`MAX_QUEUED_PICTURES`] wait (a frame sent without one cannot become a keyframe; its sample,
/// pose and events are recorded all the same).
#[derive(Debug, Clone)]
pub struct RecordSender {
    tx: Sender<RecordMsg>,
    queued: Arc<AtomicUsize>,
}

/// The recording thread's end: each item taken no longer counts as waiting.
#[derive(Debug)]
pub struct RecordReceiver {
    rx: Receiver<RecordMsg>,
    queued: Arc<AtomicUsize>,
}

/// A channel of analysed frames to a recording thread.
pub fn channel() -> (RecordSender, RecordReceiver) {
    let (tx, rx) = mpsc::channel();
    let queued = Arc::new(AtomicUsize::new(0));
    (
        RecordSender {
            tx,
            queued: Arc::clone(&queued),
        },
        RecordReceiver { rx, queued },
    )
}

impl RecordReceiver {
    fn taken(&self, item: RecordMsg) -> RecordMsg {
        if item.frame.is_some() {
            self.queued.fetch_sub(1, Ordering::AcqRel);
        }
        item
    }

    /// The items waiting now, without blocking.
    pub fn try_iter(&self) -> impl Iterator<Item = RecordMsg> + '_ {
        self.rx.try_iter().map(|item| self.taken(item))
    }
}

impl Iterator for RecordReceiver {
    type Item = RecordMsg;

    /// The next item, waiting for it; `None` once every sender is gone.
    fn next(&mut self) -> Option<RecordMsg> {
        let item = self.rx.recv().ok()?;
        Some(self.taken(item))
    }
}

impl RecordSender {
    /// Sends `item` with `frame`'s picture if there is room; `false` once the recording thread
    /// has stopped.
    pub fn send(&self, mut item: RecordItem, frame: &Arc<Frame>) -> bool {
        let room = self
            .queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_QUEUED_PICTURES).then_some(n + 1)
            })
            .is_ok();
        item.frame = room.then(|| Arc::clone(frame));
        self.tx.send(Box::new(item)).is_ok()
    }
}

/// A session being recorded on its own thread. Dropping the last [`Sender`] (stopping the
/// recording) lets the thread write the keyframes and close the session.
#[derive(Debug)]
pub struct LiveRecording {
    tx: Option<RecordSender>,
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
        let (tx, rx) = channel();
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
    pub fn sender(&self) -> Option<RecordSender> {
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
fn record(mut writer: SessionWriter, rx: RecordReceiver) -> Result<SessionId, StoreError> {
    for item in rx {
        writer.write(FrameRecord {
            sample: &item.sample,
            pose: item.pose.as_ref(),
            image: item.frame.as_ref().map(|f| &f.image),
            events: &item.events,
            alert: item.alert.as_ref(),
        })?;
    }
    // The user stopped recording (or closed the app): a complete session.
    writer.finish(SessionEnd::Complete)
}
