//! The cameras FFmpeg can open, as each platform lists them: Linux's `/dev/video*` nodes
//! (named in sysfs), and the device lists `ffmpeg -list_devices true` prints for DirectShow
//! (Windows) and AVFoundation (macOS). Pure parsers, tested on every platform.

use std::path::Path;

use crate::source::camera::CameraInfo;

/// The capture nodes under `dev` (`/dev/video0`, …), named from `sys`
/// (`/sys/class/video4linux/videoN/name`). A node whose sysfs `index` is not 0 is a camera's
/// second node (its metadata stream), which delivers no pictures, and is left out.
pub(super) fn v4l2_devices(dev: &Path, sys: &Path) -> Vec<CameraInfo> {
    let Ok(entries) = std::fs::read_dir(dev) else {
        return Vec::new();
    };
    let mut cameras: Vec<CameraInfo> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file = entry.file_name();
            let index: u32 = file.to_str()?.strip_prefix("video")?.parse().ok()?;
            let attribute = |name: &str| {
                std::fs::read_to_string(sys.join(&file).join(name))
                    .ok()
                    .map(|s| s.trim().to_owned())
            };
            if attribute("index").is_some_and(|i| i != "0") {
                return None;
            }
            let path = entry.path();
            Some(CameraInfo {
                index,
                name: attribute("name")
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| path.display().to_string()),
                description: format!("FFmpeg v4l2 input @ {}", path.display()),
            })
        })
        .collect();
    cameras.sort_by_key(|c| c.index);
    cameras
}

/// The video devices in `ffmpeg -list_devices true -f dshow -i dummy`'s output, in order: the
/// index is the position. FFmpeg 4.4 and later print `"Name" (video)` per device; earlier
/// ones print a "DirectShow video devices" heading, then `"Name"` lines.
pub(super) fn dshow_devices(stderr: &str) -> Vec<CameraInfo> {
    let mut names = Vec::new();
    let mut in_video_section = false;
    for line in stderr.lines() {
        let text = without_context(line);
        if text.starts_with("DirectShow video devices") {
            in_video_section = true;
            continue;
        }
        if text.starts_with("DirectShow audio devices") {
            in_video_section = false;
            continue;
        }
        // `"Name" (video)`; `Alternative name "@device_pnp_…"` lines start otherwise.
        let Some(rest) = text.strip_prefix('"') else {
            continue;
        };
        let Some((name, kind)) = rest.rsplit_once('"') else {
            continue;
        };
        let kind = kind.trim();
        let video = match kind.strip_prefix('(').and_then(|k| k.strip_suffix(')')) {
            Some(kinds) => kinds.split(',').any(|k| k.trim() == "video"),
            None => kind.is_empty() && in_video_section,
        };
        if video && !name.is_empty() {
            names.push(name.to_owned());
        }
    }
    (0..)
        .zip(names)
        .map(|(index, name)| CameraInfo {
            index,
            name,
            description: "FFmpeg dshow input".to_owned(),
        })
        .collect()
}

/// The video devices in `ffmpeg -f avfoundation -list_devices true -i ""`'s output:
/// `[N] Name` lines under "AVFoundation video devices:", screens ("Capture screen 0") left
/// out. The index is AVFoundation's own, what `-i "N"` opens.
pub(super) fn avfoundation_devices(stderr: &str) -> Vec<CameraInfo> {
    let mut cameras = Vec::new();
    let mut in_video_section = false;
    for line in stderr.lines() {
        let text = without_context(line);
        if text.starts_with("AVFoundation video devices") {
            in_video_section = true;
            continue;
        }
        if text.starts_with("AVFoundation audio devices") {
            in_video_section = false;
            continue;
        }
        if !in_video_section {
            continue;
        }
        let Some((index, name)) = text.strip_prefix('[').and_then(|t| t.split_once(']')) else {
            continue;
        };
        let (Ok(index), name) = (index.parse(), name.trim()) else {
            continue;
        };
        if name.is_empty() || name.starts_with("Capture screen") {
            continue;
        }
        cameras.push(CameraInfo {
            index,
            name: name.to_owned(),
            description: "FFmpeg avfoundation input".to_owned(),
        });
    }
    cameras
}

/// A log line without FFmpeg's `[dshow @ 0x…]` context and `[info]` level, trimmed.
fn without_context(line: &str) -> &str {
    let mut rest = line.trim();
    while rest.starts_with('[') {
        match rest.find(']') {
            // `[0] FaceTime HD Camera` is a device, not a context.
            Some(end) if rest[1..end].parse::<u32>().is_err() => rest = rest[end + 1..].trim(),
            _ => break,
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(cameras: &[CameraInfo]) -> Vec<(u32, &str)> {
        cameras.iter().map(|c| (c.index, c.name.as_str())).collect()
    }

    #[test]
    fn dshow_lists_video_devices_in_order_in_both_formats() {
        // FFmpeg 4.4 and later.
        let new = r#"[dshow @ 000001f1c0a5e2c0] "Integrated Camera" (video)
[dshow @ 000001f1c0a5e2c0]   Alternative name "@device_pnp_\\?\usb#vid_04f2&pid_b6d9&mi_00#6&1b2c3d4&0&0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\global"
[dshow @ 000001f1c0a5e2c0] "Microphone Array (Realtek(R) Audio)" (audio)
[dshow @ 000001f1c0a5e2c0]   Alternative name "@device_cm_{33D9A762-90C8-11D0-BD43-00A0C911CE86}\wave_{0A1B2C3D}"
[dshow @ 000001f1c0a5e2c0] "OBS Virtual Camera" (video)
[dshow @ 000001f1c0a5e2c0]   Alternative name "@device_sw_{860BB310-5D01-11D0-BD3B-00A0C911CE86}\{A3FCE0F5-3493-419F-958A-ABA1250EC20B}"
[in#0 @ 000001f1c0a5d100] Error opening input: Immediate exit requested
dummy: Immediate exit requested
"#;
        assert_eq!(
            names(&dshow_devices(new)),
            [(0, "Integrated Camera"), (1, "OBS Virtual Camera")]
        );
        // FFmpeg 4.3 and earlier: headings, then the names alone.
        let old = r#"[dshow @ 0000020b9b0b9f00] DirectShow video devices (some may be both video and audio devices)
[dshow @ 0000020b9b0b9f00]  "HD WebCam (USB)"
[dshow @ 0000020b9b0b9f00]     Alternative name "@device_pnp_\\?\usb#vid_0bda&pid_58c2"
[dshow @ 0000020b9b0b9f00] DirectShow audio devices
[dshow @ 0000020b9b0b9f00]  "Microphone (Realtek High Definition Audio)"
[dshow @ 0000020b9b0b9f00]     Alternative name "@device_cm_{33D9A762-90C8-11D0-BD43-00A0C911CE86}\wave_{1}"
dummy: Immediate exit requested
"#;
        assert_eq!(names(&dshow_devices(old)), [(0, "HD WebCam (USB)")]);
        assert!(dshow_devices("dummy: Immediate exit requested\n").is_empty());
    }

    #[test]
    fn avfoundation_lists_cameras_by_their_own_index_without_screens() {
        let out = r#"[AVFoundation indev @ 0x7f8e4a504440] AVFoundation video devices:
[AVFoundation indev @ 0x7f8e4a504440] [0] FaceTime HD Camera
[AVFoundation indev @ 0x7f8e4a504440] [1] OBS Virtual Camera
[AVFoundation indev @ 0x7f8e4a504440] [2] Capture screen 0
[AVFoundation indev @ 0x7f8e4a504440] AVFoundation audio devices:
[AVFoundation indev @ 0x7f8e4a504440] [0] MacBook Pro Microphone
: Input/output error
"#;
        assert_eq!(
            names(&avfoundation_devices(out)),
            [(0, "FaceTime HD Camera"), (1, "OBS Virtual Camera")]
        );
    }

    #[test]
    fn v4l2_nodes_are_named_from_sysfs_and_metadata_nodes_left_out() {
        let root = tempfile::tempdir().unwrap();
        let (dev, sys) = (root.path().join("dev"), root.path().join("sys"));
        for (node, name, index) in [
            ("video2", "USB Camera: USB Camera", "0"),
            ("video3", "USB Camera: USB Camera", "1"),
            ("video0", "Integrated Camera: Integrated C", "0"),
        ] {
            std::fs::create_dir_all(sys.join(node)).unwrap();
            std::fs::write(sys.join(node).join("name"), format!("{name}\n")).unwrap();
            std::fs::write(sys.join(node).join("index"), format!("{index}\n")).unwrap();
        }
        std::fs::create_dir_all(&dev).unwrap();
        for node in ["video0", "video2", "video3", "video10", "vhci", "videox"] {
            std::fs::write(dev.join(node), "").unwrap();
        }
        let cameras = v4l2_devices(&dev, &sys);
        assert_eq!(
            names(&cameras),
            [
                (0, "Integrated Camera: Integrated C"),
                (2, "USB Camera: USB Camera"),
                (10, dev.join("video10").to_str().unwrap()),
            ]
        );
        assert!(cameras[1].description.ends_with("video2"));
        assert!(v4l2_devices(&root.path().join("none"), &sys).is_empty());
    }
}
