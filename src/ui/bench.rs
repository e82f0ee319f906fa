//! `till-kiosk --bench` and `--bench-first-frame`: figures for the
//! benchmark harness (`cargo bench --bench ui`).
//!
//! * first frame: the process renders its first frame headless with the
//!   software renderer and prints `CLOCK_MONOTONIC` at that moment, so the
//!   parent can measure start → first frame; and its peak RSS.
//! * key latency: a key injected into the controller until the Slint
//!   property holding the field's text has the new value.
//! * idle wake-ups: how often Slint's timers want the event loop awake on
//!   an idle sign-in screen (the 1 Hz clock should be all).

use super::app::{AppOptions, build, start_timers};
use super::generated::FormAdapter;
use super::screenshot::{HeadlessPlatform, render};
use super::{AppWindow, Ui, demo};
use crate::core::Lang;
use crate::hw::{Buzzer, Key, LogBuzzer};
use nix::time::{ClockId, clock_gettime};
use slint::{ComponentHandle, Model, PhysicalSize};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Nanoseconds of `CLOCK_MONOTONIC` (comparable between processes).
pub fn monotonic_ns() -> u64 {
    clock_gettime(ClockId::CLOCK_MONOTONIC)
        .map(|t| {
            u64::try_from(t.tv_sec()).unwrap_or(0) * 1_000_000_000
                + u64::try_from(t.tv_nsec()).unwrap_or(0)
        })
        .unwrap_or(0)
}

/// Peak resident set size of this process, KiB.
pub fn max_rss_kib() -> u64 {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
        .map(|u| u64::try_from(u.max_rss()).unwrap_or(0))
        .unwrap_or(0)
}

/// The real start-up path, headless: config, state, controller, window,
/// first frame. Prints `first_frame_ns=` and `max_rss_kib=`.
pub fn first_frame(opts: AppOptions) -> Result<(), String> {
    let sw = HeadlessPlatform::install().map_err(|e| e.to_string())?;
    let buzzer: Arc<dyn Buzzer> = Arc::new(LogBuzzer::new(false));
    let parts = build(&opts, buzzer);
    let window = AppWindow::new().map_err(|e| e.to_string())?;
    let size = PhysicalSize::new(800, 480);
    window.window().set_size(size);
    let _ui = Ui::new(&window, parts.kiosk);
    let buf = render(&sw, size);
    let t = monotonic_ns();
    // Use the pixels so the render cannot be optimised away.
    let lit = buf.iter().filter(|p| p.r > 128).count();
    println!(
        "first_frame_ns={t}\nmax_rss_kib={}\nlit_pixels={lit}",
        max_rss_kib()
    );
    Ok(())
}

/// In-process figures: key → property latency, frame time, idle wake-ups.
pub fn in_process() -> Result<(), String> {
    let sw = HeadlessPlatform::install().map_err(|e| e.to_string())?;
    let window = AppWindow::new().map_err(|e| e.to_string())?;
    let size = PhysicalSize::new(800, 480);
    window.window().set_size(size);
    let base = demo::Base::build(Lang::En);
    let (kiosk, _clock, _store) = base.kiosk();
    let ui = Ui::new(&window, kiosk);
    render(&sw, size);

    let form = window.global::<FormAdapter>();
    let mut lat = Vec::new();
    for i in 0..2000 {
        let t = Instant::now();
        let digit = (i % 10) as u8;
        ui.update(|k| {
            k.key(if i % 2 == 0 {
                Key::Digit(digit)
            } else {
                Key::Backspace
            })
        });
        let shown = form
            .get_fields()
            .row_data(0)
            .map(|f| f.display.len())
            .unwrap_or(0);
        lat.push(t.elapsed());
        assert_eq!(shown, usize::from(i % 2 == 0), "the field shows the key");
    }
    lat.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "key_to_property_us median={:.1} p99={:.1} max={:.1} n={}",
        us(lat[lat.len() / 2]),
        us(lat[lat.len() * 99 / 100]),
        us(lat[lat.len() - 1]),
        lat.len()
    );

    let mut frames = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        render(&sw, size);
        frames.push(t.elapsed());
    }
    frames.sort();
    println!(
        "full_frame_800x480_ms median={:.2}",
        frames[frames.len() / 2].as_secs_f64() * 1e3
    );

    // Idle: run the app's own timers for a few seconds of real time, waking
    // only when Slint says a timer or animation is due.
    let _timers = start_timers(&ui);
    let start = Instant::now();
    let mut wakeups = 0u32;
    while start.elapsed() < Duration::from_secs(5) {
        slint::platform::update_timers_and_animations();
        if sw.has_active_animations() {
            wakeups += 1;
            std::thread::sleep(Duration::from_millis(16));
            continue;
        }
        let next =
            slint::platform::duration_until_next_timer_update().unwrap_or(Duration::from_secs(60));
        std::thread::sleep(
            next.min(Duration::from_secs(5) - start.elapsed().min(Duration::from_secs(5))),
        );
        wakeups += 1;
    }
    println!(
        "idle_wakeups_per_s={:.2} (sign-in screen, timers only, {} wake-ups in {:.1} s)",
        f64::from(wakeups) / start.elapsed().as_secs_f64(),
        wakeups,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
