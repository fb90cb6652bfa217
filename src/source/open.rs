//! Opening an input by what it is: a folder of images, one image, a glob of images, or a
//! video for FFmpeg.

use std::path::Path;

use super::error::SourceError;
use super::frame::FrameSource;
use super::images::{ImageSequence, is_image_path};
use super::video::VideoSource;

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

/// The files `input` reads, for outputs that must never replace one: a folder's or a
/// pattern's images, else `input` itself.
pub fn input_files(input: &Path) -> Vec<std::path::PathBuf> {
    let listed = if input.is_dir() {
        ImageSequence::folder(input).ok()
    } else if !input.exists() && is_glob(input) {
        ImageSequence::glob(input).ok()
    } else {
        None
    };
    match listed {
        Some(images) => images.files().to_vec(),
        None => vec![input.to_path_buf()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_characters() {
        assert!(is_glob(Path::new("frames/*.png")));
        assert!(is_glob(Path::new("f?.jpg")));
        assert!(!is_glob(Path::new("frames/0001.png")));
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
