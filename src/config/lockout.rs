//! `lockout`, `recovery` and `audit`: the waits after wrong passwords, the
//! recovery code's life, the audit log's rotation.

use super::*;

pub(super) fn mins(m: &[u64]) -> Vec<Dur> {
    m.iter().map(|m| Dur(Duration::from_secs(m * 60))).collect()
}

/// A list of waits: not empty, each at least a second.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Dur>", into = "Vec<Dur>")]
pub struct Waits(pub Vec<Duration>);

impl TryFrom<Vec<Dur>> for Waits {
    type Error = String;
    fn try_from(v: Vec<Dur>) -> Result<Self, String> {
        if v.is_empty() {
            return Err("the list of waits is empty: give at least one, like [1m]".into());
        }
        if let Some(d) = v.iter().find(|d| d.0 < Duration::from_secs(1)) {
            return Err(format!(
                "wait {:?} is shorter than 1s",
                humantime::format_duration(d.0).to_string()
            ));
        }
        Ok(Waits(v.into_iter().map(|d| d.0).collect()))
    }
}

impl From<Waits> for Vec<Dur> {
    fn from(w: Waits) -> Self {
        w.0.into_iter().map(Dur).collect()
    }
}

/// `lockout.operator`: cashiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorLockout {
    /// Wrong passwords in a row before the first wait.
    pub free_tries: u32,
    /// Then these waits, one per further failure; the last repeats.
    pub waits: Waits,
    /// Locked until an admin unlocks after this many in a row (0 = never).
    pub lock_until_admin_after: u32,
}

impl Default for OperatorLockout {
    fn default() -> Self {
        OperatorLockout {
            free_tries: 5,
            waits: Waits(mins(&[1, 5, 15, 30, 60]).into_iter().map(|d| d.0).collect()),
            lock_until_admin_after: 10,
        }
    }
}

/// `lockout.admin`: admins are never locked for good.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminLockout {
    /// Wrong passwords in a row before the first wait.
    pub free_tries: u32,
    /// Then these waits; after the list each wait doubles...
    pub waits: Waits,
    /// ...up to this.
    pub max_wait: Dur,
}

impl Default for AdminLockout {
    fn default() -> Self {
        AdminLockout {
            free_tries: 5,
            waits: OperatorLockout::default().waits,
            max_wait: Dur(Duration::from_secs(24 * 3600)),
        }
    }
}

/// `lockout.terminal`: failures across all operator numbers, as a rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TerminalLockout {
    /// Wrong attempts (any numbers) allowed back to back...
    pub burst: u32,
    /// ...then one more per this interval: after a stranger stops, a
    /// legitimate operator waits at most this long.
    pub every: Dur,
}

impl Default for TerminalLockout {
    fn default() -> Self {
        TerminalLockout {
            burst: 10,
            every: Dur(Duration::from_secs(60)),
        }
    }
}

/// How often powered-on time is written while a wait runs: 1s to 5m.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Dur", into = "Dur")]
pub struct Checkpoint(pub Duration);

impl TryFrom<Dur> for Checkpoint {
    type Error = String;
    fn try_from(d: Dur) -> Result<Self, String> {
        if d.0 < Duration::from_secs(1) || d.0 > Duration::from_secs(300) {
            Err("checkpoint_interval must be between 1s and 5m".into())
        } else {
            Ok(Checkpoint(d.0))
        }
    }
}

impl From<Checkpoint> for Dur {
    fn from(c: Checkpoint) -> Self {
        Dur(c.0)
    }
}

/// `lockout`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct LockoutConfig {
    /// Cashiers.
    pub operator: OperatorLockout,
    /// Admins.
    pub admin: AdminLockout,
    /// The whole terminal.
    pub terminal: TerminalLockout,
    /// Powered-on time checkpoint while a wait runs.
    pub checkpoint_interval: Checkpoint,
}

impl Default for Checkpoint {
    fn default() -> Self {
        Checkpoint(Duration::from_secs(30))
    }
}

/// `recovery`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecoveryConfig {
    /// How long a challenge's response is good for.
    pub code_lifetime: Dur,
    /// Wrong codes in a row before the first wait.
    pub free_tries: u32,
    /// Then these waits, doubling after the list...
    pub waits: Waits,
    /// ...up to this.
    pub max_wait: Dur,
    /// Wrong codes after which a challenge is thrown away.
    pub max_bad_codes_per_challenge: u32,
}

impl Default for RecoveryConfig {
    fn default() -> Self {
        RecoveryConfig {
            code_lifetime: Dur(Duration::from_secs(24 * 3600)),
            free_tries: 3,
            waits: Waits(mins(&[5, 15, 60]).into_iter().map(|d| d.0).collect()),
            max_wait: Dur(Duration::from_secs(24 * 3600)),
            max_bad_codes_per_challenge: 5,
        }
    }
}

/// `audit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Rotate the log when it would grow beyond this many bytes.
    pub max_bytes: u64,
    /// Rotated files to keep.
    pub keep: u32,
    /// Also send each event to the systemd journal as a structured entry
    /// (`TILL_EVENT=`, ...; see `journal`), where one is running.
    pub journal: bool,
}

impl Default for AuditConfig {
    fn default() -> Self {
        let r = AuditRotation::default();
        AuditConfig {
            max_bytes: r.max_bytes,
            keep: r.keep,
            journal: true,
        }
    }
}
