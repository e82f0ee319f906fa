//! `till-kiosk --screenshot DIR`: every screen to PNG, headless.
//!
//! On the [`super::headless`] platform (one [`MinimalSoftwareWindow`], the
//! software renderer: no display, no GPU), each scene of [`super::demo`]
//! is rendered in each language at the requested size. A dev tool: only in
//! builds with the `devtools` feature.

use super::demo::{self, Base};
pub use super::headless::HeadlessPlatform;
use super::{AppWindow, Ui};
use crate::core::Lang;
use slint::Rgb8Pixel;
use slint::platform::software_renderer::MinimalSoftwareWindow;
use slint::{ComponentHandle, PhysicalSize};
use std::path::{Path, PathBuf};
use std::rc::Rc;

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
