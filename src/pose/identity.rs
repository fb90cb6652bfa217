//! Judging only the user: which of the detector's people the engine follows, and when a pose
//! found in the followed region belongs to someone else. Pure state on image geometry; no
//! models, no clock.
//!
//! The rule, as the README states it:
//! - with no one followed yet, the largest, most central person is taken (MediaPipe takes the
//!   detector's highest score, which may be a passer-by at the edge);
//! - from then on, the person followed is the one whose region continues the last one: a pose
//!   whose region jumps further, or grows or shrinks faster, than a person can move between two
//!   frames is someone else stepping into the region, and is dropped;
//! - when the person is lost, only someone near where and as big as they were last seen is
//!   taken back (the reach grows with the time away, up to a cap), or someone at the place and
//!   size of the calibration. A passer-by behind (smaller) or in front (larger) is never taken;
//!   while the user is away no one is judged;
//! - the person's torso colours ([`Look`]) are learnt over their first frames; a pose whose
//!   torso no longer looks like them is someone else's, however plausibly it moved there (a
//!   passer-by crossing in front drags the tracked region along with them);
//! - a new stream forgets everything.

use std::time::Duration;

use super::look::Look;
use super::roi::{ImageSize, NormRect};

/// Where a person is in the picture and how big: the centre of the landmark model's region
/// (hip centre, from the detector's or the landmarks' alignment points) and the region's side,
/// all in image heights so that x and y share one scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub x: f32,
    pub y: f32,
    pub size: f32,
}

impl Place {
    /// The place of a region of interest (a square in pixels) in an image of `image`'s size.
    pub fn of(roi: &NormRect, image: ImageSize) -> Self {
        Self {
            x: roi.x_center * image.w() / image.h(),
            y: roi.y_center,
            size: roi.height,
        }
    }

    /// How far `other`'s centre is from this one, in this place's sizes.
    fn reach_to(&self, other: &Place) -> f32 {
        (other.x - self.x).hypot(other.y - self.y) / self.size.max(1e-6)
    }

    /// How many times larger the larger of the two is (1 for the same size).
    fn size_ratio(&self, other: &Place) -> f32 {
        let (a, b) = (self.size.max(1e-6), other.size.max(1e-6));
        if a > b { a / b } else { b / a }
    }

    /// How close `other` is to this place: 0 for the same, larger the further and the more
    /// different in size (a size ratio of 1.5 counts as much as half a size of distance).
    fn mismatch(&self, other: &Place) -> f32 {
        self.reach_to(other) + self.size_ratio(other).ln()
    }
}

/// How far a person may move, and how much their size may change, and still be the same person.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tolerance {
    /// Distance between centres, in sizes of the earlier place.
    reach: f32,
    /// Largest size ratio.
    ratio: f32,
}

impl Tolerance {
    fn admits(&self, from: &Place, to: &Place) -> bool {
        from.reach_to(to) <= self.reach && from.size_ratio(to) <= self.ratio
    }
}

/// Between two analysed frames `dt` apart: a brisk walker's region moves about one size a
/// second and scales little; a passer-by stepping into the region is far off or far bigger.
fn between_frames(dt: Duration) -> Tolerance {
    let dt = dt.as_secs_f32().min(1.0);
    Tolerance {
        reach: 0.25 + 1.5 * dt,
        ratio: 1.3 + 0.5 * dt,
    }
}

/// Taking back a person lost `away` ago: close at first, wider the longer they have been gone,
/// but never as wide as "anyone": a passer-by at another distance from the camera differs in
/// size by more than the cap.
fn after_absence(away: Duration) -> Tolerance {
    let away = away.as_secs_f32();
    Tolerance {
        reach: (0.6 + 0.5 * away).min(1.5),
        ratio: (1.3 + 0.1 * away).min(1.5),
    }
}

/// Someone back at the calibrated place and size.
const AT_CALIBRATION: Tolerance = Tolerance {
    reach: 0.6,
    ratio: 1.3,
};

/// Below this likeness (Bhattacharyya coefficient of the torso colours) a pose is not the
/// person followed. The same shirt across a walk and a turn reads above 0.8 on the renders and
/// the demo; a different garment below 0.3.
const MIN_LIKENESS: f32 = 0.5;

/// Frames over which the person's look is first learnt (an average); after that it follows the
/// light slowly.
const LEARNING_FRAMES: u32 = 15;
const RELEARN_RATE: f32 = 0.02;

/// The followed person's identity between frames.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// Where the person followed was last seen, and when.
    last_seen: Option<(Place, Duration)>,
    /// Where the person stood when they calibrated in this stream.
    calibrated: Option<Place>,
    /// What the person's torso looks like, and over how many frames that was learnt.
    look: Option<(Look, u32)>,
}

impl Identity {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether someone has been followed in this stream (a newcomer is then gated).
    pub fn following(&self) -> bool {
        self.last_seen.is_some()
    }

    /// Which of `candidates` (detections, in the detector's order, at `t`) is the user, if any:
    /// with no one followed, the largest, most central; else the one that best matches where
    /// the user was last seen or calibrated, within the tolerances; `None` if none may be them.
    pub fn choose(&self, candidates: &[Place], image: ImageSize, t: Duration) -> Option<usize> {
        let Some((seen, when)) = self.last_seen else {
            return largest_most_central(candidates, image);
        };
        let away = after_absence(t.saturating_sub(when));
        candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let by_track = away.admits(&seen, c).then(|| seen.mismatch(c));
                let by_calibration = self
                    .calibrated
                    .filter(|home| AT_CALIBRATION.admits(home, c))
                    .map(|home| home.mismatch(c));
                let best = match (by_track, by_calibration) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                best.map(|m| (i, m))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// Whether a pose found at `place` in the region followed from the last frame, at `t`, is
    /// still the same person.
    pub fn continues(&self, place: &Place, t: Duration) -> bool {
        match self.last_seen {
            Some((seen, when)) => between_frames(t.saturating_sub(when)).admits(&seen, place),
            None => true,
        }
    }

    /// Whether a torso that looks like `look` can be the person followed (an unknown look,
    /// in the dark or off the picture, can).
    pub fn recognises(&self, look: Option<&Look>) -> bool {
        match (&self.look, look) {
            (Some((known, _)), Some(look)) => known.likeness(look) >= MIN_LIKENESS,
            _ => true,
        }
    }

    /// The person followed was seen at `place` at `t`, looking like `look`.
    pub fn saw(&mut self, place: Place, look: Option<Look>, t: Duration) {
        self.last_seen = Some((place, t));
        let Some(look) = look else { return };
        match &mut self.look {
            None => self.look = Some((look, 1)),
            Some((known, n)) if *n < LEARNING_FRAMES => {
                *n += 1;
                known.blend(&look, 1.0 / *n as f32);
            }
            Some((known, _)) => known.blend(&look, RELEARN_RATE),
        }
    }

    /// The person followed has just calibrated: their place now is the calibrated one.
    pub fn calibrated_here(&mut self) {
        if let Some((place, _)) = self.last_seen {
            self.calibrated = Some(place);
        }
    }

    /// A new, unrelated stream: no one is followed.
    pub fn forget(&mut self) {
        *self = Self::default();
    }
}

/// The first choice: the largest person, a little less for each step from the centre, so that
/// of two people of about the same size the one in the middle of the picture wins.
fn largest_most_central(candidates: &[Place], image: ImageSize) -> Option<usize> {
    let centre = Place {
        x: 0.5 * image.w() / image.h(),
        y: 0.5,
        size: 1.0,
    };
    let half_diagonal = centre.x.hypot(centre.y);
    candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let off = (c.x - centre.x).hypot(c.y - centre.y) / half_diagonal;
            (i, c.size * (1.0 - 0.5 * off.min(1.0)))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VGA: ImageSize = ImageSize {
        width: 640,
        height: 480,
    };

    fn at(x: f32, y: f32, size: f32) -> Place {
        Place { x, y, size }
    }

    fn s(secs: f32) -> Duration {
        Duration::from_secs_f32(secs)
    }

    #[test]
    fn the_first_choice_is_the_largest_then_the_most_central() {
        let id = Identity::new();
        // A big person at the edge beats a small one in the middle...
        let big_edge = at(0.25, 0.5, 0.9);
        let small_middle = at(0.67, 0.5, 0.4);
        assert_eq!(id.choose(&[small_middle, big_edge], VGA, s(0.0)), Some(1));
        // ...and of two the same size, the one in the middle wins.
        let same_edge = at(0.2, 0.5, 0.6);
        let same_middle = at(0.7, 0.5, 0.6);
        assert_eq!(id.choose(&[same_edge, same_middle], VGA, s(0.0)), Some(1));
        assert_eq!(id.choose(&[], VGA, s(0.0)), None);
    }

    #[test]
    fn once_followed_a_passer_by_of_another_size_is_never_taken() {
        let mut id = Identity::new();
        let user = at(0.5, 0.55, 0.8);
        id.saw(user, None, s(1.0));
        let behind = at(0.9, 0.5, 0.45);
        let in_front = at(0.6, 0.6, 1.4);
        for away in [0.1, 2.0, 30.0, 600.0] {
            assert_eq!(
                id.choose(&[behind, in_front], VGA, s(1.0 + away)),
                None,
                "{away} s after the user left"
            );
        }
        // The user coming back, near where they left, is taken back among the others.
        let back = at(0.55, 0.55, 0.85);
        assert_eq!(id.choose(&[behind, back, in_front], VGA, s(5.0)), Some(1));
    }

    #[test]
    fn the_reach_for_a_lost_user_grows_with_the_time_away() {
        let mut id = Identity::new();
        id.saw(at(0.3, 0.5, 0.5), None, s(0.0));
        let across = at(0.9, 0.5, 0.5);
        assert_eq!(id.choose(&[across], VGA, s(0.1)), None);
        assert_eq!(id.choose(&[across], VGA, s(2.0)), Some(0));
    }

    #[test]
    fn the_calibrated_place_takes_the_user_back_whatever_the_track() {
        let mut id = Identity::new();
        let home = at(0.66, 0.5, 0.7);
        id.saw(home, None, s(0.0));
        id.calibrated_here();
        // They walked off small and far away, and were lost there.
        id.saw(at(0.2, 0.4, 0.35), None, s(10.0));
        assert_eq!(id.choose(&[at(0.7, 0.5, 0.72)], VGA, s(10.2)), Some(0));
        // Somebody at the place but twice the size is not them.
        assert_eq!(id.choose(&[at(0.66, 0.5, 1.4)], VGA, s(10.2)), None);
    }

    #[test]
    fn a_jump_between_frames_is_someone_else() {
        let mut id = Identity::new();
        assert!(
            id.continues(&at(0.1, 0.1, 0.1), s(0.0)),
            "no one followed yet"
        );
        id.saw(at(0.5, 0.5, 0.6), None, s(0.0));
        let frame = s(1.0 / 30.0);
        // A walker's next frame continues...
        assert!(id.continues(&at(0.52, 0.5, 0.62), frame));
        // ...someone larger stepping into the region in front does not, nor does a jump.
        assert!(!id.continues(&at(0.55, 0.55, 1.0), frame));
        assert!(!id.continues(&at(0.9, 0.5, 0.6), frame));
        // The same jump over a second is a walk.
        assert!(id.continues(&at(0.9, 0.5, 0.6), s(1.0)));
        id.forget();
        assert!(!id.following());
    }
}
