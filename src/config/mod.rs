//! The YAML config file (`/etc/till-kiosk/config.yaml`).
//!
//! Defaults are compiled in, so a desktop needs no file. Unknown keys are
//! errors (a misspelt `require_persistant_state` must not silently leave
//! the default in force), and every error names the file, line and column.
//! Values are checked while they are parsed (see the `try_from` types), so
//! a value below a floor also gets its line and column.
//!
//! Parsing is pure ([`parse_config`]); reading the file is a thin layer on
//! top ([`load`]). After parsing, [`floors`] refuses settings that would
//! switch security off, again with the line.

pub mod floors;

use crate::core::Lang;
use crate::core::hashing::HashParams;
use crate::core::lockout::{Beyond, Rate, Schedule};
use crate::core::policy::PasswordPolicy;
use crate::core::till::Settings;
use crate::store::AuditRotation;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the packaged config lives.
pub const DEFAULT_CONFIG_PATH: &str = "/etc/till-kiosk/config.yaml";
/// The environment variable that overrides the config path.
pub const CONFIG_ENV: &str = "TILL_KIOSK_CONFIG";
/// The state directory when a config file is in use and names none.
pub const DEFAULT_STATE_DIR: &str = "/var/lib/till-kiosk";

/// A duration written like `30s`, `5m`, `1h 30m` or `24h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dur(pub Duration);

impl Dur {
    /// The longest duration the file takes: a year and a day. Longer ones
    /// are mistakes, and keeping every duration this small means no sum or
    /// product of them in milliseconds can overflow.
    pub const MAX: Duration = Duration::from_secs(366 * 24 * 3600);
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let d = humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!(
                "invalid duration {s:?} ({e}): write it like 30s, 5m or 24h"
            ))
        })?;
        if d > Dur::MAX {
            return Err(serde::de::Error::custom(format!(
                "duration {s:?} is longer than 366d, the longest this file takes"
            )));
        }
        Ok(Dur(d))
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&humantime::format_duration(self.0))
    }
}

fn mins(m: &[u64]) -> Vec<Dur> {
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
}

impl Default for AuditConfig {
    fn default() -> Self {
        let r = AuditRotation::default();
        AuditConfig {
            max_bytes: r.max_bytes,
            keep: r.keep,
        }
    }
}

/// A window size written `800x480`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WindowSize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl TryFrom<String> for WindowSize {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("invalid size {s:?}: write it like 800x480");
        let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
        let (width, height) = (
            w.trim().parse().map_err(|_| bad())?,
            h.trim().parse().map_err(|_| bad())?,
        );
        if !(200..=8192).contains(&width) || !(200..=8192).contains(&height) {
            return Err(format!(
                "size {s:?} is out of range (200 to 8192 pixels a side)"
            ));
        }
        Ok(WindowSize { width, height })
    }
}

impl From<WindowSize> for String {
    fn from(w: WindowSize) -> String {
        format!("{}x{}", w.width, w.height)
    }
}

/// `ui`: the kiosk screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Sign out after this long without a key or touch (0s = never).
    pub idle_sign_out: Dur,
    /// Warn this long before the idle sign-out; any key cancels.
    pub idle_warning: Dur,
    /// Wipe a half-typed sign-in after this long without input.
    pub clear_sign_in_after: Dur,
    /// Window size on a desktop (the Pi's screen is always full).
    pub window_size: WindowSize,
    /// How to draw on DRM/KMS: `auto` (the GPU if a GPU driver is present,
    /// else software), `gpu` or `software`.
    pub renderer: crate::hw::display::RendererChoice,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            idle_sign_out: Dur(Duration::from_secs(15 * 60)),
            idle_warning: Dur(Duration::from_secs(30)),
            clear_sign_in_after: Dur(Duration::from_secs(60)),
            window_size: WindowSize {
                width: 800,
                height: 480,
            },
            renderer: Default::default(),
        }
    }
}

/// Which keypad to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeypadBackend {
    /// No GPIO keypad (a desktop: its keyboard is the mock keypad).
    None,
    /// A matrix keypad on the Pi's GPIO pins.
    Gpio,
}

/// `keypad`: the GPIO matrix keypad.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    default,
    try_from = "RawKeypad",
    into = "RawKeypad"
)]
pub struct KeypadConfig {
    /// Which keypad.
    pub backend: KeypadBackend,
    /// Row pins (BCM), driven.
    pub rows: Vec<u8>,
    /// Column pins (BCM), read with pull-ups.
    pub columns: Vec<u8>,
    /// The key at each position, row by row.
    pub keys: Vec<Vec<crate::hw::Key>>,
    /// Contacts must hold this long.
    pub debounce: Dur,
    /// Scan period while a key is held.
    pub scan_interval: Dur,
    /// Held keys that repeat, after this delay...
    pub repeat_delay: Dur,
    /// ...at this interval.
    pub repeat_interval: Dur,
    /// Which keys repeat when held.
    pub repeat_keys: Vec<crate::hw::Key>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawKeypad {
    backend: KeypadBackend,
    rows: Vec<u8>,
    columns: Vec<u8>,
    keys: Vec<Vec<KeyName>>,
    debounce: Dur,
    scan_interval: Dur,
    repeat_delay: Dur,
    repeat_interval: Dur,
    repeat_keys: Vec<KeyName>,
}

/// A key name in the config (`"1"`, `ENTER`, `F1`...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
struct KeyName(crate::hw::Key);

impl TryFrom<String> for KeyName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
            .map(KeyName)
            .map_err(|e: crate::hw::keys::UnknownKey| e.to_string())
    }
}

impl From<KeyName> for String {
    fn from(k: KeyName) -> String {
        k.0.to_string()
    }
}

impl Default for RawKeypad {
    fn default() -> Self {
        KeypadConfig::default().into()
    }
}

impl From<KeypadConfig> for RawKeypad {
    fn from(k: KeypadConfig) -> Self {
        RawKeypad {
            backend: k.backend,
            rows: k.rows,
            columns: k.columns,
            keys: k
                .keys
                .into_iter()
                .map(|r| r.into_iter().map(KeyName).collect())
                .collect(),
            debounce: k.debounce,
            scan_interval: k.scan_interval,
            repeat_delay: k.repeat_delay,
            repeat_interval: k.repeat_interval,
            repeat_keys: k.repeat_keys.into_iter().map(KeyName).collect(),
        }
    }
}

impl TryFrom<RawKeypad> for KeypadConfig {
    type Error = String;
    fn try_from(r: RawKeypad) -> Result<Self, String> {
        if r.rows.is_empty() || r.columns.is_empty() || r.rows.len() > 8 || r.columns.len() > 8 {
            return Err("keypad needs 1 to 8 rows and 1 to 8 columns".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for &p in r.rows.iter().chain(&r.columns) {
            if p > 27 {
                return Err(format!("BCM pin {p} is not on the 40-pin header (0 to 27)"));
            }
            if !seen.insert(p) {
                return Err(format!("BCM pin {p} is used twice in keypad.rows/columns"));
            }
        }
        if r.keys.len() != r.rows.len() || r.keys.iter().any(|row| row.len() != r.columns.len()) {
            return Err(format!(
                "keypad.keys must have {} rows of {} keys, one per row and column pin",
                r.rows.len(),
                r.columns.len()
            ));
        }
        Ok(KeypadConfig {
            backend: r.backend,
            rows: r.rows,
            columns: r.columns,
            keys: r
                .keys
                .into_iter()
                .map(|row| row.into_iter().map(|k| k.0).collect())
                .collect(),
            debounce: r.debounce,
            scan_interval: r.scan_interval,
            repeat_delay: r.repeat_delay,
            repeat_interval: r.repeat_interval,
            repeat_keys: r.repeat_keys.into_iter().map(|k| k.0).collect(),
        })
    }
}

impl Default for KeypadConfig {
    fn default() -> Self {
        use crate::hw::Key::*;
        let d = |n| Digit(n);
        KeypadConfig {
            backend: KeypadBackend::None,
            rows: vec![5, 6, 13, 19],
            columns: vec![12, 16, 20, 21],
            // A common 4×4 membrane keypad: 1 2 3 A / 4 5 6 B / 7 8 9 C / * 0 # D.
            keys: vec![
                vec![d(1), d(2), d(3), F1],
                vec![d(4), d(5), d(6), F2],
                vec![d(7), d(8), d(9), Clear],
                vec![Cancel, d(0), Backspace, Enter],
            ],
            debounce: Dur(Duration::from_millis(20)),
            scan_interval: Dur(Duration::from_millis(5)),
            repeat_delay: Dur(Duration::from_millis(500)),
            repeat_interval: Dur(Duration::from_millis(100)),
            repeat_keys: vec![Backspace],
        }
    }
}

/// Which buzzer to drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuzzerBackend {
    /// Silent.
    None,
    /// Log each pattern (the desktop mock).
    Mock,
    /// A hardware PWM channel.
    Pwm,
    /// Software PWM on any GPIO pin.
    SoftwarePwm,
}

/// `buzzer`: the receipt piezo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BuzzerConfig {
    /// Which buzzer.
    pub backend: BuzzerBackend,
    /// Hardware PWM channel (0 = BCM 18 with `dtoverlay=pwm,pin=18,func=2`).
    pub pwm_channel: u8,
    /// Pin for software PWM (BCM).
    pub pin: u8,
    /// 0.0 (silent) to 1.0 (loudest): the duty cycle, up to 50 %.
    pub volume: f64,
    /// The tones of each pattern.
    pub patterns: crate::hw::buzzer::Patterns,
    /// The mock rings the terminal bell.
    pub mock_bell: bool,
}

impl Eq for BuzzerConfig {}

impl Default for BuzzerConfig {
    fn default() -> Self {
        BuzzerConfig {
            backend: BuzzerBackend::Mock,
            pwm_channel: 0,
            pin: 18,
            volume: 0.5,
            patterns: Default::default(),
            mock_bell: false,
        }
    }
}

/// `input`: evdev keypads and buttons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    /// Devices: a path (`/dev/input/by-id/...`) or `name:` and part of the device name.
    pub devices: Vec<String>,
    /// Grab them, so their keys reach only the kiosk.
    pub grab: bool,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            devices: Vec::new(),
            grab: true,
        }
    }
}

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
fn at_least_one<'de, D, T>(d: D) -> Result<T, D::Error>
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

/// The whole config file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// State directory; must be on a persistent partition.
    pub state_dir: Option<PathBuf>,
    /// Refuse to run when the state directory would be lost at reboot.
    pub require_persistent_state: bool,
    /// Terminal name before first-boot setup names it.
    pub terminal_name: Option<String>,
    /// Language before anyone picks one.
    pub default_language: Lang,
    /// argon2id cost.
    pub hashing: HashParams,
    /// The password policy (admins may only tighten it).
    pub policy: PasswordPolicy,
    /// Waits after wrong passwords.
    pub lockout: LockoutConfig,
    /// Forgotten admin password.
    pub recovery: RecoveryConfig,
    /// Audit log rotation.
    pub audit: AuditConfig,
    /// The kiosk screen.
    pub ui: UiConfig,
    /// The GPIO matrix keypad.
    pub keypad: KeypadConfig,
    /// The receipt buzzer.
    pub buzzer: BuzzerConfig,
    /// evdev keypads and buttons.
    pub input: InputConfig,
    /// Kiosk mode on the Pi.
    pub kiosk: KioskConfig,
    /// The sales software's socket.
    pub session_api: SessionApiConfig,
}

impl Config {
    /// The core's settings.
    pub fn settings(&self) -> Settings {
        let l = &self.lockout;
        Settings {
            hashing: self.hashing,
            policy: self.policy.clone(),
            operator_lockout: Schedule {
                free_tries: l.operator.free_tries,
                waits: l.operator.waits.0.clone(),
                beyond: Beyond::Repeat,
                until_admin_after: (l.operator.lock_until_admin_after > 0)
                    .then_some(l.operator.lock_until_admin_after),
            },
            admin_lockout: Schedule {
                free_tries: l.admin.free_tries,
                waits: l.admin.waits.0.clone(),
                beyond: Beyond::Double {
                    cap: l.admin.max_wait.0,
                },
                until_admin_after: None,
            },
            terminal_rate: Rate {
                burst: l.terminal.burst,
                every: l.terminal.every.0,
            },
            recovery_lockout: Schedule {
                free_tries: self.recovery.free_tries,
                waits: self.recovery.waits.0.clone(),
                beyond: Beyond::Double {
                    cap: self.recovery.max_wait.0,
                },
                until_admin_after: None,
            },
            recovery_ttl: self.recovery.code_lifetime.0,
            recovery_max_bad_codes: self.recovery.max_bad_codes_per_challenge.max(1),
        }
    }

    /// Audit log rotation.
    pub fn rotation(&self) -> AuditRotation {
        AuditRotation {
            max_bytes: self.audit.max_bytes.max(4096),
            keep: self.audit.keep.max(1),
        }
    }
}

/// Where the config came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file.
    File(PathBuf),
    /// No file: the compiled-in defaults (a desktop).
    BuiltIn,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::BuiltIn => f.write_str("built-in defaults"),
        }
    }
}

/// Walk-through defect 13: the terminal-info screen words the source in
/// the staff's language (a path stays a path).
impl crate::core::Localized for Source {
    fn message(&self, lang: crate::core::Lang) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::BuiltIn => lang.pick("built-in defaults", "内置默认设置"),
        }
    }
}

/// A config and where it came from.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The config.
    pub config: Config,
    /// Its source.
    pub source: Source,
}

impl Loaded {
    /// The state directory: the config's; else `/var/lib/till-kiosk` when a
    /// config file is in use (a packaged till); else, on a desktop with no
    /// config at all, `$XDG_STATE_HOME/till-kiosk` or `~/.local/state/till-kiosk`.
    pub fn state_dir(&self) -> PathBuf {
        if let Some(d) = &self.config.state_dir {
            return d.clone();
        }
        match self.source {
            Source::File(_) => PathBuf::from(DEFAULT_STATE_DIR),
            Source::BuiltIn => desktop_state_dir(),
        }
    }
}

fn desktop_state_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_STATE_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("till-kiosk");
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(h) => PathBuf::from(h).join(".local/state/till-kiosk"),
        None => PathBuf::from(DEFAULT_STATE_DIR),
    }
}

/// A config that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("unable to read config {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was expected.
        message: String,
    },
}

/// Parses config text. `path` is for messages only.
pub fn parse_config(path: &Path, text: &str) -> Result<Config, ConfigError> {
    // A file of nothing but comments is the defaults.
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Config::default());
    }
    let config: Config = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        // serde_yaml appends " at line L column C"; we lead with it instead.
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        ConfigError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    })?;
    floors::check(&config).map_err(|b| {
        let (line, column) = floors::locate(text, &b.path);
        ConfigError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message: format!("{}: {}", b.path.join("."), b.message),
        }
    })?;
    Ok(config)
}

/// Reads and parses a config file.
pub fn read_config(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_config(path, &text)
}

/// Loads the config: `explicit` (from `--config`), else `$TILL_KIOSK_CONFIG`,
/// else `/etc/till-kiosk/config.yaml` if it exists, else the defaults.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let env = std::env::var_os(CONFIG_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    if let Some(path) = explicit.map(Path::to_owned).or(env) {
        return Ok(Loaded {
            config: read_config(&path)?,
            source: Source::File(path),
        });
    }
    let default = Path::new(DEFAULT_CONFIG_PATH);
    if default.exists() {
        return Ok(Loaded {
            config: read_config(default)?,
            source: Source::File(default.to_owned()),
        });
    }
    Ok(Loaded {
        config: Config::default(),
        source: Source::BuiltIn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        parse_config(Path::new("test.yaml"), text)
    }

    fn err(text: &str) -> (usize, usize, String) {
        match parse(text) {
            Err(ConfigError::Invalid {
                line,
                column,
                message,
                ..
            }) => (line, column, message),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn empty_and_comment_only_files_are_the_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
        assert_eq!(parse("# nothing\n\n").unwrap(), Config::default());
    }

    #[test]
    fn defaults_match_the_issue() {
        let s = Config::default().settings();
        assert_eq!(s, Settings::default());
        assert!(!Config::default().require_persistent_state);
    }

    #[test]
    fn unknown_keys_are_errors_with_position() {
        let (line, col, msg) = err("lockout:\n  operator:\n    free_tries: 3\n    free_trys: 4\n");
        assert_eq!((line, col), (4, 5), "{msg}");
        assert!(msg.contains("unknown field `free_trys`"), "{msg}");
    }

    #[test]
    fn hashing_below_the_floor_is_refused_at_its_line() {
        let (line, _, msg) = err(
            "state_dir: /data/till\nhashing:\n  memory_kib: 4096\n  iterations: 2\n  parallelism: 1\n",
        );
        assert_eq!(line, 3, "{msg}");
        assert!(msg.contains("below the OWASP floor"), "{msg}");
    }

    #[test]
    fn session_api_limits_of_zero_are_refused() {
        let (line, _, msg) = err("session_api:\n  queue: 16\n  rate_per_s: 0\n");
        assert_eq!(line, 3, "{msg}");
        assert!(msg.contains("must be at least 1"), "{msg}");
        assert!(parse("session_api:\n  max_connections: 1\n").is_ok());
    }

    #[test]
    fn bad_durations_say_what_is_expected() {
        let (line, _, msg) = err("lockout:\n  operator:\n    waits: [1m, soon]\n");
        assert_eq!(line, 3);
        assert!(msg.contains("write it like 30s, 5m or 24h"), "{msg}");
        let (_, _, msg) = err("lockout:\n  operator:\n    waits: []\n");
        assert!(msg.contains("empty"), "{msg}");
    }

    #[test]
    fn malformed_yaml_gives_line_and_column() {
        // An over-indented key continues the value above it, as YAML says.
        let (line, col, msg) = err("policy:\n  history: 4\n   max_age_days: 90\n");
        assert_eq!((line, col), (2, 12), "{msg}");
        assert!(msg.contains("policy.history: invalid type"), "{msg}");
        let (line, _, msg) = err("policy:\n  history: 4: 5\n");
        assert_eq!(line, 2, "{msg}");
        let (line, _, msg) = err("policy:\n  operator_length: {min: 9, max: 4}\n");
        assert_eq!(line, 2);
        assert!(msg.contains("greater than max"), "{msg}");
    }

    #[test]
    fn wrong_types_are_reported() {
        let (line, _, msg) = err("require_persistent_state: maybe\n");
        assert_eq!(line, 1);
        assert!(msg.contains("bool") || msg.contains("boolean"), "{msg}");
    }

    #[test]
    fn keypad_shape_and_pins_are_checked() {
        let (_, _, msg) = err("keypad:\n  rows: [5, 6]\n  columns: [12, 16]\n");
        assert!(msg.contains("2 rows of 2 keys"), "{msg}");
        let (_, _, msg) =
            err("keypad:\n  rows: [5, 5]\n  columns: [12]\n  keys: [[\"1\"], [\"2\"]]\n");
        assert!(msg.contains("used twice"), "{msg}");
        let (line, _, msg) = err("keypad:\n  rows: [5]\n  columns: [12]\n  keys: [[LAUNCH]]\n");
        assert!(msg.contains("unknown key"), "{msg}");
        assert_eq!(line, 4);
        let ok = parse("keypad:\n  backend: gpio\n  rows: [5]\n  columns: [12, 16]\n  keys: [[ENTER, \"0\"]]\n").unwrap();
        assert_eq!(
            ok.keypad.keys,
            vec![vec![crate::hw::Key::Enter, crate::hw::Key::Digit(0)]]
        );
    }

    #[test]
    fn state_dir_resolution() {
        let file = Loaded {
            config: Config::default(),
            source: Source::File("/etc/till-kiosk/config.yaml".into()),
        };
        assert_eq!(file.state_dir(), PathBuf::from(DEFAULT_STATE_DIR));
        let explicit = Loaded {
            config: Config {
                state_dir: Some("/data/till".into()),
                ..Config::default()
            },
            source: Source::BuiltIn,
        };
        assert_eq!(explicit.state_dir(), PathBuf::from("/data/till"));
    }
}
