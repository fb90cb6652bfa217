//! The command line: clap arguments → a validated command → one function per subcommand.
//! Every exit code is chosen here.

mod analyze;
mod app;
mod args;
mod cameras;
mod data;
mod docs;
mod doctor;
mod outcome;
mod pose;
mod say;
mod sessions;
mod stop;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use say::say;

pub use args::{
    AnalyzeArgs, AppArgs, Args, Command, DataAction, DataArgs, DataDirArg, DoctorArgs, EngineArgs,
    PaperArg, PoseArgs, ReportArgs, SessionsAction, SessionsArgs,
};
pub use outcome::{Outcome, exit};

/// The bundled example the program shows when run without arguments.
pub fn example_image() -> PathBuf {
    crate::install::find(crate::install::EXAMPLE_PHOTO)
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
        Some(Command::Cameras(a)) => cameras::run(&a),
        Some(Command::Doctor(a)) => doctor::run(&a),
        Some(Command::Data(a)) => data::run(&a),
        Some(Command::Completions { shell }) => docs::completions(shell),
        Some(Command::Man { dir }) => docs::man(&dir),
        Some(Command::App(a)) => app::run(&a),
        Some(Command::Sessions(a)) => sessions::run(&a),
        Some(Command::Report(a)) => sessions::report(&a),
        None => run_default(),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Interrupted) => ExitCode::from(exit::INTERRUPTED),
        Ok(Outcome::SomeFailed(n)) => {
            say(format_args!("{n} input(s) could not be processed"));
            ExitCode::from(exit::PARTIAL)
        }
        Ok(Outcome::Problems(n)) => {
            say(format_args!("{n} problem(s) found (see above)"));
            ExitCode::from(exit::PARTIAL)
        }
        Ok(Outcome::OutputsLost(n)) => {
            say(format_args!(
                "{n} output(s) could not be written in full (see above)"
            ));
            ExitCode::from(exit::PARTIAL)
        }
        Err(e) => {
            if is_broken_pipe(&e) {
                // `plumbline pose … | head` closed the pipe: not an error for the user.
                return ExitCode::SUCCESS;
            }
            say(format_args!("error: {e:#}"));
            ExitCode::from(exit::FATAL)
        }
    }
}

fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// No subcommand: the app where there is a display; elsewhere the pose in the bundled example
/// photo, so a first run on a server shows that everything works. Each is run exactly as its
/// subcommand with no arguments would be, defaults and all.
fn run_default() -> anyhow::Result<Outcome> {
    let line: Vec<OsString> = if has_display() {
        vec!["plumbline".into(), "app".into()]
    } else {
        let example = example_image();
        eprintln!(
            "plumbline: no display here for the app (DISPLAY and WAYLAND_DISPLAY are unset)\n\
             plumbline: no command given; showing the pose found in the bundled example {}\n\
             (run `plumbline --help` for the commands)",
            example.display()
        );
        vec!["plumbline".into(), "pose".into(), example.into()]
    };
    match Args::try_parse_from(line)?.command {
        Some(Command::App(a)) => app::run(&a),
        Some(Command::Pose(p)) => pose::run(&p),
        other => anyhow::bail!("unexpected default command {other:?}"),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let pipe = Some(std::io::ErrorKind::BrokenPipe);
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().map(std::io::Error::kind) == pipe
            // JSON written straight to stdout fails inside serde_json.
            || c.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == pipe
            // Through `files::output`, which keeps the I/O error in its message.
            || c.downcast_ref::<crate::files::OutputError>()
                .and_then(crate::files::OutputError::io_kind)
                == pipe
    })
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // usvg warns of every zero-height bar in a histogram it reads for the PDF: not news.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,usvg=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
