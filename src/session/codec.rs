//! Compact binary forms of per-frame data for the session database: an hour at 30 fps is
//! 108,000 rows, so every byte per row is 108 kB per hour.

use crate::geometry::MetricId;
use crate::geometry::metrics::Metrics;
use crate::geometry::view::View;

/// Format tag of the first release's blobs: tag, view, plumb-line flag, then 11 f32.
const METRICS_V1: u8 = 1;
/// Bytes of a version-1 blob.
const METRICS_V1_BYTES: usize = 3 + 11 * 4;
/// Format tag of [`encode_metrics`] blobs: tag, view, metric count `n`, then `n` f32 in the
/// metric table's order. A newer plumbline with more metrics appends them; an older blob
/// simply has fewer.
const METRICS_V2: u8 = 2;
/// Bytes of a blob of every metric this program knows.
pub const METRICS_BYTES: usize = 3 + MetricId::COUNT * 4;

/// Why a metrics blob could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricsBlobError {
    #[error("metrics blob has {found} bytes, expected {expected}")]
    Length { found: usize, expected: usize },
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

/// Metrics in 47 bytes (JSON takes about 260): NaN stands for "not measured".
pub fn encode_metrics(m: &Metrics) -> Vec<u8> {
    let mut out = Vec::with_capacity(METRICS_BYTES);
    out.extend([METRICS_V2, view_byte(m.view), MetricId::COUNT as u8]);
    for (_, v) in m.iter() {
        out.extend(v.unwrap_or(f32::NAN).to_le_bytes());
    }
    out
}

/// Reads what [`encode_metrics`] wrote, and the first release's format.
pub fn decode_metrics(bytes: &[u8]) -> Result<Metrics, MetricsBlobError> {
    let (&tag, _) = bytes.split_first().ok_or(MetricsBlobError::Length {
        found: 0,
        expected: METRICS_BYTES,
    })?;
    let (view, values, plumb_measured) = match tag {
        METRICS_V1 if bytes.len() == METRICS_V1_BYTES => (bytes[1], &bytes[3..], bytes[2] != 0),
        METRICS_V1 => {
            return Err(MetricsBlobError::Length {
                found: bytes.len(),
                expected: METRICS_V1_BYTES,
            });
        }
        METRICS_V2 => {
            let n = bytes.get(2).copied().unwrap_or(0) as usize;
            let expected = 3 + n * 4;
            if bytes.len() != expected {
                return Err(MetricsBlobError::Length {
                    found: bytes.len(),
                    expected,
                });
            }
            (bytes[1], &bytes[3..], true)
        }
        other => return Err(MetricsBlobError::Format(other)),
    };
    let mut m = Metrics::new(byte_view(view));
    // Both formats store values in table order; metrics a blob lacks stay unmeasured.
    for (id, chunk) in MetricId::ALL.into_iter().zip(values.chunks_exact(4)) {
        let x = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let plumb = id.spec().json_group.is_some();
        if !x.is_nan() && (plumb_measured || !plumb) {
            m.set(id, Some(x));
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_round_trip_exactly_including_gaps() {
        let cases = [
            Metrics::default(),
            Metrics::new(Some(View::Side))
                .with(MetricId::TrunkLeanFrontal, -3.25)
                .with(MetricId::PlumbEar, 0.1),
            MetricId::ALL.into_iter().fold(Metrics::default(), |m, id| {
                m.with(id, id.index() as f32 - 2.5)
            }),
        ];
        for m in cases {
            let blob = encode_metrics(&m);
            assert_eq!(blob.len(), METRICS_BYTES);
            assert_eq!(decode_metrics(&blob).unwrap(), m);
        }
        assert_eq!(
            decode_metrics(&[2, 0, 1]),
            Err(MetricsBlobError::Length {
                found: 3,
                expected: 7
            })
        );
        let mut bad = encode_metrics(&Metrics::default());
        bad[0] = 9;
        assert_eq!(decode_metrics(&bad), Err(MetricsBlobError::Format(9)));
    }

    #[test]
    fn first_release_blobs_still_read() {
        // Version 1: tag, view (side), plumb flag, then 11 f32 — frontal lean 2.0, the hip
        // tilt and the plumb line unmeasured... except a stray plumb value under a cleared flag.
        let mut v1 = vec![1u8, 2, 0];
        for i in 0..11 {
            let x = match i {
                0 => 2.0f32,
                7 => 0.3, // plumb ear, but the flag says no plumb line was measured
                _ => f32::NAN,
            };
            v1.extend(x.to_le_bytes());
        }
        let m = decode_metrics(&v1).unwrap();
        assert_eq!(m.view, Some(View::Side));
        assert_eq!(m.get(MetricId::TrunkLeanFrontal), Some(2.0));
        assert_eq!(m.get(MetricId::PlumbEar), None);
        assert_eq!(m.measured().count(), 1);
        v1[2] = 1;
        assert_eq!(
            decode_metrics(&v1).unwrap().get(MetricId::PlumbEar),
            Some(0.3)
        );
        assert!(matches!(
            decode_metrics(&v1[..10]),
            Err(MetricsBlobError::Length { .. })
        ));
    }

    #[test]
    fn a_blob_with_fewer_metrics_leaves_the_rest_unmeasured() {
        // What a later plumbline reads from this one, or this one from an earlier table.
        let mut short = vec![2u8, 1, 2];
        short.extend(1.5f32.to_le_bytes());
        short.extend(f32::NAN.to_le_bytes());
        let m = decode_metrics(&short).unwrap();
        assert_eq!(m.get(MetricId::TrunkLeanFrontal), Some(1.5));
        assert_eq!(m.measured().count(), 1);
    }
}
