//! The screen's backlight: full, dimmed, or off while the till sleeps.
//!
//! The Pi's official displays (the 7" Touch Display and Touch Display 2,
//! and most DSI panels) expose `/sys/class/backlight/<name>/` with
//! `brightness`, `max_brightness` and usually `bl_power`; the packaged udev
//! rule gives group `video` write access to them. A screen with no
//! backlight there (HDMI monitors) has [`NoBacklight`]; the kiosk then
//! blanks its own picture to black instead. Both report what they did
//! so the tests can read it back.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How bright the screen should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Level {
    /// In use.
    #[default]
    Full,
    /// About to switch off: a tenth of full brightness.
    Dim,
    /// Off (the picture is blanked too).
    Off,
}

/// A backlight control failed.
#[derive(Debug, thiserror::Error)]
#[error("backlight {path}: {source}")]
pub struct BacklightError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// The one backlight trait: real (sysfs) or none.
pub trait Backlight: Send + Sync + std::fmt::Debug {
    /// Sets the level.
    fn set(&self, level: Level) -> Result<(), BacklightError>;
    /// Whether a real backlight is driven (else the kiosk blanks to black).
    fn is_real(&self) -> bool;
}

/// `/sys/class/backlight/<name>/`.
#[derive(Debug)]
pub struct SysfsBacklight {
    dir: PathBuf,
    /// The brightness in use: the configured one, or the maximum. Never
    /// what a start found, which may be the 0 or the dimmed level an
    /// earlier run left when it stopped with the screen asleep.
    full: u32,
    max: u32,
}

fn read_u32(path: &Path) -> Result<u32, BacklightError> {
    let err = |source| BacklightError {
        path: path.to_owned(),
        source,
    };
    std::fs::read_to_string(path)
        .map_err(err)?
        .trim()
        .parse()
        .map_err(|e| err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

impl SysfsBacklight {
    /// The backlight in `dir` (one entry of `/sys/class/backlight`), at
    /// `brightness` when in use (the maximum if `None`; clamped to it).
    pub fn open(dir: &Path, brightness: Option<u32>) -> Result<SysfsBacklight, BacklightError> {
        let max = read_u32(&dir.join("max_brightness"))?.max(1);
        Ok(SysfsBacklight {
            dir: dir.to_owned(),
            full: brightness.unwrap_or(max).clamp(1, max),
            max,
        })
    }

    /// The first backlight under `class` (normally `/sys/class/backlight`).
    pub fn find(class: &Path) -> Option<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(class)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .collect();
        dirs.sort();
        dirs.into_iter().next()
    }

    fn write(&self, file: &str, value: u32) -> Result<(), BacklightError> {
        let path = self.dir.join(file);
        std::fs::write(&path, format!("{value}\n"))
            .map_err(|source| BacklightError { path, source })
    }
}

impl Backlight for SysfsBacklight {
    fn set(&self, level: Level) -> Result<(), BacklightError> {
        let has_power = self.dir.join("bl_power").exists();
        match level {
            Level::Full => {
                if has_power {
                    self.write("bl_power", 0)?;
                }
                self.write("brightness", self.full)
            }
            Level::Dim => self.write("brightness", (self.full / 10).clamp(1, self.max)),
            Level::Off => {
                self.write("brightness", 0)?;
                // 4: FB_BLANK_POWERDOWN, the panel's light fully off.
                if has_power {
                    self.write("bl_power", 4)?;
                }
                Ok(())
            }
        }
    }

    fn is_real(&self) -> bool {
        true
    }
}

/// No backlight to drive (an HDMI monitor, a desktop): remembers the
/// level so tests can read it; the kiosk blanks its picture itself.
#[derive(Debug, Default)]
pub struct NoBacklight {
    level: Mutex<Level>,
}

impl NoBacklight {
    /// The level last set.
    pub fn level(&self) -> Level {
        self.level.lock().map(|l| *l).unwrap_or_default()
    }
}

impl Backlight for NoBacklight {
    fn set(&self, level: Level) -> Result<(), BacklightError> {
        if let Ok(mut l) = self.level.lock() {
            *l = level;
        }
        Ok(())
    }

    fn is_real(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(brightness: u32) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("max_brightness"), "255\n").unwrap();
        std::fs::write(d.path().join("brightness"), format!("{brightness}\n")).unwrap();
        std::fs::write(d.path().join("bl_power"), "0\n").unwrap();
        d
    }

    fn read(d: &Path, f: &str) -> String {
        std::fs::read_to_string(d.join(f))
            .unwrap()
            .trim()
            .to_owned()
    }

    #[test]
    fn dims_switches_off_and_comes_back_to_the_configured_brightness() {
        let d = fake(20);
        let b = SysfsBacklight::open(d.path(), Some(200)).unwrap();
        b.set(Level::Dim).unwrap();
        assert_eq!(read(d.path(), "brightness"), "20");
        b.set(Level::Off).unwrap();
        assert_eq!(
            (
                read(d.path(), "brightness").as_str(),
                read(d.path(), "bl_power").as_str()
            ),
            ("0", "4")
        );
        b.set(Level::Full).unwrap();
        assert_eq!(
            (
                read(d.path(), "brightness").as_str(),
                read(d.path(), "bl_power").as_str()
            ),
            ("200", "0")
        );
    }

    #[test]
    fn a_dark_panel_at_start_comes_back_at_full_and_junk_is_an_error() {
        let d = fake(0);
        SysfsBacklight::open(d.path(), None)
            .unwrap()
            .set(Level::Full)
            .unwrap();
        assert_eq!(read(d.path(), "brightness"), "255");
        std::fs::write(d.path().join("max_brightness"), "lots\n").unwrap();
        assert!(SysfsBacklight::open(d.path(), None).is_err());
        assert!(SysfsBacklight::open(&d.path().join("none"), None).is_err());
    }
}
