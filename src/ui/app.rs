//! The real kiosk window (winit on a desktop, linuxkms on the Pi).

use super::kiosk::{Fault, Kiosk};
use super::{AppWindow, Ui};
use crate::config::Loaded;
use crate::hw::{Buzzer, LogBuzzer};
use crate::service::Service;
use crate::store::{Backend, FileStore, MemoryStore};
use crate::sys::SystemClock;
use slint::ComponentHandle;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
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
    /// Fill the screen (always on the Pi).
    pub fullscreen: bool,
}

/// Everything the kiosk needs, built once at start-up.
pub struct Parts {
    /// The controller.
    pub kiosk: Kiosk,
    /// The buzzer it beeps on.
    pub buzzer: Arc<dyn Buzzer>,
}

/// Builds the controller over the state directory; problems become the
/// fault screen rather than an exit, so the till says what is wrong.
pub fn build(opts: &AppOptions, buzzer: Arc<dyn Buzzer>) -> Parts {
    let cfg = &opts.loaded.config;
    let clock = Arc::new(SystemClock);
    let (backend, fault): (Arc<dyn Backend>, Option<Fault>) =
        match FileStore::open(&opts.state_dir, cfg.rotation()) {
            Ok(store) => (
                Arc::new(store),
                opts.config_error.clone().map(Fault::Config),
            ),
            Err(e) => {
                let f = Fault::Store {
                    error: e.to_string(),
                    remedy: e.remedy().into(),
                };
                (
                    Arc::new(MemoryStore::new()),
                    Some(opts.config_error.clone().map_or(f, Fault::Config)),
                )
            }
        };
    let svc = Service::new(backend, cfg, clock);
    let mut kiosk = Kiosk::new(
        svc,
        buzzer.clone(),
        cfg.ui.clone(),
        cfg.default_language,
        fault,
    );
    kiosk.set_config_source(opts.loaded.source.to_string());
    Parts { kiosk, buzzer }
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

/// Runs the kiosk until the window closes.
pub fn run(opts: AppOptions) -> Result<(), slint::PlatformError> {
    let buzzer: Arc<dyn Buzzer> = Arc::new(LogBuzzer::new(opts.loaded.config.ui.mock_buzzer_bell));
    let parts = build(&opts, buzzer);
    let window = AppWindow::new()?;
    let size = opts.loaded.config.ui.window_size;
    if opts.fullscreen {
        window.window().set_fullscreen(true);
    } else {
        window.window().set_size(slint::LogicalSize::new(
            size.width as f32,
            size.height as f32,
        ));
    }
    let ui = Ui::new(&window, parts.kiosk);
    let _timers = start_timers(&ui);
    window.run()?;
    parts.buzzer.silence();
    Ok(())
}
