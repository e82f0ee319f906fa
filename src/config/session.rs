//! `kiosk` and `session_api`: the Pi's kiosk behaviour and the socket the
//! sales software talks to.

use super::*;

/// `kiosk`: how the app behaves as the Pi's kiosk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// Switch this console's keyboard off (`/dev/tty1` on the Pi), so keys
    /// typed for the kiosk do not also reach the text console.
    pub console: Option<PathBuf>,
    /// A Unix socket for the scripted mock keypad (tests, technicians).
    pub script_socket: Option<PathBuf>,
}

/// `session_api`: the socket the sales software talks to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionApiConfig {
    /// The socket; none = no session API.
    pub socket: Option<PathBuf>,
    /// Group of the socket (mode 0660).
    pub group: Option<String>,
    /// Users (names or uids) allowed besides root and the kiosk's user.
    pub allowed_users: Vec<String>,
    /// Groups (names or gids) whose members are allowed.
    pub allowed_groups: Vec<String>,
    /// Most clients at once.
    #[serde(deserialize_with = "at_least_one")]
    pub max_connections: usize,
    /// Replies and events queued per client before it counts as stalled.
    #[serde(deserialize_with = "at_least_one")]
    pub queue: usize,
    /// Requests a second per client.
    #[serde(deserialize_with = "at_least_one")]
    pub rate_per_s: u32,
    /// Roles allowed to approve each action; `default` for the others.
    pub approvers: std::collections::BTreeMap<String, Vec<crate::core::Role>>,
}

/// A count where 0 would quietly switch the feature off (every request
/// rate-limited, every client refused): refused at its line instead. (The
/// check runs inside the visitor so the error points at the number.)
pub(super) fn at_least_one<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number, at least 1")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u64, E> {
            if v == 0 {
                return Err(E::custom("must be at least 1 (0 would switch it off)"));
            }
            Ok(v)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v)
                .map_err(|_| E::custom("must be at least 1"))
                .and_then(|v| self.visit_u64(v))
        }
    }
    let v = d.deserialize_u64(V)?;
    T::try_from(v).map_err(|_| serde::de::Error::custom("too large"))
}

impl Default for SessionApiConfig {
    fn default() -> Self {
        SessionApiConfig {
            socket: None,
            group: None,
            allowed_users: Vec::new(),
            allowed_groups: Vec::new(),
            max_connections: 16,
            queue: 256,
            rate_per_s: 50,
            approvers: [("default".to_owned(), vec![crate::core::Role::Admin])]
                .into_iter()
                .collect(),
        }
    }
}

impl SessionApiConfig {
    /// Roles that may approve `action`.
    pub fn approvers_for(&self, action: &str) -> Vec<crate::core::Role> {
        self.approvers
            .get(action)
            .or_else(|| self.approvers.get("default"))
            .cloned()
            .unwrap_or_else(|| vec![crate::core::Role::Admin])
    }
}
