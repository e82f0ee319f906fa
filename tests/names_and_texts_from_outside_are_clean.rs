//! One rule for every string that reaches the screen or the audit log from
//! outside: an operator's or terminal's name (typed, or in a bundle), the
//! session API's approval texts. The characters below change how the text
//! around them looks without showing themselves; each is refused
//! everywhere. And an amount keeps the digits the sales program sent.
mod common;
use common::*;
use till_kiosk::core::Role;
use till_kiosk::session::protocol::{Request, parse};

/// Hidden characters, with what they are.
const HIDDEN: &[(char, &str)] = &[
    ('\n', "line feed"),
    ('\u{1B}', "escape"),
    ('\u{85}', "next line (C1)"),
    ('\u{202E}', "right-to-left override"),
    ('\u{2067}', "right-to-left isolate"),
    ('\u{200B}', "zero-width space"),
    ('\u{2028}', "line separator"),
    ('\u{2029}', "paragraph separator"),
    ('\u{00AD}', "soft hyphen"),
    ('\u{E0041}', "tag latin capital A"),
    ('\u{E007F}', "cancel tag"),
    ('\u{115F}', "Hangul choseong filler"),
    ('\u{1160}', "Hangul jungseong filler"),
    ('\u{3164}', "Hangul filler"),
    ('\u{FFA0}', "halfwidth Hangul filler"),
    ('\u{0338}', "combining long solidus overlay"),
    ('\u{20E5}', "combining reverse solidus overlay"),
    ('\u{20DD}', "combining enclosing circle"),
    ('\u{FEFF}', "zero-width no-break space"),
    ('\u{FE0F}', "variation selector 16"),
    ('\u{E0100}', "variation selector 17"),
    ('\u{180B}', "Mongolian free variation selector"),
    ('\u{1BCA0}', "shorthand format letter overlap"),
    ('\u{1D173}', "musical symbol begin beam"),
];

fn with(c: char) -> String {
    format!("Li{c}Wei")
}

#[test]
fn operator_names_with_hidden_characters_are_refused() {
    let till = Till::new();
    let svc = till.set_up();
    for &(c, what) in HIDDEN {
        assert!(
            svc.add_operator(&cli_actor(), id(40), &with(c), Role::Operator, None)
                .is_err(),
            "{what} in an operator name"
        );
    }
    svc.add_operator(&cli_actor(), id(40), "王芳 Zoë", Role::Operator, None)
        .unwrap();
}

#[test]
fn approval_texts_with_hidden_characters_are_refused() {
    for &(c, what) in HIDDEN {
        for field in ["reason", "amount"] {
            let line =
                serde_json::json!({"v": 1, "op": "approve", "action": "void", field: with(c)})
                    .to_string();
            let (_, r) = parse(&line, "sales");
            assert!(r.is_err(), "{what} in {field}: {r:?}");
        }
    }
}

#[test]
fn an_amount_keeps_the_digits_the_sales_program_sent() {
    for (sent, shown) in [
        ("12.50", "12.50"),
        ("\"12.50\"", "12.50"),
        ("100", "100"),
        ("0.10", "0.10"),
    ] {
        let line = format!(r#"{{"v":1,"op":"approve","action":"void","amount":{sent}}}"#);
        let (_, r) = parse(&line, "sales");
        let Ok(Request::Approve(a)) = r else {
            panic!("{sent}: {r:?}")
        };
        assert_eq!(a.amount.as_deref(), Some(shown), "{sent}");
    }
    for odd in ["1e3", "1.", "-", "1.2.3"] {
        let line = format!(r#"{{"v":1,"op":"approve","action":"void","amount":{odd}}}"#);
        assert!(parse(&line, "sales").1.is_err() || odd == "1e3", "{odd}");
    }
}

/// A bundle naming this till (serial 10000000a1b2c3d4) `name`.
fn bundle_naming(till: &Till, name: &str) -> till_kiosk::bundle::Verified {
    let state = till.service().snapshot().unwrap().unwrap();
    let mut terminals = std::collections::BTreeMap::new();
    terminals.insert("10000000a1b2c3d4".to_owned(), name.to_owned());
    let payload = till_kiosk::bundle::Payload::from_state(
        &state,
        2_000_000_000,
        till_kiosk::core::clock::WallTime(1_800_000_000_000),
        terminals,
    );
    let key = till_kiosk::bundle::SecretKey::generate().unwrap();
    let text = till_kiosk::bundle::sign(&payload, &key);
    till_kiosk::bundle::verify(text.as_bytes(), &key.public()).unwrap()
}

#[test]
fn terminal_names_in_a_bundle_follow_the_same_rule() {
    let till = Till::new();
    let svc = till.set_up();
    let before = svc.snapshot().unwrap().unwrap().terminal_name;
    let mut bad: Vec<(String, String)> = HIDDEN
        .iter()
        .map(|&(c, what)| (format!("Shop{c}3"), what.to_owned()))
        .collect();
    bad.push(("x".repeat(4 << 20), "a 4 MiB name".into()));
    bad.push(("   ".into(), "an empty name".into()));
    for (name, what) in bad {
        let b = bundle_naming(&till, &name);
        assert!(svc.import_bundle(&cli_actor(), &b).is_err(), "{what}");
        assert_eq!(
            svc.snapshot().unwrap().unwrap().terminal_name,
            before,
            "{what}"
        );
    }
    let audit = std::fs::read_to_string(till.path().join("audit.log")).unwrap();
    assert!(
        !audit.contains('\u{202E}') && !audit.contains("\\u202e"),
        "{audit}"
    );
    let b = bundle_naming(&till, "Shop 3, till 2");
    svc.import_bundle(&cli_actor(), &b).unwrap();
    assert_eq!(
        svc.snapshot().unwrap().unwrap().terminal_name,
        "Shop 3, till 2"
    );
}
