//! `PolicyAdapter`: the numbers and switches of the password policy.

use super::changed;
use crate::ui::Ui;
use crate::ui::controller::{PolicyNumber, PolicyRule};
use crate::ui::generated::{
    AppWindow, PolicyAdapter, PolicyNumber as SNumber, PolicyRule as SRule, Stepper as SStep,
    Toggle as SToggle,
};
use crate::ui::view::{Stepper, Toggle, View};
use slint::ComponentHandle;
use std::rc::Rc;

fn step(s: Stepper) -> SStep {
    SStep {
        value: s.value,
        can_dec: s.can_dec,
        can_inc: s.can_inc,
    }
}

fn toggle(t: Toggle) -> SToggle {
    SToggle {
        on: t.on,
        fixed: t.fixed,
    }
}

pub fn connect(window: &AppWindow, ui: &Rc<Ui>) {
    let g = window.global::<PolicyAdapter>();
    let u = ui.clone();
    g.on_adjust(move |field, up| {
        let n = match field {
            SNumber::OperatorMin => PolicyNumber::OperatorMin,
            SNumber::AdminMin => PolicyNumber::AdminMin,
            SNumber::History => PolicyNumber::History,
            SNumber::MaxAge => PolicyNumber::MaxAge,
            SNumber::WarnDays => PolicyNumber::WarnDays,
        };
        u.update(|k| k.policy_adjust(n, up));
    });
    let u = ui.clone();
    g.on_toggle(move |rule| {
        let r = match rule {
            SRule::Blocklist => PolicyRule::Blocklist,
            SRule::Dates => PolicyRule::Dates,
            SRule::Patterns => PolicyRule::Patterns,
            SRule::NumberName => PolicyRule::NumberName,
            SRule::BadgeAdmin => PolicyRule::BadgeAdmin,
            SRule::BadgeOperator => PolicyRule::BadgeOperator,
        };
        u.update(|k| k.policy_toggle(r));
    });
    let u = ui.clone();
    g.on_save(move || u.update(|k| k.policy_save()));
}

pub fn apply(window: &AppWindow, v: &View, last: Option<&View>) {
    if !changed(v, last, |v| &v.policy) {
        return;
    }
    let g = window.global::<PolicyAdapter>();
    let p = &v.policy;
    g.set_operator_min(step(p.operator_min));
    g.set_admin_min(step(p.admin_min));
    g.set_history(step(p.history));
    g.set_max_age(step(p.max_age));
    g.set_warn_days(step(p.warn_days));
    g.set_blocklist(toggle(p.blocklist));
    g.set_dates(toggle(p.dates));
    g.set_patterns(toggle(p.patterns));
    g.set_number_name(toggle(p.number_name));
    g.set_badge_admin(toggle(p.badge_admin));
    g.set_badge_operator(toggle(p.badge_operator));
    g.set_dirty(p.dirty);
}
