//! `till-kiosk`: the kiosk. Parses its arguments and hands over to
//! [`till_kiosk::ui::app`] (the window), the screenshot renderer or the
//! start-up benchmarks; all behaviour lives in the library.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use till_kiosk::config;
use till_kiosk::ui::app::{self, AppOptions};

/// The till's fullscreen sign-in kiosk.
#[derive(Parser, Debug)]
#[command(name = "till-kiosk", version, about)]
pub struct Args {
    /// Config file [default: $TILL_KIOSK_CONFIG, else /etc/till-kiosk/config.yaml if present, else built-in]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// State directory (overrides the config)
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Fill the screen and stay up as a kiosk (the Pi always does)
    #[arg(long)]
    pub fullscreen: bool,
    /// Run without any display (Slint's software renderer, off-screen): for
    /// tests driving the kiosk through the scripted keypad
    #[arg(long)]
    pub headless: bool,
    /// The dev tools (screenshots, benchmarks): only in `devtools` builds.
    #[cfg(feature = "devtools")]
    #[command(flatten)]
    pub dev: devtools::DevArgs,
}

/// Runs the kiosk with the process's arguments.
fn main() -> ExitCode {
    till_kiosk::ui::app::mark_start();
    let args: Args = match till_kiosk::parse_args() {
        Ok(a) => a,
        Err(code) => return code,
    };
    till_kiosk::logging::init("info");
    if let Err(e) = till_kiosk::sys::no_core_dumps() {
        tracing::warn!("core dumps not switched off: {e}");
    }
    #[cfg(feature = "devtools")]
    let first_frame = args.dev.bench_first_frame;
    #[cfg(feature = "devtools")]
    if let Some(code) = devtools::run(args.dev) {
        return code;
    }
    // A config that cannot be read is shown on the fault screen, not
    // silently replaced by defaults.
    let (loaded, config_error) = match config::load(args.config.as_deref()) {
        Ok(l) => (l, None),
        Err(e) => {
            tracing::error!("{e}");
            (
                config::Loaded {
                    config: Default::default(),
                    source: config::Source::BuiltIn,
                },
                Some(e.to_string()),
            )
        }
    };
    let state_dir = args.state_dir.unwrap_or_else(|| loaded.state_dir());
    tracing::info!(state_dir = %state_dir.display(), config = %loaded.source, "starting till-kiosk {}", env!("CARGO_PKG_VERSION"));
    let opts = AppOptions {
        loaded,
        state_dir,
        config_error,
        fullscreen: args.fullscreen,
        headless: args.headless,
    };
    #[cfg(feature = "devtools")]
    if first_frame {
        return match till_kiosk::ui::bench::first_frame(opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("till-kiosk: {e}");
                ExitCode::from(2)
            }
        };
    }
    app::take_signals();
    match app::run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("till-kiosk: unable to open the window: {e}");
            ExitCode::from(1)
        }
    }
}

/// `--screenshot`, `--list-screens`, `--bench` and `--bench-first-frame`:
/// tools for developers, never in the packaged build.
#[cfg(feature = "devtools")]
mod devtools {
    use std::path::PathBuf;
    use std::process::ExitCode;
    use till_kiosk::config::WindowSize;
    use till_kiosk::core::Lang;
    use till_kiosk::ui::screenshot::{self, ShotOptions};

    /// The panels tills use (7" official Pi display, 7"/10" POS panels,
    /// 15.6" full HD), landscape and portrait: `--size standard`.
    const STANDARD_SIZES: &[&str] = &[
        "800x480",
        "480x800",
        "1024x600",
        "600x1024",
        "1280x800",
        "800x1280",
        "1920x1080",
        "1080x1920",
    ];

    fn fail(msg: impl std::fmt::Display) -> ExitCode {
        eprintln!("till-kiosk: {msg}");
        ExitCode::from(2)
    }

    /// The dev tools' arguments.
    #[derive(clap::Args, Debug)]
    pub struct DevArgs {
        /// Render every screen to PNG files in DIR, headless, and exit
        #[arg(long, value_name = "DIR")]
        pub screenshot: Option<PathBuf>,
        /// Screenshot size, repeatable, or `standard` for the panels a till
        /// uses, both ways up: 800x480, 1024x600, 1280x800, 1920x1080 and
        /// their portrait turns [default: 800x480]
        #[arg(long = "size", value_name = "WxH|standard", requires = "screenshot")]
        pub sizes: Vec<String>,
        /// Screenshot language, repeatable [default: en and zh]
        #[arg(long = "lang", value_name = "en|zh", requires = "screenshot")]
        pub langs: Vec<String>,
        /// Only this screen (see --list-screens)
        #[arg(long, value_name = "NAME", requires = "screenshot")]
        pub screen: Option<String>,
        /// List the screen names for --screen
        #[arg(long)]
        pub list_screens: bool,
        /// Print UI benchmark figures and exit
        #[arg(long, hide = true)]
        pub bench: bool,
        /// Render the first frame headless, print its time, exit (for the benchmark)
        #[arg(long, hide = true)]
        pub bench_first_frame: bool,
    }

    /// Runs the tool asked for, if any (the first frame needs the config:
    /// `main` runs that one).
    pub fn run(dev: DevArgs) -> Option<ExitCode> {
        let asked = dev.list_screens || dev.screenshot.is_some() || dev.bench;
        asked.then(|| tool(dev))
    }

    fn tool(dev: DevArgs) -> ExitCode {
        if dev.list_screens {
            for s in till_kiosk::ui::demo::SCENES {
                println!("{s}");
            }
            return ExitCode::SUCCESS;
        }
        if let Some(dir) = dev.screenshot {
            let mut sizes = Vec::new();
            for s in if dev.sizes.is_empty() {
                vec!["800x480".to_owned()]
            } else {
                dev.sizes
            }
            .into_iter()
            .flat_map(|s| {
                if s == "standard" {
                    STANDARD_SIZES.iter().map(|s| (*s).to_owned()).collect()
                } else {
                    vec![s]
                }
            }) {
                match WindowSize::try_from(s) {
                    Ok(w) => sizes.push(slint::PhysicalSize::new(w.width, w.height)),
                    Err(e) => return fail(e),
                }
            }
            let mut langs = Vec::new();
            for l in if dev.langs.is_empty() {
                vec!["en".to_owned(), "zh".to_owned()]
            } else {
                dev.langs
            } {
                match l.parse::<Lang>() {
                    Ok(l) => langs.push(l),
                    Err(e) => return fail(e),
                }
            }
            let opts = ShotOptions {
                dir,
                sizes,
                langs,
                screen: dev.screen,
            };
            return match screenshot::run(&opts) {
                Ok(files) => {
                    for f in &files {
                        println!("{}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            };
        }
        if dev.bench {
            return match till_kiosk::ui::bench::in_process() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            };
        }
        ExitCode::SUCCESS
    }
}
