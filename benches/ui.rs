//! `cargo bench --bench ui`: the kiosk UI's start-up, memory, key latency
//! and idle wake-ups, printed as figures (not pass/fail).
//!
//! Start → first frame is measured across processes: this harness reads
//! `CLOCK_MONOTONIC` just before spawning `till-kiosk --bench-first-frame`,
//! which prints the same clock when its first frame (headless, software
//! renderer, 800×480) is rendered.

use std::process::Command;

fn monotonic_ns() -> u64 {
    let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).unwrap();
    t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64
}

fn field(out: &str, key: &str) -> u64 {
    out.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {out}"))
}

fn main() {
    let exe = env!("CARGO_BIN_EXE_till-kiosk");
    let mut starts = Vec::new();
    let mut rss = Vec::new();
    for run in 0..7 {
        let dir = tempfile::tempdir().unwrap();
        let t0 = monotonic_ns();
        let out = Command::new(exe)
            .args(["--bench-first-frame", "--state-dir"])
            .arg(dir.path())
            .env("RUST_LOG", "error")
            .env_remove("TILL_KIOSK_CONFIG")
            .output()
            .expect("run till-kiosk");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        // The first run warms the page cache; report the others.
        if run > 0 {
            starts.push((field(&text, "first_frame_ns=") - t0) as f64 / 1e6);
            rss.push(field(&text, "max_rss_kib="));
        }
    }
    starts.sort_by(f64::total_cmp);
    rss.sort();
    println!(
        "process start -> first frame (800x480, software renderer, headless): median {:.1} ms, min {:.1} ms, max {:.1} ms (n={})",
        starts[starts.len() / 2],
        starts[0],
        starts[starts.len() - 1],
        starts.len()
    );
    println!(
        "peak RSS of that run: median {:.1} MiB, max {:.1} MiB",
        rss[rss.len() / 2] as f64 / 1024.0,
        rss[rss.len() - 1] as f64 / 1024.0
    );
    let out = Command::new(exe)
        .arg("--bench")
        .env("RUST_LOG", "error")
        .output()
        .expect("run till-kiosk --bench");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    print!("{}", String::from_utf8_lossy(&out.stdout));
}
