//! Each platform's FFmpeg capture input, chosen in one place ([`DeviceInput::HERE`]): how
//! its cameras are listed and the input arguments that open one.

use std::path::Path;
use std::process::{Command, Stdio};

use super::list::{avfoundation_devices, dshow_devices, v4l2_devices};
use crate::source::camera::{CameraInfo, CameraRequest};
use crate::source::error::{FFMPEG_INSTALL, SourceError};
use crate::source::video::ffmpeg_program;

/// One of FFmpeg's capture inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DeviceInput {
    /// Video4Linux2: `-f v4l2 -i /dev/videoN`.
    V4l2,
    /// DirectShow: `-f dshow -i video=NAME`.
    Dshow,
    /// AVFoundation: `-f avfoundation -i N`.
    Avfoundation,
}

impl DeviceInput {
    /// This platform's.
    pub(super) const HERE: DeviceInput = if cfg!(windows) {
        DeviceInput::Dshow
    } else if cfg!(target_os = "macos") {
        DeviceInput::Avfoundation
    } else {
        DeviceInput::V4l2
    };

    /// FFmpeg's name for the input (`-f NAME`).
    pub(super) fn name(self) -> &'static str {
        match self {
            DeviceInput::V4l2 => "v4l2",
            DeviceInput::Dshow => "dshow",
            DeviceInput::Avfoundation => "avfoundation",
        }
    }

    /// The cameras this input can open.
    pub(super) fn cameras(self) -> Result<Vec<CameraInfo>, SourceError> {
        match self {
            DeviceInput::V4l2 => Ok(v4l2_devices(
                Path::new("/dev"),
                Path::new("/sys/class/video4linux"),
            )),
            DeviceInput::Dshow => Ok(dshow_devices(&list_devices(&[
                "-list_devices",
                "true",
                "-f",
                "dshow",
                "-i",
                "dummy",
            ])?)),
            DeviceInput::Avfoundation => Ok(avfoundation_devices(&list_devices(&[
                "-f",
                "avfoundation",
                "-list_devices",
                "true",
                "-i",
                "",
            ])?)),
        }
    }

    /// The input arguments opening `camera` (one of `cameras`, which tells apart two of the
    /// same name), asking for the request's size and rate when `with_mode`. Also the device
    /// as the user would name it, for messages.
    pub(super) fn input_args(
        self,
        camera: &CameraInfo,
        cameras: &[CameraInfo],
        request: &CameraRequest,
        with_mode: bool,
    ) -> (Vec<String>, String) {
        let mut args = vec!["-f".to_owned(), self.name().to_owned()];
        if with_mode {
            args.extend([
                "-framerate".to_owned(),
                request.fps.to_string(),
                "-video_size".to_owned(),
                format!("{}x{}", request.width, request.height),
            ]);
        }
        let device = match self {
            DeviceInput::V4l2 => Path::new("/dev")
                .join(format!("video{}", camera.index))
                .display()
                .to_string(),
            DeviceInput::Dshow => {
                // Two cameras of one model share a name; DirectShow counts them from 0.
                let same_name_before = cameras
                    .iter()
                    .take_while(|c| c.index != camera.index)
                    .filter(|c| c.name == camera.name)
                    .count();
                if same_name_before > 0 {
                    args.extend([
                        "-video_device_number".to_owned(),
                        same_name_before.to_string(),
                    ]);
                }
                format!("video={}", camera.name)
            }
            DeviceInput::Avfoundation => camera.index.to_string(),
        };
        args.extend(["-i".to_owned(), device.clone()]);
        (args, device)
    }
}

/// FFmpeg's device list (on stderr) for `args`; it exits with an error after listing, as
/// asked.
fn list_devices(args: &[&str]) -> Result<String, SourceError> {
    let output = Command::new(ffmpeg_program())
        .args(["-hide_banner", "-nostdin"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| SourceError::NoCamera {
            reason: format!("could not run ffmpeg to list cameras ({e}; {FFMPEG_INSTALL})"),
        })?;
    Ok(String::from_utf8_lossy(&output.stderr).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cam(index: u32, name: &str) -> CameraInfo {
        CameraInfo {
            index,
            name: name.to_owned(),
            description: String::new(),
        }
    }

    #[test]
    fn each_input_opens_a_camera_its_own_way() {
        let cameras = [cam(0, "HD Cam"), cam(1, "Other"), cam(2, "HD Cam")];
        let request = CameraRequest::default();
        let (args, device) = DeviceInput::V4l2.input_args(&cameras[2], &cameras, &request, true);
        assert_eq!(
            args.join(" "),
            "-f v4l2 -framerate 30 -video_size 640x480 -i /dev/video2"
        );
        assert_eq!(device, "/dev/video2");
        let (args, _) = DeviceInput::Dshow.input_args(&cameras[2], &cameras, &request, false);
        assert_eq!(
            args,
            [
                "-f",
                "dshow",
                "-video_device_number",
                "1",
                "-i",
                "video=HD Cam"
            ]
        );
        let (args, _) = DeviceInput::Dshow.input_args(&cameras[0], &cameras, &request, false);
        assert_eq!(args, ["-f", "dshow", "-i", "video=HD Cam"]);
        let (args, _) =
            DeviceInput::Avfoundation.input_args(&cameras[1], &cameras, &request, false);
        assert_eq!(args, ["-f", "avfoundation", "-i", "1"]);
    }
}
