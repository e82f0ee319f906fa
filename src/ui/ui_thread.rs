//! The UI thread's handle for other threads: the keypad, the scripted
//! keypad and the session API post closures to the Slint event loop and
//! find the kiosk here. A leaf of `ui`: the app and the session engine both
//! use it, and neither needs the other.

use super::Ui;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

thread_local! {
    /// The UI, for closures posted from other threads.
    static CURRENT: RefCell<Weak<Ui>> = const { RefCell::new(Weak::new()) };
}

/// Makes `ui` the target of posted closures and keys (the app does this
/// at start-up).
pub fn set_current(ui: &Rc<Ui>) {
    CURRENT.with(|c| *c.borrow_mut() = Rc::downgrade(ui));
}

/// Runs `f` with the UI, on the UI thread.
pub(crate) fn with_current(f: impl FnOnce(&Rc<Ui>)) {
    CURRENT.with(|c| {
        if let Some(ui) = c.borrow().upgrade() {
            f(&ui);
        }
    });
}

/// Runs `f` on the UI thread from another thread and waits (at most 5 s)
/// for its answer: how the scripted keypad and the session API ask the
/// kiosk anything.
pub(crate) fn call_ui<R: Send + 'static>(
    f: impl FnOnce(&Rc<Ui>) -> R + Send + 'static,
) -> Result<R, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    slint::invoke_from_event_loop(move || {
        with_current(|ui| {
            let _ = tx.send(f(ui));
        })
    })
    .map_err(|e| format!("the kiosk is not running: {e}"))?;
    rx.recv_timeout(Duration::from_secs(5))
        .map_err(|_| "the kiosk did not answer within 5 s".to_owned())
}
