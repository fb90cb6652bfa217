//! Frame sources on real files: videos FFmpeg makes at test time from a fixture photo, image
//! folders with a corrupt member, and `source::open`'s dispatch.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use image::{Rgb, RgbImage};
use plumbline::source::{self, Frame, FrameSource, ImageSequence, SourceError, VideoSource};

use crate::helpers::fixture;

/// Encodes `tests/fixtures/images/camera.png` as a video with FFmpeg: `args` go between the
/// looped input and the output file.
fn make_video(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-framerate", "30", "-loop", "1", "-i"])
        .arg(fixture("images/camera.png"))
        .args(args)
        .arg(&out)
        .status()
        .expect("ffmpeg runs (bash .ci/setup.sh installs it)");
    assert!(status.success(), "ffmpeg made {name}");
    out
}

/// A 2 s, 30 fps, 640×480 H.264 MP4 (the moov atom first, as a streaming export writes it).
fn make_mp4(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "-t",
        "2",
        "-r",
        "30",
        "-vf",
        "scale=640:480",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
    ];
    args.extend_from_slice(extra);
    make_video(dir, name, &args)
}

/// Every item until the end, on a thread: a hang fails the test instead of stalling it.
fn drain(mut source: Box<dyn FrameSource>) -> Vec<Result<Frame, SourceError>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut items = Vec::new();
        loop {
            match source.next_frame() {
                Ok(Some(f)) => items.push(Ok(f)),
                Ok(None) => break,
                Err(e) => {
                    let skippable = e.is_skippable();
                    items.push(Err(e));
                    if !skippable {
                        // After a fatal error the source must stay ended.
                        assert!(matches!(source.next_frame(), Ok(None)));
                        break;
                    }
                }
            }
        }
        let _ = tx.send(items);
    });
    rx.recv_timeout(Duration::from_secs(120))
        .expect("the source ends (no hang, no panic)")
}

fn mean_abs_diff(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// Each frame's presentation time as `ffprobe` reads it: the reference for ours.
fn probe_times(path: &Path) -> Vec<f64> {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["frame=best_effort_timestamp_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&probe.stdout)
        .lines()
        .filter_map(|l| l.split(',').next()?.trim().parse().ok())
        .collect()
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[test]
fn mp4_gives_every_frame_at_its_time_with_the_source_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let path = make_mp4(dir.path(), "clip.mp4", &[]);
    let video = VideoSource::open(&path).unwrap();
    assert_eq!(video.len_hint(), Some(60));
    assert!(video.describe().contains("640×480"), "{}", video.describe());

    let frames: Vec<Frame> = drain(Box::new(video))
        .into_iter()
        .map(|f| f.expect("a clean file has no errors"))
        .collect();
    assert_eq!(frames.len(), 60, "2 s at 30 fps");
    let photo = image::open(fixture("images/camera.png"))
        .unwrap()
        .into_rgb8();
    let expected = image::imageops::resize(&photo, 640, 480, image::imageops::Triangle);
    for (k, f) in frames.iter().enumerate() {
        assert_eq!(f.index, k as u64);
        assert_eq!(f.image.dimensions(), (640, 480));
        assert!(
            (secs(f.timestamp) - k as f64 / 30.0).abs() < 1e-3,
            "frame {k} at {:?}",
            f.timestamp
        );
    }
    // H.264 at its default quality and a different scaler: close, not identical.
    for k in [0, 59] {
        let diff = mean_abs_diff(&frames[k].image, &expected);
        assert!(
            diff < 6.0,
            "frame {k} differs from the photo by {diff:.2} on average"
        );
    }
    // A frame of another picture is far off: the comparison can fail.
    let grey = RgbImage::from_pixel(640, 480, Rgb([128, 128, 128]));
    assert!(mean_abs_diff(&grey, &expected) > 20.0);
}

#[test]
fn variable_frame_rate_video_keeps_its_presentation_times() {
    let dir = tempfile::tempdir().unwrap();
    // Ten frames, a third of a second's pause, ten more.
    let path = make_video(
        dir.path(),
        "vfr.mp4",
        &[
            "-frames:v",
            "20",
            "-vf",
            "scale=320:240,setpts='if(lt(N\\,10)\\,N\\,N+10)/30/TB'",
            "-fps_mode",
            "vfr",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
        ],
    );
    let reference = probe_times(&path);
    assert_eq!(reference.len(), 20);

    let frames: Vec<Frame> = drain(source::open(&path).unwrap())
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let ours: Vec<f64> = frames.iter().map(|f| secs(f.timestamp)).collect();
    assert_eq!(ours.len(), 20);
    for (k, (o, r)) in ours.iter().zip(&reference).enumerate() {
        assert!((o - r).abs() < 1e-3, "frame {k}: {o} s, ffprobe says {r} s");
    }
    let steps: Vec<f64> = ours.windows(2).map(|w| w[1] - w[0]).collect();
    let (shortest, longest) = steps
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &s| (lo.min(s), hi.max(s)));
    assert!(
        shortest > 0.0 && longest > 3.0 * shortest,
        "the pause shows, not a constant rate: {steps:?}"
    );
}

#[test]
fn webm_mov_and_avi_decode_too() {
    let dir = tempfile::tempdir().unwrap();
    let short = ["-frames:v", "15", "-r", "30", "-vf", "scale=320:240"];
    let cases = [
        ("clip.webm", vec!["-c:v", "libvpx-vp9", "-b:v", "200k"]),
        ("clip.mov", vec!["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
        ("clip.avi", vec!["-c:v", "mjpeg"]),
    ];
    for (name, codec) in cases {
        let args: Vec<&str> = short.iter().copied().chain(codec).collect();
        let path = make_video(dir.path(), name, &args);
        let frames: Vec<Frame> = drain(source::open(&path).unwrap())
            .into_iter()
            .map(|f| f.unwrap_or_else(|e| panic!("{name}: {e}")))
            .collect();
        assert_eq!(frames.len(), 15, "{name}");
        assert!(
            frames.iter().all(|f| f.image.dimensions() == (320, 240)),
            "{name}"
        );
        let reference = probe_times(&path);
        assert_eq!(reference.len(), 15, "{name}");
        for (f, r) in frames.iter().zip(&reference) {
            assert!(
                (secs(f.timestamp) - r).abs() < 1e-3,
                "{name} frame {}",
                f.index
            );
        }
    }
}

#[test]
fn truncated_video_gives_its_frames_then_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // Every frame a keyframe, so the bytes spread evenly over the frames; moov first, so the
    // cut file still opens.
    let whole = make_mp4(
        dir.path(),
        "whole.mp4",
        &["-g", "1", "-movflags", "+faststart"],
    );
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();

    let items = drain(source::open(&cut).unwrap());
    let (last, frames) = items.split_last().unwrap();
    assert!(
        frames.iter().all(Result::is_ok),
        "frames before the cut are fine"
    );
    let decoded = frames.len() as u64;
    assert!(
        (10..60).contains(&decoded),
        "{decoded} frames before the cut"
    );
    let Err(e) = last else {
        panic!("the cut must be reported, got a frame last");
    };
    let SourceError::Truncated {
        decoded: reported,
        expected,
        message,
        path,
    } = e
    else {
        panic!("expected Truncated, got {e}");
    };
    assert_eq!((*reported, *expected, path), (decoded, Some(60), &cut));
    assert!(!message.is_empty());
    let text = e.to_string();
    assert!(
        text.contains("truncated") && text.ends_with("cut.mp4"),
        "{text}"
    );
}

#[test]
fn video_cut_before_its_index_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    // Without +faststart the MP4 index (moov) is at the end: cut, nothing can be read.
    let whole = make_mp4(dir.path(), "whole.mp4", &[]);
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let e = source::open(&cut).unwrap_err();
    assert!(matches!(e, SourceError::Open { .. }), "{e}");
    assert!(e.to_string().contains("moov atom not found"), "{e}");
    assert!(e.to_string().ends_with("cut.mp4"), "{e}");
}

#[test]
fn missing_and_non_video_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.mp4");
    let e = source::open(&missing).unwrap_err();
    assert_eq!(
        e,
        SourceError::NotFound {
            path: missing.clone()
        }
    );
    assert!(e.to_string().ends_with("nope.mp4"), "{e}");

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a video\n").unwrap();
    let e = source::open(&notes).unwrap_err();
    assert!(matches!(e, SourceError::Open { .. }), "{e}");
    assert!(e.to_string().ends_with("notes.txt"), "{e}");

    // A missing glob matches nothing.
    let e = source::open(&dir.path().join("frames*.png")).unwrap_err();
    assert!(e.to_string().contains("no image matches"), "{e}");
}

/// A folder with f1, f2, f3 (corrupt) and f10 PNGs of distinct colours, and a text file.
fn make_frames(dir: &Path) {
    for (name, level) in [("f1.png", 10u8), ("f2.png", 20), ("f10.png", 100)] {
        RgbImage::from_pixel(8, 6, Rgb([level, 0, 0]))
            .save(dir.join(name))
            .unwrap();
    }
    std::fs::write(dir.join("f3.png"), b"\x89PNG\r\n\x1a\n truncated").unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
}

#[test]
fn image_folder_in_natural_order_with_a_bad_frame_skipped() {
    let dir = tempfile::tempdir().unwrap();
    make_frames(dir.path());
    let folder = ImageSequence::folder(dir.path()).unwrap().with_fps(10.0);
    assert_eq!(folder.len_hint(), Some(4), "the text file is not a frame");
    let items = drain(Box::new(folder));
    assert_eq!(items.len(), 4);

    let good: Vec<(u64, f64, u8)> = items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .map(|f| (f.index, secs(f.timestamp), f.image.get_pixel(0, 0)[0]))
        .collect();
    // f1, f2, (f3 bad), f10: natural order, index / fps timestamps.
    assert_eq!(good, [(0, 0.0, 10), (1, 0.1, 20), (3, 0.3, 100)]);

    let Err(e) = &items[2] else {
        panic!("f3.png is corrupt");
    };
    assert!(e.is_skippable());
    assert!(
        matches!(e, SourceError::BadFrame { index: 2, path, .. } if path.ends_with("f3.png")),
        "{e}"
    );
    assert!(e.to_string().ends_with("f3.png"), "{e}");
}

#[test]
fn open_dispatches_by_what_the_input_is() {
    let dir = tempfile::tempdir().unwrap();
    make_frames(dir.path());

    let folder = source::open(dir.path()).unwrap();
    assert!(
        folder.describe().starts_with("folder"),
        "{}",
        folder.describe()
    );
    assert_eq!(folder.len_hint(), Some(4));

    let glob = source::open(&dir.path().join("f1*.png")).unwrap();
    assert!(glob.describe().starts_with("images"), "{}", glob.describe());
    assert_eq!(glob.len_hint(), Some(2), "f1.png and f10.png");

    let still = source::open(&fixture("images/camera.png")).unwrap();
    let items = drain(still);
    assert_eq!(items.len(), 1);
    let frame = items[0].as_ref().unwrap();
    assert_eq!((frame.index, frame.timestamp), (0, Duration::ZERO));
    assert_eq!(frame.image.dimensions(), (512, 512));

    let video = make_mp4(dir.path(), "clip.mp4", &["-t", "0.2"]);
    let video = source::open(&video).unwrap();
    assert!(
        video.describe().starts_with("video"),
        "{}",
        video.describe()
    );
}

#[test]
fn cameras_command_never_fails_for_want_of_a_camera() {
    let out = crate::helpers::plumbline(["cameras"]);
    assert!(out.status.success(), "{}", crate::helpers::stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let listed = !text.trim().is_empty();
    assert!(listed, "either cameras or 'no cameras found'");
    if plumbline::source::list_cameras().unwrap().is_empty() {
        assert!(text.starts_with("no cameras found ("), "{text}");
    } else {
        assert!(text.lines().all(|l| l.contains('\t')), "{text}");
    }
}

/// A phone's portrait video (stored landscape with a display rotation) and an MP4 with a cover
/// picture before its video: frames come upright, from the video, with FFmpeg's own pixels.
#[test]
fn a_rotated_video_comes_upright_and_a_cover_picture_is_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let whole = make_mp4(dir.path(), "whole.mp4", &[]);
    let rotated = dir.path().join("portrait.mp4");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&whole)
        .args(["-c", "copy", "-metadata:s:v", "rotate=90"])
        .arg(&rotated)
        .status()
        .unwrap();
    assert!(status.success());
    let items = drain(source::open(&rotated).unwrap());
    assert_eq!(items.len(), 60, "every frame, and a clean end");
    let first = items[0].as_ref().unwrap();
    assert_eq!(first.image.dimensions(), (480, 640), "upright");
    let reference = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&rotated)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(
        first.image.as_raw(),
        &reference,
        "FFmpeg's own upright pixels"
    );

    // The cover (the fixture photo, 1280×960) goes in as the first stream.
    let covered = dir.path().join("covered.mp4");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&whole)
        .arg("-i")
        .arg(fixture("images/camera.png"))
        .args(["-map", "1", "-map", "0", "-c", "copy", "-disposition:v:0"])
        .args(["attached_pic"])
        .arg(&covered)
        .status()
        .unwrap();
    assert!(status.success());
    let source = source::open(&covered).unwrap();
    assert!(
        source.describe().contains("640×480"),
        "{}",
        source.describe()
    );
    let items = drain(source);
    assert_eq!(items.len(), 60);
    assert!(items.iter().all(Result::is_ok));
}

/// Videos need `ffmpeg` alone (no `ffprobe`), and the one beside plumbline's executable is
/// used before any on the `PATH`, as the Windows zip lays them out.
#[test]
fn videos_need_only_the_ffmpeg_beside_plumbline() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let exe = dir.path().join("plumbline");
    std::fs::hard_link(env!("CARGO_BIN_EXE_plumbline"), &exe)
        .or_else(|_| std::fs::copy(env!("CARGO_BIN_EXE_plumbline"), &exe).map(drop))
        .unwrap();
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v ffmpeg"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let calls = dir.path().join("calls");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
        calls.display(),
        real.trim()
    );
    let beside = dir.path().join("ffmpeg");
    std::fs::write(&beside, script).unwrap();
    std::fs::set_permissions(&beside, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let data = crate::helpers::data_dir();
    let run = |path: &str| {
        Command::new(&exe)
            .args(["analyze", "--quiet", "--no-record", "--json", "-"])
            .arg(fixture("video/camera_turning.mp4"))
            .env("PLUMBLINE_DATA_DIR", data.path())
            .env("PATH", path)
            .output()
            .unwrap()
    };
    // Nothing on the PATH: the one beside is found, twice (the probe and the decoding).
    let out = run("/nonexistent");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(summary["frames"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(std::fs::read_to_string(&calls).unwrap().lines().count(), 2);
    // Without it and with nothing on the PATH, the message says what to install.
    std::fs::remove_file(&beside).unwrap();
    let out = run("/nonexistent");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("`ffmpeg` was not found"), "{err}");
}
