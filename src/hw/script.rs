//! The scripted mock keypad: a Unix socket where a test or a technician
//! writes key names, and the kiosk acts as if they were pressed on the
//! keypad. One command per line:
//!
//! ```text
//! 0 1 3 0 9 4 6 8 1 7 ENTER     press and release each key in turn
//! HOLD F1+0 2s                  hold keys together (the service chord)
//! WAIT 500ms                    pause
//! BADGE 1234567890              a badge read on the mock badge reader
//! FLOOD 100000 7                as a faulty or hostile USB device would:
//!                               that many presses at once, through the
//!                               device path (beyond the key queue, dropped)
//! STATE?                        answer with the screen, who is signed in
//!                               and the message line (after the keys
//!                               before it have been handled, and any
//!                               password check they started)
//! ```
//!
//! Keys typed here wait for room in the UI's key queue, so a fast script
//! slows down rather than floods the UI (see [`crate::hw::queue`]).
//!
//! Each command is answered with `ok`, `error: ...` or, for `STATE?`, one
//! JSON line; a line over 4 KiB is answered with an error and skipped. The
//! socket is mode 0600: whoever may use it may type on the till, exactly
//! like someone at the keypad.

use super::KeySink;
use super::keys::{Key, KeyEvent};
use crate::sys::LineError;
use std::io::{BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// One parsed command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Press and release each key.
    Press(Vec<Key>),
    /// Hold keys together for a while.
    Hold(Vec<Key>, Duration),
    /// Pause.
    Wait(Duration),
    /// Presses of one key, as fast as a device could send them.
    Flood(u32, Key),
    /// A badge read (the mock badge reader).
    Badge(crate::core::Secret),
    /// Report the kiosk's state.
    State,
}

/// Parses one line.
pub fn parse(line: &str) -> Result<Command, String> {
    let mut words = line.split_whitespace();
    let first = words.next().ok_or("empty command")?;
    match first.to_ascii_uppercase().as_str() {
        "STATE?" => Ok(Command::State),
        "BADGE" => {
            let card = words
                .next()
                .filter(|c| c.chars().count() <= super::badge::MAX_CHARS)
                .ok_or("BADGE needs the card's data, like BADGE 1234567890")?;
            Ok(Command::Badge(crate::core::Secret::new(card.to_owned())))
        }
        "FLOOD" => {
            let n = words
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| *n <= 10_000_000)
                .ok_or("FLOOD needs a count up to 10000000 and a key, like FLOOD 1000 7")?;
            let key = words.next().ok_or("FLOOD needs a key, like FLOOD 1000 7")?;
            Ok(Command::Flood(
                n,
                key.parse()
                    .map_err(|e: super::keys::UnknownKey| e.to_string())?,
            ))
        }
        "WAIT" => {
            let d = words
                .next()
                .ok_or("WAIT needs a duration, like WAIT 500ms")?;
            let d = humantime::parse_duration(d).map_err(|e| format!("bad duration {d:?}: {e}"))?;
            Ok(Command::Wait(d.min(Duration::from_secs(60))))
        }
        "HOLD" => {
            let keys = words.next().ok_or("HOLD needs keys, like HOLD F1+0 2s")?;
            let keys = keys
                .split('+')
                .map(|k| k.parse::<Key>().map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            let d = words
                .next()
                .ok_or("HOLD needs a duration, like HOLD F1+0 2s")?;
            let d = humantime::parse_duration(d).map_err(|e| format!("bad duration {d:?}: {e}"))?;
            Ok(Command::Hold(keys, d.min(Duration::from_secs(60))))
        }
        _ => std::iter::once(first)
            .chain(words)
            .map(|k| k.parse::<Key>().map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map(Command::Press),
    }
}

/// The longest command line accepted; far more keys than anyone types.
const MAX_LINE: usize = 4096;

/// Answers `STATE?` (runs on the UI thread; returns a JSON line).
pub type StateQuery = Arc<dyn Fn() -> String + Send + Sync>;

/// Listens on `path` (replacing a stale socket) until the process ends.
/// Where the scripted keypad's keys go: typed keys (`sink`, which waits
/// for room) and `FLOOD`s (`device`, which drops like a real device's).
#[derive(Clone)]
pub struct Sinks {
    /// Typed keys.
    pub sink: KeySink,
    /// Keys sent as a device would.
    pub device: KeySink,
    /// Badge reads.
    pub badge: super::badge::BadgeSink,
}

pub fn listen(path: &Path, sinks: Sinks, query: StateQuery) -> std::io::Result<()> {
    let listener = crate::sys::listen_unix(path, 0o600, None)?;
    tracing::info!("scripted keypad listening on {}", path.display());
    std::thread::Builder::new()
        .name("script-keys".into())
        .spawn(move || {
            for conn in listener.incoming().flatten() {
                let (sinks, query) = (sinks.clone(), query.clone());
                let _ = std::thread::Builder::new()
                    .name("script-conn".into())
                    .spawn(move || serve(conn, &sinks, &query));
            }
        })?;
    Ok(())
}

fn serve(conn: UnixStream, sinks: &Sinks, query: &StateQuery) {
    let Ok(mut out) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    loop {
        let reply = match crate::sys::read_line_bounded(&mut reader, MAX_LINE) {
            Ok(None) | Err(LineError::Io) => return,
            Err(LineError::TooLong) => format!("error: a line is at most {MAX_LINE} bytes"),
            Ok(Some(line)) if line.trim().is_empty() => continue,
            Ok(Some(line)) => match parse(&line) {
                Ok(cmd) => run(&cmd, sinks, query),
                Err(e) => format!("error: {e}"),
            },
        };
        if writeln!(out, "{reply}").is_err() {
            return;
        }
    }
}

/// Carries out one command.
pub fn run(cmd: &Command, sinks: &Sinks, query: &StateQuery) -> String {
    let sink = &sinks.sink;
    match cmd {
        Command::Press(keys) => {
            for k in keys {
                sink(KeyEvent::Down(*k));
                sink(KeyEvent::Up(*k));
            }
            "ok".into()
        }
        Command::Hold(keys, d) => {
            for k in keys {
                sink(KeyEvent::Down(*k));
            }
            std::thread::sleep(*d);
            for k in keys.iter().rev() {
                sink(KeyEvent::Up(*k));
            }
            "ok".into()
        }
        Command::Wait(d) => {
            std::thread::sleep(*d);
            "ok".into()
        }
        Command::Flood(n, k) => {
            for _ in 0..*n {
                (sinks.device)(KeyEvent::Down(*k));
                (sinks.device)(KeyEvent::Up(*k));
            }
            "ok".into()
        }
        Command::Badge(card) => {
            (sinks.badge)(card.clone());
            "ok".into()
        }
        Command::State => query(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_commands() {
        assert_eq!(
            parse("1 2 ENTER"),
            Ok(Command::Press(vec![
                Key::Digit(1),
                Key::Digit(2),
                Key::Enter
            ]))
        );
        assert_eq!(
            parse("HOLD F1+0 2s"),
            Ok(Command::Hold(
                vec![Key::F1, Key::Digit(0)],
                Duration::from_secs(2)
            ))
        );
        assert_eq!(
            parse("wait 500ms"),
            Ok(Command::Wait(Duration::from_millis(500)))
        );
        assert_eq!(parse("STATE?"), Ok(Command::State));
        assert_eq!(parse("FLOOD 3 7"), Ok(Command::Flood(3, Key::Digit(7))));
        assert!(parse("FLOOD 99999999 7").is_err());
        assert!(parse("FLOOD 3").is_err());
        assert!(parse("1 2 LAUNCH").unwrap_err().contains("unknown key"));
        assert!(parse("HOLD F1+0").is_err());
        assert!(parse("").is_err());
    }
}
