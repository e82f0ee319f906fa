//! `FormAdapter`: the fields, the checklist and the on-screen keypad.

use super::{changed, sync};
use crate::ui::Ui;
use crate::ui::generated::{AppWindow, FieldView as SField, FormAdapter, HintView as SHint};
use crate::ui::keymap;
use crate::ui::view::View;
use slint::ComponentHandle;
use std::rc::Rc;

pub fn connect(window: &AppWindow, ui: &Rc<Ui>) {
    let g = window.global::<FormAdapter>();
    let u = ui.clone();
    g.on_key(move |kind, text| {
        if let Some(key) = keymap::from_onscreen(kind, &text) {
            u.update(|k| k.key(key));
        }
    });
    let u = ui.clone();
    g.on_focus(move |i| u.update(|k| k.focus_field(usize::try_from(i).unwrap_or(0))));
    let u = ui.clone();
    g.on_submit(move || u.update(|k| k.submit()));
    let u = ui.clone();
    g.on_toggle_letters(move || u.update(|k| k.toggle_letters()));
}

pub fn apply(window: &AppWindow, v: &View, last: Option<&View>) {
    let g = window.global::<FormAdapter>();
    if !changed(v, last, |v| &v.form) {
        return;
    }
    let f = &v.form;
    let fields = f
        .fields
        .iter()
        .map(|x| SField {
            display: x.display.as_str().into(),
            active: x.active,
            disabled: x.disabled,
            secret: x.secret,
            count: x.count.as_str().into(),
        })
        .collect();
    sync(g.get_fields(), fields, |m| g.set_fields(m));
    g.set_active(i32::try_from(f.active).unwrap_or(0));
    g.set_letters(f.letters);
    g.set_letters_allowed(f.letters_allowed);
    g.set_locked(f.locked);
    let hints = f
        .hints
        .iter()
        .map(|h| SHint {
            text: h.text.as_str().into(),
            ok: h.ok,
        })
        .collect();
    sync(g.get_hints(), hints, |m| g.set_hints(m));
}
