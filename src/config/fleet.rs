//! What a chain of tills configures: the metrics file and the operator
//! bundles' key and drop directory.

use crate::bundle::PublicKey;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `metrics`: a Prometheus textfile for node_exporter (see `metrics`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// The file, e.g. `/var/lib/prometheus/node-exporter/till-kiosk.prom`;
    /// `None` (the default): no metrics.
    pub textfile: Option<PathBuf>,
}

/// `bundle`: operator bundles signed at head office (see `bundle`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct BundleConfig {
    /// The only key whose bundles this till accepts (the text of
    /// `NAME.pub`: `ed25519:` and 64 hex digits). `tillctl bundle import
    /// --verify` with another key is refused.
    pub public_key: Option<PublicKey>,
    /// A directory the kiosk watches for `*.bundle` files (an Ansible
    /// `copy:` or a chain's .deb puts them there). Needs `public_key`.
    pub watch_dir: Option<PathBuf>,
    /// The group of tills this one belongs to (`shop-3`): it takes bundles
    /// exported `--scope shop-3` or for its own serial, and no others.
    /// Unset: it takes chain-wide bundles (no scope) and its serial's.
    pub scope: Option<String>,
}
