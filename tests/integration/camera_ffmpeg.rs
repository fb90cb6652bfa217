//! The FFmpeg camera backend through the same `CameraSource` as a webcam, fed by FFmpeg's
//! paced `lavfi` test picture in place of a device (the machines have no camera): frames of
//! the size FFmpeg announced, times that increase, the `ffmpeg` process gone with the source,
//! and a device that does not exist named with FFmpeg's reason.

use std::sync::Arc;
use std::time::{Duration, Instant};

use plumbline::source::camera::{
    CameraBackend, CameraError, CameraMode, CameraRequest, CameraSource, CameraTiming,
    FfmpegBackend, PixelFormat,
};
use plumbline::source::{Frame, FrameSource};

/// FFmpeg's test picture at `size`, at its own pace (`-re`), as a camera would deliver it. Each
/// test gives its own size, so that it finds its own `ffmpeg` among the test binary's children.
pub fn test_picture(size: &str) -> FfmpegBackend {
    FfmpegBackend::with_input(
        "Test Pattern",
        [
            "-re",
            "-f",
            "lavfi",
            "-i",
            &format!("testsrc2=size={size}:rate=30"),
        ],
    )
}

/// The `ffmpeg` processes this test binary started whose command line contains `marker`.
#[cfg(target_os = "linux")]
pub fn ffmpeg_children(marker: &str) -> Vec<u32> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // `pid (comm) state ppid …`: the name may hold spaces, so read after its ')'.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            ppid == Some(me) && String::from_utf8_lossy(&cmdline).contains(marker)
        })
        .collect()
}

/// Waits up to 10 s for `condition` (a busy machine may be slow to let a thread go).
pub fn eventually(condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    condition()
}

fn next(source: &mut CameraSource) -> Frame {
    match source.next_frame() {
        Ok(Some(frame)) => frame,
        other => panic!("expected a frame, got {other:?}"),
    }
}

#[test]
fn ffmpeg_delivers_a_paced_test_picture_through_the_camera_source() {
    let backend = test_picture("320x240");
    assert_eq!(backend.label(), "FFmpeg's lavfi input");
    let mut source = CameraSource::open_with(
        Arc::new(backend),
        &CameraRequest::default(),
        CameraTiming::default(),
    )
    .unwrap();
    assert_eq!(
        source.mode(),
        CameraMode {
            width: 320,
            height: 240,
            fps: 30,
            format: PixelFormat::Rgb24,
        },
        "the size and rate FFmpeg announced, not the 640×480 requested"
    );
    assert_eq!(
        source.describe(),
        "camera Test Pattern (320×240 at 30 fps, RGB24)"
    );
    assert_eq!(source.notice(), None);

    let frames: Vec<Frame> = (0..12).map(|_| next(&mut source)).collect();
    for (n, frame) in (0..).zip(&frames) {
        assert_eq!(frame.index, n);
        assert_eq!(frame.image.dimensions(), (320, 240));
    }
    for pair in frames.windows(2) {
        assert!(pair[1].timestamp > pair[0].timestamp, "times increase");
    }
    // testsrc2 moves: whole frames came through, not one repeated.
    assert_ne!(frames[0].image, frames[11].image);
    // Its colour bars came through as colours: pure red, green and blue are all there.
    let has = |want: [bool; 3]| {
        frames[0]
            .image
            .pixels()
            .any(|p| (0..3).all(|c| if want[c] { p.0[c] > 180 } else { p.0[c] < 70 }))
    };
    assert!(has([true, false, false]) && has([false, true, false]) && has([false, false, true]));

    #[cfg(target_os = "linux")]
    {
        let children = ffmpeg_children("testsrc2=size=320x240");
        assert_eq!(children.len(), 1, "one ffmpeg streams: {children:?}");
        drop(source);
        let gone = |pid: u32| !std::path::Path::new(&format!("/proc/{pid}")).exists();
        assert!(
            eventually(|| gone(children[0])),
            "dropping the source kills and reaps ffmpeg (no zombie left)"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_device_that_does_not_exist_is_named_with_ffmpegs_reason() {
    let backend = FfmpegBackend::devices();
    assert_eq!(backend.label(), "FFmpeg's v4l2 input");
    let Err(e) = backend.open(99, &CameraRequest::default()) else {
        panic!("/dev/video99 must not open");
    };
    let CameraError::NotFound(reason) = &e else {
        panic!("{e:?}");
    };
    assert!(
        reason.starts_with("no such device /dev/video99")
            && reason.contains("No such file or directory"),
        "{reason}"
    );
    assert!(
        ffmpeg_children("/dev/video99").is_empty(),
        "the failed ffmpeg was reaped"
    );
}

#[test]
fn an_ffmpeg_input_that_stops_is_a_lost_camera_with_ffmpegs_words() {
    // Three frames, then the test picture ends as an unplugged camera would.
    let backend = FfmpegBackend::with_input(
        "Short Pattern",
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x48:rate=30:duration=0.1",
        ],
    );
    let mut source = CameraSource::open_with(
        Arc::new(backend),
        &CameraRequest::default(),
        CameraTiming::default(),
    )
    .unwrap();
    let mut frames = 0;
    let lost = loop {
        match source.next_frame() {
            Ok(Some(_)) => frames += 1,
            Ok(None) => panic!("a camera does not end cleanly"),
            Err(e) => break e,
        }
    };
    assert_eq!(frames, 3);
    let message = lost.to_string();
    assert!(
        message.contains("lost the camera after 3 frame(s)")
            && message.contains("ffmpeg stopped reading Short Pattern")
            && message.ends_with("Short Pattern"),
        "{message}"
    );
}
