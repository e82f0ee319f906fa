//! Layer 2: debouncing and auto-repeat, as pure state machines fed with
//! scans and the time in milliseconds (tests advance time by calling).

use super::scan::Matrix;

/// A key changed state, once its contacts settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    /// Index in the matrix (`r * cols + c`).
    pub index: usize,
    /// Now down.
    pub down: bool,
}

/// Reports a change only after the raw reading has held for `settle_ms`.
#[derive(Clone, Debug)]
pub struct Debouncer {
    settle_ms: u64,
    stable: Vec<bool>,
    raw: Vec<bool>,
    since: Vec<u64>,
}

impl Debouncer {
    /// A debouncer for `keys` keys.
    pub fn new(keys: usize, settle_ms: u64) -> Debouncer {
        Debouncer {
            settle_ms,
            stable: vec![false; keys],
            raw: vec![false; keys],
            since: vec![0; keys],
        }
    }

    /// Feeds one scan taken at `now_ms`.
    pub fn update(&mut self, m: &Matrix, now_ms: u64) -> Vec<Change> {
        let mut out = Vec::new();
        for (i, &d) in m.down.iter().enumerate().take(self.raw.len()) {
            if d != self.raw[i] {
                self.raw[i] = d;
                self.since[i] = now_ms;
            }
            if self.raw[i] != self.stable[i]
                && now_ms.saturating_sub(self.since[i]) >= self.settle_ms
            {
                self.stable[i] = self.raw[i];
                out.push(Change {
                    index: i,
                    down: self.stable[i],
                });
            }
        }
        out
    }

    /// Whether every key is settled and up (the scanner may go back to
    /// waiting for an edge).
    pub fn idle(&self) -> bool {
        self.stable.iter().chain(self.raw.iter()).all(|d| !d)
    }

    /// Keys currently down (settled).
    pub fn held(&self) -> impl Iterator<Item = usize> + '_ {
        self.stable
            .iter()
            .enumerate()
            .filter(|(_, d)| **d)
            .map(|(i, _)| i)
    }
}

/// Auto-repeat for keys that want it (Backspace held deletes on).
#[derive(Clone, Debug)]
pub struct Repeater {
    delay_ms: u64,
    interval_ms: u64,
    next: Vec<Option<u64>>,
}

impl Repeater {
    /// Repeats after `delay_ms`, then every `interval_ms`.
    pub fn new(keys: usize, delay_ms: u64, interval_ms: u64) -> Repeater {
        Repeater {
            delay_ms,
            interval_ms: interval_ms.max(1),
            next: vec![None; keys],
        }
    }

    /// Tells the repeater about a settled change.
    pub fn change(&mut self, c: Change, now_ms: u64, repeats: bool) {
        self.next[c.index] = (c.down && repeats).then_some(now_ms + self.delay_ms);
    }

    /// Keys due to repeat at `now_ms`.
    pub fn due(&mut self, now_ms: u64) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, n) in self.next.iter_mut().enumerate() {
            if let Some(t) = n
                && now_ms >= *t
            {
                out.push(i);
                *t += self.interval_ms;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(down: &[bool]) -> Matrix {
        Matrix {
            rows: 1,
            cols: down.len(),
            down: down.to_vec(),
        }
    }

    #[test]
    fn bounces_are_ignored_until_settled() {
        let mut d = Debouncer::new(2, 20);
        assert!(d.update(&m(&[true, false]), 0).is_empty());
        assert!(d.update(&m(&[false, false]), 5).is_empty(), "bounce");
        assert!(d.update(&m(&[true, false]), 8).is_empty());
        assert!(
            d.update(&m(&[true, false]), 27).is_empty(),
            "19 ms since the last bounce"
        );
        assert_eq!(
            d.update(&m(&[true, false]), 28),
            vec![Change {
                index: 0,
                down: true
            }]
        );
        assert!(!d.idle());
        assert_eq!(d.held().collect::<Vec<_>>(), vec![0]);
        assert!(d.update(&m(&[false, false]), 100).is_empty());
        assert_eq!(
            d.update(&m(&[false, false]), 120),
            vec![Change {
                index: 0,
                down: false
            }]
        );
        assert!(d.idle());
    }

    #[test]
    fn two_keys_settle_independently() {
        let mut d = Debouncer::new(2, 10);
        d.update(&m(&[true, false]), 0);
        d.update(&m(&[true, true]), 5);
        assert_eq!(
            d.update(&m(&[true, true]), 10),
            vec![Change {
                index: 0,
                down: true
            }]
        );
        assert_eq!(
            d.update(&m(&[true, true]), 15),
            vec![Change {
                index: 1,
                down: true
            }]
        );
    }

    #[test]
    fn repeat_after_delay_then_at_interval() {
        let mut r = Repeater::new(2, 500, 100);
        r.change(
            Change {
                index: 1,
                down: true,
            },
            0,
            true,
        );
        r.change(
            Change {
                index: 0,
                down: true,
            },
            0,
            false,
        );
        assert!(r.due(499).is_empty());
        assert_eq!(r.due(500), vec![1]);
        assert!(r.due(550).is_empty());
        assert_eq!(r.due(600), vec![1]);
        r.change(
            Change {
                index: 1,
                down: false,
            },
            650,
            true,
        );
        assert!(r.due(10_000).is_empty());
    }
}
