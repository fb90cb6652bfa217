//! What every source delivers: decoded frames with their time and place in the source, behind
//! the [`FrameSource`] trait the pipeline pulls from.

use std::time::Duration;

use image::RgbImage;

use super::error::SourceError;

/// One decoded frame.
#[derive(Debug, Clone)]
pub struct Frame {
    pub image: RgbImage,
    /// When the frame was shown, from the start of the source: the presentation time for a
    /// video, `index / fps` for images, time since opening for a camera.
    pub timestamp: Duration,
    /// Position in the source, from 0. A frame reported as bad still takes its index, so a
    /// gap in the indices is a skipped frame.
    pub index: u64,
}

/// A stream of frames. `Ok(None)` is the clean end; after it, and after any error that is
/// not [`SourceError::is_skippable`], every call returns `Ok(None)`.
pub trait FrameSource: Send {
    /// The next frame. A skippable error (one bad image) is reported for that frame only:
    /// call again for the next one.
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError>;
    /// A short human description: "video clip.mp4 (640×480, 30 fps, 60 frames)".
    fn describe(&self) -> String;
    /// How many frames to expect, when known (for progress bars; not a promise).
    fn len_hint(&self) -> Option<u64>;
    /// How long the last [`FrameSource::next_frame`] slept until its frame was due (a file
    /// played at its own pace): the frame did not exist yet, so that is no part of its latency.
    fn waited(&self) -> Duration {
        Duration::ZERO
    }
}

impl std::fmt::Debug for dyn FrameSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}
