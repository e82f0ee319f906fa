//! The kiosk UI: Slint screens driven by the [`controller::Kiosk`] controller.
//!
//! * `ui/*.slint` draw; they talk to Rust only through the adapter globals.
//! * [`adapters`] has one module per global: `connect` wires its callbacks
//!   to the controller, `apply` copies its part of the [`view::View`].
//! * [`controller`] decides everything (through [`crate::service`]), one
//!   module per screen group (sign-in, operators, policy, audit, info,
//!   recovery, approval) over one state; [`form`] is
//!   the shared input mechanism; [`view`] is what the screen shows.
//! * [`app`] runs the real window ([`headless`]: without a display).
//! * Dev tools, only with the `devtools` feature (tests, benches and
//!   screenshots switch it on; the packaged build has none of it, so no
//!   sample passwords or sample master key ship): `screenshot` renders
//!   every screen to PNG, `demo` builds its scenes, `bench` measures
//!   start-up and key latency.
//!
//! Static UI text is translated by Slint (`@tr`, bundled `.po`); messages
//! decided by the core come translated from the core, so the kiosk and
//! `tillctl` use the same words.

pub mod adapters;
pub mod app;
#[cfg(feature = "devtools")]
pub mod bench;
pub mod controller;
#[cfg(feature = "devtools")]
pub mod demo;
pub mod form;
pub mod headless;
pub mod keymap;
#[cfg(feature = "devtools")]
pub mod screenshot;
pub mod session_engine;
pub mod ui_thread;
pub mod view;

/// The Rust side of `ui/app.slint`.
#[allow(missing_docs, clippy::all, unused_qualifications)]
pub mod generated {
    slint::include_modules!();
}

pub use generated::AppWindow;

use controller::Kiosk;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::rc::Rc;
use view::View;

/// The window, the controller and the last view applied.
pub struct Ui {
    window: slint::Weak<AppWindow>,
    kiosk: RefCell<Kiosk>,
    last: RefCell<Option<View>>,
    chord_timer: slint::Timer,
    check_timer: slint::Timer,
    me: std::rc::Weak<Ui>,
    events: RefCell<Option<EventHook>>,
}

/// Receives the kiosk's events (the session API's broadcaster).
pub type EventHook = Box<dyn Fn(&controller::KioskEvent)>;

impl std::fmt::Debug for Ui {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ui")
            .field("kiosk", &self.kiosk)
            .finish_non_exhaustive()
    }
}

impl Ui {
    /// Binds `kiosk` to `window`: connects every adapter and shows the first view.
    pub fn new(window: &AppWindow, kiosk: Kiosk) -> Rc<Ui> {
        let ui = Rc::new_cyclic(|me| Ui {
            window: window.as_weak(),
            kiosk: RefCell::new(kiosk),
            last: RefCell::new(None),
            chord_timer: slint::Timer::default(),
            check_timer: slint::Timer::default(),
            me: me.clone(),
            events: RefCell::new(None),
        });
        adapters::connect_all(window, &ui);
        ui.refresh();
        ui
    }

    /// Runs `f` on the controller, then updates the screen.
    pub fn update<R>(&self, f: impl FnOnce(&mut Kiosk) -> R) -> R {
        let r = f(&mut self.kiosk.borrow_mut());
        self.refresh();
        r
    }

    /// Reads the controller.
    pub fn with<R>(&self, f: impl FnOnce(&Kiosk) -> R) -> R {
        f(&self.kiosk.borrow())
    }

    /// Replaces the controller (screenshots switch between sample tills).
    pub fn replace(&self, kiosk: Kiosk) {
        *self.kiosk.borrow_mut() = kiosk;
        *self.last.borrow_mut() = None;
        self.refresh();
    }

    /// Sends the kiosk's events to `hook` from now on.
    pub fn set_event_hook(&self, hook: EventHook) {
        *self.events.borrow_mut() = Some(hook);
    }

    /// Copies what changed in the view into the Slint globals, and passes
    /// the kiosk's events on.
    pub fn refresh(&self) {
        let events = self.kiosk.borrow_mut().take_events();
        if let Some(hook) = self.events.borrow().as_ref() {
            for e in &events {
                hook(e);
            }
        }
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let view = self.kiosk.borrow().view();
        let mut last = self.last.borrow_mut();
        adapters::apply_all(&window, &view, last.as_ref());
        *last = Some(view);
        drop(last);
        self.poll_while_checking();
    }

    /// While a password is checked on a worker thread, looks for its
    /// answer every 5 ms (a frame is 16.7 ms); otherwise no timer runs.
    fn poll_while_checking(&self) {
        let checking = self.kiosk.borrow().is_checking();
        if !checking {
            self.check_timer.stop();
            return;
        }
        if self.check_timer.running() {
            return;
        }
        let me = self.me.clone();
        self.check_timer.start(
            slint::TimerMode::Repeated,
            std::time::Duration::from_millis(5),
            move || {
                let Some(ui) = me.upgrade() else { return };
                let answered = ui.kiosk.borrow_mut().poll_check();
                if answered {
                    ui.refresh();
                }
            },
        );
    }

    /// Arms a one-shot timer for the service key combination, if one is held.
    pub(crate) fn arm_chord(self: &Rc<Self>) {
        let deadline = self.kiosk.borrow().chord_deadline();
        let Some(deadline) = deadline else { return };
        let now = self.kiosk.borrow().service().clock().boot().since_boot_ms;
        let wait = std::time::Duration::from_millis(deadline.saturating_sub(now));
        let weak = Rc::downgrade(self);
        self.chord_timer
            .start(slint::TimerMode::SingleShot, wait, move || {
                if let Some(ui) = weak.upgrade() {
                    ui.update(Kiosk::poll_chord);
                }
            });
    }
}
