//! Work the window must not wait for (a file dialog, listing cameras, writing a report), run on
//! a thread of its own; the window polls for the answer each frame and is woken when it comes.
//! The one way the window spawns, sends and repaints.

use std::sync::mpsc::{self, Receiver, TryRecvError};

use eframe::egui;

/// An answer on its way from a background thread.
#[derive(Debug)]
pub struct Pending<T> {
    rx: Receiver<T>,
    /// What is being done, for messages: "listing cameras".
    what: String,
}

impl<T: Send + 'static> Pending<T> {
    /// Runs `job` on its own thread; the window repaints when it is done.
    pub fn spawn(
        what: impl Into<String>,
        ctx: &egui::Context,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        let what = what.into();
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("plumbline {what}"))
            .spawn(move || {
                let _ = tx.send(job());
                ctx.request_repaint();
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start {what}: {e}");
        }
        Self { rx, what }
    }

    /// The answer, once it has come (once only). `Err` when the job died without one (or its
    /// thread could not start).
    pub fn poll(&self) -> Option<Result<T, String>> {
        match self.rx.try_recv() {
            Ok(v) => Some(Ok(v)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(self.failed())),
        }
    }

    /// Waits for the answer (the window is closing and the work must not be lost).
    pub fn wait(self) -> Result<T, String> {
        self.rx.recv().map_err(|_| self.failed())
    }

    /// What is being done.
    pub fn what(&self) -> &str {
        &self.what
    }

    fn failed(&self) -> String {
        format!("{} failed unexpectedly", self.what)
    }
}
