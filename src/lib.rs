//! till-kiosk: the sign-in front door of a Raspberry Pi point-of-sale till.
//!
//! See `README.md` for the product and `docs/architecture.md` for the
//! architecture: a pure [`core`], a [`store`] on the persistent partition,
//! and thin front ends (the Slint kiosk and `tillctl`) that meet in
//! [`service`].

pub mod bundle;
pub mod config;
pub mod core;
pub mod devices;
pub mod hw;
pub mod journal;
pub mod logging;
pub mod metrics;
pub mod service;
pub mod session;
pub mod store;
pub mod sys;
#[cfg(feature = "ui")]
pub mod ui;

/// Parses a binary's arguments the same way for both binaries: `--help`
/// and `--version` print and exit 0; a bad argument prints clap's message
/// (what was wrong, and the usage) and exits 2.
pub fn parse_args<P: clap::Parser>() -> Result<P, std::process::ExitCode> {
    P::try_parse().map_err(|e| {
        let _ = e.print();
        std::process::ExitCode::from(if e.use_stderr() { 2 } else { 0 })
    })
}
