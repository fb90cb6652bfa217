//! Stopping a long command cleanly: Ctrl-C, and on Unix also SIGTERM (`kill`, a service
//! manager, a logout) and SIGHUP (the terminal closed), raise one flag the work loop checks
//! between frames. The command then keeps what it did: its outputs are completed and renamed
//! into place and its session is closed as interrupted, with the signal as the reason.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The stop flag and which signal raised it.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    flag: Arc<AtomicBool>,
    /// The signal number that arrived last (0: none yet, or not known).
    signal: Arc<AtomicUsize>,
}

impl Stop {
    /// Installs the handlers. Failing to install one is not fatal: that signal then ends the
    /// process as it would without them (the session is recovered on the next open).
    pub fn install() -> Self {
        let stop = Self::default();
        if let Err(e) = stop.register() {
            tracing::warn!("could not install the stop handlers: {e}");
        }
        stop
    }

    #[cfg(unix)]
    fn register(&self) -> std::io::Result<()> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            // The number first, so the work loop that sees the flag also sees which it was.
            signal_hook::flag::register_usize(
                signal,
                Arc::clone(&self.signal),
                signal.unsigned_abs() as usize,
            )?;
            signal_hook::flag::register(signal, Arc::clone(&self.flag))?;
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn register(&self) -> std::io::Result<()> {
        let flag = Arc::clone(&self.flag);
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
            .map_err(std::io::Error::other)
    }

    /// The flag the work loop checks between frames (also raised by the loop itself to stop on
    /// an error).
    pub fn flag(&self) -> &AtomicBool {
        &self.flag
    }

    /// Why the command was stopped, in words, if a signal stopped it.
    pub fn reason(&self) -> Option<&'static str> {
        self.flag
            .load(Ordering::SeqCst)
            .then(|| signal_reason(self.signal.load(Ordering::SeqCst)))
    }
}

/// The words for signal number `signal` (0 when the platform does not say which).
fn signal_reason(signal: usize) -> &'static str {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGTERM};
        if signal == SIGTERM.unsigned_abs() as usize {
            return "stopped by SIGTERM";
        }
        if signal == SIGHUP.unsigned_abs() as usize {
            return "stopped by SIGHUP (the terminal closed)";
        }
    }
    let _ = signal;
    "interrupted (Ctrl-C)"
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn each_signal_is_named() {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let name = |s: i32| signal_reason(s.unsigned_abs() as usize);
        assert_eq!(name(SIGINT), "interrupted (Ctrl-C)");
        assert_eq!(name(SIGTERM), "stopped by SIGTERM");
        assert!(name(SIGHUP).contains("SIGHUP"));
    }
}
