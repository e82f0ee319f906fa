//! Passwords, PINs and recovery codes in memory.
//!
//! A [`Secret`] owns its text in a [`Zeroizing`] buffer, so it is wiped when
//! dropped, and it has no `Display`, `Serialize` or revealing `Debug`: the
//! only way to read it is [`Secret::expose`], which is easy to grep for.

use std::fmt;
use zeroize::Zeroizing;

/// A password, PIN or recovery code. Wiped on drop, never printed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Takes ownership of `text`; the `String`'s buffer is wiped with the secret.
    pub fn new(text: String) -> Self {
        Secret(Zeroizing::new(text))
    }

    /// The secret's text. Call sites are the only places a secret is read.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends one character (on-screen keypad entry).
    pub fn push(&mut self, c: char) {
        self.0.push(c);
    }

    /// Removes the last character (backspace).
    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// Number of characters, for masked display.
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }

    /// Wipes the text and leaves the secret empty.
    pub fn clear(&mut self) {
        *self = Secret::default();
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Secret::new(text.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_text() {
        let s = Secret::from("246810");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "246810");
    }

    #[test]
    fn keypad_editing() {
        let mut s = Secret::default();
        for c in "1357".chars() {
            s.push(c);
        }
        s.pop();
        assert_eq!(s.expose(), "135");
        assert_eq!(s.char_count(), 3);
        s.clear();
        assert!(s.is_empty());
    }
}
