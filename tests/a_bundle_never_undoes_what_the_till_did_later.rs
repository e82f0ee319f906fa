//! A bundle is head office's word as of when it was made. What the till
//! did later (a disable, a removal, a password change) stands against an
//! older bundle; a newer one may undo it. A bundle reaches only the tills
//! it names (a scope or serials), versions count per scope, and a reset by
//! head office wins over a change made at the till before the bundle.
mod common;
use common::*;
use std::time::Duration;
use till_kiosk::bundle::{self, Payload, SecretKey, Verified};
use till_kiosk::core::{AuthOutcome, Clock, MustChange, Role, WallTime};

const HOUR: i64 = 3_600_000;

/// Head office's operators: 00, 01 and 07 ("58149362").
fn office() -> Till {
    let t = Till::new();
    let svc = t.set_up();
    svc.add_operator(
        &cli_actor(),
        id(7),
        "Zhao Min",
        Role::Operator,
        Some(s("58149362")),
    )
    .unwrap();
    t
}

fn signed(k: &SecretKey, p: &Payload) -> Verified {
    bundle::verify(bundle::sign(p, k).as_bytes(), &k.public()).unwrap()
}

/// Head office's list as a bundle made at `made`, version `v`.
fn made_at(office: &Till, _k: &SecretKey, v: u64, made: WallTime) -> Payload {
    let state = office.service().snapshot().unwrap().unwrap();
    Payload::from_state(&state, v, made, Default::default())
}

/// A shop till that took head office's first bundle.
fn shop(office: &Till, k: &SecretKey, yaml: &str) -> Till {
    let t = Till::with_config(yaml);
    t.set_up();
    let mut p = made_at(office, k, 1, WallTime(t.clock.wall().0 - 10 * HOUR));
    p.scope = yaml.contains("scope").then(|| "shop-3".into());
    t.service()
        .import_bundle(&cli_actor(), &signed(k, &p))
        .unwrap();
    t
}

fn now(t: &Till) -> WallTime {
    WallTime(t.clock.wall().0)
}

#[test]
fn a_disable_at_the_till_stands_against_an_older_bundle() {
    let k = SecretKey::generate().unwrap();
    let office = office();
    let till = shop(&office, &k, "");
    let svc = till.service();
    svc.set_enabled(&cli_actor(), id(7), false).unwrap();
    let older = made_at(&office, &k, 2, WallTime(now(&till).0 - HOUR));
    svc.import_bundle(&cli_actor(), &signed(&k, &older))
        .unwrap();
    assert!(
        !svc.operator(id(7)).unwrap().enabled,
        "an older bundle re-enabled 07"
    );
    till.clock.advance(Duration::from_secs(60));
    let newer = made_at(&office, &k, 3, WallTime(now(&till).0 + HOUR));
    svc.import_bundle(&cli_actor(), &signed(&k, &newer))
        .unwrap();
    assert!(
        svc.operator(id(7)).unwrap().enabled,
        "a newer bundle may re-enable"
    );
}

#[test]
fn a_removal_at_the_till_stands_until_a_newer_bundle_adds_the_number() {
    let k = SecretKey::generate().unwrap();
    let office = office();
    let till = shop(&office, &k, "");
    let svc = till.service();
    svc.remove(&cli_actor(), id(7)).unwrap();
    let older = made_at(&office, &k, 2, WallTime(now(&till).0 - HOUR));
    svc.import_bundle(&cli_actor(), &signed(&k, &older))
        .unwrap();
    assert!(
        svc.operator(id(7)).is_err(),
        "an older bundle brought 07 back"
    );
    let newer = made_at(&office, &k, 3, WallTime(now(&till).0 + HOUR));
    svc.import_bundle(&cli_actor(), &signed(&k, &newer))
        .unwrap();
    assert!(svc.operator(id(7)).is_ok());
    // A removal that a newer list agrees with is not kept for ever: the
    // state does not grow with every operator a till ever removed.
    svc.remove(&cli_actor(), id(7)).unwrap();
    till.clock.advance(Duration::from_secs(3 * 3600));
    let mut without = made_at(&office, &k, 4, now(&till));
    without.operators.retain(|o| o.number != id(7));
    svc.import_bundle(&cli_actor(), &signed(&k, &without))
        .unwrap();
    assert!(svc.operator(id(7)).is_err());
    assert!(svc.snapshot().unwrap().unwrap().removed.is_empty());
}

#[test]
fn a_bundle_for_another_shop_is_refused_and_versions_count_per_scope() {
    let k = SecretKey::generate().unwrap();
    let office = office();
    let till = shop(&office, &k, "bundle:\n  scope: shop-3\n");
    let svc = till.service();
    let before = svc.snapshot().unwrap().unwrap().operators;
    let t = now(&till);
    // Shop 4's bundle, newer, signed with the same chain key.
    let mut shop4 = made_at(&office, &k, 900, WallTime(t.0 + HOUR));
    shop4.scope = Some("shop-4".into());
    shop4.operators.retain(|o| o.number != id(7));
    assert!(
        svc.import_bundle(&cli_actor(), &signed(&k, &shop4))
            .is_err()
    );
    // So is a chain-wide one, and one for another till's serial.
    let mut unscoped = shop4.clone();
    unscoped.scope = None;
    assert!(
        svc.import_bundle(&cli_actor(), &signed(&k, &unscoped))
            .is_err()
    );
    let mut other_till = unscoped.clone();
    other_till.serials = vec!["10000000ffffffff".into()];
    assert!(
        svc.import_bundle(&cli_actor(), &signed(&k, &other_till))
            .is_err()
    );
    assert_eq!(svc.snapshot().unwrap().unwrap().operators, before);
    let audit = text(&tillctl(till.path(), &["audit", "--json"], ""));
    assert_eq!(audit.matches("not_for_this_till").count(), 3, "{audit}");
    // Shop 3's own next bundle (version 2 < 900) is not a replay.
    let mut shop3 = made_at(&office, &k, 2, WallTime(t.0 + HOUR));
    shop3.scope = Some("shop-3".into());
    svc.import_bundle(&cli_actor(), &signed(&k, &shop3))
        .unwrap();
    // And one for this till's serial counts in its own stream.
    let mut mine = made_at(&office, &k, 1, WallTime(t.0 + HOUR));
    mine.serials = vec!["10000000a1b2c3d4".into()];
    svc.import_bundle(&cli_actor(), &signed(&k, &mine)).unwrap();
}

#[test]
fn a_reset_by_head_office_wins_over_an_earlier_change_at_the_till_once() {
    let k = SecretKey::generate().unwrap();
    let office = office();
    let till = shop(&office, &k, "");
    let svc = till.service();
    // 07 changes their password at the till.
    let t0 = now(&till);
    let first = svc
        .authenticate(&cli_actor(), id(7), &s("58149362"))
        .unwrap();
    assert!(matches!(first, AuthOutcome::MustChange { .. }), "{first:?}");
    svc.change_password(
        &cli_actor(),
        id(7),
        &s("58149362"),
        &s("61724938"),
        &s("61724938"),
    )
    .unwrap();
    // Head office reset 07 (before that change), and made the bundle after.
    let mut p = made_at(&office, &k, 2, WallTime(t0.0 + HOUR));
    let temp = "40617283";
    for o in &mut p.operators {
        if o.number == id(7) {
            o.hash = till.config.hashing.hash(&s(temp)).unwrap();
            o.password_set = WallTime(t0.0 - HOUR);
            o.must_change = Some(MustChange::Reset);
        }
    }
    svc.import_bundle(&cli_actor(), &signed(&k, &p)).unwrap();
    let o = svc.authenticate(&cli_actor(), id(7), &s(temp)).unwrap();
    assert!(
        matches!(o, AuthOutcome::MustChange { .. }),
        "the reset did not win: {o:?}"
    );
    // 07 changes again; head office's next routine bundle still carries
    // the same reset, and does not take the new password away.
    till.clock.advance(Duration::from_secs(3600 * 2));
    svc.change_password(
        &cli_actor(),
        id(7),
        &s(temp),
        &s("52839471"),
        &s("52839471"),
    )
    .unwrap();
    p.version = 3;
    p.created = WallTime(now(&till).0 + HOUR).rfc3339();
    svc.import_bundle(&cli_actor(), &signed(&k, &p)).unwrap();
    let o = svc
        .authenticate(&cli_actor(), id(7), &s("52839471"))
        .unwrap();
    assert!(
        matches!(o, AuthOutcome::Ok { .. }),
        "the same reset was taken twice: {o:?}"
    );
}

#[test]
fn an_operator_a_bundle_added_goes_with_a_later_bundle_even_if_the_first_came_late() {
    let k = SecretKey::generate().unwrap();
    let office = office();
    // The shop took version 1 (made 10 h ago) only now.
    let till = shop(&office, &k, "");
    let svc = till.service();
    assert!(svc.operator(id(7)).is_ok());
    // Version 2, made an hour ago (after version 1, before the import),
    // no longer has 07.
    let mut p = made_at(&office, &k, 2, WallTime(now(&till).0 - HOUR));
    p.operators.retain(|o| o.number != id(7));
    svc.import_bundle(&cli_actor(), &signed(&k, &p)).unwrap();
    assert!(
        svc.operator(id(7)).is_err(),
        "07 outlived head office's removal"
    );
}

#[test]
fn the_first_bundle_after_an_upgrade_hands_back_no_temporary_password() {
    // Head office still holds 07's first temporary password (it never
    // hears of the change at the till); the till took a bundle before the
    // upgrade, whose stamp has no time.
    let k = SecretKey::generate().unwrap();
    let office = office();
    let till = shop(&office, &k, "");
    let svc = till.service();
    svc.change_password(
        &cli_actor(),
        id(7),
        &s("58149362"),
        &s("61724938"),
        &s("61724938"),
    )
    .unwrap();
    let mut state = svc.snapshot().unwrap().unwrap();
    state.bundle.as_mut().unwrap().made = None;
    for o in state.operators.values_mut() {
        o.bundle_reset = None;
    }
    let text = serde_json::to_string(&state).unwrap();
    assert!(!text.contains("\"made\""), "{text}");
    {
        use till_kiosk::store::Backend;
        let store = till_kiosk::store::FileStore::new(till.path(), till.config.rotation());
        let mut txn = store.lock().unwrap();
        txn.save(&state).unwrap();
    }
    till.clock.advance(Duration::from_secs(60));
    let p = made_at(&office, &k, 2, WallTime(now(&till).0 + HOUR));
    assert!(
        p.operators
            .iter()
            .any(|o| o.number == id(7) && o.must_change.is_some())
    );
    svc.import_bundle(&cli_actor(), &signed(&k, &p)).unwrap();
    let o = svc
        .authenticate(&cli_actor(), id(7), &s("61724938"))
        .unwrap();
    assert!(
        matches!(o, AuthOutcome::Ok { .. }),
        "07's own password was taken away: {o:?}"
    );
}

#[test]
fn an_older_bundle_from_another_stream_does_not_undo_a_newer_one() {
    let k = SecretKey::generate().unwrap();
    let office = office();
    let till = shop(&office, &k, "bundle:\n  scope: shop-3\n");
    let svc = till.service();
    let t = now(&till);
    // Head office disables 07 for shop 3 (made two hours from now)...
    let mut disabled = made_at(&office, &k, 2, WallTime(t.0 + 2 * HOUR));
    disabled.scope = Some("shop-3".into());
    for o in &mut disabled.operators {
        if o.number == id(7) {
            o.enabled = false;
        }
    }
    svc.import_bundle(&cli_actor(), &signed(&k, &disabled))
        .unwrap();
    assert!(!svc.operator(id(7)).unwrap().enabled);
    // ...and a bundle for this till's serial made an hour before that,
    // with 07 still enabled, arrives late: refused, 07 stays disabled.
    let mut late = made_at(&office, &k, 1, WallTime(t.0 + HOUR));
    late.serials = vec!["10000000a1b2c3d4".into()];
    let r = svc.import_bundle(&cli_actor(), &signed(&k, &late));
    assert!(
        format!("{r:?}").contains("OlderThanTaken"),
        "the late bundle: {r:?}"
    );
    assert!(
        !svc.operator(id(7)).unwrap().enabled,
        "an older bundle from another stream re-enabled 07"
    );
    let audit = text(&tillctl(till.path(), &["audit", "--json"], ""));
    assert!(audit.contains("older_than_taken"), "{audit}");
    // One made after the disable, in that stream, may enable 07 again.
    let mut newer = made_at(&office, &k, 2, WallTime(t.0 + 3 * HOUR));
    newer.serials = vec!["10000000a1b2c3d4".into()];
    svc.import_bundle(&cli_actor(), &signed(&k, &newer))
        .unwrap();
    assert!(svc.operator(id(7)).unwrap().enabled);
}
