//! `tillctl session ...`: the session API from the command line.

use super::*;

/// Long on purpose: one arm per `tillctl session` subcommand: a dispatch table.
pub(crate) fn session(ctx: &Ctx, cmd: SessionCmd) -> Res {
    use till_kiosk::session::client::Client;
    let socket = match &cmd {
        SessionCmd::Watch { socket }
        | SessionCmd::Whoami { socket }
        | SessionCmd::SignOut { socket }
        | SessionCmd::Approve { socket, .. } => socket.clone(),
    };
    let path = socket
        .or_else(|| ctx.loaded.config.session_api.socket.clone())
        .unwrap_or_else(|| PathBuf::from("/run/till-kiosk/session.sock"));
    let mut client = Client::connect(&path).map_err(|e| {
        Failure::new(
            3,
            format!("unable to connect to the kiosk at {}: {e}", path.display()),
        )
        .hint("is till-kiosk running, with session_api.socket set, and may this user use it?")
    })?;
    let fail = |e: std::io::Error| Failure::new(3, format!("the kiosk at {}: {e}", path.display()));
    // One request and its successful reply; a refusal is exit status 1.
    let mut ask = |op: &str, fields: serde_json::Value| {
        let v = client.request(op, fields).map_err(fail)?;
        if v["ok"] != true {
            return Err(Failure::new(
                1,
                format!(
                    "the kiosk refused: {}",
                    v["message"]
                        .as_str()
                        .unwrap_or_else(|| v["error"].as_str().unwrap_or("?"))
                ),
            ));
        }
        Ok(v)
    };
    match cmd {
        SessionCmd::Whoami { .. } => {
            let v = ask("whoami", serde_json::json!({}))?;
            let s = &v["session"];
            ctx.print(s, || {
                if s.is_null() {
                    "nobody is signed in".into()
                } else {
                    format!(
                        "{} {} ({}) since {}",
                        s["operator"].as_str().unwrap_or(""),
                        s["name"].as_str().unwrap_or(""),
                        s["role"].as_str().unwrap_or(""),
                        s["since"].as_str().unwrap_or("")
                    )
                }
            });
            Ok(0)
        }
        SessionCmd::SignOut { .. } => {
            let v = ask("sign_out", serde_json::json!({}))?;
            ctx.print(&v, || match v["signed_out"].as_str() {
                Some(id) => format!("signed out {id}"),
                None => "nobody was signed in".into(),
            });
            Ok(0)
        }
        SessionCmd::Watch { .. } => {
            ask("subscribe", serde_json::json!({}))?;
            eprintln!("watching {} (Ctrl+C to stop)", path.display());
            while let Some(ev) = client.next_message().map_err(fail)? {
                if ctx.json {
                    println!("{ev}");
                } else {
                    let mut words = vec![
                        ev["time"].as_str().unwrap_or("").to_owned(),
                        ev["event"].as_str().unwrap_or("?").to_owned(),
                    ];
                    if let Some(o) = ev.as_object() {
                        for (k, val) in o {
                            if !["v", "time", "event"].contains(&k.as_str()) {
                                words.push(format!(
                                    "{k}={}",
                                    val.as_str().map_or_else(|| val.to_string(), str::to_owned)
                                ));
                            }
                        }
                    }
                    println!("{}", words.join("  "));
                }
                let _ = std::io::stdout().flush();
            }
            Ok(0)
        }
        SessionCmd::Approve {
            action,
            amount,
            reason,
            timeout,
            ..
        } => {
            let v = ask(
                "approve",
                serde_json::json!({"action": action, "amount": amount, "reason": reason, "timeout_s": timeout}),
            )?;
            let result = v["result"].as_str().unwrap_or("").to_owned();
            ctx.print(&v, || match result.as_str() {
                "approved" => format!(
                    "approved by {} {}",
                    v["by"]["operator"].as_str().unwrap_or(""),
                    v["by"]["name"].as_str().unwrap_or("")
                ),
                other => other.to_owned(),
            });
            Ok(match result.as_str() {
                "approved" => 0,
                "denied" => 20,
                "cancelled" => 21,
                _ => 22,
            })
        }
    }
}
