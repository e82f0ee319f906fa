//! The bounded queue keys travel in from input threads to the UI thread.
//!
//! A hostile USB device can type thousands of keys a second, and the
//! scripted keypad takes lines as fast as a client writes them. Posting
//! every key to the UI's event loop would queue without bound: memory grows
//! and the screen lags further behind every second. Here at most
//! [`KeyQueue::CAPACITY`] keys wait; a device's keys beyond that are dropped
//! and counted (the UI logs the count), while the scripted keypad, whose
//! client can be told to slow down, waits for room instead. Either way the
//! UI is at most one queue behind when the flood stops.
//!
//! The UI is woken once per batch, not once per key: [`KeyQueue::push`]
//! says when a wake-up is needed, and [`KeyQueue::drain`] takes the batch.

use super::keys::KeyEvent;
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Keys waiting for the UI.
#[derive(Debug, Default)]
pub struct KeyQueue {
    state: Mutex<State>,
    room: Condvar,
}

#[derive(Debug, Default)]
struct State {
    keys: VecDeque<(KeyEvent, Instant)>,
    dropped: u64,
    /// A wake-up is on its way to the UI.
    woken: bool,
}

/// What a push did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    /// Queued; the UI must be woken (nothing was waiting for it before).
    Wake,
    /// Queued behind others; a wake-up is already on its way.
    Queued,
    /// The queue was full: dropped and counted.
    Dropped,
}

/// A batch of keys for the UI.
#[derive(Debug, Default)]
pub struct Batch {
    /// The keys, oldest first, with when each arrived.
    pub keys: Vec<(KeyEvent, Instant)>,
    /// Keys dropped since the last batch.
    pub dropped: u64,
}

impl KeyQueue {
    /// Keys (presses and releases) that may wait at once.
    pub const CAPACITY: usize = 256;

    /// An empty queue (usable in a `static`).
    pub const fn new() -> KeyQueue {
        KeyQueue {
            state: Mutex::new(State {
                keys: VecDeque::new(),
                dropped: 0,
                woken: false,
            }),
            room: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn queue(s: &mut State, ev: KeyEvent) -> Pushed {
        s.keys.push_back((ev, Instant::now()));
        if s.woken {
            Pushed::Queued
        } else {
            s.woken = true;
            Pushed::Wake
        }
    }

    /// A key from a device: queued, or dropped if the queue is full.
    pub fn push(&self, ev: KeyEvent) -> Pushed {
        let mut s = self.lock();
        if s.keys.len() >= Self::CAPACITY {
            s.dropped = s.dropped.saturating_add(1);
            return Pushed::Dropped;
        }
        Self::queue(&mut s, ev)
    }

    /// A key from a client that can wait: queued once there is room (or
    /// dropped after `patience`, if the UI has stopped draining).
    pub fn push_waiting(&self, ev: KeyEvent, patience: Duration) -> Pushed {
        let mut s = self.lock();
        let deadline = Instant::now() + patience;
        while s.keys.len() >= Self::CAPACITY {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                s.dropped = s.dropped.saturating_add(1);
                return Pushed::Dropped;
            }
            s = self
                .room
                .wait_timeout(s, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        Self::queue(&mut s, ev)
    }

    /// Takes every waiting key (the UI thread, once woken).
    pub fn drain(&self) -> Batch {
        let mut s = self.lock();
        s.woken = false;
        let batch = Batch {
            keys: s.keys.drain(..).collect(),
            dropped: std::mem::take(&mut s.dropped),
        };
        drop(s);
        self.room.notify_all();
        batch
    }

    /// Keys waiting now.
    pub fn len(&self) -> usize {
        self.lock().keys.len()
    }

    /// Whether no key is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hw::Key;

    #[test]
    fn a_flood_is_bounded_dropped_and_counted() {
        let q = KeyQueue::default();
        assert!(q.is_empty());
        assert_eq!(q.push(KeyEvent::Down(Key::Digit(1))), Pushed::Wake);
        assert!(!q.is_empty());
        assert_eq!(q.push(KeyEvent::Up(Key::Digit(1))), Pushed::Queued);
        for _ in 0..1_000_000 {
            q.push(KeyEvent::Down(Key::Digit(7)));
        }
        assert_eq!(q.len(), KeyQueue::CAPACITY);
        let b = q.drain();
        assert_eq!(b.keys.len(), KeyQueue::CAPACITY);
        assert_eq!(b.dropped, 1_000_002 - KeyQueue::CAPACITY as u64);
        assert_eq!(b.keys[0].0, KeyEvent::Down(Key::Digit(1)), "oldest first");
        assert!(q.is_empty(), "a batch takes every waiting key");
        assert_eq!(
            q.push(KeyEvent::Down(Key::Enter)),
            Pushed::Wake,
            "woken again"
        );
        assert_eq!(q.drain().dropped, 0);
    }

    #[test]
    fn a_waiting_client_gets_room_as_the_ui_drains() {
        let q = std::sync::Arc::new(KeyQueue::default());
        let writer = {
            let q = q.clone();
            std::thread::spawn(move || {
                for _ in 0..10_000 {
                    let p = q.push_waiting(KeyEvent::Down(Key::Digit(3)), Duration::from_secs(10));
                    assert_ne!(p, Pushed::Dropped);
                }
            })
        };
        let mut got = 0;
        while got < 10_000 {
            let b = q.drain();
            assert!(b.keys.len() <= KeyQueue::CAPACITY);
            assert_eq!(b.dropped, 0);
            got += b.keys.len();
            std::thread::yield_now();
        }
        writer.join().unwrap();
    }

    #[test]
    fn a_waiting_client_gives_up_when_nobody_drains() {
        let q = KeyQueue::default();
        for _ in 0..KeyQueue::CAPACITY {
            q.push(KeyEvent::Down(Key::Digit(1)));
        }
        let p = q.push_waiting(KeyEvent::Down(Key::Digit(2)), Duration::from_millis(20));
        assert_eq!(p, Pushed::Dropped);
        assert_eq!(q.drain().dropped, 1);
    }
}
