//! Compact binary forms of per-frame data (metrics, cues and landmarks) for the session database: an
//! hour at 30 fps is 108,000 rows, so every byte per row is 108 kB per hour.

use crate::geometry::MetricId;
use crate::geometry::advice::Cue;
use crate::geometry::metrics::Metrics;
use crate::geometry::view::View;
use crate::pose::{Landmark, NUM_LANDMARKS, Pose};

// ---------------------------------------------------------------------------------------------
// Metrics

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

// ---------------------------------------------------------------------------------------------
// Cues

/// The cue's words sit above the metric's index: 256 metrics before they would collide.
const CUE_WORDS_SHIFT: u32 = 8;

/// A cue as one small integer (schema step 8): the metric's index in [`MetricId::ALL`] plus 256
/// × the words' index in [`CUE_TEXTS`](crate::geometry::advice::CUE_TEXTS). `None` for words
/// outside the table (which the judge never gives).
pub fn encode_cue(cue: &Cue) -> Option<i64> {
    let words = i64::try_from(cue.code()?).ok()?;
    Some(words << CUE_WORDS_SHIFT | cue.metric.index() as i64)
}

/// Reads what [`encode_cue`] wrote; `None` for a metric or words this program does not know
/// (written by a newer plumbline).
pub fn decode_cue(code: i64) -> Option<Cue> {
    let metric = *MetricId::ALL.get(usize::try_from(code & 0xFF).ok()?)?;
    Cue::from_code(metric, usize::try_from(code >> CUE_WORDS_SHIFT).ok()?)
}

// ---------------------------------------------------------------------------------------------
// Landmarks

/// Format tag in the first byte of an encoded landmark blob.
const LANDMARKS_FORMAT: u8 = 1;
const LANDMARK_FIELDS: usize = 5;
/// Bytes of an encoded landmark blob: the tag, then 33 × 5 little-endian `i16`.
pub const LANDMARKS_BYTES: usize = 1 + NUM_LANDMARKS * LANDMARK_FIELDS * 2;
/// Fixed-point scale: every field is stored in units of 1/10000 (of the image for `x`, `y`, `z`;
/// of probability for `visibility`, `presence`).
const FIXED_SCALE: f32 = 10_000.0;

/// Packs the image-space landmarks into 331 bytes (instead of ~3 kB of JSON).
///
/// Format 1: byte 0 is the format tag `1`; then for each of the 33 landmarks in model order,
/// `x, y, z, visibility, presence` as little-endian `i16` in units of 1/10000. The range is
/// ±3.2767 (saturating), enough for landmarks a little outside the image; the error is at most
/// 5e-5. Non-finite values are stored as 0.
pub fn encode_landmarks(pose: &Pose) -> Vec<u8> {
    let mut out = Vec::with_capacity(LANDMARKS_BYTES);
    out.push(LANDMARKS_FORMAT);
    for lm in &pose.landmarks {
        for v in [lm.x, lm.y, lm.z, lm.visibility, lm.presence] {
            // `as` saturates and maps NaN to 0.
            let fixed = (v * FIXED_SCALE).round() as i16;
            out.extend_from_slice(&fixed.to_le_bytes());
        }
    }
    out
}

/// Why a landmark blob could not be unpacked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LandmarksError {
    #[error("landmark blob has {found} bytes, expected {LANDMARKS_BYTES}")]
    Length { found: usize },
    #[error("landmark blob has format {found}, this program reads format {LANDMARKS_FORMAT}")]
    Format { found: u8 },
}

/// Unpacks a blob written by [`encode_landmarks`].
pub fn decode_landmarks(bytes: &[u8]) -> Result<[Landmark; NUM_LANDMARKS], LandmarksError> {
    let (&format, body) = bytes
        .split_first()
        .ok_or(LandmarksError::Length { found: 0 })?;
    if format != LANDMARKS_FORMAT {
        return Err(LandmarksError::Format { found: format });
    }
    if bytes.len() != LANDMARKS_BYTES {
        return Err(LandmarksError::Length { found: bytes.len() });
    }
    let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
    for (lm, chunk) in landmarks
        .iter_mut()
        .zip(body.chunks_exact(LANDMARK_FIELDS * 2))
    {
        let mut fields = chunk
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / FIXED_SCALE);
        let mut next = || fields.next().unwrap_or(0.0);
        *lm = Landmark {
            x: next(),
            y: next(),
            z: next(),
            visibility: next(),
            presence: next(),
        };
    }
    Ok(landmarks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Vec3;

    fn pose() -> Pose {
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        for (i, lm) in landmarks.iter_mut().enumerate() {
            let f = i as f32 / NUM_LANDMARKS as f32;
            *lm = Landmark {
                x: f,
                y: 1.0 - f,
                z: -0.5 + f * 0.7,
                visibility: f * f,
                presence: 0.99,
            };
        }
        Pose {
            landmarks,
            world: [Vec3::default(); NUM_LANDMARKS],
            score: 0.9,
        }
    }

    #[test]
    fn landmarks_round_trip_within_1e_4() -> Result<(), LandmarksError> {
        let p = pose();
        let blob = encode_landmarks(&p);
        assert_eq!(blob.len(), LANDMARKS_BYTES);
        let back = decode_landmarks(&blob)?;
        for (a, b) in p.landmarks.iter().zip(&back) {
            for (x, y) in [
                (a.x, b.x),
                (a.y, b.y),
                (a.z, b.z),
                (a.visibility, b.visibility),
                (a.presence, b.presence),
            ] {
                assert!((x - y).abs() <= 1e-4, "{x} vs {y}");
            }
        }
        Ok(())
    }

    #[test]
    fn landmarks_saturate_out_of_range_and_zero_nan() -> Result<(), LandmarksError> {
        let mut p = pose();
        p.landmarks[0].x = 10.0;
        p.landmarks[0].y = f32::NAN;
        let back = decode_landmarks(&encode_landmarks(&p))?;
        assert!((back[0].x - 3.2767).abs() < 1e-6);
        assert_eq!(back[0].y, 0.0);
        Ok(())
    }

    #[test]
    fn bad_landmark_blobs_are_errors() {
        assert_eq!(
            decode_landmarks(&[]),
            Err(LandmarksError::Length { found: 0 })
        );
        assert_eq!(
            decode_landmarks(&[2, 0, 0]),
            Err(LandmarksError::Format { found: 2 })
        );
        assert_eq!(
            decode_landmarks(&[1, 0, 0]),
            Err(LandmarksError::Length { found: 3 })
        );
    }

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

    #[test]
    fn cues_round_trip_as_one_or_two_bytes() {
        use crate::geometry::advice::CUE_TEXTS;
        for (code, _) in CUE_TEXTS.iter().enumerate() {
            for metric in MetricId::ALL {
                let cue = Cue::from_code(metric, code).unwrap();
                let stored = encode_cue(&cue).unwrap();
                assert!((0..1 << 15).contains(&stored), "SQLite's 2-byte integers");
                assert_eq!(decode_cue(stored), Some(cue));
            }
        }
        let first = Cue::from_code(MetricId::TrunkLeanFrontal, 0).unwrap();
        assert_eq!(encode_cue(&first), Some(0));
        // From a newer plumbline: words or a metric this one lacks.
        assert_eq!(decode_cue((CUE_TEXTS.len() as i64) << 8), None);
        assert_eq!(decode_cue(200), None);
        assert_eq!(decode_cue(-1), None);
    }
}
