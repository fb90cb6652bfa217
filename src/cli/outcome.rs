//! How a command ended, and the exit code each ending maps to (chosen in `cli::run`).

/// Exit codes: 0 success, 1 some inputs failed or some outputs could not be written (the rest
/// was done), 2 nothing could run, 130 interrupted.
pub mod exit {
    pub const PARTIAL: u8 = 1;
    pub const FATAL: u8 = 2;
    /// Stopped by Ctrl-C, SIGTERM or SIGHUP after keeping what was done (the shell's
    /// 128 + SIGINT).
    pub const INTERRUPTED: u8 = 130;
}

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// This many inputs were reported and skipped.
    SomeFailed(usize),
    /// The user stopped the run; what was done is kept.
    Interrupted,
    /// The work ran to its end but this many outputs could not be written (each already
    /// reported; a full disk, say).
    OutputsLost(usize),
    /// `doctor` found this many problems (each already reported).
    Problems(usize),
}
