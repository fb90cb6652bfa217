//! How the window keeps up: how often it repaints and takes results, how long after capture a
//! frame reaches the screen, and the longest time one repaint of the window took (the UI
//! thread must never wait, so that stays well under a display frame).

use std::time::{Duration, Instant};

/// Events per second, smoothed over the last second or so.
#[derive(Debug, Clone, Default)]
pub struct Rate {
    last: Option<Instant>,
    per_s: f32,
}

impl Rate {
    /// Counts one event at `now`.
    pub fn tick(&mut self, now: Instant) {
        if let Some(prev) = self.last {
            let instant = 1.0 / (now - prev).as_secs_f32().max(1e-3);
            // An exponential average over about twenty events.
            self.per_s = if self.per_s == 0.0 {
                instant
            } else {
                0.95 * self.per_s + 0.05 * instant
            };
        }
        self.last = Some(now);
    }

    pub fn per_s(&self) -> f32 {
        self.per_s
    }
}

/// The window's own statistics, logged when it closes.
#[derive(Debug)]
pub struct UiStats {
    started: Instant,
    painted: u64,
    /// Window repaints.
    pub paint: Rate,
    /// Results taken from the analysis.
    pub results: Rate,
    shown: u64,
    /// Capture-to-screen latency of each shown result, in ms (bounded).
    latencies_ms: Vec<f32>,
    /// The last shown result's capture-to-screen latency.
    pub display_latency: Option<Duration>,
    frame_started: Option<Instant>,
    longest_frame: Duration,
}

impl Default for UiStats {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            painted: 0,
            paint: Rate::default(),
            results: Rate::default(),
            shown: 0,
            latencies_ms: Vec::new(),
            display_latency: None,
            frame_started: None,
            longest_frame: Duration::ZERO,
        }
    }
}

impl UiStats {
    /// A repaint begins.
    pub fn frame_start(&mut self) {
        let now = Instant::now();
        self.paint.tick(now);
        self.painted += 1;
        self.frame_started = Some(now);
    }

    /// The repaint that began last is done: keeps the longest.
    pub fn frame_end(&mut self) {
        if let Some(started) = self.frame_started.take() {
            self.longest_frame = self.longest_frame.max(started.elapsed());
        }
    }

    /// The longest time one repaint took so far.
    pub fn longest_frame(&self) -> Duration {
        self.longest_frame
    }

    /// Starts measuring the longest repaint afresh (to measure one action at a time).
    pub fn reset_longest_frame(&mut self) {
        self.longest_frame = Duration::ZERO;
    }

    /// A result reaches the screen `latency` after its capture.
    pub fn shown(&mut self, latency: Duration) {
        self.results.tick(Instant::now());
        self.shown += 1;
        self.display_latency = Some(latency);
        if self.latencies_ms.len() < 100_000 {
            self.latencies_ms.push(latency.as_secs_f32() * 1000.0);
        }
    }

    /// Results shown so far.
    pub fn results_shown(&self) -> u64 {
        self.shown
    }

    /// One line for the log when the window closes.
    pub fn summary(&self) -> String {
        let secs = self.started.elapsed().as_secs_f32().max(1e-3);
        let mut l = self.latencies_ms.clone();
        l.sort_by(f32::total_cmp);
        let q = |p: f32| {
            l.get(((l.len() as f32 - 1.0) * p).round() as usize)
                .copied()
        };
        format!(
            "window: {} repaints in {secs:.1} s ({:.1}/s), the longest {:.1} ms; {} results \
             shown ({:.1}/s); capture-to-screen latency median {:.0} ms, p95 {:.0} ms",
            self.painted,
            self.painted as f32 / secs,
            self.longest_frame.as_secs_f32() * 1000.0,
            self.shown,
            self.shown as f32 / secs,
            q(0.5).unwrap_or(f32::NAN),
            q(0.95).unwrap_or(f32::NAN),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_rate_reads_as_itself() {
        let mut r = Rate::default();
        let t0 = Instant::now();
        for i in 0..100u64 {
            r.tick(t0 + Duration::from_millis(i * 20));
        }
        assert!((r.per_s() - 50.0).abs() < 0.5, "{}", r.per_s());
    }

    #[test]
    fn the_longest_repaint_is_kept_until_reset() {
        let mut s = UiStats::default();
        s.frame_start();
        std::thread::sleep(Duration::from_millis(5));
        s.frame_end();
        s.frame_start();
        s.frame_end();
        assert!(s.longest_frame() >= Duration::from_millis(5));
        s.reset_longest_frame();
        assert_eq!(s.longest_frame(), Duration::ZERO);
        assert!(
            s.summary().contains("the longest 0.0 ms"),
            "{}",
            s.summary()
        );
    }
}
