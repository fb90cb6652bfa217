//! Where frames come from: a video file (FFmpeg), an image folder or glob, a still image or
//! a webcam, all behind [`FrameSource`]. The pipeline pulls [`Frame`]s and hands them to `pose`.

pub mod camera;
pub mod images;
pub mod video;

use std::path::{Path, PathBuf};
use std::time::Duration;

use image::RgbImage;

pub use camera::{CameraInfo, CameraRequest, CameraSource, list_cameras};
pub use images::{DEFAULT_FPS, ImageSequence};
pub use video::{VideoInfo, VideoSource};

/// The command that installs FFmpeg on Debian/Ubuntu, quoted in error messages.
pub const FFMPEG_INSTALL: &str = "apt-get install ffmpeg";

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
}

impl std::fmt::Debug for dyn FrameSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

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
        "no camera found ({reason}); connect a webcam, check that your user may open /dev/video* (the `video` group), and run `plumbline cameras`"
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

/// Image file extensions read as still images or folder members (lower case).
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "bmp", "webp", "tiff", "tif"];

/// True when `path` has one of [`IMAGE_EXTENSIONS`] (any case).
pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// True when `path` reads as a glob pattern rather than a file name.
fn is_glob(path: &Path) -> bool {
    path.to_string_lossy().contains(['*', '?', '['])
}

/// Opens `input` by what it is: a folder → its images in natural order; an existing image
/// file → one still frame; a pattern with `*`, `?` or `[` → the matching images; anything
/// else → a video through FFmpeg. Images are timed at [`DEFAULT_FPS`].
pub fn open(input: &Path) -> Result<Box<dyn FrameSource>, SourceError> {
    if input.is_dir() {
        return Ok(Box::new(ImageSequence::folder(input)?));
    }
    if input.exists() {
        if is_image_path(input) {
            return Ok(Box::new(ImageSequence::still(input)?));
        }
        return Ok(Box::new(VideoSource::open(input)?));
    }
    if is_glob(input) {
        return Ok(Box::new(ImageSequence::glob(input)?));
    }
    Err(SourceError::NotFound {
        path: input.to_path_buf(),
    })
}

/// Plays a recorded source at its own pace, each frame at its timestamp after the first, as
/// a camera would deliver it (for showing a file live in the app).
#[derive(Debug)]
pub struct RealTime {
    inner: Box<dyn FrameSource>,
    started: Option<std::time::Instant>,
}

impl RealTime {
    pub fn new(inner: Box<dyn FrameSource>) -> Self {
        Self {
            inner,
            started: None,
        }
    }
}

impl FrameSource for RealTime {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let frame = self.inner.next_frame()?;
        if let Some(f) = &frame {
            let started = *self.started.get_or_insert_with(std::time::Instant::now);
            let due = started + f.timestamp;
            let now = std::time::Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        Ok(frame)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn len_hint(&self) -> Option<u64> {
        self.inner.len_hint()
    }
}

/// Plays a file over and over as one endless stream: each pass continues the timestamps and
/// indices of the last, so the engine's tracking, smoothing and state timers run on undisturbed
/// (the app's demo), and the engine is not reloaded every pass.
#[derive(Debug)]
pub struct Looping {
    path: PathBuf,
    inner: Box<dyn FrameSource>,
    /// Added to this pass's timestamps and indices.
    offset: Duration,
    first_index: u64,
    /// The last frame handed out, and whether this pass produced any.
    last: Option<(Duration, u64)>,
    pass_had_frames: bool,
}

impl Looping {
    pub fn open(path: &Path) -> Result<Self, SourceError> {
        Ok(Self {
            path: path.to_path_buf(),
            inner: open(path)?,
            offset: Duration::ZERO,
            first_index: 0,
            last: None,
            pass_had_frames: false,
        })
    }
}

impl FrameSource for Looping {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        loop {
            match self.inner.next_frame()? {
                Some(mut f) => {
                    f.timestamp += self.offset;
                    f.index += self.first_index;
                    self.last = Some((f.timestamp, f.index));
                    self.pass_had_frames = true;
                    return Ok(Some(f));
                }
                // A pass with no frame at all would loop forever: end instead.
                None if !self.pass_had_frames => return Ok(None),
                None => {
                    let (t, i) = self.last.unwrap_or_default();
                    // The next pass starts one frame (at the images' default rate) later.
                    self.offset = t + Duration::from_secs_f64(1.0 / DEFAULT_FPS);
                    self.first_index = i + 1;
                    self.pass_had_frames = false;
                    self.inner = open(&self.path)?;
                }
            }
        }
    }

    fn describe(&self) -> String {
        format!("{}, looped", self.inner.describe())
    }

    fn len_hint(&self) -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_looped_source_runs_on_with_increasing_times_and_indices() {
        let dir = std::env::temp_dir().join(format!("plumbline-loop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..3 {
            image::RgbImage::new(8, 8)
                .save(dir.join(format!("{i}.png")))
                .unwrap();
        }
        let mut s = Looping::open(&dir).unwrap();
        let frames: Vec<Frame> = (0..7).map(|_| s.next_frame().unwrap().unwrap()).collect();
        let indices: Vec<u64> = frames.iter().map(|f| f.index).collect();
        assert_eq!(indices, [0, 1, 2, 3, 4, 5, 6]);
        for w in frames.windows(2) {
            let step = w[1].timestamp - w[0].timestamp;
            assert!(
                (step.as_secs_f64() - 1.0 / DEFAULT_FPS).abs() < 1e-6,
                "{step:?}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_empty_looped_source_ends_instead_of_spinning() {
        let dir = std::env::temp_dir().join(format!("plumbline-loop-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("0.png"), b"not a png").unwrap();
        match Looping::open(&dir) {
            Err(_) => {}
            Ok(mut s) => {
                let mut n = 0;
                while !matches!(s.next_frame(), Ok(None)) {
                    n += 1;
                    assert!(n < 10, "a source without a good frame must end");
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn image_extensions_ignore_case() {
        assert!(is_image_path(Path::new("a/b.PNG")));
        assert!(is_image_path(Path::new("x.jpeg")));
        assert!(!is_image_path(Path::new("clip.mp4")));
        assert!(!is_image_path(Path::new("noext")));
    }

    #[test]
    fn glob_characters() {
        assert!(is_glob(Path::new("frames/*.png")));
        assert!(is_glob(Path::new("f?.jpg")));
        assert!(!is_glob(Path::new("frames/0001.png")));
    }

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

    #[test]
    fn missing_input_is_named() {
        let Err(e) = open(Path::new("/no/such/clip.mp4")) else {
            panic!("a missing file must not open");
        };
        assert_eq!(
            e,
            SourceError::NotFound {
                path: "/no/such/clip.mp4".into()
            }
        );
        assert!(e.to_string().ends_with("/no/such/clip.mp4"));
    }
}
