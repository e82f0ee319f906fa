//! Slow checks off the UI thread.
//!
//! An argon2id verification costs what `tillctl calibrate` made it cost:
//! about 250 ms on a Pi, and a password change several of them. Run on the
//! Slint event loop, that froze the whole screen for each attempt with no
//! feedback. Now the check runs on a worker thread with its own copy of
//! the [`Service`] (the store serialises it against everything else with
//! its lock, as it does for `tillctl`), the screen says "Checking…" at
//! once, and input is ignored until the answer is back. The UI polls for
//! the answer ([`Kiosk::poll_check`]) from a short timer that runs only
//! while a check is out; scripts and tests may block on it instead
//! ([`Kiosk::wait_check`]).
//!
//! One check at a time: a second is never started while one runs, and an
//! approval request arriving meanwhile is answered "busy" (the program
//! asks again).

use super::{Kiosk, Note};
use crate::core::{AuthOutcome, OperatorId, Secret};
use crate::hw::Beep;
use crate::service::{Service, ServiceError};
use crate::ui::view::MsgKind;
use std::sync::mpsc::{self, Receiver, TryRecvError};

/// What a finished check found, and what it was for.
pub(super) enum Done {
    /// A sign-in on the sign-in screen, with the password typed (a
    /// temporary one is carried into the forced change).
    SignIn(OperatorId, Result<AuthOutcome, ServiceError>, Secret),
    /// A supervisor's PIN for approval `u64`, with their typed number
    /// (`None`: their badge was swiped).
    Approval(u64, Option<OperatorId>, Result<AuthOutcome, ServiceError>),
    /// The signed-in operator's own password change.
    Change(Result<(), ServiceError>),
    /// A sign-in by badge, with the PIN typed.
    Badge(Result<AuthOutcome, ServiceError>, Secret),
}

/// A check out on a worker thread.
pub(super) struct Pending {
    rx: Receiver<Done>,
}

impl Kiosk {
    /// Whether a check is running (the screen says "Checking…").
    pub fn is_checking(&self) -> bool {
        self.pending.is_some()
    }

    /// Runs `job` on a worker thread; its answer comes back through
    /// [`poll_check`](Kiosk::poll_check). The OK click sounds now, not
    /// when the answer is back.
    pub(super) fn check_off_thread(&mut self, job: impl FnOnce(&Service) -> Done + Send + 'static) {
        let svc = self.svc.clone();
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("till-check".into())
            .spawn(move || {
                let _ = tx.send(job(&svc));
            });
        match spawned {
            Ok(_) => {
                self.buzzer.play(Beep::Click);
                self.pending = Some(Pending { rx });
                self.note(MsgKind::Info, Note::Checking);
            }
            // Nothing was checked or counted: the form stays as it was.
            Err(e) => {
                tracing::error!("no thread for a password check: {e}");
                self.buzzer.play(Beep::Error);
                self.note(MsgKind::Error, Note::TryAgain);
            }
        }
    }

    /// Takes the running check's answer if it is ready. Returns whether
    /// the screen changed.
    pub fn poll_check(&mut self) -> bool {
        let Some(p) = &self.pending else {
            return false;
        };
        match p.rx.try_recv() {
            Ok(done) => {
                self.pending = None;
                self.finish_check(done);
                true
            }
            Err(TryRecvError::Empty) => false,
            Err(TryRecvError::Disconnected) => {
                self.pending = None;
                self.check_lost();
                true
            }
        }
    }

    /// Blocks until the running check's answer is in, and takes it
    /// (scripts and tests; the UI polls instead).
    pub fn wait_check(&mut self) {
        let Some(p) = self.pending.take() else {
            return;
        };
        match p.rx.recv() {
            Ok(done) => self.finish_check(done),
            Err(_) => self.check_lost(),
        }
    }

    /// The worker died without an answer (it panicked). Whatever it
    /// recorded stays recorded; nobody is signed in by it.
    fn check_lost(&mut self) {
        tracing::error!("a password check ended without an answer");
        self.buzzer.play(Beep::Error);
        self.note(MsgKind::Error, Note::TryAgain);
    }

    fn finish_check(&mut self, done: Done) {
        if self.msg.0 == MsgKind::Info {
            self.msg = (MsgKind::None, String::new());
        }
        match done {
            Done::SignIn(id, r, pw) => self.sign_in_checked(id, r, pw),
            Done::Approval(aid, id, r) => self.approval_checked(aid, id, r),
            Done::Change(r) => self.change_checked(r),
            Done::Badge(r, pw) => self.badge_checked(r, pw),
        }
    }
}
