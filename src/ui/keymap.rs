//! The desktop keyboard as a keypad (the mock keypad): what Slint reports
//! for a key press, as a [`Key`].
//!
//! Digits are digits, Enter is OK, Backspace deletes, Delete clears,
//! Escape cancels, F1/F2 are the function keys, Tab moves to the next
//! field, arrows move between fields; other printable characters type
//! themselves (names, admin passwords).

use crate::hw::Key;
use crate::ui::generated::PadKey;
use slint::platform::Key as SKey;

fn is(text: &str, k: SKey) -> bool {
    let s: slint::SharedString = k.into();
    text == s.as_str()
}

/// Maps a Slint key text to a keypad key (`None`: ignored, e.g. Shift).
pub fn from_slint(text: &str) -> Option<Key> {
    let mut chars = text.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    if is(text, SKey::Return) || c == '\n' || c == '\r' {
        return Some(Key::Enter);
    }
    let named = [
        (SKey::Backspace, Key::Backspace),
        (SKey::Delete, Key::Clear),
        (SKey::Escape, Key::Cancel),
        (SKey::F1, Key::F1),
        (SKey::F2, Key::F2),
        (SKey::Tab, Key::F1),
        (SKey::UpArrow, Key::Up),
        (SKey::DownArrow, Key::Down),
    ];
    if let Some((_, k)) = named.iter().find(|(s, _)| is(text, *s)) {
        return Some(*k);
    }
    match c {
        '0'..='9' => Some(Key::Digit(c as u8 - b'0')),
        '*' => Some(Key::Star),
        '#' => Some(Key::Hash),
        // Slint encodes other special keys (Shift, F3...) in the private use area.
        c if c.is_control() || ('\u{E000}'..='\u{F8FF}').contains(&c) => None,
        c => Some(Key::Char(c)),
    }
}

/// Maps an on-screen key of the Slint keypad: the kind, and for a digit
/// or a character its one character of text.
pub fn from_onscreen(kind: PadKey, text: &str) -> Option<Key> {
    let one = || {
        let mut it = text.chars();
        match (it.next(), it.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    match kind {
        PadKey::Digit => one()
            .and_then(|c| c.to_digit(10))
            .and_then(|d| u8::try_from(d).ok())
            .map(Key::Digit),
        PadKey::Char => one().map(|c| match c.to_digit(10) {
            Some(d) => Key::Digit(u8::try_from(d).unwrap_or(0)),
            None => Key::Char(c),
        }),
        PadKey::Enter => Some(Key::Enter),
        PadKey::Backspace => Some(Key::Backspace),
        PadKey::Clear => Some(Key::Clear),
        PadKey::Cancel => Some(Key::Cancel),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_keys() {
        let s = |k: SKey| -> String { slint::SharedString::from(k).to_string() };
        assert_eq!(from_slint("7"), Some(Key::Digit(7)));
        assert_eq!(from_slint(&s(SKey::Return)), Some(Key::Enter));
        assert_eq!(from_slint(&s(SKey::Escape)), Some(Key::Cancel));
        assert_eq!(from_slint(&s(SKey::F1)), Some(Key::F1));
        assert_eq!(from_slint(&s(SKey::Backspace)), Some(Key::Backspace));
        assert_eq!(from_slint(&s(SKey::Shift)), None);
        assert_eq!(from_slint("a"), Some(Key::Char('a')));
        assert_eq!(from_slint(""), None);
    }

    #[test]
    fn onscreen_keys() {
        assert_eq!(from_onscreen(PadKey::Digit, "5"), Some(Key::Digit(5)));
        assert_eq!(from_onscreen(PadKey::Enter, ""), Some(Key::Enter));
        assert_eq!(from_onscreen(PadKey::Char, "Q"), Some(Key::Char('Q')));
        assert_eq!(from_onscreen(PadKey::Char, " "), Some(Key::Char(' ')));
        assert_eq!(from_onscreen(PadKey::Char, ""), None);
        assert_eq!(from_onscreen(PadKey::Digit, "x"), None);
        assert_eq!(from_onscreen(PadKey::Digit, "12"), None);
    }
}
