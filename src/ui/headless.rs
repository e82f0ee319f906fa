//! A Slint platform with no display: one off-screen software window and an
//! event loop that sleeps until a timer is due or work is posted. The kiosk
//! runs on it with `--headless` (tests drive it through the scripted
//! keypad) and the screenshot renderer draws on it.

use slint::PlatformError;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{EventLoopProxy, Platform, WindowAdapter};
use slint::{EventLoopError, Rgb8Pixel};
use std::collections::VecDeque;
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
