//! The session browser's store worker: one thread opens the session database, keeps it open and
//! answers the window's requests (list, delete, save notes), so the window never waits on SQLite.
//!
//! Opening checks the whole file (half a second on ten hours of recordings) and another program
//! may hold the file's lock for seconds; neither may freeze the window.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

use eframe::egui;

use crate::format::date_time;
use crate::format::{percent, plain_seconds};
use crate::session::store::{SessionId, SessionStatus, SessionSummaryRow, Store, StoreError};
use crate::ui::notice::Notice;

/// One line of the list, formatted once when the list is read.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub id: SessionId,
    pub status: SessionStatus,
    pub label: String,
    pub started: String,
    pub duration: String,
    pub aligned: String,
    pub source: String,
    /// One line for the table.
    pub notes: String,
    /// As written, for the editor.
    pub full_notes: String,
}

impl Row {
    fn new(s: SessionSummaryRow) -> Self {
        // One line in the table; the tooltip of a cut cell shows it all.
        let notes = s.notes.lines().collect::<Vec<_>>().join(" / ");
        Self {
            id: s.id,
            status: s.status,
            label: format!("#{}", s.id),
            started: date_time(s.started_ms),
            duration: plain_seconds(s.duration_s),
            aligned: percent(s.aligned_fraction),
            source: s.source,
            notes,
            full_notes: s.notes,
        }
    }
}

/// What the window asks of the worker.
#[derive(Debug)]
pub(super) enum Request {
    /// Read the list of sessions.
    List,
    Delete(SessionId),
    /// Replace a session's notes with this text.
    SetNotes(SessionId, String),
}

impl Request {
    /// Whether the request changes the database.
    fn changes(&self) -> bool {
        !matches!(self, Request::List)
    }
}

/// The worker's answer to one request.
#[derive(Debug, Default)]
pub(super) struct Reply {
    /// What to tell the user: a change's outcome, sessions recovered when the file was opened.
    pub notices: Vec<Notice>,
    /// For [`Request::List`] only: the sessions, or why they could not be read.
    pub list: Option<Result<Vec<Row>, String>>,
}

/// The worker thread stopped unexpectedly (it panicked): what it was asked will never be
/// answered.
#[derive(Debug, Clone, Copy)]
pub(super) struct Gone;

/// The window's end of the worker: each request sent gets one reply. Dropping it closes the
/// request channel; the thread then finishes what it is doing and ends on its own (nobody
/// waits for it).
#[derive(Debug)]
pub(super) struct StoreWorker {
    requests: Sender<(Request, Option<egui::Context>)>,
    replies: Receiver<Reply>,
    /// Requests sent and not answered yet.
    pending: usize,
}

impl StoreWorker {
    /// Starts the thread; the database in `data_dir` is opened by the first request (and again
    /// by the next one, while opening fails).
    pub fn spawn(data_dir: PathBuf) -> std::io::Result<Self> {
        let (requests, inbox) = mpsc::channel();
        let (outbox, replies) = mpsc::channel();
        std::thread::Builder::new()
            .name("plumbline sessions".into())
            .spawn(move || serve(&data_dir, &inbox, &outbox))?;
        Ok(Self {
            requests,
            replies,
            pending: 0,
        })
    }

    /// Queues `request`; `ctx`, when given, is asked to repaint once the reply is in.
    pub fn send(&mut self, request: Request, ctx: Option<egui::Context>) -> Result<(), Gone> {
        self.requests.send((request, ctx)).map_err(|_| Gone)?;
        self.pending += 1;
        Ok(())
    }

    /// The next reply if one has arrived, without waiting.
    pub fn try_next(&mut self) -> Result<Option<Reply>, Gone> {
        if self.pending == 0 {
            return Ok(None);
        }
        match self.replies.try_recv() {
            Ok(reply) => {
                self.pending -= 1;
                Ok(Some(reply))
            }
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => Err(Gone),
        }
    }

    /// Waits for the next reply; `None` when nothing is pending.
    pub fn wait_next(&mut self) -> Result<Option<Reply>, Gone> {
        if self.pending == 0 {
            return Ok(None);
        }
        let reply = self.replies.recv().map_err(|_| Gone)?;
        self.pending -= 1;
        Ok(Some(reply))
    }
}

/// The thread: answers requests in order until the window's end is dropped.
fn serve(
    data_dir: &Path,
    requests: &Receiver<(Request, Option<egui::Context>)>,
    replies: &Sender<Reply>,
) {
    let mut store = None;
    for (request, ctx) in requests {
        let reply = answer(data_dir, &mut store, request);
        if replies.send(reply).is_err() {
            return;
        }
        if let Some(ctx) = ctx {
            ctx.request_repaint();
        }
    }
}

/// Opens the database if it is not open yet, then does what `request` asks.
fn answer(data_dir: &Path, store: &mut Option<Store>, request: Request) -> Reply {
    let mut notices = Vec::new();
    if store.as_ref().is_some_and(|db| db.unwritable().is_some()) && request.changes() {
        // Opened read-only as writing was refused: try writing again (space may have been
        // freed, the folder made writable).
        *store = None;
    }
    let db = match store {
        Some(db) => Ok(&*db),
        None => Store::open_or_read(data_dir).map(|db| {
            notices.extend(db.notices().iter().cloned().map(Notice::Info));
            notices.extend(db.recovered_on_open().iter().map(|id| {
                Notice::Info(format!(
                    "session {id} was left open by a program that stopped; it was closed at \
                     its last saved frame and marked recovered"
                ))
            }));
            notices.extend(db.unwritable().map(|why| {
                Notice::Error(format!(
                    "the sessions are shown as they are; none can be deleted or changed here \
                     until this is fixed: {why}"
                ))
            }));
            &*store.insert(db)
        }),
    };
    let mut list = None;
    match request {
        Request::List => list = Some(db.and_then(read_rows).map_err(|e| e.to_string())),
        Request::Delete(id) => notices.push(match db.and_then(|db| db.delete(id)) {
            Ok(true) => Notice::Info(format!("deleted session {id}")),
            Ok(false) => Notice::Info(format!("session {id} was already gone")),
            Err(e) => Notice::Error(format!("could not delete session {id}: {e}")),
        }),
        Request::SetNotes(id, text) => {
            notices.push(match db.and_then(|db| db.set_notes(id, &text)) {
                Ok(true) => Notice::Info(format!("saved the notes on session {id}")),
                Ok(false) => Notice::Info(format!("session {id} was already gone")),
                Err(e) => Notice::Error(format!("could not save the notes: {e}")),
            })
        }
    }
    Reply { notices, list }
}

fn read_rows(db: &Store) -> Result<Vec<Row>, StoreError> {
    Ok(db.list()?.into_iter().map(Row::new).collect())
}
