//! `InfoAdapter`: version, serial, state directory and its persistence.

use super::changed;
use crate::ui::generated::{AppWindow, InfoAdapter};
use crate::ui::view::View;
use slint::ComponentHandle;

pub fn apply(window: &AppWindow, v: &View, last: Option<&View>) {
    if !changed(v, last, |v| &v.info) {
        return;
    }
    let g = window.global::<InfoAdapter>();
    let i = &v.info;
    g.set_version(i.version.as_str().into());
    g.set_serial(i.serial.as_str().into());
    g.set_state_dir(i.state_dir.as_str().into());
    g.set_fs_type(i.fs_type.as_str().into());
    g.set_persistent(i.persistent);
    g.set_config(i.config.as_str().into());
    g.set_recovery(i.recovery.as_str().into());
    g.set_operators(i.operators.as_str().into());
    g.set_hardware(i.hardware.as_str().into());
}
