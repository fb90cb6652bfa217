//! The changes made to the session database outside a recording: starting a session (its
//! samples then go through the [`Recorder`]), deleting one, replacing its notes. Each is
//! refused on a store opened for reading only.

use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{OptionalExtension, params};

use super::error::{StoreError, sql};
use super::open::open_rw;
use super::recovery::process_running;
use super::store::{Access, Recorder, SessionId, SessionMeta, SessionStatus, Store};

/// The recorder connection's page cache, in KiB (SQLite's negative `cache_size`).
const RECORDER_CACHE_KIB: i64 = -256;

impl Store {
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
        let thresholds = json(
            "thresholds",
            meta.thresholds.as_ref().map(serde_json::to_string),
        )?;
        let started_ms = now_ms();
        self.conn
            .execute(
                "INSERT INTO sessions (started_ms, source, model, calibration, notes, status, pid,
                                       preset, goal_s, thresholds)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    started_ms,
                    meta.source,
                    meta.model,
                    calibration,
                    meta.notes,
                    SessionStatus::Recording.as_str(),
                    i64::from(std::process::id()),
                    preset,
                    meta.goal_s.filter(|g| g.is_finite() && *g > 0.0),
                    thresholds,
                ],
            )
            .map_err(sql("start a session", &self.path))?;
        let session = self.conn.last_insert_rowid();
        let conn = open_rw(&self.path)?;
        // The recorder only appends: a small page cache does (SQLite's default of 2 MB filled
        // over the first eight minutes of a practice, and the app's memory with it).
        conn.pragma_update(None, "cache_size", RECORDER_CACHE_KIB)
            .map_err(sql("configure the session database", &self.path))?;
        Ok(Recorder::new(conn, self.path.clone(), session, started_ms))
    }

    /// Deletes a session with its samples, events and keyframes; `false` if there was none.
    /// A session a live process is still recording is refused ([`StoreError::StillRecording`]):
    /// its recorder would fail on its next commit.
    ///
    /// Deleting erases: the rows' bytes are overwritten (`secure_delete`), the freed pages are
    /// given back (`incremental_vacuum`), and the write-ahead log, which held them too, is
    /// checkpointed into the file and emptied. Nothing of the session's pictures is left in
    /// either file.
    pub fn delete(&self, id: SessionId) -> Result<bool, StoreError> {
        self.check_writable()?;
        self.check_deletable(id)?;
        let n = self
            .conn
            .execute("DELETE FROM sessions WHERE id = ?1", [id])
            .map_err(sql("delete a session", &self.path))?;
        if n > 0 {
            self.erase_freed()?;
        }
        Ok(n > 0)
    }

    /// Gives freed pages back and empties the write-ahead log into the file (waiting, up to the
    /// busy timeout, for readers on older snapshots), so deleted rows survive in neither.
    pub(super) fn erase_freed(&self) -> Result<(), StoreError> {
        let action = "erase a deleted session from the file";
        // Each step of this pragma frees one page: stepped to the end, it frees them all.
        let mut vacuum = self
            .conn
            .prepare("PRAGMA incremental_vacuum")
            .map_err(sql(action, &self.path))?;
        let mut steps = vacuum.query([]).map_err(sql(action, &self.path))?;
        while steps.next().map_err(sql(action, &self.path))?.is_some() {}
        drop(steps);
        drop(vacuum);
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))
            .map_err(sql(action, &self.path))?;
        if busy != 0 {
            // A reader kept an old snapshot past the timeout: the next checkpoint finishes it.
            tracing::warn!(
                "another program kept the session database busy; the deleted rows leave the journal at its next checkpoint"
            );
        }
        Ok(())
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
}

/// The wall clock, in milliseconds since the Unix epoch (as sessions store their times).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
