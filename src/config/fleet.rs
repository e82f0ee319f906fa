//! What a chain of tills configures: the metrics file (and, with the
//! operator bundles, the key they must be signed with).

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
