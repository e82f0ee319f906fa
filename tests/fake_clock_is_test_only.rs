//! The simulated clock (`TILL_KIOSK_FAKE_CLOCK`) lets whoever sets an
//! environment variable move lockout time. It exists only with the
//! `test-hooks` feature, which no build a till runs may have: not the
//! default (`cargo run`), not the Pi's, not the .deb's. (CI also checks the
//! packaged binaries themselves for the variable's name.)
use std::path::Path;

fn manifest() -> toml::Table {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    text.parse().unwrap()
}

/// The features `name` switches on, transitively.
fn expand(features: &toml::Table, name: &str, out: &mut Vec<String>) {
    if out.iter().any(|f| f == name) {
        return;
    }
    out.push(name.to_owned());
    if let Some(list) = features.get(name).and_then(|v| v.as_array()) {
        for f in list.iter().filter_map(|v| v.as_str()) {
            expand(features, f, out);
        }
    }
}

#[test]
fn no_build_a_till_runs_has_the_test_hooks() {
    let m = manifest();
    let features = m["features"].as_table().unwrap();
    assert!(features.contains_key("test-hooks"));
    let deb = &m["package"]["metadata"]["deb"];
    let mut shipped: Vec<&str> = vec!["default", "desktop", "pi", "ui"];
    shipped.extend(
        deb["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str()),
    );
    for f in shipped {
        let mut on = Vec::new();
        expand(features, f, &mut on);
        assert!(
            !on.iter().any(|x| x == "test-hooks"),
            "feature {f} switches on the test hooks: {on:?}"
        );
        // Nor the dev tools (the screenshot scenes' sample passwords and
        // sample recovery key).
        assert!(
            !on.iter().any(|x| x == "devtools"),
            "feature {f} switches on the dev tools: {on:?}"
        );
    }
    // The hooks reach the tests only through the dev-dependency.
    let dev = &m["dev-dependencies"]["till-kiosk"];
    assert_eq!(
        dev["features"].as_array().unwrap()[0].as_str(),
        Some("test-hooks")
    );
}

#[test]
fn the_fake_clock_is_only_named_behind_the_feature() {
    // Every source line naming the variable sits in the feature-gated module.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut named = Vec::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read_to_string(&p)
                .unwrap_or_default()
                .contains("TILL_KIOSK_FAKE_CLOCK")
            {
                named.push(p);
            }
        }
    }
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(named[0].ends_with("sys/fake_clock.rs"), "{named:?}");
    let sys =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sys.rs")).unwrap();
    assert!(sys.contains("#[cfg(feature = \"test-hooks\")]\nmod fake_clock;"));
}
