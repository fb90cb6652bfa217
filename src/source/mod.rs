//! Where frames come from: a video file (FFmpeg), an image folder or glob, a still image or
//! a webcam, all behind [`FrameSource`]. The pipeline pulls [`Frame`]s and hands them to `pose`.

pub mod camera;
pub mod error;
pub mod frame;
pub mod images;
pub mod jpeg;
pub mod open;
pub mod playback;
pub mod video;

pub use camera::{CameraInfo, CameraRequest, CameraSource, list_cameras};
pub use error::{FFMPEG_INSTALL, SourceError};
pub use frame::{Frame, FrameSource};
pub use images::{DEFAULT_FPS, IMAGE_EXTENSIONS, ImageSequence, is_image_path};
pub use open::{input_files, open};
pub use playback::{Looping, RealTime};
pub use video::{VideoInfo, VideoSource};
