//! Whether a JPEG file holds its whole picture. The `image` crate decodes JPEG with zune-jpeg
//! in its lenient mode, which fills the rows of a file cut short with grey and reports nothing:
//! a photo copied halfway would silently give another pose. So the file's markers are walked
//! before decoding, and a file that ends before its end-of-image marker is refused.

/// Why a JPEG file is not whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JpegProblem {
    #[error("it is truncated: the JPEG has no end-of-image marker; copy it again from its source")]
    Truncated,
    #[error("it is not a JPEG: it does not start with a start-of-image marker")]
    NotJpeg,
}

/// Start of image, start of scan, end of image.
const SOI: u8 = 0xD8;
const SOS: u8 = 0xDA;
const EOI: u8 = 0xD9;

/// Markers that stand alone, without a length: the restart markers and TEM.
fn stands_alone(marker: u8) -> bool {
    matches!(marker, 0xD0..=0xD7 | 0x01)
}

/// Checks that `bytes` run from the start-of-image marker through every segment and scan to
/// an end-of-image marker. Whatever follows that marker (some phones append a video) is not
/// looked at.
pub fn check_complete(bytes: &[u8]) -> Result<(), JpegProblem> {
    if bytes.len() < 2 || bytes[0] != 0xFF || bytes[1] != SOI {
        return Err(JpegProblem::NotJpeg);
    }
    let mut i = 2;
    loop {
        // The next marker: 0xFF, any fill bytes 0xFF, then the marker's code. Stray bytes
        // before it are skipped, as decoders do.
        i += next_ff(&bytes[i..]).ok_or(JpegProblem::Truncated)?;
        while bytes.get(i) == Some(&0xFF) {
            i += 1;
        }
        let marker = *bytes.get(i).ok_or(JpegProblem::Truncated)?;
        i += 1;
        match marker {
            EOI => return Ok(()),
            0x00 => continue,
            m if stands_alone(m) => continue,
            _ => {}
        }
        // A segment: a two-byte length that counts itself.
        let len = match bytes.get(i..i + 2) {
            Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
            _ => return Err(JpegProblem::Truncated),
        };
        i += len.max(2);
        if i > bytes.len() {
            return Err(JpegProblem::Truncated);
        }
        if marker == SOS {
            i = end_of_scan(bytes, i)?;
        }
    }
}

/// Where the entropy-coded data starting at `from` ends: at the first marker that is neither a
/// stuffed zero (0xFF 0x00) nor a restart marker.
fn end_of_scan(bytes: &[u8], from: usize) -> Result<usize, JpegProblem> {
    let mut i = from;
    loop {
        i += next_ff(&bytes[i..]).ok_or(JpegProblem::Truncated)?;
        match bytes.get(i + 1) {
            None => return Err(JpegProblem::Truncated),
            Some(0x00 | 0xD0..=0xD7) => i += 2,
            Some(_) => return Ok(i),
        }
    }
}

/// The offset of the first 0xFF in `bytes`.
fn next_ff(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0xFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real JPEG, encoded here: a 64×48 gradient.
    fn jpeg() -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_whole_file_passes() {
        let bytes = jpeg();
        assert_eq!(check_complete(&bytes), Ok(()));
        // Data after the end-of-image marker (a phone's appended video) is not looked at.
        let mut trailer = bytes.clone();
        trailer.extend_from_slice(b"\0\0\0\x18ftypmp42 and the rest of a video");
        assert_eq!(check_complete(&trailer), Ok(()));
    }

    #[test]
    fn a_file_cut_anywhere_is_truncated() {
        let bytes = jpeg();
        // Every cut: in the headers, in a segment's length, in the scan, before the last byte.
        for cut in 2..bytes.len() {
            assert_eq!(
                check_complete(&bytes[..cut]),
                Err(JpegProblem::Truncated),
                "cut at {cut} of {}",
                bytes.len()
            );
        }
    }

    #[test]
    fn restart_markers_and_stuffed_bytes_stay_inside_the_scan() {
        // SOI, SOS with a minimal header, scan data with 0xFF00 and RST0, EOI.
        let mut bytes = vec![0xFF, SOI, 0xFF, SOS, 0x00, 0x02];
        bytes.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        assert_eq!(check_complete(&bytes), Err(JpegProblem::Truncated));
        bytes.extend_from_slice(&[0xFF, EOI]);
        assert_eq!(check_complete(&bytes), Ok(()));
    }

    #[test]
    fn other_files_are_not_jpegs() {
        assert_eq!(check_complete(b"\x89PNG"), Err(JpegProblem::NotJpeg));
        assert_eq!(check_complete(b""), Err(JpegProblem::NotJpeg));
    }
}
