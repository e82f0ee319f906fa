//! The Chinese UI is complete: every `@tr()` string in `ui/` has a
//! non-empty translation in the bundled catalogue, with the same `{}`
//! placeholders, and the catalogue has nothing that the UI no longer says.

use std::collections::BTreeMap;
use std::path::Path;

fn slint_strings() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "slint") {
                let text = std::fs::read_to_string(&p).unwrap();
                let mut rest = text.as_str();
                while let Some(i) = rest.find("@tr(\"") {
                    rest = &rest[i + 5..];
                    let mut s = String::new();
                    let mut chars = rest.chars();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => s.push(chars.next().unwrap()),
                            '"' => break,
                            c => s.push(c),
                        }
                    }
                    assert!(
                        !s.contains("=>"),
                        "{}: give no translation context: {s}",
                        p.display()
                    );
                    out.push(s);
                }
            }
        }
    }
    let mut v = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("ui"), &mut v);
    v.sort();
    v.dedup();
    v
}

fn unquote(line: &str, key: &str) -> Option<String> {
    let body = line.strip_prefix(key)?.trim();
    let body = body.strip_prefix('"')?.strip_suffix('"')?;
    Some(
        body.replace("\\\"", "\"")
            .replace("\\n", "\n")
            .replace("\\\\", "\\"),
    )
}

fn catalogue() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui/translations/zh_CN/LC_MESSAGES/till-kiosk.po");
    let text = std::fs::read_to_string(path).unwrap();
    let mut map = BTreeMap::new();
    let mut id = None;
    for line in text.lines() {
        assert!(
            !line.starts_with("msgctxt"),
            "the catalogue has no contexts: {line}"
        );
        if let Some(s) = unquote(line, "msgid") {
            id = Some(s);
        } else if let Some(s) = unquote(line, "msgstr") {
            let k = id.take().expect("msgstr follows msgid");
            if !k.is_empty() {
                map.insert(k, s);
            }
        }
    }
    map
}

#[test]
fn every_ui_string_is_translated() {
    let strings = slint_strings();
    assert!(
        strings.len() > 80,
        "found only {} strings: is the extractor broken?",
        strings.len()
    );
    let po = catalogue();
    let missing: Vec<_> = strings
        .iter()
        .filter(|s| po.get(*s).is_none_or(|t| t.trim().is_empty()))
        .collect();
    assert!(missing.is_empty(), "untranslated: {missing:#?}");
    for s in &strings {
        let t = &po[s];
        assert_eq!(
            s.matches("{}").count(),
            t.matches("{}").count(),
            "placeholders differ: {s:?} -> {t:?}"
        );
    }
}

#[test]
fn the_catalogue_has_no_stale_entries() {
    let strings = slint_strings();
    let stale: Vec<_> = catalogue()
        .into_keys()
        .filter(|k| !strings.contains(k))
        .collect();
    assert!(stale.is_empty(), "no longer in the UI: {stale:#?}");
}

#[test]
fn chinese_really_is_chinese() {
    // Native names and numbers may stay as they are; everything else changes.
    let same_ok = ["English", "中文", "OK"];
    for (en, zh) in catalogue() {
        if !same_ok.contains(&en.as_str()) {
            assert_ne!(en, zh, "not translated: {en}");
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "no Hanzi in {zh:?}"
            );
        }
    }
}
