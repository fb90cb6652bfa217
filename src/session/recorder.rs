//! Recording a session: the pipeline pushes each analysed frame, its events and keyframes to a
//! [`Recorder`], which batches them into one transaction a second on its own connection; the
//! second's samples go in as one compressed block (`session::block`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};

use super::block::{self, BlockSample};
use super::codec::encode_landmarks;
use super::error::{StoreError, sql};
use super::rows::{SessionEnd, SessionId, SessionStatus};
use super::totals::{session_totals, store_totals};
use super::{EventKind, Sample};
use crate::geometry::motion::MotionEvent;
use crate::pose::Pose;

/// A recorder commits its buffer after this long...
pub const COMMIT_INTERVAL: Duration = Duration::from_secs(1);
/// ...or once this many rows are buffered, whichever comes first.
pub const COMMIT_ROWS: usize = 256;

/// An event or keyframe waiting for the next commit.
#[derive(Debug)]
enum Pending {
    Event {
        t_ms: f64,
        kind: EventKind,
        detail: String,
    },
    Keyframe {
        t_ms: f64,
        kind: String,
        jpeg: Vec<u8>,
        landmarks: Option<Vec<u8>>,
    },
}

/// Writes one session's rows, batched: a commit per second (or per [`COMMIT_ROWS`] rows) keeps
/// the per-frame cost to a push onto a vector. Owns its own connection, so it can live on the
/// pipeline's thread. Dropping it without [`Recorder::finish`] commits what is buffered and
/// leaves the session `recording`, for recovery to close.
#[derive(Debug)]
pub struct Recorder {
    conn: Connection,
    path: PathBuf,
    session: SessionId,
    started_ms: i64,
    /// The samples since the last commit: its block.
    samples: Vec<BlockSample>,
    buffer: Vec<Pending>,
    last_commit: Instant,
    last_t_ms: Option<f64>,
}

impl Recorder {
    /// A recorder for `session`, already inserted as `recording` at `started_ms`, writing
    /// through `conn` (its own connection to the file at `path`).
    pub(super) fn new(
        conn: Connection,
        path: PathBuf,
        session: SessionId,
        started_ms: i64,
    ) -> Self {
        Self {
            conn,
            path,
            session,
            started_ms,
            samples: Vec::new(),
            buffer: Vec::new(),
            last_commit: Instant::now(),
            last_t_ms: None,
        }
    }

    /// The session being recorded.
    pub fn session(&self) -> SessionId {
        self.session
    }

    /// Records one analysed frame and, when a person was found, their landmarks.
    pub fn push(&mut self, sample: &Sample, pose: Option<&Pose>) -> Result<(), StoreError> {
        self.samples
            .push((sample.clone(), pose.map(|p| p.landmarks)));
        self.last_t_ms = Some(sample.t_ms);
        self.maybe_commit()
    }

    /// Records one analysed frame with what happened on it: the motion rules' events (on the
    /// sample's clock) and, when the shown state changed, a `state` event. Each event is
    /// recorded at the frame's time, except a step, at its own (a frame or two earlier).
    pub fn record_frame(
        &mut self,
        sample: &Sample,
        pose: Option<&Pose>,
        events: &[MotionEvent],
        state_changed: bool,
    ) -> Result<(), StoreError> {
        self.push(sample, pose)?;
        let t = sample.t_ms;
        if state_changed {
            let detail = serde_json::json!({ "state": sample.state });
            self.event(t, EventKind::State, detail)?;
        }
        for e in events {
            let detail = serde_json::to_value(e).unwrap_or_default();
            let at = match e {
                MotionEvent::Step { t_ms } => *t_ms as f64,
                _ => t,
            };
            self.event(at, EventKind::of_motion(e), detail)?;
        }
        Ok(())
    }

    /// Records an event with a JSON detail.
    pub fn event(
        &mut self,
        t_ms: f64,
        kind: EventKind,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        self.buffer.push(Pending::Event {
            t_ms,
            kind,
            detail: detail.to_string(),
        });
        self.maybe_commit()
    }

    /// Records a saved frame (`worst`, `typical`) as JPEG bytes with its landmarks.
    pub fn keyframe(
        &mut self,
        t_ms: f64,
        kind: &str,
        jpeg: Vec<u8>,
        pose: Option<&Pose>,
    ) -> Result<(), StoreError> {
        self.buffer.push(Pending::Keyframe {
            t_ms,
            kind: kind.to_owned(),
            jpeg,
            landmarks: pose.map(encode_landmarks),
        });
        self.maybe_commit()
    }

    /// Commits everything buffered, in one transaction.
    pub fn flush(&mut self) -> Result<(), StoreError> {
        self.last_commit = Instant::now();
        if self.buffer.is_empty() && self.samples.is_empty() {
            return Ok(());
        }
        let action = "save recorded samples";
        let tx = self.conn.transaction().map_err(sql(action, &self.path))?;
        {
            if let (Some((first, _)), Some((last, _))) = (self.samples.first(), self.samples.last())
            {
                let (judged, measured) = block::encode(&self.samples);
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO sample_blocks
                     (session_id, first_frame, last_t_ms, judged, measured)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut insert| {
                    insert.execute(params![
                        self.session,
                        i64::try_from(first.frame).unwrap_or(i64::MAX),
                        last.t_ms,
                        judged,
                        measured
                    ])
                })
                .map_err(sql(action, &self.path))?;
            }
            let mut events = tx
                .prepare_cached(
                    "INSERT INTO events (session_id, t_ms, kind, detail) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(sql(action, &self.path))?;
            let mut keyframes = tx
                .prepare_cached(
                    "INSERT INTO keyframes (session_id, t_ms, kind, jpeg, landmarks)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sql(action, &self.path))?;
            for row in &self.buffer {
                match row {
                    Pending::Event { t_ms, kind, detail } => {
                        events.execute(params![self.session, t_ms, kind.as_str(), detail])
                    }
                    Pending::Keyframe {
                        t_ms,
                        kind,
                        jpeg,
                        landmarks,
                    } => keyframes.execute(params![self.session, t_ms, kind, jpeg, landmarks]),
                }
                .map_err(sql(action, &self.path))?;
            }
        }
        tx.commit().map_err(sql(action, &self.path))?;
        self.buffer.clear();
        self.samples.clear();
        Ok(())
    }

    /// Commits the rest and closes the session as `complete`, ending it at the last sample.
    pub fn finish(self) -> Result<SessionId, StoreError> {
        self.finish_as(SessionEnd::Complete)
    }

    /// Commits the rest and closes the session as `end` says (`complete`, or `interrupted`
    /// with its reason), ending it at the last sample.
    pub fn finish_as(mut self, end: SessionEnd) -> Result<SessionId, StoreError> {
        self.flush()?;
        let ended_ms = self.started_ms + self.last_t_ms.map_or(0, |t| t.round() as i64);
        let (status, reason) = match end {
            SessionEnd::Complete => (SessionStatus::Complete, None),
            SessionEnd::Interrupted(reason) => (SessionStatus::Interrupted, Some(reason)),
        };
        self.conn
            .execute(
                "UPDATE sessions SET status = ?2, ended_ms = ?3, end_reason = ?4 WHERE id = ?1",
                params![self.session, status.as_str(), ended_ms, reason],
            )
            .map_err(sql("finish a session", &self.path))?;
        let totals = session_totals(&self.conn, self.session, &self.path)?;
        store_totals(&self.conn, self.session, &totals, &self.path)?;
        Ok(self.session)
    }

    /// Gives up on the session after a write failed (a full disk): the rows not yet committed
    /// are dropped without another attempt (and another warning), the session keeps what was
    /// committed and is closed as recovered on a later open.
    pub fn abandon(mut self) {
        self.buffer.clear();
        self.samples.clear();
    }

    fn maybe_commit(&mut self) -> Result<(), StoreError> {
        let rows = self.buffer.len() + self.samples.len();
        if rows >= COMMIT_ROWS || self.last_commit.elapsed() >= COMMIT_INTERVAL {
            self.flush()
        } else {
            Ok(())
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::warn!(
                session = self.session,
                "could not save the last samples: {e}"
            );
        }
    }
}
