//! Terminal info, the terminal's name and the UI language.

use super::*;

impl Kiosk {
    // ---- info ---------------------------------------------------------------

    pub(super) fn load_info(&mut self) {
        let st = self.svc.status();
        let (fs_type, persistent) = match &st.filesystem {
            Ok(p) => (p.fs_type.clone(), p.persistent),
            Err(e) => (e.clone(), false),
        };
        let serial = st
            .serial
            .as_ref()
            .map(|(s, src)| format!("{s} ({src})"))
            .unwrap_or_default();
        let lang = self.lang;
        let recovery = match (&st.recovery_key_serial, &st.serial) {
            (None, _) => lang.pick(
                format!("Not set up: {PROVISION}"),
                format!("未设置：{PROVISION}"),
            ),
            (Some(k), Some((s, _))) if k == s => lang.pick("Ready", "已就绪"),
            (Some(_), _) => lang.pick(
                "Key is for another serial: provision again",
                "密钥不匹配当前序列号，请重新配置",
            ),
        };
        let operators = match st.health {
            Health::Ok {
                operators,
                enabled_admins,
            } => lang.pick(
                format!("{operators} ({enabled_admins} administrators)"),
                format!("{operators} 名（其中管理员 {enabled_admins} 名）"),
            ),
            _ => String::new(),
        };
        self.info = InfoView {
            version: format!("till-kiosk {}", env!("CARGO_PKG_VERSION")),
            serial,
            state_dir: st.state_dir.display().to_string(),
            fs_type,
            persistent,
            config: self
                .config_source
                .as_ref()
                .map(|s| s.message(lang))
                .unwrap_or_default(),
            hardware: std::mem::take(&mut self.info.hardware),
            recovery,
            operators,
        };
        self.persistent = persistent;
    }

    /// Records hardware that did not start, for the terminal-info screen.
    pub fn set_hardware_problems(&mut self, problems: Vec<String>) {
        self.info.hardware = problems.join("\n");
    }

    /// Shutting down (SIGTERM): sign out and write a last checkpoint.
    pub fn shutdown(&mut self) {
        self.end_session(SignOutReason::Shutdown, Note::SignedOut);
        if let Err(e) = self.svc.checkpoint() {
            tracing::error!("last checkpoint not written: {e}");
        }
    }

    /// Records where the config came from, for the terminal-info screen.
    pub fn set_config_source(&mut self, source: crate::config::Source) {
        self.config_source = Some(source);
    }

    // ---- language -------------------------------------------------------------

    /// Switches the language and remembers it.
    pub fn set_language(&mut self, lang: Lang) {
        self.touch();
        if lang == self.lang {
            return;
        }
        self.buzzer.play(Beep::Click);
        self.lang = lang;
        if let Err(e) = self.svc.set_language(&self.actor(), lang) {
            // A fresh till has no state to store it in yet; that is fine.
            if !matches!(e, ServiceError::NotSetUp) {
                self.failed(e);
            }
        }
        self.events.push(KioskEvent::LanguageChanged(lang));
        // Texts computed in Rust follow on the next view; re-read lists.
        match self.screen {
            Screen::Operators | Screen::OperatorDetail => self.load_operators(),
            Screen::Audit => self.load_audit(),
            Screen::TerminalInfo => self.load_info(),
            _ => {}
        }
        if self.msg.0 != MsgKind::None && self.screen == Screen::Language {
            self.msg = (MsgKind::None, String::new());
        }
    }
}
