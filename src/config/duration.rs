//! `Dur`: a duration as people write it in the config (`30s`, `5m`, `1h 30m`).

use super::*;

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
