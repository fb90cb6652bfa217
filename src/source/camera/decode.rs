//! Raw camera frames to RGB, the same for every backend: MJPEG through the `image` crate's
//! JPEG decoder (after [`crate::source::jpeg::check_complete`], since that decoder fills a
//! truncated frame with grey), YUYV and NV12 by BT.601's integer formulas, RGB as it is.

use image::RgbImage;

use super::backend::{PixelFormat, RawFrame};
use crate::source::jpeg::{JpegProblem, check_complete};

/// `frame` in RGB, or why it would not decode (a garbled frame from a busy USB bus).
pub fn decode(frame: &RawFrame) -> Result<RgbImage, String> {
    let RawFrame {
        width,
        height,
        format,
        bytes,
    } = frame;
    let (width, height) = (*width, *height);
    if let Some(expected) = format.frame_bytes(width, height)
        && bytes.len() != expected
    {
        return Err(format!(
            "a {width}×{height} {format} frame has {expected} bytes, this one {}",
            bytes.len()
        ));
    }
    let image = match format {
        PixelFormat::Mjpeg => return mjpeg(bytes, width, height),
        PixelFormat::Rgb24 => RgbImage::from_raw(width, height, bytes.clone()),
        PixelFormat::Yuyv => RgbImage::from_raw(width, height, yuyv_to_rgb(bytes, width)),
        PixelFormat::Nv12 => RgbImage::from_raw(width, height, nv12_to_rgb(bytes, width, height)),
    };
    image.ok_or_else(|| format!("a {format} frame of the wrong size"))
}

/// A JPEG frame, refused when cut short or not the size the device announced.
fn mjpeg(bytes: &[u8], width: u32, height: u32) -> Result<RgbImage, String> {
    check_complete(bytes).map_err(|e| match e {
        JpegProblem::Truncated => "the JPEG is truncated (no end-of-image marker)".to_owned(),
        JpegProblem::NotJpeg => "it is not a JPEG (no start-of-image marker)".to_owned(),
    })?;
    let image = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
        .map_err(|e| format!("the JPEG would not decode: {e}"))?
        .into_rgb8();
    if image.dimensions() != (width, height) {
        let (w, h) = image.dimensions();
        return Err(format!("the JPEG is {w}×{h}, not {width}×{height}"));
    }
    Ok(image)
}

/// One pixel from BT.601 limited-range YUV (the camera standard), in integers.
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = 298 * (i32::from(y) - 16);
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
    [
        clamp(c + 409 * e),
        clamp(c - 100 * d - 208 * e),
        clamp(c + 516 * d),
    ]
}

fn yuyv_to_rgb(bytes: &[u8], width: u32) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(bytes.len() / 2 * 3);
    // A row of odd width still takes whole pairs; the extra pixel is dropped.
    let row_bytes = width.div_ceil(2) as usize * 4;
    for row in bytes.chunks_exact(row_bytes.max(4)) {
        let mut left = width as usize;
        for pair in row.chunks_exact(4) {
            let [y0, u, y1, v] = [pair[0], pair[1], pair[2], pair[3]];
            rgb.extend_from_slice(&yuv_to_rgb(y0, u, v));
            if left > 1 {
                rgb.extend_from_slice(&yuv_to_rgb(y1, u, v));
            }
            left = left.saturating_sub(2);
        }
    }
    rgb
}

fn nv12_to_rgb(bytes: &[u8], width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let (luma, chroma) = bytes.split_at(w * h);
    let chroma_row = width.div_ceil(2) as usize * 2;
    let mut rgb = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let at = (y / 2) * chroma_row + (x / 2) * 2;
            rgb.extend_from_slice(&yuv_to_rgb(luma[y * w + x], chroma[at], chroma[at + 1]));
        }
    }
    rgb
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(format: PixelFormat, width: u32, height: u32, bytes: Vec<u8>) -> RawFrame {
        RawFrame {
            width,
            height,
            format,
            bytes,
        }
    }

    #[test]
    fn yuv_layouts_decode_to_the_colours_they_hold() {
        // Limited-range YUV: Y 16 is black, Y 235 white; U V 128 grey; (81, 90, 240) red.
        assert_eq!(yuv_to_rgb(16, 128, 128), [0, 0, 0]);
        assert_eq!(yuv_to_rgb(235, 128, 128), [255, 255, 255]);
        let red = yuv_to_rgb(81, 90, 240);
        assert!(red[0] > 250 && red[1] < 5 && red[2] < 5, "{red:?}");

        // 2×1 YUYV: a black pixel and a white one sharing their chroma.
        let image = decode(&raw(PixelFormat::Yuyv, 2, 1, vec![16, 128, 235, 128])).unwrap();
        assert_eq!(image.as_raw(), &[0, 0, 0, 255, 255, 255]);

        // 2×2 NV12: four luma samples, one chroma pair for all four.
        let image = decode(&raw(
            PixelFormat::Nv12,
            2,
            2,
            vec![16, 235, 235, 16, 128, 128],
        ))
        .unwrap();
        assert_eq!(image.get_pixel(1, 0).0, [255; 3]);
        assert_eq!(image.get_pixel(1, 1).0, [0; 3]);
    }

    #[test]
    fn rgb_passes_through_and_a_short_frame_is_refused() {
        let image = decode(&raw(PixelFormat::Rgb24, 1, 2, vec![1, 2, 3, 4, 5, 6])).unwrap();
        assert_eq!(image.get_pixel(0, 1).0, [4, 5, 6]);
        let e = decode(&raw(PixelFormat::Yuyv, 4, 4, vec![0; 31])).unwrap_err();
        assert_eq!(e, "a 4×4 YUYV frame has 32 bytes, this one 31");
    }

    #[test]
    fn a_truncated_jpeg_is_refused_not_filled_with_grey() {
        let image = RgbImage::from_pixel(16, 8, image::Rgb([200, 40, 40]));
        let mut jpeg = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        let whole = decode(&raw(PixelFormat::Mjpeg, 16, 8, jpeg.clone())).unwrap();
        assert!(whole.get_pixel(8, 4)[0] > 180);
        let cut = decode(&raw(
            PixelFormat::Mjpeg,
            16,
            8,
            jpeg[..jpeg.len() / 2].to_vec(),
        ));
        assert!(cut.unwrap_err().contains("truncated"));
        let e = decode(&raw(PixelFormat::Mjpeg, 32, 8, jpeg)).unwrap_err();
        assert_eq!(e, "the JPEG is 16×8, not 32×8");
    }
}
