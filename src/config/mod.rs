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

mod devices;
mod duration;
mod fleet;
pub mod floors;
mod lockout;
mod session;

pub use devices::*;
pub use duration::*;
pub use fleet::*;
pub use lockout::*;
pub use session::*;

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
    /// The Prometheus textfile.
    pub metrics: MetricsConfig,
    /// Operator bundles.
    pub bundle: BundleConfig,
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
