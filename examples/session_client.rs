//! A sales program's view of the kiosk: who is signed in, then every event.
//!
//! ```sh
//! cargo run --example session_client -- /run/till-kiosk/session.sock
//! ```
//!
//! Only the standard library and serde_json: the protocol is JSON lines on
//! a Unix socket (see docs/session-api.md).

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/run/till-kiosk/session.sock".into());
    let stream = UnixStream::connect(&path)?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream).lines();

    writeln!(out, "{}", json!({"v": 1, "id": 1, "op": "whoami"}))?;
    let reply: Value = serde_json::from_str(&lines.next().unwrap_or(Ok("null".into()))?)?;
    match &reply["session"] {
        Value::Null => println!("nobody is signed in"),
        s => println!("signed in: {} {} ({})", s["operator"], s["name"], s["role"]),
    }

    writeln!(out, "{}", json!({"v": 1, "id": 2, "op": "subscribe"}))?;
    for line in lines {
        let msg: Value = serde_json::from_str(&line?)?;
        match msg["event"].as_str() {
            Some("signed_in") => println!(
                "{} signed in: {} {}",
                msg["time"], msg["operator"], msg["name"]
            ),
            Some("signed_out") => println!(
                "{} signed out: {} ({})",
                msg["time"], msg["operator"], msg["reason"]
            ),
            Some(other) => println!("{} {other}: {msg}", msg["time"]),
            None => {} // replies to our requests
        }
    }
    Ok(())
}
