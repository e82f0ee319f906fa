//! The one input mechanism of every entry screen: a list of fields and
//! which one has focus, fed by [`Key`]s from any source.
//!
//! Buffers live here, in Rust: password fields are [`Secret`]s (wiped on
//! clear and drop) and Slint only ever receives masked dots for them.

use crate::core::Secret;
use crate::hw::Key;

/// What a field accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Digits shown as typed (operator numbers, codes); moves on when full.
    Digits {
        /// Most digits.
        max: usize,
    },
    /// A password or PIN, shown masked.
    Secret {
        /// Most characters.
        max: usize,
        /// Digits only (cashier PINs).
        digits_only: bool,
    },
    /// Plain text (names).
    Text {
        /// Most characters.
        max: usize,
    },
}

/// One field.
#[derive(Clone, Debug)]
pub struct Field {
    /// What it takes.
    pub kind: FieldKind,
    text: String,
    secret: Secret,
    /// Greyed out: takes no input (e.g. while a lockout runs).
    pub disabled: bool,
}

impl Field {
    /// An empty field.
    pub fn new(kind: FieldKind) -> Field {
        Field {
            kind,
            text: String::new(),
            secret: Secret::default(),
            disabled: false,
        }
    }

    /// A field with starting text (not for secrets).
    pub fn with_text(kind: FieldKind, text: &str) -> Field {
        let mut f = Field::new(kind);
        f.text = text.to_owned();
        f
    }

    fn len(&self) -> usize {
        match self.kind {
            FieldKind::Secret { .. } => self.secret.char_count(),
            _ => self.text.chars().count(),
        }
    }

    fn max(&self) -> usize {
        match self.kind {
            FieldKind::Digits { max } | FieldKind::Secret { max, .. } | FieldKind::Text { max } => {
                max
            }
        }
    }

    /// "28/32" once a text field is near its limit (a name), so nobody is
    /// surprised that it stops taking letters; empty otherwise.
    pub fn count(&self) -> String {
        match self.kind {
            FieldKind::Text { max } if self.len() + 8 >= max => format!("{}/{max}", self.len()),
            _ => String::new(),
        }
    }

    /// Whether it has reached its length.
    pub fn is_full(&self) -> bool {
        self.len() >= self.max()
    }

    /// Whether nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn accepts(&self, c: char) -> bool {
        match self.kind {
            FieldKind::Digits { .. } => c.is_ascii_digit(),
            FieldKind::Secret { digits_only, .. } => {
                if digits_only {
                    c.is_ascii_digit()
                } else {
                    !c.is_control()
                }
            }
            FieldKind::Text { .. } => !c.is_control(),
        }
    }

    fn push(&mut self, c: char) -> bool {
        if self.disabled || self.is_full() || !self.accepts(c) {
            return false;
        }
        match self.kind {
            FieldKind::Secret { .. } => self.secret.push(c),
            _ => self.text.push(c),
        }
        true
    }

    fn pop(&mut self) -> bool {
        if self.disabled || self.is_empty() {
            return false;
        }
        match self.kind {
            FieldKind::Secret { .. } => self.secret.pop(),
            _ => {
                self.text.pop();
            }
        }
        true
    }

    /// Empties the field (a secret is wiped).
    pub fn clear(&mut self) {
        self.text.clear();
        self.secret.clear();
    }

    /// Puts `secret` into a password field (no copy), wiping what was there.
    pub fn set_secret(&mut self, secret: Secret) {
        self.secret = secret;
    }

    /// Moves the secret out of a password field (no copy), leaving it empty.
    pub fn take_secret(&mut self) -> Secret {
        std::mem::take(&mut self.secret)
    }

    /// The text of a non-secret field.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The secret of a password field.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// What the screen shows: masked dots for secrets.
    pub fn display(&self) -> String {
        match self.kind {
            FieldKind::Secret { .. } => "●".repeat(self.secret.char_count()),
            _ => self.text.clone(),
        }
    }

    /// Whether letters may be typed (shows the on-screen letter keyboard).
    pub fn takes_letters(&self) -> bool {
        match self.kind {
            FieldKind::Digits { .. } => false,
            FieldKind::Secret { digits_only, .. } => !digits_only,
            FieldKind::Text { .. } => true,
        }
    }
}

/// What a key did to a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKey {
    /// A character was added or removed, or focus moved.
    Edited,
    /// The key does nothing here (a letter in a digits field).
    Refused,
    /// A text field (a name) is full: the character was not added.
    Full {
        /// The field's most characters.
        max: usize,
    },
    /// Enter on the last field.
    Submit,
    /// Cancel was pressed.
    Cancel,
}

/// A set of fields with one in focus.
#[derive(Clone, Debug, Default)]
pub struct Form {
    /// The fields, top to bottom.
    pub fields: Vec<Field>,
    /// The field in focus.
    pub active: usize,
    /// The last key filled a number and moved focus on by itself: a "next
    /// field" key now would mean the same move, so it is taken as done.
    advanced: bool,
}

impl Form {
    /// A form with these fields, focus on the first.
    pub fn new(fields: Vec<Field>) -> Form {
        Form {
            fields,
            active: 0,
            advanced: false,
        }
    }

    /// The field at `i` (panics only on a programming error in a screen definition).
    pub fn field(&self, i: usize) -> &Field {
        &self.fields[i]
    }

    /// Mutable field `i`.
    pub fn field_mut(&mut self, i: usize) -> &mut Field {
        &mut self.fields[i]
    }

    /// Moves focus to `i` if it exists and is enabled.
    pub fn focus(&mut self, i: usize) {
        if i < self.fields.len() && !self.fields[i].disabled {
            self.active = i;
            self.advanced = false;
        }
    }

    fn next_enabled(&self, from: usize) -> Option<usize> {
        (from + 1..self.fields.len()).find(|&i| !self.fields[i].disabled)
    }

    /// Applies one key.
    pub fn key(&mut self, key: Key) -> FormKey {
        if self.fields.is_empty() {
            return match key {
                Key::Enter => FormKey::Submit,
                Key::Cancel => FormKey::Cancel,
                _ => FormKey::Refused,
            };
        }
        let active = self.active.min(self.fields.len() - 1);
        // Someone who types "01" and then presses Tab (F1, the membrane
        // keypad's A) out of habit means the password field, where the
        // number already sent them: not a wrap back to the number.
        if std::mem::take(&mut self.advanced) && matches!(key, Key::F1 | Key::Down) {
            return FormKey::Edited;
        }
        match key {
            Key::Digit(d) => self.type_char(active, char::from(b'0' + d)),
            Key::Char(c) => self.type_char(active, c),
            Key::Backspace => edited(self.fields[active].pop()),
            Key::Clear => {
                let had = !self.fields[active].is_empty();
                self.fields[active].clear();
                edited(had)
            }
            Key::Enter => match self.next_enabled(active) {
                Some(n) => {
                    self.active = n;
                    FormKey::Edited
                }
                None => FormKey::Submit,
            },
            Key::F1 | Key::Down => {
                // Next enabled field, wrapping round to the first.
                self.active = self
                    .next_enabled(active)
                    .or_else(|| (0..self.fields.len()).find(|&i| !self.fields[i].disabled))
                    .unwrap_or(active);
                FormKey::Edited
            }
            Key::Up => {
                if let Some(p) = (0..active).rev().find(|&i| !self.fields[i].disabled) {
                    self.active = p;
                }
                FormKey::Edited
            }
            Key::Cancel => FormKey::Cancel,
            Key::F2 | Key::Star | Key::Hash => FormKey::Refused,
        }
    }

    /// The field after `i` when `i` is a digits field (an operator number)
    /// that is full: where what is typed next belongs.
    fn after_whole_number(&self, i: usize) -> Option<usize> {
        let f = &self.fields[i];
        if matches!(f.kind, FieldKind::Digits { .. }) && f.is_full() {
            self.next_enabled(i)
        } else {
            None
        }
    }

    fn type_char(&mut self, i: usize, c: char) -> FormKey {
        if !self.fields[i].push(c) {
            // A whole number typed on: the key belongs to the next field
            // (never dropped because focus was still on the number).
            if let Some(n) = self.after_whole_number(i)
                && self.fields[n].is_empty()
                && self.fields[n].push(c)
            {
                self.active = n;
                return FormKey::Edited;
            }
            // A name that is full says so (walk-through defect 12); other
            // fields stop at their length as a keypad does.
            let f = &self.fields[i];
            if let FieldKind::Text { max } = f.kind
                && f.is_full()
                && f.accepts(c)
                && !f.disabled
            {
                return FormKey::Full { max };
            }
            return FormKey::Refused;
        }
        // A full digits field (an operator number) moves on by itself.
        if let Some(n) = self.after_whole_number(i) {
            self.active = n;
            self.advanced = true;
        }
        FormKey::Edited
    }

    /// Empties every field and focuses the first.
    pub fn clear(&mut self) {
        for f in &mut self.fields {
            f.clear();
        }
        self.active = 0;
        self.advanced = false;
    }
}

fn edited(changed: bool) -> FormKey {
    if changed {
        FormKey::Edited
    } else {
        FormKey::Refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_in() -> Form {
        Form::new(vec![
            Field::new(FieldKind::Digits { max: 2 }),
            Field::new(FieldKind::Secret {
                max: 64,
                digits_only: false,
            }),
        ])
    }

    #[test]
    fn number_moves_on_when_full_and_enter_submits() {
        let mut f = sign_in();
        assert_eq!(f.key(Key::Digit(0)), FormKey::Edited);
        assert_eq!(f.active, 0);
        f.key(Key::Digit(1));
        assert_eq!(f.active, 1, "two digits typed: focus moves to the password");
        for d in [3, 0, 9] {
            f.key(Key::Digit(d));
        }
        assert_eq!(f.field(1).display(), "●●●");
        assert_eq!(f.field(1).secret().expose(), "309");
        assert_eq!(f.key(Key::Enter), FormKey::Submit);
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let mut f = sign_in();
        assert_eq!(f.key(Key::Char('x')), FormKey::Refused);
        assert_eq!(f.key(Key::Backspace), FormKey::Refused);
        f.key(Key::Digit(4));
        f.key(Key::Digit(2));
        f.focus(0);
        // Full, and the next field cannot take it (see below for one that can).
        f.fields[1].disabled = true;
        assert_eq!(f.key(Key::Digit(7)), FormKey::Refused, "full");
        f.focus(1);
        assert_eq!(f.active, 0, "cannot focus a disabled field");
        assert_eq!(f.key(Key::Enter), FormKey::Submit);
    }

    #[test]
    fn clear_wipes_everything() {
        let mut f = sign_in();
        for k in [Key::Digit(0), Key::Digit(1), Key::Char('a'), Key::Char('b')] {
            f.key(k);
        }
        f.clear();
        assert!(f.fields.iter().all(Field::is_empty));
        assert_eq!(f.active, 0);
    }

    #[test]
    fn f1_cycles_fields() {
        let mut f = sign_in();
        f.key(Key::F1);
        assert_eq!(f.active, 1);
        f.key(Key::F1);
        assert_eq!(f.active, 0);
    }

    /// Walk-through defect 2: Tab after a whole number, and digits typed
    /// on a whole number, both end up in the password.
    #[test]
    fn a_whole_number_hands_on_to_the_password_whatever_is_pressed_next() {
        let mut f = sign_in();
        for k in [Key::Digit(0), Key::Digit(1), Key::F1, Key::Digit(7)] {
            assert_eq!(f.key(k), FormKey::Edited);
        }
        assert_eq!((f.active, f.field(0).text()), (1, "01"));
        assert_eq!(f.field(1).secret().expose(), "7");
        // A second Tab is a real move (wrapping to the number).
        f.key(Key::F1);
        assert_eq!(f.active, 0);
        let mut f = sign_in();
        f.key(Key::Digit(0));
        f.key(Key::Digit(1));
        f.focus(0);
        assert_eq!(f.key(Key::Digit(5)), FormKey::Edited);
        assert_eq!((f.active, f.field(0).text()), (1, "01"));
        assert_eq!(f.field(1).secret().expose(), "5");
        // Into a password already begun, a digit on the number is refused.
        f.focus(0);
        assert_eq!(f.key(Key::Digit(6)), FormKey::Refused);
        assert_eq!(f.field(1).secret().expose(), "5");
    }
}
