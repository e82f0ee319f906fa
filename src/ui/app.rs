//! The real kiosk: window (winit on a desktop, linuxkms on the Pi, or
//! headless), hardware, signals and systemd.
//!
//! Start-up: block SIGTERM/SIGINT in every thread and take them in one
//! thread with `sigwait`; start the hardware (keys from its threads are
//! posted to the UI thread); open the window; tell systemd `READY=1` after
//! the first frame and ping the watchdog from a UI-loop timer, so a hung UI
//! is restarted. Shut-down (SIGTERM): quit the event loop, sign out, write
//! a last checkpoint, silence the buzzer, release the pins, exit 0.

use super::controller::{Fault, Kiosk};
use super::headless::HeadlessPlatform;
pub use super::ui_thread::set_current;
use super::ui_thread::{call_ui, with_current};
use super::{AppWindow, Ui};
use crate::config::Loaded;
use crate::core::Clock;
use crate::devices::{self, Hardware};
use crate::hw::queue::{KeyQueue, Pushed};
use crate::hw::script::{self, StateQuery};
use crate::hw::{self, Buzzer, KeySink};
use crate::metrics::{self, Metrics};
use crate::service::Service;
use crate::store::{Backend, FileStore};
use crate::sys::SystemClock;
use slint::ComponentHandle;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How to start the kiosk.
#[derive(Debug)]
pub struct AppOptions {
    /// The config and where it came from.
    pub loaded: Loaded,
    /// The state directory.
    pub state_dir: PathBuf,
    /// Why the config could not be used (shows the fault screen).
    pub config_error: Option<String>,
    /// Fill the screen and behave as a kiosk (the Pi).
    pub fullscreen: bool,
    /// No display at all: Slint's software renderer off-screen (tests).
    pub headless: bool,
}

/// Everything the kiosk needs, built once at start-up.
pub struct Parts {
    /// The controller.
    pub kiosk: Kiosk,
    /// The buzzer it beeps on.
    pub buzzer: Arc<dyn Buzzer>,
    /// The metrics counts, when `metrics.textfile` is set.
    pub metrics: Option<Arc<Metrics>>,
}

/// Builds the controller over the state directory; problems become the
/// fault screen rather than an exit, so the till says what is wrong.
///
/// The store is always the real directory. One that cannot be opened now
/// (a failed mount, a path that cannot be traversed, a read-only file
/// system) is a fault that the fault screen retries; it is never replaced
/// by an empty stand-in, which the health check would take for a fresh
/// till and offer first-boot setup to anyone standing there.
pub fn build(opts: &AppOptions, buzzer: Arc<dyn Buzzer>) -> Parts {
    let cfg = &opts.loaded.config;
    let clock = Arc::new(SystemClock);
    let backend: Arc<dyn Backend> = Arc::new(FileStore::new(&opts.state_dir, cfg.rotation()));
    let fault = opts.config_error.clone().map(Fault::Config);
    let mut svc = Service::new(backend, cfg, clock);
    let metrics = cfg.metrics.textfile.as_ref().map(|_| {
        let log = svc.audit_log().map(|l| l.records).unwrap_or_default();
        Arc::new(Metrics::seeded(&log))
    });
    if let Some(m) = &metrics {
        svc = svc.with_audit_sink(m.clone());
    }
    let mut kiosk = Kiosk::new(
        svc,
        buzzer.clone(),
        cfg.ui.clone(),
        cfg.default_language,
        fault,
    );
    kiosk.set_config_source(opts.loaded.source.clone());
    Parts {
        kiosk,
        buzzer,
        metrics,
    }
}

/// Starts the timers that keep the screen current: the 1 Hz clock (the only
/// regular wake-up when idle) and the powered-on checkpoint.
pub fn start_timers(ui: &Rc<Ui>) -> Vec<slint::Timer> {
    let tick = slint::Timer::default();
    let u = Rc::downgrade(ui);
    tick.start(
        slint::TimerMode::Repeated,
        Duration::from_secs(1),
        move || {
            if let Some(ui) = u.upgrade() {
                ui.update(Kiosk::tick);
            }
        },
    );
    let checkpoint = slint::Timer::default();
    let interval = ui.with(|k| k.service().checkpoint_interval());
    let u = Rc::downgrade(ui);
    checkpoint.start(slint::TimerMode::Repeated, interval, move || {
        if let Some(ui) = u.upgrade()
            && let Err(e) = ui.with(|k| k.service().checkpoint())
        {
            tracing::error!("powered-on time not checkpointed: {e}");
        }
    });
    vec![tick, checkpoint]
}

/// Keys on their way to the UI thread (see [`crate::hw::queue`]).
static KEYS: KeyQueue = KeyQueue::new();

/// Wakes the UI thread to take the waiting keys, in order, in one batch.
fn wake_ui() {
    let posted = slint::invoke_from_event_loop(|| {
        let batch = KEYS.drain();
        if batch.dropped > 0 {
            tracing::warn!(
                "{} keys dropped: input came faster than the till takes it (a stuck key or a hostile device?)",
                batch.dropped
            );
        }
        with_current(|ui| {
            // One update per key: each key's events go out (to the session
            // API) as it is handled, not as one burst per batch.
            for (ev, at) in batch.keys {
                let waited = u64::try_from(at.elapsed().as_millis()).unwrap_or(u64::MAX);
                ui.update(|k| k.key_event_waited(ev, waited));
            }
            ui.arm_chord();
        });
    });
    if posted.is_err() {
        // No event loop (shutting down): forget the keys, or no later key
        // would ever wake it again.
        KEYS.drain();
    }
}

/// Keys from hardware threads (GPIO keypad, evdev devices): queued for
/// the UI thread; beyond the queue's capacity, dropped and counted.
pub fn key_sink() -> KeySink {
    Arc::new(|ev| {
        if KEYS.push(ev) == Pushed::Wake {
            wake_ui();
        }
    })
}

/// Badge reads, from the readers' threads and the scripted keypad: each
/// goes to the UI thread once the keys before it are handled.
pub fn badge_sink() -> crate::hw::badge::BadgeSink {
    Arc::new(|card| {
        wait_while_checking();
        if call_ui(move |ui| ui.update(|k| k.badge(card))).is_err() {
            tracing::warn!("a badge read was lost: the UI is not running");
        }
    })
}

/// Keys from the scripted keypad: its client waits for room in the queue
/// (up to 5 s) rather than losing keys, so a fast script slows down
/// instead of flooding the UI.
///
/// Like a person who sees "Checking…", it also waits for a password check
/// to finish before the next key: the kiosk ignores keys meanwhile.
pub fn script_sink() -> KeySink {
    // Only Enter submits a form, so only the key after one waits: a
    // script's long bursts of other keys stay one batch to the UI.
    let after_enter = AtomicBool::new(false);
    Arc::new(move |ev| {
        if after_enter.swap(false, Ordering::SeqCst) {
            wait_while_checking();
        }
        if matches!(ev, hw::KeyEvent::Down(hw::Key::Enter)) {
            after_enter.store(true, Ordering::SeqCst);
        }
        if KEYS.push_waiting(ev, Duration::from_secs(5)) == Pushed::Wake {
            wake_ui();
        }
    })
}

/// Waits (at most 60 s) until the keys already queued have been handled
/// and no password check is running. The question goes through the event
/// loop behind the queued keys, so an Enter just pushed has started its
/// check by the time it is answered.
fn wait_while_checking() {
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        match call_ui(|ui| ui.with(|k| k.is_checking())) {
            Ok(true) => std::thread::sleep(Duration::from_millis(5)),
            _ => return,
        }
    }
}

/// Answers the scripted keypad's `STATE?` from the UI thread.
fn state_query() -> StateQuery {
    Arc::new(|| {
        wait_while_checking();
        call_ui(|ui| {
            let v = ui.with(|k| k.view());
            serde_json::json!({
                "screen": v.screen.name(),
                "who": v.who,
                "message": v.message,
                "lang": v.lang,
                "idle_secs": v.idle_secs,
                "asleep": v.asleep,
                "approval": v.approval.active.then_some(&v.approval.action),
            })
            .to_string()
        })
        .unwrap_or_else(|e| format!("error: {e}"))
    })
}

/// Set when SIGTERM or SIGINT arrives.
static SHUTDOWN: AtomicBool = AtomicBool::new(false);

/// Blocks SIGTERM and SIGINT in this thread (call first in `main`, before
/// any thread starts, so every thread inherits the mask) and takes them in
/// a dedicated thread: the handler runs no code in signal context.
pub fn take_signals() {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    set.add(Signal::SIGTERM);
    set.add(Signal::SIGINT);
    if let Err(e) = set.thread_block() {
        tracing::warn!("cannot block signals: {e}");
        return;
    }
    let _ = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Ok(sig) = set.wait() {
                tracing::info!("{sig}: shutting down");
                SHUTDOWN.store(true, Ordering::SeqCst);
                let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
                let _ = slint::invoke_from_event_loop(|| {
                    let _ = slint::quit_event_loop();
                });
            }
        });
}

/// When this process started (see [`mark_start`]).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Notes the process's start, for the time-to-first-frame figure.
pub fn mark_start() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// Tells systemd we are up once the first frame has been drawn, and keeps
/// its watchdog fed from the UI event loop. The first frame's time is
/// logged twice: since the kernel started (`CLOCK_BOOTTIME`: power-on to a
/// usable sign-in screen) and since this process started.
fn notify_systemd(window: &AppWindow) -> Option<slint::Timer> {
    let ready = move || {
        let since_boot = crate::sys::SystemClock.boot().since_boot_ms;
        let since_start = STARTED.get().map_or(0, |t| t.elapsed().as_millis());
        tracing::info!(
            "first frame drawn: {:.1} s after the kernel started, {:.1} s after till-kiosk started; READY",
            since_boot as f64 / 1000.0,
            since_start as f64 / 1000.0
        );
        if let Err(e) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
            tracing::warn!("sd_notify READY failed: {e}");
        }
    };
    let mut once = Some(ready);
    let notifier = window.window().set_rendering_notifier(move |state, _| {
        if matches!(state, slint::RenderingState::AfterRendering)
            && let Some(f) = once.take()
        {
            f();
        }
    });
    if notifier.is_err() {
        // A renderer without notifications: ready once the loop runs.
        slint::Timer::single_shot(Duration::ZERO, ready);
    }
    let period = sd_notify::watchdog_enabled()?;
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, period / 2, || {
        let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
    });
    tracing::info!("watchdog: pinging every {:?}", period / 2);
    Some(timer)
}

#[cfg(feature = "pi")]
fn select_backend(opts: &AppOptions) -> Result<(), slint::PlatformError> {
    if opts.headless {
        return Ok(());
    }
    let mut selector = slint::BackendSelector::new();
    // A technician's SLINT_BACKEND (in a drop-in) wins; else the kiosk
    // chooses: the GPU where there is a GPU driver, software elsewhere
    // (see hw::display: llvmpipe's JIT dies under MemoryDenyWriteExecute).
    if std::env::var_os("SLINT_BACKEND").is_some_and(|v| !v.is_empty()) {
        tracing::info!("renderer: as SLINT_BACKEND says");
    } else {
        let drivers = hw::display::drm_drivers(std::path::Path::new("/sys"));
        let r = hw::display::choose(opts.loaded.config.ui.renderer, &drivers);
        tracing::info!("renderer: {} ({})", r.name, r.why);
        selector = selector
            .backend_name("linuxkms".into())
            .renderer_name(r.name.into());
    }
    // Swallow Ctrl+Alt+Backspace/Delete before linuxkms quits on them.
    let guard = std::cell::RefCell::new(hw::escape::EscapeGuard::default());
    selector
        .with_libinput_event_hook(move |event| {
            use input::event::keyboard::KeyboardEventTrait;
            if let input::Event::Keyboard(k) = event {
                let pressed = k.key_state() == input::event::keyboard::KeyState::Pressed;
                return guard.borrow_mut().filter(k.key(), pressed);
            }
            false
        })
        .select()
}

#[cfg(not(feature = "pi"))]
fn select_backend(_opts: &AppOptions) -> Result<(), slint::PlatformError> {
    Ok(())
}

/// Runs the kiosk until shut down (or, windowed on a desktop, closed).
///
/// Long on purpose: start-up in the order it must happen (state, hardware, window, sockets, watchdog); each step is a call, and splitting would hide that order.
pub fn run(opts: AppOptions) -> Result<(), slint::PlatformError> {
    let cfg = opts.loaded.config.clone();
    let _console =
        cfg.kiosk
            .console
            .as_ref()
            .and_then(|tty| match hw::escape::console_keyboard_off(tty) {
                Ok(g) => Some(g),
                Err(e) => {
                    tracing::warn!("{e}");
                    None
                }
            });
    if opts.headless {
        HeadlessPlatform::install()?;
    } else {
        select_backend(&opts)?;
    }
    let mut hardware: Hardware = devices::start(&cfg, key_sink(), badge_sink());
    let parts = build(&opts, hardware.buzzer.clone());
    let mut kiosk = parts.kiosk;
    kiosk.set_hardware_problems(hardware.problems.clone());
    kiosk.set_backlight(hardware.backlight.clone());
    kiosk.set_approvers(cfg.session_api.clone());
    let service = kiosk.service().clone();
    if let (Some(dir), Some(key)) = (&cfg.bundle.watch_dir, cfg.bundle.public_key)
        && let Err(e) =
            crate::service::bundle_watch::Watcher::new(service.clone(), dir.clone(), key).spawn()
    {
        tracing::error!("bundle directory {}: no thread: {e}", dir.display());
    }
    if let (Some(m), Some(path)) = (&parts.metrics, &cfg.metrics.textfile)
        && let Err(e) = metrics::spawn(
            service.clone(),
            m.clone(),
            path.clone(),
            hardware.problems.len(),
        )
    {
        tracing::error!("metrics file {}: no thread: {e}", path.display());
    }

    let window = AppWindow::new()?;
    if opts.fullscreen {
        window.window().set_fullscreen(true);
    } else {
        let size = cfg.ui.window_size;
        window.window().set_size(slint::LogicalSize::new(
            size.width as f32,
            size.height as f32,
        ));
    }
    let ui = Ui::new(&window, kiosk);
    set_current(&ui);
    let _timers = start_timers(&ui);
    let _watchdog = notify_systemd(&window);
    if let Some(path) = &cfg.kiosk.script_socket
        && let Err(e) = script::listen(
            path,
            script::Sinks {
                sink: script_sink(),
                device: key_sink(),
                badge: badge_sink(),
            },
            state_query(),
        )
    {
        tracing::error!("scripted keypad socket {}: {e}", path.display());
    }
    if let Some(path) = &cfg.session_api.socket {
        let (access, group) = crate::session::access(&cfg.session_api);
        let server_cfg = crate::session::server::ServerConfig {
            path: path.clone(),
            group,
            access,
            max_connections: cfg.session_api.max_connections.max(1),
            queue: cfg.session_api.queue.max(1),
            rate_per_s: cfg.session_api.rate_per_s.max(1),
        };
        let engine = Arc::new(super::session_engine::UiEngine {
            service: service.clone(),
        });
        match crate::session::server::Server::start(server_cfg, engine) {
            Ok(server) => {
                let clock = service.clock().clone();
                ui.set_event_hook(Box::new(move |e| {
                    server.broadcast(&super::session_engine::event_line(e, clock.wall()))
                }));
            }
            Err(e) => tracing::error!(
                "session API socket {}: {e}; the sales software cannot reach the kiosk",
                path.display()
            ),
        }
    }

    loop {
        window.run()?;
        if SHUTDOWN.load(Ordering::SeqCst) || !(opts.fullscreen || opts.headless) {
            break;
        }
        // Something ended the loop without a shutdown request (on linuxkms,
        // Ctrl+Alt+Backspace gets here if the hook missed it): a kiosk stays up.
        tracing::warn!("the event loop ended without a shutdown request; resuming");
    }
    ui.update(|k| k.shutdown());
    hardware.shutdown();
    tracing::info!("till-kiosk stopped");
    Ok(())
}
