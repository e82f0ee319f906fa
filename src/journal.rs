//! Every audit event also goes to the systemd journal, as a structured
//! entry a chain's own tools can collect.
//!
//! The JSON-lines audit file stays the till's own record; the journal is
//! the copy that leaves the till: `journalctl -u till-kiosk
//! TILL_EVENT=sign_in_failed` on the till, and `systemd-journal-upload`,
//! Vector or Promtail to a chain's collector, with no code of ours on the
//! other side. Entries go over journald's native protocol (datagrams to
//! `/run/systemd/journal/socket`, no libsystemd): one `sendmsg` per event,
//! never blocking, and a missing journal (a desktop, a container) is not an
//! error: the audit file already has the event.
//!
//! The fields (documented in the README's "Audit in the journal"):
//! `MESSAGE` (English), `MESSAGE_ID` (stable per `TILL_EVENT`),
//! `PRIORITY`, `SYSLOG_IDENTIFIER`, `TILL_EVENT` (`sign_in`,
//! `sign_in_failed`, ...), `TILL_KIND`, `TILL_OUTCOME`, `TILL_ACTOR`,
//! `TILL_OPERATOR` (when the event is about an operator number),
//! `TILL_SUBJECT`, `TILL_TERMINAL`, `TILL_BOOT_SECONDS`, `TILL_DETAIL`
//! (the typed detail as JSON). None can hold a secret: an
//! [`AuditRecord`] has no field for one.

use crate::core::audit::{AuditRecord, EventKind, Outcome, wire_name};
use crate::core::i18n::{Lang, Localized};
use crate::core::operator::OperatorId;
use sha2::{Digest, Sha256};
use std::io;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Where journald listens for native-protocol datagrams.
pub const JOURNAL_SOCKET: &str = "/run/systemd/journal/socket";

/// Longest value sent for a free-text field (a program's approval reason,
/// a 0.1 detail): a datagram must stay well under the socket's limit.
const MAX_VALUE: usize = 2048;

/// What receives each audit record after it is in the audit file (the
/// journal, the metrics). Called with the store's lock held, so it must
/// not block: a full or absent receiver drops the copy, never the event.
pub trait AuditSink: Send + Sync {
    /// One batch of records, as written, and the terminal's name.
    fn audited(&self, records: &[AuditRecord], terminal: &str);
}

/// The journal's end of the audit log.
#[derive(Debug)]
pub struct Journal {
    socket: UnixDatagram,
    path: PathBuf,
    identifier: String,
    warned: AtomicBool,
}

impl Journal {
    /// A journal writer that names itself `identifier` (`till-kiosk`,
    /// `tillctl`) and sends to `path` (normally [`JOURNAL_SOCKET`]).
    pub fn new(path: impl Into<PathBuf>, identifier: &str) -> io::Result<Journal> {
        let socket = UnixDatagram::unbound()?;
        socket.set_nonblocking(true)?;
        Ok(Journal {
            socket,
            path: path.into(),
            identifier: identifier.to_owned(),
            warned: AtomicBool::new(false),
        })
    }

    /// Sends one entry.
    pub fn send(&self, fields: &[(&str, String)]) -> io::Result<()> {
        self.socket.send_to(&encode(fields), &self.path).map(drop)
    }

    /// Where it sends.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl AuditSink for Journal {
    fn audited(&self, records: &[AuditRecord], terminal: &str) {
        for r in records {
            if let Err(e) = self.send(&entry(r, terminal, &self.identifier)) {
                // No journal here (a desktop, a container) or it is full:
                // the audit file has the event; say so once, not per event.
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::info!(
                        "audit events are not copied to the journal ({}): {e}",
                        self.path.display()
                    );
                }
            }
        }
    }
}

/// `TILL_EVENT`: the kind, with the outcome appended unless it is `ok`
/// (`sign_in`, `sign_in_failed`, `sign_in_locked`, `operator_added`).
pub fn event_name(kind: EventKind, outcome: Outcome) -> String {
    let kind = wire_name(&kind);
    match outcome {
        Outcome::Ok => kind,
        other => format!("{kind}_{}", wire_name(&other)),
    }
}

/// `MESSAGE_ID` for a `TILL_EVENT`: the first 128 bits of SHA-256 of
/// `till-kiosk/` and the name, in the 32 hex digits journald expects.
/// Stable as long as the name is (and the names are the audit file's own
/// format, which never changes meaning).
pub fn message_id(event: &str) -> String {
    let digest = Sha256::digest(format!("till-kiosk/{event}").as_bytes());
    crate::core::hex(&digest[..16])
}

/// syslog priority: errors 3, refusals and failures 5 (notice), the rest 6.
fn priority(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Error => "3",
        Outcome::Failed | Outcome::Locked | Outcome::Refused => "5",
        Outcome::Ok => "6",
    }
}

/// The journal fields for one record.
pub fn entry(r: &AuditRecord, terminal: &str, identifier: &str) -> Vec<(&'static str, String)> {
    let event = event_name(r.event, r.outcome);
    let mut message = format!(
        "{}: {}",
        r.event.message(Lang::En),
        r.outcome.message(Lang::En)
    );
    if let Some(s) = &r.subject {
        message.push_str(&format!(" ({s})"));
    }
    if let Some(d) = &r.detail {
        message.push_str(&format!(": {}", d.message(Lang::En)));
    }
    let mut f = vec![
        ("MESSAGE", clip(message)),
        ("MESSAGE_ID", message_id(&event)),
        ("PRIORITY", priority(r.outcome).to_owned()),
        ("SYSLOG_IDENTIFIER", identifier.to_owned()),
        ("TILL_EVENT", event),
        ("TILL_KIND", wire_name(&r.event)),
        ("TILL_OUTCOME", wire_name(&r.outcome)),
        ("TILL_ACTOR", clip(r.actor.to_string())),
        ("TILL_TERMINAL", clip(terminal.to_owned())),
        ("TILL_BOOT_SECONDS", r.boot_secs.to_string()),
        ("TILL_WALL_TIME", r.time.clone()),
    ];
    if let Some(s) = &r.subject {
        if let Ok(id) = s.parse::<OperatorId>() {
            f.push(("TILL_OPERATOR", id.to_string()));
        }
        f.push(("TILL_SUBJECT", clip(s.clone())));
    }
    if let Some(d) = &r.detail {
        f.push((
            "TILL_DETAIL",
            clip(serde_json::to_string(d).unwrap_or_default()),
        ));
    }
    f
}

fn clip(mut s: String) -> String {
    if s.len() > MAX_VALUE {
        let mut at = MAX_VALUE;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
    }
    s
}

/// The native protocol: `NAME=value\n`, or for a value with a newline
/// `NAME\n`, its length as 64-bit little-endian, the bytes and `\n`.
pub fn encode(fields: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    for (name, value) in fields {
        out.extend_from_slice(name.as_bytes());
        if value.contains('\n') {
            out.push(b'\n');
            out.extend_from_slice(&(value.len() as u64).to_le_bytes());
        } else {
            out.push(b'=');
        }
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out
}

/// Reads a native-protocol datagram back into fields (the tests' and the
/// bench's fake journal).
pub fn decode(mut data: &[u8]) -> Option<Vec<(String, String)>> {
    let mut fields = Vec::new();
    while !data.is_empty() {
        let nl = data.iter().position(|&b| b == b'\n')?;
        let line = &data[..nl];
        if let Some(eq) = line.iter().position(|&b| b == b'=') {
            fields.push((
                String::from_utf8(line[..eq].to_vec()).ok()?,
                String::from_utf8(line[eq + 1..].to_vec()).ok()?,
            ));
            data = &data[nl + 1..];
        } else {
            let name = String::from_utf8(line.to_vec()).ok()?;
            let rest = &data[nl + 1..];
            let len = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?) as usize;
            let value = rest.get(8..8 + len)?;
            if rest.get(8 + len) != Some(&b'\n') {
                return None;
            }
            fields.push((name, String::from_utf8(value.to_vec()).ok()?));
            data = &rest[9 + len..];
        }
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::audit::{Actor, AuditDetail, AuditEvent};
    use crate::core::clock::{BootInstant, WallTime};
    use crate::core::lockout::Penalty;

    fn failed_sign_in() -> AuditRecord {
        AuditEvent::new(
            EventKind::SignIn,
            &Actor::Kiosk,
            Some("07".into()),
            Outcome::Failed,
        )
        .detail(AuditDetail::Wrong {
            penalty: Penalty::TriesLeft { tries_left: 2 },
            disabled_operator: false,
            badge_missing: false,
            unknown_badge: false,
        })
        .stamp(
            WallTime(0),
            &BootInstant {
                boot_id: "b".into(),
                since_boot_ms: 61_500,
            },
        )
    }

    fn field<'a>(f: &'a [(&str, String)], name: &str) -> &'a str {
        &f.iter().find(|(n, _)| *n == name).unwrap().1
    }

    #[test]
    fn a_failed_sign_in_has_its_fields() {
        let f = entry(&failed_sign_in(), "Shop 3 till 2", "till-kiosk");
        assert_eq!(field(&f, "TILL_EVENT"), "sign_in_failed");
        assert_eq!(field(&f, "TILL_KIND"), "sign_in");
        assert_eq!(field(&f, "TILL_OUTCOME"), "failed");
        assert_eq!(field(&f, "TILL_OPERATOR"), "07");
        assert_eq!(field(&f, "TILL_TERMINAL"), "Shop 3 till 2");
        assert_eq!(field(&f, "TILL_BOOT_SECONDS"), "61");
        assert_eq!(field(&f, "PRIORITY"), "5");
        assert_eq!(
            field(&f, "TILL_DETAIL"),
            r#"{"kind":"wrong","penalty":{"lock":"tries_left","tries_left":2}}"#
        );
        assert!(field(&f, "MESSAGE").starts_with("Sign-in: Failed (07)"));
    }

    #[test]
    fn message_ids_are_pinned() {
        // A changed id would split a chain's saved queries and catalogs:
        // these two are written down in the README.
        assert_eq!(message_id("sign_in"), "fe835716cdadb744d0c07c5bb38563f1");
        assert_eq!(
            message_id("sign_in_failed"),
            "c0cce0ff188dd27fbf7067fe14211a99"
        );
    }

    #[test]
    fn encoding_reads_back_with_and_without_newlines() {
        let fields = vec![
            ("MESSAGE", "two\nlines".to_owned()),
            ("TILL_EVENT", "sign_in".to_owned()),
            ("EMPTY", String::new()),
        ];
        let back = decode(&encode(&fields)).unwrap();
        let want: Vec<_> = fields
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        assert_eq!(back, want);
    }

    #[test]
    fn long_values_are_clipped_on_a_character() {
        let s = clip("中".repeat(MAX_VALUE));
        assert!(s.len() <= MAX_VALUE && s.chars().all(|c| c == '中'));
    }

    #[test]
    fn entries_arrive_at_a_socket_and_a_missing_one_is_quiet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let fake = UnixDatagram::bind(&path).unwrap();
        let j = Journal::new(&path, "till-kiosk").unwrap();
        j.audited(&[failed_sign_in()], "T");
        let mut buf = vec![0u8; 65536];
        let n = fake.recv(&mut buf).unwrap();
        let got = decode(&buf[..n]).unwrap();
        assert!(got.contains(&("TILL_EVENT".into(), "sign_in_failed".into())));
        assert!(got.contains(&("SYSLOG_IDENTIFIER".into(), "till-kiosk".into())));
        let gone = Journal::new(dir.path().join("none"), "x").unwrap();
        gone.audited(&[failed_sign_in()], "T");
        assert!(gone.warned.load(Ordering::Relaxed));
    }
}
