//! How the window keeps up: how often it repaints and takes results, how long after capture a
//! frame reaches the screen, and the longest time one repaint of the window took (the UI
//! thread must never wait, so that stays well under a display frame).

use std::time::{Duration, Instant};

use crate::pipeline::cpu::process_cpu_time;

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

/// The process's CPU use: the share of one core it took over the last few seconds, and its
/// CPU time per minute since it started (all threads: capture, decoding, inference, window).
#[derive(Debug, Clone)]
pub struct CpuMeter {
    started: (Instant, Duration),
    /// The last reading, and the one before the current window of [`CpuMeter::WINDOW`].
    last: (Instant, Duration),
    window_start: (Instant, Duration),
    /// CPU time over wall time in the last completed window (1.0 = one core busy).
    share: Option<f32>,
}

impl CpuMeter {
    /// How long a reading of the share spans.
    pub const WINDOW: Duration = Duration::from_secs(2);

    /// A meter started at `now` with the process at `cpu`.
    pub fn new(now: Instant, cpu: Duration) -> Self {
        Self {
            started: (now, cpu),
            last: (now, cpu),
            window_start: (now, cpu),
            share: None,
        }
    }

    /// A reading: the process has used `cpu` by `now`.
    pub fn sample(&mut self, now: Instant, cpu: Duration) {
        self.last = (now, cpu);
        let wall = now.saturating_duration_since(self.window_start.0);
        if wall >= Self::WINDOW {
            let used = cpu.saturating_sub(self.window_start.1);
            self.share = Some(used.as_secs_f32() / wall.as_secs_f32());
            self.window_start = (now, cpu);
        }
    }

    /// The share of one core used over the last window; `None` until a window has passed.
    pub fn share(&self) -> Option<f32> {
        self.share
    }

    /// CPU seconds used per minute since the meter started; `None` in its first window.
    pub fn per_minute(&self) -> Option<Duration> {
        let wall = self.last.0.saturating_duration_since(self.started.0);
        (wall >= Self::WINDOW).then(|| {
            let used = self.last.1.saturating_sub(self.started.1);
            used.mul_f64(60.0 / wall.as_secs_f64())
        })
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
    /// Capture-to-screen latency of each shown result.
    latencies: LatencyHistogram,
    /// The last shown result's capture-to-screen latency.
    pub display_latency: Option<Duration>,
    frame_started: Option<Instant>,
    longest_frame: Duration,
    /// The process's CPU use; `None` where the platform has no CPU clock.
    pub cpu: Option<CpuMeter>,
}

impl Default for UiStats {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            painted: 0,
            paint: Rate::default(),
            results: Rate::default(),
            shown: 0,
            latencies: LatencyHistogram::default(),
            display_latency: None,
            frame_started: None,
            longest_frame: Duration::ZERO,
            cpu: process_cpu_time().map(|cpu| CpuMeter::new(Instant::now(), cpu)),
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
        if let (Some(meter), Some(cpu)) = (&mut self.cpu, process_cpu_time()) {
            meter.sample(now, cpu);
        }
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
        self.latencies.add(latency);
    }

    /// Results shown so far.
    pub fn results_shown(&self) -> u64 {
        self.shown
    }

    /// One line for the log when the window closes.
    pub fn summary(&self) -> String {
        let secs = self.started.elapsed().as_secs_f32().max(1e-3);
        let q = |p: f64| self.latencies.quantile_ms(p);
        format!(
            "window: {} repaints in {secs:.1} s ({:.1}/s), the longest {:.1} ms; {} results \
             shown ({:.1}/s); capture-to-screen latency median {:.0} ms, p95 {:.0} ms; process \
             CPU {:.1} s per minute",
            self.painted,
            self.painted as f32 / secs,
            self.longest_frame.as_secs_f32() * 1000.0,
            self.shown,
            self.shown as f32 / secs,
            q(0.5).unwrap_or(f64::NAN),
            q(0.95).unwrap_or(f64::NAN),
            self.cpu
                .as_ref()
                .and_then(CpuMeter::per_minute)
                .map_or(f32::NAN, |d| d.as_secs_f32()),
        )
    }
}

/// Latencies counted in 1 ms bins up to 2 s (the last bin holds longer ones): a window open
/// all day keeps 8 kB, where a list of every latency grew by 4 bytes a frame.
#[derive(Debug, Clone)]
struct LatencyHistogram {
    bins: Box<[u32; LATENCY_BINS]>,
    count: u64,
}

const LATENCY_BINS: usize = 2000;

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self {
            bins: Box::new([0; LATENCY_BINS]),
            count: 0,
        }
    }
}

impl LatencyHistogram {
    fn add(&mut self, latency: Duration) {
        let bin = (latency.as_millis() as usize).min(LATENCY_BINS - 1);
        self.bins[bin] = self.bins[bin].saturating_add(1);
        self.count += 1;
    }

    /// The latency below which a fraction `p` of them fell, to the millisecond (the middle of
    /// its bin); `None` before the first.
    fn quantile_ms(&self, p: f64) -> Option<f64> {
        let rank = ((self.count.checked_sub(1)? as f64) * p).round() as u64;
        let mut seen = 0u64;
        for (ms, &n) in self.bins.iter().enumerate() {
            seen += u64::from(n);
            if seen > rank {
                return Some(ms as f64 + 0.5);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_quantiles_come_from_a_fixed_histogram() {
        let mut h = LatencyHistogram::default();
        assert_eq!(h.quantile_ms(0.5), None);
        for ms in 1..=100u64 {
            h.add(Duration::from_millis(ms));
        }
        h.add(Duration::from_secs(60));
        assert_eq!(h.quantile_ms(0.5), Some(51.5));
        assert_eq!(h.quantile_ms(0.95), Some(96.5));
        assert_eq!(
            h.quantile_ms(1.0),
            Some(1999.5),
            "a minute lands in the last bin"
        );
    }

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
    fn cpu_use_is_the_share_of_a_core_over_the_last_window_and_seconds_per_minute() {
        let t0 = Instant::now();
        let mut m = CpuMeter::new(t0, Duration::from_secs(100));
        m.sample(t0 + Duration::from_secs(1), Duration::from_millis(100_500));
        assert_eq!(m.share(), None, "no window has passed");
        assert_eq!(m.per_minute(), None);
        // Half a core for the first 2 s, then one and a half cores for the next 2 s.
        m.sample(t0 + Duration::from_secs(2), Duration::from_secs(101));
        assert!((m.share().unwrap() - 0.5).abs() < 1e-6);
        m.sample(t0 + Duration::from_secs(4), Duration::from_secs(104));
        assert!((m.share().unwrap() - 1.5).abs() < 1e-6);
        // 4 s of CPU in 4 s: 60 s per minute.
        assert_eq!(m.per_minute(), Some(Duration::from_secs(60)));
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
