//! The app on a webcam, driven through a scripted fake device behind `CameraBackend` (the
//! machines have no webcam): frames of a real photo as MJPEG, a garbled frame, and a driver
//! that blocks while opening or while streaming — the window keeps answering throughout (every
//! step of the window must come back: a UI thread waiting on the camera would hang the test).

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use image::codecs::jpeg::JpegEncoder;
use plumbline::pose::{EngineConfig, ModelKind};
use plumbline::source::SourceError;
use plumbline::source::camera::{
    CameraBackend, CameraDevice, CameraError, CameraInfo, CameraMode, CameraRequest, PixelFormat,
    RawFrame,
};
use plumbline::ui::{AppOptions, PlumblineApp};

use crate::helpers::*;
use crate::ui::{shows, step_until};

/// Where the fake driver blocks, if anywhere.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stuck {
    Never,
    /// Opening never returns (a V4L device that hangs in its ioctl).
    Opening,
    /// After this many frames, the next never comes.
    After(u64),
}

/// A webcam filming camera.png at 30 fps (as MJPEG), with frame 3 garbled on the bus.
struct PhotoCamera {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
    stuck: Stuck,
    /// The test lets a stuck driver go at its end.
    release: AtomicBool,
    /// Whether the driver is inside a blocked call right now.
    blocked: AtomicBool,
    delivered: AtomicU64,
}

impl PhotoCamera {
    fn new(stuck: Stuck) -> Self {
        let photo = image::open(fixture("images/camera.png")).unwrap().to_rgb8();
        let mut jpeg = Vec::new();
        photo
            .write_with_encoder(JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 90))
            .unwrap();
        Self {
            jpeg,
            width: photo.width(),
            height: photo.height(),
            stuck,
            release: AtomicBool::new(false),
            blocked: AtomicBool::new(false),
            delivered: AtomicU64::new(0),
        }
    }

    fn block_until_released(&self) {
        self.blocked.store(true, Ordering::SeqCst);
        while !self.release.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.blocked.store(false, Ordering::SeqCst);
    }
}

/// The camera's backend: it offers the one camera and opens it as a device sharing its state.
struct PhotoBackend(Arc<PhotoCamera>);

impl CameraBackend for PhotoBackend {
    fn cameras(&self) -> Result<Vec<CameraInfo>, SourceError> {
        Ok(vec![CameraInfo {
            index: 0,
            name: "Photo Cam".into(),
            description: "scripted".into(),
        }])
    }

    fn open(&self, _index: u32, _r: &CameraRequest) -> Result<Box<dyn CameraDevice>, CameraError> {
        if self.0.stuck == Stuck::Opening {
            self.0.block_until_released();
            return Err(CameraError::Other("the driver gave up".into()));
        }
        Ok(Box::new(PhotoDevice {
            camera: Arc::clone(&self.0),
            next: 0,
        }))
    }
}

struct PhotoDevice {
    camera: Arc<PhotoCamera>,
    next: u64,
}

impl CameraDevice for PhotoDevice {
    fn mode(&self) -> CameraMode {
        CameraMode {
            width: self.camera.width,
            height: self.camera.height,
            fps: 30,
            format: PixelFormat::Mjpeg,
        }
    }

    fn frame(&mut self) -> Result<RawFrame, CameraError> {
        let cam = &self.camera;
        if cam.stuck == Stuck::After(self.next) {
            cam.block_until_released();
            return Err(CameraError::Lost("released".into()));
        }
        std::thread::sleep(Duration::from_millis(33));
        let i = self.next;
        self.next += 1;
        cam.delivered.store(self.next, Ordering::SeqCst);
        // One frame garbled on a busy bus: skipped, the rest flow on.
        let bytes = if i == 3 {
            &cam.jpeg[..200]
        } else {
            &cam.jpeg[..]
        };
        Ok(RawFrame {
            width: cam.width,
            height: cam.height,
            format: PixelFormat::Mjpeg,
            bytes: bytes.to_vec(),
        })
    }
}

fn app(data: &Path, camera: Arc<PhotoCamera>) -> Harness<'static, PlumblineApp> {
    let options = AppOptions {
        model: Some(ModelKind::Lite),
        data_dir: Some(data.to_path_buf()),
        cameras: Some(Arc::new(PhotoBackend(camera))),
        view: Some(plumbline::settings::ViewMode::Details),
        ..AppOptions::new(EngineConfig::video(ModelKind::Lite))
    };
    Harness::builder()
        .with_size(eframe::egui::Vec2::new(1400.0, 900.0))
        .build_eframe(move |cc| PlumblineApp::new(cc, options))
}

#[test]
fn the_app_judges_what_the_webcam_films() {
    let dir = tempfile::tempdir().unwrap();
    let camera = Arc::new(PhotoCamera::new(Stuck::Never));
    let mut h = app(dir.path(), Arc::clone(&camera));
    // The photographer leans hard: misaligned, from the camera, past the garbled frame.
    step_until(
        &mut h,
        "the camera's frames",
        Duration::from_secs(30),
        |h| shows(h, "source: camera") && shows(h, "view: ") && shows(h, "MISALIGNED"),
    );
    assert!(camera.delivered.load(Ordering::SeqCst) > 4, "past frame 3");
    // Stop releases the camera: the device stops being asked for frames.
    h.get_by_label("Stop").click();
    step_until(&mut h, "the stop", Duration::from_secs(5), |h| {
        shows(h, "the camera is released")
    });
    std::thread::sleep(Duration::from_millis(200));
    let after_stop = camera.delivered.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        camera.delivered.load(Ordering::SeqCst),
        after_stop,
        "no frame is taken after Stop"
    );
}

#[test]
fn a_camera_stuck_in_its_driver_never_freezes_the_window() {
    for stuck in [Stuck::Opening, Stuck::After(10)] {
        let dir = tempfile::tempdir().unwrap();
        let camera = Arc::new(PhotoCamera::new(stuck));
        let mut h = app(dir.path(), Arc::clone(&camera));
        step_until(&mut h, "the stuck driver", Duration::from_secs(30), |_| {
            camera.blocked.load(Ordering::SeqCst)
        });
        // The driver is stuck; the window answers, and the user can play the demo meanwhile.
        h.get_by_label("Demo").click();
        step_until(&mut h, "the demo's frames", Duration::from_secs(30), |h| {
            shows(h, "source: bundled demo") && shows(h, "view: ")
        });
        assert!(
            camera.blocked.load(Ordering::SeqCst),
            "{stuck:?}: the camera thread is still stuck, and nothing waits for it"
        );
        // Closing the window does not wait for it either: the window is gone while the driver
        // is still stuck (a watchdog lets the driver go after a minute, so a window that
        // waited fails here rather than hangs).
        let watchdog = {
            let camera = Arc::clone(&camera);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(60));
                camera.release.store(true, Ordering::SeqCst);
            })
        };
        drop(h);
        assert!(
            camera.blocked.load(Ordering::SeqCst),
            "{stuck:?}: closing the window waited for the stuck camera"
        );
        camera.release.store(true, Ordering::SeqCst);
        drop(watchdog);
    }
}
