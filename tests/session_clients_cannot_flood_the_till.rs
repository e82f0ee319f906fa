//! A program on the session API can neither cover the till in approval
//! overlays nor flush the audit log: one approval waiting and six a minute
//! per program, refusals audited once with a count, and text that would
//! display differently from what it says is refused.
mod common;
use common::headless::start_with_api;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

struct Conn(BufReader<UnixStream>);

impl Conn {
    fn open(sock: &Path) -> Conn {
        let s = UnixStream::connect(sock).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        Conn(BufReader::new(s))
    }
    fn send(&mut self, req: Value) {
        writeln!(self.0.get_mut(), "{req}").unwrap();
    }
    fn recv(&mut self) -> Value {
        let mut l = String::new();
        self.0.read_line(&mut l).unwrap();
        serde_json::from_str(&l).unwrap_or_else(|e| panic!("{e}: {l:?}"))
    }
}

fn audit_lines(k: &common::headless::Kiosk, outcome: &str) -> usize {
    k.audit()
        .lines()
        .filter(|l| {
            l.contains("\"event\":\"approval_requested\"")
                && l.contains(&format!("\"outcome\":\"{outcome}\""))
        })
        .count()
}

#[test]
fn six_approvals_a_minute_per_program_and_the_rest_audited_once() {
    let (k, sock) = start_with_api("");
    let mut c = Conn::open(&sock);
    for n in 0..6 {
        c.send(json!({"v":1,"id":n,"op":"approve","action":"void"}));
        c.send(json!({"v":1,"id":100 + n,"op":"cancel"}));
        assert_eq!(c.recv()["result"], "cancelled", "approval {n}");
        assert_eq!(c.recv()["cancelled"], true);
    }
    // The seventh within the minute, and fifty more, from two connections.
    let mut d = Conn::open(&sock);
    for n in 0..51 {
        let conn = if n % 2 == 0 { &mut c } else { &mut d };
        conn.send(json!({"v":1,"id":n,"op":"approve","action":"refund"}));
        let r = conn.recv();
        assert_eq!(r["error"], "rate_limited", "{r}");
    }
    k.wait_for_audit(r#""kind":"too_many_approvals","per_minute":6"#);
    assert_eq!(audit_lines(&k, "ok"), 6, "{}", k.audit());
    assert_eq!(audit_lines(&k, "refused"), 1, "coalesced: {}", k.audit());
}

#[test]
fn one_approval_waiting_per_program() {
    let (k, sock) = start_with_api("");
    let mut a = Conn::open(&sock);
    a.send(json!({"v":1,"id":1,"op":"approve","action":"void","timeout_s":30}));
    k.wait_for_audit("approval_requested");
    // The same program on another connection: refused, nothing on screen.
    let mut b = Conn::open(&sock);
    b.send(json!({"v":1,"id":2,"op":"approve","action":"refund"}));
    let r = b.recv();
    assert_eq!(r["error"], "busy", "{r}");
    assert!(
        r["message"].as_str().unwrap().contains("this program"),
        "{r}"
    );
    a.send(json!({"v":1,"id":3,"op":"cancel"}));
    assert_eq!(a.recv()["result"], "cancelled");
}

#[test]
fn text_that_displays_differently_from_what_it_says_is_refused() {
    let (k, sock) = start_with_api("");
    let mut c = Conn::open(&sock);
    for (field, text) in [
        ("reason", "refund \u{202E}05.21"),
        ("reason", "wrong\u{200B}item"),
        ("amount", "12.50\u{2066}"),
        ("amount", "\u{FEFF}99.00"),
        ("reason", "\u{061C}x"),
    ] {
        let mut req = json!({"v":1,"id":1,"op":"approve","action":"void"});
        req[field] = json!(text);
        c.send(req);
        let r = c.recv();
        assert_eq!(r["error"], "bad_request", "{field} {text:?}: {r}");
    }
    assert_eq!(audit_lines(&k, "ok"), 0, "nothing reached the screen");
    // Plain text of any script still goes through.
    c.send(json!({"v":1,"id":2,"op":"approve","action":"void","amount":"¥12.50","reason":"顾客退货 (wrong item)","timeout_s":1}));
    assert_eq!(c.recv()["result"], "timeout");
}
