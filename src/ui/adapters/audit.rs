//! `AuditAdapter`: the audit log, newest first, filtered by operator.

use super::{changed, sync};
use crate::ui::Ui;
use crate::ui::generated::{AppWindow, AuditAdapter, AuditRow as SRow};
use crate::ui::view::View;
use slint::ComponentHandle;
use std::rc::Rc;

pub fn connect(window: &AppWindow, ui: &Rc<Ui>) {
    let g = window.global::<AuditAdapter>();
    let u = ui.clone();
    g.on_set_filter(move |id| {
        let id = id.parse().ok();
        u.update(|k| k.set_audit_filter(id));
    });
}

pub fn apply(window: &AppWindow, v: &View, last: Option<&View>) {
    let g = window.global::<AuditAdapter>();
    if changed(v, last, |v| &v.audit) {
        let rows = v
            .audit
            .iter()
            .map(|r| SRow {
                time: r.time.as_str().into(),
                event: r.event.as_str().into(),
                actor: r.actor.as_str().into(),
                subject: r.subject.as_str().into(),
                outcome: r.outcome.as_str().into(),
                bad: r.bad,
            })
            .collect();
        sync(g.get_rows(), rows, |m| g.set_rows(m));
    }
    if changed(v, last, |v| &v.audit_filter) {
        g.set_filter(v.audit_filter.as_str().into());
    }
}
