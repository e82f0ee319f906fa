//! The pure core: operators, password policy, lockout, recovery, audit
//! events. No files, no Slint, no GPIO; time comes in through
//! [`clock::Clock`]. Both front ends (the kiosk UI and `tillctl`) reach it
//! through [`crate::service`].

pub mod audit;
pub mod blocklist;
pub mod bundle;
pub mod clock;
pub mod guessing;
pub mod hashing;
pub mod i18n;
pub mod lockout;
pub mod operator;
pub mod policy;
pub mod power;
pub mod recovery;
pub mod secret;
pub mod state;
pub mod text;
pub mod throttle;
pub mod till;
#[cfg(feature = "test-hooks")]
pub mod trace;

/// Bytes as lower-case hex digits (ids, digests, keys in files).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(2 * bytes.len());
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

pub use audit::{
    Actor, ApprovalEnd, AuditDetail, AuditEvent, AuditRecord, EventKind, Outcome, SignOutReason,
};
pub use clock::{BootInstant, Clock, FakeClock, WallTime};
pub use i18n::{Lang, Localized};
pub use operator::{MustChange, Operator, OperatorId, Role};
pub use policy::{PasswordPolicy, Rejection};
pub use secret::Secret;
pub use state::TillState;
pub use till::{AuthOutcome, Now, OperatorStatus, OperatorView, Settings, Till, TillError};
