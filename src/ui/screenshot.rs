//! `till-kiosk --screenshot DIR`: every screen to PNG, headless.
//!
//! A custom Slint platform with one [`MinimalSoftwareWindow`] and the
//! software renderer: no display, no GPU. Each scene of [`super::demo`]
//! is rendered in each language at the requested size.

use super::demo::{self, Base};
use super::{AppWindow, Ui};
use crate::core::Lang;
use slint::EventLoopError;
use slint::Rgb8Pixel;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{EventLoopProxy, Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, PlatformError};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use std::time::Instant;

/// A platform whose only window is an off-screen software buffer, with an
/// event loop that sleeps until a timer is due or work is posted to it.
pub struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
    start: Instant,
    queue: Arc<Queue>,
}

#[derive(Default)]
struct Queue {
    jobs: Mutex<VecDeque<Job>>,
    wake: Condvar,
}

enum Job {
    Run(Box<dyn FnOnce() + Send>),
    Quit,
}

struct Proxy(Arc<Queue>);

impl Queue {
    fn push(&self, j: Job) {
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(j);
        self.wake.notify_one();
    }
}

impl EventLoopProxy for Proxy {
    fn quit_event_loop(&self) -> Result<(), EventLoopError> {
        self.0.push(Job::Quit);
        Ok(())
    }
    fn invoke_from_event_loop(&self, f: Box<dyn FnOnce() + Send>) -> Result<(), EventLoopError> {
        self.0.push(Job::Run(f));
        Ok(())
    }
}

impl HeadlessPlatform {
    /// Installs the platform; call before creating any component.
    pub fn install() -> Result<Rc<MinimalSoftwareWindow>, PlatformError> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        let p = HeadlessPlatform {
            window: window.clone(),
            start: Instant::now(),
            queue: Arc::default(),
        };
        slint::platform::set_platform(Box::new(p))
            .map_err(|e| PlatformError::Other(e.to_string()))?;
        Ok(window)
    }
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
    fn duration_since_start(&self) -> std::time::Duration {
        self.start.elapsed()
    }
    fn new_event_loop_proxy(&self) -> Option<Box<dyn EventLoopProxy>> {
        Some(Box::new(Proxy(self.queue.clone())))
    }
    fn run_event_loop(&self) -> Result<(), PlatformError> {
        loop {
            slint::platform::update_timers_and_animations();
            // Draw what changed, as a screen would (READY=1 follows a real frame).
            let size = self.window.size();
            if size.width > 0 && size.height > 0 {
                self.window.draw_if_needed(|r| {
                    let mut frame =
                        vec![Rgb8Pixel::default(); size.width as usize * size.height as usize];
                    r.render(&mut frame, size.width as usize);
                });
            }
            let mut jobs = self.queue.jobs.lock().unwrap_or_else(|e| e.into_inner());
            if jobs.is_empty() {
                let wait = slint::platform::duration_until_next_timer_update()
                    .unwrap_or(Duration::from_secs(3600));
                jobs = self
                    .queue
                    .wake
                    .wait_timeout(jobs, wait)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            let batch: Vec<Job> = jobs.drain(..).collect();
            drop(jobs);
            for job in batch {
                match job {
                    Job::Run(f) => f(),
                    Job::Quit => return Ok(()),
                }
            }
        }
    }
}

/// Renders the window into an RGB buffer.
pub fn render(window: &MinimalSoftwareWindow, size: PhysicalSize) -> Vec<Rgb8Pixel> {
    let (w, h) = (size.width as usize, size.height as usize);
    let mut buf = vec![Rgb8Pixel::default(); w * h];
    slint::platform::update_timers_and_animations();
    window.request_redraw();
    window.draw_if_needed(|r| {
        r.render(&mut buf, w);
    });
    buf
}

/// Writes an RGB buffer as PNG.
pub fn write_png(path: &Path, size: PhysicalSize, buf: &[Rgb8Pixel]) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, size.width, size.height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(std::io::Error::other)?;
    let bytes: Vec<u8> = buf.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    w.write_image_data(&bytes).map_err(std::io::Error::other)?;
    Ok(())
}

/// What to render.
#[derive(Debug, Clone)]
pub struct ShotOptions {
    /// Output directory (created if missing).
    pub dir: PathBuf,
    /// Sizes, e.g. 800x480 and 720x1280.
    pub sizes: Vec<PhysicalSize>,
    /// Languages.
    pub langs: Vec<Lang>,
    /// One scene, or all.
    pub screen: Option<String>,
}

/// Renders the scenes; returns the files written.
pub fn run(opts: &ShotOptions) -> Result<Vec<PathBuf>, String> {
    let scenes: Vec<&str> = match &opts.screen {
        Some(s) if demo::SCENES.contains(&s.as_str()) => vec![
            demo::SCENES
                .iter()
                .find(|x| **x == s.as_str())
                .copied()
                .unwrap_or_default(),
        ],
        Some(s) => {
            return Err(format!(
                "unknown screen {s:?}; the screens are: {}",
                demo::SCENES.join(", ")
            ));
        }
        None => demo::SCENES.to_vec(),
    };
    std::fs::create_dir_all(&opts.dir)
        .map_err(|e| format!("unable to create {}: {e}", opts.dir.display()))?;
    let sw = HeadlessPlatform::install().map_err(|e| e.to_string())?;
    let window = AppWindow::new().map_err(|e| e.to_string())?;
    let mut ui: Option<Rc<Ui>> = None;
    let mut written = Vec::new();
    for &lang in &opts.langs {
        let base = Base::build(lang);
        for name in &scenes {
            let kiosk = demo::scene(&base, name)?;
            match &ui {
                None => ui = Some(Ui::new(&window, kiosk)),
                Some(u) => u.replace(kiosk),
            }
            for size in &opts.sizes {
                window.window().set_size(*size);
                let buf = render(&sw, *size);
                let path = opts
                    .dir
                    .join(format!("{name}-{lang}-{}x{}.png", size.width, size.height));
                write_png(&path, *size, &buf)
                    .map_err(|e| format!("unable to write {}: {e}", path.display()))?;
                written.push(path);
            }
        }
    }
    drop(window);
    Ok(written)
}
