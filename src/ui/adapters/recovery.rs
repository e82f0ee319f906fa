//! `RecoveryAdapter`: the challenge to read to the service desk.

use super::changed;
use crate::ui::Ui;
use crate::ui::generated::{AppWindow, RecoveryAdapter};
use crate::ui::view::View;
use slint::ComponentHandle;
use std::rc::Rc;

pub fn connect(window: &AppWindow, ui: &Rc<Ui>) {
    let u = ui.clone();
    window
        .global::<RecoveryAdapter>()
        .on_new_challenge(move || u.update(|k| k.new_challenge()));
}

pub fn apply(window: &AppWindow, v: &View, last: Option<&View>) {
    if !changed(v, last, |v| &v.recovery) {
        return;
    }
    let g = window.global::<RecoveryAdapter>();
    let r = &v.recovery;
    g.set_ready(r.ready);
    g.set_serial(r.serial.as_str().into());
    g.set_code(r.code.as_str().into());
    g.set_challenge(r.challenge.as_str().into());
    g.set_phase(r.phase);
}
