//! Badge readers: magnetic-stripe, barcode and RFID readers that type like
//! a USB keyboard.
//!
//! Each reader in `input.badge_readers` (a path or `name:`, as for
//! `input.devices`) is opened and **grabbed** on its own thread, so its
//! keystrokes never reach a form or the console. A read is a burst: keys
//! no more than [`GAP_MS`] apart, ending in Enter. Anything slower (a
//! person at a keyboard wrongly listed as a reader) or longer than
//! [`MAX_CHARS`] is thrown away, never half-used. The card's data goes to
//! the kiosk as a [`Secret`] and nowhere else: it is not logged.
//!
//! The mock reader is the scripted keypad's `BADGE 1234567890` line.

use super::evdev_input;
use crate::core::Secret;
use evdev::KeyCode;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Where badge reads go (the UI posts them to its thread).
pub type BadgeSink = Arc<dyn Fn(Secret) + Send + Sync>;

/// Longest gap between two keys of one read. Readers send a whole card in
/// a few ms; nobody types 10 keys 100 ms apart by hand.
pub const GAP_MS: u64 = 100;
/// Longest card data (track 2 is 40 characters; barcodes are shorter).
pub const MAX_CHARS: usize = crate::core::till::MAX_CARD_CHARS;

/// One key from a reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadgeKey {
    /// Part of the card's data.
    Char(char),
    /// The end of a read.
    Enter,
    /// Anything else (ignored, but it keeps the burst going).
    Other,
}

/// Maps a key code to a reader key.
pub fn badge_key(code: KeyCode) -> BadgeKey {
    use KeyCode as K;
    let digits = [
        K::KEY_0,
        K::KEY_1,
        K::KEY_2,
        K::KEY_3,
        K::KEY_4,
        K::KEY_5,
        K::KEY_6,
        K::KEY_7,
        K::KEY_8,
        K::KEY_9,
    ];
    let letters = [
        K::KEY_A,
        K::KEY_B,
        K::KEY_C,
        K::KEY_D,
        K::KEY_E,
        K::KEY_F,
        K::KEY_G,
        K::KEY_H,
        K::KEY_I,
        K::KEY_J,
        K::KEY_K,
        K::KEY_L,
        K::KEY_M,
        K::KEY_N,
        K::KEY_O,
        K::KEY_P,
        K::KEY_Q,
        K::KEY_R,
        K::KEY_S,
        K::KEY_T,
        K::KEY_U,
        K::KEY_V,
        K::KEY_W,
        K::KEY_X,
        K::KEY_Y,
        K::KEY_Z,
    ];
    if let Some(i) = digits.iter().position(|k| *k == code) {
        return BadgeKey::Char(char::from(b'0' + i as u8));
    }
    if let Some(i) = letters.iter().position(|k| *k == code) {
        return BadgeKey::Char(char::from(b'A' + i as u8));
    }
    match code {
        K::KEY_ENTER | K::KEY_KPENTER => BadgeKey::Enter,
        // Track sentinels and separators (;1234=5678?) as an unshifted
        // keyboard sends them.
        K::KEY_SEMICOLON => BadgeKey::Char(';'),
        K::KEY_EQUAL => BadgeKey::Char('='),
        K::KEY_SLASH => BadgeKey::Char('/'),
        K::KEY_MINUS => BadgeKey::Char('-'),
        _ => BadgeKey::Other,
    }
}

/// Collects one read.
#[derive(Debug, Default)]
pub struct Burst {
    buf: Zeroizing<String>,
    last_ms: Option<u64>,
    overflow: bool,
}

impl Burst {
    /// A key pressed at `at_ms`; returns the card's data when Enter ends
    /// a burst.
    pub fn key(&mut self, k: BadgeKey, at_ms: u64) -> Option<Secret> {
        if self
            .last_ms
            .is_some_and(|t| at_ms.saturating_sub(t) > GAP_MS)
        {
            self.reset();
        }
        self.last_ms = Some(at_ms);
        match k {
            BadgeKey::Char(c) => {
                if self.buf.chars().count() < MAX_CHARS {
                    self.buf.push(c);
                } else {
                    self.overflow = true;
                }
                None
            }
            BadgeKey::Other => None,
            BadgeKey::Enter => {
                let read = (!self.buf.is_empty() && !self.overflow)
                    .then(|| Secret::new(self.buf.as_str().to_owned()));
                self.reset();
                self.last_ms = None;
                read
            }
        }
    }

    fn reset(&mut self) {
        self.buf = Zeroizing::new(String::new());
        self.overflow = false;
    }
}

/// Reads the reader `spec` forever (re-opening it after unplug), sending
/// each badge to `sink`. Blocking: give it a thread.
pub fn run(spec: &str, sink: &BadgeSink) {
    let mut burst = Burst::default();
    evdev_input::run_with(spec, true, &mut |code, value, at| {
        if value == 1 {
            let ms = at
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            if let Some(card) = burst.key(badge_key(code), ms) {
                sink(card);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(b: &mut Burst, text: &str, start: u64, gap: u64) -> Option<Secret> {
        let mut t = start;
        for c in text.chars() {
            assert!(b.key(BadgeKey::Char(c), t).is_none());
            t += gap;
        }
        b.key(BadgeKey::Enter, t)
    }

    #[test]
    fn a_fast_burst_ending_in_enter_is_a_read() {
        let mut b = Burst::default();
        let card = feed(&mut b, "1234567890", 1_000, 4).unwrap();
        assert_eq!(card.expose(), "1234567890");
        // The next read starts clean.
        assert_eq!(feed(&mut b, "42", 2_000, 4).unwrap().expose(), "42");
    }

    #[test]
    fn slow_typing_an_empty_enter_and_a_flood_are_not_reads() {
        let mut b = Burst::default();
        // A person typing: each key restarts the burst, so only the last
        // key would remain; with a slow Enter nothing does.
        assert!(feed(&mut b, "1234", 0, 300).is_none());
        assert!(b.key(BadgeKey::Enter, 10_000).is_none());
        let long = "9".repeat(MAX_CHARS + 1);
        assert!(feed(&mut b, &long, 20_000, 1).is_none());
        assert_eq!(feed(&mut b, "77", 30_000, 1).unwrap().expose(), "77");
    }

    #[test]
    fn keys_map_to_card_characters() {
        assert_eq!(badge_key(KeyCode::KEY_7), BadgeKey::Char('7'));
        assert_eq!(badge_key(KeyCode::KEY_Q), BadgeKey::Char('Q'));
        assert_eq!(badge_key(KeyCode::KEY_SEMICOLON), BadgeKey::Char(';'));
        assert_eq!(badge_key(KeyCode::KEY_ENTER), BadgeKey::Enter);
        assert_eq!(badge_key(KeyCode::KEY_LEFTSHIFT), BadgeKey::Other);
    }
}
