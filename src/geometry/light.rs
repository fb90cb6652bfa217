//! Whether the light lets the camera see the person, and what to do about it: a room too dark
//! for the detector, a window or lamp behind the person, a picture washed out. The thresholds
//! come from `tests/fixtures/measure_darkness.py` (README, "Light").

use serde::{Deserialize, Serialize};

use crate::pose::exposure::Exposure;

/// Below this mean luma (0–255) the picture is too dark: at 1/16 of the light, the demo's mean
/// luma is 50 and the person is still found; at 1/32 (34) plumbline finds them in 3 frames
/// out of 4 and MediaPipe in none (README, "Light").
pub const TOO_DARK_LUMA: f32 = 40.0;
/// A person found whose box is darker than this is in the dark, however lit the room behind
/// them (a dim room's lamp or window): from a mean luma of about 30 the detector starts to lose
/// people (README, "Light").
pub const TOO_DARK_PERSON: f32 = 30.0;
/// A person whose box is darker than this share of their surroundings, in front of
/// surroundings at least [`BACKLIT_SURROUND`] bright, is lit from behind.
pub const BACKLIT_RATIO: f32 = 0.45;
pub const BACKLIT_SURROUND: f32 = 150.0;
/// With nobody found, a picture with this share blown out and a mean below
/// [`BACKLIT_DARK_REST`] elsewhere is a bright window in a dark room.
pub const BACKLIT_BLOWN: f32 = 0.08;
pub const BACKLIT_DARK_REST: f32 = 70.0;
/// More than this share blown out, with the person (if found) also near white, is washed out.
pub const WASHED_OUT_BLOWN: f32 = 0.4;

/// What the light is like, worst first; `Good` when nothing is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Good,
    /// The whole picture is dark.
    TooDark,
    /// The person is dark against a bright background: a window or a lamp behind them.
    BackLit,
    /// Much of the picture is blown out.
    WashedOut,
}

impl Light {
    /// Plain words for the user, or `None` when the light is good.
    pub fn advice(self) -> Option<&'static str> {
        Some(match self {
            Light::Good => return None,
            Light::TooDark => "Too dark to see you well: turn on a light in front of you",
            Light::BackLit => {
                "You are lit from behind: close the curtain behind you, or turn on a light in \
                 front of you"
            }
            Light::WashedOut => {
                "The picture is washed out: turn the camera away from the window or the lamp"
            }
        })
    }

    /// The name used in JSON and CSV.
    pub fn name(self) -> &'static str {
        match self {
            Light::Good => "good",
            Light::TooDark => "too_dark",
            Light::BackLit => "back_lit",
            Light::WashedOut => "washed_out",
        }
    }
}

/// Judges one frame's light.
pub fn assess(e: &Exposure) -> Light {
    if e.luma < TOO_DARK_LUMA {
        return Light::TooDark;
    }
    match (e.person, e.surround) {
        (Some(person), Some(surround))
            if surround >= BACKLIT_SURROUND && person < BACKLIT_RATIO * surround =>
        {
            Light::BackLit
        }
        (Some(person), _) if person < TOO_DARK_PERSON => Light::TooDark,
        (Some(person), _) if e.blown > WASHED_OUT_BLOWN && person > 200.0 => Light::WashedOut,
        (None, _) if e.blown > WASHED_OUT_BLOWN => Light::WashedOut,
        (None, _) if e.blown >= BACKLIT_BLOWN && e.rest < BACKLIT_DARK_REST => Light::BackLit,
        _ => Light::Good,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(luma: f32, blown: f32, rest: f32, person: Option<(f32, f32)>) -> Exposure {
        Exposure {
            luma,
            blown,
            rest,
            person: person.map(|p| p.0),
            surround: person.map(|p| p.1),
        }
    }

    #[test]
    fn each_light_gets_its_advice() {
        let cases = [
            (lit(120.0, 0.01, 118.0, Some((110.0, 125.0))), Light::Good),
            (lit(120.0, 0.0, 120.0, None), Light::Good),
            (lit(25.0, 0.0, 25.0, Some((22.0, 26.0))), Light::TooDark),
            (lit(25.0, 0.0, 25.0, None), Light::TooDark),
            // The room lit, the person in its shadow.
            (lit(48.0, 0.0, 48.0, Some((14.0, 52.0))), Light::TooDark),
            // A dark figure before a bright window, found or not.
            (lit(170.0, 0.3, 120.0, Some((40.0, 190.0))), Light::BackLit),
            (lit(90.0, 0.15, 50.0, None), Light::BackLit),
            // Blown out, the person too.
            (
                lit(235.0, 0.6, 200.0, Some((230.0, 240.0))),
                Light::WashedOut,
            ),
            (lit(235.0, 0.6, 200.0, None), Light::WashedOut),
        ];
        for (e, want) in cases {
            assert_eq!(assess(&e), want, "{e:?}");
            assert_eq!(want.advice().is_none(), want == Light::Good);
        }
        assert_eq!(Light::BackLit.name(), "back_lit");
    }
}
