//! `plumbline sessions` (list, show, delete) and `plumbline report` (HTML, CSV, JSON).

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, bail};
use serde::Serialize;

use super::{Outcome, ReportArgs, ReportFormat, SessionsAction, SessionsArgs};
use crate::report::csv as csv_report;
use crate::report::html::{self, HistoryPoint, Keyframe, ReportInput, SessionInfo};
use crate::report::summary::{Summary, SummaryBuilder};
use crate::session::Sample;
use crate::session::store::{self, SessionId, SessionRow, Store};

fn open_store(dir: Option<&Path>) -> anyhow::Result<Store> {
    let dir = store::data_dir(dir)?;
    let db = Store::open(&dir)?;
    for id in db.recovered_on_open() {
        eprintln!(
            "plumbline: session {id} was left open by a program that stopped; it was closed at its last saved frame and marked recovered"
        );
    }
    Ok(db)
}

/// "2026-11-25 17:40" in UTC, from milliseconds since the epoch.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem / 60) % 60
    )
}

pub fn run(args: &SessionsArgs) -> anyhow::Result<Outcome> {
    let db = open_store(args.data_dir.as_deref())?;
    match &args.action {
        None => list(&db, args.json),
        Some(SessionsAction::Show { id }) => show(&db, *id),
        Some(SessionsAction::Delete { id, yes }) => delete(&db, *id, *yes),
    }
}

fn list(db: &Store, json: bool) -> anyhow::Result<Outcome> {
    let rows = db.list()?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(Outcome::Success);
    }
    if rows.is_empty() {
        writeln!(
            out,
            "no sessions yet; `plumbline analyze VIDEO` records one"
        )?;
        return Ok(Outcome::Success);
    }
    writeln!(
        out,
        "{:>4}  {:<20}  {:>9}  {:>8}  {:<10}  source",
        "id", "started", "duration", "aligned", "status"
    )?;
    for r in rows {
        let aligned = r
            .aligned_fraction
            .map_or("—".to_string(), |f| format!("{:.0}%", f * 100.0));
        writeln!(
            out,
            "{:>4}  {:<20}  {:>9}  {:>8}  {:<10}  {}",
            r.id,
            format_time(r.started_ms),
            format!("{:.0} s", r.duration_s),
            aligned,
            r.status.as_str(),
            r.source
        )?;
    }
    Ok(Outcome::Success)
}

fn session_or_error(db: &Store, id: SessionId) -> anyhow::Result<SessionRow> {
    match db.session(id)? {
        Some(s) => Ok(s),
        None => bail!("there is no session {id}; `plumbline sessions` lists them"),
    }
}

fn summary_of(db: &Store, row: &SessionRow, samples: &[Sample]) -> anyhow::Result<Summary> {
    let mut b = SummaryBuilder::default();
    for s in samples {
        b.push(s, None);
    }
    let note = (row.status.as_str() == "recovered").then(|| {
        "recovered after the recording program stopped; ends at the last saved frame".to_string()
    });
    let mut summary = b.finish(&row.source, &row.model, note);
    for e in db.events(row.id)? {
        match e.kind.as_str() {
            "sudden_movement" => summary.motion.sudden_movements += 1,
            "move_reminder" => summary.motion.move_reminders += 1,
            _ => {}
        }
    }
    Ok(summary)
}

#[derive(Serialize)]
struct Shown<'a> {
    session: &'a SessionRow,
    summary: &'a Summary,
}

fn show(db: &Store, id: SessionId) -> anyhow::Result<Outcome> {
    let row = session_or_error(db, id)?;
    let samples: Vec<Sample> = db.samples(id)?.into_iter().map(|(s, _)| s).collect();
    let summary = summary_of(db, &row, &samples)?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(
        &mut out,
        &Shown {
            session: &row,
            summary: &summary,
        },
    )?;
    writeln!(out)?;
    Ok(Outcome::Success)
}

fn delete(db: &Store, id: SessionId, yes: bool) -> anyhow::Result<Outcome> {
    let row = session_or_error(db, id)?;
    if !yes {
        eprint!(
            "delete session {id} ({}, {})? [y/N] ",
            format_time(row.started_ms),
            row.source
        );
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("kept session {id}");
            return Ok(Outcome::Success);
        }
    }
    db.delete(id)?;
    eprintln!("deleted session {id}");
    Ok(Outcome::Success)
}

/// The JSON export: versioned, summary and every sample.
#[derive(Serialize)]
struct JsonExport<'a> {
    schema: u32,
    session: &'a SessionRow,
    summary: &'a Summary,
    samples: &'a [Sample],
}

/// Version of the JSON export's layout.
pub const EXPORT_SCHEMA: u32 = 1;

pub fn report(args: &ReportArgs) -> anyhow::Result<Outcome> {
    let db = open_store(args.data_dir.as_deref())?;
    let row = session_or_error(&db, args.id)?;
    let stored = db.samples(args.id)?;
    let samples: Vec<Sample> = stored.iter().map(|(s, _)| s.clone()).collect();
    let summary = summary_of(&db, &row, &samples)?;
    let bytes = match args.format {
        ReportFormat::Json => {
            let export = JsonExport {
                schema: EXPORT_SCHEMA,
                session: &row,
                summary: &summary,
                samples: &samples,
            };
            let mut v = serde_json::to_vec_pretty(&export)?;
            v.push(b'\n');
            v
        }
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(csv_report::header())?;
            for s in &samples {
                w.write_record(csv_report::row(s))?;
            }
            w.into_inner().context("cannot build the CSV")?
        }
        ReportFormat::Html => {
            let keyframes: Vec<Keyframe> = db
                .keyframes(args.id)?
                .into_iter()
                .filter_map(|k| {
                    let dims = image::load_from_memory(&k.jpeg)
                        .ok()
                        .map(|i| (i.width(), i.height()))?;
                    Some(Keyframe {
                        t_ms: k.t_ms,
                        kind: k.kind,
                        jpeg: k.jpeg,
                        width: dims.0,
                        height: dims.1,
                        landmarks: k.landmarks,
                    })
                })
                .collect();
            let history: Vec<HistoryPoint> = db
                .list()?
                .into_iter()
                .filter(|r| r.started_ms < row.started_ms && r.id != row.id)
                .filter_map(|r| {
                    Some(HistoryPoint {
                        id: r.id,
                        started: format_time(r.started_ms),
                        aligned_fraction: r.aligned_fraction?,
                    })
                })
                .collect();
            let info = SessionInfo {
                id: row.id,
                started: format_time(row.started_ms),
                source: row.source.clone(),
                model: row.model.clone(),
                status: row.status.as_str().to_string(),
                notes: row.notes.clone(),
            };
            let input = ReportInput {
                session: info,
                samples: &samples,
                summary: &summary,
                keyframes: &keyframes,
                history: &history,
            };
            html::render(&input).into_bytes()
        }
    };
    std::fs::write(&args.output, bytes)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    eprintln!("plumbline: wrote {}", args.output.display());
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_civil_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_795_628_400_000), "2026-11-25 17:40 UTC");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
