//! Where frames come from, as the user chooses it (the camera, a file, the bundled demo), and
//! how each is opened on the analysis's side.

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use super::background::Pending;
use super::options::demo_clip;
use crate::pipeline::live::SourceSpec;
use crate::settings::CameraSettings;
use crate::source::camera::{CameraBackend, CameraSource, CameraTiming};
use crate::source::{self, CameraRequest, FrameSource, RealTime};

/// Where frames come from, as the user sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Camera,
    File(PathBuf),
    /// The bundled clip, looped, because there is no camera.
    Demo,
}

impl Input {
    pub fn describe(&self) -> String {
        match self {
            Input::Camera => "camera".to_string(),
            Input::File(p) => p.display().to_string(),
            Input::Demo => "bundled demo".to_string(),
        }
    }
}

impl Input {
    /// How to open this input: a camera hands over its newest frames, and so does the demo,
    /// which stands in for one; a file, played at its own pace, hands over every frame, so it
    /// is judged as `plumbline analyze` judges it. `cameras` replaces the system's (tests).
    pub fn spec(
        &self,
        camera: &CameraSettings,
        cameras: Option<Arc<dyn CameraBackend>>,
    ) -> SourceSpec {
        match self {
            Input::Camera => {
                let request = CameraRequest {
                    camera: source::camera::CameraSelector::Index(camera.index),
                    width: camera.width,
                    height: camera.height,
                    fps: camera.fps,
                };
                let backend = cameras;
                SourceSpec::live(
                    "camera",
                    Box::new(move || {
                        let camera = match backend {
                            Some(b) => {
                                CameraSource::open_with(b, &request, CameraTiming::default())
                            }
                            None => CameraSource::open(&request),
                        };
                        camera.map(|c| Box::new(c) as Box<dyn FrameSource>)
                    }),
                )
            }
            Input::File(path) => {
                let path = path.clone();
                SourceSpec::every_frame(
                    path.display().to_string(),
                    Box::new(move || {
                        source::open(&path)
                            .map(|s| Box::new(RealTime::new(s)) as Box<dyn FrameSource>)
                    }),
                )
            }
            // Looped as one stream: tracking and timers carry on across passes.
            Input::Demo => SourceSpec::live(
                "bundled demo",
                Box::new(|| {
                    source::Looping::open(&demo_clip())
                        .map(|s| Box::new(RealTime::new(Box::new(s))) as Box<dyn FrameSource>)
                }),
            ),
        }
    }
}

/// Asks for a video (or an image) in the desktop's file dialog, off the UI thread.
pub fn pick_video(ctx: &egui::Context) -> Pending<Option<PathBuf>> {
    Pending::spawn("the file dialog", ctx, || {
        rfd::FileDialog::new()
            .set_title("Open a video")
            .add_filter(
                "videos and images",
                &[
                    "mp4", "mov", "m4v", "mkv", "webm", "avi", "png", "jpg", "jpeg", "bmp", "webp",
                ],
            )
            .pick_file()
    })
}

/// Asks for a folder of images in the desktop's folder dialog, off the UI thread.
pub fn pick_folder(ctx: &egui::Context) -> Pending<Option<PathBuf>> {
    Pending::spawn("the folder dialog", ctx, || {
        rfd::FileDialog::new()
            .set_title("Open a folder of images")
            .pick_folder()
    })
}
