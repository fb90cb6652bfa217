//! Crash recovery: a session left `recording` by a process that is gone is closed, on the next
//! open, at its last committed sample and marked `recovered`.

use std::path::Path;

use rusqlite::Connection;

use super::error::{StoreError, sql};
use super::rows::SessionId;
use super::samples::last_t_ms;
use super::totals::{session_totals, store_totals};

/// Marks sessions whose recording process is gone as `recovered`, ending them at their last
/// committed sample.
pub(super) fn recover(conn: &Connection, path: &Path) -> Result<Vec<SessionId>, StoreError> {
    let mut recovered = Vec::new();
    for id in abandoned(conn, path)? {
        let last_ms = last_t_ms(conn, path, id)?.map_or(0, |t| t.round() as i64);
        conn.execute(
            "UPDATE sessions SET status = 'recovered', ended_ms = started_ms + ?2
             WHERE id = ?1 AND status = 'recording'",
            rusqlite::params![id, last_ms],
        )
        .map_err(sql("recover an interrupted session", path))?;
        store_totals(conn, id, &session_totals(conn, id, path)?, path)?;
        recovered.push(id);
    }
    Ok(recovered)
}

/// The sessions left `recording` by a process that is gone: what [`recover`] would close.
/// Reads only.
pub(super) fn abandoned(conn: &Connection, path: &Path) -> Result<Vec<SessionId>, StoreError> {
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
    Ok(open
        .into_iter()
        .filter(|(_, pid)| !pid.is_some_and(process_running))
        .map(|(id, _)| id)
        .collect())
}

/// Whether the process that recorded a session may still be recording it. This process counts
/// as running. Where liveness cannot be checked (not Linux), every process counts as running, so
/// nothing is closed under a live recorder. (A reused pid keeps a session open until that
/// process exits.)
pub(super) fn process_running(pid: i64) -> bool {
    if pid == i64::from(std::process::id()) {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}
