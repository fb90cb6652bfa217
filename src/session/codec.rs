//! Compact binary forms of per-frame data for the session database: an hour at 30 fps is
//! 108,000 rows, so every byte per row is 108 kB per hour.

use crate::geometry::metrics::{Metrics, PlumbDeviation};
use crate::geometry::view::View;

/// Format tag of [`encode_metrics`] blobs.
const METRICS_V1: u8 = 1;
/// Tag, view, plumb-line flag, then 11 little-endian f32 (NaN for "not measured").
pub const METRICS_BYTES: usize = 3 + 11 * 4;

/// Why a metrics blob could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricsBlobError {
    #[error("metrics blob has {0} bytes, expected {METRICS_BYTES}")]
    Length(usize),
    #[error("metrics blob has unknown format tag {0}")]
    Format(u8),
}

fn view_byte(v: Option<View>) -> u8 {
    match v {
        None => 0,
        Some(View::Frontal) => 1,
        Some(View::Side) => 2,
        Some(View::Oblique) => 3,
    }
}

fn byte_view(b: u8) -> Option<View> {
    match b {
        1 => Some(View::Frontal),
        2 => Some(View::Side),
        3 => Some(View::Oblique),
        _ => None,
    }
}

/// Metrics in 47 bytes (JSON takes about 260).
pub fn encode_metrics(m: &Metrics) -> Vec<u8> {
    let plumb = m.plumb_deviation;
    let p = plumb.unwrap_or_default();
    let values = [
        m.trunk_lean_frontal_deg,
        m.trunk_lean_sagittal_deg,
        m.shoulder_hip_offset,
        m.shoulder_hip_offset_cm,
        m.shoulder_tilt_deg,
        m.hip_tilt_deg,
        m.head_forward_deg,
        p.ear,
        p.shoulder,
        p.hip,
        p.knee,
    ];
    let mut out = Vec::with_capacity(METRICS_BYTES);
    out.extend([METRICS_V1, view_byte(m.view), plumb.is_some() as u8]);
    for v in values {
        out.extend(v.unwrap_or(f32::NAN).to_le_bytes());
    }
    out
}

/// Reads what [`encode_metrics`] wrote.
pub fn decode_metrics(bytes: &[u8]) -> Result<Metrics, MetricsBlobError> {
    if bytes.len() != METRICS_BYTES {
        return Err(MetricsBlobError::Length(bytes.len()));
    }
    if bytes[0] != METRICS_V1 {
        return Err(MetricsBlobError::Format(bytes[0]));
    }
    let mut v = [None; 11];
    for (i, chunk) in bytes[3..].chunks_exact(4).enumerate() {
        let x = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        v[i] = (!x.is_nan()).then_some(x);
    }
    Ok(Metrics {
        view: byte_view(bytes[1]),
        trunk_lean_frontal_deg: v[0],
        trunk_lean_sagittal_deg: v[1],
        shoulder_hip_offset: v[2],
        shoulder_hip_offset_cm: v[3],
        shoulder_tilt_deg: v[4],
        hip_tilt_deg: v[5],
        head_forward_deg: v[6],
        plumb_deviation: (bytes[2] != 0).then_some(PlumbDeviation {
            ear: v[7],
            shoulder: v[8],
            hip: v[9],
            knee: v[10],
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_round_trip_exactly_including_gaps() {
        let cases = [
            Metrics::default(),
            Metrics {
                view: Some(View::Side),
                trunk_lean_frontal_deg: Some(-3.25),
                plumb_deviation: Some(PlumbDeviation {
                    ear: Some(0.1),
                    ..Default::default()
                }),
                ..Default::default()
            },
            Metrics {
                view: Some(View::Oblique),
                trunk_lean_frontal_deg: Some(1.0),
                trunk_lean_sagittal_deg: Some(2.0),
                shoulder_hip_offset: Some(0.03),
                shoulder_hip_offset_cm: Some(-1.5),
                shoulder_tilt_deg: Some(4.0),
                hip_tilt_deg: Some(-2.0),
                head_forward_deg: Some(17.5),
                plumb_deviation: None,
            },
        ];
        for m in cases {
            let blob = encode_metrics(&m);
            assert_eq!(blob.len(), METRICS_BYTES);
            assert_eq!(decode_metrics(&blob).unwrap(), m);
        }
        assert_eq!(decode_metrics(&[1, 2]), Err(MetricsBlobError::Length(2)));
        let mut bad = encode_metrics(&Metrics::default());
        bad[0] = 9;
        assert_eq!(decode_metrics(&bad), Err(MetricsBlobError::Format(9)));
    }
}
