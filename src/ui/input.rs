//! Where frames come from, as the user chooses it (the camera, a file, the bundled demo), and
//! how each is opened on the analysis's side.

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use super::background::Pending;
use super::options::demo_clip;
use crate::pipeline::live::SourceSpec;
use crate::settings::CameraSettings;
use crate::source::camera::{CameraBackend, CameraSource, CameraTiming, backend};
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
    /// is judged as `plumbline analyze` judges it. `cameras` replaces the backend the settings
    /// choose (tests, `--camera-backend`).
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
                let backend = cameras.unwrap_or_else(|| backend(camera.backend_kind()));
                SourceSpec::live(
                    "camera",
                    Box::new(move || {
                        CameraSource::open_with(backend, &request, CameraTiming::default())
                            .map(|c| Box::new(c) as Box<dyn FrameSource>)
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

/// Why no file dialog can open on this desktop, if none can. On Linux the dialogs come from
/// the desktop's file-chooser portal (xdg-desktop-portal, over the session's D-Bus), else from
/// `zenity`; with neither, rfd returns as if the user had cancelled, and the click would do
/// nothing at all.
pub fn no_file_dialog() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let env = |k: &str| std::env::var_os(k);
    let portal =
        env("DBUS_SESSION_BUS_ADDRESS").is_some() && portal_installed(env("XDG_DATA_DIRS"));
    let zenity =
        env("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("zenity").is_file()));
    (!portal && !zenity).then(|| {
        "no file dialog can open here: this desktop has neither a file-chooser portal \
         (xdg-desktop-portal) nor zenity. Type the file's or folder's path in the box beside \
         these buttons and press Enter, or install xdg-desktop-portal-gtk or zenity."
            .to_string()
    })
}

/// Whether D-Bus can start the desktop portal: its service file is in one of `data_dirs`
/// (`$XDG_DATA_DIRS`, by default /usr/local/share and /usr/share).
fn portal_installed(data_dirs: Option<std::ffi::OsString>) -> bool {
    let dirs = data_dirs
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/usr/local/share:/usr/share".into());
    std::env::split_paths(&dirs).any(|d| {
        d.join("dbus-1/services/org.freedesktop.portal.Desktop.service")
            .is_file()
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_is_found_by_its_dbus_service_file() {
        let dir = tempfile::tempdir().unwrap();
        let services = dir.path().join("share/dbus-1/services");
        std::fs::create_dir_all(&services).unwrap();
        let dirs =
            std::env::join_paths([dir.path().join("nowhere"), dir.path().join("share")]).unwrap();
        assert!(!portal_installed(Some(dirs.clone())));
        std::fs::write(services.join("org.freedesktop.portal.Desktop.service"), "").unwrap();
        assert!(portal_installed(Some(dirs)));
    }
}
