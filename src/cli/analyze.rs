//! `plumbline analyze`: every frame of a video or image folder, per-frame metrics to CSV,
//! a summary to JSON, a progress bar meanwhile. Ctrl-C stops cleanly and keeps what was written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::{AnalyzeArgs, Outcome, engine_config};
use crate::pipeline::offline::{self, AnalysisConfig, Ending, Event};
use crate::pose::PoseEstimator;
use crate::report::csv as csv_report;
use crate::report::summary::SummaryBuilder;
use crate::session::keyframes::KeyframePicker;
use crate::session::store::{self, Recorder, SessionMeta, Store};

/// Rows between flushes of the CSV file: at most this many are lost if the machine dies.
const FLUSH_EVERY: u64 = 30;

pub fn run(args: &AnalyzeArgs) -> anyhow::Result<Outcome> {
    let mut engine = engine_config(&args.engine, true);
    engine.smoothing = !args.no_smoothing;
    let mut config = AnalysisConfig::new(engine);
    config.metrics.min_visibility = args.min_visibility;
    let source = crate::source::open(&args.input)
        .with_context(|| format!("cannot analyse {}", args.input.display()))?;
    let total = source.len_hint();
    let described = source.describe();

    let mut csv = match &args.csv {
        Some(path) => Some(open_csv(path)?),
        None => None,
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // Ctrl-C raises the stop flag: the analysis ends after the current frame and keeps
        // everything written. Failing to install the handler is not fatal.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed));
    }

    let mut recording = match args.no_record {
        true => None,
        false => Some(start_recording(
            args,
            &described,
            config.engine.model.name(),
        )?),
    };
    let mut picker = KeyframePicker::default();
    let mut last_state = None;

    let bar = progress_bar(total, args.quiet);
    let mut summary = SummaryBuilder::default();
    let mut write_error = None;
    let mut estimator =
        PoseEstimator::new(&config.engine).context("cannot start the pose engine")?;
    let ending = offline::analyze(
        source,
        &mut estimator,
        &config,
        &stop,
        |event| match event {
            Event::Sample(a) => {
                let (sample, t) = (a.sample, a.timings);
                summary.push(sample, Some(a.motion));
                summary.push_timings([t.capture, t.preprocess, t.inference, t.geometry]);
                if let Some(w) = csv.as_mut()
                    && write_error.is_none()
                {
                    let row = csv_report::row(sample);
                    let flush = summary.frames() % FLUSH_EVERY == 0;
                    if let Err(e) = w.write_record(&row).and_then(|_| {
                        if flush {
                            w.flush().map_err(Into::into)
                        } else {
                            Ok(())
                        }
                    }) {
                        write_error = Some(
                            anyhow::Error::new(e)
                                .context(format!("cannot write {}", display(&args.csv))),
                        );
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                if let Some(rec) = recording.as_mut()
                    && write_error.is_none()
                {
                    let changed = last_state != Some(sample.state);
                    last_state = Some(sample.state);
                    if let Err(e) = rec.record_frame(sample, a.pose, &a.motion.events, changed) {
                        write_error =
                            Some(anyhow::Error::new(e).context("cannot record the session"));
                        stop.store(true, Ordering::Relaxed);
                    }
                    picker.consider(sample, &a.frame.image, a.pose);
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
            .with_context(|| format!("cannot write {}", display(&args.csv)))?;
    }
    if let Some(e) = write_error {
        // What was recorded so far stays in the database (the recorder flushes on drop).
        return Err(e);
    }
    let session = match recording.take() {
        Some(mut rec) => {
            for k in picker.finish() {
                rec.keyframe(k.t_ms, k.kind, k.jpeg, Some(&k.pose))
                    .context("cannot record the session")?;
            }
            Some(rec.finish().context("cannot record the session")?)
        }
        None => None,
    };

    let note = match &ending {
        Ending::Complete => None,
        Ending::Interrupted => {
            Some("interrupted (Ctrl-C); the frames before it were analysed".to_string())
        }
        Ending::SourceFailed(e) => Some(format!("the input ended early: {e}")),
    };
    let model = config.engine.model.name();
    let s = summary.finish(&described, model, note.clone());
    match args.json.as_deref() {
        Some(p) if p == Path::new("-") => println!("{}", serde_json::to_string_pretty(&s)?),
        Some(p) => {
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
    if !args.quiet && args.json.as_deref() != Some(Path::new("-")) {
        eprintln!(
            "plumbline: {} frames, {} with a person, {:.0}% of the time aligned{}",
            s.frames,
            s.frames_with_person,
            s.time_in_state.aligned_fraction * 100.0,
            args.csv
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

fn display(p: &Option<std::path::PathBuf>) -> String {
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

fn start_recording(args: &AnalyzeArgs, source: &str, model: &str) -> anyhow::Result<Recorder> {
    let dir = store::data_dir(args.data_dir.as_deref())?;
    let mut db = Store::open(&dir)?;
    let meta = SessionMeta {
        source: source.to_string(),
        model: model.to_string(),
        calibration: None,
        notes: args.notes.clone(),
    };
    Ok(db.start_session(meta)?)
}
