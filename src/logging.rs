//! Logging to stderr (and so to the journal under systemd).
//!
//! `RUST_LOG` overrides the level. Nothing secret is ever passed to a log
//! macro: secrets are [`crate::core::Secret`]s, whose `Debug` prints `***`.

/// Installs the subscriber once; later calls do nothing.
pub fn init(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
