//! Samples stored a commit at a time (schema step 10): every sample the recorder commits
//! together — about a second of practice — goes into one row of `sample_blocks`, as two
//! compressed columns. An hour at 30 fps took 500 bytes a frame as one row a sample; as blocks
//! it takes about a third of that (README, "The soak").
//!
//! - `judged`: what the reports read for every sample: frame numbers, times, whether a person
//!   was seen, the state, every metric's level, the cue and the cadence. Read alone (the trend
//!   of earlier sessions, a session's totals) without touching the rest.
//! - `measured`: the metrics and the landmarks.
//!
//! Both keep every value the reports and exports use exactly as it was (times as `f64`,
//! metrics and cadence as `f32`). Landmarks are kept as the pose was: `x` and `y` to 1/10000
//! of the image (as a sample row kept them), `z` to 1/1000, visibility and presence to 1/255.
//! Columns are laid out one after another, each number as the change from the sample before
//! where that is small (frames, landmarks), wide numbers split into byte planes (times,
//! metrics, landmarks), then deflated: most of a second of a steady pose is repetition.
//!
//! Each column starts with a format byte, so a newer plumbline can change one without
//! misreading the other.

use std::io::{Read as _, Write as _};

use crate::geometry::MetricId;
use crate::geometry::advice::Cue;
use crate::geometry::state::{MetricLevels, PostureState};
use crate::pose::{Landmark, NUM_LANDMARKS};

use super::Sample;
use super::codec::{decode_cue, decode_metrics, encode_cue, encode_metrics};

/// The format byte of both columns.
const FORMAT: u8 = 1;

/// One stored sample and the landmarks its pose had (when it had one).
pub type BlockSample = (Sample, Option<[Landmark; NUM_LANDMARKS]>);

/// Why a block could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    #[error("sample block has format {0}, this program reads format {FORMAT}")]
    Format(u8),
    #[error("sample block is damaged: {0}")]
    Damaged(&'static str),
    #[error("sample block does not inflate: {0}")]
    Inflate(String),
}

// Flags of a sample in the `judged` column.
const PERSON: u8 = 1;
const CADENCE: u8 = 2;
const LEVELS: u8 = 4;
const CUE: u8 = 8;
// Flags of a sample in the `measured` column.
const METRICS: u8 = 1;
const LANDMARKS: u8 = 2;

/// Fixed-point scales of the landmarks' fields.
const XY_SCALE: f32 = 10_000.0;
const Z_SCALE: f32 = 1_000.0;
const PROBABILITY_SCALE: f32 = 255.0;

/// The two columns of the block holding `samples` (in frame order): `(judged, measured)`.
pub fn encode(samples: &[BlockSample]) -> (Vec<u8>, Vec<u8>) {
    (encode_judged(samples), encode_measured(samples))
}

fn encode_judged(samples: &[BlockSample]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * 20);
    varint(&mut out, samples.len() as u64);
    let mut last_frame = 0u64;
    for (s, _) in samples {
        varint(&mut out, s.frame.wrapping_sub(last_frame));
        last_frame = s.frame;
    }
    let times: Vec<[u8; 8]> = samples.iter().map(|(s, _)| s.t_ms.to_le_bytes()).collect();
    planes(&mut out, &times);
    for (s, _) in samples {
        let flags = flag(s.person, PERSON)
            | flag(s.cadence_spm.is_some(), CADENCE)
            | flag(s.levels.is_some(), LEVELS)
            | flag(s.cue.as_ref().and_then(encode_cue).is_some(), CUE);
        out.extend([flags, state_byte(s.state)]);
    }
    let cadences: Vec<[u8; 4]> = samples
        .iter()
        .filter_map(|(s, _)| s.cadence_spm.map(f32::to_le_bytes))
        .collect();
    planes(&mut out, &cadences);
    for (s, _) in samples {
        if let Some(levels) = s.levels {
            varint(&mut out, levels.pack());
        }
        if let Some(code) = s.cue.as_ref().and_then(encode_cue) {
            varint(&mut out, zigzag64(code));
        }
    }
    deflated(&out)
}

fn encode_measured(samples: &[BlockSample]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * 200);
    varint(&mut out, samples.len() as u64);
    varint(&mut out, MetricId::COUNT as u64);
    for (s, landmarks) in samples {
        out.push(flag(s.metrics.is_some(), METRICS) | flag(landmarks.is_some(), LANDMARKS));
    }
    // The metrics as their own blob says them (view, then each value, NaN unmeasured): the
    // view bytes, then the values in byte planes.
    let blobs: Vec<Vec<u8>> = samples
        .iter()
        .filter_map(|(s, _)| s.metrics.as_ref().map(encode_metrics))
        .collect();
    out.extend(blobs.iter().map(|b| b[1]));
    let values: Vec<[u8; 4]> = blobs
        .iter()
        .flat_map(|b| b[3..].chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]))
        .collect();
    planes(&mut out, &values);
    // Landmarks: each field as the change from the sample before (zero before the first).
    let mut xy = Vec::new();
    let mut z = Vec::new();
    let mut probabilities = Vec::new();
    let mut before = [Quantised::default(); NUM_LANDMARKS];
    for landmarks in samples.iter().filter_map(|(_, l)| l.as_ref()) {
        for (lm, prev) in landmarks.iter().zip(before.iter_mut()) {
            let q = Quantised::of(lm);
            xy.push(zigzag16(q.x.wrapping_sub(prev.x)).to_le_bytes());
            xy.push(zigzag16(q.y.wrapping_sub(prev.y)).to_le_bytes());
            z.push(zigzag16(q.z.wrapping_sub(prev.z)).to_le_bytes());
            probabilities.push(zigzag8(q.visibility.wrapping_sub(prev.visibility)));
            probabilities.push(zigzag8(q.presence.wrapping_sub(prev.presence)));
            *prev = q;
        }
    }
    planes(&mut out, &xy);
    planes(&mut out, &z);
    out.extend(probabilities);
    deflated(&out)
}

/// Reads a block's two columns back into its samples.
pub fn decode(judged: &[u8], measured: &[u8]) -> Result<Vec<BlockSample>, BlockError> {
    let mut samples: Vec<BlockSample> = decode_judged(judged)?
        .into_iter()
        .map(|s| (s, None))
        .collect();
    let raw = inflated(measured)?;
    let mut r = Reader::new(&raw);
    if r.varint()? != samples.len() as u64 {
        return Err(BlockError::Damaged("its columns disagree on the samples"));
    }
    let count = usize::try_from(r.varint()?).map_err(|_| BlockError::Damaged("metric count"))?;
    if count > 255 {
        return Err(BlockError::Damaged("metric count"));
    }
    let flags = r.bytes(samples.len())?.to_vec();
    let with_metrics = flags.iter().filter(|&&f| f & METRICS != 0).count();
    let with_landmarks = flags.iter().filter(|&&f| f & LANDMARKS != 0).count();
    let views = r.bytes(with_metrics)?.to_vec();
    let values: Vec<[u8; 4]> = r.planes(with_metrics * count)?;
    let xy: Vec<[u8; 2]> = r.planes(with_landmarks * NUM_LANDMARKS * 2)?;
    let z: Vec<[u8; 2]> = r.planes(with_landmarks * NUM_LANDMARKS)?;
    let probabilities = r.bytes(with_landmarks * NUM_LANDMARKS * 2)?;
    let (mut m, mut l) = (0, 0);
    let mut before = [Quantised::default(); NUM_LANDMARKS];
    for ((sample, landmarks), f) in samples.iter_mut().zip(flags) {
        if f & METRICS != 0 {
            let mut blob = vec![2, views[m], count as u8];
            for v in &values[m * count..(m + 1) * count] {
                blob.extend(v);
            }
            sample.metrics =
                Some(decode_metrics(&blob).map_err(|_| BlockError::Damaged("metrics"))?);
            m += 1;
        }
        if f & LANDMARKS != 0 {
            let mut out = [Landmark::default(); NUM_LANDMARKS];
            for (i, (lm, prev)) in out.iter_mut().zip(before.iter_mut()).enumerate() {
                let at = l * NUM_LANDMARKS + i;
                let q = Quantised {
                    x: prev
                        .x
                        .wrapping_add(unzigzag16(u16::from_le_bytes(xy[2 * at]))),
                    y: prev
                        .y
                        .wrapping_add(unzigzag16(u16::from_le_bytes(xy[2 * at + 1]))),
                    z: prev.z.wrapping_add(unzigzag16(u16::from_le_bytes(z[at]))),
                    visibility: prev
                        .visibility
                        .wrapping_add(unzigzag8(probabilities[2 * at])),
                    presence: prev
                        .presence
                        .wrapping_add(unzigzag8(probabilities[2 * at + 1])),
                };
                *lm = q.landmark();
                *prev = q;
            }
            *landmarks = Some(out);
            l += 1;
        }
    }
    Ok(samples)
}

/// Reads only the `judged` column: every sample without its metrics (what the trend of
/// earlier sessions and a session's totals need).
pub fn decode_judged(judged: &[u8]) -> Result<Vec<Sample>, BlockError> {
    let raw = inflated(judged)?;
    let mut r = Reader::new(&raw);
    let n = usize::try_from(r.varint()?).map_err(|_| BlockError::Damaged("sample count"))?;
    if n > raw.len() {
        return Err(BlockError::Damaged("sample count"));
    }
    let mut frames = Vec::with_capacity(n);
    let mut frame = 0u64;
    for _ in 0..n {
        frame = frame.wrapping_add(r.varint()?);
        frames.push(frame);
    }
    let times: Vec<[u8; 8]> = r.planes(n)?;
    let flags_states = r.bytes(2 * n)?.to_vec();
    let cadences = flags_states
        .chunks_exact(2)
        .filter(|f| f[0] & CADENCE != 0)
        .count();
    let cadences: Vec<[u8; 4]> = r.planes(cadences)?;
    let mut cadences = cadences.into_iter();
    let mut out = Vec::with_capacity(n);
    for ((frame, t), fs) in frames
        .into_iter()
        .zip(times)
        .zip(flags_states.chunks_exact(2))
    {
        let (flags, state) = (fs[0], fs[1]);
        let levels = if flags & LEVELS != 0 {
            Some(MetricLevels::unpack(r.varint()?))
        } else {
            None
        };
        let cue: Option<Cue> = if flags & CUE != 0 {
            decode_cue(unzigzag64(r.varint()?))
        } else {
            None
        };
        out.push(Sample {
            frame,
            t_ms: f64::from_le_bytes(t),
            person: flags & PERSON != 0,
            metrics: None,
            state: byte_state(state).ok_or(BlockError::Damaged("posture state"))?,
            cadence_spm: if flags & CADENCE != 0 {
                cadences.next().map(f32::from_le_bytes)
            } else {
                None
            },
            levels,
            cue,
        });
    }
    Ok(out)
}

/// A landmark in the block's fixed point.
#[derive(Debug, Default, Clone, Copy)]
struct Quantised {
    x: i16,
    y: i16,
    z: i16,
    visibility: u8,
    presence: u8,
}

impl Quantised {
    fn of(lm: &Landmark) -> Self {
        // `as` saturates and maps NaN to 0.
        Self {
            x: (lm.x * XY_SCALE).round() as i16,
            y: (lm.y * XY_SCALE).round() as i16,
            z: (lm.z * Z_SCALE).round() as i16,
            visibility: (lm.visibility * PROBABILITY_SCALE).round() as u8,
            presence: (lm.presence * PROBABILITY_SCALE).round() as u8,
        }
    }

    fn landmark(self) -> Landmark {
        Landmark {
            x: f32::from(self.x) / XY_SCALE,
            y: f32::from(self.y) / XY_SCALE,
            z: f32::from(self.z) / Z_SCALE,
            visibility: f32::from(self.visibility) / PROBABILITY_SCALE,
            presence: f32::from(self.presence) / PROBABILITY_SCALE,
        }
    }
}

fn flag(on: bool, bit: u8) -> u8 {
    if on { bit } else { 0 }
}

fn state_byte(s: PostureState) -> u8 {
    match s {
        PostureState::Unknown => 0,
        PostureState::Aligned => 1,
        PostureState::Drifting => 2,
        PostureState::Misaligned => 3,
    }
}

fn byte_state(b: u8) -> Option<PostureState> {
    Some(match b {
        0 => PostureState::Unknown,
        1 => PostureState::Aligned,
        2 => PostureState::Drifting,
        3 => PostureState::Misaligned,
        _ => return None,
    })
}

fn zigzag16(d: i16) -> u16 {
    ((d << 1) ^ (d >> 15)) as u16
}

fn unzigzag16(z: u16) -> i16 {
    ((z >> 1) as i16) ^ -((z & 1) as i16)
}

fn zigzag8(d: u8) -> u8 {
    let d = d as i8;
    ((d << 1) ^ (d >> 7)) as u8
}

fn unzigzag8(z: u8) -> u8 {
    (((z >> 1) as i8) ^ -((z & 1) as i8)) as u8
}

fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag64(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}

/// LEB128.
fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Numbers of `W` bytes written plane by plane: every first byte, then every second, … so the
/// bytes that barely change (a float's sign and exponent, a small delta's high byte) sit
/// together for the compressor.
fn planes<const W: usize>(out: &mut Vec<u8>, values: &[[u8; W]]) {
    for i in 0..W {
        out.extend(values.iter().map(|v| v[i]));
    }
}

/// The column: its format byte, then the deflated bytes.
fn deflated(raw: &[u8]) -> Vec<u8> {
    let mut out = vec![FORMAT];
    let mut z = flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::best());
    // Writing into a vector cannot fail.
    let _ = z.write_all(raw);
    let _ = z.finish();
    out
}

fn inflated(column: &[u8]) -> Result<Vec<u8>, BlockError> {
    let (&format, deflated) = column
        .split_first()
        .ok_or(BlockError::Damaged("an empty column"))?;
    if format != FORMAT {
        return Err(BlockError::Format(format));
    }
    let mut raw = Vec::new();
    flate2::read::DeflateDecoder::new(deflated)
        .read_to_end(&mut raw)
        .map_err(|e| BlockError::Inflate(e.to_string()))?;
    Ok(raw)
}

/// Reads a column's bytes in order; running out is damage, never a panic.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], BlockError> {
        if n > self.bytes.len() {
            return Err(BlockError::Damaged("it ends early"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn varint(&mut self) -> Result<u64, BlockError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.bytes(1)?[0];
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(BlockError::Damaged("a number too long"))
    }

    fn planes<const W: usize>(&mut self, n: usize) -> Result<Vec<[u8; W]>, BlockError> {
        let total = n
            .checked_mul(W)
            .ok_or(BlockError::Damaged("a column's length"))?;
        let bytes = self.bytes(total)?;
        Ok((0..n)
            .map(|j| std::array::from_fn(|i| bytes[i * n + j]))
            .collect())
    }
}

#[cfg(test)]
mod tests;
