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

    fn thread_cpu_time() -> Duration {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
    }

    #[test]
    fn advances_at_least_by_this_threads_busy_work() {
        // Other tests run on other threads of this process: its time is at least this thread's.
        let (process0, thread0) = (process_cpu_time().expect("a CPU clock"), thread_cpu_time());
        let mut x = 0u64;
        while thread_cpu_time() - thread0 < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let process = process_cpu_time().unwrap() - process0;
        assert!(process >= thread_cpu_time() - thread0, "{process:?}");
    }
}
