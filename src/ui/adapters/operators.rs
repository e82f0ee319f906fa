//! `OperatorsAdapter`: the list, the detail screen, add, temporary
//! passwords and confirmations.

use super::{changed, sync};
use crate::core::{OperatorId, Role};
use crate::ui::Ui;
use crate::ui::controller::OperatorAction;
use crate::ui::generated::{
    AppWindow, OperatorAction as SAction, OperatorRow as SRow, OperatorsAdapter,
};
use crate::ui::view::{OperatorRow, View};
use slint::ComponentHandle;
use std::rc::Rc;

fn row(r: &OperatorRow) -> SRow {
    SRow {
        id: r.id.to_string().into(),
        name: r.name.as_str().into(),
        admin: r.role == Role::Admin,
        status: r.status.as_str().into(),
        severity: r.severity,
    }
}

pub fn connect(window: &AppWindow, ui: &Rc<Ui>) {
    let g = window.global::<OperatorsAdapter>();
    let u = ui.clone();
    g.on_select(move |id| {
        if let Ok(id) = id.parse::<OperatorId>() {
            u.update(|k| k.select_operator(id));
        }
    });
    let u = ui.clone();
    g.on_action(move |a| {
        let action = match a {
            SAction::Reset => OperatorAction::Reset,
            SAction::Unlock => OperatorAction::Unlock,
            SAction::Disable => OperatorAction::Disable,
            SAction::Enable => OperatorAction::Enable,
            SAction::Remove => OperatorAction::Remove,
            SAction::EnrolBadge => OperatorAction::EnrolBadge,
            SAction::RemoveBadge => OperatorAction::RemoveBadge,
        };
        u.update(|k| k.operator_action(action));
    });
    let u = ui.clone();
    g.on_toggle_role(move || u.update(|k| k.toggle_role()));
    let u = ui.clone();
    g.on_acknowledge_temp(move || u.update(|k| k.acknowledge_temp()));
    let u = ui.clone();
    g.on_answer(move |yes| u.update(|k| k.answer(yes)));
}

pub fn apply(window: &AppWindow, v: &View, last: Option<&View>) {
    let g = window.global::<OperatorsAdapter>();
    if !changed(v, last, |v| &v.operators) {
        return;
    }
    let o = &v.operators;
    sync(g.get_rows(), o.rows.iter().map(row).collect(), |m| {
        g.set_rows(m)
    });
    g.set_has_selected(o.selected.is_some());
    if let Some(s) = &o.selected {
        g.set_selected(row(s));
    }
    g.set_facts(o.selected_facts.as_str().into());
    g.set_can_unlock(o.can_unlock);
    g.set_has_badge(o.has_badge);
    g.set_enrolling(o.enrolling);
    g.set_can_enable(o.can_enable);
    g.set_add_admin(o.add_admin);
    g.set_show_temp(o.temp.is_some());
    let (who, pw) = o.temp.clone().unwrap_or_default();
    g.set_temp_who(who.into());
    g.set_temp_password(pw.into());
    g.set_show_confirm(o.confirm.is_some());
    if let Some((title, text, danger)) = &o.confirm {
        g.set_confirm_title(title.as_str().into());
        g.set_confirm_text(text.as_str().into());
        g.set_confirm_danger(*danger);
    }
}
