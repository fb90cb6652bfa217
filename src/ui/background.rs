//! Work the window must not wait for (a file dialog, listing cameras), run on a thread of its
//! own; the window polls for the answer each frame and is woken when it comes.

use std::sync::mpsc::{self, Receiver, TryRecvError};

use eframe::egui;

/// An answer on its way from a background thread.
#[derive(Debug)]
pub struct Pending<T> {
    rx: Receiver<T>,
    /// What is being done, for messages: "listing cameras".
    what: &'static str,
}

impl<T: Send + 'static> Pending<T> {
    /// Runs `job` on its own thread; the window repaints when it is done.
    pub fn spawn(
        what: &'static str,
        ctx: &egui::Context,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
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

    /// The answer, once it has come (once only). `Err` when the job died without one.
    pub fn poll(&self) -> Option<Result<T, String>> {
        match self.rx.try_recv() {
            Ok(v) => Some(Ok(v)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(format!("{} failed", self.what))),
        }
    }
}
