//! The command line as clap sees it: every subcommand's arguments, with their defaults stated
//! here once and their ranges checked as they are parsed. Each subcommand turns its arguments
//! into a validated configuration before it opens or writes anything.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::geometry::metrics::MetricsConfig;
use crate::geometry::preset::{Measure, Practice};
use crate::pose::{EngineConfig, ModelKind};
use crate::report::{ExportFormat, FORMATS};
use crate::source::DEFAULT_FPS;
use crate::source::camera::BackendKind;

mod parsers;
use parsers::{
    activity, goal_minutes, measures, min_visibility, positive_rate, threads_parser, window_size,
};

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
    Cameras(CamerasArgs),
    /// Open the desktop app: live posture feedback from the camera (or a file, or the demo).
    App(AppArgs),
    /// List recorded sessions, or show or delete one.
    Sessions(SessionsArgs),
    /// Write a session's report: HTML to look at, PDF to print or hand on, CSV or JSON to load
    /// elsewhere.
    Report(ReportArgs),
    /// What plumbline keeps: `data erase` forgets every session, picture, setting and report.
    Data(DataArgs),
    /// Check what the app needs on this machine (ONNX Runtime, the models, FFmpeg, cameras, the
    /// data folder, display, sound, speech) and say how to fix what is wrong; exit code 0 when
    /// nothing is a problem. Paste its output into a bug report.
    Doctor(DoctorArgs),
    /// Print the shell completion script for SHELL (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the manual pages (plumbline.1 and one per command) into DIR, replacing earlier
    /// copies there.
    Man {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
    /// Print the checks as JSON (name, status ok/warning/problem, detail, fix).
    #[arg(long)]
    pub json: bool,
    /// Also look through the first camera for two seconds, as the app would: is a person
    /// found, is the light good enough (too dark, lit from behind, washed out), is the camera
    /// well placed; with the advice the app would give.
    #[arg(long, conflicts_with = "source")]
    pub camera: bool,
    /// Look at a video or images instead of the camera (the same check, e.g. on a recording
    /// of your room).
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    #[command(flatten)]
    pub camera_backend: CameraBackendArg,
    #[command(flatten)]
    pub data: DataDirArg,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CamerasArgs {
    #[command(flatten)]
    pub camera: CameraBackendArg,
}

/// How cameras are opened, for `app` and `cameras`.
#[derive(Debug, Clone, clap::Args)]
pub struct CameraBackendArg {
    /// How to reach the camera (default: the one chosen in Settings, else auto): `system`
    /// (the system's camera driver), `ffmpeg` (FFmpeg's device input: v4l2, dshow,
    /// avfoundation) or `auto` (the system's, then FFmpeg's when that cannot open or read
    /// the camera).
    #[arg(long, value_enum, value_name = "BACKEND")]
    pub camera_backend: Option<BackendKind>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct AppArgs {
    /// Play this video, image folder or glob instead of the camera.
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    /// Landmark model for this run (default: the one chosen in Settings, else full).
    #[arg(long, value_enum)]
    pub model: Option<ModelKind>,
    /// ONNX Runtime threads per model, 1 to 64 (default: one less than the cores, so the
    /// window keeps one to repaint; at most 4).
    #[arg(long, value_parser = threads_parser())]
    pub threads: Option<usize>,
    /// Folder holding the ONNX models (default: $PLUMBLINE_MODELS_DIR, else the installed
    /// share/plumbline/models, or models\ beside plumbline.exe on Windows, else the
    /// checkout's models/).
    #[arg(long, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataDirArg,
    #[command(flatten)]
    pub camera: CameraBackendArg,
    /// Start recording a session as soon as the analysis starts (for a desktop shortcut that
    /// begins a practice).
    #[arg(long)]
    pub record: bool,
    /// Calibrate as soon as the analysis starts (the countdown gives time to stand in place).
    #[arg(long)]
    pub calibrate: bool,
    /// Start in this view (default: the one used last): `practice` (big type, to read from a
    /// distance) or `details` (every metric, the plot, the diagnostics).
    #[arg(long, value_enum)]
    pub view: Option<ViewArg>,
    /// Open full screen (F11 or Esc leaves it).
    #[arg(long)]
    pub fullscreen: bool,
    /// The window's size in points, WIDTHxHEIGHT (default 1180x720).
    #[arg(long, value_name = "WxH", value_parser = window_size)]
    pub window_size: Option<[f32; 2]>,
    /// Save a PNG of the window after --frames analysed frames (or when the video ends), then
    /// close.
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,
    /// Frames to analyse before the screenshot (at least 1).
    #[arg(long, default_value_t = 30, requires = "screenshot",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub frames: u64,
}

/// The window's views, as `app --view` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ViewArg {
    Practice,
    Details,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SessionsArgs {
    #[command(subcommand)]
    pub action: Option<SessionsAction>,
    /// Print the list as a JSON array.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataDirArg,
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

#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    #[command(subcommand)]
    pub action: DataAction,
    #[command(flatten)]
    pub data: DataDirArg,
}

#[derive(Debug, Clone, Subcommand)]
pub enum DataAction {
    /// Erase every session with its pictures, the settings and the app's reports (overwritten,
    /// then removed), and the data folder if nothing else is in it. Asks first unless --yes.
    Erase {
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// `--format`'s values: the names in the report's table of formats.
fn export_format() -> impl clap::builder::TypedValueParser<Value = ExportFormat> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(FORMATS.iter().map(|f| f.name)).try_map(|name| {
        ExportFormat::from_name(&name).ok_or_else(|| format!("no format is called {name}"))
    })
}

/// The PDF's paper, as `report --paper` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The session's id (see `plumbline sessions`).
    pub id: i64,
    /// The file's format (default: the one its extension names, else html).
    #[arg(long, value_parser = export_format())]
    pub format: Option<ExportFormat>,
    /// The file to write.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// The PDF's paper (default: the one chosen in the app's settings, else A4).
    #[arg(long, value_enum)]
    pub paper: Option<PaperArg>,
    /// The patient's name or label, shown in the report's header (on every page of a PDF)
    /// (default: the one set in the app's settings; '' for none).
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    #[command(flatten)]
    pub data: DataDirArg,
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
    /// the one in the saved settings).
    #[arg(long, value_name = "P", value_parser = min_visibility)]
    pub min_visibility: Option<f32>,
    /// Judge absolute values, ignoring the calibration saved by the app.
    #[arg(long)]
    pub no_calibration: bool,
    /// Judge only these measures, comma-separated: trunk_upright, shoulders_over_hips,
    /// level_shoulders, head_over_shoulders, plumb_line (default: the app's preset).
    #[arg(long, value_name = "LIST", value_parser = measures, value_delimiter = ',')]
    pub measures: Option<Vec<Measure>>,
    /// The activity the session is for: free (judge whatever the person does), standing or
    /// walking (judge only while doing it) (default: the app's preset).
    #[arg(long, value_name = "ACTIVITY", value_parser = activity)]
    pub activity: Option<Practice>,
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
    /// The practice length aimed for, in minutes (above 0): kept with the recorded session, and
    /// the summary says whether the analysed time reached it.
    #[arg(long, value_name = "MINUTES", value_parser = goal_minutes)]
    pub goal: Option<f64>,
    #[command(flatten)]
    pub data: DataDirArg,
}

/// Engine options shared by every command that runs the models.
#[derive(Debug, Clone, clap::Args)]
pub struct EngineArgs {
    /// Landmark model: lite is fastest, heavy most accurate.
    #[arg(long, value_enum, default_value_t = ModelKind::Full)]
    pub model: ModelKind,
    /// ONNX Runtime threads per model, 1 to 64 (default: number of cores, at most 4).
    #[arg(long, value_parser = threads_parser())]
    pub threads: Option<usize>,
    /// Folder holding the ONNX models (default: $PLUMBLINE_MODELS_DIR, else the installed
    /// share/plumbline/models, or models\ beside plumbline.exe on Windows, else the
    /// checkout's models/).
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
    /// Show the models dark images as they are: by default an image darker than a mean luma
    /// of 40 (of 255) is brightened first (a stretch and a gamma).
    #[arg(long)]
    pub no_brighten: bool,
    /// Frame rate that timestamps the frames of a --sequence (above 0).
    #[arg(long, default_value_t = DEFAULT_FPS, requires = "sequence", value_parser = positive_rate)]
    pub fps: f64,
    /// Landmarks below this visibility are not used by the metrics (0..1).
    #[arg(long, default_value_t = MetricsConfig::default().min_visibility, value_name = "P",
          value_parser = min_visibility)]
    pub min_visibility: f32,
}

/// The engine settings that `args` ask for; `video` turns on tracking and smoothing.
pub fn engine_config(args: &EngineArgs, video: bool) -> EngineConfig {
    let mut config = if video {
        EngineConfig::video(args.model)
    } else {
        EngineConfig::still_images(args.model)
    };
    if let Some(t) = args.threads {
        config.threads = t;
    }
    if let Some(dir) = &args.models_dir {
        config.models_dir = dir.clone();
    }
    config
}

/// Where settings and sessions live, for every subcommand that keeps or reads them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DataDirArg {
    /// Where settings and sessions are kept (default: $PLUMBLINE_DATA_DIR, else the
    /// platform's data folder).
    #[arg(long = "data-dir", value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,
}

impl DataDirArg {
    pub fn get(&self) -> Option<&Path> {
        self.dir.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn out_of_range_values_are_refused_while_parsing() {
        for bad in [
            &["plumbline", "pose", "x.png", "--min-visibility", "1.5"][..],
            &["plumbline", "pose", "x.png", "--threads", "0"],
            &["plumbline", "pose", "x.png", "--sequence", "--fps=-3"],
            &["plumbline", "pose", "x.png", "--sequence", "--fps", "0"],
            &["plumbline", "analyze", "x.mp4", "--min-visibility", "nan"],
            &["plumbline", "app", "--screenshot", "a.png", "--frames", "0"],
            &["plumbline", "analyze", "x.mp4", "--goal", "0"],
            &["plumbline", "analyze", "x.mp4", "--goal=-5"],
            &["plumbline", "analyze", "x.mp4", "--goal", "nan"],
            &["plumbline", "analyze", "x.mp4", "--goal", "inf"],
            &["plumbline", "analyze", "x.mp4", "--goal", "ten"],
        ] {
            let e = Args::try_parse_from(bad).unwrap_err();
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{bad:?}: {e}"
            );
        }
    }

    #[test]
    fn a_goal_is_minutes_above_zero() {
        let goal = |line: &[&str]| match Args::try_parse_from(line).map(|a| a.command) {
            Ok(Some(Command::Analyze(a))) => Ok(a.goal),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.to_string()),
        };
        assert_eq!(goal(&["plumbline", "analyze", "x.mp4"]), Ok(None));
        assert_eq!(
            goal(&["plumbline", "analyze", "x.mp4", "--goal", "2.5"]),
            Ok(Some(2.5))
        );
        let e = goal(&["plumbline", "analyze", "x.mp4", "--goal", "0"]).unwrap_err();
        assert!(
            e.contains("--goal <MINUTES>") && e.contains("a number above 0"),
            "{e}"
        );
        let e = goal(&["plumbline", "analyze", "x.mp4", "--goal", "ten"]).unwrap_err();
        assert!(e.contains("'ten' is not a number of minutes"), "{e}");
    }

    #[test]
    fn the_data_dir_is_one_flag_everywhere() {
        for line in [
            &["plumbline", "analyze", "x.mp4", "--data-dir", "/d"][..],
            &["plumbline", "app", "--data-dir", "/d"],
            &[
                "plumbline",
                "report",
                "1",
                "-o",
                "r.html",
                "--data-dir",
                "/d",
            ],
            &["plumbline", "sessions", "--data-dir", "/d", "show", "1"],
            &["plumbline", "sessions", "show", "1", "--data-dir", "/d"],
        ] {
            let args = Args::try_parse_from(line).unwrap();
            let dir = match args.command.unwrap() {
                Command::Analyze(a) => a.data.dir,
                Command::App(a) => a.data.dir,
                Command::Report(a) => a.data.dir,
                Command::Sessions(a) => a.data.dir,
                other => panic!("{other:?}"),
            };
            assert_eq!(dir.as_deref(), Some(Path::new("/d")), "{line:?}");
        }
    }
}
