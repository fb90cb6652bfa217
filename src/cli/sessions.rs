//! `plumbline sessions` (list, show, delete) and `plumbline report` (HTML, PDF, CSV, JSON).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::args::{PaperArg, ReportArgs, SessionsAction, SessionsArgs};
use super::outcome::Outcome;
use super::say::say;
use super::stop::Stop;
use crate::files::Target;
use crate::format::date_time;
use crate::format::{percent, plain_seconds, terminal_text};
use crate::report::summary::Summary;
use crate::report::write::report_target;
use crate::report::{ExportError, ExportFormat, Paper, ReportOptions, export_session, summary_of};
use crate::session::Sample;
use crate::session::store::{self, SessionId, SessionRow, Store};
use crate::settings::Settings;

/// Opens the session database to record or change sessions.
pub(super) fn open_store(dir: Option<&Path>) -> anyhow::Result<Store> {
    let db = Store::open(&store::data_dir(dir)?)?;
    tell_recovered(&db);
    Ok(db)
}

/// Opens the session database to read it: nothing is written unless the file needs it, and a
/// database that cannot be written (a read-only folder, a full disk) is read as it is.
fn open_for_reading(dir: Option<&Path>) -> anyhow::Result<Store> {
    let db = Store::open_for_reading(&store::data_dir(dir)?)?;
    tell_recovered(&db);
    if let Some(why) = db.unwritable() {
        say(format_args!(
            "reading the sessions as they are; nothing can be recorded or changed there until \
             this is fixed: {why}"
        ));
    }
    Ok(db)
}

/// Says on stderr what opening the store did: the data folder made the user's alone, sessions
/// closed after their recorder stopped.
fn tell_recovered(db: &Store) {
    db.notices().iter().for_each(say);
    for id in db.recovered_on_open() {
        say(format_args!(
            "session {id} was left open by a program that stopped; it was closed at its last saved frame and marked recovered"
        ));
    }
}

pub fn run(args: &SessionsArgs) -> anyhow::Result<Outcome> {
    let dir = args.data.get();
    match &args.action {
        None => list(&open_for_reading(dir)?, args.json),
        Some(SessionsAction::Show { id }) => show(&open_for_reading(dir)?, *id),
        Some(SessionsAction::Delete { id, yes }) => delete(&open_store(dir)?, *id, *yes),
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
    // "duration" is as wide as "10 min 59 s".
    writeln!(
        out,
        "{:>4}  {:<20}  {:>11}  {:>8}  {:<10}  source",
        "id", "started", "duration", "aligned", "status"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:>4}  {:<20}  {:>11}  {:>8}  {:<10}  {}",
            r.id,
            date_time(r.started_ms),
            plain_seconds(r.duration_s),
            percent(r.aligned_fraction),
            r.status.as_str(),
            terminal_text(&r.source)
        )?;
    }
    Ok(Outcome::Success)
}

fn session_or_error(db: &Store, id: SessionId) -> anyhow::Result<SessionRow> {
    match db.session(id)? {
        Some(s) => Ok(s),
        None => Err(ExportError::NoSession(id).into()),
    }
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
    // Refused before asking: a yes would be for nothing.
    db.check_deletable(id)?;
    if !yes {
        eprint!(
            "delete session {id} ({}, {})? [y/N] ",
            date_time(row.started_ms),
            terminal_text(&row.source)
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

/// `plumbline report`'s arguments, checked and resolved before the database is opened.
#[derive(Debug)]
struct ReportConfig {
    data_dir: PathBuf,
    id: SessionId,
    format: ExportFormat,
    target: Target,
    options: ReportOptions,
}

impl ReportConfig {
    fn from_args(args: &ReportArgs) -> anyhow::Result<Self> {
        if args.id < 1 {
            anyhow::bail!(
                "there is no session {}: sessions are numbered from 1; `plumbline sessions` \
                 lists them",
                args.id
            );
        }
        let named = ExportFormat::from_path(&args.output);
        let format = match (args.format, named) {
            (Some(asked), Some(named)) if asked != named => anyhow::bail!(
                "{} is named as {} but --format asks for {}: give the file the ending .{} or \
                 leave --format out",
                args.output.display(),
                named.info().what,
                asked.name(),
                asked.extension()
            ),
            (Some(asked), _) => asked,
            (None, named) => named.unwrap_or(ExportFormat::Html),
        };
        // The output is looked at before the database is opened: a folder, a missing folder,
        // a read-only file or the database itself is refused before any work.
        let data_dir = store::data_dir(args.data.get())?;
        let target = report_target(&data_dir, &args.output)?;
        // The app's choice of paper and label, unless the command line says otherwise.
        let (settings, note) = Settings::peek(&data_dir);
        if let Some(note) = note {
            note.lines().for_each(say);
        }
        let saved = settings.report;
        let options = ReportOptions {
            paper: match args.paper {
                Some(PaperArg::A4) => Paper::A4,
                Some(PaperArg::Letter) => Paper::Letter,
                None => saved.paper,
            },
            label: match &args.label {
                Some(label) => ReportOptions::clean_label(label),
                None => saved.label,
            },
        };
        Ok(Self {
            data_dir,
            id: args.id,
            format,
            target,
            options,
        })
    }
}

pub fn report(args: &ReportArgs) -> anyhow::Result<Outcome> {
    let ReportConfig {
        data_dir,
        id,
        format,
        target,
        options,
    } = ReportConfig::from_args(args)?;
    // A signal while the report is made or written ends the command with nothing left behind:
    // the temporary file goes and the old file stays as it was.
    let stop = Stop::install();
    let db = open_for_reading(Some(&data_dir))?;
    let bytes = export_session(&db, id, format, &options)?;
    let interrupted = |stop: &Stop| {
        stop.reason().map(|reason| {
            say(format_args!("{reason}; nothing was written"));
            Outcome::Interrupted
        })
    };
    if let Some(outcome) = interrupted(&stop) {
        return Ok(outcome);
    }
    let mut out = target.open()?;
    out.write_all(&bytes).map_err(|cause| out.error(cause))?;
    if let Some(outcome) = interrupted(&stop) {
        // Dropped without a commit: the temporary file goes.
        return Ok(outcome);
    }
    out.commit()?;
    if !target.is_stdout() {
        say(format_args!("wrote {}", args.output.display()));
    }
    Ok(Outcome::Success)
}
