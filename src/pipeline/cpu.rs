//! The process's CPU time, all threads together: what the diagnostics panel shows and the
//! benchmarks of the live loop measure.

use std::time::Duration;

/// CPU time the whole process has used so far (user and system, every thread); `None` where
/// the platform does not say.
pub fn process_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
        Some(Duration::new(
            u64::try_from(t.tv_sec).ok()?,
            u32::try_from(t.tv_nsec).ok()?,
        ))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_work_adds_cpu_time_and_sleeping_does_not() {
        let start = process_cpu_time().expect("a CPU clock on this platform");
        std::thread::sleep(Duration::from_millis(50));
        let slept = process_cpu_time().unwrap() - start;
        let t0 = std::time::Instant::now();
        let mut x = 0u64;
        while t0.elapsed() < Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let worked = process_cpu_time().unwrap() - start - slept;
        assert!(worked >= Duration::from_millis(30), "{worked:?}");
        assert!(slept < worked, "{slept:?} asleep vs {worked:?} busy");
    }
}
