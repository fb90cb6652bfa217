//! Reading a session's samples back, from wherever they were stored: compressed blocks
//! (`sample_blocks`, since schema step 10; see [`super::block`]) and one row a sample
//! (`samples`, before). A session's samples are in one or the other; both are read, merged in
//! frame order.

use std::path::Path;

use rusqlite::Connection;

use super::Sample;
use super::block::{self, BlockSample};
use super::codec::{decode_cue, decode_landmarks, decode_metrics};
use super::error::{StoreError, sql};
use super::rows::SessionId;
use crate::geometry::metrics::Metrics;
use crate::geometry::state::{MetricLevels, PostureState};

fn bad(path: &Path, what: &'static str, detail: impl ToString) -> StoreError {
    StoreError::BadData {
        what,
        detail: detail.to_string(),
        path: path.to_path_buf(),
    }
}

fn parse_state(s: &str) -> Option<PostureState> {
    PostureState::ALL.into_iter().find(|st| st.name() == s)
}

/// Every sample of session `id`, with its landmarks when a pose was recorded, in frame order.
pub(super) fn read(
    conn: &Connection,
    path: &Path,
    id: SessionId,
) -> Result<Vec<BlockSample>, StoreError> {
    let mut out = rows(conn, path, id)?;
    let mut stmt = conn
        .prepare(
            "SELECT judged, measured FROM sample_blocks WHERE session_id = ?1
             ORDER BY first_frame",
        )
        .map_err(sql("read samples", path))?;
    let blocks = stmt
        .query_map([id], |row| {
            Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?))
        })
        .map_err(sql("read samples", path))?;
    for b in blocks {
        let (judged, measured) = b.map_err(sql("read samples", path))?;
        out.extend(block::decode(&judged, &measured).map_err(|e| bad(path, "samples", e))?);
    }
    out.sort_by_key(|(s, _)| s.frame);
    Ok(out)
}

/// Every sample of session `id` without its metrics, in frame order: what the levels, totals
/// and trend need, read without the metrics and landmarks.
pub(super) fn read_judged(
    conn: &Connection,
    path: &Path,
    id: SessionId,
) -> Result<Vec<Sample>, StoreError> {
    let mut out = judged_rows(conn, path, id)?;
    let mut stmt = conn
        .prepare("SELECT judged FROM sample_blocks WHERE session_id = ?1 ORDER BY first_frame")
        .map_err(sql("read samples", path))?;
    let blocks = stmt
        .query_map([id], |row| row.get::<_, Vec<u8>>(0))
        .map_err(sql("read samples", path))?;
    for b in blocks {
        let judged = b.map_err(sql("read samples", path))?;
        out.extend(block::decode_judged(&judged).map_err(|e| bad(path, "samples", e))?);
    }
    out.sort_by_key(|s| s.frame);
    Ok(out)
}

/// The time of session `id`'s last stored sample, if it has one.
pub(super) fn last_t_ms(
    conn: &Connection,
    path: &Path,
    id: SessionId,
) -> Result<Option<f64>, StoreError> {
    conn.query_row(
        "SELECT MAX(t) FROM (SELECT MAX(t_ms) AS t FROM samples WHERE session_id = ?1
                             UNION ALL
                             SELECT MAX(last_t_ms) FROM sample_blocks WHERE session_id = ?1)",
        [id],
        |row| row.get(0),
    )
    .map_err(sql("read a session's last sample", path))
}

/// The samples stored one row each, before schema step 10.
fn rows(conn: &Connection, path: &Path, id: SessionId) -> Result<Vec<BlockSample>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT frame, t_ms, person, state, metrics, landmarks, cadence_spm, levels, cue
             FROM samples WHERE session_id = ?1 ORDER BY frame",
        )
        .map_err(sql("read samples", path))?;
    let rows = stmt
        .query_map([id], |row| {
            Ok((
                judged_row(row)?,
                row.get::<_, rusqlite::types::Value>(4)?,
                row.get::<_, Option<Vec<u8>>>(5)?,
            ))
        })
        .map_err(sql("read samples", path))?;
    let mut out = Vec::new();
    for row in rows {
        let (judged, metrics, landmarks) = row.map_err(sql("read samples", path))?;
        let mut sample = judged.sample(path)?;
        // Compact blobs since the first release's JSON (both read; see session::codec).
        sample.metrics = match metrics {
            rusqlite::types::Value::Null => None,
            rusqlite::types::Value::Blob(b) => {
                Some(decode_metrics(&b).map_err(|e| bad(path, "metrics", e))?)
            }
            rusqlite::types::Value::Text(json) => {
                Some(serde_json::from_str::<Metrics>(&json).map_err(|e| bad(path, "metrics", e))?)
            }
            other => return Err(bad(path, "metrics", format!("unexpected value {other:?}"))),
        };
        let landmarks = landmarks
            .map(|blob| decode_landmarks(&blob))
            .transpose()
            .map_err(|e| bad(path, "landmarks", e))?;
        out.push((sample, landmarks));
    }
    Ok(out)
}

/// [`rows`] without the metrics and landmarks.
fn judged_rows(conn: &Connection, path: &Path, id: SessionId) -> Result<Vec<Sample>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT frame, t_ms, person, state, NULL, NULL, cadence_spm, levels, cue
             FROM samples WHERE session_id = ?1 ORDER BY frame",
        )
        .map_err(sql("read samples", path))?;
    let rows = stmt
        .query_map([id], judged_row)
        .map_err(sql("read samples", path))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row.map_err(sql("read samples", path))?.sample(path)?);
    }
    Ok(out)
}

/// A row's judged columns, as stored.
struct JudgedRow {
    frame: i64,
    t_ms: f64,
    person: bool,
    state: String,
    cadence_spm: Option<f64>,
    levels: Option<i64>,
    cue: Option<i64>,
}

fn judged_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<JudgedRow> {
    Ok(JudgedRow {
        frame: row.get(0)?,
        t_ms: row.get(1)?,
        person: row.get(2)?,
        state: row.get(3)?,
        cadence_spm: row.get(6)?,
        levels: row.get(7)?,
        cue: row.get(8)?,
    })
}

impl JudgedRow {
    fn sample(self, path: &Path) -> Result<Sample, StoreError> {
        let state = parse_state(&self.state).ok_or_else(|| {
            bad(
                path,
                "posture state",
                format!("unknown state `{}`", self.state),
            )
        })?;
        Ok(Sample {
            frame: u64::try_from(self.frame).map_err(|e| bad(path, "frame number", e))?,
            t_ms: self.t_ms,
            person: self.person,
            metrics: None,
            state,
            cadence_spm: self.cadence_spm.map(|c| c as f32),
            levels: self.levels.map(|bits| MetricLevels::unpack(bits as u64)),
            cue: self.cue.and_then(decode_cue),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_back() {
        for st in PostureState::ALL {
            assert_eq!(parse_state(st.name()), Some(st));
        }
        assert_eq!(parse_state("slouching"), None);
    }
}
