//! Handing values from one thread to another in one of two ways: the newest value wins (a slow
//! consumer never works through a backlog of stale camera frames; replaced values are counted),
//! or a short queue that makes the producer wait (every frame of a file is analysed).

use std::collections::VecDeque;
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

/// How a [`Slot`] treats a value put while earlier ones wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The new value replaces the waiting one, which counts as dropped: for live cameras.
    Newest,
    /// Up to this many values wait; a producer with a full queue waits for room: for files,
    /// every frame of which is analysed.
    Every(usize),
}

#[derive(Debug)]
struct State<T> {
    values: VecDeque<T>,
    closed: bool,
    put: u64,
    dropped: u64,
}

/// A hand-over between a producer and a consumer thread.
#[derive(Debug)]
pub struct Slot<T> {
    delivery: Delivery,
    state: Mutex<State<T>>,
    ready: Condvar,
    room: Condvar,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Slot<T> {
    /// A newest-value slot: `put` never blocks.
    pub fn new() -> Self {
        Self::with_delivery(Delivery::Newest)
    }

    pub fn with_delivery(delivery: Delivery) -> Self {
        Self {
            delivery,
            state: Mutex::new(State {
                values: VecDeque::new(),
                closed: false,
                put: 0,
                dropped: 0,
            }),
            ready: Condvar::new(),
            room: Condvar::new(),
        }
    }

    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic while holding this lock leaves plain data behind; keep going with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Offers a value: replacing (and counting as dropped) one the consumer has not taken, or
    /// waiting for room in the queue. Returns `false` if the slot is (or becomes) closed.
    pub fn put(&self, value: T) -> bool {
        let mut s = self.lock();
        match self.delivery {
            Delivery::Newest => {
                if !s.closed && s.values.pop_front().is_some() {
                    s.dropped += 1;
                }
            }
            Delivery::Every(capacity) => {
                s = self
                    .room
                    .wait_while(s, |s| !s.closed && s.values.len() >= capacity.max(1))
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        }
        if s.closed {
            return false;
        }
        s.put += 1;
        s.values.push_back(value);
        drop(s);
        self.ready.notify_one();
        true
    }

    /// Takes the oldest waiting value (the newest, for a newest-value slot), waiting up to
    /// `timeout` for one.
    pub fn take(&self, timeout: Duration) -> Taken<T> {
        let s = self.lock();
        let (mut s, _) = self
            .ready
            .wait_timeout_while(s, timeout, |s| s.values.is_empty() && !s.closed)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let taken = match s.values.pop_front() {
            Some(v) => Taken::Value(v),
            None if s.closed => Taken::Closed,
            None => Taken::Empty,
        };
        drop(s);
        self.room.notify_one();
        taken
    }

    /// Takes a value if there is one, without waiting.
    pub fn try_take(&self) -> Option<T> {
        let v = self.lock().values.pop_front();
        self.room.notify_one();
        v
    }

    /// No more values will come; a waiting consumer and a producer waiting for room wake up.
    /// Values already waiting can still be taken.
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
        self.room.notify_all();
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
    fn a_queue_hands_over_every_value_in_order_and_holds_the_producer_back() {
        let slot = Arc::new(Slot::with_delivery(Delivery::Every(2)));
        let producer = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || {
                for i in 0..50u64 {
                    assert!(slot.put(i));
                }
                slot.close();
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        // The producer is waiting: two values queued, no more.
        assert_eq!(slot.put_count(), 2);
        let mut seen = Vec::new();
        while let Taken::Value(v) = slot.take(Duration::from_secs(5)) {
            seen.push(v);
            std::thread::sleep(Duration::from_micros(200));
        }
        producer.join().unwrap();
        assert_eq!(seen, (0..50).collect::<Vec<_>>());
        assert_eq!(slot.dropped(), 0);
    }

    #[test]
    fn closing_a_full_queue_releases_the_producer() {
        let slot = Arc::new(Slot::with_delivery(Delivery::Every(1)));
        assert!(slot.put(1));
        let producer = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || slot.put(2))
        };
        std::thread::sleep(Duration::from_millis(20));
        slot.close();
        assert!(!producer.join().unwrap(), "refused: the consumer is gone");
        assert_eq!(
            slot.try_take(),
            Some(1),
            "what was queued can still be taken"
        );
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
