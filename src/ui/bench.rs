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
    drop(_timers);
    keypad_pipeline(&window, &base)
}

/// Voluntary context switches of thread `tid` of this process.
fn ctxt_switches(tid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// A key pressed on the (simulated) matrix keypad, through the real
/// driver thread and event loop, until the UI has taken it and until the
/// buzzer has started its click; then how often an idle keypad wakes.
fn keypad_pipeline(window: &AppWindow, base: &demo::Base) -> Result<(), String> {
    use crate::hw::buzzer::{PatternBuzzer, Patterns, RecordingTone};
    use crate::hw::keypad::{self, KeyMap, Stats, Timing, sim::SimMatrix};
    use std::sync::mpsc;

    let tone = RecordingTone::new();
    let buzzer = Arc::new(PatternBuzzer::new(
        Box::new(tone.clone()),
        Patterns::default(),
        0.5,
    ));
    let ui = Ui::new(window, base.kiosk_with(buzzer.clone()));
    super::app::set_current(&ui);
    let (taken_tx, taken_rx) = mpsc::channel::<Instant>();
    let sink: crate::hw::KeySink = Arc::new(move |ev| {
        let tx = taken_tx.clone();
        let _ = slint::invoke_from_event_loop(move || {
            // The app's own path (key_sink), then note when it is done.
            (super::app::key_sink())(ev);
            let _ = slint::invoke_from_event_loop(move || {
                let _ = tx.send(Instant::now());
            });
        });
    });
    let (pins, handle) = SimMatrix::new(4, 4);
    let map = KeyMap {
        keys: (0..16).map(|i| Key::Digit((i % 10) as u8)).collect(),
        repeating: vec![],
    };
    let stats = Arc::new(Stats::default());
    let (tid_tx, tid_rx) = mpsc::channel();
    let st = stats.clone();
    let kp = std::thread::spawn(move || {
        let _ = tid_tx.send(nix::unistd::gettid().as_raw());
        let t = Timing {
            debounce_ms: 0,
            scan_ms: 1,
            ..Timing::default()
        };
        keypad::run(pins, &map, t, &sink, &st)
    });
    let tid = tid_rx.recv().map_err(|e| e.to_string())?;
    let h = handle.clone();
    let measure = std::thread::spawn(move || {
        let (mut to_ui, mut to_beep) = (Vec::new(), Vec::new());
        // A press that never reaches the UI, or a click that never sounds,
        // is a miss: counted and printed, never recorded as a 0 µs figure.
        let (mut ui_misses, mut beep_misses) = (0u32, 0u32);
        for i in 0..200 {
            h.wait_until_waiting();
            let clicks_before = tone
                .log
                .lock()
                .map(|l| l.iter().filter(|(_, hz)| *hz == Some(4000)).count())
                .unwrap_or(0);
            let t0 = Instant::now();
            h.press(i % 4, 1);
            match taken_rx.recv_timeout(Duration::from_secs(2)) {
                Ok(taken) => to_ui.push(taken - t0),
                Err(_) => ui_misses += 1,
            }
            let deadline = Instant::now() + Duration::from_secs(2);
            let beep = loop {
                let found = tone.log.lock().ok().and_then(|l| {
                    l.iter()
                        .filter(|(_, hz)| *hz == Some(4000))
                        .nth(clicks_before)
                        .map(|(t, _)| *t)
                });
                if let Some(t) = found {
                    break Some(t);
                }
                if Instant::now() > deadline {
                    break None;
                }
                std::thread::yield_now();
            };
            match beep {
                Some(t) => to_beep.push(t - t0),
                None => beep_misses += 1,
            }
            h.release(i % 4, 1);
            let _ = taken_rx.recv_timeout(Duration::from_secs(2));
        }
        h.wait_until_waiting();
        let (w0, c0) = (
            stats.wakeups.load(std::sync::atomic::Ordering::Relaxed),
            ctxt_switches(tid),
        );
        std::thread::sleep(Duration::from_secs(5));
        let (w1, c1) = (
            stats.wakeups.load(std::sync::atomic::Ordering::Relaxed),
            ctxt_switches(tid),
        );
        (to_ui, to_beep, ui_misses, beep_misses, w1 - w0, c1 - c0)
    });
    // Run the real event loop until the measuring thread is done.
    let quitter = std::thread::spawn({
        move || {
            let r = measure.join();
            let _ = slint::invoke_from_event_loop(|| {
                let _ = slint::quit_event_loop();
            });
            r
        }
    });
    window.run().map_err(|e| e.to_string())?;
    let (mut to_ui, mut to_beep, ui_misses, beep_misses, wakeups, switches) = quitter
        .join()
        .map_err(|_| "bench thread panicked".to_string())?
        .map_err(|_| "bench thread panicked".to_string())?;
    handle.stop();
    let _ = kp.join();
    if to_ui.is_empty() || to_beep.is_empty() {
        return Err(format!(
            "keypad bench: no press reached the UI or the buzzer ({ui_misses} and {beep_misses} misses of 200)"
        ));
    }
    to_ui.sort();
    to_beep.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "keypad_press_to_ui_us median={:.0} p99={:.0} n={} misses={ui_misses} (simulated pins, real driver thread and event loop; add the configured debounce, 20 ms by default)",
        us(to_ui[to_ui.len() / 2]),
        us(to_ui[to_ui.len() * 99 / 100]),
        to_ui.len()
    );
    println!(
        "keypad_press_to_buzzer_click_us median={:.0} p99={:.0} n={} misses={beep_misses}",
        us(to_beep[to_beep.len() / 2]),
        us(to_beep[to_beep.len() * 99 / 100]),
        to_beep.len()
    );
    println!(
        "keypad_idle_wakeups_per_s={:.2} (keypad thread: {wakeups} edge wake-ups, {switches} voluntary context switches in 5 s waiting for an edge)",
        wakeups as f64 / 5.0
    );
    drop(ui);
    Ok(())
}
