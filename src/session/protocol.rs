//! The session API's messages (version 1), as documented in
//! `docs/session-api.md`: JSON, one object per line.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The protocol version this kiosk speaks.
pub const VERSION: u64 = 1;
/// Longest request line accepted, in bytes.
pub const MAX_LINE: usize = 8 * 1024;

/// Who is signed in, as `whoami` and `signed_in` report it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Operator number.
    pub operator: String,
    /// Display name.
    pub name: String,
    /// `operator` or `admin`.
    pub role: String,
    /// When they signed in (RFC 3339, UTC).
    pub since: String,
    /// Signed in, but must change the password before working.
    pub must_change_password: bool,
}

/// A request for a supervisor's approval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalRequest {
    /// What is to be approved (`void`, `refund`, `discount`...).
    pub action: String,
    /// The amount, as the sales program wants it shown.
    pub amount: Option<String>,
    /// Why, in the cashier's words.
    pub reason: Option<String>,
    /// Seconds before it times out.
    pub timeout_s: u64,
    /// Which program asked (for the screen and the audit log).
    pub requester: String,
}

/// How an approval ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApprovalResult {
    /// A supervisor with the right role signed it.
    Approved(SessionInfo),
    /// Refused at the till.
    Denied,
    /// Cancelled (by the program, or the till could not finish it).
    Cancelled,
    /// Nobody answered in time.
    Timeout,
}

impl ApprovalResult {
    /// The reply's `result` word.
    pub fn word(&self) -> &'static str {
        match self {
            ApprovalResult::Approved(_) => "approved",
            ApprovalResult::Denied => "denied",
            ApprovalResult::Cancelled => "cancelled",
            ApprovalResult::Timeout => "timeout",
        }
    }
}

/// A parsed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Who is signed in?
    Whoami,
    /// Send me events.
    Subscribe,
    /// Ask a supervisor.
    Approve(ApprovalRequest),
    /// Cancel my pending approval.
    Cancel,
    /// Sign the current operator out.
    SignOut,
    /// Are you there?
    Ping,
}

/// A request that cannot be served: the error code and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRequest {
    /// Machine-readable code.
    pub code: &'static str,
    /// For people.
    pub message: String,
}

/// A [`BadRequest`] with this code and message.
pub fn bad(code: &'static str, message: impl Into<String>) -> BadRequest {
    BadRequest {
        code,
        message: message.into(),
    }
}

fn text_field(obj: &Value, key: &str, max: usize) -> Result<Option<String>, BadRequest> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        // The supervisor's screen shows it: it must read as it is.
        Some(Value::String(s)) if s.chars().any(crate::core::text::is_hidden) => Err(bad(
            "bad_request",
            format!("{key} holds control, direction, separator or invisible characters"),
        )),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
        Some(_) => Err(bad(
            "bad_request",
            format!("{key} must be a string of at most {max} characters"),
        )),
    }
}

/// `amount`: a string, or a plain decimal number kept as the sales
/// program wrote it (`12.50` stays `12.50`: a parsed number would show
/// `12.5`, not what the customer was told).
fn amount_field(obj: &Value, line: &str) -> Result<Option<String>, BadRequest> {
    if !matches!(obj.get("amount"), Some(Value::Number(_))) {
        return text_field(obj, "amount", 32);
    }
    let not_plain = || {
        bad(
            "bad_request",
            "amount must be a string or a plain decimal number such as 12.50",
        )
    };
    let raw: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_str(line).map_err(|_| not_plain())?;
    let text = raw.get("amount").map(|r| r.get()).ok_or_else(not_plain)?;
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let plain = !whole.is_empty()
        && !frac.is_empty()
        && whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit());
    if plain && text.len() <= 32 {
        Ok(Some(text.to_owned()))
    } else {
        Err(not_plain())
    }
}

/// Parses one line. Returns the request's `id` (echoed in the reply, even
/// for a bad request when it could be read) and the request.
pub fn parse(line: &str, requester: &str) -> (Value, Result<Request, BadRequest>) {
    let obj: Value = match serde_json::from_str(line) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            return (
                Value::Null,
                Err(bad("bad_request", "a request is a JSON object")),
            );
        }
        Err(e) => return (Value::Null, Err(bad("bad_json", format!("not JSON: {e}")))),
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    let req = (|| {
        match obj.get("v").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(v) => {
                return Err(bad(
                    "unsupported_version",
                    format!("this kiosk speaks version {VERSION}, not {v}"),
                ));
            }
            None => return Err(bad("bad_request", "\"v\": 1 is required")),
        }
        let op = obj
            .get("op")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("bad_request", "\"op\" is required"))?;
        Ok(match op {
            "whoami" => Request::Whoami,
            "subscribe" => Request::Subscribe,
            "cancel" => Request::Cancel,
            "sign_out" => Request::SignOut,
            "ping" => Request::Ping,
            "approve" => {
                let action = text_field(&obj, "action", 32)?
                    .ok_or_else(|| bad("bad_request", "approve needs an \"action\""))?;
                if action.is_empty()
                    || !action
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                {
                    return Err(bad(
                        "bad_request",
                        "action is lowercase letters, digits and _ (like void or refund)",
                    ));
                }
                let timeout_s = match obj.get("timeout_s") {
                    None | Some(Value::Null) => 60,
                    Some(v) => v
                        .as_u64()
                        .filter(|t| (1..=600).contains(t))
                        .ok_or_else(|| bad("bad_request", "timeout_s is 1 to 600"))?,
                };
                Request::Approve(ApprovalRequest {
                    action,
                    amount: amount_field(&obj, line)?,
                    reason: text_field(&obj, "reason", 200)?,
                    timeout_s,
                    requester: requester.to_owned(),
                })
            }
            other => {
                return Err(bad(
                    "unknown_op",
                    format!(
                        "unknown op {other:?}: whoami, subscribe, approve, cancel, sign_out or ping"
                    ),
                ));
            }
        })
    })();
    (id, req)
}

/// A success reply with `fields`.
pub fn ok(id: &Value, fields: Value) -> String {
    let mut v = json!({"v": VERSION, "id": id, "ok": true});
    if let (Some(o), Value::Object(f)) = (v.as_object_mut(), fields) {
        o.extend(f);
    }
    v.to_string()
}

/// An error reply.
pub fn error(id: &Value, code: &str, message: &str) -> String {
    json!({"v": VERSION, "id": id, "ok": false, "error": code, "message": message}).to_string()
}

/// An event line.
pub fn event(name: &str, time: &str, fields: Value) -> String {
    let mut v = json!({"v": VERSION, "event": name, "time": time});
    if let (Some(o), Value::Object(f)) = (v.as_object_mut(), fields) {
        o.extend(f);
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_requests_and_keeps_the_id() {
        let (id, r) = parse(r#"{"v":1,"id":7,"op":"whoami"}"#, "p");
        assert_eq!((id, r), (json!(7), Ok(Request::Whoami)));
        let (_, r) = parse(
            r#"{"v":1,"op":"approve","action":"void","amount":12.5,"reason":"wrong item"}"#,
            "p",
        );
        let Ok(Request::Approve(a)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(
            (a.action.as_str(), a.amount.as_deref(), a.timeout_s),
            ("void", Some("12.5"), 60)
        );
    }

    #[test]
    fn bad_requests_say_why() {
        let code = |line: &str| parse(line, "p").1.unwrap_err().code;
        assert_eq!(code("{nope"), "bad_json");
        assert_eq!(code("[1]"), "bad_request");
        assert_eq!(code(r#"{"op":"whoami"}"#), "bad_request");
        assert_eq!(code(r#"{"v":2,"op":"whoami"}"#), "unsupported_version");
        assert_eq!(code(r#"{"v":1,"op":"launch"}"#), "unknown_op");
        assert_eq!(code(r#"{"v":1,"op":"approve"}"#), "bad_request");
        assert_eq!(
            code(r#"{"v":1,"op":"approve","action":"Void!"}"#),
            "bad_request"
        );
        assert_eq!(
            code(r#"{"v":1,"op":"approve","action":"void","timeout_s":0}"#),
            "bad_request"
        );
        assert_eq!(parse(r#"{"v":1,"id":"x","op":"nope"}"#, "p").0, json!("x"));
    }

    #[test]
    fn replies_and_events_carry_the_version() {
        assert_eq!(
            ok(&json!(1), json!({"session": null})),
            r#"{"v":1,"id":1,"ok":true,"session":null}"#
        );
        let e: Value = serde_json::from_str(&error(&json!(4), "bad_json", "x")).unwrap();
        assert_eq!(
            e,
            json!({"v": 1, "id": 4, "ok": false, "error": "bad_json", "message": "x"})
        );
        let ev: Value =
            serde_json::from_str(&event("signed_out", "t", json!({"operator": "01"}))).unwrap();
        assert_eq!(ev["v"], 1, "{ev}");
        assert_eq!(ev["event"], "signed_out");
        assert_eq!(ev["operator"], "01");
    }
}
