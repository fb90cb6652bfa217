//! The session database's schema, as numbered steps. `PRAGMA user_version` holds how many steps a
//! file has had; opening a file applies the missing ones, each in its own transaction.

use rusqlite::{Connection, TransactionBehavior};

/// The schema steps, in order: step `i` takes a file from version `i` to version `i + 1`.
/// Never edit a released step; append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: sessions and what they recorded. Times: `*_ms` on sessions are wall-clock milliseconds
    // since the Unix epoch; `t_ms` elsewhere is milliseconds from the session's start.
    "CREATE TABLE sessions (
        id          INTEGER PRIMARY KEY,
        started_ms  INTEGER NOT NULL,
        ended_ms    INTEGER,
        source      TEXT NOT NULL,
        model       TEXT NOT NULL,
        calibration TEXT,             -- Baseline as JSON
        notes       TEXT NOT NULL DEFAULT '',
        status      TEXT NOT NULL,    -- recording | complete | recovered
        pid         INTEGER           -- the recording process, for crash recovery
    );
    CREATE TABLE samples (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        frame      INTEGER NOT NULL,
        t_ms       REAL NOT NULL,
        person     INTEGER NOT NULL,
        state      TEXT NOT NULL,
        metrics    TEXT,              -- Metrics, NULL without a person: a compact blob
                                      -- (session::codec); JSON text in early files
        landmarks  BLOB,              -- see store::encode_landmarks
        PRIMARY KEY (session_id, frame)
    );
    CREATE TABLE events (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t_ms       REAL NOT NULL,
        kind       TEXT NOT NULL,
        detail     TEXT NOT NULL      -- JSON
    );
    CREATE TABLE keyframes (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t_ms       REAL NOT NULL,
        kind       TEXT NOT NULL,     -- worst | typical
        jpeg       BLOB NOT NULL,
        landmarks  BLOB
    );",
    // 2: events and keyframes are read (and cascade-deleted) per session; without these indexes
    // both scan the whole table.
    "CREATE INDEX events_by_session ON events(session_id, t_ms);
     CREATE INDEX keyframes_by_session ON keyframes(session_id, t_ms);",
    // 3: a closed session's totals (samples, time spanned, time aligned), written when it is
    // closed: listing sessions then reads one row per session instead of every sample (1.9 s
    // for ten hours of recordings). NULL: not counted yet (a session still recording, or one
    // closed before this step; the list counts and fills those in).
    "ALTER TABLE sessions ADD COLUMN samples_n INTEGER;
     ALTER TABLE sessions ADD COLUMN span_ms REAL;
     ALTER TABLE sessions ADD COLUMN aligned_ms REAL;",
    // 4: each frame's walking cadence, so a stored session's summary (walking time, cadence)
    // is the one its analysis gave. NULL: not walking, or recorded before this step.
    "ALTER TABLE samples ADD COLUMN cadence_spm REAL;",
    // 5: the practice preset a session was judged with (measures and activity), as JSON, so
    // its report can say which were on. NULL: recorded before this step.
    "ALTER TABLE sessions ADD COLUMN preset TEXT;",
    // 6: why a session ended early, in words ("interrupted by Ctrl-C", "the disk is full"), for
    // sessions whose status is `interrupted` (added with this step). NULL: it ended normally,
    // or before this step.
    "ALTER TABLE sessions ADD COLUMN end_reason TEXT;",
    // 7: the practice length the user set for the session, in seconds, so its report can say
    // whether the goal was reached. NULL: no goal was set, or recorded before this step.
    "ALTER TABLE sessions ADD COLUMN goal_s REAL;",
    // 8: each frame's judgment as the report needs it, so it can say which measure was out of
    // its band and when without judging again. `levels`: every metric's level, two bits each
    // (`MetricLevels::pack`: 0 unknown, 1 aligned, 2 drifting, 3 misaligned, metric `i` in bits
    // 2i, 2i+1) — 0 to 3 bytes a row. `cue`: what the user was told, as one integer, the
    // metric's index in the metric table plus 256 × the words' index in
    // `geometry::advice::CUE_TEXTS` — 1 to 2 bytes, where the words as text would take about
    // 40 (4 MB an hour at 30 fps). NULL levels: recorded before this step; NULL cue: no cue.
    "ALTER TABLE samples ADD COLUMN levels INTEGER;
     ALTER TABLE samples ADD COLUMN cue INTEGER;",
    // 9: the bands the session was judged by (`Thresholds` as JSON, the settings file's
    // shape), so its report draws the bands its levels came from. NULL: recorded before this
    // step (the report then draws the default bands and says so).
    "ALTER TABLE sessions ADD COLUMN thresholds TEXT;",
    // 10: samples a commit at a time (about a second), compressed (`session::block`): an hour
    // at 30 fps took 500 bytes a frame as one row a sample. `judged` holds what every report
    // reads (times, states, levels, cues, cadence) and comes first, so it is read without the
    // `measured` column (metrics and landmarks) behind it. Sessions recorded before this step
    // keep their rows in `samples`, which is still read.
    "CREATE TABLE sample_blocks (
        session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        first_frame INTEGER NOT NULL,
        last_t_ms   REAL NOT NULL,
        judged      BLOB NOT NULL,
        measured    BLOB NOT NULL,
        UNIQUE (session_id, first_frame)
    );",
];

/// The newest schema version this program knows.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Applies the steps a file lacks, up to version `target` (at most [`LATEST`]); returns the
/// version the file is at afterwards. Each step runs in an immediate transaction that re-reads
/// the version, so two processes opening the same file do not apply a step twice.
/// Tests call this with a smaller `target` to build an old file.
pub fn migrate_to(conn: &mut Connection, target: i64) -> rusqlite::Result<i64> {
    let target = target.clamp(0, LATEST);
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if version >= target {
            return Ok(version);
        }
        let index = usize::try_from(version).unwrap_or(0);
        let Some(step) = MIGRATIONS.get(index) else {
            return Ok(version);
        };
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        tracing::info!(version = version + 1, "session database migrated");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_applies_to_a_fresh_database() -> rusqlite::Result<()> {
        let mut conn = Connection::open_in_memory()?;
        assert_eq!(migrate_to(&mut conn, 1)?, 1);
        assert_eq!(migrate_to(&mut conn, LATEST)?, LATEST);
        // Idempotent: nothing left to do.
        assert_eq!(migrate_to(&mut conn, LATEST)?, LATEST);
        Ok(())
    }
}
