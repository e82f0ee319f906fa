//! `ui`, `keypad`, `buzzer` and `input`: the window and the devices.

use super::*;

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
    /// On the sign-in screen, switch the screen off after this long
    /// without a key or touch, dimming it for the last 30 s (0s = never).
    pub screen_off_after: Dur,
    /// Which backlight to switch: `auto` (the first in
    /// /sys/class/backlight, if any), `none` (blank the picture only), or
    /// a directory such as `/sys/class/backlight/10-0045`.
    pub backlight: BacklightChoice,
    /// The backlight's brightness in use, in the panel's own units (up to
    /// its `max_brightness`); unset means the maximum. Set here, not left
    /// in sysfs: what a start finds there may be the dark or dimmed level
    /// an earlier run left behind.
    pub brightness: Option<u32>,
}

/// `ui.backlight`. The built-in default is `none` (a desktop's own
/// screen is not the kiosk's to switch off); the packaged config says
/// `auto`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum BacklightChoice {
    /// The first in /sys/class/backlight, else none.
    Auto,
    /// Blank the picture only.
    #[default]
    None,
    /// This directory.
    Path(PathBuf),
}

impl From<String> for BacklightChoice {
    fn from(s: String) -> Self {
        match s.as_str() {
            "auto" => BacklightChoice::Auto,
            "none" => BacklightChoice::None,
            _ => BacklightChoice::Path(PathBuf::from(s)),
        }
    }
}

impl From<BacklightChoice> for String {
    fn from(c: BacklightChoice) -> String {
        match c {
            BacklightChoice::Auto => "auto".into(),
            BacklightChoice::None => "none".into(),
            BacklightChoice::Path(p) => p.display().to_string(),
        }
    }
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
            screen_off_after: Dur(Duration::from_secs(5 * 60)),
            backlight: BacklightChoice::None,
            brightness: None,
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
pub(super) struct RawKeypad {
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
pub(super) struct KeyName(crate::hw::Key);

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
    /// Badge readers that type like a keyboard (same forms as `devices`);
    /// always grabbed: a card's data must never reach a form.
    pub badge_readers: Vec<String>,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            devices: Vec::new(),
            grab: true,
            badge_readers: Vec::new(),
        }
    }
}
