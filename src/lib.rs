//! till-kiosk: the sign-in front door of a Raspberry Pi point-of-sale till.
//!
//! See `README.md` for the product and `../shared/DESIGN.md` for the
//! architecture: a pure [`core`], a [`store`] on the persistent partition,
//! and thin front ends (the Slint kiosk and `tillctl`) that meet in
//! [`service`].

pub mod config;
pub mod core;
pub mod hw;
pub mod logging;
pub mod service;
pub mod session;
pub mod store;
pub mod sys;
pub mod tillctl;
#[cfg(feature = "ui")]
pub mod ui;
