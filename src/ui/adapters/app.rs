//! `AppAdapter`: screen, session, clock, messages, faults, navigation, keys.

use super::changed;
use crate::core::Lang;
use crate::hw::KeyEvent;
use crate::ui::Ui;
use crate::ui::generated::{AppAdapter, AppWindow, MsgKind as SMsg, Screen as SScreen};
use crate::ui::keymap;
use crate::ui::view::{MsgKind, Screen, View};
use slint::ComponentHandle;
use std::rc::Rc;

/// The Slint screen for ours.
pub fn to_slint(s: Screen) -> SScreen {
    match s {
        Screen::Fault => SScreen::Fault,
        Screen::Setup => SScreen::Setup,
        Screen::SignIn => SScreen::SignIn,
        Screen::Home => SScreen::Home,
        Screen::Settings => SScreen::Settings,
        Screen::Security => SScreen::Security,
        Screen::ChangePassword => SScreen::ChangePassword,
        Screen::Language => SScreen::Language,
        Screen::AdminHome => SScreen::AdminHome,
        Screen::Operators => SScreen::Operators,
        Screen::OperatorDetail => SScreen::OperatorDetail,
        Screen::AddOperator => SScreen::AddOperator,
        Screen::TempPassword => SScreen::TempPassword,
        Screen::Policy => SScreen::Policy,
        Screen::Audit => SScreen::Audit,
        Screen::TerminalInfo => SScreen::TerminalInfo,
        Screen::RenameTerminal => SScreen::RenameTerminal,
        Screen::Recovery => SScreen::Recovery,
    }
}

fn from_slint(s: SScreen) -> Screen {
    Screen::ALL
        .into_iter()
        .find(|x| to_slint(*x) == s)
        .unwrap_or(Screen::SignIn)
}

pub fn connect(window: &AppWindow, ui: &Rc<Ui>) {
    let g = window.global::<AppAdapter>();
    let u = ui.clone();
    g.on_navigate(move |s| u.update(|k| k.navigate(from_slint(s))));
    let u = ui.clone();
    g.on_back(move || u.update(|k| k.back()));
    let u = ui.clone();
    g.on_sign_out(move || u.update(|k| k.sign_out()));
    let u = ui.clone();
    g.on_set_language(move |code| {
        if let Ok(lang) = code.parse::<Lang>() {
            u.update(|k| k.set_language(lang));
        }
    });
    let u = ui.clone();
    g.on_activity(move || u.update(|k| k.touch()));
    let u = ui.clone();
    g.on_wake(move || {
        u.update(|k| {
            k.wake();
        })
    });
    let u = ui.clone();
    g.on_key_down(move |text| {
        if let Some(key) = keymap::from_slint(&text) {
            u.update(|k| k.key_event(KeyEvent::Down(key)));
            u.arm_chord();
        }
    });
    let u = ui.clone();
    g.on_key_up(move |text| {
        if let Some(key) = keymap::from_slint(&text) {
            u.update(|k| k.key_event(KeyEvent::Up(key)));
        }
    });
}

pub fn apply(window: &AppWindow, v: &View, last: Option<&View>) {
    let g = window.global::<AppAdapter>();
    if changed(v, last, |v| &v.lang) {
        let locale = v.lang.parse::<Lang>().map(Lang::locale).unwrap_or("");
        if let Err(e) = slint::select_bundled_translation(locale) {
            tracing::warn!("cannot switch the UI language to {}: {e}", v.lang);
        }
        g.set_lang(v.lang.into());
    }
    if changed(v, last, |v| &v.screen) {
        g.set_screen(to_slint(v.screen));
    }
    if changed(v, last, |v| &v.terminal_name) {
        g.set_terminal_name(v.terminal_name.as_str().into());
    }
    if changed(v, last, |v| &v.clock) {
        g.set_clock(v.clock.as_str().into());
    }
    if changed(v, last, |v| &v.date) {
        g.set_date(v.date.as_str().into());
    }
    if changed(v, last, |v| &v.who) {
        g.set_who(v.who.as_str().into());
    }
    g.set_admin(v.admin);
    g.set_forced(v.forced);
    if changed(v, last, |v| &v.banner) {
        g.set_banner(v.banner.as_str().into());
    }
    g.set_idle_secs(v.idle_secs);
    g.set_asleep(v.asleep);
    g.set_shade(f32::from(v.shade_pct) / 100.0);
    if changed(v, last, |v| &v.message) {
        g.set_message(v.message.as_str().into());
    }
    g.set_message_kind(match v.message_kind {
        MsgKind::None => SMsg::None,
        MsgKind::Info => SMsg::Info,
        MsgKind::Success => SMsg::Success,
        MsgKind::Error => SMsg::Error,
    });
    g.set_warn_not_persistent(v.warn_not_persistent);
    if changed(v, last, |v| &v.fault) {
        g.set_fault_title(v.fault.title.as_str().into());
        g.set_fault_detail(v.fault.detail.as_str().into());
        g.set_fault_action(v.fault.action.as_str().into());
    }
}
