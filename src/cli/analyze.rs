//! `plumbline analyze`: every frame of a video or image folder, judged as the app judges it
//! (the same saved settings), per-frame metrics to CSV, a summary to JSON, a session recorded,
//! a progress bar meanwhile. Ctrl-C stops cleanly and keeps what was written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::args::{AnalyzeArgs, engine_config};
use super::outcome::Outcome;
use crate::geometry::judge::JudgeConfig;
use crate::pipeline::offline::{self, Ending, Event};
use crate::pose::{EngineConfig, PoseEstimator};
use crate::report::csv as csv_report;
use crate::report::summary::SummaryBuilder;
use crate::report::write::check_output;
use crate::session::EventKind;
use crate::session::store::{self, SessionMeta};
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
            quiet: args.quiet,
        })
    }
}

pub fn run(args: &AnalyzeArgs) -> anyhow::Result<Outcome> {
    let config = AnalyzeConfig::from_args(args)?;
    if let Some(note) = &config.settings_note {
        eprintln!("plumbline: {note}");
    }
    // Everything that can fail before the analysis fails before an output is touched.
    let mut estimator =
        PoseEstimator::new(&config.engine).context("cannot start the pose engine")?;
    let source = crate::source::open(&config.input)
        .with_context(|| format!("cannot analyse {}", config.input.display()))?;
    let total = source.len_hint();
    let described = source.describe();
    let model = config.engine.model.name();

    let mut csv = match &config.csv {
        Some(path) => Some(open_csv(path)?),
        None => None,
    };
    let mut session = match &config.record {
        Some((dir, notes)) => Some(start_session(dir, &described, model, &config.judge, notes)?),
        None => None,
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // Ctrl-C raises the stop flag: the analysis ends after the current frame and keeps
        // everything written. Failing to install the handler is not fatal.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed));
    }

    let bar = progress_bar(total, config.quiet);
    let mut summary = SummaryBuilder::default();
    let mut write_error = None;
    let ending = offline::analyze(
        source,
        &mut estimator,
        &config.judge,
        &stop,
        |event| match event {
            Event::Sample(a) => {
                let (sample, t) = (a.sample, a.analysis.timings);
                let judgment = &a.analysis.judgment;
                summary.push(sample);
                for e in &judgment.motion.events {
                    summary.push_event(EventKind::of_motion(e));
                }
                if let Some(kind) = judgment.alerts.fired.as_ref().and_then(EventKind::of_alert) {
                    summary.push_event(kind);
                }
                summary.push_timings([t.capture, t.preprocess, t.inference, t.geometry]);
                if write_error.is_none()
                    && let Some(w) = csv.as_mut()
                    && let Err(e) = write_row(w, sample, summary.frames() % FLUSH_EVERY == 0)
                {
                    write_error = Some(e.context(format!("cannot write {}", display(&config.csv))));
                    stop.store(true, Ordering::Relaxed);
                }
                if write_error.is_none()
                    && let Some(writer) = session.as_mut()
                    && let Err(e) = writer.write(FrameRecord {
                        sample,
                        pose: a.analysis.pose.as_ref(),
                        image: &a.frame.image,
                        events: &judgment.motion.events,
                        alert: judgment.alerts.fired.as_ref(),
                    })
                {
                    write_error = Some(anyhow::Error::new(e).context("cannot record the session"));
                    stop.store(true, Ordering::Relaxed);
                }
                bar.inc(1);
            }
            Event::Skipped(e) => {
                summary.skipped();
                bar.suspend(|| eprintln!("plumbline: skipped a frame: {e}"));
                bar.inc(1);
            }
        },
    )
    .context("pose estimation failed")?;
    bar.finish_and_clear();
    if let Some(mut w) = csv {
        w.flush()
            .with_context(|| format!("cannot write {}", display(&config.csv)))?;
    }
    if let Some(e) = write_error {
        // What was recorded so far stays in the database (the recorder flushes on drop).
        return Err(e);
    }
    let session = match session.take() {
        Some(writer) => Some(writer.finish().context("cannot record the session")?),
        None => None,
    };

    let note = match &ending {
        Ending::Complete => None,
        Ending::Interrupted => {
            Some("interrupted (Ctrl-C); the frames before it were analysed".to_string())
        }
        Ending::SourceFailed(e) => Some(format!("the input ended early: {e}")),
    };
    summary.set_preset(Some(config.judge.preset.clone()));
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
            let mut f = BufWriter::new(
                File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
            );
            serde_json::to_writer_pretty(&mut f, &s)?;
            f.write_all(b"\n")?;
            f.flush()
                .with_context(|| format!("cannot write {}", p.display()))?;
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
        Ending::Complete => Ok(Outcome::Success),
        Ending::Interrupted => Ok(Outcome::Interrupted),
        Ending::SourceFailed(e) => {
            eprintln!("plumbline: {e}");
            Ok(Outcome::SomeFailed(1))
        }
    }
}

fn display(p: &Option<PathBuf>) -> String {
    p.as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn open_csv(path: &Path) -> anyhow::Result<csv::Writer<BufWriter<File>>> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    w.write_record(csv_report::header())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(w)
}

fn write_row(
    w: &mut csv::Writer<BufWriter<File>>,
    sample: &crate::session::Sample,
    flush: bool,
) -> anyhow::Result<()> {
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
) -> anyhow::Result<SessionWriter> {
    let mut db = super::sessions::open_store(Some(dir))?;
    let meta = SessionMeta {
        source: source.to_string(),
        model: model.to_string(),
        calibration: judge.baseline.clone(),
        preset: Some(judge.preset.clone()),
        notes: notes.to_string(),
    };
    Ok(SessionWriter::new(db.start_session(meta)?))
}
