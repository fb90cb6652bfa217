//! Which camera to open and in what format: the user's selector and request, resolved
//! against the cameras the system lists, before the capture thread opens one.

use std::fmt;
use std::str::FromStr;

use crate::source::error::SourceError;

/// One camera the system offers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CameraInfo {
    /// What to pass to open it (`/dev/videoN` on Linux).
    pub index: u32,
    pub name: String,
    /// The backend's description ("Video4Linux Device @ /dev/video0").
    pub description: String,
}

/// Which camera to open: by index, or by (part of) its name, ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraSelector {
    Index(u32),
    Name(String),
}

impl FromStr for CameraSelector {
    type Err = std::convert::Infallible;
    /// A number is an index; anything else a name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().parse() {
            Ok(i) => CameraSelector::Index(i),
            Err(_) => CameraSelector::Name(s.trim().to_owned()),
        })
    }
}

impl fmt::Display for CameraSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CameraSelector::Index(i) => write!(f, "camera {i}"),
            CameraSelector::Name(n) => write!(f, "camera \"{n}\""),
        }
    }
}

/// The camera and the format to ask it for; the nearest format it offers is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraRequest {
    pub camera: CameraSelector,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for CameraRequest {
    /// The first camera at 640×480, 30 fps: the pose models look at 256×256 crops, so more
    /// pixels cost decoding time and buy no accuracy.
    fn default() -> Self {
        Self {
            camera: CameraSelector::Index(0),
            width: 640,
            height: 480,
            fps: 30,
        }
    }
}

/// Finds the camera `selector` names in `cameras`: an index as is, a name exactly (ignoring
/// case) or else as the only camera whose name contains it.
pub(super) fn resolve(
    selector: &CameraSelector,
    cameras: &[CameraInfo],
) -> Result<u32, SourceError> {
    let name = match selector {
        CameraSelector::Index(i) => return Ok(*i),
        CameraSelector::Name(name) => name,
    };
    let wanted = name.to_lowercase();
    if let Some(c) = cameras.iter().find(|c| c.name.to_lowercase() == wanted) {
        return Ok(c.index);
    }
    let partial: Vec<&CameraInfo> = cameras
        .iter()
        .filter(|c| c.name.to_lowercase().contains(&wanted))
        .collect();
    match partial.as_slice() {
        [one] => Ok(one.index),
        [] if cameras.is_empty() => Err(SourceError::NoCamera {
            reason: format!("looking for \"{name}\""),
        }),
        found => Err(SourceError::CameraOpen {
            camera: selector.to_string(),
            reason: if found.is_empty() {
                "no camera has that name".to_owned()
            } else {
                format!("{} cameras match that name", found.len())
            },
            hint: format!(
                "give an index or a full name; the cameras are: {}",
                cameras
                    .iter()
                    .map(|c| format!("{} {}", c.index, c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cam(index: u32, name: &str) -> CameraInfo {
        CameraInfo {
            index,
            name: name.into(),
            description: String::new(),
        }
    }

    #[test]
    fn selectors_parse_numbers_as_indices() {
        assert_eq!("2".parse(), Ok(CameraSelector::Index(2)));
        assert_eq!(
            " HD Webcam ".parse(),
            Ok(CameraSelector::Name("HD Webcam".into()))
        );
    }

    #[test]
    fn names_resolve_exactly_then_by_a_unique_part() {
        let cams = [cam(0, "Integrated Camera"), cam(2, "Logitech C920")];
        let by = |s: &str| resolve(&s.parse().unwrap(), &cams);
        assert_eq!(by("logitech c920").unwrap(), 2);
        assert_eq!(by("c920").unwrap(), 2);
        assert_eq!(by("7").unwrap(), 7, "indices are passed through");
        // "c" is in both names: ambiguous, and the error lists the cameras.
        let e = by("c").unwrap_err().to_string();
        assert!(
            e.contains("2 cameras match") && e.contains("0 Integrated Camera"),
            "{e}"
        );
        assert!(by("nothing").is_err());
        assert!(matches!(
            resolve(&CameraSelector::Name("x".into()), &[]),
            Err(SourceError::NoCamera { .. })
        ));
    }
}
