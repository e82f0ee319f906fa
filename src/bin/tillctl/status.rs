//! `tillctl status`: the till's health, for people and for monitoring.

use super::*;

pub(crate) fn status(ctx: &Ctx) -> Res {
    let svc = ctx.service_for_status()?;
    let st = svc.status();
    #[derive(Serialize)]
    struct Out<'a> {
        #[serde(flatten)]
        status: &'a till_kiosk::service::Status,
        config: String,
        version: &'static str,
    }
    let out = Out {
        status: &st,
        config: ctx.loaded.source.to_string(),
        version: env!("CARGO_PKG_VERSION"),
    };
    ctx.print(&out, || {
        let fs = match &st.filesystem {
            Ok(p) if p.persistent => format!("{} (persistent)", p.fs_type),
            Ok(p) => format!(
                "{} (NOT PERSISTENT: lost at reboot{})",
                p.fs_type,
                if st.require_persistent_state { "; the kiosk refuses to run" } else { "" }
            ),
            Err(e) => format!("unknown ({e})"),
        };
        let health = match &st.health {
            Health::Fresh => "fresh: no operators yet (run tillctl init)".to_owned(),
            Health::Ok { operators, enabled_admins } => format!("ok, {operators} operators ({enabled_admins} enabled admins)"),
            Health::Error { error, remedy } => format!("UNREADABLE, sign-in refused: {error}\n                 fix: {remedy}"),
        };
        let locked = if st.locked.is_empty() {
            "none".to_owned()
        } else {
            st.locked
                .iter()
                .map(|o| format!("{} ({})", o.id, o.status.message(Lang::En)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let serial = st.serial.as_ref().map_or("unknown".into(), |(s, src)| format!("{s} (from {src})"));
        let key = match (&st.recovery_key_serial, &st.serial) {
            (None, _) => "not provisioned".to_owned(),
            (Some(k), Some((s, _))) if k == s => "provisioned".to_owned(),
            (Some(k), _) => format!("provisioned for another serial ({k}): provision again"),
        };
        format!(
            "state directory: {}\nfilesystem:      {fs}\nstate:           {health}\nlocked:          {locked}\nterminal lock:   {}\nterminal serial: {serial}\nrecovery key:    {key}\nblocklist:       {} entries\nconfig:          {}\nversion:         till-kiosk {}",
            st.state_dir.display(),
            st.terminal_locked_secs.map_or("none".into(), |s| format!("{s} seconds remaining")),
            st.blocklist_entries,
            ctx.loaded.source,
            env!("CARGO_PKG_VERSION"),
        )
    });
    Ok(match st.health {
        Health::Error { .. } => 3,
        _ => 0,
    })
}

impl Ctx {
    /// Like [`service`](Ctx::service) but never refuses: status reports problems.
    pub(crate) fn service_for_status(&self) -> Result<Service, Failure> {
        self.as_owner()?;
        let store = FileStore::new(&self.state_dir, self.loaded.config.rotation());
        Ok(Service::new(
            Arc::new(store),
            &self.loaded.config,
            Arc::new(SystemClock),
        ))
    }
}
