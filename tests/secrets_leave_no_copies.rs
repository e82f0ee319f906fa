//! A password or PIN leaves no unwiped copy on the heap: every block this
//! process frees is scanned for the secret's bytes (as typed, lowercased,
//! and as a `Vec<char>` holds it). Typing key by key, the policy checks,
//! the blocklist, hashing, signing in, changing a password and reading one
//! from standard input all run under the scan.
//!
//! One test in this file: the scan is process-wide, so nothing else may run
//! beside it.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The secrets looked for (their first six characters are distinctive
/// enough to appear nowhere else).
const ADMIN: &str = "Zq8Marker#7741kV";
const PIN: &str = "73915486";

struct Scanning;

static ARMED: AtomicBool = AtomicBool::new(false);
static FOUND: AtomicUsize = AtomicUsize::new(0);

fn utf32(s: &str) -> Vec<u8> {
    s.chars().flat_map(|c| (c as u32).to_ne_bytes()).collect()
}

/// The byte patterns, built before arming (the scan itself must not allocate).
static PATTERNS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    // memchr is built optimised even in test builds (Cargo.toml): argon2
    // frees 19 MiB blocks, each scanned here.
    memchr::memmem::find(hay, needle).is_some()
}

unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst)
            && let Some(patterns) = PATTERNS.get()
        {
            // SAFETY: the block is still ours until System.dealloc below.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if patterns.iter().any(|p| contains(block, p)) {
                FOUND.fetch_add(1, Ordering::SeqCst);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
    // realloc is GlobalAlloc's default: alloc, copy, dealloc, so a buffer
    // grown away from is scanned too.
}

#[global_allocator]
static GLOBAL: Scanning = Scanning;

mod common;
use common::*;
use till_kiosk::core::policy::{Candidate, PasswordPolicy};
use till_kiosk::core::{Role, Secret};

/// Runs `f` with the scan armed; returns how many freed blocks held a secret.
fn scanned(what: &str, f: impl FnOnce()) -> usize {
    FOUND.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    f();
    ARMED.store(false, Ordering::SeqCst);
    let n = FOUND.load(Ordering::SeqCst);
    eprintln!("{what}: {n} freed blocks held a secret");
    n
}

fn typed(text: &str) -> Secret {
    let mut s = Secret::default();
    for c in text.chars() {
        s.push(c);
    }
    s
}

#[test]
fn no_freed_block_holds_a_secret() {
    // The first six characters are enough: a buffer a string grew out of
    // holds only the start of the secret. Six bytes of random data match
    // one by chance about once in 2^48 places.
    PATTERNS
        .set(
            [ADMIN, PIN]
                .iter()
                .map(|s| &s[..6])
                .flat_map(|s| {
                    [
                        s.as_bytes().to_vec(),
                        s.to_lowercase().into_bytes(),
                        utf32(s),
                    ]
                })
                .collect(),
        )
        .unwrap();
    let mut leaks = Vec::new();
    let mut check = |what: &str, f: &mut dyn FnMut()| {
        if scanned(what, f) > 0 {
            leaks.push(what.to_owned());
        }
    };

    check("typing key by key", &mut || {
        drop(typed(ADMIN));
        drop(typed(PIN));
    });

    let policy = PasswordPolicy::default();
    check("the policy check and checklist", &mut || {
        let pw = typed(ADMIN);
        let c = Candidate {
            password: &pw,
            id: id(0),
            name: "Wang Fang",
            role: Role::Admin,
        };
        let _ = policy.check(&c);
        let _ = policy.checklist(&c);
        let pin = typed(PIN);
        let c = Candidate {
            password: &pin,
            id: id(1),
            name: "Li Wei",
            role: Role::Operator,
        };
        let _ = policy.check(&c);
        let _ = policy.checklist(&c);
    });

    check("the blocklist", &mut || {
        let pw = typed(ADMIN);
        let _ = till_kiosk::core::blocklist::contains(pw.expose());
    });

    let till = Till::new();
    let svc = till.set_up();
    check(
        "setting, signing in with and changing passwords",
        &mut || {
            let (pin, admin) = (typed(PIN), typed(ADMIN));
            svc.add_operator(
                &cli_actor(),
                id(7),
                "Zhao Lei",
                Role::Operator,
                Some(typed("51839264")),
            )
            .unwrap();
            let _ = svc.authenticate(&cli_actor(), id(7), &pin);
            svc.change_password(&cli_actor(), id(7), &typed("51839264"), &pin, &pin)
                .unwrap();
            assert!(
                svc.authenticate(&cli_actor(), id(7), &pin)
                    .unwrap()
                    .signed_in()
            );
            let _ = svc.authenticate(&cli_actor(), id(0), &admin);
        },
    );

    check("reading a password line from standard input", &mut || {
        // Built in place: the test's own input must not leave copies either.
        let mut input = zeroize::Zeroizing::new(Vec::with_capacity(64));
        for part in [PIN, "\n", ADMIN, "\n"] {
            input.extend_from_slice(part.as_bytes());
        }
        let mut r = &input[..];
        let a = till_kiosk::sys::read_secret_line(&mut r, 1024)
            .unwrap()
            .unwrap();
        let b = till_kiosk::sys::read_secret_line(&mut r, 1024)
            .unwrap()
            .unwrap();
        assert_eq!((a.expose(), b.expose()), (PIN, ADMIN));
    });

    #[cfg(feature = "ui")]
    check("typing into the kiosk's sign-in form", &mut || {
        use till_kiosk::hw::{Key, LogBuzzer};
        let mut k = till_kiosk::ui::controller::Kiosk::new(
            till.service(),
            std::sync::Arc::new(LogBuzzer::new(false)),
            Default::default(),
            Default::default(),
            None,
        );
        for c in "07".chars().chain(PIN.chars()) {
            k.key(Key::Digit(c.to_digit(10).unwrap() as u8));
        }
        k.key(Key::Enter);
        k.wait_check();
        assert!(k.session().is_some(), "{:?}", k.view().message);
        k.sign_out();
        drop(k);
    });

    assert!(leaks.is_empty(), "unwiped copies of a secret in: {leaks:?}");
}
