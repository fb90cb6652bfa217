//! The command line: clap arguments → a validated command → one function per subcommand.
//! Every exit code is chosen here.

mod analyze;
mod cameras;
mod pose;
mod sessions;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::pose::ModelKind;

/// Live posture feedback from a webcam: are your shoulders stacked over your hips?
#[derive(Debug, Parser)]
#[command(name = "plumbline", version, about, long_about = None)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print each image's pose as one JSON object per line (MediaPipe's conventions).
    Pose(PoseArgs),
    /// Analyse every frame of a video or image folder: per-frame CSV and a JSON summary.
    Analyze(AnalyzeArgs),
    /// List the webcams, one per line: index, then name.
    Cameras,
    /// Open the desktop app: live posture feedback from the camera (or a file, or the demo).
    App(AppArgs),
    /// List recorded sessions, or show or delete one.
    Sessions(SessionsArgs),
    /// Write a session's report: HTML to look at, CSV or JSON to load elsewhere.
    Report(ReportArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct AppArgs {
    /// Play this video, image folder or glob instead of the camera.
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    /// Landmark model for this run (default: the one chosen in Settings, else full).
    #[arg(long, value_enum)]
    pub model: Option<ModelKind>,
    /// ONNX Runtime threads per model (default: one less than the cores, so the window keeps
    /// one to repaint; at most 4).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Folder holding the ONNX models (default: $PLUMBLINE_MODELS_DIR, else the checkout's models/).
    #[arg(long, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,
    /// Where settings and sessions are kept (default: $PLUMBLINE_DATA_DIR, else the platform's data folder).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Start recording a session as soon as the analysis starts (for a desktop shortcut that
    /// begins a practice).
    #[arg(long)]
    pub record: bool,
    /// Save a PNG of the window after --frames analysed frames (or when the video ends), then
    /// close.
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,
    /// Frames to analyse before the screenshot.
    #[arg(long, default_value_t = 30, requires = "screenshot")]
    pub frames: u64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SessionsArgs {
    #[command(subcommand)]
    pub action: Option<SessionsAction>,
    /// Print the list as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Where sessions are kept (default: $PLUMBLINE_DATA_DIR, else the platform's data folder).
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum SessionsAction {
    /// Print one session and its summary as JSON.
    Show { id: i64 },
    /// Delete a session and everything recorded with it.
    Delete {
        id: i64,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Html,
    Csv,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The session's id (see `plumbline sessions`).
    pub id: i64,
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// The file to write.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Where sessions are kept (default: $PLUMBLINE_DATA_DIR, else the platform's data folder).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct AnalyzeArgs {
    /// A video (MP4, MOV, WebM, AVI…), a folder of images, a glob like 'shots/*.jpg', or one image.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Write per-frame metrics here (columns: frame, t_ms, person, every metric, state).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write the summary here as JSON ('-' for standard output).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Landmarks below this visibility are not used by the metrics and rules (0..1; default:
    /// the one in the saved settings, else 0.5).
    #[arg(long, value_name = "P")]
    pub min_visibility: Option<f32>,
    /// Judge absolute values, ignoring the calibration saved by the app.
    #[arg(long)]
    pub no_calibration: bool,
    /// Track the person but do not smooth the landmarks.
    #[arg(long)]
    pub no_smoothing: bool,
    /// No progress bar or closing line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not record a session (by default every analysis is kept for `plumbline sessions`).
    #[arg(long)]
    pub no_record: bool,
    /// A note kept with the recorded session.
    #[arg(long, default_value = "")]
    pub notes: String,
    /// Where sessions are kept (default: $PLUMBLINE_DATA_DIR, else the platform's data folder).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Engine options shared by every command that runs the models.
#[derive(Debug, Clone, clap::Args)]
pub struct EngineArgs {
    /// Landmark model: lite is fastest, heavy most accurate.
    #[arg(long, value_enum, default_value_t = ModelKind::Full)]
    pub model: ModelKind,
    /// ONNX Runtime threads per model (default: number of cores, at most 4).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Folder holding the ONNX models (default: $PLUMBLINE_MODELS_DIR, else the checkout's models/).
    #[arg(long, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct PoseArgs {
    /// Images to analyse (PNG, JPEG, BMP, WebP, TIFF).
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Treat the images as consecutive video frames: track the person and smooth landmarks.
    #[arg(long)]
    pub sequence: bool,
    /// With --sequence: track the person but do not smooth the landmarks.
    #[arg(long, requires = "sequence")]
    pub no_smoothing: bool,
    /// Frame rate that timestamps the frames of a --sequence.
    #[arg(long, default_value_t = 30.0, requires = "sequence")]
    pub fps: f64,
    /// Landmarks below this visibility are not used by the metrics (0..1).
    #[arg(long, default_value_t = 0.5, value_name = "P")]
    pub min_visibility: f32,
}

/// The bundled example the program shows when run without arguments.
pub fn example_image() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join("example-astronaut.png")
}

/// Exit codes: 0 success, 1 some inputs failed (others were processed), 2 nothing could run,
/// 130 interrupted.
pub mod exit {
    pub const PARTIAL: u8 = 1;
    pub const FATAL: u8 = 2;
    /// Stopped by Ctrl-C after keeping what was done (the shell's 128 + SIGINT).
    pub const INTERRUPTED: u8 = 130;
}

/// Parses `args`, runs the command and maps the outcome to an exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    init_logging();
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::FATAL } else { 0 });
        }
    };
    let result = match args.command {
        Some(Command::Pose(p)) => pose::run(&p),
        Some(Command::Analyze(a)) => analyze::run(&a),
        Some(Command::Cameras) => cameras::run(),
        Some(Command::App(a)) => run_app(&a),
        Some(Command::Sessions(a)) => sessions::run(&a),
        Some(Command::Report(a)) => sessions::report(&a),
        None if has_display() => run_app(&AppArgs {
            source: None,
            model: None,
            threads: None,
            models_dir: None,
            data_dir: None,
            record: false,
            screenshot: None,
            frames: 30,
        }),
        None => {
            eprintln!(
                "plumbline: no display here for the app (DISPLAY and WAYLAND_DISPLAY are unset)"
            );
            let example = example_image();
            eprintln!(
                "plumbline: no command given; showing the pose found in the bundled example {}\n\
                 (run `plumbline --help` for the commands)",
                example.display()
            );
            let p = PoseArgs {
                images: vec![example],
                engine: EngineArgs {
                    model: ModelKind::Full,
                    threads: None,
                    models_dir: None,
                },
                sequence: false,
                no_smoothing: false,
                fps: 30.0,
                min_visibility: 0.5,
            };
            pose::run(&p)
        }
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Interrupted) => ExitCode::from(exit::INTERRUPTED),
        Ok(Outcome::SomeFailed(n)) => {
            eprintln!("plumbline: {n} input(s) could not be processed");
            ExitCode::from(exit::PARTIAL)
        }
        Err(e) => {
            if is_broken_pipe(&e) {
                // `plumbline pose … | head` closed the pipe: not an error for the user.
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "plumbline: error: {e:#}");
            ExitCode::from(exit::FATAL)
        }
    }
}

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// This many inputs were reported and skipped.
    SomeFailed(usize),
    /// The user stopped the run; what was done is kept.
    Interrupted,
}

/// The engine settings that `args` ask for; `video` turns on tracking and smoothing.
pub fn engine_config(args: &EngineArgs, video: bool) -> crate::pose::EngineConfig {
    let mut config = if video {
        crate::pose::EngineConfig::video(args.model)
    } else {
        crate::pose::EngineConfig::still_images(args.model)
    };
    if let Some(t) = args.threads {
        config.threads = t;
    }
    if let Some(dir) = &args.models_dir {
        config.models_dir = dir.clone();
    }
    config
}

fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

fn run_app(args: &AppArgs) -> anyhow::Result<Outcome> {
    // The window needs a core of its own to repaint at display rate (under Xvfb or on a
    // machine without a GPU it paints in software): inference gets the rest. Measured on
    // 2 vCPUs with the heavy model: 25 repaints/s with 2 ORT threads, 45/s with 1, for 16 vs
    // 13 results/s.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let engine = EngineArgs {
        model: args.model.unwrap_or_default(),
        threads: args.threads.or(Some((cores.saturating_sub(1)).clamp(1, 4))),
        models_dir: args.models_dir.clone(),
    };
    let options = crate::ui::AppOptions {
        model: args.model,
        data_dir: args.data_dir.clone(),
        source: args.source.clone(),
        record: args.record,
        screenshot: args.screenshot.clone(),
        frames: args.frames,
        ..crate::ui::AppOptions::new(engine_config(&engine, true))
    };
    crate::ui::run(options).map_err(|e| anyhow::anyhow!("cannot open the app window: {e}"))?;
    Ok(Outcome::Success)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Args::command().debug_assert();
    }
}
