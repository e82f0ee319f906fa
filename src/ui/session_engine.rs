//! The session API's [`Engine`], backed by the kiosk on the UI thread, and
//! the kiosk's events as the API's event lines.

use super::controller::KioskEvent;
use super::ui_thread::call_ui;
use crate::core::{Actor, AuditDetail, AuditEvent, EventKind, Outcome, WallTime};
use crate::service::Service;
use crate::session::protocol::{self, ApprovalRequest, ApprovalResult, BadRequest, SessionInfo};
use crate::session::server::Engine;
use serde_json::json;

/// The kiosk, as the session API sees it.
pub struct UiEngine {
    /// For auditing refused peers from the server's threads.
    pub service: Service,
}

impl Engine for UiEngine {
    fn whoami(&self) -> Result<Option<SessionInfo>, String> {
        call_ui(|ui| ui.with(|k| k.session_info()))
    }

    fn sign_out(&self) -> Result<Option<String>, String> {
        call_ui(|ui| {
            ui.update(|k| {
                let who = k.session().map(|s| s.id.to_string());
                k.sign_out_by_api();
                who
            })
        })
    }

    fn approve(
        &self,
        id: u64,
        req: ApprovalRequest,
        done: Box<dyn FnOnce(ApprovalResult) + Send>,
    ) -> Result<(), BadRequest> {
        let started = call_ui(move |ui| ui.update(|k| k.start_approval(id, req, done)))
            .map_err(|e| protocol::bad("unavailable", e));
        if started.is_err() {
            // The UI may still get to it later: withdraw it (posted after
            // it, so it runs after it) rather than leave it on screen for a
            // caller that was told it failed.
            self.cancel(id);
        }
        started?
    }

    fn cancel(&self, id: u64) {
        if let Err(e) = call_ui(move |ui| ui.update(|k| k.cancel_approval(id))) {
            tracing::warn!("approval {id} not cancelled: {e}");
        }
    }

    fn peer_refused(&self, uid: u32, gid: u32, pid: i32, unrecorded: u64) {
        let ev = AuditEvent::new(
            EventKind::PeerRefused,
            &Actor::Peer { uid },
            None,
            Outcome::Refused,
        )
        .detail(AuditDetail::Peer {
            gid,
            pid,
            more: unrecorded,
        });
        if let Err(e) = self.service.record(vec![ev]) {
            tracing::error!("refused peer not audited: {e}");
        }
    }

    fn approvals_refused(&self, uid: u32, unrecorded: u64) {
        let per_minute =
            u32::try_from(crate::session::server::APPROVALS_PER_MINUTE).unwrap_or(u32::MAX);
        let ev = AuditEvent::new(
            EventKind::ApprovalRequested,
            &Actor::Peer { uid },
            None,
            Outcome::Refused,
        )
        .detail(AuditDetail::TooManyApprovals {
            per_minute,
            more: unrecorded,
        });
        if let Err(e) = self.service.record(vec![ev]) {
            tracing::error!("refused approval not audited: {e}");
        }
    }
}

/// A kiosk event as a session API event line.
pub fn event_line(e: &KioskEvent, now: WallTime) -> String {
    let t = now.rfc3339();
    match e {
        KioskEvent::SignedIn(s) => protocol::event(
            "signed_in",
            &t,
            json!({"operator": s.id.to_string(), "name": s.name, "role": s.role.to_string(), "must_change_password": s.must_change.is_some()}),
        ),
        KioskEvent::SignedOut { id, reason } => protocol::event(
            "signed_out",
            &t,
            json!({"operator": id.to_string(), "reason": reason}),
        ),
        KioskEvent::IdleWarning { secs } => {
            protocol::event("idle_warning", &t, json!({"seconds": secs}))
        }
        KioskEvent::Locked { id, secs } => protocol::event(
            "locked",
            &t,
            json!({"operator": id.to_string(), "seconds": secs}),
        ),
        KioskEvent::LanguageChanged(l) => {
            protocol::event("language_changed", &t, json!({"lang": l.code()}))
        }
    }
}
