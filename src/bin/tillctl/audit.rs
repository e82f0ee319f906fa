//! `tillctl audit`: the log, worded by `core::i18n::audit`.

use super::*;

/// Parses `--since`: an RFC 3339 time, or an age like `24h`.
pub(crate) fn parse_since(s: &str, now: WallTime) -> Result<WallTime, String> {
    if let Ok(t) = humantime::parse_rfc3339_weak(s) {
        return Ok(WallTime::from_system(t));
    }
    match humantime::parse_duration(s) {
        Ok(d) => Ok(WallTime(
            now.0 - i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        )),
        Err(_) => Err(format!(
            "invalid --since {s:?}: give a time like 2026-11-28T09:00:00Z or an age like 24h"
        )),
    }
}

pub(crate) fn audit(ctx: &Ctx, since: Option<&str>) -> Res {
    let now = WallTime::from_system(std::time::SystemTime::now());
    let since = since
        .map(|s| parse_since(s, now))
        .transpose()
        .map_err(|e| Failure::new(2, e))?;
    let log = ctx.service()?.audit_log()?;
    let records: Vec<&AuditRecord> = log
        .records
        .iter()
        .filter(|r| since.is_none_or(|t| r.wall_ms >= t.0))
        .collect();
    if ctx.json {
        for r in &records {
            println!("{}", serde_json::to_string(r).expect("serialisable"));
        }
    } else {
        for r in &records {
            let ev = serde_json::to_value(r.event)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let oc = serde_json::to_value(r.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            println!(
                "{}  {:<18} {:<8} {:<24} {:<4} {}",
                r.time,
                ev,
                oc,
                r.actor.to_string(),
                r.subject.as_deref().unwrap_or("-"),
                r.detail
                    .as_ref()
                    .map(|d| d.message(Lang::En))
                    .unwrap_or_default()
            );
        }
    }
    if log.skipped_lines > 0 {
        eprintln!(
            "warning: {} unreadable audit line(s) skipped (a torn write after a power cut?)",
            log.skipped_lines
        );
    }
    Ok(0)
}
