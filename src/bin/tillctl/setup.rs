//! `tillctl check-config` and `tillctl calibrate`: work done before a
//! till has state.

use super::*;

pub(crate) fn check_config(file: &Path, json: bool) -> Res {
    let cfg: Config = config::read_config(file)?;
    if json {
        println!("{}", serde_json::json!({"ok": true, "file": file}));
    } else {
        println!("{}: ok", file.display());
        if cfg.require_persistent_state {
            println!(
                "state directory: {} (must be persistent)",
                cfg.state_dir
                    .as_deref()
                    .unwrap_or(Path::new(config::DEFAULT_STATE_DIR))
                    .display()
            );
        }
    }
    Ok(0)
}

pub(crate) fn time_hash(p: HashParams) -> Result<Duration, Failure> {
    let pw = Secret::from("calibration only");
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        p.hash(&pw).map_err(|e| Failure::new(1, e.to_string()))?;
        best = best.min(t.elapsed());
    }
    Ok(best)
}

pub(crate) fn calibrate(target_ms: u64) -> Res {
    if target_ms == 0 || target_ms > 60_000 {
        return Err(Failure::new(2, "--target-ms must be between 1 and 60000"));
    }
    let target = Duration::from_millis(target_ms);
    let floor_time = time_hash(FLOOR)?;
    // Memory first (it is what makes GPU and ASIC guessing expensive), up to
    // 256 MiB so a Pi keeps room for the UI; then passes.
    const MAX_KIB: u32 = 256 * 1024;
    let mut p = FLOOR;
    if floor_time < target {
        let scale = target.as_secs_f64() / floor_time.as_secs_f64();
        let mem = (f64::from(FLOOR.memory_kib) * scale).min(f64::from(MAX_KIB));
        p.memory_kib = ((mem as u32) / 1024 * 1024).max(FLOOR.memory_kib);
        let t_mem = time_hash(p)?;
        if t_mem < target && p.memory_kib >= MAX_KIB {
            let passes = (target.as_secs_f64() / t_mem.as_secs_f64() * f64::from(p.iterations))
                .floor() as u32;
            p.iterations = passes.clamp(FLOOR.iterations, 64);
        }
    }
    let p = HashParams::new(p.memory_kib, p.iterations, p.parallelism)
        .map_err(|e| Failure::new(1, e))?;
    let measured = time_hash(p)?;
    let note = if floor_time >= target {
        format!(
            "# the OWASP floor already takes {} ms here (target {target_ms} ms): use the floor",
            floor_time.as_millis()
        )
    } else {
        format!(
            "# measured here: one hash takes {} ms (target {target_ms} ms)",
            measured.as_millis()
        )
    };
    println!(
        "{note}\nhashing:\n  memory_kib: {}\n  iterations: {}\n  parallelism: {}",
        p.memory_kib, p.iterations, p.parallelism
    );
    Ok(0)
}
