//! A simulated clock for tests: only in builds with the `test-hooks`
//! feature, which no packaged build has.

use crate::core::clock::{BootInstant, Clock, WallTime};
use std::path::{Path, PathBuf};

/// The environment variable naming a simulated-clock file (see [`FileClock`]).
pub const FAKE_CLOCK_ENV: &str = "TILL_KIOSK_FAKE_CLOCK";

/// A clock read from a small file, for demonstrating and testing reboots and
/// clock changes with the real binaries. The file holds `key=value` lines:
/// `boot_id`, `since_boot_ms`, `wall_ms`. It gives nobody more power than
/// they already have: using it needs write access to the state directory,
/// and with that one could delete the state outright. Every use is loud.
#[derive(Debug, Clone)]
pub struct FileClock {
    path: PathBuf,
}

impl FileClock {
    /// The clock from `TILL_KIOSK_FAKE_CLOCK`, if set.
    pub fn from_env() -> Option<FileClock> {
        std::env::var_os(FAKE_CLOCK_ENV).map(|p| FileClock { path: p.into() })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> (String, u64, i64) {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        let get = |k: &str| {
            text.lines()
                .filter_map(|l| l.split_once('='))
                .find(|(key, _)| key.trim() == k)
                .map(|(_, v)| v.trim().to_owned())
        };
        (
            get("boot_id").unwrap_or_else(|| "simulated".into()),
            get("since_boot_ms")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            get("wall_ms").and_then(|v| v.parse().ok()).unwrap_or(0),
        )
    }
}

impl Clock for FileClock {
    fn wall(&self) -> WallTime {
        WallTime(self.read().2)
    }
    fn boot(&self) -> BootInstant {
        let (boot_id, since_boot_ms, _) = self.read();
        BootInstant {
            boot_id,
            since_boot_ms,
        }
    }
}
