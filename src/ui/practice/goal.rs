//! The practice toward its goal: how long it has played, how far it is from the goal, and
//! how that is said.

use std::time::{Duration, Instant};

use crate::format::clock;

/// How far the practice has gone toward its goal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    pub practised: Duration,
    pub target: Duration,
}

impl Goal {
    pub fn reached(&self) -> bool {
        self.practised >= self.target
    }

    /// "7:12 left of 10 min" or "10 min goal reached: well done".
    pub fn describe(&self) -> String {
        let minutes = format_minutes(self.target);
        if self.reached() {
            format!("{minutes} goal reached: well done")
        } else {
            let left = self.target - self.practised;
            // Counted up to the next second, so "0:00 left" never shows before the end.
            let left = Duration::from_secs(left.as_secs() + u64::from(left.subsec_nanos() > 0));
            format!("{} left of {minutes}", clock(left))
        }
    }
}

impl Goal {
    /// What the voice says when the goal is reached: "10 minutes of practice done. Well done."
    pub fn spoken(&self) -> String {
        let minutes = format_minutes(self.target).replace(" min", " minutes");
        format!("{minutes} of practice done. Well done.")
    }
}

/// "10 min", "2.5 min".
fn format_minutes(d: Duration) -> String {
    let m = d.as_secs_f32() / 60.0;
    if (m - m.round()).abs() < 0.01 {
        format!("{:.0} min", m.round())
    } else {
        format!("{m:.1} min")
    }
}

/// How long the current input has played, toward the practice goal: paused while nothing
/// plays, started afresh with another input.
#[derive(Debug, Default)]
pub struct PracticeClock {
    /// Played before the current stretch.
    banked: Duration,
    /// The current stretch started then.
    since: Option<Instant>,
    /// The goal was reached and said.
    announced: bool,
}

impl PracticeClock {
    pub fn played(&self, now: Instant) -> Duration {
        self.banked
            + self
                .since
                .map_or(Duration::ZERO, |t| now.saturating_duration_since(t))
    }

    /// Counts from `now` (no change while it counts already).
    pub fn resume(&mut self, now: Instant) {
        self.since.get_or_insert(now);
    }

    pub fn pause(&mut self, now: Instant) {
        self.banked = self.played(now);
        self.since = None;
    }

    /// Where the practice stands against `target` (`None`: no goal), and whether the goal was
    /// reached just now: `true` once, for it to be said once.
    pub fn progress(&mut self, now: Instant, target: Option<Duration>) -> Option<(Goal, bool)> {
        let goal = Goal {
            practised: self.played(now),
            target: target?,
        };
        let news = goal.reached() && !self.announced;
        self.announced |= news;
        Some((goal, news))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_counts_only_while_playing_and_says_the_goal_once() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut c = PracticeClock::default();
        c.resume(t0);
        c.pause(t0 + s(40));
        // Stopped for a minute: not counted.
        c.resume(t0 + s(100));
        c.resume(t0 + s(110));
        assert_eq!(c.played(t0 + s(120)), s(60));
        let (goal, news) = c.progress(t0 + s(120), Some(s(60))).unwrap();
        assert!(goal.reached() && news);
        let (_, again) = c.progress(t0 + s(130), Some(s(60))).unwrap();
        assert!(!again, "said once");
        assert!(c.progress(t0, None).is_none());
    }
}
