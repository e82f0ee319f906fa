//! The embedded UI font has a glyph for every character the UI can show
//! by itself: the English strings, the Chinese catalogue and the core's
//! Chinese messages. (Names typed by people may need the system's CJK
//! font; see README.) Regenerate with `python3 ui/fonts/subset.py`.

use std::collections::BTreeSet;
use std::path::Path;

fn chars_in(dir: &Path, ext: &str, out: &mut BTreeSet<char>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            chars_in(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.extend(
                std::fs::read_to_string(&p)
                    .unwrap()
                    .chars()
                    .filter(|c| !c.is_control()),
            );
        }
    }
}

#[test]
fn every_character_of_the_ui_has_a_glyph() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut needed = BTreeSet::new();
    chars_in(&root.join("ui"), "slint", &mut needed);
    chars_in(&root.join("ui/translations"), "po", &mut needed);
    // The core's and the controller's bilingual messages.
    let mut rust = BTreeSet::new();
    chars_in(&root.join("src"), "rs", &mut rust);
    // Only what a message can contain: Hanzi, CJK and general punctuation
    // (Rust sources also hold test data such as Arabic-Indic digits).
    let shown = |c: &char| matches!(*c, '\u{2000}'..='\u{2BFF}' | '\u{3000}'..='\u{303F}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}');
    needed.extend(rust.into_iter().filter(shown));
    needed.extend((0x20u8..0x7f).map(char::from));
    needed.retain(|c| !c.is_whitespace() || *c == ' ');
    for font in ["NotoSansSC-till.otf", "NotoSansSC-till-Bold.otf"] {
        let data = std::fs::read(root.join("ui/fonts").join(font)).unwrap();
        let face = ttf_parser::Face::parse(&data, 0).unwrap();
        let missing: String = needed
            .iter()
            .filter(|c| face.glyph_index(**c).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "{font} lacks {missing:?}: run python3 ui/fonts/subset.py"
        );
    }
}
