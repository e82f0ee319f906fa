//! `ApprovalAdapter`: a supervisor approval over the screen.

use super::changed;
use crate::ui::Ui;
use crate::ui::generated::{AppWindow, ApprovalAdapter};
use crate::ui::view::View;
use slint::ComponentHandle;
use std::rc::Rc;

pub fn connect(window: &AppWindow, ui: &Rc<Ui>) {
    let u = ui.clone();
    window
        .global::<ApprovalAdapter>()
        .on_deny(move || u.update(|k| k.deny_approval()));
}

pub fn apply(window: &AppWindow, v: &View, last: Option<&View>) {
    if !changed(v, last, |v| &v.approval) {
        return;
    }
    let g = window.global::<ApprovalAdapter>();
    let a = &v.approval;
    g.set_active(a.active);
    g.set_action(a.label.as_str().into());
    g.set_amount(a.amount.as_str().into());
    g.set_reason(a.reason.as_str().into());
    g.set_secs_left(a.secs_left);
}
