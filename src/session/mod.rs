//! The session API: how the till's sales software learns who is working,
//! hears about sign-ins and sign-outs, and asks a supervisor to approve a
//! void, refund or discount (as bank-card terminals ask for the supervisor
//! password). A Unix socket, JSON lines, version 1; see
//! `docs/session-api.md`.
//!
//! [`protocol`] is the wire format, [`server`] the socket (limits, peer
//! credentials), [`client`] a small client. The kiosk side is behind
//! [`server::Engine`]; the UI implements it.

pub mod client;
pub mod protocol;
pub mod server;

use crate::config::SessionApiConfig;

/// Resolves the config's user and group names to ids (unknown names are
/// logged and skipped: a typo must not open the socket to anyone).
pub fn access(cfg: &SessionApiConfig) -> (server::Access, Option<u32>) {
    let uid = |s: &String| {
        s.parse::<u32>().ok().or_else(|| {
            nix::unistd::User::from_name(s)
                .ok()
                .flatten()
                .map(|u| u.uid.as_raw())
        })
    };
    let gid = |s: &String| {
        s.parse::<u32>().ok().or_else(|| {
            nix::unistd::Group::from_name(s)
                .ok()
                .flatten()
                .map(|g| g.gid.as_raw())
        })
    };
    let mut a = server::Access::default();
    for u in &cfg.allowed_users {
        match uid(u) {
            Some(id) => a.uids.push(id),
            None => tracing::warn!("session_api.allowed_users: no user {u:?}"),
        }
    }
    for g in &cfg.allowed_groups {
        match gid(g) {
            Some(id) => a.gids.push(id),
            None => tracing::warn!("session_api.allowed_groups: no group {g:?}"),
        }
    }
    let group = cfg.group.as_ref().and_then(|g| {
        let id = gid(g);
        if id.is_none() {
            tracing::warn!("session_api.group: no group {g:?}; the socket keeps the kiosk's group");
        }
        id
    });
    (a, group)
}
