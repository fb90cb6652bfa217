//! `plumbline doctor --camera` (or `--source FILE`): a look through the camera as the app
//! would see it: is a person found, is the light good enough, is the camera placed well. Two
//! seconds of frames through the real engine and judge; the light and the framing are the
//! verdicts most of those frames give, with the advice the app would show.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

use super::check::{Check, Status};
use crate::geometry::framing::{self, Framing};
use crate::geometry::light::{self, Light};
use crate::pose::exposure::Exposure;
use crate::pose::{EngineConfig, ModelKind, PoseEstimator};
use crate::source::{FrameSource, SourceError};

/// How much of the source to look at.
const LOOK_FOR: Duration = Duration::from_secs(2);
const MAX_FRAMES: usize = 60;
/// Landmarks below this visibility do not count for the framing (the judge's default).
const MIN_VISIBILITY: f32 = 0.5;

pub(super) const NAME: &str = "picture";

/// Looks at `source` (already opened, or why it could not be).
pub(super) fn picture(source: Result<Box<dyn FrameSource>, SourceError>) -> Check {
    let mut source = match source {
        Ok(s) => s,
        Err(e) => {
            return Check::bad(
                NAME,
                Status::Problem,
                format!("cannot open it: {e}"),
                "see the `cameras` check above; `plumbline cameras` lists what the system offers",
            );
        }
    };
    let mut engine = match PoseEstimator::new(&EngineConfig::video(ModelKind::Full)) {
        Ok(e) => e,
        Err(e) => {
            return Check::bad(
                NAME,
                Status::Problem,
                format!("the engine cannot start: {e}"),
                "see the `engine` check above",
            );
        }
    };
    let mut seen = Seen::default();
    let mut first_t = None;
    while seen.frames < MAX_FRAMES {
        let frame = match source.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if seen.frames == 0 => {
                return Check::bad(
                    NAME,
                    Status::Problem,
                    format!("{}: no picture ({e})", source.describe()),
                    "check that no other program is using the camera, then try again",
                );
            }
            Err(_) => break,
        };
        let start = *first_t.get_or_insert(frame.timestamp);
        if frame.timestamp.saturating_sub(start) > LOOK_FOR {
            break;
        }
        let pose = match engine.estimate(&frame.image, frame.timestamp) {
            Ok(p) => p,
            Err(e) => {
                return Check::bad(
                    NAME,
                    Status::Problem,
                    format!("the engine failed on a frame: {e}"),
                    "see the `engine` check above",
                );
            }
        };
        let exposure = Exposure::of(&frame.image, pose.as_ref());
        seen.add(
            &exposure,
            pose.is_some(),
            framing::assess(pose.as_ref(), MIN_VISIBILITY),
        );
    }
    seen.verdict(&source.describe())
}

/// What the frames looked like.
#[derive(Debug, Default)]
struct Seen {
    frames: usize,
    with_person: usize,
    luma: f32,
    person: (f32, usize),
    surround: (f32, usize),
    light: HashMap<Light, usize>,
    framing: HashMap<Framing, usize>,
}

impl Seen {
    fn add(&mut self, e: &Exposure, person: bool, framing: Framing) {
        self.frames += 1;
        self.with_person += usize::from(person);
        self.luma += e.luma;
        if let Some(p) = e.person {
            self.person = (self.person.0 + p, self.person.1 + 1);
        }
        if let Some(s) = e.surround {
            self.surround = (self.surround.0 + s, self.surround.1 + 1);
        }
        *self.light.entry(light::assess(e)).or_default() += 1;
        *self.framing.entry(framing).or_default() += 1;
    }

    fn verdict(&self, what: &str) -> Check {
        if self.frames == 0 {
            return Check::bad(
                NAME,
                Status::Problem,
                format!("{what}: no frames"),
                "check that no other program is using the camera, then try again",
            );
        }
        let mean = |(sum, n): (f32, usize)| (n > 0).then(|| sum / n as f32);
        let mut detail = format!(
            "{what}: a person in {} of {} frames; light: mean luma {:.0} of 255",
            self.with_person,
            self.frames,
            self.luma / self.frames as f32
        );
        if let (Some(p), Some(s)) = (mean(self.person), mean(self.surround)) {
            detail += &format!(" (on the person {p:.0}, around them {s:.0})");
        }
        let light = most(&self.light, self.frames).unwrap_or(Light::Good);
        let framing = most(&self.framing, self.frames).unwrap_or(Framing::Good);
        detail += &format!("; {}", light.name().replace('_', " "));
        let fix = light
            .advice()
            .or_else(|| (framing != Framing::Good).then(|| framing.advice(None, false))?);
        match fix {
            Some(fix) => Check::bad(NAME, Status::Warning, detail, fix),
            None => Check::ok(NAME, detail),
        }
    }
}

/// The verdict at least half the frames give, if one does.
fn most<T: Copy + Eq + Hash>(counts: &HashMap<T, usize>, frames: usize) -> Option<T> {
    counts
        .iter()
        .filter(|&(_, &n)| 2 * n >= frames)
        .max_by_key(|&(_, &n)| n)
        .map(|(&v, _)| v)
}
