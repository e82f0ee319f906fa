//! The one rule for text that reaches the screen or the audit log from
//! outside the till: operator and terminal names (typed, or from a
//! bundle), the session API's approval texts, file names in the drop
//! directory.
//!
//! Why one rule: each of these ends up on a supervisor's screen or in the
//! trail an owner reads later, and a character that changes how the text
//! around it looks without showing itself lets the sender make "12.50"
//! read as "05.21", hide a word, fake a second line, or make two names
//! look alike. Such text is refused where it can be (names, requests) and
//! shown with the characters replaced where it cannot (a file's name is
//! what it is).

/// Characters that are never shown as they are: control characters (C0,
/// DEL, C1), bidirectional controls, zero-width and invisible characters,
/// the line and paragraph separators, the soft hyphen, tag characters,
/// Hangul fillers, and combining marks that overlay or enclose what they
/// follow.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Soft hyphen, combining grapheme joiner, Arabic letter mark.
            '\u{00AD}' | '\u{034F}' | '\u{061C}'
            // Hangul fillers (choseong, jungseong, letter, halfwidth).
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
            // Khmer inherent vowels, Mongolian vowel separator.
            | '\u{17B4}' | '\u{17B5}' | '\u{180E}'
            // Zero-width space, joiners, LRM/RLM.
            | '\u{200B}'..='\u{200F}'
            // Line and paragraph separators, bidi embeddings and overrides.
            | '\u{2028}'..='\u{202E}'
            // Word joiner, invisible operators, bidi isolates, deprecated
            // format characters.
            | '\u{2060}'..='\u{206F}'
            // Combining overlays: tilde, strokes, solidus.
            | '\u{0334}'..='\u{0338}'
            // Combining symbol overlays and enclosing marks.
            | '\u{20D2}'..='\u{20D3}'
            | '\u{20D8}'..='\u{20DA}'
            | '\u{20DD}'..='\u{20E0}'
            | '\u{20E2}'..='\u{20E6}'
            | '\u{20EA}'..='\u{20EB}'
            // Braille blank (shown as nothing), byte order mark,
            // interlinear annotation.
            | '\u{2800}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
            // Tag characters.
            | '\u{E0000}'..='\u{E007F}'
            // Variation selectors (and the supplement), Mongolian free
            // variation selectors, shorthand format controls, musical
            // symbol format controls: each changes or hides nothing it
            // shows itself.
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{E0100}'..='\u{E01EF}'
            | '\u{180B}'..='\u{180D}'
            | '\u{180F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
        )
}

/// Most combining marks that may follow one character: Vietnamese needs
/// two (a vowel's mark and its tone), a pile of them ("Zalgo" text) runs
/// over the lines above and below and hides what is there.
pub const MAX_MARKS: usize = 2;

/// A combining mark, in the blocks of marks that stack on a letter.
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// For each character, whether it is a combining mark past the
/// [`MAX_MARKS`]th in a row.
fn piled(text: &str) -> impl Iterator<Item = (char, bool)> + '_ {
    let mut run = 0;
    text.chars().map(move |c| {
        run = if is_mark(c) { run + 1 } else { 0 };
        (c, run > MAX_MARKS)
    })
}

/// Why a text was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadText {
    /// Nothing but spaces.
    #[error("empty")]
    Empty,
    /// Longer than allowed.
    #[error("longer than {0} characters")]
    TooLong(usize),
    /// Holds a character from [`is_hidden`], or more than [`MAX_MARKS`]
    /// combining marks on one character.
    #[error("holds control, direction, separator or invisible characters, or piled-up marks")]
    Hidden,
}

/// `text` trimmed, if it is not empty, at most `max` characters, and has
/// no hidden characters. The length is checked first, in characters, so a
/// 4 MiB name costs one pass.
pub fn clean(text: &str, max: usize) -> Result<String, BadText> {
    let text = text.trim();
    if text.is_empty() {
        Err(BadText::Empty)
    } else if text.chars().nth(max).is_some() {
        Err(BadText::TooLong(max))
    } else if piled(text).any(|(c, over)| over || is_hidden(c)) {
        Err(BadText::Hidden)
    } else {
        Ok(text.to_owned())
    }
}

/// `text` as it may be shown or logged when it cannot be refused (a file's
/// name): hidden characters and piled-up marks become U+FFFD, and past
/// `max` characters it is cut with "…".
pub fn shown(text: &str, max: usize) -> String {
    let mut out: String = piled(text)
        .take(max)
        .map(|(c, over)| if over || is_hidden(c) { '\u{FFFD}' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_in_any_script_is_shown() {
        for ok in [
            "Li Wei",
            "王芳",
            "김민준",
            "Zoë-Ann",
            "café 3",
            "12.50",
            "🙂",
            "Nguyễn Thị",
            "Nguye\u{0302}\u{0303}n",
        ] {
            assert_eq!(clean(ok, 32).as_deref(), Ok(ok), "{ok:?}");
            assert!(!ok.chars().any(is_hidden), "{ok:?}");
        }
    }

    #[test]
    fn piled_up_marks_are_refused_and_replaced() {
        let zalgo = "Li\u{0301}\u{0302}\u{0303}\u{0304} Wei";
        assert_eq!(clean(zalgo, 32), Err(BadText::Hidden));
        assert_eq!(shown(zalgo, 32), "Li\u{0301}\u{0302}\u{FFFD}\u{FFFD} Wei");
    }

    #[test]
    fn shown_replaces_and_cuts() {
        assert_eq!(shown("a\u{202E}b\nc", 10), "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(shown("abcdef", 3), "abc…");
    }
}
