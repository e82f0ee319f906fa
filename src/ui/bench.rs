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
use super::controller::Kiosk;
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

/// Median, 99th percentile and maximum of `times` (sorted here), in µs.
/// `times` must not be empty.
fn spread_us(times: &mut [Duration]) -> (f64, f64, f64) {
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let n = times.len();
    (us(times[n / 2]), us(times[n * 99 / 100]), us(times[n - 1]))
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
    let (median, p99, max) = spread_us(&mut lat);
    println!(
        "key_to_property_us median={median:.1} p99={p99:.1} max={max:.1} n={}",
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
    sign_in_on_disk(&window)?;
    keypad_pipeline(&window, &base)
}

/// A temporary state directory (mode 0700, removed on drop).
struct TempState(std::path::PathBuf);

impl TempState {
    fn new() -> Result<TempState, String> {
        use std::os::unix::fs::DirBuilderExt;
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).map_err(|e| e.to_string())?;
        let name = crate::core::hex(&b);
        let path = std::env::temp_dir().join(format!("till-kiosk-bench-{name}"));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(TempState(path))
    }
}

impl Drop for TempState {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Argon2id parameters that take about `target` here: the floor's memory,
/// more passes (what `tillctl calibrate` gives a Pi is ~250 ms).
fn params_taking(target: Duration) -> Result<crate::core::hashing::HashParams, String> {
    use crate::core::hashing::{FLOOR, HashParams};
    let pw = crate::core::Secret::from("calibration only");
    let time = |p: HashParams| -> Result<Duration, String> {
        let mut best = Duration::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            p.hash(&pw).map_err(|e| e.to_string())?;
            best = best.min(t.elapsed());
        }
        Ok(best)
    };
    // Two rounds: the second corrects the first's guess.
    let mut p = FLOOR;
    for _ in 0..2 {
        let took = time(p)?;
        let passes = (target.as_secs_f64() / took.as_secs_f64() * f64::from(p.iterations)).round();
        p = HashParams::new(
            FLOOR.memory_kib,
            (passes as u32).clamp(FLOOR.iterations, 64),
            1,
        )?;
    }
    Ok(p)
}

/// The sign-in screen over a real state directory: what each key costs the
/// UI thread, and the longest the event loop stalls during a sign-in whose
/// password hash costs ~250 ms (a Pi's calibrated cost).
///
/// Long on purpose: one benchmark, set-up, run and report in the order they happen, so its figures can be read against its code.
fn sign_in_on_disk(window: &AppWindow) -> Result<(), String> {
    use crate::config::parse_config;
    use crate::core::{Actor, OperatorId, Role, Secret};
    use crate::service::{Service, Setup};
    use crate::store::FileStore;
    use std::cell::{Cell, RefCell};
    use std::path::Path;
    use std::rc::Rc;

    let params = params_taking(Duration::from_millis(250))?;
    let yaml = format!(
        "require_persistent_state: false\nhashing:\n  memory_kib: {}\n  iterations: {}\n  parallelism: {}\n",
        params.memory_kib, params.iterations, params.parallelism
    );
    let cfg = parse_config(Path::new("bench.yaml"), &yaml).map_err(|e| e.to_string())?;
    let dir = TempState::new()?;
    let clock = Arc::new(crate::sys::SystemClock);
    let store = Arc::new(FileStore::open(&dir.0, cfg.rotation()).map_err(|e| e.to_string())?);
    let svc = Service::new(store, &cfg, clock);
    let cli = Actor::Cli {
        uid: 0,
        user: "bench".into(),
    };
    let (admin_pw, pw) = (Secret::from("58273946"), Secret::from("30946817"));
    let setup = Setup {
        admin: OperatorId::FIRST_ADMIN,
        name: "Bench",
        terminal_name: Some("Bench"),
        password: &admin_pw,
        confirm: &admin_pw,
    };
    svc.init(&cli, &setup, false).map_err(|e| e.to_string())?;
    let one = OperatorId::new(1).ok_or("no operator 01")?;
    let first = svc
        .add_operator(&cli, one, "Bench", Role::Operator, None)
        .map_err(|e| e.to_string())?;
    svc.change_password(&cli, one, &first, &pw, &pw)
        .map_err(|e| e.to_string())?;
    let phc = params.hash(&pw).map_err(|e| e.to_string())?;
    let t = Instant::now();
    crate::core::hashing::verify(&pw, &phc);
    let verify_ms = t.elapsed().as_secs_f64() * 1e3;

    let kiosk = Kiosk::new(
        svc,
        Arc::new(LogBuzzer::new(false)),
        cfg.ui.clone(),
        Lang::En,
        None,
    );
    let ui = Ui::new(window, kiosk);

    // Per key: "0", "1" (a whole number: the lock on it is looked up),
    // Backspace, Backspace.
    let mut whole = Vec::new();
    for _ in 0..500 {
        ui.update(|k| k.key(Key::Digit(0)));
        let t = Instant::now();
        ui.update(|k| k.key(Key::Digit(1)));
        whole.push(t.elapsed());
        ui.update(|k| k.key(Key::Backspace));
        ui.update(|k| k.key(Key::Backspace));
    }
    let (median, p99, _) = spread_us(&mut whole);
    println!(
        "sign_in_key_us median={median:.1} p99={p99:.1} n={} (the key that completes a number, over a real state directory)",
        whole.len()
    );

    // The sign-in, typed through the app's own key path, while a 2 ms
    // timer notes each time the event loop got round to it.
    super::app::set_current(&ui);
    let last = Rc::new(Cell::new(Instant::now()));
    let worst = Rc::new(Cell::new(Duration::ZERO));
    let started = Rc::new(Cell::new(None::<Instant>));
    let done = Rc::new(RefCell::new(None::<Duration>));
    let timer = slint::Timer::default();
    {
        let (last, worst, started, done) =
            (last.clone(), worst.clone(), started.clone(), done.clone());
        let ui = Rc::downgrade(&ui);
        timer.start(
            slint::TimerMode::Repeated,
            Duration::from_millis(2),
            move || {
                let now = Instant::now();
                if started.get().is_some() {
                    worst.set(worst.get().max(now - last.get()));
                }
                last.set(now);
                let signed_in = ui
                    .upgrade()
                    .is_some_and(|u| u.with(|k| k.session().is_some()));
                if let (Some(t0), true) = (started.get(), signed_in) {
                    done.borrow_mut().get_or_insert(now - t0);
                    let _ = slint::quit_event_loop();
                }
            },
        );
    }
    let sink = super::app::key_sink();
    let start = started.clone();
    slint::Timer::single_shot(Duration::from_millis(50), move || {
        start.set(Some(Instant::now()));
        for key in [Key::Cancel, Key::Digit(0), Key::Digit(1)]
            .into_iter()
            .chain("30946817".bytes().map(|b| Key::Digit(b - b'0')))
            .chain([Key::Enter])
        {
            sink(crate::hw::KeyEvent::Down(key));
            sink(crate::hw::KeyEvent::Up(key));
        }
    });
    // Not `window.run()`: hiding the window afterwards would queue a quit
    // for the next loop (the keypad pipeline's).
    window.show().map_err(|e| e.to_string())?;
    slint::run_event_loop_until_quit().map_err(|e| e.to_string())?;
    drop(timer);
    let took = done.borrow().ok_or_else(|| {
        let v = ui.with(|k| k.view());
        format!(
            "the bench sign-in never finished (started: {}, screen {:?}, message {:?})",
            started.get().is_some(),
            v.screen,
            v.message
        )
    })?;
    println!(
        "sign_in_event_loop_stall_ms max={:.1} (one verify here: {verify_ms:.0} ms; sign-in took {:.0} ms; target: no gap over 16.7 ms)",
        worst.get().as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e3
    );
    Ok(())
}

/// Voluntary context switches of thread `tid` of this process; `None`
/// when /proc cannot say (never a 0 that reads as "no switches").
fn ctxt_switches(tid: i32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                .and_then(|v| v.trim().parse().ok())
        })
}

/// The switches between two readings, or why there is no figure.
fn switches_between(before: Option<u64>, after: Option<u64>) -> String {
    match (before, after) {
        (Some(b), Some(a)) if a >= b => (a - b).to_string(),
        _ => "unknown (/proc/self/task/*/status unreadable)".to_owned(),
    }
}

/// A key pressed on the (simulated) matrix keypad, through the real
/// driver thread and event loop, until the UI has taken it and until the
/// buzzer has started its click; then how often an idle keypad wakes.
///
/// Long on purpose: one benchmark, set-up, run and report in the order they happen, so its figures can be read against its code.
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
        let switches = switches_between(c0, c1);
        (to_ui, to_beep, ui_misses, beep_misses, w1 - w0, switches)
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
    let (median, p99, _) = spread_us(&mut to_ui);
    println!(
        "keypad_press_to_ui_us median={median:.0} p99={p99:.0} n={} misses={ui_misses} (simulated pins, real driver thread and event loop; add the configured debounce, 20 ms by default)",
        to_ui.len()
    );
    let (median, p99, _) = spread_us(&mut to_beep);
    println!(
        "keypad_press_to_buzzer_click_us median={median:.0} p99={p99:.0} n={} misses={beep_misses}",
        to_beep.len()
    );
    println!(
        "keypad_idle_wakeups_per_s={:.2} (keypad thread: {wakeups} edge wake-ups, {switches} voluntary context switches in 5 s waiting for an edge)",
        wakeups as f64 / 5.0
    );
    drop(ui);
    Ok(())
}
