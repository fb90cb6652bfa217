//! Offline analysis: every frame of a file, in order, none dropped. Decoding runs on its own
//! thread a few frames ahead, so it overlaps inference.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::analyzer::{FrameAnalysis, FrameAnalyzer};
use crate::geometry::judge::JudgeConfig;
use crate::pose::{PoseError, PoseEstimator};
use crate::session::Sample;
use crate::source::{Frame, FrameSource, SourceError};

/// Frames decoded ahead of inference. Enough to hide decoding jitter, small enough that
/// 1080p frames don't pile up in memory (4 × 6 MB).
const DECODE_AHEAD: usize = 4;

/// How an analysis ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// Every frame was analysed.
    Complete,
    /// The stop flag was raised (Ctrl-C).
    Interrupted,
    /// The source failed part-way (a truncated or corrupt file, a lost camera); what came
    /// before was analysed.
    SourceFailed(SourceError),
}

/// What the analysis reports per frame, besides the sample.
#[derive(Debug)]
pub enum Event<'a> {
    Sample(Analysed<'a>),
    /// A frame that could not be decoded and was skipped.
    Skipped(&'a SourceError),
}

/// One analysed frame, as the caller of [`analyze`] sees it.
#[derive(Debug)]
pub struct Analysed<'a> {
    pub sample: &'a Sample,
    pub frame: &'a Frame,
    /// The pose, the whole judgment and the stage timings.
    pub analysis: &'a FrameAnalysis,
}

/// Analyses `source` frame by frame with `engine` (loaded once by the caller; its tracking
/// state is reset), judged as `config` says, calling `on_event` for each, until the source ends, fails or `stop` is
/// raised. An engine failure (the models) is an error; a source failure is an [`Ending`],
/// because the frames before it are still good.
pub fn analyze(
    mut source: Box<dyn FrameSource>,
    engine: &mut PoseEstimator,
    config: &JudgeConfig,
    stop: &AtomicBool,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<Ending, PoseError> {
    engine.reset();
    let mut analyzer = FrameAnalyzer::new(config.clone());
    let (tx, rx) = mpsc::sync_channel::<Result<Option<Frame>, SourceError>>(DECODE_AHEAD);

    std::thread::scope(|scope| {
        scope.spawn(move || {
            loop {
                let next = source.next_frame();
                let end =
                    matches!(next, Ok(None)) || next.as_ref().is_err_and(|e| !e.is_skippable());
                // The receiver is gone when the analysis stopped early: nothing more to do.
                if tx.send(next).is_err() || end {
                    break;
                }
            }
        });
        let ending = loop {
            if stop.load(Ordering::Relaxed) {
                break Ending::Interrupted;
            }
            let waited = Instant::now();
            let frame = match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(Ok(Some(frame))) => frame,
                Ok(Ok(None)) => break Ending::Complete,
                Ok(Err(e)) if e.is_skippable() => {
                    on_event(Event::Skipped(&e));
                    continue;
                }
                Ok(Err(e)) => break Ending::SourceFailed(e),
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break Ending::Complete,
            };
            let wait = waited.elapsed();
            let mut done = analyzer.analyze(engine, &frame)?;
            done.timings.capture = wait;
            let sample = done.sample(&frame);
            on_event(Event::Sample(Analysed {
                sample: &sample,
                frame: &frame,
                analysis: &done,
            }));
        };
        // Dropping the receiver unblocks the decoder thread if it is waiting to send.
        drop(rx);
        Ok(ending)
    })
}
