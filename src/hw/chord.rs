//! The service-menu key combination: **F1 and 0 held together for 2 s**.
//!
//! Like Verifone's 1+5+9, it opens the service (recovery) screen from the
//! sign-in screen without a visible button. A pure state machine: feed it
//! key events with the time they happened; it says which keys to type
//! normally, and when the chord fires. Keys pressed while F1 is held are
//! not typed (that is how a chord starts); F1 pressed and released alone is
//! an ordinary F1.

use super::keys::{Key, KeyEvent};

/// What a key event means after chord detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChordOutput {
    /// Nothing yet.
    None,
    /// Type this key as usual.
    Key(Key),
    /// The chord was held long enough.
    Fired,
}

/// Detects one chord: a modifier key plus another key, held.
#[derive(Clone, Debug)]
pub struct Chord {
    modifier: Key,
    other: Key,
    hold_ms: u64,
    modifier_down: bool,
    /// Another key was pressed during this modifier hold.
    used: bool,
    /// Both down since this time.
    both_since: Option<u64>,
    fired: bool,
}

impl Chord {
    /// The service chord: F1 + 0 for 2 s.
    pub fn service() -> Chord {
        Chord::new(Key::F1, Key::Digit(0), 2_000)
    }

    /// `modifier` + `other` held for `hold_ms`.
    pub fn new(modifier: Key, other: Key, hold_ms: u64) -> Chord {
        Chord {
            modifier,
            other,
            hold_ms,
            modifier_down: false,
            used: false,
            both_since: None,
            fired: false,
        }
    }

    /// Feeds one event at `now_ms` (any monotonic milliseconds).
    pub fn event(&mut self, ev: KeyEvent, now_ms: u64) -> ChordOutput {
        match ev {
            // Autorepeat of a held key: nothing new.
            KeyEvent::Down(k) if k == self.modifier && self.modifier_down => ChordOutput::None,
            KeyEvent::Down(k) if k == self.other && self.both_since.is_some() => ChordOutput::None,
            KeyEvent::Down(k) if k == self.modifier => {
                self.modifier_down = true;
                self.used = false;
                ChordOutput::None
            }
            KeyEvent::Up(k) if k == self.modifier => {
                // Held long enough, even if nobody polled in time (a busy
                // UI thread): the release still completes the chord.
                let held = self.poll(now_ms);
                self.modifier_down = false;
                self.both_since = None;
                self.fired = false;
                if held {
                    ChordOutput::Fired
                } else if self.used {
                    ChordOutput::None
                } else {
                    ChordOutput::Key(self.modifier)
                }
            }
            KeyEvent::Down(k) if self.modifier_down => {
                self.used = true;
                if k == self.other {
                    self.both_since = Some(now_ms);
                }
                ChordOutput::None
            }
            KeyEvent::Up(k) if k == self.other => {
                let held = self.poll(now_ms);
                self.both_since = None;
                if held {
                    ChordOutput::Fired
                } else {
                    ChordOutput::None
                }
            }
            KeyEvent::Down(k) => ChordOutput::Key(k),
            KeyEvent::Up(_) => ChordOutput::None,
        }
    }

    /// When to call [`poll`](Chord::poll) next, if a chord is being held.
    pub fn deadline(&self) -> Option<u64> {
        (!self.fired).then_some(self.both_since?.saturating_add(self.hold_ms))
    }

    /// Fires once when the keys have been held long enough.
    pub fn poll(&mut self, now_ms: u64) -> bool {
        match self.deadline() {
            Some(t) if now_ms >= t => {
                self.fired = true;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use KeyEvent::{Down, Up};

    #[test]
    fn held_for_two_seconds_fires_once() {
        let mut c = Chord::service();
        assert_eq!(c.event(Down(Key::F1), 0), ChordOutput::None);
        assert_eq!(c.event(Down(Key::Digit(0)), 100), ChordOutput::None);
        assert_eq!(c.deadline(), Some(2_100));
        assert!(!c.poll(2_099));
        assert!(c.poll(2_100));
        assert!(!c.poll(5_000), "fires once per hold");
        assert_eq!(c.event(Up(Key::Digit(0)), 5_001), ChordOutput::None);
        assert_eq!(
            c.event(Up(Key::F1), 5_002),
            ChordOutput::None,
            "F1 was used for the chord"
        );
    }

    #[test]
    fn autorepeat_does_not_restart_the_hold() {
        let mut c = Chord::service();
        c.event(Down(Key::F1), 0);
        c.event(Down(Key::Digit(0)), 0);
        for t in (500..2_000).step_by(100) {
            c.event(Down(Key::F1), t);
            c.event(Down(Key::Digit(0)), t);
        }
        assert!(c.poll(2_000));
    }

    #[test]
    fn letting_go_early_cancels() {
        let mut c = Chord::service();
        c.event(Down(Key::F1), 0);
        c.event(Down(Key::Digit(0)), 0);
        c.event(Up(Key::Digit(0)), 1_500);
        assert!(!c.poll(3_000));
        assert_eq!(c.deadline(), None);
    }

    #[test]
    fn a_release_after_the_hold_fires_even_if_nobody_polled() {
        // The UI thread was busy and its timer came late: the key times
        // still say the chord was held for 2.5 s.
        let mut c = Chord::service();
        c.event(Down(Key::F1), 0);
        c.event(Down(Key::Digit(0)), 0);
        assert_eq!(c.event(Up(Key::Digit(0)), 2_500), ChordOutput::Fired);
        assert_eq!(c.event(Up(Key::F1), 2_501), ChordOutput::None);
        assert!(!c.poll(9_000), "once");

        let mut c = Chord::service();
        c.event(Down(Key::F1), 0);
        c.event(Down(Key::Digit(0)), 0);
        assert_eq!(c.event(Up(Key::F1), 2_000), ChordOutput::Fired);
    }

    #[test]
    fn ordinary_typing_passes_through() {
        let mut c = Chord::service();
        assert_eq!(
            c.event(Down(Key::Digit(0)), 0),
            ChordOutput::Key(Key::Digit(0))
        );
        assert_eq!(c.event(Up(Key::Digit(0)), 10), ChordOutput::None);
        assert_eq!(c.event(Down(Key::F1), 20), ChordOutput::None);
        assert_eq!(
            c.event(Up(Key::F1), 30),
            ChordOutput::Key(Key::F1),
            "F1 alone is F1"
        );
        c.event(Down(Key::F1), 40);
        assert_eq!(
            c.event(Down(Key::Digit(5)), 50),
            ChordOutput::None,
            "not typed while F1 is held"
        );
        assert_eq!(c.event(Up(Key::F1), 60), ChordOutput::None);
    }
}
