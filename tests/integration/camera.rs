//! The camera source driven by a scripted fake device behind `CameraBackend`: steady frames,
//! a garbled frame, a silent camera, a driver that never returns, and cameras that won't open
//! or read, for which `auto` opens FFmpeg's (here its `lavfi` test picture) and says so.

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use plumbline::source::camera::{
    AutoBackend, CameraBackend, CameraDevice, CameraError, CameraInfo, CameraMode, CameraRequest,
    CameraSource, CameraTiming, PixelFormat, RawFrame, notice_in,
};
use plumbline::source::{Frame, FrameSource, SourceError};

const WIDTH: u32 = 64;
const HEIGHT: u32 = 48;
/// The fake camera's name, which errors must quote.
const NAME: &str = "Fake Cam";
/// 100 fps.
const INTERVAL: Duration = Duration::from_millis(10);

/// What the fake device does on one call for a frame.
enum Step {
    /// After one frame interval, a uniform MJPEG frame of this grey level.
    Frame(u8),
    /// After one frame interval, a JPEG cut off inside its header, as a busy USB bus leaves one.
    Garbled,
    /// The driver reports an error: the camera was unplugged.
    Fail(&'static str),
    /// The driver blocks until the test drops the sender, then reports an error.
    Block(Receiver<()>),
}

/// What the test sees of the device from outside.
#[derive(Default)]
struct Probe {
    /// Opened and not yet dropped (a real device: streaming).
    streaming: AtomicBool,
    /// Inside a `Step::Block`.
    blocked: AtomicBool,
}

/// A backend offering `cameras`; opening any of them plays `script` (once), or fails with
/// `refuse`.
struct FakeBackend {
    cameras: Vec<CameraInfo>,
    refuse: Option<CameraError>,
    script: Mutex<Option<Box<dyn Iterator<Item = Step> + Send>>>,
    probe: Arc<Probe>,
}

impl FakeBackend {
    /// One camera, [`NAME`] at index 0, that plays `script` and then fails ("script ended").
    fn playing(script: impl Iterator<Item = Step> + Send + 'static) -> (Self, Arc<Probe>) {
        let probe = Arc::new(Probe::default());
        let backend = Self {
            cameras: vec![CameraInfo {
                index: 0,
                name: NAME.to_owned(),
                description: "scripted".to_owned(),
            }],
            refuse: None,
            script: Mutex::new(Some(Box::new(script))),
            probe: Arc::clone(&probe),
        };
        (backend, probe)
    }
}

impl CameraBackend for FakeBackend {
    fn cameras(&self) -> Result<Vec<CameraInfo>, SourceError> {
        Ok(self.cameras.clone())
    }

    fn open(
        &self,
        _index: u32,
        _request: &CameraRequest,
    ) -> Result<Box<dyn CameraDevice>, CameraError> {
        if let Some(refusal) = &self.refuse {
            return Err(refusal.clone());
        }
        let script = self.script.lock().unwrap().take();
        let script = script.ok_or_else(|| CameraError::Other("opened twice".to_owned()))?;
        self.probe.streaming.store(true, Ordering::SeqCst);
        Ok(Box::new(FakeDevice {
            script,
            probe: Arc::clone(&self.probe),
        }))
    }
}

struct FakeDevice {
    script: Box<dyn Iterator<Item = Step> + Send>,
    probe: Arc<Probe>,
}

impl CameraDevice for FakeDevice {
    fn mode(&self) -> CameraMode {
        fake_mode()
    }

    fn frame(&mut self) -> Result<RawFrame, CameraError> {
        let lost = |reason: &str| CameraError::Lost(reason.to_owned());
        let step = self.script.next().ok_or_else(|| lost("script ended"))?;
        let bytes = match step {
            Step::Frame(grey) => jpeg(grey),
            Step::Garbled => jpeg(0)[..100].to_vec(),
            Step::Fail(reason) => return Err(lost(reason)),
            Step::Block(release) => {
                self.probe.blocked.store(true, Ordering::SeqCst);
                let _ = release.recv();
                self.probe.blocked.store(false, Ordering::SeqCst);
                return Err(lost("released"));
            }
        };
        std::thread::sleep(INTERVAL);
        Ok(RawFrame {
            width: WIDTH,
            height: HEIGHT,
            format: PixelFormat::Mjpeg,
            bytes,
        })
    }
}

impl Drop for FakeDevice {
    fn drop(&mut self) {
        self.probe.streaming.store(false, Ordering::SeqCst);
    }
}

fn fake_mode() -> CameraMode {
    CameraMode {
        width: WIDTH,
        height: HEIGHT,
        fps: 100,
        format: PixelFormat::Mjpeg,
    }
}

/// A uniform grey frame as a camera's MJPEG encoder would send it.
fn jpeg(grey: u8) -> Vec<u8> {
    let image = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([grey; 3]));
    let mut bytes = Vec::new();
    image
        .write_with_encoder(JpegEncoder::new_with_quality(Cursor::new(&mut bytes), 90))
        .unwrap();
    bytes
}

/// The grey level of frame `n` in the scripts: far enough apart to tell frames by it.
fn grey(n: u64) -> u8 {
    u8::try_from(n * 8).unwrap()
}

fn open(backend: FakeBackend, timing: CameraTiming) -> Result<CameraSource, SourceError> {
    CameraSource::open_with(Arc::new(backend), &CameraRequest::default(), timing)
}

fn next(source: &mut CameraSource) -> Frame {
    match source.next_frame() {
        Ok(Some(frame)) => frame,
        other => panic!("expected a frame, got {other:?}"),
    }
}

/// A source whose device delivered `frames` frames, all taken, and then blocks in the
/// driver until the returned sender is dropped.
fn stalled_after(frames: u64, timing: CameraTiming) -> (CameraSource, Arc<Probe>, Sender<()>) {
    let (release, blocked) = mpsc::channel();
    let script = (0..frames).map(|n| Step::Frame(grey(n)));
    let (backend, probe) = FakeBackend::playing(script.chain([Step::Block(blocked)]));
    let mut source = open(backend, timing).unwrap();
    for _ in 0..frames {
        next(&mut source);
    }
    (source, probe, release)
}

/// Waits up to 2 s for `condition`.
fn eventually(condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while !condition() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    condition()
}

#[test]
fn frames_arrive_in_order_then_an_unplugged_camera_is_lost_after_them() {
    let script = (0..30).map(|n| Step::Frame(grey(n)));
    let (backend, _) = FakeBackend::playing(script.chain([Step::Fail("device unplugged")]));
    let mut source = open(backend, CameraTiming::default()).unwrap();
    assert_eq!(source.mode(), fake_mode());
    assert!(source.describe().contains(NAME), "{}", source.describe());

    let frames: Vec<Frame> = (0..30).map(|_| next(&mut source)).collect();
    for (n, frame) in (0..).zip(&frames) {
        assert_eq!(frame.index, n);
        assert_eq!(frame.image.dimensions(), (WIDTH, HEIGHT));
        let shade = frame.image.get_pixel(WIDTH / 2, HEIGHT / 2)[0];
        assert!(
            shade.abs_diff(grey(n)) <= 2,
            "frame {n} is the device's frame {n}: {shade}"
        );
    }
    for pair in frames.windows(2) {
        assert!(pair[1].timestamp > pair[0].timestamp, "times increase");
    }
    let span = frames[29].timestamp - frames[0].timestamp;
    assert!(
        span >= 29 * INTERVAL,
        "timed by the clock at 100 fps: {span:?}"
    );

    let lost = source.next_frame().unwrap_err();
    let SourceError::CameraLost {
        camera,
        frames,
        reason,
    } = &lost
    else {
        panic!("{lost:?}");
    };
    assert_eq!((camera.as_str(), *frames), (NAME, 30));
    assert_eq!(reason, "device unplugged");
    assert!(!lost.is_skippable());
    assert!(
        matches!(source.next_frame(), Ok(None)),
        "a lost camera stays ended"
    );
    assert_eq!(
        (source.delivered_frames(), source.skipped_frames()),
        (30, 0)
    );
}

#[test]
fn a_garbled_frame_is_skipped_and_counted_and_the_stream_goes_on() {
    let script = (0..).map(|n| {
        if n == 4 {
            Step::Garbled
        } else {
            Step::Frame(grey(n % 30))
        }
    });
    let (backend, probe) = FakeBackend::playing(script);
    let mut source = open(backend, CameraTiming::default()).unwrap();

    for n in 0..4 {
        assert_eq!(next(&mut source).index, n);
    }
    let bad = source.next_frame().unwrap_err();
    assert!(
        matches!(&bad, SourceError::BadCameraFrame { camera, index: 4, .. } if camera == NAME),
        "{bad:?}"
    );
    assert!(bad.is_skippable());
    let message = bad.to_string();
    assert!(
        message.contains("JPEG"),
        "the JPEG decoder refused it: {message}"
    );
    for n in 5..10 {
        let frame = next(&mut source);
        assert_eq!(frame.index, n, "the garbled frame keeps its index");
        assert!(frame.image.get_pixel(0, 0)[0].abs_diff(grey(n)) <= 2);
    }
    assert_eq!((source.delivered_frames(), source.skipped_frames()), (9, 1));

    // Dropping a streaming source stops the capture thread and closes the device.
    assert!(probe.streaming.load(Ordering::SeqCst));
    drop(source);
    assert!(!probe.streaming.load(Ordering::SeqCst));
}

#[test]
fn a_camera_that_stops_delivering_is_lost_after_the_timeout() {
    let timing = CameraTiming {
        frame_timeout: Duration::from_millis(300),
        ..CameraTiming::default()
    };
    let (mut source, _, release) = stalled_after(5, timing);

    let lost = source.next_frame().unwrap_err();
    assert_eq!(
        lost,
        SourceError::CameraLost {
            camera: NAME.to_owned(),
            frames: 5,
            reason: "no frame for 0.3 s".to_owned(),
        }
    );
    assert!(matches!(source.next_frame(), Ok(None)));
    drop(release);
}

#[test]
fn dropping_a_source_blocked_in_the_driver_lets_the_thread_go() {
    let timing = CameraTiming {
        stop_grace: Duration::from_millis(300),
        ..CameraTiming::default()
    };
    let (source, probe, release) = stalled_after(2, timing);
    assert!(eventually(|| probe.blocked.load(Ordering::SeqCst)));

    // Dropping returns while the thread is still in the driver (were it to wait for the
    // driver, it would never return: only the test lets the driver go).
    drop(source);
    assert!(
        probe.blocked.load(Ordering::SeqCst) && probe.streaming.load(Ordering::SeqCst),
        "the thread is still in the driver, let go"
    );

    // When the driver returns at last, the thread that was let go ends and closes the device.
    drop(release);
    assert!(eventually(|| !probe.streaming.load(Ordering::SeqCst)));
}

#[test]
fn a_camera_that_will_not_open_is_named_with_the_reason() {
    let busy = FakeBackend {
        refuse: Some(CameraError::Busy("Device or resource busy".to_owned())),
        ..FakeBackend::playing(std::iter::empty()).0
    };
    let e = open(busy, CameraTiming::default()).unwrap_err();
    let SourceError::CameraOpen { camera, reason, .. } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(
        (camera.as_str(), reason.as_str()),
        (NAME, "Device or resource busy")
    );
    let message = e.to_string();
    assert!(
        message.contains("Device or resource busy") && message.ends_with(NAME),
        "{message}"
    );

    let none = FakeBackend {
        cameras: Vec::new(),
        ..FakeBackend::playing(std::iter::empty()).0
    };
    let e = open(none, CameraTiming::default()).unwrap_err();
    assert!(matches!(e, SourceError::NoCamera { .. }), "{e:?}");
}

/// `auto` over `fake`, with FFmpeg's test picture at `size` standing in for FFmpeg's device
/// input.
fn auto(fake: FakeBackend, size: &str) -> Result<CameraSource, SourceError> {
    let ffmpeg = crate::camera_ffmpeg::test_picture(size);
    let label = ffmpeg.label();
    let backend = AutoBackend::new(
        Arc::new(fake),
        "the system camera driver",
        Arc::new(ffmpeg),
        label,
    );
    CameraSource::open_with(
        Arc::new(backend),
        &CameraRequest::default(),
        CameraTiming::default(),
    )
}

#[test]
fn auto_opens_ffmpeg_when_the_system_driver_will_not_open_the_camera_and_says_so() {
    let busy = FakeBackend {
        refuse: Some(CameraError::Busy("Device or resource busy".to_owned())),
        ..FakeBackend::playing(std::iter::empty()).0
    };
    let mut source = auto(busy, "176x144").unwrap();
    let notice = "the system camera driver could not open camera 0 (Device or resource busy); \
                  using FFmpeg's lavfi input instead";
    assert_eq!(source.notice(), Some(notice));
    assert_eq!(
        source.describe(),
        format!("camera {NAME} (176×144 at 30 fps, RGB24); {notice}"),
        "the window's panel shows the source's description"
    );
    assert_eq!(notice_in(&source.describe()), Some(notice));
    for n in 0..3 {
        let frame = next(&mut source);
        assert_eq!((frame.index, frame.image.dimensions()), (n, (176, 144)));
    }
}

#[test]
fn auto_opens_ffmpeg_when_the_system_driver_opens_a_camera_it_cannot_read() {
    let (silent, probe) = FakeBackend::playing([Step::Fail("select timeout")].into_iter());
    let mut source = auto(silent, "160x120").unwrap();
    assert_eq!(
        source.notice(),
        Some(
            "the system camera driver could not read camera 0 (select timeout); \
             using FFmpeg's lavfi input instead"
        )
    );
    assert_eq!(next(&mut source).image.dimensions(), (160, 120));
    assert!(
        !probe.streaming.load(Ordering::SeqCst),
        "the driver's device was closed when FFmpeg took over"
    );
}

#[test]
fn auto_keeps_the_system_drivers_camera_when_it_works() {
    let (fake, _) = FakeBackend::playing((0..5).map(|n| Step::Frame(grey(n))));
    let mut source = auto(fake, "128x96").unwrap();
    assert_eq!(source.notice(), None);
    assert_eq!(notice_in(&source.describe()), None);
    assert_eq!(source.mode(), fake_mode());
    for n in 0..5 {
        let frame = next(&mut source);
        assert_eq!(
            frame.index, n,
            "the frame read to prove the device is not lost"
        );
        assert!(frame.image.get_pixel(0, 0)[0].abs_diff(grey(n)) <= 2);
    }
}
