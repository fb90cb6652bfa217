//! The embedded session database: one SQLite file per user holding every recorded session.
//! The pipeline records through a [`Recorder`]; the UI, CLI and reports read through [`Store`].
//!
//! Safety first: an existing file is checked read-only before anything is written, and a file
//! that is corrupt or from a newer plumbline is refused and left byte-for-byte as it was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::migrations;
use crate::geometry::calibration::Baseline;
use crate::geometry::metrics::Metrics;
use crate::geometry::motion::MotionEvent;
use crate::geometry::state::PostureState;
use crate::pose::{Landmark, NUM_LANDMARKS, Pose};
use crate::session::EventKind;

/// The database file inside the data directory.
pub const DB_FILE: &str = "plumbline.sqlite";
/// Overrides the data directory when no explicit one is given.
pub const DATA_DIR_ENV: &str = "PLUMBLINE_DATA_DIR";
/// A recorder commits its buffer after this long...
pub const COMMIT_INTERVAL: Duration = Duration::from_secs(1);
/// ...or once this many rows are buffered, whichever comes first.
pub const COMMIT_ROWS: usize = 256;

/// A session's row id.
pub type SessionId = i64;

/// What went wrong with the session database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no data directory could be determined; set {DATA_DIR_ENV} or pass a data directory")]
    NoDataDir,
    #[error("could not create the data directory ({source}); check its permissions: {path}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "not a readable plumbline database ({detail}); it was left untouched; \
         move it aside to start afresh: {path}"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the session database was written by a newer plumbline (schema version {found}, this \
         program knows up to {supported}); update plumbline; the file was left untouched: {path}"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("could not {action} ({source}); check the disk and the file's permissions: {path}")]
    Sqlite {
        action: &'static str,
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the recording thread {detail}")]
    RecordingThread { detail: String },
    #[error(
        "a stored {what} could not be read ({detail}); the database may have been edited by \
         another program: {path}"
    )]
    BadData {
        what: &'static str,
        detail: String,
        path: PathBuf,
    },
}

/// Wraps a rusqlite error with what was being done and on which file.
fn sql(action: &'static str, path: &Path) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Sqlite {
        action,
        path,
        source,
    }
}

/// The platform's data directory for plumbline (`~/.local/share/plumbline` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "plumbline").map(|d| d.data_dir().to_path_buf())
}

/// Where the database lives: `explicit` if given, else `$PLUMBLINE_DATA_DIR`, else the default.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    default_data_dir().ok_or(StoreError::NoDataDir)
}

// ---------------------------------------------------------------------------------------------
// Compact landmarks

/// Format tag in the first byte of an encoded landmark blob.
const LANDMARKS_FORMAT: u8 = 1;
const LANDMARK_FIELDS: usize = 5;
/// Bytes of an encoded landmark blob: the tag, then 33 × 5 little-endian `i16`.
pub const LANDMARKS_BYTES: usize = 1 + NUM_LANDMARKS * LANDMARK_FIELDS * 2;
/// Fixed-point scale: every field is stored in units of 1/10000 (of the image for `x`, `y`, `z`;
/// of probability for `visibility`, `presence`).
const FIXED_SCALE: f32 = 10_000.0;

/// Packs the image-space landmarks into 331 bytes (instead of ~3 kB of JSON).
///
/// Format 1: byte 0 is the format tag `1`; then for each of the 33 landmarks in model order,
/// `x, y, z, visibility, presence` as little-endian `i16` in units of 1/10000. The range is
/// ±3.2767 (saturating), enough for landmarks a little outside the image; the error is at most
/// 5e-5. Non-finite values are stored as 0.
pub fn encode_landmarks(pose: &Pose) -> Vec<u8> {
    let mut out = Vec::with_capacity(LANDMARKS_BYTES);
    out.push(LANDMARKS_FORMAT);
    for lm in &pose.landmarks {
        for v in [lm.x, lm.y, lm.z, lm.visibility, lm.presence] {
            // `as` saturates and maps NaN to 0.
            let fixed = (v * FIXED_SCALE).round() as i16;
            out.extend_from_slice(&fixed.to_le_bytes());
        }
    }
    out
}

/// Why a landmark blob could not be unpacked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LandmarksError {
    #[error("landmark blob has {found} bytes, expected {LANDMARKS_BYTES}")]
    Length { found: usize },
    #[error("landmark blob has format {found}, this program reads format {LANDMARKS_FORMAT}")]
    Format { found: u8 },
}

/// Unpacks a blob written by [`encode_landmarks`].
pub fn decode_landmarks(bytes: &[u8]) -> Result<[Landmark; NUM_LANDMARKS], LandmarksError> {
    let (&format, body) = bytes
        .split_first()
        .ok_or(LandmarksError::Length { found: 0 })?;
    if format != LANDMARKS_FORMAT {
        return Err(LandmarksError::Format { found: format });
    }
    if bytes.len() != LANDMARKS_BYTES {
        return Err(LandmarksError::Length { found: bytes.len() });
    }
    let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
    for (lm, chunk) in landmarks
        .iter_mut()
        .zip(body.chunks_exact(LANDMARK_FIELDS * 2))
    {
        let mut fields = chunk
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / FIXED_SCALE);
        let mut next = || fields.next().unwrap_or(0.0);
        *lm = Landmark {
            x: next(),
            y: next(),
            z: next(),
            visibility: next(),
            presence: next(),
        };
    }
    Ok(landmarks)
}

// ---------------------------------------------------------------------------------------------
// Rows

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// A recorder is (or was, until it crashed) writing it.
    Recording,
    /// Finished normally.
    Complete,
    /// Its recorder died; closed on a later open with what had been committed.
    Recovered,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Recording => "recording",
            SessionStatus::Complete => "complete",
            SessionStatus::Recovered => "recovered",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Recording, Self::Complete, Self::Recovered]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// What a new session records, given by the caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionMeta {
    /// The camera or file name.
    pub source: String,
    /// The landmark model (lite, full, heavy).
    pub model: String,
    pub calibration: Option<Baseline>,
    pub notes: String,
}

/// One session as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id: SessionId,
    /// Wall clock, milliseconds since the Unix epoch.
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub source: String,
    pub model: String,
    pub calibration: Option<Baseline>,
    pub notes: String,
    pub status: SessionStatus,
    pub pid: Option<i64>,
}

/// One line of the session list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSummaryRow {
    pub id: SessionId,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    /// `ended_ms - started_ms`, or the last sample's time while still recording.
    pub duration_s: f64,
    pub source: String,
    pub model: String,
    pub status: SessionStatus,
    pub samples: u64,
    /// Share of the recorded time shown as aligned: each sample's state holds until the next
    /// sample (the last one adds no time), over all states including unknown, as in the report's
    /// `time_in_state`. `None` when the session spans no time.
    pub aligned_fraction: Option<f64>,
    /// The user's notes on the session.
    #[serde(default)]
    pub notes: String,
}

/// A timestamped event (a state change, a movement, an alert) with a JSON detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    pub t_ms: f64,
    pub kind: EventKind,
    pub detail: serde_json::Value,
}

/// A saved frame (worst or typical posture) with its landmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyframeRow {
    pub t_ms: f64,
    pub kind: String,
    pub jpeg: Vec<u8>,
    pub landmarks: Option<[Landmark; NUM_LANDMARKS]>,
}

// ---------------------------------------------------------------------------------------------
// Store

/// The open session database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    recovered: Vec<SessionId>,
}

impl Store {
    /// Opens (creating if needed) `dir/plumbline.sqlite`, checks it, migrates it to the current
    /// schema and closes sessions whose recorder died.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        if path.exists() {
            check_existing(&path)?;
        }
        let mut conn = open_rw(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql("switch the session database to WAL", &path))?;
        migrations::migrate_to(&mut conn, migrations::LATEST)
            .map_err(sql("migrate the session database", &path))?;
        let recovered = recover(&conn, &path)?;
        if !recovered.is_empty() {
            tracing::warn!(
                count = recovered.len(),
                ?recovered,
                "recovered sessions left open by a recorder that stopped"
            );
        }
        Ok(Store {
            conn,
            path,
            recovered,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sessions this open found abandoned by a dead recorder and marked `recovered`.
    pub fn recovered_on_open(&self) -> &[SessionId] {
        &self.recovered
    }

    /// Starts recording a session: inserts it as `recording` (now, this process) and returns a
    /// recorder with its own connection, free to move to another thread.
    pub fn start_session(&mut self, meta: SessionMeta) -> Result<Recorder, StoreError> {
        let calibration = meta
            .calibration
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::BadData {
                what: "calibration",
                detail: e.to_string(),
                path: self.path.clone(),
            })?;
        let started_ms = now_ms();
        self.conn
            .execute(
                "INSERT INTO sessions (started_ms, source, model, calibration, notes, status, pid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    started_ms,
                    meta.source,
                    meta.model,
                    calibration,
                    meta.notes,
                    SessionStatus::Recording.as_str(),
                    i64::from(std::process::id()),
                ],
            )
            .map_err(sql("start a session", &self.path))?;
        let session = self.conn.last_insert_rowid();
        let conn = open_rw(&self.path)?;
        Ok(Recorder {
            conn,
            path: self.path.clone(),
            session,
            started_ms,
            buffer: Vec::new(),
            last_commit: Instant::now(),
            last_t_ms: None,
        })
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
                    if status != SessionStatus::Recording
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
                "SELECT started_ms, ended_ms, source, model, calibration, notes, status, pid
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
                    ))
                },
            )
            .optional()
            .map_err(sql("read a session", &self.path))?;
        let Some((started_ms, ended_ms, source, model, calibration, notes, status, pid)) = row
        else {
            return Ok(None);
        };
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
    ) -> Result<Vec<(super::Sample, Option<[Landmark; NUM_LANDMARKS]>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT frame, t_ms, person, state, metrics, landmarks
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
                ))
            })
            .map_err(sql("read samples", &self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (frame, t_ms, person, state, metrics, landmarks) =
                row.map_err(sql("read samples", &self.path))?;
            let state = parse_state(&state)
                .ok_or_else(|| self.bad("posture state", format!("unknown state `{state}`")))?;
            // Compact blobs since the first release's JSON (both read; see session::codec).
            let metrics = match metrics {
                rusqlite::types::Value::Null => None,
                rusqlite::types::Value::Blob(b) => {
                    Some(super::codec::decode_metrics(&b).map_err(|e| self.bad("metrics", e))?)
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
            let sample = super::Sample {
                frame: u64::try_from(frame).map_err(|e| self.bad("frame number", e))?,
                t_ms,
                person,
                metrics,
                state,
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
    pub fn delete(&self, id: SessionId) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM sessions WHERE id = ?1", [id])
            .map_err(sql("delete a session", &self.path))?;
        Ok(n > 0)
    }

    /// Replaces a session's notes; `false` if there was no such session.
    pub fn set_notes(&self, id: SessionId, notes: &str) -> Result<bool, StoreError> {
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

fn parse_state(s: &str) -> Option<PostureState> {
    PostureState::ALL.into_iter().find(|st| st.name() == s)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Checks an existing file without writing to it: it must be a healthy SQLite database whose
/// schema version this program knows.
fn check_existing(path: &Path) -> Result<(), StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    // Only "this is not a (sound) database" means corrupt; other failures (permissions, a lock)
    // are reported as they are.
    let classify = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => corrupt(e.to_string()),
        _ => sql("check the session database", path)(e),
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(classify)?;
    let problems: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA quick_check").map_err(classify)?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(classify)?;
        rows.collect::<Result<_, _>>().map_err(classify)?
    };
    if problems.iter().any(|p| p != "ok") {
        return Err(corrupt(problems.join("; ")));
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(classify)?;
    if version > migrations::LATEST {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: migrations::LATEST,
        });
    }
    Ok(())
}

/// A read-write connection with the settings every connection needs (they are per connection).
fn open_rw(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(sql("open the session database", path))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(sql("configure the session database", path))?;
    // NORMAL is durable enough in WAL mode: a crash can lose the last commits, not corrupt.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sql("configure the session database", path))?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sql("configure the session database", path))?;
    Ok(conn)
}

/// Marks sessions whose recording process is gone as `recovered`, ending them at their last
/// committed sample.
/// One session's sample count and time shown aligned: each sample's state holds until the next
/// sample (the last adds no time).
#[derive(Debug, Clone, Copy)]
struct Totals {
    n: i64,
    span_ms: f64,
    aligned_ms: f64,
    /// The last sample's time (only when counted from the samples).
    last_t_ms: Option<f64>,
}

/// Counts a session's totals from its samples (an index range scan of that session only).
fn session_totals(conn: &Connection, id: SessionId, path: &Path) -> Result<Totals, StoreError> {
    conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(COALESCE(dt, 0)), 0),
                COALESCE(SUM(CASE WHEN state = 'aligned' THEN COALESCE(dt, 0) ELSE 0 END), 0),
                MAX(t_ms)
         FROM (SELECT state, t_ms, LEAD(t_ms) OVER (ORDER BY frame) - t_ms AS dt
               FROM samples WHERE session_id = ?1)",
        [id],
        |row| {
            Ok(Totals {
                n: row.get(0)?,
                span_ms: row.get(1)?,
                aligned_ms: row.get(2)?,
                last_t_ms: row.get(3)?,
            })
        },
    )
    .map_err(sql("count a session's samples", path))
}

/// Keeps a closed session's totals in its row, so listing sessions need not read the samples.
fn store_totals(
    conn: &Connection,
    id: SessionId,
    t: &Totals,
    path: &Path,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE sessions SET samples_n = ?2, span_ms = ?3, aligned_ms = ?4 WHERE id = ?1",
        params![id, t.n, t.span_ms, t.aligned_ms],
    )
    .map(drop)
    .map_err(sql("save a session's totals", path))
}

fn recover(conn: &Connection, path: &Path) -> Result<Vec<SessionId>, StoreError> {
    let open: Vec<(SessionId, Option<i64>)> = {
        let mut stmt = conn
            .prepare("SELECT id, pid FROM sessions WHERE status = 'recording'")
            .map_err(sql("look for interrupted sessions", path))?;
        let rows = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(sql("look for interrupted sessions", path))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql("look for interrupted sessions", path))?
    };
    let mut recovered = Vec::new();
    for (id, pid) in open {
        if pid.is_some_and(process_running) {
            continue;
        }
        conn.execute(
            "UPDATE sessions SET status = 'recovered',
                 ended_ms = started_ms + COALESCE(
                     (SELECT CAST(ROUND(t_ms) AS INTEGER) FROM samples
                      WHERE session_id = ?1 ORDER BY frame DESC LIMIT 1), 0)
             WHERE id = ?1 AND status = 'recording'",
            [id],
        )
        .map_err(sql("recover an interrupted session", path))?;
        store_totals(conn, id, &session_totals(conn, id, path)?, path)?;
        recovered.push(id);
    }
    Ok(recovered)
}

/// Whether the process that recorded a session may still be recording it. This process counts
/// as running. Where liveness cannot be checked (not Linux), every process counts as running, so
/// nothing is closed under a live recorder. (A reused pid keeps a session open until that
/// process exits.)
fn process_running(pid: i64) -> bool {
    if pid == i64::from(std::process::id()) {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

// ---------------------------------------------------------------------------------------------
// Recorder

/// A row waiting for the next commit.
#[derive(Debug)]
enum Pending {
    Sample {
        frame: i64,
        t_ms: f64,
        person: bool,
        state: &'static str,
        metrics: Option<Vec<u8>>,
        landmarks: Option<Vec<u8>>,
    },
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
    buffer: Vec<Pending>,
    last_commit: Instant,
    last_t_ms: Option<f64>,
}

impl Recorder {
    /// The session being recorded.
    pub fn session(&self) -> SessionId {
        self.session
    }

    /// Records one analysed frame and, when a person was found, their landmarks.
    pub fn push(&mut self, sample: &super::Sample, pose: Option<&Pose>) -> Result<(), StoreError> {
        let metrics = sample.metrics.as_ref().map(super::codec::encode_metrics);
        self.buffer.push(Pending::Sample {
            frame: i64::try_from(sample.frame).unwrap_or(i64::MAX),
            t_ms: sample.t_ms,
            person: sample.person,
            state: sample.state.name(),
            metrics,
            landmarks: pose.map(encode_landmarks),
        });
        self.last_t_ms = Some(sample.t_ms);
        self.maybe_commit()
    }

    /// Records one analysed frame with what happened on it: the motion rules' events and, when
    /// the shown state changed, a `state` event.
    pub fn record_frame(
        &mut self,
        sample: &super::Sample,
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
            self.event(t, EventKind::of_motion(e), detail)?;
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
        if self.buffer.is_empty() {
            return Ok(());
        }
        let action = "save recorded samples";
        let tx = self.conn.transaction().map_err(sql(action, &self.path))?;
        {
            let mut samples = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO samples
                     (session_id, frame, t_ms, person, state, metrics, landmarks)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(sql(action, &self.path))?;
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
                    Pending::Sample {
                        frame,
                        t_ms,
                        person,
                        state,
                        metrics,
                        landmarks,
                    } => samples.execute(params![
                        self.session,
                        frame,
                        t_ms,
                        person,
                        state,
                        metrics,
                        landmarks
                    ]),
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
        Ok(())
    }

    /// Commits the rest and closes the session as `complete`, ending it at the last sample.
    pub fn finish(mut self) -> Result<SessionId, StoreError> {
        self.flush()?;
        let ended_ms = self.started_ms + self.last_t_ms.map_or(0, |t| t.round() as i64);
        self.conn
            .execute(
                "UPDATE sessions SET status = ?2, ended_ms = ?3 WHERE id = ?1",
                params![self.session, SessionStatus::Complete.as_str(), ended_ms],
            )
            .map_err(sql("finish a session", &self.path))?;
        let totals = session_totals(&self.conn, self.session, &self.path)?;
        store_totals(&self.conn, self.session, &totals, &self.path)?;
        Ok(self.session)
    }

    fn maybe_commit(&mut self) -> Result<(), StoreError> {
        if self.buffer.len() >= COMMIT_ROWS || self.last_commit.elapsed() >= COMMIT_INTERVAL {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Vec3;

    fn pose() -> Pose {
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        for (i, lm) in landmarks.iter_mut().enumerate() {
            let f = i as f32 / NUM_LANDMARKS as f32;
            *lm = Landmark {
                x: f,
                y: 1.0 - f,
                z: -0.5 + f * 0.7,
                visibility: f * f,
                presence: 0.99,
            };
        }
        Pose {
            landmarks,
            world: [Vec3::default(); NUM_LANDMARKS],
            score: 0.9,
        }
    }

    #[test]
    fn landmarks_round_trip_within_1e_4() -> Result<(), LandmarksError> {
        let p = pose();
        let blob = encode_landmarks(&p);
        assert_eq!(blob.len(), LANDMARKS_BYTES);
        let back = decode_landmarks(&blob)?;
        for (a, b) in p.landmarks.iter().zip(&back) {
            for (x, y) in [
                (a.x, b.x),
                (a.y, b.y),
                (a.z, b.z),
                (a.visibility, b.visibility),
                (a.presence, b.presence),
            ] {
                assert!((x - y).abs() <= 1e-4, "{x} vs {y}");
            }
        }
        Ok(())
    }

    #[test]
    fn landmarks_saturate_out_of_range_and_zero_nan() -> Result<(), LandmarksError> {
        let mut p = pose();
        p.landmarks[0].x = 10.0;
        p.landmarks[0].y = f32::NAN;
        let back = decode_landmarks(&encode_landmarks(&p))?;
        assert!((back[0].x - 3.2767).abs() < 1e-6);
        assert_eq!(back[0].y, 0.0);
        Ok(())
    }

    #[test]
    fn bad_landmark_blobs_are_errors() {
        assert_eq!(
            decode_landmarks(&[]),
            Err(LandmarksError::Length { found: 0 })
        );
        assert_eq!(
            decode_landmarks(&[2, 0, 0]),
            Err(LandmarksError::Format { found: 2 })
        );
        assert_eq!(
            decode_landmarks(&[1, 0, 0]),
            Err(LandmarksError::Length { found: 3 })
        );
    }

    #[test]
    fn states_and_statuses_parse_back() {
        for st in PostureState::ALL {
            assert_eq!(parse_state(st.name()), Some(st));
        }
        for s in [
            SessionStatus::Recording,
            SessionStatus::Complete,
            SessionStatus::Recovered,
        ] {
            assert_eq!(SessionStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn data_dir_prefers_the_explicit_path() -> Result<(), StoreError> {
        assert_eq!(data_dir(Some(Path::new("/x/y")))?, PathBuf::from("/x/y"));
        Ok(())
    }
}
