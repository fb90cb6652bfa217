//! A camera filming a person who holds still sends the same picture thirty times a second, and
//! the pose of a picture that has not changed is the pose already found on it. Such a frame is
//! judged again with that pose, so every rule still sees every frame at its own time (timers,
//! dwell, alerts and a recording are as they would be), and the pose engine, nearly all of a
//! frame's cost, is spared.
//!
//! A frame counts as the same picture when no cell of its 32×32 brightness grid moved past a
//! camera's noise since the last frame the engine saw. Anything else goes to the engine at once:
//! the first movement, a person walking in, a change of light, a calibration, and any frame a
//! fifth of a second after the engine last looked (so a still scene is still analysed five
//! times a second). Only cameras: a file is judged frame by frame, as `plumbline analyze` does.

use std::time::Duration;

use crate::pose::Pose;
use crate::session::keyframes::likeness::Thumbnail;
use crate::source::Frame;

/// The longest the engine is spared: a still picture is analysed at least five times a second.
pub const MAX_REUSE: Duration = Duration::from_millis(200);
/// A grid cell (the mean of 16 pixels) that moved by more than this, of 255, has changed. A
/// webcam's sensor noise (a few levels per pixel, less after averaging) stays under it; an
/// outline moving by a few pixels across a cell moves it by tens of levels.
const CELL_STILL: u8 = 6;

/// What the engine last saw on a camera, to tell whether a new frame shows anything new.
#[derive(Debug, Default)]
pub(super) struct StillPicture {
    last: Option<Seen>,
}

#[derive(Debug)]
struct Seen {
    thumbnail: Thumbnail,
    t: Duration,
    pose: Option<Pose>,
}

/// A frame's picture, reduced for comparison.
pub(super) struct Look {
    thumbnail: Thumbnail,
}

impl StillPicture {
    /// Forgets the last picture (a new source, a new engine).
    pub(super) fn forget(&mut self) {
        self.last = None;
    }

    /// Looks at `frame`: the pose to judge it with when it is the same picture the engine saw
    /// less than [`MAX_REUSE`] before (`Ok`, `None` inside when nobody was found there), or the
    /// look to hand back through [`seen`](Self::seen) once the engine has analysed it.
    pub(super) fn look(&self, frame: &Frame) -> Result<Option<Pose>, Look> {
        let thumbnail = Thumbnail::of(&frame.image);
        match &self.last {
            Some(last)
                if frame.timestamp >= last.t
                    && frame.timestamp - last.t < MAX_REUSE
                    && last.thumbnail.changed_cells(&thumbnail, CELL_STILL) == 0 =>
            {
                Ok(last.pose.clone())
            }
            _ => Err(Look { thumbnail }),
        }
    }

    /// The engine analysed the frame `look` came from, taken at `t`, and found `pose`.
    pub(super) fn seen(&mut self, look: Look, t: Duration, pose: Option<&Pose>) {
        self.last = Some(Seen {
            thumbnail: look.thumbnail,
            t,
            pose: pose.cloned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::Body;
    use image::{Rgb, RgbImage};

    /// A 640×480 room with a person-sized block at `x`, brightened by `light`, with `noise`
    /// levels of fixed-pattern sensor noise.
    fn frame(t_ms: u64, x: u32, light: u8, noise: u8) -> Frame {
        let image = RgbImage::from_fn(640, 480, |px, py| {
            let base = if (x..x + 60).contains(&px) && (100..400).contains(&py) {
                [40, 60, 200]
            } else {
                [200, 195, 180]
            };
            let n = ((px * 7919 + py * 104_729 + t_ms as u32 * 31) % (2 * noise as u32 + 1)) as u8;
            Rgb(base.map(|c: u8| {
                c.saturating_add(light)
                    .saturating_add(n)
                    .saturating_sub(noise)
            }))
        });
        Frame {
            image,
            timestamp: Duration::from_millis(t_ms),
            index: t_ms / 33,
        }
    }

    fn seen_at(still: &mut StillPicture, f: &Frame, pose: Option<&Pose>) {
        let look = still.look(f).expect_err("a new picture goes to the engine");
        still.seen(look, f.timestamp, pose);
    }

    #[test]
    fn a_still_noisy_picture_reuses_the_pose_until_a_fifth_of_a_second_has_passed() {
        let pose = Body::frontal().pose();
        let mut still = StillPicture::default();
        assert!(
            still.look(&frame(0, 300, 0, 4)).is_err(),
            "nothing seen yet"
        );
        seen_at(&mut still, &frame(0, 300, 0, 4), Some(&pose));
        for t in [33, 66, 100, 133, 166, 199] {
            let reused = still.look(&frame(t, 300, 0, 4));
            assert_eq!(reused.ok(), Some(Some(pose.clone())), "at {t} ms");
        }
        assert!(still.look(&frame(200, 300, 0, 4)).is_err(), "200 ms on");
        seen_at(&mut still, &frame(200, 300, 0, 4), None);
        assert_eq!(
            still.look(&frame(233, 300, 0, 4)).ok(),
            Some(None),
            "nobody, still"
        );
    }

    #[test]
    fn the_first_movement_or_change_of_light_goes_to_the_engine() {
        let mut still = StillPicture::default();
        seen_at(&mut still, &frame(0, 300, 0, 2), None);
        assert!(still.look(&frame(33, 300, 0, 2)).is_ok());
        assert!(still.look(&frame(33, 304, 0, 2)).is_err(), "moved 4 pixels");
        assert!(
            still.look(&frame(33, 300, 12, 2)).is_err(),
            "the light came up"
        );
        assert!(
            still.look(&frame(0, 300, 0, 2)).is_ok(),
            "the same frame again"
        );
        still.forget();
        assert!(still.look(&frame(33, 300, 0, 2)).is_err(), "forgotten");
    }
}
