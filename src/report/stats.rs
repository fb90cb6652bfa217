//! One metric's distribution over a session (its typical value and the range it kept to), for
//! the summary and for each measure.

use serde::{Deserialize, Serialize};

/// Distribution of one metric over the frames where it was measured. Percentiles are of the
/// signed values (nearest rank) except `p95_abs`: the typical value is `median`, the range it
/// kept to half the time `p25`…`p75`, nearly all the time `p5`…`p95`, all in one sign
/// convention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricStats {
    /// Frames where the metric was measured.
    pub n: usize,
    pub mean: f64,
    /// 95th percentile of the signed values.
    pub p95: f64,
    /// 95th percentile of the magnitude: how far it strays, either way.
    pub p95_abs: f64,
    #[serde(default)]
    pub median: f64,
    #[serde(default)]
    pub p5: f64,
    #[serde(default)]
    pub p25: f64,
    #[serde(default)]
    pub p75: f64,
}

/// The distribution of `values` (not empty).
pub(super) fn stats(values: &[f32]) -> MetricStats {
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    let mut abs: Vec<f32> = values.iter().map(|v| v.abs()).collect();
    abs.sort_by(f32::total_cmp);
    MetricStats {
        n: values.len(),
        mean: values.iter().map(|&v| v as f64).sum::<f64>() / values.len().max(1) as f64,
        p95: percentile(&sorted, 0.95),
        p95_abs: percentile(&abs, 0.95),
        median: percentile(&sorted, 0.5),
        p5: percentile(&sorted, 0.05),
        p25: percentile(&sorted, 0.25),
        p75: percentile(&sorted, 0.75),
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64
}
