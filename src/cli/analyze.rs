//! `plumbline analyze`: every frame of a video or image folder, judged as the app judges it
//! (the same saved settings), per-frame metrics to CSV, a summary to JSON, a session recorded,
//! a progress bar meanwhile. Ctrl-C stops cleanly and keeps what was written.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::args::{AnalyzeArgs, engine_config};
use super::outcome::Outcome;
use super::stop::Stop;
use crate::geometry::judge::JudgeConfig;
use crate::geometry::motion::MotionEvent;
use crate::pipeline::offline::{self, Analysed, Ending, Event};
use crate::pose::{EngineConfig, PoseEstimator};
use crate::report::csv as csv_report;
use crate::report::summary::{Summary, SummaryBuilder};
use crate::report::write::{PendingFile, check_output};
use crate::session::EventKind;
use crate::session::store::{self, SessionEnd, SessionId, SessionMeta};
use crate::session::writer::{FrameRecord, SessionWriter};
use crate::settings::Settings;

/// Rows between flushes of the CSV file: at most this many are lost if the machine dies.
const FLUSH_EVERY: u64 = 30;

/// Where the summary goes.
#[derive(Debug, Clone, PartialEq)]
enum JsonOut {
    Stdout,
    File(PathBuf),
}

/// `plumbline analyze`'s arguments, checked and resolved before anything is opened or written.
#[derive(Debug, Clone)]
struct AnalyzeConfig {
    input: PathBuf,
    engine: EngineConfig,
    /// How frames are judged: the saved settings (the app's), with the command line's changes.
    judge: JudgeConfig,
    /// Where the settings came from, when they did.
    settings_note: Option<String>,
    csv: Option<PathBuf>,
    json: Option<JsonOut>,
    /// Where to record the session, and its notes (`None`: not recorded).
    record: Option<(PathBuf, String)>,
    /// The practice length aimed for, in seconds (`--goal`, given in minutes).
    goal_s: Option<f64>,
    quiet: bool,
}

impl AnalyzeConfig {
    fn from_args(args: &AnalyzeArgs) -> anyhow::Result<Self> {
        let mut engine = engine_config(&args.engine, true);
        engine.smoothing = !args.no_smoothing;
        let data_dir = store::data_dir(args.data.get());
        // The judgment the app would make: its saved bands, calibration, visibility threshold
        // and alert timing.
        let (settings, settings_note) = match &data_dir {
            Ok(dir) => Settings::peek(dir),
            Err(_) => (Settings::default(), None),
        };
        let mut judge = settings.judge_config();
        if let Some(v) = args.min_visibility {
            judge.metrics.min_visibility = v;
        }
        if args.no_calibration {
            judge.baseline = None;
        }
        if let Some(measures) = &args.measures {
            judge.preset.measures = measures.clone();
        }
        if let Some(activity) = args.activity {
            judge.preset.activity = activity;
        }
        judge.preset = judge.preset.normalized();
        let known_data_dir = data_dir.as_ref().ok().cloned();
        let record = if args.no_record {
            None
        } else {
            Some((data_dir?, args.notes.clone()))
        };
        let json = args.json.as_ref().map(|p| {
            if p == Path::new("-") {
                JsonOut::Stdout
            } else {
                JsonOut::File(p.clone())
            }
        });
        // An output must never replace what is read: the input, the session database or the
        // settings. Checked before anything is opened.
        let json_file = match &json {
            Some(JsonOut::File(p)) => Some(p.as_path()),
            _ => None,
        };
        for output in args.csv.as_deref().into_iter().chain(json_file) {
            check_output(known_data_dir.as_deref(), &[args.input.as_path()], output)?;
        }
        Ok(Self {
            input: args.input.clone(),
            engine,
            judge,
            settings_note,
            csv: args.csv.clone(),
            json,
            record,
            goal_s: args.goal.map(|minutes| minutes * 60.0),
            quiet: args.quiet,
        })
    }
}

pub fn run(args: &AnalyzeArgs) -> anyhow::Result<Outcome> {
    let config = AnalyzeConfig::from_args(args)?;
    // Installed before the model loads: a Ctrl-C (or SIGTERM, SIGHUP) while it loads ends the
    // command there, with nothing recorded and no output touched.
    let stop = Stop::install();
    if let Some(note) = &config.settings_note {
        note.lines().for_each(|line| eprintln!("plumbline: {line}"));
    }
    // Everything that can fail before the analysis fails before an output is touched.
    let mut estimator =
        PoseEstimator::new(&config.engine).context("cannot start the pose engine")?;
    let source = crate::source::open(&config.input)
        .with_context(|| format!("cannot analyse {}", config.input.display()))?;
    if let Some(reason) = stop.reason() {
        eprintln!("plumbline: {reason} before the analysis began; nothing was written");
        return Ok(Outcome::Interrupted);
    }
    let total = source.len_hint();
    let described = source.describe();
    let model = config.engine.model.name();
    let mut outputs = Outputs::open(&config, &described, model)?;

    let bar = progress_bar(total, config.quiet);
    let mut summary = SummaryBuilder::default();
    let analysed = offline::analyze(
        source,
        &mut estimator,
        &config.judge,
        stop.flag(),
        |event| match event {
            Event::Sample(a) => {
                let (sample, t) = (a.sample, a.analysis.timings);
                let judgment = &a.analysis.judgment;
                summary.push(sample);
                for e in &judgment.motion.events {
                    summary.push_event(EventKind::of_motion(e));
                    if let MotionEvent::Step { t_ms } = e {
                        summary.push_step(*t_ms as f64);
                    }
                }
                if let Some(kind) = judgment.alerts.fired.as_ref().and_then(EventKind::of_alert) {
                    summary.push_event(kind);
                }
                summary.push_timings([t.capture, t.preprocess, t.inference, t.geometry]);
                outputs.write(&a, summary.frames() % FLUSH_EVERY == 0, &bar);
                bar.inc(1);
            }
            Event::Skipped(e) => {
                summary.skipped();
                // The error says which frame and that it is skipped.
                bar.suspend(|| eprintln!("plumbline: {e}"));
                bar.inc(1);
            }
        },
    );
    bar.finish_and_clear();
    let ending = match analysed {
        Ok(ending) => ending,
        Err(e) => {
            // What was analysed before the failure is kept: the CSV so far, the session closed
            // as interrupted with the reason.
            let e = anyhow::Error::new(e).context("pose estimation failed");
            outputs.close(&SessionEnd::Interrupted(format!("{e:#}")));
            return Err(e);
        }
    };

    let note = match &ending {
        Ending::Complete => None,
        Ending::Interrupted => Some(format!(
            "{}; the frames before it were analysed",
            stop.reason().unwrap_or("interrupted")
        )),
        Ending::SourceFailed(e) => Some(format!("the input ended early: {e}")),
    };
    let end = match &note {
        None => SessionEnd::Complete,
        Some(reason) => SessionEnd::Interrupted(reason.clone()),
    };
    let session = outputs.close(&end);
    summary.set_preset(Some(config.judge.preset.clone()));
    summary.set_goal(config.goal_s);
    let s = summary.finish(&described, model, note);
    match &config.json {
        Some(JsonOut::Stdout) => {
            // Not `println!`: a closed pipe (`… --json - | head`) is an error to end on
            // quietly, not a panic.
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &s)?;
            writeln!(out)?;
        }
        Some(JsonOut::File(p)) => {
            write_json(p, &s).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => {}
    }
    if !config.quiet && config.json != Some(JsonOut::Stdout) {
        eprintln!(
            "plumbline: {} frames, {} with a person, {:.0}% of the time aligned{}",
            s.frames,
            s.frames_with_person,
            s.time_in_state.aligned_fraction * 100.0,
            config
                .csv
                .as_ref()
                .filter(|_| outputs.lost.is_empty())
                .map(|p| format!("; per-frame metrics in {}", p.display()))
                .unwrap_or_default()
        );
        if let Some(id) = session {
            eprintln!(
                "plumbline: recorded as session {id}; `plumbline report {id} --format html -o report.html` writes its report"
            );
        }
    }
    match ending {
        _ if !outputs.lost.is_empty() => Ok(Outcome::OutputsLost(outputs.lost.len())),
        // Images that could not be read were named as they were skipped; the exit code says so.
        Ending::Complete if s.frames_skipped > 0 => {
            Ok(Outcome::SomeFailed(s.frames_skipped as usize))
        }
        Ending::Complete => Ok(Outcome::Success),
        Ending::Interrupted => Ok(Outcome::Interrupted),
        Ending::SourceFailed(e) => {
            eprintln!("plumbline: {e}");
            Ok(Outcome::SomeFailed(1))
        }
    }
}

/// The CSV being written into its temporary file.
type CsvOut = csv::Writer<BufWriter<PendingFile>>;

/// Where each analysed frame goes: the CSV (streamed into a temporary file beside its target)
/// and the session. An output that fails (a full disk) is reported once and dropped, and the
/// analysis goes on for the others.
struct Outputs {
    csv: Option<CsvOut>,
    session: Option<SessionWriter>,
    /// One line per output that failed, already reported.
    lost: Vec<String>,
}

impl Outputs {
    /// Starts the session, then the CSV's temporary file: the target CSV itself is untouched
    /// until the analysis is over.
    fn open(config: &AnalyzeConfig, described: &str, model: &str) -> anyhow::Result<Self> {
        let session = match &config.record {
            Some((dir, notes)) => Some(start_session(
                dir,
                described,
                model,
                &config.judge,
                notes,
                config.goal_s,
            )?),
            None => None,
        };
        let csv = match &config.csv {
            Some(path) => Some(open_csv(path)?),
            None => None,
        };
        Ok(Self {
            csv,
            session,
            lost: Vec::new(),
        })
    }

    /// Writes one frame to every output still working.
    fn write(&mut self, a: &Analysed<'_>, flush: bool, bar: &ProgressBar) {
        let sample = a.sample;
        if let Some(w) = self.csv.as_mut()
            && let Err(e) = write_row(w, sample, flush)
        {
            let path = w.get_ref().get_ref().target().display().to_string();
            self.lose(
                format!("cannot write {path} ({e:#}); it is left as it was"),
                bar,
            );
            // Dropping it removes the temporary file.
            self.csv = None;
        }
        let judgment = &a.analysis.judgment;
        if let Some(writer) = self.session.as_mut()
            && let Err(e) = writer.write(FrameRecord {
                sample,
                pose: a.analysis.pose.as_ref(),
                image: &a.frame.image,
                events: &judgment.motion.events,
                alert: judgment.alerts.fired.as_ref(),
            })
        {
            let id = writer.session();
            self.lose(
                format!(
                    "cannot record session {id} any further ({e}); the frames before it are kept"
                ),
                bar,
            );
            // The session keeps what was committed and is closed as recovered on the next
            // open (closing it now would need the space that just ran out).
            if let Some(writer) = self.session.take() {
                writer.abandon();
            }
        }
    }

    fn lose(&mut self, message: String, bar: &ProgressBar) {
        bar.suspend(|| eprintln!("plumbline: {message}; the analysis goes on"));
        self.lost.push(message);
    }

    /// Renames the CSV into place with what was analysed and closes the session as `end`
    /// says; returns the session's id when it was recorded to the end. Failures are reported
    /// (once) and counted in `lost`.
    fn close(&mut self, end: &SessionEnd) -> Option<SessionId> {
        if let Some(w) = self.csv.take() {
            let path = w.get_ref().get_ref().target().to_path_buf();
            let done = w
                .into_inner()
                .map_err(|e| e.into_error())
                .and_then(|buf| buf.into_inner().map_err(|e| e.into_error()))
                .and_then(PendingFile::commit);
            if let Err(e) = done {
                let message = format!(
                    "cannot write {} ({e}); it is left as it was",
                    path.display()
                );
                eprintln!("plumbline: {message}");
                self.lost.push(message);
            }
        }
        let writer = self.session.take()?;
        let id = writer.session();
        match writer.finish(end.clone()) {
            Ok(id) => Some(id),
            Err(e) => {
                let message = format!("cannot close session {id} ({e}); it is kept as recovered");
                eprintln!("plumbline: {message}");
                self.lost.push(message);
                None
            }
        }
    }
}

/// Writes the summary into a temporary file beside `path` and renames it into place.
fn write_json(path: &Path, summary: &Summary) -> std::io::Result<()> {
    let mut f = BufWriter::new(PendingFile::create(path)?);
    serde_json::to_writer_pretty(&mut f, summary)?;
    f.write_all(b"\n")?;
    f.into_inner().map_err(|e| e.into_error())?.commit()
}

fn open_csv(path: &Path) -> anyhow::Result<CsvOut> {
    let file =
        PendingFile::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    w.write_record(csv_report::header())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(w)
}

fn write_row(w: &mut CsvOut, sample: &crate::session::Sample, flush: bool) -> anyhow::Result<()> {
    w.write_record(csv_report::row(sample))?;
    if flush {
        w.flush()?;
    }
    Ok(())
}

fn progress_bar(total: Option<u64>, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::new_spinner(),
    };
    let template = if total.is_some() {
        "{bar:30} {pos}/{len} frames  {per_sec}  ETA {eta}"
    } else {
        "{spinner} {pos} frames  {per_sec}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

fn start_session(
    dir: &Path,
    source: &str,
    model: &str,
    judge: &JudgeConfig,
    notes: &str,
    goal_s: Option<f64>,
) -> anyhow::Result<SessionWriter> {
    let mut db = super::sessions::open_store(Some(dir))?;
    let meta = SessionMeta {
        source: source.to_string(),
        model: model.to_string(),
        calibration: judge.baseline.clone(),
        preset: Some(judge.preset.clone()),
        thresholds: Some(judge.thresholds),
        notes: notes.to_string(),
        goal_s,
    };
    Ok(SessionWriter::new(db.start_session(meta)?))
}
