//! Evidence that a till lost its state must be evidence of a state, not of
//! any audit line: a fresh till writes audit lines too (a refused bundle,
//! an approval asked for over the setup screen, a refused session peer),
//! and `tillctl init` must still set it up.
mod common;
use common::*;
use till_kiosk::service::ServiceError;
use till_kiosk::store::StoreError;

#[test]
fn a_refused_bundle_before_setup_does_not_stop_init() {
    let till = Till::new();
    let files = tempfile::tempdir().unwrap();
    let key = files.path().join("chain");
    let out = tillctl(
        files.path(),
        &["bundle", "keygen", "--out", key.to_str().unwrap()],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let junk = files.path().join("junk.bundle");
    std::fs::write(&junk, "till-kiosk-bundle 1\n{}\nsignature x y\n").unwrap();
    let out = tillctl(
        till.path(),
        &[
            "bundle",
            "import",
            "--verify",
            key.with_extension("pub").to_str().unwrap(),
            junk.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // What made the till look broken: the refusal is in its audit log.
    let audit = std::fs::read_to_string(till.path().join("audit.log")).unwrap();
    assert!(audit.contains("bundle_imported"), "{audit}");

    assert!(till.service().is_fresh().unwrap());
    let out = tillctl(
        till.path(),
        &["init", "--name", "Wang Fang"],
        &format!("{ADMIN_PW}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_till_set_up_before_markers_existed_is_still_not_fresh() {
    // A 0.1.0 till: no marker, and its previous copy gone too; its audit
    // log's setup record is the evidence.
    let till = Till::new();
    till.set_up();
    for entry in std::fs::read_dir(till.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.starts_with("audit.log") && name != "lock" && name != "terminal-id" {
            std::fs::remove_file(till.path().join(&name)).unwrap();
        }
    }
    assert!(matches!(
        till.service().is_fresh(),
        Err(ServiceError::Store(StoreError::Missing { .. }))
    ));
}

#[test]
fn a_set_up_till_without_its_audit_log_is_still_not_fresh() {
    let till = Till::new();
    till.set_up();
    for name in ["state.json", "state.json.prev", "audit.log"] {
        let _ = std::fs::remove_file(till.path().join(name));
    }
    assert!(matches!(
        till.service().is_fresh(),
        Err(ServiceError::Store(StoreError::Missing { .. }))
    ));
}
