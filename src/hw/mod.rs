//! Hardware: keys, the keypad, input devices and the buzzer, each behind a
//! trait with a real backend and a mock chosen once at start-up.

pub mod buzzer;
pub mod chord;
pub mod keys;

pub use buzzer::{Beep, Buzzer, LogBuzzer};
pub use keys::{Key, KeyEvent};
