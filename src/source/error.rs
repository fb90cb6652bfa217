//! What can go wrong reading frames, for every kind of source, in words that say what to do.

use std::path::PathBuf;

/// How to get FFmpeg, quoted in error messages: Debian/Ubuntu's package, or on Windows the
/// `ffmpeg.exe` the zip and the installer put beside `plumbline.exe`.
pub const FFMPEG_INSTALL: &str = if cfg!(windows) {
    "reinstall plumbline, or put ffmpeg.exe beside plumbline.exe"
} else {
    "apt-get install ffmpeg"
};

/// What can go wrong reading frames. Messages say what failed and what to do; the path or
/// device comes last.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("input not found; check the path: {path}")]
    NotFound { path: PathBuf },
    #[error("`{tool}` was not found; install FFmpeg to read videos (`{install}`): {path}", install = FFMPEG_INSTALL)]
    FfmpegMissing { tool: &'static str, path: PathBuf },
    #[error("could not open {what} ({reason}); {hint}: {path}")]
    Open {
        path: PathBuf,
        what: &'static str,
        reason: String,
        hint: String,
    },
    #[error(
        "unsupported input ({reason}); give a video, an image, a folder of images or a glob such as 'frames/*.png': {path}"
    )]
    Unsupported { path: PathBuf, reason: String },
    #[error("could not decode frame {index} ({reason}); skipping it: {path}")]
    BadFrame {
        path: PathBuf,
        index: u64,
        reason: String,
    },
    #[error(
        "the video stopped after {decoded} of {expected} frames ({message}); the file is truncated or corrupt, re-export or re-download it: {path}",
        expected = expected.map_or_else(|| "?".to_owned(), |n| n.to_string())
    )]
    Truncated {
        path: PathBuf,
        /// Frames delivered before the problem.
        decoded: u64,
        /// Frames the container announced, when it did.
        expected: Option<u64>,
        /// FFmpeg's own words (its last error lines, or its exit status).
        message: String,
    },
    #[error(
        "no camera found ({reason}); connect a webcam, or run `plumbline doctor` to see why (it checks the devices and your access to them)"
    )]
    NoCamera { reason: String },
    #[error("could not open the camera ({reason}); {hint}: {camera}")]
    CameraOpen {
        camera: String,
        reason: String,
        hint: String,
    },
    #[error("could not decode camera frame {index} ({reason}); skipping it: {camera}")]
    BadCameraFrame {
        camera: String,
        index: u64,
        reason: String,
    },
    #[error(
        "lost the camera after {frames} frame(s) ({reason}); check its cable and that no other program took it: {camera}"
    )]
    CameraLost {
        camera: String,
        frames: u64,
        reason: String,
    },
}

impl SourceError {
    /// True for a problem with one frame only: report it and call `next_frame` again.
    pub fn is_skippable(&self) -> bool {
        matches!(
            self,
            SourceError::BadFrame { .. } | SourceError::BadCameraFrame { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bad_frames_are_skippable() {
        let bad = SourceError::BadFrame {
            path: "a.png".into(),
            index: 3,
            reason: "x".into(),
        };
        assert!(bad.is_skippable());
        let cut = SourceError::Truncated {
            path: "a.mp4".into(),
            decoded: 3,
            expected: Some(10),
            message: "x".into(),
        };
        assert!(!cut.is_skippable());
        assert!(cut.to_string().contains("after 3 of 10 frames"));
    }
}
