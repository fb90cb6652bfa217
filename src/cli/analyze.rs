//! `plumbline analyze`: every frame of a video or image folder, judged as the app judges it
//! (the same saved settings), per-frame metrics to CSV, a summary to JSON, a session recorded,
//! a progress bar meanwhile. Ctrl-C stops cleanly and keeps what was written.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::args::{AnalyzeArgs, engine_config};
use super::outcome::Outcome;
use super::say::say;
use super::stop::Stop;
use crate::files::{Output, Target};
use crate::geometry::judge::JudgeConfig;
use crate::geometry::motion::MotionEvent;
use crate::pipeline::offline::{self, Analysed, Ending, Event};
use crate::pose::{EngineConfig, ModelKind, PoseEstimator};
use crate::report::csv as csv_report;
use crate::report::summary::{Summary, SummaryBuilder};
use crate::report::write::guard;
use crate::session::EventKind;
use crate::session::store::{self, SessionEnd, SessionId, SessionMeta};
use crate::session::writer::{FrameRecord, SessionWriter};
use crate::settings::Settings;

/// Rows between flushes of the CSV file: at most this many are lost if the machine dies.
const FLUSH_EVERY: u64 = 30;

/// `plumbline analyze`'s arguments, checked and resolved before anything is opened or written.
#[derive(Debug, Clone)]
struct AnalyzeConfig {
    input: PathBuf,
    engine: EngineConfig,
    /// How frames are judged: the saved settings (the app's), with the command line's changes.
    judge: JudgeConfig,
    /// Where the settings came from, when they did.
    settings_note: Option<String>,
    /// Per-frame rows (`-`: standard output).
    csv: Option<Target>,
    /// The summary (`-`: standard output).
    json: Option<Target>,
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
            let dir = data_dir?;
            if let Some(why) = store::cannot_record(&dir) {
                anyhow::bail!(
                    "cannot record the session: {why}; run with --no-record to analyse without \
                     recording, or give a writable --data-dir"
                );
            }
            Some((dir, args.notes.clone()))
        };
        // Every output is looked at before anything is opened: a folder, a missing folder or a
        // read-only file is refused now, not after the analysis, and no output may replace what
        // is read (the input or its frames, the session database, the settings).
        let inputs = crate::source::input_files(&args.input);
        let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
        let guard = guard(known_data_dir.as_deref(), &inputs);
        let target = |flag: &str, path: &Path| -> anyhow::Result<Target> {
            let target = Target::new(path).context(flag.to_string())?;
            target.check(&guard).context(flag.to_string())?;
            Ok(target)
        };
        let csv = args
            .csv
            .as_deref()
            .map(|p| target("--csv", p))
            .transpose()?;
        let json = args
            .json
            .as_deref()
            .map(|p| target("--json", p))
            .transpose()?;
        if let (Some(c), Some(j)) = (&csv, &json)
            && c.same_place(j)
        {
            if j.is_stdout() {
                anyhow::bail!(
                    "--csv and --json cannot both go to standard output ('-'); send one of them \
                     to a file"
                );
            }
            anyhow::bail!(
                "--csv and --json both write to {}; give each a file of its own",
                j.path().display()
            );
        }
        Ok(Self {
            input: args.input.clone(),
            engine,
            judge,
            settings_note,
            csv,
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
        note.lines().for_each(say);
    }
    // Everything that can fail before the analysis fails before an output is touched.
    let mut estimator =
        PoseEstimator::new(&config.engine).context("cannot start the pose engine")?;
    let source = crate::source::open(&config.input)
        .with_context(|| format!("cannot analyse {}", config.input.display()))?;
    if let Some(reason) = stop.reason() {
        say(format_args!(
            "{reason} before the analysis began; nothing was written"
        ));
        return Ok(Outcome::Interrupted);
    }
    let total = source.len_hint();
    let described = source.describe();
    let mut outputs = Outputs::open(&config, &described)?;

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
                bar.suspend(|| say(e));
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
    let s = summary.finish(&described, config.engine.model.name(), note);
    if let Some(target) = &config.json {
        // A closed pipe (`… --json - | head`) is an error to end on quietly, not a panic.
        write_json(target, &s)?;
    }
    let to_stdout = |t: &Option<Target>| t.as_ref().is_some_and(Target::is_stdout);
    if !config.quiet && !to_stdout(&config.json) {
        say(format_args!(
            "{} frames, {} with a person, {:.0}% of the time aligned{}",
            s.frames,
            s.frames_with_person,
            s.time_in_state.aligned_fraction * 100.0,
            config
                .csv
                .as_ref()
                .filter(|t| outputs.lost.is_empty() && !t.is_stdout())
                .map(|t| format!("; per-frame metrics in {}", t.path().display()))
                .unwrap_or_default()
        ));
        if let Some(id) = session {
            say(format_args!(
                "recorded as session {id}; `plumbline report {id} --format html -o report.html` writes its report"
            ));
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
            say(&e);
            Ok(Outcome::SomeFailed(1))
        }
    }
}

/// The CSV being written (into a temporary file beside a regular file, or straight out).
type CsvOut = csv::Writer<BufWriter<Output>>;

/// Where each analysed frame goes: the CSV (streamed into a temporary file beside its target,
/// or straight into a stream) and the session. An output that fails (a full disk) is reported once and dropped, and the
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
    fn open(config: &AnalyzeConfig, described: &str) -> anyhow::Result<Self> {
        let session = match &config.record {
            Some((dir, notes)) => Some(start_session(
                dir,
                described,
                config.engine.model,
                &config.judge,
                notes,
                config.goal_s,
            )?),
            None => None,
        };
        let csv = match &config.csv {
            Some(target) => Some(open_csv(target)?),
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
            let out = w.get_ref().get_ref();
            let path = out.path().display().to_string();
            if out.is_stream() && is_broken_pipe(&e) {
                // The reader stopped reading (`--csv - | head`): nothing to tell.
                tracing::debug!("{path} was closed by its reader");
            } else if out.is_stream() {
                self.lose(
                    format!("cannot write {path} ({e:#}); its rows end here"),
                    bar,
                );
            } else {
                self.lose(
                    format!("cannot write {path} ({e:#}); it is left as it was"),
                    bar,
                );
            }
            // Dropping it removes the temporary file.
            self.csv = None;
        }
        let judgment = &a.analysis.judgment;
        if let Some(writer) = self.session.as_mut()
            && let Err(e) = writer.write(FrameRecord {
                sample,
                pose: a.analysis.pose.as_ref(),
                image: Some(&a.frame.image),
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
        bar.suspend(|| say(format_args!("{message}; the analysis goes on")));
        self.lost.push(message);
    }

    /// Renames the CSV into place with what was analysed and closes the session as `end`
    /// says; returns the session's id when it was recorded to the end. Failures are reported
    /// (once) and counted in `lost`.
    fn close(&mut self, end: &SessionEnd) -> Option<SessionId> {
        if let Some(w) = self.csv.take() {
            let path = w.get_ref().get_ref().path().to_path_buf();
            let done = w
                .into_inner()
                .map_err(|e| anyhow::Error::new(e.into_error()))
                .and_then(|buf| buf.into_inner().map_err(|e| e.into_error().into()))
                .and_then(|out| out.commit().map_err(anyhow::Error::new));
            match done {
                Ok(()) => {}
                // The reader of `--csv -` stopped reading: nothing to tell.
                Err(e) if is_broken_pipe(&e) => {}
                Err(e) => {
                    let message = format!(
                        "cannot write {} ({e:#}); it is left as it was",
                        path.display()
                    );
                    say(&message);
                    self.lost.push(message);
                }
            }
        }
        let writer = self.session.take()?;
        let id = writer.session();
        match writer.finish(end.clone()) {
            Ok(id) => Some(id),
            Err(e) => {
                let message = format!("cannot close session {id} ({e}); it is kept as recovered");
                say(&message);
                self.lost.push(message);
                None
            }
        }
    }
}

/// Writes the summary: into a temporary file renamed into place, or straight out.
fn write_json(target: &Target, summary: &Summary) -> anyhow::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(summary)?;
    bytes.push(b'\n');
    Ok(target.write_all(&bytes)?)
}

fn open_csv(target: &Target) -> anyhow::Result<CsvOut> {
    let mut w = csv::Writer::from_writer(BufWriter::new(target.open()?));
    w.write_record(csv_report::header())
        .with_context(|| format!("cannot write {}", target.path().display()))?;
    Ok(w)
}

/// Whether writing a row failed because the reader of a pipe went away.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>().is_some_and(|e| {
                matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
            || c.downcast_ref::<crate::files::OutputError>()
                .and_then(crate::files::OutputError::io_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
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
    model: ModelKind,
    judge: &JudgeConfig,
    notes: &str,
    goal_s: Option<f64>,
) -> anyhow::Result<SessionWriter> {
    let hint = "cannot record the session (run with --no-record to analyse without recording)";
    let mut db = super::sessions::open_store(Some(dir)).context(hint)?;
    let meta = SessionMeta::judged_by(source, model, judge, notes, goal_s);
    Ok(SessionWriter::new(db.start_session(meta).context(hint)?))
}
