//! The inner loop of the model-input crop ([`super::preprocess`]): bilinear samples with a
//! replicate border, two per step in 16-bit SIMD lanes.
//!
//! A tensor row of a rotated crop walks across many image rows, touching a few bytes of each:
//! hardware prefetchers miss that pattern and the loop waits on memory. So the work is done in
//! blocks: the first pass gathers each sample's four neighbours and weights into small arrays
//! (and asks the cache for the next tensor row's pixels), the second blends from those arrays,
//! with no bounds logic and no per-sample branches.
//!
//! Precision: positions are 32.32 fixed point (no drift along a row), weights 15-bit, and
//! blends keep 1/64 of a grey level (three truncations: under 0.05 of a level from exact
//! bilinear interpolation).

use wide::{f32x8, i16x8, i32x8, u8x16, u32x4, u64x2};

/// Fraction bits of a fixed-point position.
pub const FRAC_BITS: u32 = 32;
/// 1.0 in fixed point.
pub const ONE: i64 = 1 << FRAC_BITS;
/// Samples gathered per block: enough loads in flight, small enough to stay in L1.
const BLOCK: usize = 64;
/// Bits of a grey level kept below the integer part while blending.
const SUB_BITS: u32 = 6;
const PREFETCH_EVERY: usize = 4;

/// A straight walk through the image in fixed point: the start, the step per sample, and the
/// offset to the next tensor row's start (only used to warm the cache).
#[derive(Debug, Clone, Copy)]
pub struct RowWalk {
    pub x: i64,
    pub y: i64,
    pub dx: i64,
    pub dy: i64,
    pub next_row: (i64, i64),
}

impl RowWalk {
    /// The same walk started `u` samples later.
    pub fn advanced(&self, u: usize) -> Self {
        Self {
            x: self.x.saturating_add((u as i64).saturating_mul(self.dx)),
            y: self.y.saturating_add((u as i64).saturating_mul(self.dy)),
            ..*self
        }
    }
}

/// Blends `n` samples of `walk` from the RGB image `pixels` (`width` pixels a row) into
/// `out` as `value · scale + offset`, three floats per sample. With `CLAMP`, positions are
/// clamped into the image (a replicate border); without, every sample must have its four
/// neighbours inside (`0 ≤ x < width − 1`, `0 ≤ y < height − 1`) and the same result comes
/// without the clamping (a sample outside would read a wrong pixel or zeros, never out of
/// bounds). One float past the last sample may be overwritten (when `out` has room): the
/// caller fills it afterwards.
pub fn sample_row<const CLAMP: bool>(
    pixels: &[u8],
    width: usize,
    walk: &RowWalk,
    n: usize,
    (scale, offset): (f32, f32),
    out: &mut [f32],
) {
    let stride = width * 3;
    let height = pixels.len() / stride.max(1);
    if width == 0 || height == 0 {
        return;
    }
    // Positions are clamped into the image: beyond it, the nearest edge pixel (a replicate
    // border). At the last column or row the far neighbour's weight is zero.
    let (max_x, max_y) = (
        (width as i64 - 1) << FRAC_BITS,
        (height as i64 - 1) << FRAC_BITS,
    );
    let mut block = Block::default();
    let (mut x, mut y) = (walk.x, walk.y);
    let mut done = 0;
    while done < n {
        let len = (n - done).min(BLOCK);
        for j in 0..len {
            let (cx, cy) = if CLAMP {
                (x.clamp(0, max_x), y.clamp(0, max_y))
            } else {
                (x, y)
            };
            // Unclamped, a position outside (a caller's mistake) wraps: `get` refuses an index
            // past the end, and the slow read below then gives zeros.
            let i = ((cy >> FRAC_BITS) as usize)
                .wrapping_mul(stride)
                .wrapping_add((cx >> FRAC_BITS) as usize * 3);
            // One bounds check for both rows; only the image's last row takes the slow read.
            let (top, bottom) = match pixels.get(i..i.saturating_add(stride + 8)) {
                Some(window) => (le8(&window[..8]), le8(&window[stride..])),
                None => (read8(pixels, i), read8(pixels, i.saturating_add(stride))),
            };
            block.tl[j] = top as u32;
            block.tr[j] = (top >> 24) as u32;
            block.bl[j] = bottom as u32;
            block.br[j] = (bottom >> 24) as u32;
            block.wx[j] = weight_lanes(cx);
            block.wy[j] = weight_lanes(cy);
            if j % PREFETCH_EVERY == 0 {
                let nx = (x + walk.next_row.0).clamp(0, max_x) >> FRAC_BITS;
                let ny = (y + walk.next_row.1).clamp(0, max_y) >> FRAC_BITS;
                let next = ny as usize * stride + nx as usize * 3;
                prefetch(pixels, next);
                prefetch(pixels, next + stride);
            }
            x += walk.dx;
            y += walk.dy;
        }
        block.blend(len, scale, offset, &mut out[done * 3..]);
        done += len;
    }
}

/// One block's neighbours as `[r, g, b, next byte]` words, and weights as four copies of a
/// 15-bit fraction, laid out so two samples load straight into 16-bit lanes.
struct Block {
    tl: [u32; BLOCK],
    tr: [u32; BLOCK],
    bl: [u32; BLOCK],
    br: [u32; BLOCK],
    wx: [u64; BLOCK],
    wy: [u64; BLOCK],
}

impl Default for Block {
    fn default() -> Self {
        Self {
            tl: [0; BLOCK],
            tr: [0; BLOCK],
            bl: [0; BLOCK],
            br: [0; BLOCK],
            wx: [0; BLOCK],
            wy: [0; BLOCK],
        }
    }
}

impl Block {
    /// Blends the first `len` gathered samples into `out`, two at a time.
    fn blend(&self, len: usize, scale: f32, offset: f32, out: &mut [f32]) {
        let k = f32x8::splat(scale / (1 << SUB_BITS) as f32);
        let offset8 = f32x8::splat(offset);
        let mut j = 0;
        while j + 2 <= len {
            let (a, b) = (j, j + 1);
            let top: u8x16 =
                bytemuck_cast(u32x4::new([self.tl[a], self.tl[b], self.tr[a], self.tr[b]]));
            let bottom: u8x16 =
                bytemuck_cast(u32x4::new([self.bl[a], self.bl[b], self.br[a], self.br[b]]));
            let fx: i16x8 = bytemuck_cast(u64x2::new([self.wx[a], self.wx[b]]));
            let fy: i16x8 = bytemuck_cast(u64x2::new([self.wy[a], self.wy[b]]));
            let t = lerp_levels(i16x8::from_u8x16_low(top), i16x8::from_u8x16_high(top), fx);
            let bt = lerp_levels(
                i16x8::from_u8x16_low(bottom),
                i16x8::from_u8x16_high(bottom),
                fx,
            );
            // (bt − t) is at most 255·64 in magnitude: doubled it still fits 16 bits.
            let v = t + ((bt - t) << 1_u32).mul_keep_high(fy);
            let values = (i32x8::from_i16x8(v).round_float() * k + offset8).to_array();
            out[3 * a..3 * a + 4].copy_from_slice(&values[..4]);
            match out.get_mut(3 * b..3 * b + 4) {
                Some(px) => px.copy_from_slice(&values[4..]),
                None => out[3 * b..3 * b + 3].copy_from_slice(&values[4..7]),
            }
            j += 2;
        }
        if j < len {
            let words = [self.tl[j], self.tr[j], self.bl[j], self.br[j]];
            let v = blend_one(
                words,
                self.wx[j] as i32 & 0x7fff,
                self.wy[j] as i32 & 0x7fff,
            );
            for (c, level) in v.iter().enumerate() {
                out[3 * j + c] = *level as f32 * (scale / (1 << SUB_BITS) as f32) + offset;
            }
        }
    }
}

/// `a + (b − a)·f` for grey levels in 16-bit lanes: result in 1/64 of a level.
#[inline(always)]
fn lerp_levels(a: i16x8, b: i16x8, f: i16x8) -> i16x8 {
    // (b − a)·128 fits 16 bits; times a 15-bit fraction, the high half is (b − a)·f·64.
    (a << SUB_BITS) + ((b - a) << 7_u32).mul_keep_high(f)
}

/// [`Block::blend`]'s arithmetic for one sample, lane by lane: the same integers.
fn blend_one(words: [u32; 4], fx: i32, fy: i32) -> [i32; 3] {
    let level = |word: u32, c: usize| ((word >> (8 * c)) & 0xff) as i32;
    let lerp = |a: i32, b: i32, f: i32| (a << SUB_BITS) + ((((b - a) << 7) * f) >> 16);
    let [tl, tr, bl, br] = words;
    std::array::from_fn(|c| {
        let t = lerp(level(tl, c), level(tr, c), fx);
        let b = lerp(level(bl, c), level(br, c), fx);
        t + ((((b - t) << 1) * fy) >> 16)
    })
}

/// The 15-bit fraction of a fixed-point position, in four 16-bit lanes.
#[inline(always)]
fn weight_lanes(s: i64) -> u64 {
    ((s & (ONE - 1)) >> (FRAC_BITS - 15)) as u64 * 0x0001_0001_0001_0001
}

/// Eight bytes from `i` (a pixel and the next, plus two): one load. Near the end of the
/// image, what is missing reads as zero.
#[inline(always)]
fn read8(pixels: &[u8], i: usize) -> u64 {
    if let Some(bytes) = pixels
        .get(i..i.saturating_add(8))
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
    {
        return u64::from_le_bytes(bytes);
    }
    let mut bytes = [0u8; 8];
    let rest = pixels.get(i..).unwrap_or_default();
    let len = rest.len().min(8);
    bytes[..len].copy_from_slice(&rest[..len]);
    u64::from_le_bytes(bytes)
}

/// The first eight bytes of `bytes` as a little-endian word.
#[inline(always)]
fn le8(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(<[u8; 8]>::try_from(&bytes[..8]).unwrap_or_default())
}

#[inline(always)]
fn bytemuck_cast<A: bytemuck::Pod, B: bytemuck::Pod>(a: A) -> B {
    bytemuck::cast(a)
}

/// Asks the cache for the line holding `pixels[i]` without waiting for it.
#[inline(always)]
fn prefetch(pixels: &[u8], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(p) = pixels.get(i) {
        safe_arch::prefetch_t0(p);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (pixels, i);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_pairs_and_the_scalar_blend_agree_exactly() {
        // Every extreme: black to white across each axis, fractions at 0, ½ and just below 1.
        let words = [0x00ff_00ffu32, 0x0000_ff00, 0x00ff_ffff, 0x0000_0000];
        let mut block = Block::default();
        let fractions = [0i64, ONE / 2, ONE - 1, 12_345];
        for (j, (&fx, &fy)) in fractions.iter().zip(fractions.iter().rev()).enumerate() {
            block.tl[j] = words[j % 4];
            block.tr[j] = words[(j + 1) % 4];
            block.bl[j] = words[(j + 2) % 4];
            block.br[j] = words[(j + 3) % 4];
            block.wx[j] = weight_lanes(fx);
            block.wy[j] = weight_lanes(fy);
        }
        let mut simd = [0.0f32; 13];
        block.blend(4, 1.0, 0.0, &mut simd);
        for j in 0..4 {
            let words = [block.tl[j], block.tr[j], block.bl[j], block.br[j]];
            let fx = (block.wx[j] & 0x7fff) as i32;
            let fy = (block.wy[j] & 0x7fff) as i32;
            let expected = blend_one(words, fx, fy);
            for c in 0..3 {
                assert_eq!(
                    simd[3 * j + c],
                    expected[c] as f32 / 64.0,
                    "sample {j} channel {c}"
                );
            }
        }
    }
}
