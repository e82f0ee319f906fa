//! The kiosk driven like a person would: controls found by their
//! accessible labels and pressed, against a real store in a temp dir and
//! a fake clock. Headless (Slint's testing backend, software renderer);
//! no sleeps: time moves when the test says so.

mod common;

use i_slint_backend_testing::{
    AccessibleRole, ElementHandle, ElementQuery, TestingBackend, TestingBackendOptions,
};
use slint::ComponentHandle;
use slint::platform::WindowEvent;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use till_kiosk::config::{Config, parse_config};
use till_kiosk::core::recovery::{Challenge, TillKey};
use till_kiosk::core::{Actor, FakeClock, Lang, OperatorId, Role, Secret};
use till_kiosk::hw::LogBuzzer;
use till_kiosk::service::{Service, Setup};
use till_kiosk::store::FileStore;
use till_kiosk::ui::controller::Kiosk;
use till_kiosk::ui::generated::{
    AppAdapter, AuditAdapter, FormAdapter, OperatorsAdapter, RecoveryAdapter, Screen,
};
use till_kiosk::ui::{AppWindow, Ui, app};

const ADMIN_PW: &str = "58273946";
const CASHIER_PW: &str = "30946817";
const MASTER: &[u8] = b"service desk master key for the ui test";

struct Till {
    window: AppWindow,
    _ui: Rc<Ui>,
    clock: Arc<FakeClock>,
    dir: tempfile::TempDir,
    config: Config,
    buzzer: Arc<LogBuzzer>,
    _timers: Vec<slint::Timer>,
}

fn id(n: u8) -> OperatorId {
    OperatorId::new(n).unwrap()
}

fn cli() -> Actor {
    Actor::Cli {
        uid: 0,
        user: "test".into(),
    }
}

fn service(dir: &Path, config: &Config, clock: &Arc<FakeClock>) -> Service {
    Service::new(
        Arc::new(FileStore::open(dir, config.rotation()).unwrap()),
        config,
        clock.clone(),
    )
    .with_serial_probe(Arc::new(|| {
        Some((
            "10000000feedc0de".into(),
            till_kiosk::sys::SerialSource::Cpuinfo,
        ))
    }))
}

/// A kiosk window over a temp state dir; `prepare` runs on the store first.
fn start(prepare: impl FnOnce(&Service)) -> Till {
    start_with("", prepare)
}

fn start_with(yaml: &str, prepare: impl FnOnce(&Service)) -> Till {
    let _ = slint::platform::set_platform(Box::new(TestingBackend::new(TestingBackendOptions {
        mock_time: true,
        threading: false,
        renderer_name: Some("software".into()),
    })));
    let dir = tempfile::tempdir().unwrap();
    let config = parse_config(Path::new("t.yaml"), yaml).unwrap();
    let clock = Arc::new(FakeClock::at_default());
    prepare(&service(dir.path(), &config, &clock));
    let svc = service(dir.path(), &config, &clock);
    let buzzer = Arc::new(LogBuzzer::new(false));
    let kiosk = Kiosk::new(
        svc,
        buzzer.clone(),
        config.ui.clone(),
        config.default_language,
        None,
    );
    let window = AppWindow::new().unwrap();
    window.window().set_size(slint::PhysicalSize::new(800, 480));
    window.show().unwrap();
    let ui = Ui::new(&window, kiosk);
    let timers = app::start_timers(&ui);
    let k = Till {
        window,
        _ui: ui,
        clock,
        dir,
        config,
        buzzer,
        _timers: timers,
    };
    k.settle();
    k
}

/// An admin 00 and a cashier 01 whose own password is set.
fn set_up(svc: &Service) {
    let pw = Secret::from(ADMIN_PW);
    let setup = Setup {
        admin: id(0),
        name: "Wang Fang",
        terminal_name: Some("Till 1"),
        password: &pw,
        confirm: &pw,
    };
    svc.init(&cli(), &setup, false).unwrap();
    let first = svc
        .add_operator(&cli(), id(1), "Li Wei", Role::Operator, None)
        .unwrap();
    let p = Secret::from(CASHIER_PW);
    svc.change_password(&cli(), id(1), &first, &p, &p).unwrap();
}

impl Till {
    /// Lets the UI catch up: timers due now, and a password check on its
    /// worker thread until the UI's own poll timer has taken the answer.
    fn settle(&self) {
        i_slint_backend_testing::mock_elapsed_time(Duration::ZERO);
        let start = std::time::Instant::now();
        while self.checking() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "a password check never came back"
            );
            std::thread::sleep(Duration::from_millis(1));
            i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(5));
        }
    }

    fn checking(&self) -> bool {
        self._ui.with(|k| k.is_checking())
    }

    fn find(&self, label: &str, role: AccessibleRole) -> Option<ElementHandle> {
        self.settle();
        ElementHandle::find_by_accessible_label(&self.window, label)
            .find(|e| e.accessible_role() == Some(role))
    }

    /// Presses the button labelled `label`.
    fn press(&self, label: &str) {
        let b = self
            .find(label, AccessibleRole::Button)
            .unwrap_or_else(|| panic!("no button {label:?} on {:?}", self.screen()));
        assert_ne!(
            b.accessible_enabled(),
            Some(false),
            "button {label:?} is disabled"
        );
        b.invoke_accessible_default_action();
        self.settle();
    }

    fn has_button(&self, label: &str) -> bool {
        self.find(label, AccessibleRole::Button).is_some()
    }

    fn button_enabled(&self, label: &str) -> bool {
        self.find(label, AccessibleRole::Button)
            .is_some_and(|b| b.accessible_enabled() != Some(false))
    }

    /// Types digits on the on-screen keypad.
    fn tap_digits(&self, digits: &str) {
        for d in digits.chars() {
            self.press(&d.to_string());
        }
    }

    /// Types on the desktop keyboard (the mock keypad).
    fn type_keys(&self, text: &str) {
        for c in text.chars() {
            self.key(&c.to_string());
        }
    }

    fn key(&self, text: &str) {
        self.key_unsettled(text);
        self.settle();
    }

    /// A key press and release, without letting the UI catch up after.
    fn key_unsettled(&self, text: &str) {
        self.window
            .window()
            .dispatch_event(WindowEvent::KeyPressed { text: text.into() });
        self.window
            .window()
            .dispatch_event(WindowEvent::KeyReleased { text: text.into() });
    }

    fn field(&self, label: &str) -> String {
        self.find(label, AccessibleRole::TextInput)
            .unwrap_or_else(|| panic!("no field {label:?}"))
            .accessible_value()
            .unwrap_or_default()
            .to_string()
    }

    fn screen(&self) -> Screen {
        self.window.global::<AppAdapter>().get_screen()
    }

    fn message(&self) -> String {
        self.window.global::<AppAdapter>().get_message().to_string()
    }

    /// Something with this text is on screen.
    fn shows(&self, text: &str) -> bool {
        self.settle();
        ElementHandle::find_by_accessible_label(&self.window, text)
            .next()
            .is_some()
    }

    /// Time passes on the till: the fake clock and Slint's timers.
    fn wait(&self, d: Duration) {
        let step = Duration::from_secs(1);
        let mut left = d;
        while !left.is_zero() {
            let s = left.min(step);
            self.clock.advance(s);
            i_slint_backend_testing::mock_elapsed_time(s);
            left -= s;
        }
        self.settle();
    }

    fn sign_in(&self, number: &str, pw: &str) {
        self.key("\u{1b}");
        self.tap_digits(number);
        self.type_keys(pw);
        self.press("Sign in");
    }

    /// The message on screen has the height of two lines of its text
    /// (about 44 px), not one.
    fn assert_two_lines_for_the_message(&self) {
        let m = self.message();
        let text = ElementHandle::find_by_accessible_label(&self.window, &m)
            .next()
            .expect("the message on screen");
        let h = text.size().height;
        assert!(h >= 40.0, "the message gets {h} px: {m}");
    }

    /// Cashier 01 signs in and goes Settings → Security → Change password.
    fn cashier_opens_change_password(&self) {
        self.sign_in("01", CASHIER_PW);
        self.press("Settings");
        self.press("Security settings");
        self.press("Change password");
    }

    fn svc(&self) -> Service {
        service(self.dir.path(), &self.config, &self.clock)
    }
}

#[test]
fn first_boot_setup_creates_admin_00_and_signs_in() {
    let k = start(|_| {});
    assert_eq!(k.screen(), Screen::Setup);
    assert!(k.field("Terminal name").starts_with("Till 1"));
    // The checklist follows the typing: a short password is not yet OK.
    k.tap_digits("5827");
    let hints = k.window.global::<FormAdapter>().get_hints();
    assert!(slint::Model::iter(&hints).any(|h| !h.ok && h.text.contains("At least 8")));
    k.tap_digits("3946");
    k.press("Next");
    k.tap_digits("58273946");
    k.press("Next");
    assert_eq!(k.screen(), Screen::SignIn, "{}", k.message());
    assert!(k.message().contains("Setup complete"), "{}", k.message());
    assert_eq!(
        k.field("Operator number"),
        "00",
        "the admin number is filled in"
    );
    k.tap_digits(ADMIN_PW);
    k.press("Sign in");
    assert_eq!(k.screen(), Screen::AdminHome);
    assert!(k.shows("Operators") && k.shows("Password policy") && k.shows("Audit log"));
}

/// Walk-through defect 4: first boot offers the language, by touch and by
/// F2, and the choice outlives setup.
#[test]
fn first_boot_setup_can_be_done_in_chinese() {
    let k = start(|_| {});
    assert_eq!(k.screen(), Screen::Setup);
    let f2 = slint::SharedString::from(slint::platform::Key::F2);
    k.press("Language");
    assert!(k.shows("初始设置"), "setup is not in Chinese");
    k.key(&f2);
    assert!(k.shows("Set up this till"), "F2 did not switch back");
    k.key(&f2);
    k.tap_digits("58273946");
    k.press("下一步");
    k.tap_digits("58273946");
    k.press("下一步");
    assert_eq!(k.screen(), Screen::SignIn, "{}", k.message());
    assert_eq!(k.svc().snapshot().unwrap().unwrap().language, Lang::Zh);
}

#[test]
fn setup_refuses_a_weak_password_with_the_reason() {
    let k = start(|_| {});
    k.tap_digits("12345678");
    k.press("Next");
    k.tap_digits("12345678");
    k.press("Next");
    assert_eq!(k.screen(), Screen::Setup);
    assert!(k.message().contains("consecutive"), "{}", k.message());
}

#[test]
fn cashier_signs_in_and_out_and_fields_are_cleared() {
    let k = start(set_up);
    assert_eq!(k.screen(), Screen::SignIn);
    k.sign_in("01", CASHIER_PW);
    assert_eq!(k.screen(), Screen::Home);
    assert!(k.shows("Hello, 01 Li Wei"));
    assert!(!k.has_button("Operators"), "cashiers see no admin menu");
    k.press("Sign out");
    assert_eq!(k.screen(), Screen::SignIn);
    assert_eq!(k.field("Operator number"), "");
    assert_eq!(k.field("Password"), "");
}

/// The password check runs off the UI thread: "Checking…" shows at once,
/// input to the form is ignored until the answer is back, then the answer
/// replaces it.
#[test]
fn sign_in_says_checking_at_once_and_ignores_input_meanwhile() {
    let k = start(set_up);
    k.key("\u{1b}");
    k.tap_digits("01");
    k.type_keys(CASHIER_PW);
    // Pressed, but not settled: the UI's poll timer has not run yet.
    let ok = k.find("Sign in", AccessibleRole::Button).unwrap();
    ok.invoke_accessible_default_action();
    assert!(k.checking(), "the check ran on the UI thread");
    assert!(k.message().contains("Checking"), "{}", k.message());
    assert_eq!(k.screen(), Screen::SignIn);
    // Keys meanwhile change nothing (and do not wait for the check).
    let before = k._ui.with(|t| t.view().form.fields[0].display.clone());
    k.key_unsettled("\u{1b}");
    assert!(k.checking());
    assert_eq!(
        k._ui.with(|t| t.view().form.fields[0].display.clone()),
        before
    );
    k.settle();
    assert_eq!(k.screen(), Screen::Home, "{}", k.message());
    assert!(!k.message().contains("Checking"), "{}", k.message());
}

/// Walk-through defect 2: Tab (F1, the keypad's A) after the number has
/// already moved focus on keeps it on the password, and nothing typed
/// next is lost; on Add operator the name goes into the name.
#[test]
fn tab_after_a_whole_number_keeps_what_is_typed_next() {
    let k = start(set_up);
    k.key("\u{1b}");
    k.tap_digits("01");
    k.key("\t");
    k.type_keys(CASHIER_PW);
    assert_eq!(k.field("Operator number"), "01");
    k.press("Sign in");
    assert_eq!(k.screen(), Screen::Home, "{}", k.message());
    k.press("Sign out");
    k.sign_in("00", ADMIN_PW);
    k.press("Add operator");
    k.type_keys("05");
    k.key("\t");
    k.type_keys("Min");
    assert_eq!(k.field("Operator number (00-99)"), "05");
    assert_eq!(k.field("Name"), "Min");
}

/// Walk-through defect 9: OK on the letter keyboard puts it away; it does
/// not send the Add-operator form.
#[test]
fn ok_on_the_letter_keyboard_closes_it_and_sends_nothing() {
    let k = start(set_up);
    k.sign_in("00", ADMIN_PW);
    k.press("Add operator");
    k.tap_digits("05");
    k.press("Letters");
    assert!(k.has_button("Numbers"), "the letter keyboard is open");
    for c in ["m", "i", "n"] {
        k.press(c);
    }
    k.press("OK");
    assert_eq!(k.screen(), Screen::AddOperator, "{}", k.message());
    assert!(!k.has_button("Numbers"), "the keypad is back");
    assert_eq!(k.field("Name"), "min");
    k.press("Add");
    assert_eq!(
        k.screen(),
        Screen::TempPassword,
        "the keypad's Add sends it"
    );
}

/// Walk-through defect 6: a till without recovery says so, with the
/// command, while an admin is there to act: on the setup screen, on the
/// admin's home screen and in Terminal info; not once it is set up.
#[test]
fn a_till_without_recovery_says_so_while_an_admin_can_act() {
    const FIX: &str = "sudo -u till-kiosk tillctl recovery provision --master-key FILE";
    let k = start(|_| {});
    assert_eq!(k.screen(), Screen::Setup);
    assert!(k.message().contains(FIX), "{}", k.message());
    let k = start(set_up);
    k.sign_in("00", ADMIN_PW);
    let banner = k.window.global::<AppAdapter>().get_banner();
    assert!(banner.contains(FIX), "{banner}");
    k.press("Terminal info");
    assert!(k.shows(&format!("Not set up: {FIX}")));
    let k = start(|svc| {
        set_up(svc);
        svc.provision(&cli(), MASTER).unwrap();
    });
    k.sign_in("00", ADMIN_PW);
    assert_eq!(k.window.global::<AppAdapter>().get_banner(), "");
}

#[test]
fn wrong_passwords_show_tries_left_then_a_live_countdown() {
    let k = start(set_up);
    for left in [4, 3, 2, 1] {
        k.sign_in("01", "11112222");
        let want = if left == 1 {
            "1 try left".to_owned()
        } else {
            format!("{left} tries left")
        };
        assert!(k.message().contains(&want), "{}", k.message());
        assert_eq!(k.field("Password"), "", "the wrong password is wiped");
    }
    k.sign_in("01", "11112222");
    assert!(k.message().contains("Try again in 1:00"), "{}", k.message());
    // Input is disabled while the wait runs.
    assert!(!k.button_enabled("Sign in"));
    k.type_keys("123");
    assert_eq!(k.field("Password"), "");
    k.wait(Duration::from_secs(25));
    assert!(k.message().contains("Try again in 35 s"), "{}", k.message());
    k.wait(Duration::from_secs(35));
    assert!(k.button_enabled("Sign in"), "{}", k.message());
    k.sign_in("01", CASHIER_PW);
    assert_eq!(k.screen(), Screen::Home);
}

#[test]
fn unknown_numbers_look_like_wrong_passwords() {
    let k = start(set_up);
    k.sign_in("01", "11112222");
    let known = k.message();
    k.sign_in("57", "11112222");
    let unknown = k.message();
    assert_eq!(known, unknown);
    // And it is the wrong-password answer, not two empty messages.
    assert_eq!(known, "Wrong operator number or password. 4 tries left.");
}

/// Walk-through defect 1: the lock message belongs to the number it was
/// about. Before the fix, 02 showed 01's "Try again in 1:00", frozen.
#[test]
fn a_lock_message_belongs_to_its_number() {
    let k = start(set_up);
    for _ in 0..5 {
        k.sign_in("01", "11112222");
    }
    assert!(k.message().contains("Try again in 1:00"), "{}", k.message());
    // The number is rubbed out (as staff do; the lock left the focus on
    // it), and another typed.
    k.key("\u{8}");
    k.key("\u{8}");
    k.tap_digits("02");
    assert_eq!(k.field("Operator number"), "02");
    assert!(
        !k.message().contains("Try again"),
        "02 is not locked: {}",
        k.message()
    );
    assert!(k.button_enabled("Sign in"));
    k.key("\u{1b}");
    k.tap_digits("00");
    assert_eq!(k.field("Operator number"), "00");
    assert!(
        !k.message().contains("Try again"),
        "00 is not locked: {}",
        k.message()
    );
    // Back to 01: its own wait, live.
    k.key("\u{1b}");
    k.wait(Duration::from_secs(10));
    k.tap_digits("01");
    assert!(k.message().contains("Try again in 50 s"), "{}", k.message());
}

/// Walk-through defects 3 and 11: the message keeps room for two lines,
/// so a two-line reason is not cut off and the buttons below it do not
/// jump down under a finger when one appears.
#[test]
fn a_two_line_message_fits_and_moves_nothing() {
    let k = start(set_up);
    let forgot = || {
        k.find("Forgot admin password?", AccessibleRole::Button)
            .expect("the recovery button")
            .absolute_position()
            .y
    };
    let before = forgot();
    // Ten wrong attempts across numbers pause the whole till: the longest
    // sign-in message there is (two lines at 800x480).
    for n in ["57", "57", "57", "57", "58", "58", "58", "58", "59", "59"] {
        k.sign_in(n, "11112222");
    }
    let m = k.message();
    assert!(m.contains("paused"), "{m}");
    k.assert_two_lines_for_the_message();
    assert_eq!(forgot(), before, "the buttons moved");
}

/// Walk-through defect 3: on the setup screen (the fullest at 800x480) a
/// two-line reason gets two lines, not one cut off top and bottom.
#[test]
fn setup_shows_a_two_line_reason_whole() {
    let k = start(|_| {});
    k.tap_digits("12345678");
    k.press("Next");
    k.tap_digits("12345678");
    k.press("Next");
    let m = k.message();
    assert!(m.contains("consecutive"), "{m}");
    k.assert_two_lines_for_the_message();
}

/// Walk-through defect 8: an error stays only until new input is typed.
#[test]
fn an_error_goes_away_when_new_input_is_typed() {
    let k = start(set_up);
    k.sign_in("01", "11112222");
    assert!(k.message().contains("4 tries left"), "{}", k.message());
    k.type_keys("5");
    assert_eq!(k.message(), "", "the old error stays up while typing");
}

/// Walk-through defect 7: a wrong old password says so (the screen has no
/// number), keeps the new password typed, and asks for the old one again.
#[test]
fn a_wrong_old_password_says_old_and_keeps_the_new_one() {
    let k = start(set_up);
    k.cashier_opens_change_password();
    k.type_keys("99999991");
    k.key("\n");
    k.type_keys("58271946");
    k.key("\n");
    k.type_keys("58271946");
    k.press("Next");
    assert_eq!(k.screen(), Screen::ChangePassword);
    assert_eq!(k.message(), "Wrong old password. 4 tries left.");
    assert_eq!(
        k.field("Old password"),
        "",
        "the wrong old password is wiped"
    );
    assert_ne!(
        k.field("New password"),
        "",
        "the new password was wiped too"
    );
    assert_ne!(k.field("New password again"), "");
    k.type_keys(CASHIER_PW);
    // Enter moves on through the kept fields, then submits.
    k.key("\n");
    k.key("\n");
    k.press("Next");
    assert_eq!(k.screen(), Screen::Home, "{}", k.message());
    assert!(k.message().contains("Password changed"), "{}", k.message());
}

#[test]
fn locked_until_admin_says_who_can_help() {
    let k = start(set_up);
    let svc = k.svc();
    for _ in 0..10 {
        svc.authenticate(&Actor::Kiosk, id(1), &Secret::from("0"))
            .unwrap();
        k.clock.advance(Duration::from_secs(3600));
        svc.unlock_terminal(&cli()).unwrap();
    }
    k.tap_digits("01");
    assert!(
        k.message().contains("Ask an administrator"),
        "{}",
        k.message()
    );
    assert!(!k.button_enabled("Sign in"));
}

#[test]
fn change_password_shows_the_reason_then_succeeds() {
    let k = start(set_up);
    k.cashier_opens_change_password();
    assert_eq!(k.screen(), Screen::ChangePassword);
    k.type_keys(CASHIER_PW);
    k.key("\n");
    k.type_keys("888888");
    k.key("\n");
    k.type_keys("888888");
    k.press("Next");
    assert!(
        k.message().contains("identical characters"),
        "{}",
        k.message()
    );
    assert_eq!(k.field("New password"), "", "the refused password is wiped");
    k.type_keys("147258");
    k.key("\n");
    k.type_keys("147258");
    k.press("Next");
    assert!(
        k.message().contains("most common passwords"),
        "{}",
        k.message()
    );
    k.type_keys("58271946");
    k.key("\n");
    k.type_keys("58271946");
    k.press("Next");
    assert_eq!(k.screen(), Screen::Home);
    assert!(k.message().contains("Password changed"), "{}", k.message());
    k.press("Sign out");
    k.sign_in("01", "58271946");
    assert_eq!(k.screen(), Screen::Home);
}

#[test]
fn a_forced_change_after_reset_cannot_be_skipped() {
    let k = start(set_up);
    let temp = k.svc().reset_password(&cli(), id(1)).unwrap();
    k.sign_in("01", temp.expose());
    assert_eq!(k.screen(), Screen::ChangePassword);
    assert!(
        k.message().contains("reset by an administrator"),
        "{}",
        k.message()
    );
    assert!(!k.has_button("Back"), "no way back");
    k.key("\u{1b}");
    assert_eq!(k.screen(), Screen::ChangePassword, "Escape does not leave");
    k.window
        .global::<AppAdapter>()
        .invoke_navigate(Screen::Home);
    k.settle();
    assert_eq!(k.screen(), Screen::ChangePassword, "nor does navigating");
    // Signing out is the only way round.
    k.press("Sign out");
    assert_eq!(k.screen(), Screen::SignIn);
    k.sign_in("01", temp.expose());
    // Walk-through defect 10: the temporary password is carried over.
    assert_eq!(k.field("Old password").chars().count(), 8);
    k.type_keys("61839274");
    k.key("\n");
    k.type_keys("61839274");
    k.key("\n");
    assert_eq!(k.screen(), Screen::Home, "{}", k.message());
}

#[test]
fn admin_adds_resets_unlocks_disables_and_removes_operators() {
    let k = start(set_up);
    k.sign_in("00", ADMIN_PW);
    // Add 05 Zhou Min: number on the keypad, name on the letter keyboard.
    k.press("Add operator");
    k.tap_digits("05");
    k.press("Letters");
    // Shift applies to one letter, as on a phone.
    k.press("Shift");
    for c in ["Z", "h", "o", "u"] {
        k.press(c);
    }
    k.press("Space");
    k.type_keys("Min");
    assert_eq!(k.field("Name"), "Zhou Min");
    k.key("\n");
    assert_eq!(k.screen(), Screen::TempPassword);
    let temp = k
        .window
        .global::<OperatorsAdapter>()
        .get_temp_password()
        .replace(' ', "");
    assert_eq!(temp.len(), 8);
    assert!(k.shows("Temporary password for 05 Zhou Min"));
    k.press("I have written it down");
    assert_eq!(k.screen(), Screen::Operators);
    assert!(
        k.window
            .global::<OperatorsAdapter>()
            .get_temp_password()
            .is_empty(),
        "forgotten once acknowledged"
    );
    assert!(k.find("05 Zhou Min", AccessibleRole::ListItem).is_some());

    // Reset 01: confirm, then a new temporary password.
    k.find("01 Li Wei", AccessibleRole::ListItem)
        .unwrap()
        .invoke_accessible_default_action();
    k.settle();
    assert_eq!(k.screen(), Screen::OperatorDetail);
    k.press("Reset password");
    k.press("Confirm");
    assert_eq!(k.screen(), Screen::TempPassword);
    let reset_pw = k
        .window
        .global::<OperatorsAdapter>()
        .get_temp_password()
        .replace(' ', "");
    k.press("I have written it down");

    // Unlock: 05 locks itself out meanwhile.
    let svc = k.svc();
    for _ in 0..5 {
        svc.authenticate(&Actor::Kiosk, id(5), &Secret::from("1"))
            .unwrap();
    }
    k.press("Back");
    k.press("Operators");
    k.find("05 Zhou Min", AccessibleRole::ListItem)
        .unwrap()
        .invoke_accessible_default_action();
    k.settle();
    assert!(
        k.window
            .global::<OperatorsAdapter>()
            .get_selected()
            .status
            .contains("Locked")
    );
    k.press("Unlock");
    assert!(k.message().contains("Unlocked"), "{}", k.message());
    assert_eq!(
        k.window.global::<OperatorsAdapter>().get_selected().status,
        "Must change password"
    );

    // Disable (with confirmation), then enable again.
    k.press("Disable");
    k.press("Yes, do it");
    assert_eq!(
        k.window.global::<OperatorsAdapter>().get_selected().status,
        "Disabled"
    );
    // A disabled operator's right password is answered as a wrong one.
    assert!(matches!(
        svc.authenticate(&Actor::Kiosk, id(5), &Secret::new(temp.clone()))
            .unwrap(),
        till_kiosk::core::AuthOutcome::Wrong { .. }
    ));
    k.press("Enable");
    assert!(
        svc.authenticate(&Actor::Kiosk, id(5), &Secret::new(temp))
            .unwrap()
            .signed_in()
    );

    // Remove (with confirmation).
    k.press("Remove");
    assert!(k.shows("Remove operator?"));
    k.press("Yes, do it");
    assert_eq!(k.screen(), Screen::Operators);
    assert!(k.find("05 Zhou Min", AccessibleRole::ListItem).is_none());
    assert!(svc.operator(id(5)).is_err());
    // The reset password works, and must be changed.
    assert!(matches!(
        svc.authenticate(&Actor::Kiosk, id(1), &Secret::new(reset_pw))
            .unwrap(),
        till_kiosk::core::AuthOutcome::MustChange { .. }
    ));
}

#[test]
fn the_last_admin_cannot_remove_themselves_and_is_told_why() {
    let k = start(set_up);
    k.sign_in("00", ADMIN_PW);
    k.press("Operators");
    k.find("00 Wang Fang", AccessibleRole::ListItem)
        .unwrap()
        .invoke_accessible_default_action();
    k.settle();
    k.press("Remove");
    k.press("Yes, do it");
    assert!(
        k.message().contains("last administrator"),
        "{}",
        k.message()
    );
    assert!(k.svc().operator(id(0)).is_ok());
}

#[test]
fn language_switch_changes_visible_text_and_is_remembered() {
    let k = start(set_up);
    assert!(k.has_button("Sign in"));
    k.press("Language");
    assert!(k.has_button("登录"), "the sign-in button reads 登录");
    assert!(!k.has_button("Sign in"));
    k.sign_in_zh();
    assert!(k.shows("您好，01 Li Wei"));
    // Messages from the core follow too, and the choice persists.
    assert_eq!(
        k.svc().snapshot().unwrap().unwrap().language,
        till_kiosk::core::Lang::Zh
    );
}

impl Till {
    fn sign_in_zh(&self) {
        self.tap_digits("01");
        self.type_keys("11112222");
        self.press("登录");
        assert!(
            self.message().contains("还可尝试 4 次"),
            "{}",
            self.message()
        );
        self.press("取消");
        self.tap_digits("01");
        self.type_keys(CASHIER_PW);
        self.press("登录");
    }
}

#[test]
fn idle_sign_out_warns_then_signs_out() {
    let k = start(set_up);
    k.sign_in("01", CASHIER_PW);
    k.wait(Duration::from_secs(14 * 60 + 31));
    assert_eq!(k.window.global::<AppAdapter>().get_idle_secs(), 29);
    assert!(k.shows("Signing out in 29 seconds"));
    // Any key cancels.
    k.key("5");
    assert_eq!(k.window.global::<AppAdapter>().get_idle_secs(), 0);
    k.wait(Duration::from_secs(15 * 60));
    assert_eq!(k.screen(), Screen::SignIn);
    assert!(
        k.message().contains("not used for a while"),
        "{}",
        k.message()
    );
    assert_eq!(k.field("Password"), "");
    let log = k.svc().audit_log().unwrap();
    assert!(
        log.records
            .iter()
            .any(|r| r.event == till_kiosk::core::EventKind::SignOut
                && r.detail
                    == Some(till_kiosk::core::AuditDetail::SignOut {
                        reason: till_kiosk::core::SignOutReason::Idle
                    }))
    );
}

#[test]
fn recovery_from_the_sign_in_screen_with_a_desk_response() {
    let k = start(|svc| {
        set_up(svc);
        svc.provision(&cli(), MASTER).unwrap();
    });
    k.press("Forgot admin password?");
    assert_eq!(k.screen(), Screen::Recovery);
    let r = k.window.global::<RecoveryAdapter>();
    let challenge: Challenge = r.get_challenge().parse().unwrap();
    assert_eq!(challenge.serial, "10000000feedc0de");
    // A wrong response first.
    k.tap_digits("000000000000");
    k.press("Next");
    k.type_keys("Fresh-Admin-42");
    k.key("\n");
    k.type_keys("Fresh-Admin-42");
    k.key("\n");
    assert!(
        k.message().contains("Wrong recovery code"),
        "{}",
        k.message()
    );
    // The service desk's answer.
    let code = TillKey::derive(MASTER, &challenge.serial)
        .unwrap()
        .response(&challenge);
    k.tap_digits(code.expose());
    k.press("Next");
    k.type_keys("Fresh-Admin-42");
    k.key("\n");
    k.type_keys("Fresh-Admin-42");
    k.key("\n");
    assert_eq!(k.screen(), Screen::SignIn, "{}", k.message());
    assert!(
        k.message().contains("Administrator password set"),
        "{}",
        k.message()
    );
    k.type_keys("Fresh-Admin-42");
    k.press("Sign in");
    assert_eq!(k.screen(), Screen::AdminHome);
}

#[test]
fn the_service_key_combination_opens_recovery() {
    let k = start(set_up);
    let f1: slint::SharedString = slint::platform::Key::F1.into();
    k.window
        .window()
        .dispatch_event(WindowEvent::KeyPressed { text: f1.clone() });
    k.window
        .window()
        .dispatch_event(WindowEvent::KeyPressed { text: "0".into() });
    k.wait(Duration::from_secs(1));
    assert_eq!(k.screen(), Screen::SignIn, "not yet");
    assert_eq!(
        k.field("Operator number"),
        "",
        "the 0 held with F1 is not typed"
    );
    k.wait(Duration::from_secs(1));
    assert_eq!(k.screen(), Screen::Recovery);
}

#[test]
fn unreadable_state_shows_the_fault_screen_and_nothing_else() {
    let k = start(set_up);
    std::fs::write(k.dir.path().join("state.json"), b"{\"format\":1,\"sha").unwrap();
    // The moment the till looks at its state (a typed number), it stops.
    k.tap_digits("01");
    assert_eq!(k.screen(), Screen::Fault);
    let g = k.window.global::<AppAdapter>();
    assert!(
        g.get_fault_detail().contains("state.json"),
        "{}",
        g.get_fault_detail()
    );
    assert!(g.get_fault_action().contains("tillctl state restore"));
    assert!(!k.has_button("Sign in"));
    k.window
        .global::<AppAdapter>()
        .invoke_navigate(Screen::Recovery);
    k.settle();
    assert_eq!(k.screen(), Screen::Fault);
}

#[test]
fn required_persistence_on_a_volatile_dir_is_a_fault() {
    // /dev/shm is tmpfs on Linux: exactly the RAM overlay case.
    if !common::can_run(Path::new("/dev/shm").is_dir(), "no /dev/shm") {
        return;
    }
    let _ = slint::platform::set_platform(Box::new(TestingBackend::new(TestingBackendOptions {
        mock_time: true,
        threading: false,
        renderer_name: Some("software".into()),
    })));
    let dir = tempfile::tempdir_in("/dev/shm").unwrap();
    let config = parse_config(Path::new("t.yaml"), "require_persistent_state: true\n").unwrap();
    let clock = Arc::new(FakeClock::at_default());
    let kiosk = Kiosk::new(
        service(dir.path(), &config, &clock),
        Arc::new(LogBuzzer::new(false)),
        config.ui.clone(),
        config.default_language,
        None,
    );
    let window = AppWindow::new().unwrap();
    let _ui = Ui::new(&window, kiosk);
    let g = window.global::<AppAdapter>();
    assert_eq!(g.get_screen(), Screen::Fault);
    assert!(
        g.get_fault_detail().contains("tmpfs"),
        "{}",
        g.get_fault_detail()
    );
}

#[test]
fn screens_render_real_pixels() {
    let k = start(set_up);
    let shot = k.window.window().take_snapshot().unwrap();
    assert_eq!((shot.width(), shot.height()), (800, 480));
    // The header band is dark blue; the keypad's OK key is the primary blue.
    let px = |x: usize, y: usize| shot.as_slice()[y * 800 + x];
    let header = px(400, 5);
    assert!(header.b > header.r && header.r < 40, "{header:?}");
    let distinct: std::collections::HashSet<_> = shot
        .as_slice()
        .iter()
        .step_by(97)
        .map(|p| (p.r, p.g, p.b))
        .collect();
    assert!(distinct.len() > 20, "text and widgets were drawn");
}

/// Walk-through defect 5: on a touchscreen a list scrolls by finger drag
/// (Slint turns touch into pointer events), both the operator list and the
/// audit log.
#[test]
fn lists_scroll_by_dragging_a_finger() {
    let k = start(|svc| {
        set_up(svc);
        for n in 10..40 {
            svc.add_operator(&cli(), id(n), &format!("Staff {n}"), Role::Operator, None)
                .unwrap();
        }
    });
    k.sign_in("00", ADMIN_PW);
    k.press("Operators");
    let moved = k.drag_moves();
    assert!(
        moved > 100.0,
        "the operator list moved {moved} px under a 250 px drag"
    );
    k.press("Back");
    k.press("Audit log");
    let moved = k.drag_moves();
    assert!(
        moved > 100.0,
        "the audit log moved {moved} px under a 250 px drag"
    );
}

impl Till {
    /// The labels of everything with `role` on screen, top first.
    fn find_all(&self, role: AccessibleRole) -> Vec<String> {
        self.settle();
        let mut found: Vec<(f32, String)> = ElementQuery::from_root(&self.window)
            .match_accessible_role(role)
            .find_all()
            .into_iter()
            .filter_map(|e| Some((e.absolute_position().y, e.accessible_label()?.to_string())))
            .collect();
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        found.into_iter().map(|(_, l)| l).collect()
    }

    /// A finger on the button's middle: real pointer events, so whatever
    /// is on top there gets them (unlike [`press`](Self::press)).
    fn tap(&self, label: &str) {
        let b = self
            .find(label, AccessibleRole::Button)
            .unwrap_or_else(|| panic!("no button {label:?}"));
        let (p, size) = (b.absolute_position(), b.size());
        let at = slint::LogicalPosition::new(p.x + size.width / 2.0, p.y + size.height / 2.0);
        let w = self.window.window();
        let button = slint::platform::PointerEventButton::Left;
        w.dispatch_event(WindowEvent::PointerPressed {
            position: at,
            button,
        });
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(60));
        w.dispatch_event(WindowEvent::PointerReleased {
            position: at,
            button,
        });
        self.settle();
    }

    /// Drags a finger 250 px up over the list on screen and says how far
    /// its fifth row moved up.
    fn drag_moves(&self) -> f32 {
        let rows = self.find_all(AccessibleRole::ListItem);
        let label = rows.get(4).expect("five rows on screen").as_str();
        let y = |k: &Self| {
            ElementHandle::find_by_accessible_label(&k.window, label)
                .next()
                .unwrap_or_else(|| panic!("no {label:?}"))
                .absolute_position()
                .y
        };
        let before = y(self);
        let w = self.window.window();
        let at = |y: f32| slint::LogicalPosition::new(400.0, y);
        w.dispatch_event(WindowEvent::PointerPressed {
            position: at(400.0),
            button: slint::platform::PointerEventButton::Left,
        });
        for step in 1..=25 {
            i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(16));
            w.dispatch_event(WindowEvent::PointerMoved {
                position: at(400.0 - 10.0 * step as f32),
            });
        }
        // The finger rests before it lifts: no fling, so the distance is
        // the drag's alone.
        for _ in 0..5 {
            i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(50));
            w.dispatch_event(WindowEvent::PointerMoved {
                position: at(150.0),
            });
        }
        w.dispatch_event(WindowEvent::PointerReleased {
            position: at(150.0),
            button: slint::platform::PointerEventButton::Left,
        });
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(500));
        self.settle();
        before - y(self)
    }
}

/// Walk-through defect 12: a name stops at 32 characters and says so, with
/// a count near the limit, and while it is typed its end stays in view.
#[test]
fn a_long_name_says_its_limit_and_shows_its_end() {
    let k = start(set_up);
    k.sign_in("00", ADMIN_PW);
    k.press("Add operator");
    k.type_keys("05");
    let long = "Alexandra Konstantinopoulou-Smithers";
    k.type_keys(&long[..26]);
    assert!(k.shows("Name 26/32"), "no count near the limit");
    k.type_keys(&long[26..]);
    assert_eq!(k.field("Name"), &long[..32]);
    assert!(
        k.message().contains("At most 32 characters"),
        "{}",
        k.message()
    );
    let shown = format!("{}▏", &long[..32]);
    let text = ElementHandle::find_by_accessible_label(&k.window, &shown)
        .next()
        .expect("the name as shown");
    let field = k.find("Name", AccessibleRole::TextInput).unwrap();
    let (tx, tw) = (text.absolute_position().x, text.size().width);
    let (fx, fw) = (field.absolute_position().x, field.size().width);
    assert!(
        tx < fx,
        "the name fits the box, so this test shows nothing ({tx} >= {fx})"
    );
    assert!(
        tx + tw <= fx + fw,
        "the end of the name is cut off: text ends at {}, the box at {}",
        tx + tw,
        fx + fw
    );
    // Backspace takes the message away: it was about the key refused.
    k.key("\u{8}");
    assert!(!k.message().contains("At most"), "{}", k.message());
}

/// Walk-through defect 13, toggles: on, off and required look different
/// and say which they are.
#[test]
fn policy_switches_say_on_off_or_required() {
    let yaml = "policy:\n  reject_dates: false\n  reject_repeating_patterns: false\n";
    let k = start_with(yaml, set_up);
    k.sign_in("00", ADMIN_PW);
    k.press("Password policy");
    let state = |label: &str| {
        let sw = k.find(label, AccessibleRole::Switch).unwrap();
        let words: Vec<String> = sw
            .query_descendants()
            .match_accessible_role(AccessibleRole::Text)
            .find_all()
            .into_iter()
            .filter_map(|t| t.accessible_label().map(|l| l.to_string()))
            .collect();
        let value = sw.accessible_value().unwrap_or_default().to_string();
        assert!(
            words.contains(&value),
            "{label}: {value:?} is not shown: {words:?}"
        );
        value
    };
    assert_eq!(state("Refuse common passwords"), "Required");
    assert_eq!(state("Refuse dates"), "Off");
    assert_eq!(state("Refuse patterns"), "Off");
    k.find("Refuse patterns", AccessibleRole::Switch)
        .unwrap()
        .invoke_accessible_default_action();
    assert_eq!(state("Refuse patterns"), "On");
}

/// Walk-through defect 13, tiles: the tiles of a menu have one width in
/// English, whatever their words.
#[test]
fn menu_tiles_share_the_width() {
    let k = start(set_up);
    let widths = |labels: &[&str]| -> Vec<f32> {
        labels
            .iter()
            .map(|l| k.find(l, AccessibleRole::Button).unwrap().size().width)
            .collect()
    };
    let same = |w: Vec<f32>| {
        let (lo, hi) = w
            .iter()
            .fold((f32::MAX, 0f32), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        assert!(hi - lo <= 1.0, "tile widths differ: {w:?}");
    };
    k.sign_in("00", ADMIN_PW);
    same(widths(&[
        "Operators",
        "Add operator",
        "Password policy",
        "Audit log",
        "Change my password",
        "Terminal info",
    ]));
    k.press("Sign out");
    k.sign_in("01", CASHIER_PW);
    k.press("Settings");
    same(widths(&["Security settings", "Language"]));
}

/// Walk-through defect 13: the terminal can be renamed after setup, by an
/// admin, from Terminal info; the header and the audit log follow.
#[test]
fn an_admin_renames_the_terminal() {
    let k = start(set_up);
    k.sign_in("00", ADMIN_PW);
    k.press("Terminal info");
    k.press("Rename");
    assert_eq!(k.field("Terminal name"), "Till 1");
    k.press("Clear");
    k.type_keys("Front till");
    k.press("Save");
    assert_eq!(k.screen(), Screen::TerminalInfo, "{}", k.message());
    assert!(k.message().contains("renamed"), "{}", k.message());
    assert_eq!(
        k.window.global::<AppAdapter>().get_terminal_name(),
        "Front till"
    );
    let svc = k.svc();
    assert_eq!(svc.snapshot().unwrap().unwrap().terminal_name, "Front till");
    assert!(svc.audit_log().unwrap().records.iter().any(|r| r.detail
        == Some(till_kiosk::core::AuditDetail::TerminalName {
            name: "Front till".into()
        })));
}

/// Walk-through defect 13: Terminal info words the built-in settings in
/// Chinese too.
#[test]
fn terminal_info_is_chinese_in_chinese() {
    let k = start(set_up);
    k._ui
        .update(|t| t.set_config_source(till_kiosk::config::Source::BuiltIn));
    k.press("Language");
    k.sign_in_zh();
    k.press("退出登录");
    k.key("\u{1b}");
    k.tap_digits("00");
    k.type_keys(ADMIN_PW);
    k.press("登录");
    k.press("终端信息");
    assert!(
        k.shows("内置默认设置"),
        "the config source is not in Chinese"
    );
    assert!(!k.shows("built-in defaults"));
}

/// Walk-through defect 13: a lock reads as the m:ss countdown in the audit
/// log in both languages (it said "locked for 60 s" in English).
#[test]
fn the_audit_log_words_a_lock_as_a_countdown_in_both_languages() {
    let k = start(|svc| {
        set_up(svc);
        for _ in 0..5 {
            svc.authenticate(&Actor::Kiosk, id(1), &Secret::from("1"))
                .unwrap();
        }
    });
    let outcomes = |k: &Till| -> Vec<String> {
        k.settle();
        let rows = k.window.global::<AuditAdapter>().get_rows();
        slint::Model::iter(&rows)
            .map(|r| r.outcome.to_string())
            .collect()
    };
    k.sign_in("00", ADMIN_PW);
    k.press("Audit log");
    let en = outcomes(&k);
    assert!(en.iter().any(|o| o.contains("locked for 1:00")), "{en:?}");
    k.press("Back");
    k.press("Language");
    k.press("Chinese");
    k.press("返回");
    k.press("审计日志");
    let zh = outcomes(&k);
    assert!(zh.iter().any(|o| o.contains("锁定 1:00")), "{zh:?}");
}

#[test]
fn the_sign_in_screen_dims_then_sleeps_and_the_first_touch_only_wakes() {
    let k = start_with("ui:\n  screen_off_after: 2m\n", set_up);
    let app = || k.window.global::<AppAdapter>();
    k.tap("4");
    assert_eq!(k.field("Operator number"), "4", "a tap types while awake");
    k.key("\u{1b}");
    k.wait(Duration::from_secs(85));
    assert!(!app().get_asleep());
    k.wait(Duration::from_secs(10));
    assert!(app().get_asleep(), "dimmed 30 s before the end");
    assert!(
        app().get_shade() > 0.5 && app().get_shade() < 1.0,
        "{}",
        app().get_shade()
    );
    k.wait(Duration::from_secs(30));
    assert_eq!(app().get_shade(), 1.0, "off: black");
    // The first touch only wakes: on the language button it does not
    // switch, on a digit it does not type.
    k.tap("Language");
    assert!(!app().get_asleep());
    assert_eq!(app().get_lang(), "en", "the waking touch pressed a button");
    k.wait(Duration::from_secs(125));
    k.tap("4");
    assert!(!app().get_asleep());
    assert_eq!(k.field("Operator number"), "", "the waking touch typed");
    k.tap("4");
    assert_eq!(k.field("Operator number"), "4");
    // A key wakes the same way.
    k.key("\u{1b}");
    k.wait(Duration::from_secs(125));
    assert!(app().get_asleep());
    k.key("7");
    assert!(!app().get_asleep());
    assert_eq!(k.field("Operator number"), "", "the waking key typed");
    // Signed in, the screen never sleeps (the idle sign-out rules there).
    k.sign_in("01", CASHIER_PW);
    k.wait(Duration::from_secs(10 * 60));
    assert!(!app().get_asleep());
}

impl Till {
    fn toggle(&self, label: &str) {
        self.find(label, AccessibleRole::Switch)
            .unwrap_or_else(|| panic!("no switch {label:?}"))
            .invoke_accessible_default_action();
        self.settle();
    }

    /// A badge read on the (mock) reader.
    fn swipe(&self, card: &str) {
        self._ui.update(|k| k.badge(Secret::from(card)));
        self.settle();
    }

    fn open_operator(&self, label: &str) {
        self.press("Operators");
        self.find(label, AccessibleRole::ListItem)
            .unwrap()
            .invoke_accessible_default_action();
        self.settle();
    }

    fn sign_in_by_badge(&self, card: &str, pin: &str) {
        self.key("\u{1b}");
        self.swipe(card);
        self.type_keys(pin);
        self.press("Sign in");
    }
}

#[test]
fn an_admin_enrols_a_badge_and_the_cashier_signs_in_with_it_and_the_pin() {
    let k = start(set_up);
    k.sign_in("00", ADMIN_PW);
    k.open_operator("01 Li Wei");
    k.press("Enrol badge");
    assert!(k.shows("Swipe the badge now"));
    k.swipe("1234567890");
    assert!(k.message().contains("Badge enrolled"), "{}", k.message());
    // Only a keyed hash is kept: the card's data is nowhere in the state.
    let state = std::fs::read_to_string(k.dir.path().join("state.json")).unwrap_or_default();
    assert!(!state.is_empty() && !state.contains("1234567890"));
    k.press("Back");
    k.press("Back");
    k.press("Sign out");

    k.key("\u{1b}");
    let beeps = k.buzzer.played().len();
    k.swipe("1234567890");
    assert!(k.message().contains("Badge read"), "{}", k.message());
    assert_eq!(
        k.buzzer.played()[beeps..],
        [till_kiosk::hw::Beep::Success],
        "the buzzer confirms the read"
    );
    assert_eq!(
        k.field("Operator number"),
        "Badge ✓",
        "the badge's number is not shown"
    );
    k.type_keys(CASHIER_PW);
    k.press("Sign in");
    assert_eq!(k.screen(), Screen::Home, "{}", k.message());
    assert!(k.shows("01 Li Wei"));
}

#[test]
fn an_unknown_badge_fails_exactly_like_a_wrong_pin_and_counts() {
    let k = start(|svc| {
        set_up(svc);
        svc.enrol_badge(&cli(), id(1), &Secret::from("1234567890"))
            .unwrap();
    });
    k.sign_in_by_badge("1234567890", "99999999");
    let wrong_pin = k.message();
    k.sign_in_by_badge("5555555555", CASHIER_PW);
    let unknown = k.message();
    assert_eq!(wrong_pin, unknown);
    assert!(unknown.contains("Wrong badge or PIN"), "{unknown}");
    let log = k.svc().audit_log().unwrap();
    let last = log.records.last().unwrap();
    assert_eq!(last.subject.as_deref(), Some("badge"));
    assert!(matches!(
        last.detail,
        Some(till_kiosk::core::AuditDetail::Wrong {
            unknown_badge: true,
            ..
        })
    ));
    // It counted against the till-wide rate: enough of them pause the till.
    for n in 0..30 {
        k.sign_in_by_badge(&format!("77777{n:05}"), CASHIER_PW);
    }
    assert!(
        k.message().contains("paused") || k.message().contains("暂停"),
        "{}",
        k.message()
    );
}

#[test]
fn admins_who_need_their_badge_get_nothing_for_the_password_alone() {
    let k = start(set_up);
    k.sign_in("00", ADMIN_PW);
    k.press("Password policy");
    k.toggle("Admins need their badge");
    k.press("Save");
    assert!(
        k.message().contains("no badge"),
        "refused while 00 has none: {}",
        k.message()
    );
    k.press("Back");
    k.open_operator("00 Wang Fang");
    k.press("Enrol badge");
    k.swipe("A1B2C3");
    k.press("Back");
    k.press("Back");
    k.press("Password policy");
    k.toggle("Admins need their badge");
    k.press("Save");
    assert!(
        k.message().contains("saved") || k.message().contains("Saved"),
        "{}",
        k.message()
    );
    k.press("Back");
    k.press("Sign out");

    k.sign_in("00", ADMIN_PW);
    assert_eq!(k.screen(), Screen::SignIn);
    assert!(k.message().contains("Wrong"), "{}", k.message());
    k.sign_in_by_badge("A1B2C3", ADMIN_PW);
    assert_eq!(k.screen(), Screen::AdminHome, "{}", k.message());
    // Cashiers are not affected.
    k.press("Sign out");
    k.sign_in("01", CASHIER_PW);
    assert_eq!(k.screen(), Screen::Home, "{}", k.message());
}

/// Issue 19.5: with cashiers needing their badge, the forced change after
/// a badge sign-in goes through (it used to answer "wrong" and lock out).
#[test]
fn the_forced_change_after_a_badge_sign_in_goes_through() {
    let temp = std::cell::RefCell::new(None);
    let k = start(|svc| {
        set_up(svc);
        svc.enrol_badge(&cli(), id(1), &Secret::from("1234567890"))
            .unwrap();
        let mut p = svc.policy().unwrap();
        p.require_badge.operator = true;
        svc.set_policy(&cli(), &p).unwrap();
        *temp.borrow_mut() = Some(svc.reset_password(&cli(), id(1)).unwrap());
    });
    let temp = temp.into_inner().unwrap();
    k.sign_in_by_badge("1234567890", temp.expose());
    assert_eq!(k.screen(), Screen::ChangePassword, "{}", k.message());
    // The temporary password was carried into the form; the new one twice.
    k.type_keys("61724938");
    k.key("\n");
    k.type_keys("61724938");
    k.press("Next");
    assert_eq!(k.screen(), Screen::Home, "{}", k.message());
    assert!(k.message().contains("Password changed"), "{}", k.message());
}
