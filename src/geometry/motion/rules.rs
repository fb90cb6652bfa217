//! The sudden-movement and stillness rules over the median-filtered key points, and how long
//! the person has been seated.

use std::collections::VecDeque;
use std::time::Duration;

use super::activity::Activity;
use super::config::MotionConfig;
use super::features::{Features, KEY_POINTS, Px};

/// A gap between usable frames up to this long (a brief tracking dropout) still counts as still
/// time; a longer gap pauses the stillness timer.
const DROPOUT_GRACE_S: f32 = 1.0;

/// How fast the trunk and head move on the body over a short window, and the rate limit on
/// sudden-movement events. Walking, turning round or stepping aside move the whole body and
/// are not sudden; a trunk that jerks forward or a head that snaps round is.
#[derive(Debug, Clone, Default)]
pub(super) struct SuddenDetector {
    history: VecDeque<Features>,
    last_event: Option<Duration>,
}

impl SuddenDetector {
    /// Fastest speed of the shoulders or the nose relative to the hips between `f` and the
    /// newest earlier frame at least `sudden_window_s` older, in torso lengths per second.
    pub(super) fn update(&mut self, cfg: &MotionConfig, f: &Features) -> Option<f32> {
        self.history.push_back(*f);
        let age_s = |old: &Features| f.t.saturating_sub(old.t).as_secs_f32();
        while self
            .history
            .get(1)
            .is_some_and(|next| age_s(next) >= cfg.sudden_window_s)
        {
            self.history.pop_front();
        }
        let reference = self.history.front()?;
        let dt_s = age_s(reference);
        if dt_s < cfg.sudden_window_s || dt_s <= 0.0 {
            return None;
        }
        let moved_px = f
            .body_points_px
            .iter()
            .zip(&reference.body_points_px)
            .filter_map(|(now, then)| Some(Px::distance((*now)?, (*then)?)))
            .fold(0.0_f32, f32::max);
        Some(moved_px / f.torso_px / dt_s)
    }

    pub(super) fn should_fire(
        &mut self,
        cfg: &MotionConfig,
        t: Duration,
        speed_torso_per_s: f32,
    ) -> bool {
        let rested = self
            .last_event
            .is_none_or(|last| t.saturating_sub(last).as_secs_f32() >= cfg.sudden_min_interval_s);
        let fire = rested && speed_torso_per_s >= cfg.sudden_speed_torso_per_s;
        if fire {
            self.last_event = Some(t);
        }
        fire
    }

    pub(super) fn reset(&mut self) {
        self.history.clear();
    }
}

/// Time since the key points' centre last left its circle.
#[derive(Debug, Clone, Default)]
pub(super) struct StillnessTimer {
    /// Key points at the last meaningful movement.
    anchor: Option<[Option<Px>; KEY_POINTS]>,
    last_seen: Option<Duration>,
    /// A `Duration`, not an `f32` sum, so 36 000 frames of 20 minutes add up exactly.
    still_for: Duration,
    reminders_sent: u32,
}

impl StillnessTimer {
    /// Advances the timer with a usable frame; returns the still time when a reminder is due.
    /// Time seated counts as still time however much the person moves in the chair.
    pub(super) fn update(
        &mut self,
        cfg: &MotionConfig,
        f: &Features,
        activity: Option<Activity>,
    ) -> Option<f32> {
        let gap = self.last_seen.map(|last| f.t.saturating_sub(last));
        let gap_s = gap.map(|g| g.as_secs_f32());
        self.last_seen = Some(f.t);
        let Some(anchor) = self
            .anchor
            .filter(|_| gap_s.is_some_and(|g| g < cfg.absent_reset_s))
        else {
            self.restart(f);
            return None;
        };
        let moved_px = match centres(&anchor, &f.key_points_px) {
            Some((then, now)) => Px::distance(then, now),
            None => 0.0,
        };
        let seated = activity == Some(Activity::Sitting);
        if moved_px > cfg.still_radius_torso * f.torso_px && !seated {
            self.restart(f);
            return None;
        }
        // A brief dropout counts as still time; a longer one pauses the timer.
        if let Some(gap) = gap.filter(|g| g.as_secs_f32() <= DROPOUT_GRACE_S) {
            self.still_for += gap;
        }
        let due_s = f64::from(cfg.still_after_s) * f64::from(self.reminders_sent.saturating_add(1));
        (self.still_for.as_secs_f64() >= due_s).then(|| {
            self.reminders_sent = self.reminders_sent.saturating_add(1);
            self.still_for_s()
        })
    }

    /// Nobody usable at `t`: the timer pauses, and restarts after a long absence.
    pub(super) fn on_absent(&mut self, cfg: &MotionConfig, t: Duration) {
        let away_s = self
            .last_seen
            .map(|last| t.saturating_sub(last).as_secs_f32());
        if away_s.is_some_and(|a| a >= cfg.absent_reset_s) {
            *self = Self::default();
        }
    }

    fn restart(&mut self, f: &Features) {
        self.anchor = Some(f.key_points_px);
        self.still_for = Duration::ZERO;
        self.reminders_sent = 0;
    }

    pub(super) fn still_for_s(&self) -> f32 {
        self.still_for.as_secs_f32()
    }
}

/// Centres of the key points present in both sets, so a nose that comes and goes does not
/// move the centre.
pub(super) fn centres(
    a: &[Option<Px>; KEY_POINTS],
    b: &[Option<Px>; KEY_POINTS],
) -> Option<(Px, Px)> {
    let (sum_a, sum_b, n) = a
        .iter()
        .zip(b)
        .filter_map(|(p, q)| Some(((*p)?, (*q)?)))
        .fold(
            ([0.0_f32; 2], [0.0_f32; 2], 0.0_f32),
            |(sa, sb, n), (p, q)| {
                (
                    [sa[0] + p.x, sa[1] + p.y],
                    [sb[0] + q.x, sb[1] + q.y],
                    n + 1.0,
                )
            },
        );
    let mean = |sum: [f32; 2]| Px {
        x: sum[0] / n,
        y: sum[1] / n,
    };
    (n > 0.0).then(|| (mean(sum_a), mean(sum_b)))
}
