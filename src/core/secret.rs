//! Passwords, PINs and recovery codes in memory.
//!
//! A [`Secret`] owns its text in a [`Zeroizing`] buffer, so it is wiped when
//! dropped, and it has no `Display`, `Serialize` or revealing `Debug`: the
//! only way to read it is [`Secret::expose`], which is easy to grep for.
//!
//! A `String` that grows reallocates and frees its old buffer unwiped, so
//! typing a PIN key by key would scatter copies of its first digits over
//! the heap. A secret typed key by key reserves room for the longest
//! password at its first key; should it ever need more, the text moves to
//! a bigger buffer and the old one is wiped first (tests/secrets_leave_no_copies.rs
//! checks every freed block for the text).

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

    /// Room reserved at the first key: the longest password (64
    /// characters) in the widest UTF-8 (4 bytes each).
    pub const TYPED_CAPACITY: usize = 64 * 4;

    /// Appends one character (on-screen keypad entry), never leaving a
    /// copy behind in a freed buffer.
    pub fn push(&mut self, c: char) {
        let need = self.0.len() + c.len_utf8();
        if need > self.0.capacity() {
            let cap = need.max(Self::TYPED_CAPACITY).max(self.0.capacity() * 2);
            let mut bigger = Zeroizing::new(String::with_capacity(cap));
            bigger.push_str(&self.0);
            // The old buffer is wiped as it drops.
            self.0 = bigger;
        }
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

/// The characters of a secret, in a buffer sized once (no reallocation
/// leaves a partial copy behind) and wiped on drop.
pub fn wiped_chars(text: &str) -> Zeroizing<Vec<char>> {
    let mut v = Zeroizing::new(Vec::with_capacity(text.len()));
    v.extend(text.chars());
    v
}

/// A lowercase copy of a secret, sized once and wiped on drop.
pub fn wiped_lowercase(text: &str) -> Zeroizing<String> {
    // A lowercase mapping is at most three characters of at most the
    // same width, so this never has to grow.
    let mut s = Zeroizing::new(String::with_capacity(text.len() * 3));
    for c in text.chars() {
        s.extend(c.to_lowercase());
    }
    s
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
    fn typing_never_moves_the_text_until_the_longest_password() {
        // 64 characters of the widest UTF-8 fill the reserved room exactly.
        let mut s = Secret::default();
        s.push('\u{1F600}');
        let at = s.expose().as_ptr();
        for _ in 1..64 {
            s.push('\u{1F600}');
        }
        assert_eq!(s.expose().as_ptr(), at, "no reallocation");
        s.push('x');
        assert_ne!(s.expose().as_ptr(), at, "beyond it, a new buffer");
        assert_eq!(s.char_count(), 65);
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
