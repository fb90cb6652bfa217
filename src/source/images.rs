//! Still images as a frame source: one photo, a folder of frames, or a glob pattern.
//! Frames are timed at a fixed rate; a file that fails to decode is reported and skipped.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::SourceError;
use super::frame::{Frame, FrameSource};

/// Image file extensions read as still images or folder members (lower case).
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "bmp", "webp", "tiff", "tif"];

/// True when `path` has one of [`IMAGE_EXTENSIONS`] (any case).
pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Frame rate that times image sequences unless told otherwise.
pub const DEFAULT_FPS: f64 = 30.0;

/// A list of image files read in order, one frame each.
#[derive(Debug)]
pub struct ImageSequence {
    files: Vec<PathBuf>,
    next: usize,
    fps: f64,
    label: String,
}

impl ImageSequence {
    /// One photo, as a one-frame source.
    pub fn still(path: &Path) -> Result<Self, SourceError> {
        if !path.is_file() {
            return Err(SourceError::NotFound {
                path: path.to_path_buf(),
            });
        }
        Ok(Self::from_files(
            vec![path.to_path_buf()],
            format!("image {}", path.display()),
        ))
    }

    /// The image files directly inside `dir` (by extension; hidden files skipped), in
    /// natural order: `frame2.png` before `frame10.png`.
    pub fn folder(dir: &Path) -> Result<Self, SourceError> {
        let open_error = |reason: String| SourceError::Open {
            path: dir.to_path_buf(),
            what: "the image folder",
            reason,
            hint: "check that it exists and is readable".to_owned(),
        };
        let entries = std::fs::read_dir(dir).map_err(|e| open_error(e.to_string()))?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| open_error(e.to_string()))?.path();
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !hidden && is_image_path(&path) && path.is_file() {
                files.push(path);
            }
        }
        if files.is_empty() {
            return Err(SourceError::Open {
                path: dir.to_path_buf(),
                what: "the image folder",
                reason: "it holds no images".to_owned(),
                hint: format!("put frames in it ({})", IMAGE_EXTENSIONS.join(", ")),
            });
        }
        sort_naturally(&mut files);
        Ok(Self::from_files(files, format!("folder {}", dir.display())))
    }

    /// The image files matching a glob pattern (`frames/*.png`), in natural order.
    pub fn glob(pattern: &Path) -> Result<Self, SourceError> {
        let text = pattern.to_string_lossy();
        let paths = glob::glob(&text).map_err(|e| SourceError::Open {
            path: pattern.to_path_buf(),
            what: "the glob pattern",
            reason: e.to_string(),
            hint: "quote it so the shell leaves it alone, and check its brackets".to_owned(),
        })?;
        // Unreadable directory entries are left out, as a shell would.
        let mut files: Vec<PathBuf> = paths
            .filter_map(Result::ok)
            .filter(|p| p.is_file() && is_image_path(p))
            .collect();
        if files.is_empty() {
            return Err(SourceError::Open {
                path: pattern.to_path_buf(),
                what: "the glob pattern",
                reason: "no image matches it".to_owned(),
                hint: format!(
                    "check the pattern; images are {}",
                    IMAGE_EXTENSIONS.join(", ")
                ),
            });
        }
        sort_naturally(&mut files);
        Ok(Self::from_files(files, format!("images {text}")))
    }

    /// These files, in this order; `label` is what [`FrameSource::describe`] starts with.
    pub fn from_files(files: Vec<PathBuf>, label: String) -> Self {
        Self {
            files,
            next: 0,
            fps: DEFAULT_FPS,
            label,
        }
    }

    /// Times frames at `fps` (non-positive or non-finite values keep the current rate).
    pub fn with_fps(mut self, fps: f64) -> Self {
        if fps.is_finite() && fps > 0.0 {
            self.fps = fps;
        }
        self
    }

    /// The files, in the order they are read.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

impl FrameSource for ImageSequence {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let Some(path) = self.files.get(self.next) else {
            return Ok(None);
        };
        let index = self.next as u64;
        // Advance first: a bad file is reported once and the next call moves on.
        self.next += 1;
        let image = read_image(path).map_err(|reason| SourceError::BadFrame {
            path: path.clone(),
            index,
            reason,
        })?;
        Ok(Some(Frame {
            image,
            timestamp: Duration::from_secs_f64(index as f64 / self.fps),
            index,
        }))
    }

    fn describe(&self) -> String {
        let n = self.files.len();
        if n == 1 {
            self.label.clone()
        } else {
            format!("{} ({n} images at {} fps)", self.label, self.fps)
        }
    }

    fn len_hint(&self) -> Option<u64> {
        Some(self.files.len() as u64)
    }
}

/// Reads an image by its content (a misnamed JPEG still opens), turns it upright as its EXIF
/// orientation says (phones store photos as the sensor lay and note how to turn them), and
/// converts it to RGB; the error says why it could not. A JPEG cut short is refused rather
/// than decoded with grey rows. The one image reader of `plumbline pose` and of image folders.
pub fn read_image(path: &Path) -> Result<image::RgbImage, String> {
    use image::ImageDecoder as _;

    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes.as_slice()));
    reader.limits(decoding_limits());
    if let Ok(by_name) = image::ImageFormat::from_path(path) {
        reader.set_format(by_name);
    }
    let reader = reader.with_guessed_format().map_err(|e| e.to_string())?;
    if reader.format() == Some(image::ImageFormat::Jpeg) {
        super::jpeg::check_complete(&bytes).map_err(|e| e.to_string())?;
    }
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    // The size in the header is checked before a pixel is decoded: a few hundred kilobytes of
    // PNG can claim gigabytes of pixels.
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    // Damaged EXIF is not worth refusing the picture for: it is then read as stored.
    let orientation = decoder.orientation().unwrap_or_else(|e| {
        tracing::debug!("ignoring the EXIF orientation of {}: {e}", path.display());
        image::metadata::Orientation::NoTransforms
    });
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    image.apply_orientation(orientation);
    Ok(image.into_rgb8())
}

/// The largest picture read, in pixels: 100 megapixels (a 200-megapixel phone's photo is
/// refused; a 48-megapixel one is read), at most 300 MB as RGB. A pose needs far fewer.
pub const MAX_PIXELS: u64 = 100_000_000;

/// What the decoder may allocate at once: a 100-megapixel picture with 16-bit RGBA samples.
const MAX_DECODER_BYTES: u64 = MAX_PIXELS * 8;

fn decoding_limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODER_BYTES);
    limits
}

/// Refuses a picture larger than [`MAX_PIXELS`], saying its size.
fn check_size(width: u32, height: u32) -> Result<(), String> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(format!(
            "it is {width}×{height} pixels ({} megapixels), more than the {} megapixels \
             plumbline reads; scale it down first",
            pixels / 1_000_000,
            MAX_PIXELS / 1_000_000
        ));
    }
    Ok(())
}

/// Natural order on the file names' full paths, so `frame2` precedes `frame10`.
fn sort_naturally(files: &mut [PathBuf]) {
    files.sort_by(|a, b| natord::compare(&a.to_string_lossy(), &b.to_string_lossy()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_read_up_to_a_hundred_megapixels() {
        assert!(check_size(8000, 6000).is_ok(), "48 MP");
        assert!(check_size(10_000, 10_000).is_ok());
        let e = check_size(60_000, 60_000).unwrap_err();
        assert!(e.contains("60000×60000 pixels (3600 megapixels)"), "{e}");
        assert!(check_size(u32::MAX, u32::MAX).is_err());
    }

    #[test]
    fn image_extensions_ignore_case() {
        assert!(is_image_path(Path::new("a/b.PNG")));
        assert!(is_image_path(Path::new("x.jpeg")));
        assert!(!is_image_path(Path::new("clip.mp4")));
        assert!(!is_image_path(Path::new("noext")));
    }

    #[test]
    fn natural_order_puts_numbers_in_numeric_order() {
        let mut files: Vec<PathBuf> = ["f10.png", "f2.png", "f1.png", "a.png"]
            .iter()
            .map(PathBuf::from)
            .collect();
        sort_naturally(&mut files);
        let names: Vec<_> = files.iter().map(|p| p.to_string_lossy()).collect();
        assert_eq!(names, ["a.png", "f1.png", "f2.png", "f10.png"]);
    }

    #[test]
    fn bad_fps_keeps_the_default() {
        let s = ImageSequence::from_files(vec![], "x".into())
            .with_fps(0.0)
            .with_fps(f64::NAN);
        assert_eq!(s.fps, DEFAULT_FPS);
        assert_eq!(s.with_fps(25.0).fps, 25.0);
    }

    #[test]
    fn empty_sequence_ends_cleanly() {
        let mut s = ImageSequence::from_files(vec![], "x".into());
        assert!(matches!(s.next_frame(), Ok(None)));
    }
}
