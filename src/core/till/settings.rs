//! The till's settings an admin changes: policy, language, name.

use super::*;

impl Till<'_> {
    // ---- settings ------------------------------------------------------

    /// Sets the policy (tightened to at least the config's). Returns what is now in force.
    pub fn set_policy(&mut self, wanted: &PasswordPolicy) -> Result<PasswordPolicy, TillError> {
        self.require_admin()?;
        let effective = wanted.at_least(&self.settings.policy);
        // A badge rule for a role with someone badge-less would lock them
        // out (an admin: perhaps the only one).
        self.badges_cover(effective.require_badge)?;
        self.store_policy(effective.clone());
        Ok(effective)
    }

    /// Puts `effective` in force, audited (the admin menu's and a
    /// bundle's way; the caller has tightened and checked it).
    pub(super) fn store_policy(&mut self, effective: PasswordPolicy) {
        self.audit(EventKind::PolicyChanged, None, Outcome::Ok)
            .detail = Some(AuditDetail::Policy {
            cashier_min: effective.operator_length.min,
            admin_min: effective.admin_length.min,
            history: effective.history,
            max_age_days: effective.max_age_days,
        });
        self.state.policy = Some(effective);
    }

    /// Sets the UI language (anyone may: it is a display preference).
    pub fn set_language(&mut self, lang: Lang) {
        if self.state.language != lang {
            self.state.language = lang;
            self.audit(EventKind::SettingsChanged, None, Outcome::Ok)
                .detail = Some(AuditDetail::Language { lang });
        }
    }

    /// Renames the terminal.
    pub fn set_terminal_name(&mut self, name: &str) -> Result<(), TillError> {
        if !self.state.operators.is_empty() {
            self.require_admin()?;
        }
        let name = clean_name(name)?;
        self.store_terminal_name(name);
        Ok(())
    }

    /// Names the terminal, audited (the admin menu's and a bundle's way).
    pub(super) fn store_terminal_name(&mut self, name: String) {
        self.state.terminal_name = name.clone();
        self.audit(EventKind::SettingsChanged, None, Outcome::Ok)
            .detail = Some(AuditDetail::TerminalName { name });
    }
}
