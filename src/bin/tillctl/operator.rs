//! `tillctl auth`'s words and `tillctl operator ...`.

use super::*;

pub(crate) fn auth_line(o: &AuthOutcome) -> String {
    match o {
        AuthOutcome::Ok {
            id,
            name,
            role,
            expires_in_days,
        } => {
            let mut s = format!("ok: {id} {name} ({role})");
            if let Some(d) = expires_in_days {
                s.push_str(&format!("; password expires in {d} days"));
            }
            s
        }
        AuthOutcome::MustChange {
            id, name, reason, ..
        } => {
            let why = match reason {
                till_kiosk::core::MustChange::First => "it is a temporary first password",
                till_kiosk::core::MustChange::Reset => "it was reset by an admin",
                till_kiosk::core::MustChange::Expired => "it has expired",
            };
            format!(
                "ok, but {id} {name} must change the password first: {why} (tillctl passwd {id})"
            )
        }
        // The same words as the till's screen (core::i18n); the exit code
        // and --json carry the penalty for scripts.
        AuthOutcome::Wrong { .. } => o.message(Lang::En),
        AuthOutcome::Locked { secs } => format!("locked: {secs} seconds remaining"),
        AuthOutcome::Paused { secs } => format!(
            "the till is paused after many wrong attempts: {secs} seconds remaining (tillctl unlock-terminal ends it)"
        ),
        AuthOutcome::LockedUntilAdmin => {
            "locked until an admin unlocks (tillctl operator unlock NN)".into()
        }
    }
}

/// Long on purpose: one arm per `tillctl operator` subcommand: a dispatch table.
pub(crate) fn operator(ctx: &Ctx, cmd: OperatorCmd, input: &mut SecretInput) -> Res {
    let actor = ctx.actor();
    match cmd {
        OperatorCmd::Add {
            number,
            name,
            role,
            password_stdin,
        } => {
            let given = if password_stdin {
                Some(input.new_password("first password")?)
            } else {
                None
            };
            if let Some((p, c)) = &given
                && p != c
            {
                return Err(Failure::new(
                    1,
                    "password refused: the two new passwords do not match",
                ));
            }
            let svc = ctx.service()?;
            let pw = svc.add_operator(&actor, number, &name, role, given.map(|(p, _)| p))?;
            if password_stdin {
                ctx.print(&serde_json::json!({"added": number, "role": role}), || {
                    format!("operator {number} ({name}, {role}) added; the password must be changed at first sign-in")
                });
            } else {
                ctx.print(
                    &serde_json::json!({"added": number, "role": role, "temporary_password": pw.expose()}),
                    || format!("operator {number} ({name}, {role}) added\ntemporary password: {}\n(shown once; it must be changed at first sign-in)", pw.expose()),
                );
            }
            Ok(0)
        }
        OperatorCmd::List => {
            let ops = ctx.service()?.operators()?;
            ctx.print(&ops, || {
                let mut s = format!(
                    "{:<3} {:<20} {:<9} {:<28} {}",
                    "NO", "NAME", "ROLE", "STATUS", "PASSWORD SET"
                );
                for o in &ops {
                    s.push_str(&format!(
                        "\n{:<3} {:<20} {:<9} {:<28} {}",
                        o.id,
                        o.name,
                        o.role,
                        o.status.message(Lang::En),
                        &o.password_set[..10.min(o.password_set.len())]
                    ));
                }
                s
            });
            Ok(0)
        }
        OperatorCmd::Show(Target { number }) => {
            let o = ctx.service()?.operator(number)?;
            ctx.print(&o, || {
                format!(
                    "number:       {}\nname:         {}\nrole:         {}\nenabled:      {}\nstatus:       {}\nfailures:     {}\npassword set: {}\nexpires in:   {}",
                    o.id,
                    o.name,
                    o.role,
                    if o.enabled { "yes" } else { "no" },
                    o.status.message(Lang::En),
                    o.failures,
                    o.password_set,
                    o.expires_in_days.map_or("never".into(), |d| format!("{d} days"))
                )
            });
            Ok(0)
        }
        OperatorCmd::Reset(Target { number }) => {
            let pw = ctx.service()?.reset_password(&actor, number)?;
            ctx.print(&serde_json::json!({"reset": number, "temporary_password": pw.expose()}), || {
                format!("password of {number} reset\ntemporary password: {}\n(shown once; it must be changed at next sign-in)", pw.expose())
            });
            Ok(0)
        }
        OperatorCmd::Unlock(Target { number }) => {
            ctx.service()?.unlock(&actor, number)?;
            ctx.print(&serde_json::json!({"unlocked": number}), || {
                format!("operator {number} unlocked")
            });
            Ok(0)
        }
        OperatorCmd::Disable(Target { number }) | OperatorCmd::Enable(Target { number }) => {
            let enable = matches!(cmd, OperatorCmd::Enable(_));
            ctx.service()?.set_enabled(&actor, number, enable)?;
            let word = if enable { "enabled" } else { "disabled" };
            ctx.print(&serde_json::json!({ word: number }), || {
                format!("operator {number} {word}")
            });
            Ok(0)
        }
        OperatorCmd::Badge { number, remove } => {
            let svc = ctx.service()?;
            if remove {
                svc.remove_badge(&actor, number)?;
            } else {
                let card = input.line("badge (swipe it)", "the card's data")?;
                svc.enrol_badge(&actor, number, &card)?;
            }
            ctx.print(
                &serde_json::json!({"operator": number, "badge": !remove}),
                || {
                    if remove {
                        format!("operator {number}: badge removed")
                    } else {
                        format!("operator {number}: badge enrolled (only a keyed hash is kept)")
                    }
                },
            );
            Ok(0)
        }
        OperatorCmd::Remove(Target { number }) => {
            ctx.service()?.remove(&actor, number)?;
            ctx.print(&serde_json::json!({"removed": number}), || {
                format!("operator {number} removed")
            });
            Ok(0)
        }
    }
}
