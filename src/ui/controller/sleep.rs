//! The screen that sleeps: on the sign-in screen, after
//! `ui.screen_off_after` without a key or touch, the backlight dims for the
//! last 30 s and then goes off (a screen with no backlight to drive is
//! blanked to black instead). The first touch or key afterwards only wakes
//! it: it never reaches a button or a field, so a cleaner's cloth or a
//! customer's elbow cannot type into the sign-in form of a dark screen.

use super::*;
use crate::hw::backlight::{Backlight, Level};

/// How long the screen stays dimmed before it goes off.
const DIM_FOR_MS: u64 = 30_000;

/// The level for `idle_ms` without input, when sleeping is allowed at
/// all (`eligible`) and `off_ms` is the configured time (0: never).
pub(super) fn wanted(off_ms: u64, idle_ms: u64, eligible: bool) -> Level {
    if !eligible || off_ms == 0 {
        Level::Full
    } else if idle_ms >= off_ms {
        Level::Off
    } else if idle_ms + DIM_FOR_MS.min(off_ms / 2) >= off_ms {
        Level::Dim
    } else {
        Level::Full
    }
}

/// The backlight and what it was last set to.
#[derive(Debug)]
pub(super) struct ScreenSleep {
    pub(super) backlight: Arc<dyn Backlight>,
    pub(super) level: Level,
}

impl Default for ScreenSleep {
    fn default() -> Self {
        ScreenSleep {
            backlight: Arc::new(crate::hw::backlight::NoBacklight::default()),
            level: Level::Full,
        }
    }
}

impl Kiosk {
    /// Drives `backlight` from now on.
    pub fn set_backlight(&mut self, backlight: Arc<dyn Backlight>) {
        self.sleep.backlight = backlight;
    }

    /// Once a second, from the tick.
    pub(super) fn sleep_tick(&mut self, idle_ms: u64) {
        let eligible = self.session.is_none()
            && self.screen == Screen::SignIn
            && self.approval.is_none()
            && !self.is_checking();
        let level = wanted(
            self.ui.screen_off_after.0.as_millis() as u64,
            idle_ms,
            eligible,
        );
        self.set_level(level);
    }

    fn set_level(&mut self, level: Level) {
        if self.sleep.level == level {
            return;
        }
        self.sleep.level = level;
        tracing::debug!("screen: {level:?}");
        if let Err(e) = self.sleep.backlight.set(level) {
            // The picture is blanked anyway; say it once per change.
            tracing::warn!("{e}");
        }
    }

    /// A touch or key: if the screen sleeps, it wakes, and the input is
    /// used up (the caller drops it). Returns whether it was.
    pub fn wake(&mut self) -> bool {
        self.touch();
        if self.sleep.level == Level::Full {
            return false;
        }
        self.set_level(Level::Full);
        true
    }

    /// For the view: whether a touch now only wakes, and how dark the
    /// picture's black cover is, in percent.
    pub(super) fn sleep_view(&self) -> (bool, u8) {
        match self.sleep.level {
            Level::Full => (false, 0),
            // A real backlight dims the panel; without one, the picture does.
            Level::Dim if self.sleep.backlight.is_real() => (true, 0),
            Level::Dim => (true, 70),
            Level::Off => (true, 100),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dims_for_the_last_30_s_then_goes_off_only_when_allowed() {
        let off = 300_000;
        assert_eq!(wanted(off, 0, true), Level::Full);
        assert_eq!(wanted(off, 269_999, true), Level::Full);
        assert_eq!(wanted(off, 270_000, true), Level::Dim);
        assert_eq!(wanted(off, 300_000, true), Level::Off);
        assert_eq!(wanted(off, 900_000, false), Level::Full);
        assert_eq!(wanted(0, 900_000, true), Level::Full);
        // A short time dims for its second half.
        assert_eq!(wanted(10_000, 5_000, true), Level::Dim);
    }
}
