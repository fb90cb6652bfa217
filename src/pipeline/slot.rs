//! A single-value hand-over between threads where the newest value always wins: a slow
//! consumer never works through a backlog of stale camera frames. Replaced values are counted.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// What [`Slot::take`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Taken<T> {
    Value(T),
    /// The producer closed the slot and nothing is left.
    Closed,
    /// Nothing arrived within the timeout.
    Empty,
}

#[derive(Debug)]
struct State<T> {
    value: Option<T>,
    closed: bool,
    put: u64,
    dropped: u64,
}

/// Newest-value slot. `put` never blocks; `take` waits for a value.
#[derive(Debug)]
pub struct Slot<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Slot<T> {
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State {
                value: None,
                closed: false,
                put: 0,
                dropped: 0,
            }),
            ready: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic while holding this lock leaves plain data behind; keep going with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Offers a value, replacing (and counting as dropped) one the consumer has not taken.
    /// Returns `false` if the slot is closed.
    pub fn put(&self, value: T) -> bool {
        let mut s = self.lock();
        if s.closed {
            return false;
        }
        s.put += 1;
        if s.value.replace(value).is_some() {
            s.dropped += 1;
        }
        drop(s);
        self.ready.notify_one();
        true
    }

    /// Takes the newest value, waiting up to `timeout` for one.
    pub fn take(&self, timeout: Duration) -> Taken<T> {
        let s = self.lock();
        let (mut s, _) = self
            .ready
            .wait_timeout_while(s, timeout, |s| s.value.is_none() && !s.closed)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match s.value.take() {
            Some(v) => Taken::Value(v),
            None if s.closed => Taken::Closed,
            None => Taken::Empty,
        }
    }

    /// Takes the newest value if there is one, without waiting.
    pub fn try_take(&self) -> Option<T> {
        self.lock().value.take()
    }

    /// No more values will come; a waiting consumer wakes up. A value already in the slot can
    /// still be taken.
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Values offered so far.
    pub fn put_count(&self) -> u64 {
        self.lock().put
    }

    /// Values replaced before the consumer took them.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn slow_consumer_sees_only_fresh_values_and_drops_add_up() {
        let slot = Arc::new(Slot::new());
        let producer = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || {
                for i in 0..400u64 {
                    slot.put((i, Instant::now()));
                    std::thread::sleep(Duration::from_micros(250));
                }
                slot.close();
            })
        };
        let mut seen = Vec::new();
        let mut max_age = Duration::ZERO;
        loop {
            match slot.take(Duration::from_secs(5)) {
                Taken::Value((i, at)) => {
                    max_age = max_age.max(at.elapsed());
                    seen.push(i);
                    std::thread::sleep(Duration::from_millis(5)); // a slow inference
                }
                Taken::Closed => break,
                Taken::Empty => panic!("producer stalled"),
            }
        }
        producer.join().unwrap();
        // Strictly increasing: never an old value after a newer one.
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        // Most values were skipped, and every one is accounted for.
        assert!(slot.dropped() > 200, "dropped {}", slot.dropped());
        assert_eq!(seen.len() as u64 + slot.dropped(), 400);
        assert_eq!(slot.put_count(), 400);
        // The consumer got the newest value: taken moments after it was put, not a backlog.
        assert!(
            max_age < Duration::from_millis(50),
            "oldest value taken was {max_age:?} old"
        );
        assert_eq!(*seen.last().unwrap(), 399, "the last value is never lost");
    }

    #[test]
    fn close_wakes_a_waiting_consumer_and_refuses_new_values() {
        let slot: Arc<Slot<u32>> = Arc::new(Slot::new());
        let waiter = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || slot.take(Duration::from_secs(10)))
        };
        std::thread::sleep(Duration::from_millis(20));
        slot.close();
        assert_eq!(waiter.join().unwrap(), Taken::Closed);
        assert!(!slot.put(1));
        assert_eq!(slot.take(Duration::ZERO), Taken::Closed);
    }

    #[test]
    fn empty_slot_times_out() {
        let slot: Slot<u8> = Slot::new();
        assert_eq!(slot.take(Duration::from_millis(10)), Taken::Empty);
        slot.put(7);
        assert_eq!(slot.try_take(), Some(7));
        assert_eq!(slot.try_take(), None);
    }
}
