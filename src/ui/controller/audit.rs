//! The audit log viewer, worded by `core::i18n::audit`.

use super::*;

/// The audit screen's own state.
#[derive(Debug, Default)]
pub(super) struct AuditPage {
    /// The rows shown, newest first (at most 500).
    pub(super) rows: Vec<AuditRow>,
    /// Only events by or about this operator.
    pub(super) filter: Option<OperatorId>,
}

impl Kiosk {
    // ---- audit --------------------------------------------------------------

    /// Shows only events by or about `id` (or all).
    pub fn set_audit_filter(&mut self, id: Option<OperatorId>) {
        self.touch();
        self.buzzer.play(Beep::Click);
        self.audit.filter = id;
        self.load_audit();
    }

    pub(super) fn load_audit(&mut self) {
        let filter = self.audit.filter;
        let log = match self.svc.audit_log() {
            Ok(l) => l,
            Err(e) => return self.failed(e),
        };
        let lang = self.lang;
        self.audit.rows = log
            .records
            .iter()
            .rev()
            .filter(|r| {
                filter.is_none_or(|id| {
                    r.subject.as_deref() == Some(id.to_string().as_str())
                        || r.actor == Actor::Operator(id)
                })
            })
            .take(500)
            .map(|r| AuditRow {
                time: local_time(WallTime(r.wall_ms), "%m-%d %H:%M:%S"),
                event: r.event.message(lang),
                actor: r.actor.message(lang),
                subject: r.subject.clone().unwrap_or_default(),
                outcome: match &r.detail {
                    Some(d) => format!("{} · {}", r.outcome.message(lang), d.message(lang)),
                    None => r.outcome.message(lang),
                },
                bad: matches!(
                    r.outcome,
                    Outcome::Failed | Outcome::Refused | Outcome::Locked | Outcome::Error
                ),
            })
            .collect();
    }
}
