//! A session's totals (samples, time spanned, time aligned): counted from its samples, and kept
//! in its row once it is closed so that listing sessions need not read every sample.

use std::path::Path;

use rusqlite::{Connection, params};

use super::error::{StoreError, sql};
use super::rows::SessionId;

/// sample (the last adds no time).
#[derive(Debug, Clone, Copy)]
pub(super) struct Totals {
    pub n: i64,
    pub span_ms: f64,
    pub aligned_ms: f64,
    /// The last sample's time (only when counted from the samples).
    pub last_t_ms: Option<f64>,
}

/// Counts a session's totals from its samples (an index range scan of that session only).
pub(super) fn session_totals(
    conn: &Connection,
    id: SessionId,
    path: &Path,
) -> Result<Totals, StoreError> {
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
pub(super) fn store_totals(
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
