//! `tillctl recovery ...`: provisioning, and the service desk's response.

use super::*;

pub(crate) fn read_master_key(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::new(
            2,
            format!("unable to read master key {}: {e}", path.display()),
        )
    })?;
    Ok(Zeroizing::new(bytes))
}

pub(crate) fn recovery(ctx: &Ctx, cmd: RecoveryCmd, input: &mut SecretInput) -> Res {
    let actor = ctx.actor();
    match cmd {
        RecoveryCmd::Provision { master_key } => {
            let master = read_master_key(&master_key)?;
            let serial = ctx.service()?.provision(&actor, &master)?;
            ctx.print(&serde_json::json!({"provisioned": true, "serial": serial}), || {
                format!("recovery key stored for terminal serial {serial}\nkeep the master key at the service desk; do not leave it on the till")
            });
            Ok(0)
        }
        RecoveryCmd::Challenge => {
            let svc = ctx.service()?;
            let c = svc.recovery_challenge(&actor)?;
            ctx.print(&serde_json::json!({"challenge": c.to_string(), "serial": c.serial, "nonce": c.nonce}), || {
                format!(
                    "challenge: {c}\n(serial {}, code {})\nread it to the service desk; their response is good once, for 24 hours",
                    c.serial,
                    c.nonce_grouped()
                )
            });
            Ok(0)
        }
        RecoveryCmd::Respond { .. } => unreachable!("handled before loading config"),
        RecoveryCmd::Redeem { operator } => {
            let code = input.line("response code", "the response code")?;
            let new = input.line("new admin password", "the new password")?;
            let confirm = input.line("new admin password again", "the new password again")?;
            ctx.service()?
                .recovery_redeem(&actor, operator, &code, &new, &confirm)?;
            ctx.print(&serde_json::json!({"redeemed": true, "operator": operator}), || {
                format!("recovery code accepted: the password of admin {operator} is set and the account unlocked")
            });
            Ok(0)
        }
    }
}

pub(crate) fn respond(master_key: &Path, challenge: &str, json: bool) -> Res {
    let master = read_master_key(master_key)?;
    let c: Challenge = challenge
        .parse()
        .map_err(|e: till_kiosk::core::recovery::RecoveryError| Failure::new(2, e.to_string()))?;
    let key = TillKey::derive(&master, &c.serial).map_err(|e| Failure::new(2, e.to_string()))?;
    let code = key.response(&c);
    if json {
        println!(
            "{}",
            serde_json::json!({"serial": c.serial, "response": code.expose()})
        );
    } else {
        println!(
            "response for terminal {}: {}",
            c.serial,
            group4(code.expose())
        );
    }
    Ok(0)
}
