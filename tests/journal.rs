//! Audit events reach the systemd journal as structured entries, read back
//! with `journalctl -o json` as a chain's collector would see them.
//!
//! Needs a running journal (`/run/systemd/journal/socket`) and
//! `journalctl`: the appliance VM and CI (`.ci/run` starts
//! systemd-journald when none runs) have both; elsewhere the test says
//! why it skips.
mod common;
use common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn journal_ready() -> bool {
    can_run(
        Path::new(till_kiosk::journal::JOURNAL_SOCKET).exists()
            && Command::new("journalctl").arg("--version").output().is_ok(),
        "no systemd journal running here (no /run/systemd/journal/socket or no journalctl)",
    )
}

/// The entries matching `matches`, as JSON objects, waiting up to 10 s for
/// at least `want` (journald writes asynchronously).
fn entries(matches: &[&str], want: usize) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = Command::new("journalctl")
            .args(["-o", "json", "--no-pager", "--all"])
            .args(matches)
            .output()
            .unwrap();
        let found: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        if found.len() >= want || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn tillctl_events_are_structured_journal_entries() {
    if !journal_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A name no other run has used, so the query finds this run only.
    let terminal = format!(
        "jt-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000_000
    );
    let out = tillctl(
        dir.path(),
        &["init", "--name", "Wang Fang", "--terminal-name", &terminal],
        &format!("{ADMIN_PW}\n{ADMIN_PW}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let wrong = "Wrong-Guess-731";
    let out = tillctl(dir.path(), &["auth", "00"], &format!("{wrong}\n"));
    assert!(!out.status.success(), "{}", text(&out));

    let term = format!("TILL_TERMINAL={terminal}");
    let failed = entries(&[&term, "TILL_EVENT=sign_in_failed"], 1);
    assert_eq!(failed.len(), 1, "{failed:#?}");
    let e = &failed[0];
    let f = |name: &str| e[name].as_str().unwrap_or_default().to_owned();
    assert_eq!(f("TILL_KIND"), "sign_in");
    assert_eq!(f("TILL_OUTCOME"), "failed");
    assert_eq!(f("TILL_OPERATOR"), "00");
    assert_eq!(f("SYSLOG_IDENTIFIER"), "tillctl");
    assert_eq!(f("MESSAGE_ID"), "c0cce0ff188dd27fbf7067fe14211a99");
    assert_eq!(f("PRIORITY"), "5");
    assert!(f("TILL_BOOT_SECONDS").parse::<u64>().is_ok(), "{e:#}");
    assert!(f("TILL_DETAIL").contains("tries_left"), "{e:#}");
    assert!(f("MESSAGE").starts_with("Sign-in: Failed (00)"), "{e:#}");

    // Set-up is there too, and no entry of this run holds a password.
    let all = entries(&[&term], 2);
    assert!(all.iter().any(|e| e["TILL_EVENT"] == "init"), "{all:#?}");
    let everything = serde_json::to_string(&all).unwrap();
    assert!(!everything.contains(wrong) && !everything.contains(ADMIN_PW));
}

/// Any local user can send a native-protocol entry with `TILL_*` fields;
/// the queries README documents name fields journald sets itself, so a
/// forged entry sent as `nobody` is not among their answers.
#[test]
fn a_forged_entry_is_not_returned_by_the_documented_queries() {
    if !journal_ready() || !can_run(is_root(), "sending as another user needs root") {
        return;
    }
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let block = readme
        .split("### Audit in the journal")
        .nth(1)
        .and_then(|s| s.split("```sh").nth(1))
        .and_then(|s| s.split("```").next())
        .unwrap()
        .replace("\\\n", " ");
    let queries: Vec<&str> = block
        .lines()
        .filter(|l| l.starts_with("journalctl"))
        .collect();
    assert!(queries.len() >= 3, "{block}");
    for q in &queries {
        assert!(
            q.contains("_SYSTEMD_UNIT=") || q.contains("_UID="),
            "a documented query trusts fields anyone can send: {q}"
        );
        // journald fills _COMM in from /proc after the fact: a tillctl
        // that has exited sends entries without it, and the query misses.
        assert!(!q.contains("_COMM="), "a documented query needs _COMM: {q}");
    }
    // The tillctl query, live: a root tillctl's sign-in is found, a forged
    // one from nobody with the same fields is not.
    let dir = tempfile::tempdir().unwrap();
    let terminal = format!("jf-{}-{}", std::process::id(), rand_ns());
    let out = tillctl(
        dir.path(),
        &["init", "--name", "Wang Fang", "--terminal-name", &terminal],
        &format!("{ADMIN_PW}\n{ADMIN_PW}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !tillctl(dir.path(), &["auth", "00"], "Wrong-Guess-1\n")
            .status
            .success()
    );
    let forged = format!(
        "MESSAGE=Sign-in: Failed (00)\nSYSLOG_IDENTIFIER=tillctl\nTILL_KIND=sign_in\nTILL_OUTCOME=failed\nTILL_OPERATOR=00\nTILL_TERMINAL={terminal}\nTILL_FORGED=1\n"
    );
    let mut child = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "logger",
            "--journald",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(forged.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let term = format!("TILL_TERMINAL={terminal}");
    // The forged entry did reach the journal…
    let planted = entries(&[&term, "TILL_FORGED=1"], 1);
    assert_eq!(
        planted.len(),
        1,
        "the forged entry never arrived: {planted:#?}"
    );
    // …and the documented query does not return it.
    let documented = entries(&[&term, "TILL_KIND=sign_in", "_UID=0"], 1);
    assert_eq!(documented.len(), 1, "{documented:#?}");
    assert!(
        documented.iter().all(|e| e.get("TILL_FORGED").is_none()),
        "{documented:#?}"
    );
}

fn rand_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000_000
}
