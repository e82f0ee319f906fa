//! The two languages the till speaks, for messages produced in Rust.
//!
//! The Slint UI translates its own strings with `@tr()` and bundled gettext
//! catalogues; messages that the core produces are worded here, one English
//! and one Chinese wording per typed fact, so `tillctl` and the UI say the
//! same thing: [`audit`] for the audit log's facts, [`till`] for sign-in
//! outcomes, refusals and operator states.

pub mod audit;
pub mod till;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user-interface language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese (简体中文).
    Zh,
}

impl Lang {
    /// All languages, in the order the language picker shows them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The short code used in config, CLI arguments and the state file.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The gettext locale of the bundled Slint translation ("" = source strings).
    pub fn locale(self) -> &'static str {
        match self {
            Lang::En => "",
            Lang::Zh => "zh_CN",
        }
    }

    /// The language's name written in itself, for the picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
        }
    }

    /// Picks the English or Chinese text.
    pub fn pick(self, en: impl Into<String>, zh: impl Into<String>) -> String {
        match self {
            Lang::En => en.into(),
            Lang::Zh => zh.into(),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error for an unknown language code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown language {0:?}: expected en or zh")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "en" | "en_us" | "en_gb" | "english" => Ok(Lang::En),
            "zh" | "zh_cn" | "zh-cn" | "zh_hans" | "chinese" => Ok(Lang::Zh),
            _ => Err(UnknownLang(s.to_owned())),
        }
    }
}

/// Something that can be said to a user in either language.
pub trait Localized {
    /// The message in `lang`.
    fn message(&self, lang: Lang) -> String;
}

/// Formats a number of seconds as a wait a person reads: "45 s", "4:32",
/// "2 h 05 min".
pub fn format_wait(secs: u64, lang: Lang) -> String {
    if secs >= 3600 {
        let (h, m) = (secs / 3600, (secs % 3600).div_ceil(60));
        let (h, m) = if m == 60 { (h + 1, 0) } else { (h, m) };
        lang.pick(format!("{h} h {m:02} min"), format!("{h} 小时 {m:02} 分"))
    } else if secs >= 60 {
        format!("{}:{:02}", secs / 60, secs % 60)
    } else {
        lang.pick(format!("{secs} s"), format!("{secs} 秒"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes() {
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(format_wait(45, Lang::En), "45 s");
        assert_eq!(format_wait(272, Lang::En), "4:32");
        assert_eq!(format_wait(7500, Lang::En), "2 h 05 min");
        assert_eq!(format_wait(86400, Lang::Zh), "24 小时 00 分");
        assert_eq!(format_wait(3599 + 3600, Lang::En), "2 h 00 min");
    }
}
