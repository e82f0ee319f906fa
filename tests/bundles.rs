//! Operator bundles as a chain uses them: `tillctl bundle keygen`, a
//! signed export from one state directory, a verified import on another;
//! tampered, foreign and replayed bundles refused; lockouts and the floor
//! kept; an import while the till is busy; the kiosk's drop directory.
mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use till_kiosk::bundle::{self, PublicKey, SecretKey};
use till_kiosk::core::{AuthOutcome, Role};
use till_kiosk::service::bundle_watch::{Seen, Watcher};

const SHOP_PW: &str = "58149362";

/// Head office: a key pair in `dir`, as `tillctl bundle keygen` makes it.
fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let out = tillctl(
        dir,
        &[
            "bundle",
            "keygen",
            "--out",
            &dir.join(name).display().to_string(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pub")),
    )
}

/// Head office's till: admin 00, cashier 01, and 07 with a known password.
fn head_office() -> Till {
    let t = Till::new();
    let svc = t.set_up();
    svc.add_operator(
        &cli_actor(),
        id(7),
        "Zhao Min",
        Role::Operator,
        Some(s(SHOP_PW)),
    )
    .unwrap();
    t
}

fn export(state: &Path, key: &Path, version: u64) -> String {
    let out = tillctl(
        state,
        &[
            "bundle",
            "export",
            "--sign",
            &key.display().to_string(),
            "--version",
            &version.to_string(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn import(state: &Path, public: &Path, bundle: &str) -> std::process::Output {
    let file = state
        .parent()
        .unwrap()
        .join(format!("b{}.bundle", rand_suffix()));
    std::fs::write(&file, bundle).unwrap();
    tillctl(
        state,
        &[
            "bundle",
            "import",
            "--verify",
            &public.display().to_string(),
            &file.display().to_string(),
        ],
        "",
    )
}

fn rand_suffix() -> u64 {
    static N: AtomicU32 = AtomicU32::new(0);
    u64::from(N.fetch_add(1, Ordering::Relaxed))
}

/// A shop's till with only its own admin 00 and a local cashier 03.
fn shop() -> Till {
    let t = Till::new();
    let svc = t.service();
    let pw = s(ADMIN_PW);
    svc.init(
        &cli_actor(),
        &till_kiosk::service::Setup {
            admin: id(0),
            name: "Shop admin",
            terminal_name: Some("Shop 3"),
            password: &pw,
            confirm: &pw,
        },
        false,
    )
    .unwrap();
    svc.add_operator(&cli_actor(), id(3), "Local", Role::Operator, None)
        .unwrap();
    t
}

#[test]
fn keygen_writes_a_secret_key_0600_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path(), "chain");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let k = SecretKey::parse(&std::fs::read_to_string(&key).unwrap()).unwrap();
    let p: PublicKey = std::fs::read_to_string(&public).unwrap().parse().unwrap();
    assert_eq!(k.public(), p);
    let again = tillctl(
        dir.path(),
        &[
            "bundle",
            "keygen",
            "--out",
            &dir.path().join("chain").display().to_string(),
        ],
        "",
    );
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert_eq!(
        SecretKey::parse(&std::fs::read_to_string(&key).unwrap())
            .unwrap()
            .public(),
        p
    );
}

#[test]
fn a_bundle_exported_on_one_till_imports_on_another() {
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = keygen(keys.path(), "chain");
    let office = head_office();
    let text_bundle = export(office.path(), &key, 5);
    assert!(!text_bundle.contains(SHOP_PW) && !text_bundle.contains(ADMIN_PW));

    let till = shop();
    let out = import(till.path(), &public, &text_bundle);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("version 5 applied: 2 added, 1 changed, 1 removed"),
        "{}",
        text(&out)
    );

    let svc = till.service();
    let here: Vec<_> = svc
        .operators()
        .unwrap()
        .into_iter()
        .map(|o| (o.id, o.name, o.role))
        .collect();
    let there: Vec<_> = office
        .service()
        .operators()
        .unwrap()
        .into_iter()
        .map(|o| (o.id, o.name, o.role))
        .collect();
    assert_eq!(here, there);
    // 07's password from head office works here, through the lockout.
    let out = tillctl(till.path(), &["auth", "07"], &format!("{SHOP_PW}\n"));
    assert!(
        matches!(out.status.code(), Some(0) | Some(13)),
        "{}",
        text(&out)
    );
    // Audited like the admin menu, plus the bundle line.
    let audit = text(&tillctl(till.path(), &["audit", "--json"], ""));
    for needle in [
        r#""event":"operator_added","outcome":"ok""#,
        r#""event":"operator_removed""#,
        r#""event":"bundle_imported","outcome":"ok""#,
    ] {
        assert!(audit.contains(needle), "{needle} not in\n{audit}");
    }
}

#[test]
fn a_tampered_or_foreign_bundle_is_refused_and_changes_nothing() {
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = keygen(keys.path(), "chain");
    let (_, other_public) = keygen(keys.path(), "other");
    let office = head_office();
    let good = export(office.path(), &key, 5);
    let till = shop();
    let before = till.service().snapshot().unwrap();

    // One changed byte: a name.
    let tampered = good.replacen("Zhao Min", "Zhao Mim", 1);
    let out = import(till.path(), &public, &tampered);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("changed after it was signed"),
        "{}",
        text(&out)
    );
    // Another key.
    let out = import(till.path(), &other_public, &good);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("accepts only bundles signed by"),
        "{}",
        text(&out)
    );
    // A till configured with the chain's key takes no one else's, even
    // when the bundle verifies with the key given.
    let office_key2 = keys.path().join("rogue");
    keygen(keys.path(), "rogue");
    let rogue = export(office.path(), &office_key2.with_extension("key"), 6);
    let cfg = keys.path().join("config.yaml");
    std::fs::write(
        &cfg,
        format!(
            "bundle:\n  public_key: {}\n",
            std::fs::read_to_string(&public).unwrap().trim()
        ),
    )
    .unwrap();
    let file = keys.path().join("rogue.bundle");
    std::fs::write(&file, &rogue).unwrap();
    let out = tillctl_with(
        till.path(),
        &[
            "bundle",
            "import",
            "--verify",
            &office_key2.with_extension("pub").display().to_string(),
            &file.display().to_string(),
        ],
        "",
        &[("TILL_KIOSK_CONFIG", cfg.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    let after = till.service().snapshot().unwrap();
    assert_eq!(before.map(|s| s.operators), after.map(|s| s.operators));
    let audit = text(&tillctl(till.path(), &["audit", "--json"], ""));
    assert_eq!(
        audit
            .matches(r#""event":"bundle_imported","outcome":"refused""#)
            .count(),
        3,
        "{audit}"
    );
}

#[test]
fn a_replayed_older_bundle_is_refused_and_the_same_one_is_a_no_op() {
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = keygen(keys.path(), "chain");
    let office = head_office();
    let v1 = export(office.path(), &key, 1);
    office.service().remove(&cli_actor(), id(7)).unwrap();
    let v2 = export(office.path(), &key, 2);
    let till = shop();
    assert!(import(till.path(), &public, &v2).status.success());
    let out = import(till.path(), &public, &v1);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("replay"), "{}", text(&out));
    assert!(
        till.service().operator(id(7)).is_err(),
        "the replay put 07 back"
    );
    let out = import(till.path(), &public, &v2);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("already applied"), "{}", text(&out));
    // The same version signed again with other contents is a replay too.
    office.service().remove(&cli_actor(), id(1)).unwrap();
    let out = import(till.path(), &public, &export(office.path(), &key, 2));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn lockouts_and_the_policy_floor_survive_an_import() {
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = keygen(keys.path(), "chain");
    let office = head_office();
    let bundle_text = export(office.path(), &key, 9);
    // This till's config asks for longer cashier PINs than head office's.
    let till = Till::with_config("policy:\n  operator_length: {min: 8, max: 12}\n");
    till.set_up();
    let svc = till.service();
    for _ in 0..3 {
        svc.authenticate(&cli_actor(), id(1), &s("00000000"))
            .unwrap();
    }
    let locked = svc.operator(id(1)).unwrap();
    assert!(locked.failures >= 3, "{locked:?}");
    let out = import(till.path(), &public, &bundle_text);
    assert!(out.status.success(), "{}", text(&out));
    let after = svc.operator(id(1)).unwrap();
    assert_eq!(after.failures, locked.failures);
    assert_eq!(after.status, locked.status);
    assert!(svc.policy().unwrap().operator_length.min >= 8);
}

#[test]
fn a_bundle_without_an_enabled_admin_is_refused() {
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = keygen(keys.path(), "chain");
    let office = head_office();
    let k = SecretKey::parse(&std::fs::read_to_string(&key).unwrap()).unwrap();
    let state = office.service().snapshot().unwrap().unwrap();
    let mut p =
        bundle::Payload::from_state(&state, 3, till_kiosk::core::WallTime(0), Default::default());
    for o in &mut p.operators {
        if o.role == Role::Admin {
            o.enabled = false;
        }
    }
    let till = shop();
    let out = import(till.path(), &public, &bundle::sign(&p, &k));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no enabled admin"), "{}", text(&out));
    assert_eq!(till.service().operators().unwrap().len(), 2);
}

#[test]
fn an_import_while_the_till_signs_people_in_loses_no_failure() {
    let k = SecretKey::generate().unwrap();
    let office = head_office();
    let state = office.service().snapshot().unwrap().unwrap();
    let till = Till::new();
    let svc = till.set_up();
    let stop = Arc::new(AtomicBool::new(false));
    let wrong = Arc::new(AtomicU32::new(0));
    let worker = {
        let (svc, stop, wrong) = (svc.clone(), stop.clone(), wrong.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let AuthOutcome::Wrong { .. } = svc
                    .authenticate(&cli_actor(), id(1), &s("00000000"))
                    .unwrap()
                {
                    wrong.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    for v in 1..=5u64 {
        let p = bundle::Payload::from_state(
            &state,
            v,
            till_kiosk::core::WallTime(0),
            Default::default(),
        );
        let verified = bundle::verify(bundle::sign(&p, &k).as_bytes(), &k.public()).unwrap();
        let r = svc.import_bundle(&cli_actor(), &verified).unwrap();
        assert_eq!(r.version, v);
    }
    stop.store(true, Ordering::Relaxed);
    worker.join().unwrap();
    let op = svc.operator(id(1)).unwrap();
    assert!(wrong.load(Ordering::Relaxed) >= 1);
    assert_eq!(op.failures, wrong.load(Ordering::Relaxed), "{op:?}");
    assert!(svc.operator(id(7)).is_ok());
}

#[test]
fn the_drop_directory_applies_new_bundles_once_and_audits_tampered_ones() {
    let k = SecretKey::generate().unwrap();
    let office = head_office();
    let state = office.service().snapshot().unwrap().unwrap();
    let till = shop();
    let drop = tempfile::tempdir().unwrap();
    let mut w = Watcher::new(till.service(), drop.path().to_owned(), k.public());
    assert!(w.scan().is_empty());
    let p =
        bundle::Payload::from_state(&state, 4, till_kiosk::core::WallTime(0), Default::default());
    std::fs::write(drop.path().join("shop3.bundle"), bundle::sign(&p, &k)).unwrap();
    std::fs::write(drop.path().join("notes.txt"), "not a bundle").unwrap();
    let seen = w.scan();
    assert!(
        matches!(&seen[..], [Seen::Applied(_, r)] if r.version == 4 && !r.already_applied),
        "{seen:?}"
    );
    assert!(w.scan().is_empty(), "looked at twice");
    assert!(till.service().operator(id(7)).is_ok());
    std::fs::write(
        drop.path().join("evil.bundle"),
        bundle::sign(&p, &k).replace("Zhao Min", "Zhao Mim"),
    )
    .unwrap();
    let seen = w.scan();
    assert!(matches!(&seen[..], [Seen::Unverified(..)]), "{seen:?}");
    let log = till.service().audit_log().unwrap();
    assert!(log.records.iter().any(|r| {
        r.subject
            .as_deref()
            .is_some_and(|s| s.ends_with("evil.bundle"))
    }));
}
