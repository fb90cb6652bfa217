//! The app on a webcam, driven through a scripted fake device behind `CameraBackend` (the
//! machines have no webcam): frames of a real photo as MJPEG, a garbled frame, and a driver
//! that blocks while opening or while streaming — the window keeps answering throughout (every
//! step of the window must come back: a UI thread waiting on the camera would hang the test).

use std::io::Cursor;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use image::codecs::jpeg::JpegEncoder;
use plumbline::pose::{EngineConfig, ModelKind};
use plumbline::source::SourceError;
use plumbline::source::camera::{
    Buffer, CameraBackend, CameraDevice, CameraFormat, CameraInfo, CameraRequest, FrameFormat,
    Resolution,
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
    release: Arc<AtomicBool>,
    /// How often the driver is inside a blocked call right now (0 or 1).
    blocked: Arc<AtomicBool>,
    delivered: Arc<AtomicU64>,
    opened: Mutex<bool>,
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
            release: Arc::default(),
            blocked: Arc::default(),
            delivered: Arc::default(),
            opened: Mutex::new(false),
        }
    }

    fn block_until_released(release: &AtomicBool, blocked: &AtomicBool) {
        blocked.store(true, Ordering::SeqCst);
        while !release.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        blocked.store(false, Ordering::SeqCst);
    }
}

impl CameraBackend for PhotoCamera {
    fn cameras(&self) -> Result<Vec<CameraInfo>, SourceError> {
        Ok(vec![CameraInfo {
            index: 0,
            name: "Photo Cam".into(),
            description: "scripted".into(),
        }])
    }

    fn open(&self, _index: u32, _r: &CameraRequest) -> Result<Box<dyn CameraDevice>, String> {
        *self.opened.lock().unwrap() = true;
        if self.stuck == Stuck::Opening {
            Self::block_until_released(&self.release, &self.blocked);
            return Err("the driver gave up".into());
        }
        Ok(Box::new(PhotoDevice {
            jpeg: self.jpeg.clone(),
            width: self.width,
            height: self.height,
            stuck: self.stuck,
            release: Arc::clone(&self.release),
            blocked: Arc::clone(&self.blocked),
            delivered: Arc::clone(&self.delivered),
            next: 0,
        }))
    }
}

struct PhotoDevice {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
    stuck: Stuck,
    release: Arc<AtomicBool>,
    blocked: Arc<AtomicBool>,
    delivered: Arc<AtomicU64>,
    next: u64,
}

impl CameraDevice for PhotoDevice {
    fn format(&self) -> CameraFormat {
        CameraFormat::new_from(self.width, self.height, FrameFormat::MJPEG, 30)
    }

    fn frame(&mut self) -> Result<Buffer, String> {
        if self.stuck == Stuck::After(self.next) {
            PhotoCamera::block_until_released(&self.release, &self.blocked);
            return Err("released".into());
        }
        std::thread::sleep(Duration::from_millis(33));
        let i = self.next;
        self.next += 1;
        self.delivered.store(self.next, Ordering::SeqCst);
        // One frame garbled on a busy bus: skipped, the rest flow on.
        let bytes = if i == 3 {
            &self.jpeg[..200]
        } else {
            &self.jpeg[..]
        };
        Ok(Buffer::new(
            Resolution::new(self.width, self.height),
            bytes,
            FrameFormat::MJPEG,
        ))
    }
}

fn app(data: &Path, camera: Arc<PhotoCamera>) -> Harness<'static, PlumblineApp> {
    let options = AppOptions {
        model: Some(ModelKind::Lite),
        data_dir: Some(data.to_path_buf()),
        cameras: Some(camera),
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
        |h| shows(h, "source: camera") && shows(h, "fps ·") && shows(h, "MISALIGNED"),
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
            shows(h, "source: bundled demo") && shows(h, "fps ·")
        });
        assert!(
            camera.blocked.load(Ordering::SeqCst),
            "{stuck:?}: the camera thread is still stuck, and nothing waits for it"
        );
        // Closing the window does not wait for it either.
        let closing = Instant::now();
        drop(h);
        assert!(
            closing.elapsed() < Duration::from_secs(3),
            "{stuck:?}: closing took {:?}",
            closing.elapsed()
        );
        camera.release.store(true, Ordering::SeqCst);
    }
}
