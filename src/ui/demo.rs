//! Sample tills with realistic data, and the scenes that put the kiosk on
//! each screen. Used by `till-kiosk --screenshot` and the benchmarks.
//!
//! Every scene drives the real controller through its public API (keys,
//! buttons) against a real core in memory, so a screenshot shows what the
//! till would really show.

use super::controller::{Fault, Kiosk, OperatorAction};
use super::view::Screen;
use crate::config::Config;
use crate::core::Clock;
use crate::core::{
    Actor, BootInstant, FakeClock, Lang, OperatorId, Role, Secret, TillState, WallTime,
};
use crate::hw::{Key, LogBuzzer};
use crate::service::{Service, Setup};
use crate::store::MemoryStore;
use std::sync::Arc;
use std::time::Duration;

/// Passwords of the sample operators.
pub const ADMIN_PW: &str = "7Rq2m9xKp";
/// Cashier 01's PIN.
pub const CASHIER_PW: &str = "30946817";
/// The sample service desk's master key.
pub const MASTER_KEY: &[u8] = b"till-kiosk demo master key, not for real tills!";

const DAY: Duration = Duration::from_secs(86_400);

fn id(n: u8) -> OperatorId {
    OperatorId::new(n).expect("0-99")
}

/// A till's state after some weeks of use, and the clock it was made with.
#[derive(Debug)]
pub struct Base {
    state: TillState,
    key: Option<(String, crate::core::recovery::TillKey)>,
    audit: Vec<crate::core::AuditRecord>,
    wall: WallTime,
    boot: BootInstant,
    /// The language of the sample names.
    pub lang: Lang,
}

/// The names of the sample operators, in each language.
fn names(lang: Lang) -> [(u8, &'static str, Role); 9] {
    let zh = lang == Lang::Zh;
    [
        (0, if zh { "王芳" } else { "Wang Fang" }, Role::Admin),
        (1, if zh { "李伟" } else { "Li Wei" }, Role::Operator),
        (2, if zh { "张敏" } else { "Zhang Min" }, Role::Operator),
        (3, if zh { "陈杰" } else { "Chen Jie" }, Role::Operator),
        (4, if zh { "刘洋" } else { "Liu Yang" }, Role::Operator),
        (5, if zh { "赵磊" } else { "Zhao Lei" }, Role::Operator),
        (6, if zh { "孙丽" } else { "Sun Li" }, Role::Operator),
        (7, if zh { "周静" } else { "Zhou Jing" }, Role::Operator),
        (90, if zh { "黄强" } else { "Huang Qiang" }, Role::Admin),
    ]
}

/// Personal PINs of the sample cashiers (each passes the default policy).
fn pin(n: u8) -> String {
    match n {
        1 => CASHIER_PW.into(),
        6 => "61839274".into(),
        7 => "72946183".into(),
        _ => "83917264".into(),
    }
}

impl Base {
    /// Builds the sample till: 9 operators in every status, some history.
    ///
    /// Long on purpose: the sample till's operators and history, as data.
    pub fn build(lang: Lang) -> Base {
        let clock = Arc::new(FakeClock::new(WallTime(1_793_000_000_000)));
        let store = Arc::new(MemoryStore::new());
        let svc = Service::new(store.clone(), &Config::default(), clock.clone()).with_serial_probe(
            Arc::new(|| Some(("10000000a1b2c3d4".into(), crate::sys::SerialSource::Cpuinfo))),
        );
        let cli = Actor::Cli {
            uid: 0,
            user: "root".into(),
        };
        let ops = names(lang);
        let terminal = if lang == Lang::Zh {
            "三号店 · 2号收银台"
        } else {
            "Shop 3 · Till 2"
        };
        // The admin's first password, replaced by ADMIN_PW below.
        let pw = Secret::from("Kq8!vT3wz");
        let setup = Setup {
            admin: id(0),
            name: ops[0].1,
            terminal_name: Some(terminal),
            password: &pw,
            confirm: &pw,
        };
        let add = |n: u8, days_ago_changed: bool| {
            let (_, name, role) = ops
                .iter()
                .find(|o| o.0 == n)
                .copied()
                .expect("sample operator");
            let first = svc
                .add_operator(&cli, id(n), name, role, None)
                .expect("add sample");
            if days_ago_changed {
                let p = Secret::new(pin(n));
                svc.change_password(&Actor::Operator(id(n)), id(n), &first, &p, &p)
                    .expect("sample password");
            }
        };
        svc.init(&cli, &setup, false).expect("sample till");
        svc.set_language(&cli, lang).expect("language");
        add(7, true);
        clock.advance(10 * DAY);
        add(6, true);
        clock.advance(85 * DAY);
        for n in [1, 3, 4, 5] {
            add(n, true);
        }
        add(2, false);
        add(90, false);
        // The admin changed their password recently.
        let admin_pw = Secret::from(ADMIN_PW);
        svc.change_password(&Actor::Operator(id(0)), id(0), &pw, &admin_pw, &admin_pw)
            .expect("admin pw");
        svc.set_enabled(&cli, id(5), false).expect("disable");
        // 04 tried ten times over the morning: locked until an admin unlocks.
        for _ in 0..10 {
            let _ = svc.authenticate(&Actor::Kiosk, id(4), &Secret::from("11223344"));
            clock.advance(Duration::from_secs(3700));
            let _ = svc.unlock_terminal(&cli);
        }
        // 03 got it wrong five times, waited the minute, and got it wrong
        // again: five minutes' wait, of which 28 s have gone.
        for i in 0..6 {
            let _ = svc.authenticate(&Actor::Kiosk, id(3), &Secret::from("11223344"));
            if i == 4 {
                clock.advance(Duration::from_secs(60));
            }
        }
        let _ = svc.unlock_terminal(&cli);
        let _ = svc.authenticate(&Actor::Kiosk, id(1), &Secret::new(CASHIER_PW.into()));
        svc.provision(&cli, MASTER_KEY).expect("provision");
        clock.advance(Duration::from_secs(28));
        Base {
            state: store.snapshot().expect("state"),
            key: store.key(),
            audit: store.audit(),
            wall: clock.wall(),
            boot: clock.boot(),
            lang,
        }
    }

    /// A fresh kiosk over a copy of this till, beeping on `buzzer`.
    pub fn kiosk_with(&self, buzzer: Arc<dyn crate::hw::Buzzer>) -> Kiosk {
        let store = Arc::new(MemoryStore::with_state(
            self.state.clone(),
            self.key.clone(),
        ));
        let clock = Arc::new(FakeClock::from_parts(self.wall, &self.boot));
        let svc = Service::new(store, &Config::default(), clock);
        Kiosk::new(svc, buzzer, Config::default().ui, self.lang, None)
    }

    /// A fresh kiosk over a copy of this till.
    pub fn kiosk(&self) -> (Kiosk, Arc<FakeClock>, Arc<MemoryStore>) {
        let store = Arc::new(MemoryStore::with_state(
            self.state.clone(),
            self.key.clone(),
        ));
        store.set_audit(self.audit.clone());
        let clock = Arc::new(FakeClock::from_parts(self.wall, &self.boot));
        let k = kiosk_over(store.clone(), clock.clone(), self.lang, None);
        (k, clock, store)
    }
}

/// A kiosk over `store` with mock hardware.
pub fn kiosk_over(
    store: Arc<MemoryStore>,
    clock: Arc<FakeClock>,
    lang: Lang,
    fault: Option<Fault>,
) -> Kiosk {
    let svc = Service::new(store, &Config::default(), clock).with_serial_probe(Arc::new(|| {
        Some(("10000000a1b2c3d4".into(), crate::sys::SerialSource::Cpuinfo))
    }));
    let mut k = Kiosk::new(
        svc,
        Arc::new(LogBuzzer::new(false)),
        Config::default().ui,
        lang,
        fault,
    );
    k.set_config_source(crate::config::Source::File(
        "/etc/till-kiosk/config.yaml".into(),
    ));
    k
}

/// Types `text` on the keypad.
pub fn type_text(k: &mut Kiosk, text: &str) {
    for c in text.chars() {
        k.key(match c {
            '0'..='9' => Key::Digit(c as u8 - b'0'),
            c => Key::Char(c),
        });
    }
}

/// Signs in as `n` with `pw` from the sign-in screen.
pub fn sign_in(k: &mut Kiosk, n: &str, pw: &str) {
    k.key(Key::Cancel);
    type_text(k, n);
    type_text(k, pw);
    k.key(Key::Enter);
    k.wait_check();
}

/// Every scene, in the order the README shows them.
pub const SCENES: [&str; 35] = [
    "setup",
    "sign-in",
    "sign-in-badge",
    "sign-in-wrong",
    "sign-in-locked",
    "sign-in-locked-admin",
    "sign-in-not-persistent",
    "home",
    "settings",
    "security",
    "change-password",
    "change-password-rejected",
    "change-password-forced",
    "language",
    "admin-home",
    "operators",
    "operator-detail",
    "remove-confirm",
    "last-admin",
    "add-operator",
    "add-operator-letters",
    "temp-password",
    "policy",
    "audit",
    "terminal-info",
    "terminal-info-not-persistent",
    "rename-terminal",
    "recovery",
    "recovery-password",
    "recovery-not-provisioned",
    "idle-warning",
    "approval",
    "approval-refused",
    "fault",
    "fault-config",
];

/// The screen each scene must end on.
pub fn expected_screen(name: &str) -> Option<Screen> {
    Some(match name {
        "setup" => Screen::Setup,
        n if n.starts_with("sign-in") || n == "idle-warning-done" => Screen::SignIn,
        "home" | "idle-warning" | "approval" | "approval-refused" => Screen::Home,
        "settings" => Screen::Settings,
        "security" => Screen::Security,
        n if n.starts_with("change-password") => Screen::ChangePassword,
        "language" => Screen::Language,
        "admin-home" => Screen::AdminHome,
        "operators" => Screen::Operators,
        "operator-detail" | "remove-confirm" | "last-admin" => Screen::OperatorDetail,
        n if n.starts_with("add-operator") => Screen::AddOperator,
        "temp-password" => Screen::TempPassword,
        "policy" => Screen::Policy,
        "audit" => Screen::Audit,
        n if n.starts_with("terminal-info") => Screen::TerminalInfo,
        n if n.starts_with("rename-terminal") => Screen::RenameTerminal,
        n if n.starts_with("recovery") => Screen::Recovery,
        n if n.starts_with("fault") => Screen::Fault,
        _ => return None,
    })
}

/// Puts a kiosk over a copy of `base` on scene `name`, and checks it got
/// there (a scene that silently fails would make a misleading screenshot).
pub fn scene(base: &Base, name: &str) -> Result<Kiosk, String> {
    let k = build_scene(base, name).ok_or_else(|| format!("unknown scene {name:?}"))?;
    let want = expected_screen(name).ok_or_else(|| format!("unknown scene {name:?}"))?;
    if k.screen() != want {
        return Err(format!(
            "scene {name} ended on {:?}, not {want:?}: {}",
            k.screen(),
            k.view().message
        ));
    }
    Ok(k)
}

/// Long on purpose: one arm per screenshot scene, each a few lines; a table reads better whole than split.
fn build_scene(base: &Base, name: &str) -> Option<Kiosk> {
    let (mut k, clock, store) = base.kiosk();
    let admin = |k: &mut Kiosk| sign_in(k, "00", ADMIN_PW);
    match name {
        "setup" => {
            let fresh = Arc::new(MemoryStore::new());
            let mut k = kiosk_over(fresh, clock, base.lang, None);
            k.focus_field(0);
            k.key(Key::Clear);
            type_text(
                &mut k,
                if base.lang == Lang::Zh {
                    "Till 2"
                } else {
                    "Shop 3 Till 2"
                },
            );
            k.key(Key::Enter);
            k.wait_check();
            type_text(&mut k, "7Rq2m9x");
            return Some(k);
        }
        "sign-in" => {
            type_text(&mut k, "01");
            type_text(&mut k, "3094");
        }
        "sign-in-badge" => {
            k.badge(Secret::from("1234567890"));
            type_text(&mut k, "3094");
        }
        "sign-in-wrong" => {
            for _ in 0..2 {
                sign_in(&mut k, "01", "11223344");
            }
        }
        "sign-in-locked" => type_text(&mut k, "03"),
        "sign-in-locked-admin" => type_text(&mut k, "04"),
        "sign-in-not-persistent" => {
            store.set_volatile(true);
            let mut k = kiosk_over(store, clock, base.lang, None);
            type_text(&mut k, "01");
            return Some(k);
        }
        "home" => sign_in(&mut k, "06", "61839274"),
        "settings" => {
            sign_in(&mut k, "01", CASHIER_PW);
            k.navigate(Screen::Settings);
        }
        "security" => {
            sign_in(&mut k, "01", CASHIER_PW);
            k.navigate(Screen::Settings);
            k.navigate(Screen::Security);
        }
        "change-password" | "change-password-rejected" => {
            sign_in(&mut k, "01", CASHIER_PW);
            k.navigate(Screen::Settings);
            k.navigate(Screen::Security);
            k.navigate(Screen::ChangePassword);
            type_text(&mut k, CASHIER_PW);
            k.key(Key::Enter);
            k.wait_check();
            if name == "change-password-rejected" {
                type_text(&mut k, "520520");
                k.key(Key::Enter);
                k.wait_check();
                type_text(&mut k, "520520");
                k.key(Key::Enter);
                k.wait_check();
            } else {
                type_text(&mut k, "5827");
            }
        }
        "change-password-forced" => {
            let temp = k
                .service()
                .reset_password(
                    &Actor::Cli {
                        uid: 0,
                        user: "root".into(),
                    },
                    id(1),
                )
                .ok()?;
            sign_in(&mut k, "01", temp.expose());
        }
        "language" => {
            sign_in(&mut k, "01", CASHIER_PW);
            k.navigate(Screen::Settings);
            k.navigate(Screen::Language);
        }
        "admin-home" => admin(&mut k),
        "operators" => {
            admin(&mut k);
            k.navigate(Screen::Operators);
        }
        "operator-detail" | "remove-confirm" => {
            admin(&mut k);
            k.navigate(Screen::Operators);
            k.select_operator(id(3));
            if name == "remove-confirm" {
                k.operator_action(OperatorAction::Remove);
            }
        }
        "last-admin" => {
            admin(&mut k);
            k.service().remove(&Actor::Operator(id(0)), id(90)).ok()?;
            k.navigate(Screen::Operators);
            k.select_operator(id(0));
            k.operator_action(OperatorAction::Disable);
            k.answer(true);
        }
        "add-operator" | "add-operator-letters" => {
            admin(&mut k);
            k.navigate(Screen::AddOperator);
            type_text(&mut k, "08");
            // Names are typed in Latin letters on the till (no IME);
            // Chinese names can be set with tillctl.
            type_text(&mut k, "Wu Fei");
            if name == "add-operator-letters" {
                k.toggle_letters();
            }
        }
        "temp-password" => {
            admin(&mut k);
            k.navigate(Screen::AddOperator);
            type_text(&mut k, "08");
            type_text(&mut k, "Wu Fei");
            k.key(Key::Enter);
            k.wait_check();
        }
        "policy" => {
            admin(&mut k);
            k.navigate(Screen::Policy);
            k.policy_adjust(super::controller::PolicyNumber::History, true);
            k.policy_adjust(super::controller::PolicyNumber::History, true);
        }
        "audit" => {
            admin(&mut k);
            k.navigate(Screen::Audit);
        }
        "terminal-info" => {
            admin(&mut k);
            k.navigate(Screen::TerminalInfo);
        }
        "rename-terminal" => {
            admin(&mut k);
            k.navigate(Screen::TerminalInfo);
            k.navigate(Screen::RenameTerminal);
            type_text(&mut k, " (front)");
        }
        "terminal-info-not-persistent" => {
            store.set_volatile(true);
            let mut k = kiosk_over(store, clock, base.lang, None);
            admin(&mut k);
            k.navigate(Screen::TerminalInfo);
            return Some(k);
        }
        "recovery" => {
            k.navigate(Screen::Recovery);
            type_text(&mut k, "6079811");
        }
        "recovery-password" => {
            k.navigate(Screen::Recovery);
            type_text(&mut k, "607981104186");
            k.key(Key::Enter);
            k.wait_check();
            type_text(&mut k, "Kq8!v");
        }
        "recovery-not-provisioned" => {
            let bare = Arc::new(MemoryStore::with_state(store.snapshot()?, None));
            let mut k = kiosk_over(bare, clock, base.lang, None);
            k.navigate(Screen::Recovery);
            return Some(k);
        }
        "idle-warning" => {
            sign_in(&mut k, "01", CASHIER_PW);
            clock.advance(Duration::from_secs(15 * 60 - 27));
            k.tick();
        }
        "approval" | "approval-refused" => {
            // The sales software asks while a cashier is signed in.
            sign_in(&mut k, "01", CASHIER_PW);
            let req = crate::session::protocol::ApprovalRequest {
                action: "void".into(),
                amount: Some("¥128.50".into()),
                reason: Some(
                    base.lang
                        .pick("Customer changed their mind", "顾客改变主意"),
                ),
                timeout_s: 60,
                requester: "uid 1001 pid 4242".into(),
            };
            k.start_approval(1, req, Box::new(|_| {})).ok()?;
            clock.advance(Duration::from_secs(8));
            k.tick();
            if name == "approval-refused" {
                type_text(&mut k, "01");
                type_text(&mut k, CASHIER_PW);
                k.submit();
                k.wait_check();
            } else {
                type_text(&mut k, "00");
                type_text(&mut k, "58");
            }
        }
        "fault" => {
            store.corrupt(true);
            return Some(kiosk_over(store, clock, base.lang, None));
        }
        "fault-config" => {
            let f = Fault::Config(
                "/etc/till-kiosk/config.yaml:14:5: lockout.operator: unknown field `free_trys`, expected one of `free_tries`, `waits`, `lock_until_admin_after`".into(),
            );
            return Some(kiosk_over(store, clock, base.lang, Some(f)));
        }
        _ => return None,
    }
    Some(k)
}
