//! A session's totals (samples, time spanned, time aligned): counted from its samples, and kept
//! in its row once it is closed so that listing sessions need not read every sample.

use std::path::Path;

use rusqlite::{Connection, params};

use super::error::{StoreError, sql};
use super::rows::SessionId;
use super::samples::read_judged;
use crate::geometry::state::PostureState;

/// sample (the last adds no time).
#[derive(Debug, Clone, Copy)]
pub(super) struct Totals {
    pub n: i64,
    pub span_ms: f64,
    pub aligned_ms: f64,
    /// The last sample's time (only when counted from the samples).
    pub last_t_ms: Option<f64>,
}

/// Counts a session's totals from its samples: each sample lasts until the next (the last adds
/// no time), and counts as aligned when its state was.
pub(super) fn session_totals(
    conn: &Connection,
    id: SessionId,
    path: &Path,
) -> Result<Totals, StoreError> {
    let samples = read_judged(conn, path, id)?;
    let mut t = Totals {
        n: samples.len() as i64,
        span_ms: 0.0,
        aligned_ms: 0.0,
        last_t_ms: samples.last().map(|s| s.t_ms),
    };
    for pair in samples.windows(2) {
        let dt = pair[1].t_ms - pair[0].t_ms;
        t.span_ms += dt;
        if pair[0].state == PostureState::Aligned {
            t.aligned_ms += dt;
        }
    }
    Ok(t)
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
