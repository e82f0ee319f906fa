//! The session API against the real kiosk (headless), driven at the till
//! through the scripted keypad. Includes a replay of every exchange in
//! docs/session-api.md, exactly as written.

mod common;
use common::headless::{ADMIN_PIN, CASHIER_PIN, Kiosk, spaced, start_with_api, wait_until};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

struct Conn(BufReader<UnixStream>);

impl Conn {
    fn open(sock: &Path) -> Conn {
        let s = UnixStream::connect(sock).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        Conn(BufReader::new(s))
    }
    fn send(&mut self, line: &str) {
        writeln!(self.0.get_mut(), "{line}").unwrap();
    }
    fn recv(&mut self) -> Value {
        let mut l = String::new();
        self.0.read_line(&mut l).unwrap();
        serde_json::from_str(&l).unwrap_or_else(|e| panic!("{e}: {l:?}"))
    }
    fn ask(&mut self, req: Value) -> Value {
        self.send(&req.to_string());
        self.recv()
    }
}

/// `got` matches `want` except for the values of "time" and "since".
fn same_shape(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            w.len() == g.len()
                && w.iter().all(|(k, wv)| match g.get(k) {
                    Some(gv) if k == "time" || k == "since" => gv.is_string(),
                    Some(gv) => same_shape(wv, gv),
                    None => false,
                })
        }
        _ => want == got,
    }
}

/// `{ui: {idle_sign_out: 5s}}` as top-level YAML lines for the config.
fn config_lines(flow: &str) -> Vec<String> {
    let v: serde_yaml::Value =
        serde_yaml::from_str(flow).unwrap_or_else(|e| panic!("bad # config: in the doc: {e}"));
    let serde_yaml::Value::Mapping(m) = v else {
        panic!("# config: is a mapping")
    };
    m.iter()
        .map(|(k, v)| {
            format!(
                "{}: {}\n",
                k.as_str().unwrap(),
                serde_json::to_string(v).unwrap()
            )
        })
        .collect()
}

fn pin_keys(n: &str, pin: &str) -> String {
    format!("{} {} ENTER", spaced(n), spaced(pin))
}

#[test]
fn the_documented_exchanges_work_exactly_as_written() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/session-api.md"))
            .unwrap();
    let mut blocks = Vec::new();
    let mut cur: Option<(String, Vec<String>)> = None;
    for line in doc.lines() {
        if let Some(kind) = line.strip_prefix("```") {
            match cur.take() {
                Some(b) => blocks.push(b),
                None => cur = Some((kind.to_owned(), Vec::new())),
            }
        } else if let Some((_, lines)) = cur.as_mut() {
            lines.push(line.to_owned());
        }
    }
    let socat = std::process::Command::new("socat")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    let mut replayed = 0;
    for (kind, lines) in blocks {
        match kind.as_str() {
            "text" if lines.iter().any(|l| l.starts_with("> ")) => {
                // `# config: {yaml}` lines are settings the example needs.
                let extra: String = lines
                    .iter()
                    .filter_map(|l| l.strip_prefix("# config: "))
                    .flat_map(config_lines)
                    .collect();
                let (mut k, sock) = start_with_api(&extra);
                let mut c = Conn::open(&sock);
                for l in &lines {
                    // Shown if the test fails: where in the doc it stopped.
                    eprintln!("doc: {l}");
                    if let Some(req) = l.strip_prefix("> ") {
                        c.send(req);
                        // Nobody at the till types before the request shows.
                        if req.contains(r#""op":"approve""#) {
                            wait_for_overlay(&mut k);
                        }
                    } else if let Some(want) = l.strip_prefix("< ") {
                        let want: Value = serde_json::from_str(want)
                            .unwrap_or_else(|e| panic!("bad JSON in the doc: {e}: {want}"));
                        let got = c.recv();
                        assert!(
                            same_shape(&want, &got),
                            "doc says\n  {want}\nkiosk said\n  {got}"
                        );
                    } else if let Some(keys) = l.strip_prefix("# at the till: ") {
                        assert_eq!(k.send(keys), "ok", "{keys}");
                    }
                }
                replayed += 1;
            }
            "sh" => {
                let cmd = lines[0].strip_prefix("$ ").expect("a $ command");
                let want: Value = serde_json::from_str(&lines[1]).unwrap();
                let (_k, sock) = start_with_api("");
                let got = if socat {
                    let out = std::process::Command::new("sh")
                        .arg("-c")
                        .arg(cmd.replace("/run/till-kiosk/session.sock", sock.to_str().unwrap()))
                        .output()
                        .unwrap();
                    String::from_utf8_lossy(&out.stdout).trim().to_owned()
                } else {
                    eprintln!("socat is not installed: sending the same bytes directly");
                    let req = cmd.split('\'').nth(1).unwrap().trim_end_matches("\\n");
                    Conn::open(&sock)
                        .ask(serde_json::from_str(req).unwrap())
                        .to_string()
                };
                let got: Value =
                    serde_json::from_str(&got).unwrap_or_else(|e| panic!("{e}: {got:?}"));
                assert!(
                    same_shape(&want, &got),
                    "{cmd}\ndoc says {want}\nkiosk said {got}"
                );
                replayed += 1;
            }
            _ => {}
        }
    }
    assert!(replayed >= 10, "only {replayed} exchanges found in the doc");
}

#[test]
fn events_arrive_in_order() {
    let (mut k, sock) = start_with_api("");
    let mut c = Conn::open(&sock);
    assert_eq!(
        c.ask(json!({"v":1,"id":1,"op":"whoami"}))["session"],
        Value::Null
    );
    assert_eq!(
        c.ask(json!({"v":1,"id":2,"op":"subscribe"}))["subscribed"],
        true
    );
    // F2 switches language on the sign-in screen; then 01 signs in.
    k.send("F2");
    k.send(&pin_keys("01", CASHIER_PIN));
    let who = Conn::open(&sock).ask(json!({"v":1,"id":1,"op":"whoami"}));
    assert_eq!(who["session"]["operator"], "01");
    let names: Vec<String> = (0..2)
        .map(|_| c.recv()["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["language_changed", "signed_in"]);
    assert_eq!(
        Conn::open(&sock).ask(json!({"v":1,"op":"sign_out"}))["signed_out"],
        "01"
    );
    let e = c.recv();
    assert_eq!(
        (e["event"].as_str(), e["reason"].as_str()),
        (Some("signed_out"), Some("api"))
    );
}

/// Waits until the till shows the approval request over its screen.
fn wait_for_overlay(k: &mut Kiosk) {
    wait_until(
        Duration::from_secs(10),
        || !k.state()["approval"].is_null(),
        || "the approval never showed".to_owned(),
    );
}

#[test]
fn approval_goes_over_the_screen_and_gives_it_back() {
    let (mut k, sock) =
        start_with_api("  approvers:\n    default: [admin]\n    discount: [operator, admin]\n");
    // A cashier is half-way through typing their number.
    k.send("0 1");
    let mut c = Conn::open(&sock);
    // A cashier may approve a discount (config), not a void (default).
    c.send(
        r#"{"v":1,"id":1,"op":"approve","action":"void","amount":"12.50","reason":"wrong item"}"#,
    );
    wait_for_overlay(&mut k);
    assert_eq!(k.state()["approval"], "void");
    k.send(&pin_keys("01", CASHIER_PIN));
    let m = k.state()["message"].as_str().unwrap().to_owned();
    assert!(m.contains("may not approve"), "{m}");
    k.send(&format!("CLEAR UP CLEAR {}", pin_keys("00", ADMIN_PIN)));
    let r = c.recv();
    assert_eq!(
        (r["id"].clone(), r["result"].clone()),
        (json!(1), json!("approved"))
    );
    assert_eq!(
        r["by"],
        json!({"operator": "00", "name": "Wang Fang", "role": "admin"})
    );
    // The sign-in screen is back as it was (approving signed nobody in):
    // the cashier types the rest and is signed in.
    let st = k.state();
    assert!(
        st["approval"].is_null() && st["who"].as_str().unwrap_or("").is_empty(),
        "{st}"
    );
    k.send(&format!("{} ENTER", spaced(CASHIER_PIN)));
    assert!(k.state()["who"].as_str().unwrap().contains("Li Wei"));
    c.send(r#"{"v":1,"id":2,"op":"approve","action":"discount","amount":"5%"}"#);
    wait_for_overlay(&mut k);
    k.send(&pin_keys("01", CASHIER_PIN));
    assert_eq!(c.recv()["by"]["operator"], "01");
    c.send(r#"{"v":1,"id":3,"op":"approve","action":"refund"}"#);
    wait_for_overlay(&mut k);
    k.send("CANCEL");
    assert_eq!(c.recv()["result"], "denied");
    // Requests, outcomes and approvers are audited; the PINs never are.
    // The program hears its result first and the line follows (see
    // Kiosk::finish_approval), so wait for the last one.
    k.wait_for_audit(r#""action":"refund","end":"denied""#);
    let audit = k.audit();
    for want in [
        "approval_requested",
        r#""action":"void","amount":"12.50","reason":"wrong item""#,
        "\"subject\":\"00\",\"event\":\"approval_result\"",
        r#""action":"discount","amount":"5%","end":"approved""#,
        r#""action":"refund","end":"denied""#,
    ] {
        assert!(audit.contains(want), "{want} not in\n{audit}");
    }
    assert!(!audit.contains(ADMIN_PIN) && !audit.contains(CASHIER_PIN));
}

#[test]
fn a_program_that_disconnects_cancels_its_approval() {
    let (k, sock) = start_with_api("");
    let mut a = Conn::open(&sock);
    a.send(r#"{"v":1,"id":1,"op":"approve","action":"void"}"#);
    // Wait until the request is on the till's screen.
    k.wait_for_audit("approval_requested");
    let mut b = Conn::open(&sock);
    assert_eq!(
        b.ask(json!({"v":1,"id":1,"op":"approve","action":"refund","timeout_s":1}))["error"],
        "busy"
    );
    drop(a);
    k.wait_for_audit(r#""end":"withdrawn""#);
    // The till is free for the next request.
    assert_eq!(
        b.ask(json!({"v":1,"id":2,"op":"approve","action":"refund","timeout_s":1}))["result"],
        "timeout"
    );
}

#[test]
fn the_lockout_applies_to_approval_attempts() {
    let (mut k, sock) = start_with_api("");
    let mut events = Conn::open(&sock);
    assert_eq!(
        events.ask(json!({"v":1,"op":"subscribe"}))["subscribed"],
        true
    );
    let mut c = Conn::open(&sock);
    c.send(r#"{"v":1,"id":1,"op":"approve","action":"void","timeout_s":30}"#);
    // Make sure the overlay is up before typing.
    k.wait_for_audit("approval_requested");
    for _ in 0..5 {
        k.send(&format!("CLEAR UP CLEAR {}", pin_keys("00", "11112222")));
    }
    let m = k.state()["message"].as_str().unwrap().to_owned();
    assert!(m.contains("Try again in 1:00"), "{m}");
    // Now even the right password is refused, and the request stays open.
    k.send(&format!("CLEAR UP CLEAR {}", pin_keys("00", ADMIN_PIN)));
    assert!(
        k.state()["message"]
            .as_str()
            .unwrap()
            .contains("Try again in")
    );
    c.send(r#"{"v":1,"id":2,"op":"cancel"}"#);
    assert_eq!(c.recv()["result"], "cancelled");
    // The sales software heard the supervisor's lockout as it happened.
    let e = events.recv();
    assert_eq!(
        (&e["event"], &e["operator"], &e["seconds"]),
        (&json!("locked"), &json!("00"), &json!(60)),
        "{e}"
    );
    assert!(
        k.audit()
            .contains("\"subject\":\"00\",\"event\":\"sign_in\",\"outcome\":\"failed\"")
    );
}

#[test]
fn a_refused_peer_gets_forbidden_and_is_audited() {
    if !common::can_run(
        common::is_root(),
        "connecting as another user needs root (the credential check itself is unit-tested in session::server)",
    ) {
        return;
    }
    let (k, sock) = start_with_api("");
    // Let "nobody" reach the socket: only the peer-credential check stands.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(k.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .args(["session", "whoami", "--socket"])
        .arg(&sock)
        .uid(65534)
        .gid(65534)
        .env_remove("TILL_KIOSK_CONFIG")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("uid 65534 may not use the session API"),
        "{text}"
    );
    assert_ne!(out.status.code(), Some(0));
    k.wait_for_audit("\"event\":\"peer_refused\"");
    assert!(k.audit().contains("peer(uid 65534)"));
}

use std::os::unix::process::CommandExt;

#[test]
fn malformed_input_gets_an_error_and_the_connection_stays() {
    let (_k, sock) = start_with_api("");
    let mut c = Conn::open(&sock);
    c.send("{\"v\":1,");
    assert_eq!(c.recv()["error"], "bad_json");
    c.send(&"x".repeat(200_000));
    assert_eq!(c.recv()["error"], "line_too_long");
    c.send("\u{0}\u{1}garbage\u{7f}");
    assert_eq!(c.recv()["error"], "bad_json");
    c.send(r#"{"v":1,"id":9,"op":"approve","action":"void","amount":{"x":1}}"#);
    let e = c.recv();
    assert_eq!(
        (e["id"].clone(), e["error"].clone()),
        (json!(9), json!("bad_request"))
    );
    assert_eq!(c.ask(json!({"v":1,"id":10,"op":"ping"}))["pong"], true);
}

/// Sends `n` language changes at the till and times how long `reader`
/// takes to receive them all.
fn burst(k: &mut Kiosk, reader: Conn, n: usize) -> (Conn, Duration) {
    let counter = std::thread::spawn(move || {
        let mut reader = reader;
        let start = Instant::now();
        for _ in 0..n {
            assert_eq!(reader.recv()["event"], "language_changed");
        }
        (reader, start.elapsed())
    });
    for _ in 0..n / 100 {
        assert_eq!(k.send(&vec!["F2"; 100].join(" ")), "ok");
    }
    counter.join().unwrap()
}

#[test]
fn a_stalled_client_does_not_delay_events_to_another() {
    let (mut k, sock) = start_with_api("  queue: 16\n");
    let mut reader = Conn::open(&sock);
    assert_eq!(
        reader.ask(json!({"v":1,"op":"subscribe"}))["subscribed"],
        true
    );
    // Enough events to fill a stalled client's socket buffer and queue:
    // first with nobody stalled, as the yardstick...
    let n = 3000;
    let (reader, alone) = burst(&mut k, reader, n);
    // ...then with a client that subscribes and never reads.
    let mut stalled = Conn::open(&sock);
    assert_eq!(
        stalled.ask(json!({"v":1,"op":"subscribe"}))["subscribed"],
        true
    );
    let (_reader, beside) = burst(&mut k, reader, n);
    eprintln!("{n} events: {alone:?} alone, {beside:?} beside a stalled client");
    assert!(
        beside < alone * 3 + Duration::from_secs(2),
        "the stalled client slowed the other: {beside:?} against {alone:?}"
    );
    // The stalled client was cut off: what was buffered, then a real end
    // of file (a read that times out instead fails here: a server that
    // silently stopped writing to it would have left it hanging).
    let mut got = 0;
    let mut line = String::new();
    loop {
        line.clear();
        match stalled.0.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => got += 1,
            Err(e) => panic!("no end of file after {got} lines: {e}"),
        }
    }
    assert!(got < n, "the stalled client was not dropped ({got} lines)");
}

#[test]
fn connection_and_rate_limits() {
    let (_k, sock) = start_with_api("  max_connections: 2\n  rate_per_s: 5\n");
    let mut a = Conn::open(&sock);
    let _b = Conn::open(&sock);
    assert_eq!(a.ask(json!({"v":1,"op":"ping"}))["pong"], true);
    let mut c = Conn::open(&sock);
    assert_eq!(c.recv()["error"], "too_many_connections");
    for _ in 0..10 {
        a.send(r#"{"v":1,"op":"ping"}"#);
    }
    let replies: Vec<Value> = (0..10).map(|_| a.recv()).collect();
    assert!(
        replies.iter().any(|r| r["error"] == "rate_limited"),
        "{replies:?}"
    );
    assert!(replies.iter().filter(|r| r["ok"] == true).count() >= 4);
}

/// `tillctl session ...` against the kiosk at `sock`, started (not waited).
fn tillctl_session(sock: &Path, args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .arg("session")
        .args(args)
        .arg("--socket")
        .arg(sock)
        .env_remove("TILL_KIOSK_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn the_ready_made_tillctl_clients() {
    let (mut k, sock) = start_with_api("");
    // watch prints each event as it happens.
    let mut watch = tillctl_session(&sock, &["watch"]);
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    // It says so on stderr once it is subscribed.
    let mut said = String::new();
    BufReader::new(watch.stderr.take().unwrap())
        .read_line(&mut said)
        .unwrap();
    assert!(said.starts_with("watching"), "{said}");
    // approve: approved is exit 0 and says by whom.
    let approve = tillctl_session(
        &sock,
        &[
            "approve",
            "--action",
            "void",
            "--amount",
            "12.50",
            "--reason",
            "wrong item",
        ],
    );
    wait_for_overlay(&mut k);
    k.send(&pin_keys("00", ADMIN_PIN));
    let out = approve.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "approved by 00 Wang Fang"
    );
    // Denied at the till is exit 20.
    let deny = tillctl_session(&sock, &["approve", "--action", "refund"]);
    wait_for_overlay(&mut k);
    k.send("CANCEL");
    let out = deny.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(20));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "denied");
    // whoami and sign-out, and what watch saw.
    k.send(&pin_keys("01", CASHIER_PIN));
    let who = tillctl_session(&sock, &["whoami"])
        .wait_with_output()
        .unwrap();
    let who = String::from_utf8_lossy(&who.stdout).to_string();
    assert!(who.starts_with("01 Li Wei (operator)"), "{who}");
    let out = tillctl_session(&sock, &["sign-out"])
        .wait_with_output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "signed out 01");
    let mut next = || lines.next().unwrap().unwrap();
    let (a, b) = (next(), next());
    assert!(a.contains("signed_in") && a.contains("operator=01"), "{a}");
    assert!(b.contains("signed_out") && b.contains("reason=api"), "{b}");
    let _ = watch.kill();
    let _ = watch.wait();
}
