//! Keys, whatever they come from.
//!
//! The on-screen keypad, the desktop keyboard (mock keypad), a GPIO matrix
//! keypad, a USB numpad and the scripted mock all produce [`Key`]s; the
//! kiosk handles one kind of input. Names are what the config's key map and
//! the scripted mock use (`1`, `ENTER`, `F1`...).

use std::fmt;
use std::str::FromStr;

/// A key on a POS keypad (or a character from a full keyboard).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// 0–9.
    Digit(u8),
    /// A letter or symbol from a full keyboard or the on-screen keyboard.
    Char(char),
    /// Confirm / OK / next field.
    Enter,
    /// Delete the last character.
    Backspace,
    /// Empty the field.
    Clear,
    /// Back out / clear the screen.
    Cancel,
    /// Function key 1: next field (held with 0: service menu).
    F1,
    /// Function key 2: switch language on the sign-in screen.
    F2,
    /// `*` on a 4×4 keypad.
    Star,
    /// `#` on a 4×4 keypad.
    Hash,
    /// Up / previous.
    Up,
    /// Down / next.
    Down,
}

impl Key {
    /// Every named key, for help texts and key-map validation.
    pub const NAMED: [(&'static str, Key); 12] = [
        ("ENTER", Key::Enter),
        ("BACKSPACE", Key::Backspace),
        ("CLEAR", Key::Clear),
        ("CANCEL", Key::Cancel),
        ("F1", Key::F1),
        ("F2", Key::F2),
        ("STAR", Key::Star),
        ("HASH", Key::Hash),
        ("UP", Key::Up),
        ("DOWN", Key::Down),
        ("*", Key::Star),
        ("#", Key::Hash),
    ];
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Digit(d) => write!(f, "{d}"),
            Key::Char(c) => write!(f, "{c}"),
            other => {
                let name = Key::NAMED
                    .iter()
                    .find(|(_, k)| k == other)
                    .map_or("?", |(n, _)| *n);
                f.write_str(name)
            }
        }
    }
}

/// A key name that means nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown key {0:?}: expected 0-9, ENTER, BACKSPACE, CLEAR, CANCEL, F1, F2, STAR (*), HASH (#), UP or DOWN"
)]
pub struct UnknownKey(pub String);

impl FromStr for Key {
    type Err = UnknownKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let up = s.trim().to_ascii_uppercase();
        if let [b @ b'0'..=b'9'] = up.as_bytes() {
            return Ok(Key::Digit(b - b'0'));
        }
        let alias = match up.as_str() {
            "OK" | "RETURN" => Some(Key::Enter),
            "BKSP" | "DEL" | "BACK" => Some(Key::Backspace),
            "CLR" => Some(Key::Clear),
            "ESC" | "ESCAPE" => Some(Key::Cancel),
            _ => None,
        };
        alias
            .or_else(|| Key::NAMED.iter().find(|(n, _)| *n == up).map(|(_, k)| *k))
            .ok_or_else(|| UnknownKey(s.to_owned()))
    }
}

/// A key going down or coming up (chords need both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEvent {
    /// Pressed.
    Down(Key),
    /// Released.
    Up(Key),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (name, key) in Key::NAMED.iter().take(10) {
            assert_eq!(name.parse::<Key>(), Ok(*key));
            assert_eq!(key.to_string(), *name);
        }
        assert_eq!("7".parse::<Key>(), Ok(Key::Digit(7)));
        assert_eq!("enter".parse::<Key>(), Ok(Key::Enter));
        assert_eq!("esc".parse::<Key>(), Ok(Key::Cancel));
        // The keypad's own labels, as the config and the scripted keypad write them.
        assert_eq!("*".parse::<Key>(), Ok(Key::Star));
        assert_eq!("#".parse::<Key>(), Ok(Key::Hash));
        assert_eq!("star".parse::<Key>(), Ok(Key::Star));
        assert_eq!(Key::Star.to_string(), "STAR");
        assert!("F13".parse::<Key>().is_err());
        assert!("77".parse::<Key>().is_err());
    }
}
