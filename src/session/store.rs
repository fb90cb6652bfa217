//! The embedded session database: one SQLite file per user holding every recorded session.
//! The pipeline records through a [`Recorder`]; the UI, CLI and reports read through [`Store`].
//!
//! Safety first: an existing file is identified and checked read-only before anything is
//! written, and a file that is another program's, corrupt or from a newer plumbline is refused
//! and left byte-for-byte as it was. Readers ([`Store::open_for_reading`]) write nothing to a
//! file that needs no change, so sessions can be read from a read-only folder or a full disk.
//! (The pieces live beside this file: `open`, `reading`, `changes`, `recovery`, `totals`,
//! `recorder`, `rows`, `codec`; their public items are re-exported here, the store's one front
//! door.)

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use super::error::sql;
use super::migrations;
use super::open::{Found, create_dir, inspect, open_rw, owner_only_file};
use super::recovery::recover;
use super::samples;
use super::totals::{Totals, session_totals, store_totals};
use super::{EventKind, Sample};
use crate::geometry::bands::Thresholds;
use crate::geometry::calibration::Baseline;
use crate::geometry::preset::Preset;
use crate::geometry::state::MetricLevels;
use crate::pose::{Landmark, NUM_LANDMARKS};

pub use super::codec::{LANDMARKS_BYTES, LandmarksError, decode_landmarks, encode_landmarks};
pub use super::error::StoreError;
pub use super::open::{
    APPLICATION_ID, DATA_DIR_ENV, DB_FILE, REPORTS_DIR, SETTINGS_FILE, cannot_record, data_dir,
    default_data_dir, tighten_dir,
};
pub use super::recorder::{COMMIT_INTERVAL, COMMIT_ROWS, Recorder};
pub use super::rows::{
    EventRow, KeyframeRow, SessionEnd, SessionId, SessionMeta, SessionRow, SessionStatus,
    SessionSummaryRow,
};

/// The open session database.
#[derive(Debug)]
pub struct Store {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    pub(super) recovered: Vec<SessionId>,
    pub(super) access: Access,
    /// What opening did to the data folder that the user should hear (it was made theirs
    /// alone).
    pub(super) notices: Vec<String>,
}

/// What a store may do with the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Access {
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
        let notices = create_dir(dir)?;
        let path = dir.join(DB_FILE);
        let (new, marked) = match inspect(&path)? {
            Found::Nothing => (true, false),
            Found::Ours(checked) => (false, checked.marked),
        };
        owner_only_file(&path)?;
        let mut conn = open_rw(&path)?;
        if new {
            // Before the first table: a deleted session's pages can then be given back to the
            // file system (see `Store::delete`).
            conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
                .map_err(sql("configure the session database", &path))?;
        }
        if !marked {
            // Before the switch to WAL: a new file carries the mark in its own header at once.
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(sql("mark the session database as plumbline's", &path))?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql("switch the session database to WAL", &path))?;
        migrations::migrate_to(&mut conn, migrations::LATEST)
            .map_err(sql("migrate the session database", &path))?;
        scrub_once(&conn, &path);
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
            notices,
        })
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

    /// What opening the store did to the data folder that the user should hear: it could be
    /// read by others and was made theirs alone.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// The sessions this open found abandoned by a dead recorder and marked `recovered`.
    pub fn recovered_on_open(&self) -> &[SessionId] {
        &self.recovered
    }

    /// Every session, newest first. A closed session's totals are read from its row (written
    /// when it was closed); a session still recording, or from a file older than that cache,
    /// is counted from its samples, and in the second case the result is cached.
    pub fn list(&self) -> Result<Vec<SessionSummaryRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, started_ms, ended_ms, source, model, status, notes,
                        samples_n, span_ms, aligned_ms, goal_s
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
                    row.get::<_, Option<f64>>(10)?,
                ))
            })
            .map_err(sql("list sessions", &self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, started_ms, ended_ms, source, model, status, notes, n, span, aligned, goal_s) =
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
                goal_s,
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
                        preset, end_reason, goal_s, thresholds
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
                        row.get::<_, Option<String>>(9)?,
                        row.get::<_, Option<f64>>(10)?,
                        row.get::<_, Option<String>>(11)?,
                    ))
                },
            )
            .optional()
            .map_err(sql("read a session", &self.path))?;
        let Some((
            started_ms,
            ended_ms,
            source,
            model,
            calibration,
            notes,
            status,
            pid,
            preset,
            end_reason,
            goal_s,
            thresholds,
        )) = row
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
        let thresholds = thresholds
            .map(|json| serde_json::from_str::<Thresholds>(&json))
            .transpose()
            .map_err(|e| self.bad("thresholds", e))?;
        Ok(Some(SessionRow {
            id,
            started_ms,
            ended_ms,
            source,
            model,
            calibration,
            preset,
            thresholds,
            notes,
            status: self.parse_status(&status)?,
            end_reason,
            pid,
            goal_s,
        }))
    }

    /// A session's samples in frame order, each with its landmarks when a pose was recorded.
    #[allow(clippy::type_complexity)]
    pub fn samples(
        &self,
        id: SessionId,
    ) -> Result<Vec<(Sample, Option<[Landmark; NUM_LANDMARKS]>)>, StoreError> {
        samples::read(&self.conn, &self.path, id)
    }

    /// A session's judged levels in frame order: each sample's time and every metric's level
    /// (`None` for a sample recorded before levels were kept). Reads only what is judged (not
    /// the metrics or landmarks), so the report's trend can go through many earlier sessions
    /// cheaply.
    pub fn levels(&self, id: SessionId) -> Result<Vec<(f64, Option<MetricLevels>)>, StoreError> {
        Ok(samples::read_judged(&self.conn, &self.path, id)?
            .into_iter()
            .map(|s| (s.t_ms, s.levels))
            .collect())
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

/// A database made before deletions erased (auto_vacuum off, freed pages kept as they were)
/// is rebuilt once: the pictures of sessions deleted back then leave the file, and from then on
/// deleting gives pages back. It can take a while on a large file, once; a failure (a full
/// disk: rebuilding needs room for a copy) leaves the file as it was, to be tried again on the
/// next open.
fn scrub_once(conn: &Connection, path: &Path) {
    let auto_vacuum: i64 = conn
        .query_row("PRAGMA auto_vacuum", [], |row| row.get(0))
        .unwrap_or(2);
    if auto_vacuum != 0 {
        return;
    }
    let started = std::time::Instant::now();
    // The rebuilt file passes through the write-ahead log: emptied after, so the disk gets
    // the room back at once.
    let rebuilt = conn
        .pragma_update(None, "auto_vacuum", "INCREMENTAL")
        .and_then(|()| conn.execute_batch("VACUUM"))
        .and_then(|()| conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())));
    match rebuilt {
        Ok(()) => tracing::info!(
            "rebuilt {} so deleted sessions leave no trace, in {:.1?}",
            path.display(),
            started.elapsed()
        ),
        Err(e) => tracing::warn!(
            "could not rebuild {} to erase what earlier deletions left ({e}); trying again next time",
            path.display()
        ),
    }
}
