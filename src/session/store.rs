//! The embedded session database: one SQLite file per user holding every recorded session.
//! The pipeline records through a [`Recorder`]; the UI, CLI and reports read through [`Store`].
//!
//! Safety first: an existing file is identified and checked read-only before anything is
//! written, and a file that is another program's, corrupt or from a newer plumbline is refused
//! and left byte-for-byte as it was. Readers ([`Store::open_for_reading`]) write nothing to a
//! file that needs no change, so sessions can be read from a read-only folder or a full disk.
//! (The pieces live beside this file: `open`, `recovery`, `totals`, `recorder`, `rows`, `codec`;
//! their public items are re-exported here, the store's one front door.)

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use super::codec::decode_metrics;
use super::error::sql;
use super::migrations;
use super::open::{Found, create_dir, inspect, open_rw, unwritable};
use super::recovery::{abandoned, process_running, recover};
use super::totals::{Totals, session_totals, store_totals};
use super::{EventKind, Sample};
use crate::geometry::calibration::Baseline;
use crate::geometry::metrics::Metrics;
use crate::geometry::preset::Preset;
use crate::geometry::state::PostureState;
use crate::pose::{Landmark, NUM_LANDMARKS};

pub use super::codec::{LANDMARKS_BYTES, LandmarksError, decode_landmarks, encode_landmarks};
pub use super::error::StoreError;
pub use super::open::{
    APPLICATION_ID, DATA_DIR_ENV, DB_FILE, SETTINGS_FILE, data_dir, default_data_dir,
};
pub use super::recorder::{COMMIT_INTERVAL, COMMIT_ROWS, Recorder};
pub use super::rows::{
    EventRow, KeyframeRow, SessionId, SessionMeta, SessionRow, SessionStatus, SessionSummaryRow,
};

/// The open session database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    recovered: Vec<SessionId>,
    access: Access,
}

/// What a store may do with the database.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Access {
    /// Opened to record and change sessions.
    ReadWrite,
    /// Opened to read, through a read-only connection; `unwritable` says why recording there
    /// is impossible, when it is.
    Reading { unwritable: Option<String> },
}

impl Store {
    /// Opens (creating if needed) `dir/plumbline.sqlite` to record and change sessions: checks
    /// that it is plumbline's and sound, marks an older file as plumbline's, migrates it to the
    /// current schema and closes sessions whose recorder died.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        create_dir(dir)?;
        let path = dir.join(DB_FILE);
        let marked = match inspect(&path)? {
            Found::Nothing => false,
            Found::Ours(checked) => checked.marked,
        };
        let mut conn = open_rw(&path)?;
        if !marked {
            // Before the switch to WAL: a new file carries the mark in its own header at once.
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(sql("mark the session database as plumbline's", &path))?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql("switch the session database to WAL", &path))?;
        migrations::migrate_to(&mut conn, migrations::LATEST)
            .map_err(sql("migrate the session database", &path))?;
        let recovered = recover(&conn, &path)?;
        if !recovered.is_empty() {
            // The caller tells the user (the CLI on stderr, the app in its window).
            tracing::info!(
                count = recovered.len(),
                ?recovered,
                "recovered sessions left open by a recorder that stopped"
            );
        }
        Ok(Store {
            conn,
            path,
            recovered,
            access: Access::ReadWrite,
        })
    }

    /// Opens the database in `dir` to read sessions, writing nothing unless the file needs it:
    /// a file that is up to date is read through a read-only connection (nothing is written
    /// to it or created beside it). One that needs a change (marking, migrating, closing a
    /// session whose recorder died) is opened as by [`Store::open`]; if that write is refused
    /// (a read-only folder or file, a full disk), it is read as it is.
    /// [`unwritable`](Self::unwritable) then says why recording there is impossible.
    pub fn open_for_reading(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(DB_FILE);
        if !dir.is_dir() {
            return Store::open_or_read(dir);
        }
        let checked = match inspect(&path)? {
            Found::Nothing => return Store::open_or_read(dir),
            Found::Ours(checked) => checked,
        };
        let up_to_date = checked.marked
            && checked.version == migrations::LATEST
            && abandoned(&checked.conn, &path)?.is_empty();
        if up_to_date {
            let unwritable = unwritable(dir, &path);
            return Ok(Store::reading(checked.conn, path, unwritable));
        }
        drop(checked);
        Store::open_or_read(dir)
    }

    /// Opens the database in `dir` as [`Store::open`] does, or, where writing there is refused
    /// (a read-only folder or file, a full disk), to read it as it is:
    /// [`unwritable`](Self::unwritable) then says why.
    pub fn open_or_read(dir: &Path) -> Result<Store, StoreError> {
        or_read_as_is(Store::open(dir), |why| read_as_is(dir.join(DB_FILE), why))
    }

    fn reading(conn: Connection, path: PathBuf, unwritable: Option<String>) -> Store {
        Store {
            conn,
            path,
            recovered: Vec::new(),
            access: Access::Reading { unwritable },
        }
    }

    /// Why sessions cannot be recorded into this store's folder, when it was opened for
    /// reading and writing there is impossible (a read-only folder or file, a full disk).
    pub fn unwritable(&self) -> Option<&str> {
        match &self.access {
            Access::ReadWrite => None,
            Access::Reading { unwritable } => unwritable.as_deref(),
        }
    }

    /// Fails with [`StoreError::ReadOnly`] unless this store was opened to change the database.
    fn check_writable(&self) -> Result<(), StoreError> {
        match &self.access {
            Access::ReadWrite => Ok(()),
            Access::Reading { unwritable } => Err(StoreError::ReadOnly {
                path: self.path.clone(),
                why: unwritable
                    .clone()
                    .unwrap_or_else(|| "it was opened to read sessions".into()),
            }),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The data directory: the folder the database file is in (reports and settings go
    /// beside it).
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The sessions this open found abandoned by a dead recorder and marked `recovered`.
    pub fn recovered_on_open(&self) -> &[SessionId] {
        &self.recovered
    }

    /// Starts recording a session: inserts it as `recording` (now, this process) and returns a
    /// recorder with its own connection, free to move to another thread.
    pub fn start_session(&mut self, meta: SessionMeta) -> Result<Recorder, StoreError> {
        self.check_writable()?;
        let json = |what: &'static str, value: Option<Result<String, serde_json::Error>>| {
            value.transpose().map_err(|e| StoreError::BadData {
                what,
                detail: e.to_string(),
                path: self.path.clone(),
            })
        };
        let calibration = json(
            "calibration",
            meta.calibration.as_ref().map(serde_json::to_string),
        )?;
        let preset = json("preset", meta.preset.as_ref().map(serde_json::to_string))?;
        let started_ms = now_ms();
        self.conn
            .execute(
                "INSERT INTO sessions (started_ms, source, model, calibration, notes, status, pid,
                                       preset)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    started_ms,
                    meta.source,
                    meta.model,
                    calibration,
                    meta.notes,
                    SessionStatus::Recording.as_str(),
                    i64::from(std::process::id()),
                    preset,
                ],
            )
            .map_err(sql("start a session", &self.path))?;
        let session = self.conn.last_insert_rowid();
        let conn = open_rw(&self.path)?;
        Ok(Recorder::new(conn, self.path.clone(), session, started_ms))
    }

    /// Every session, newest first. A closed session's totals are read from its row (written
    /// when it was closed); a session still recording, or from a file older than that cache,
    /// is counted from its samples, and in the second case the result is cached.
    pub fn list(&self) -> Result<Vec<SessionSummaryRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, started_ms, ended_ms, source, model, status, notes,
                        samples_n, span_ms, aligned_ms
                 FROM sessions ORDER BY started_ms DESC, id DESC",
            )
            .map_err(sql("list sessions", &self.path))?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, Option<i64>>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, Option<String>>(6)?,
                    row.get::<_, Option<i64>>(7)?,
                    row.get::<_, Option<f64>>(8)?,
                    row.get::<_, Option<f64>>(9)?,
                ))
            })
            .map_err(sql("list sessions", &self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, started_ms, ended_ms, source, model, status, notes, n, span, aligned) =
                row.map_err(sql("list sessions", &self.path))?;
            let status = self.parse_status(&status)?;
            let totals = match (n, span, aligned) {
                (Some(n), Some(span_ms), Some(aligned_ms)) => Totals {
                    n,
                    span_ms,
                    aligned_ms,
                    last_t_ms: None,
                },
                _ => {
                    let t = session_totals(&self.conn, id, &self.path)?;
                    // A store opened for reading leaves them to the next writable open.
                    if status != SessionStatus::Recording
                        && self.access == Access::ReadWrite
                        && let Err(e) = store_totals(&self.conn, id, &t, &self.path)
                    {
                        tracing::warn!("could not cache the totals of session {id}: {e}");
                    }
                    t
                }
            };
            let duration_ms = match ended_ms {
                Some(end) => (end - started_ms) as f64,
                None => totals.last_t_ms.unwrap_or(0.0),
            };
            out.push(SessionSummaryRow {
                id,
                started_ms,
                ended_ms,
                duration_s: duration_ms / 1000.0,
                source,
                model,
                status,
                samples: u64::try_from(totals.n).unwrap_or(0),
                notes: notes.unwrap_or_default(),
                aligned_fraction: (totals.span_ms > 0.0)
                    .then(|| totals.aligned_ms / totals.span_ms),
            });
        }
        Ok(out)
    }

    /// One session, if it exists.
    pub fn session(&self, id: SessionId) -> Result<Option<SessionRow>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT started_ms, ended_ms, source, model, calibration, notes, status, pid,
                        preset
                 FROM sessions WHERE id = ?1",
                [id],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, Option<i64>>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, Option<String>>(4)?,
                        row.get::<_, String>(5)?,
                        row.get::<_, String>(6)?,
                        row.get::<_, Option<i64>>(7)?,
                        row.get::<_, Option<String>>(8)?,
                    ))
                },
            )
            .optional()
            .map_err(sql("read a session", &self.path))?;
        let Some((started_ms, ended_ms, source, model, calibration, notes, status, pid, preset)) =
            row
        else {
            return Ok(None);
        };
        let preset = preset
            .map(|json| serde_json::from_str::<Preset>(&json))
            .transpose()
            .map_err(|e| self.bad("preset", e))?;
        let calibration = calibration
            .map(|json| serde_json::from_str::<Baseline>(&json))
            .transpose()
            .map_err(|e| self.bad("calibration", e))?;
        Ok(Some(SessionRow {
            id,
            started_ms,
            ended_ms,
            source,
            model,
            calibration,
            preset,
            notes,
            status: self.parse_status(&status)?,
            pid,
        }))
    }

    /// A session's samples in frame order, each with its landmarks when a pose was recorded.
    #[allow(clippy::type_complexity)]
    pub fn samples(
        &self,
        id: SessionId,
    ) -> Result<Vec<(Sample, Option<[Landmark; NUM_LANDMARKS]>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT frame, t_ms, person, state, metrics, landmarks, cadence_spm
                 FROM samples WHERE session_id = ?1 ORDER BY frame",
            )
            .map_err(sql("read samples", &self.path))?;
        let rows = stmt
            .query_map([id], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, f64>(1)?,
                    row.get::<_, bool>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, rusqlite::types::Value>(4)?,
                    row.get::<_, Option<Vec<u8>>>(5)?,
                    row.get::<_, Option<f64>>(6)?,
                ))
            })
            .map_err(sql("read samples", &self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (frame, t_ms, person, state, metrics, landmarks, cadence_spm) =
                row.map_err(sql("read samples", &self.path))?;
            let state = parse_state(&state)
                .ok_or_else(|| self.bad("posture state", format!("unknown state `{state}`")))?;
            // Compact blobs since the first release's JSON (both read; see session::codec).
            let metrics = match metrics {
                rusqlite::types::Value::Null => None,
                rusqlite::types::Value::Blob(b) => {
                    Some(decode_metrics(&b).map_err(|e| self.bad("metrics", e))?)
                }
                rusqlite::types::Value::Text(json) => Some(
                    serde_json::from_str::<Metrics>(&json).map_err(|e| self.bad("metrics", e))?,
                ),
                other => return Err(self.bad("metrics", format!("unexpected value {other:?}"))),
            };
            let landmarks = landmarks
                .map(|blob| decode_landmarks(&blob))
                .transpose()
                .map_err(|e| self.bad("landmarks", e))?;
            let sample = Sample {
                frame: u64::try_from(frame).map_err(|e| self.bad("frame number", e))?,
                t_ms,
                person,
                metrics,
                state,
                cadence_spm: cadence_spm.map(|c| c as f32),
            };
            out.push((sample, landmarks));
        }
        Ok(out)
    }

    /// A session's events in time order (events of kinds this version does not know are left
    /// out).
    pub fn events(&self, id: SessionId) -> Result<Vec<EventRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT t_ms, kind, detail FROM events WHERE session_id = ?1
                 ORDER BY t_ms, rowid",
            )
            .map_err(sql("read events", &self.path))?;
        let rows = stmt
            .query_map([id], |row| {
                Ok((
                    row.get::<_, f64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .map_err(sql("read events", &self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (t_ms, kind, detail) = row.map_err(sql("read events", &self.path))?;
            let detail = serde_json::from_str(&detail).map_err(|e| self.bad("event detail", e))?;
            // A kind from a newer plumbline: nothing here would read it.
            let Some(kind) = EventKind::parse(&kind) else {
                tracing::debug!("skipped an event of unknown kind `{kind}`");
                continue;
            };
            out.push(EventRow { t_ms, kind, detail });
        }
        Ok(out)
    }

    /// A session's keyframes in time order.
    pub fn keyframes(&self, id: SessionId) -> Result<Vec<KeyframeRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT t_ms, kind, jpeg, landmarks FROM keyframes WHERE session_id = ?1
                 ORDER BY t_ms, rowid",
            )
            .map_err(sql("read keyframes", &self.path))?;
        let rows = stmt
            .query_map([id], |row| {
                Ok((
                    row.get::<_, f64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                    row.get::<_, Option<Vec<u8>>>(3)?,
                ))
            })
            .map_err(sql("read keyframes", &self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (t_ms, kind, jpeg, landmarks) = row.map_err(sql("read keyframes", &self.path))?;
            let landmarks = landmarks
                .map(|blob| decode_landmarks(&blob))
                .transpose()
                .map_err(|e| self.bad("keyframe landmarks", e))?;
            out.push(KeyframeRow {
                t_ms,
                kind,
                jpeg,
                landmarks,
            });
        }
        Ok(out)
    }

    /// Deletes a session with its samples, events and keyframes; `false` if there was none.
    /// A session a live process is still recording is refused ([`StoreError::StillRecording`]):
    /// its recorder would fail on its next commit.
    pub fn delete(&self, id: SessionId) -> Result<bool, StoreError> {
        self.check_writable()?;
        self.check_deletable(id)?;
        let n = self
            .conn
            .execute("DELETE FROM sessions WHERE id = ?1", [id])
            .map_err(sql("delete a session", &self.path))?;
        Ok(n > 0)
    }

    /// Fails with [`StoreError::StillRecording`] if session `id` is being recorded by a process
    /// that is still running (this one included); a missing session passes.
    pub fn check_deletable(&self, id: SessionId) -> Result<(), StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT status, pid FROM sessions WHERE id = ?1",
                [id],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<i64>>(1)?)),
            )
            .optional()
            .map_err(sql("read a session", &self.path))?;
        match row {
            Some((status, Some(pid)))
                if status == SessionStatus::Recording.as_str() && process_running(pid) =>
            {
                Err(StoreError::StillRecording {
                    id,
                    pid,
                    path: self.path.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Replaces a session's notes; `false` if there was no such session.
    pub fn set_notes(&self, id: SessionId, notes: &str) -> Result<bool, StoreError> {
        self.check_writable()?;
        let n = self
            .conn
            .execute(
                "UPDATE sessions SET notes = ?2 WHERE id = ?1",
                params![id, notes],
            )
            .map_err(sql("update a session's notes", &self.path))?;
        Ok(n > 0)
    }

    fn parse_status(&self, s: &str) -> Result<SessionStatus, StoreError> {
        SessionStatus::parse(s)
            .ok_or_else(|| self.bad("session status", format!("unknown status `{s}`")))
    }

    fn bad(&self, what: &'static str, detail: impl ToString) -> StoreError {
        StoreError::BadData {
            what,
            detail: detail.to_string(),
            path: self.path.clone(),
        }
    }
}

/// The reader's way past a database it cannot write: `written` is the attempt to open it for
/// writing; if the write was refused (not the file: a read-only folder or file, a full disk),
/// `read(why)` reads it as it is.
fn or_read_as_is(
    written: Result<Store, StoreError>,
    read: impl FnOnce(String) -> Result<Store, StoreError>,
) -> Result<Store, StoreError> {
    match written {
        Err(e) if e.is_write_refused() => read(e.to_string()),
        other => other,
    }
}

/// The database at `path` as it is, through a read-only connection, for a reader that cannot
/// write there (`why`): no file is an empty list; a file whose schema is older than this
/// program's cannot be read without upgrading it.
fn read_as_is(path: PathBuf, why: String) -> Result<Store, StoreError> {
    match inspect(&path)? {
        Found::Nothing => {
            let mut conn =
                Connection::open_in_memory().map_err(sql("open the session database", &path))?;
            migrations::migrate_to(&mut conn, migrations::LATEST)
                .map_err(sql("open the session database", &path))?;
            Ok(Store::reading(conn, path, Some(why)))
        }
        Found::Ours(checked) if checked.version < migrations::LATEST => {
            Err(StoreError::CannotUpgrade {
                path,
                found: checked.version,
                why,
            })
        }
        Found::Ours(checked) => Ok(Store::reading(checked.conn, path, Some(why))),
    }
}

fn parse_state(s: &str) -> Option<PostureState> {
    PostureState::ALL.into_iter().find(|st| st.name() == s)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader falls back to reading as it is only when writing was refused; a broken or
    /// foreign file stays an error. (As root, a read-only folder cannot be made in a test: this
    /// is the decision such a folder leads to.)
    #[test]
    fn a_reader_reads_as_it_is_only_when_writing_is_refused() {
        let path = PathBuf::from("/data/plumbline.sqlite");
        let refused = sql("open the session database", &path)(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            None,
        ));
        let mut asked = None;
        let db = or_read_as_is(Err(refused), |why| {
            asked = Some(why.clone());
            read_as_is(
                std::env::temp_dir().join("no such folder").join(DB_FILE),
                why,
            )
        });
        let why = asked.unwrap_or_default();
        assert!(why.contains("could not open the session database"), "{why}");
        let db = db.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(db.unwritable(), Some(why.as_str()));
        assert!(db.list().is_ok_and(|l| l.is_empty()));
        let change = db.set_notes(1, "x").err();
        assert!(
            matches!(change, Some(StoreError::ReadOnly { .. })),
            "{change:?}"
        );

        let foreign = StoreError::Foreign { path: path.clone() };
        let e = or_read_as_is(Err(foreign), |_| panic!("not read")).err();
        assert!(matches!(e, Some(StoreError::Foreign { .. })), "{e:?}");
    }

    #[test]
    fn states_parse_back() {
        for st in PostureState::ALL {
            assert_eq!(parse_state(st.name()), Some(st));
        }
        assert_eq!(parse_state("slouching"), None);
    }
}
