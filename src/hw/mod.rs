//! Hardware: the keypad, input devices and the buzzer, each behind a trait
//! with a real backend and a mock. Which one runs is chosen once at
//! start-up from the config by [`crate::devices::start`]; nothing here
//! knows the config file.
//!
//! Anything that cannot be opened (bad wiring, missing permission, not a
//! Pi) is logged with the pin or device and the fix, and the till carries
//! on with what works: touch alone is enough to sign in.

pub mod backlight;
pub mod badge;
pub mod buzzer;
pub mod chord;
pub mod display;
pub mod escape;
pub mod evdev_input;
pub mod keypad;
pub mod keys;
pub mod queue;
pub mod script;

pub use buzzer::{Beep, Buzzer, LogBuzzer};
pub use keys::{Key, KeyEvent};

use std::sync::Arc;

/// Where keys from hardware threads go (the UI posts them to its thread).
pub type KeySink = Arc<dyn Fn(KeyEvent) + Send + Sync>;
