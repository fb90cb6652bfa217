//! The per-frame record every later stage reads.

use serde::{Deserialize, Serialize};

use crate::geometry::metrics::Metrics;
use crate::geometry::state::PostureState;

/// One analysed frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Frame number in the source, from 0.
    pub frame: u64,
    /// Presentation or capture time, in milliseconds from the start.
    pub t_ms: f64,
    /// Whether a person was found.
    pub person: bool,
    /// Posture metrics (`None` without a person).
    pub metrics: Option<Metrics>,
    /// The posture state shown at this frame (debounced).
    pub state: PostureState,
}
