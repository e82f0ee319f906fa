//! A small client for the session API: what `tillctl session` uses, and
//! an example of talking to the kiosk from a sales program.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;

/// A connection to the kiosk.
#[derive(Debug)]
pub struct Client {
    conn: BufReader<UnixStream>,
    next: u64,
    /// Events that arrived while waiting for a reply.
    pub backlog: Vec<Value>,
}

impl Client {
    /// Connects to the socket at `path`.
    pub fn connect(path: &Path) -> std::io::Result<Client> {
        Ok(Client {
            conn: BufReader::new(UnixStream::connect(path)?),
            next: 1,
            backlog: Vec::new(),
        })
    }

    /// Sends `op` (with `fields`) and waits for its reply; events that come
    /// first are kept in [`backlog`](Client::backlog).
    pub fn request(&mut self, op: &str, fields: Value) -> std::io::Result<Value> {
        let id = self.next;
        self.next += 1;
        let mut req = json!({"v": 1, "id": id, "op": op});
        if let (Some(o), Value::Object(f)) = (req.as_object_mut(), fields) {
            o.extend(f);
        }
        if let Err(e) = writeln!(self.conn.get_mut(), "{req}") {
            // The kiosk may have turned us away (a refused peer, too many
            // connections) and closed before our request went out: its
            // reason is still waiting to be read, and says more than EPIPE.
            return match self.next_message() {
                Ok(Some(v)) if v.get("error").is_some() => Ok(v),
                _ => Err(e),
            };
        }
        loop {
            let v = self
                .next_message()?
                .ok_or_else(|| std::io::Error::other("the kiosk closed the connection"))?;
            if v.get("event").is_some() {
                self.backlog.push(v);
            } else if v.get("id") == Some(&json!(id)) || v.get("id") == Some(&Value::Null) {
                return Ok(v);
            }
        }
    }

    /// The next line from the kiosk (`None` when it closes).
    pub fn next_message(&mut self) -> std::io::Result<Option<Value>> {
        if !self.backlog.is_empty() {
            return Ok(Some(self.backlog.remove(0)));
        }
        let mut line = String::new();
        if self.conn.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        serde_json::from_str(&line)
            .map(Some)
            .map_err(std::io::Error::other)
    }
}
