//! Photos as phones and copies leave them: stored sideways with an EXIF orientation, or cut
//! short by an interrupted copy. `pose` and image folders read them as the user sees them, or
//! refuse them by name.

use std::io::Cursor;
use std::path::Path;

use image::{ImageFormat, RgbImage};
use serde_json::Value;

use crate::helpers::*;

/// A portrait photo (480×640) of a man leaning ~26° in the picture.
fn upright() -> RgbImage {
    image::open(fixture("images/camera_portrait.png"))
        .unwrap()
        .to_rgb8()
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// `image` as a phone held sideways stores it: the pixels turned a quarter to the left, and an
/// EXIF APP1 segment whose Orientation (tag 0x0112) is 6, "turn a quarter right to view".
fn sideways_jpeg(image: &RgbImage) -> Vec<u8> {
    let stored = jpeg(&image::imageops::rotate270(image));
    // "Exif\0\0", a big-endian TIFF header pointing at its first IFD, one entry: tag 0x0112,
    // type SHORT, count 1, value 6; then no next IFD.
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    let length = u16::try_from(exif.len() + 2).unwrap();
    let mut out = stored[..2].to_vec(); // the start-of-image marker
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&stored[2..]);
    out
}

fn pose_of(path: &Path) -> Value {
    let out = plumbline(["pose", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout_lines(&out).remove(0)
}

fn lean(line: &Value) -> f64 {
    line["metrics"]["trunk_lean_frontal_deg"]
        .as_f64()
        .unwrap_or_else(|| panic!("a trunk lean: {line}"))
}

#[test]
fn a_photo_stored_sideways_is_read_upright() {
    let dir = tempfile::tempdir().unwrap();
    let upright_path = dir.path().join("upright.jpg");
    let sideways_path = dir.path().join("sideways.jpg");
    std::fs::write(&upright_path, jpeg(&upright())).unwrap();
    std::fs::write(&sideways_path, sideways_jpeg(&upright())).unwrap();
    let (up, side) = (pose_of(&upright_path), pose_of(&sideways_path));
    // The picture as the user sees it: portrait, the same pose.
    assert_eq!(
        (&side["width"], &side["height"]),
        (&up["width"], &up["height"])
    );
    assert_eq!(side["height"], 640);
    assert!(
        (lean(&side) - lean(&up)).abs() < 1.0,
        "lean {} sideways vs {} upright",
        lean(&side),
        lean(&up)
    );
    let error = mean_error_in_torsos(&landmarks(&side), &landmarks(&up), 480.0, 640.0);
    assert!(error < 0.05, "landmarks differ by {error} torso lengths");
}

/// `bytes` cut to 60% of their length, as an interrupted copy leaves a file.
fn cut(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len() * 6 / 10]
}

#[test]
fn pose_refuses_a_truncated_jpeg_by_name_and_reads_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let whole = jpeg(&upright());
    let (cut_path, good_path) = (dir.path().join("cut.jpg"), dir.path().join("good.jpg"));
    std::fs::write(&cut_path, cut(&whole)).unwrap();
    std::fs::write(&good_path, &whole).unwrap();
    let out = plumbline([
        "pose",
        cut_path.to_str().unwrap(),
        good_path.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "a partial failure: {err}");
    assert!(
        err.contains("truncated: the JPEG has no end-of-image marker")
            && err.contains(cut_path.to_str().unwrap()),
        "{err}"
    );
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 1, "only the whole file gives a pose");
    assert_eq!(lines[0]["image"], good_path.to_str().unwrap());
}

#[test]
fn a_folder_skips_a_truncated_jpeg_by_name_and_counts_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("shots");
    std::fs::create_dir(&folder).unwrap();
    let whole = jpeg(&upright());
    std::fs::write(folder.join("1.jpg"), &whole).unwrap();
    std::fs::write(folder.join("2.jpg"), cut(&whole)).unwrap();
    std::fs::write(folder.join("3.jpg"), &whole).unwrap();
    // The sideways copy is read upright in a folder too.
    std::fs::write(folder.join("4.jpg"), sideways_jpeg(&upright())).unwrap();
    let data = data_dir();
    let (out, json, csv) = analyze_in(data.path(), &folder);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "a partial failure: {err}");
    assert!(
        err.contains("no end-of-image marker") && err.contains("2.jpg"),
        "{err}"
    );
    assert!(err.contains("1 input(s) could not be processed"), "{err}");
    let summary = read_json(&json);
    assert_eq!(summary["frames_skipped"], 1, "{summary}");
    assert_eq!(summary["frames_with_person"], 3, "{summary}");
    // Every frame read is the same upright man (tracked from frame to frame, so within a
    // degree or two): no outlier from the sideways copy, which read as stored is a man lying.
    let mut rows = csv::Reader::from_path(&csv).unwrap();
    let column = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "trunk_lean_frontal_deg")
        .expect("a trunk lean column");
    let leans: Vec<f64> = rows
        .records()
        .map(|r| r.unwrap()[column].parse().unwrap())
        .collect();
    assert_eq!(leans.len(), 3, "{leans:?}");
    let spread = leans.iter().fold(f64::MIN, |a, &b| a.max(b))
        - leans.iter().fold(f64::MAX, |a, &b| a.min(b));
    assert!(spread < 5.0, "{leans:?}");
}

/// CRC-32 (ISO-HDLC, as PNG chunks use), bit by bit: a test needs no table.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose header claims `width`×`height` greyscale pixels, followed by a few bytes of
/// picture data: a decompression bomb's header, without its hundreds of kilobytes.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 0, 0, 0, 0]); // 8-bit greyscale, deflate, no filter, no interlace
    chunk(&mut png, b"IHDR", &header);
    // zlib of 64 zero bytes: the first row's start.
    chunk(
        &mut png,
        b"IDAT",
        &[120, 156, 99, 96, 160, 12, 0, 0, 0, 64, 0, 1],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

/// The probe's decompression bombs: a 20000×20000 PNG took 1.6 GB and 8.5 s in `pose`, a
/// 60000×60000 one panicked `pose` and `analyze` inside the decoder (a 10.8 GB allocation)
/// and left the session open. The size is read from the header and refused before a pixel is
/// decoded, by name and size.
#[test]
fn a_picture_claiming_billions_of_pixels_is_refused_by_its_size() {
    let dir = tempfile::tempdir().unwrap();
    for (w, h) in [(20_000u32, 20_000u32), (60_000, 60_000)] {
        let bomb = dir.path().join(format!("bomb-{w}.png"));
        std::fs::write(&bomb, png_claiming(w, h)).unwrap();
        let says = format!(
            "{w}×{h} pixels ({} megapixels)",
            u64::from(w) * u64::from(h) / 1_000_000
        );
        let out = plumbline(["pose", bomb.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_clean_failure(&out, &[&says, "bomb-"]);
        let data = data_dir();
        let out = plumbline_in(data.path(), ["analyze", bomb.to_str().unwrap(), "--quiet"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_clean_failure(&out, &[&says]);
        let sessions = plumbline_in(data.path(), ["sessions", "--json"]);
        let listed: Value = serde_json::from_slice(&sessions.stdout).unwrap();
        assert_eq!(
            listed[0]["status"], "complete",
            "the session is closed: {listed}"
        );
    }
    // A large photo within the limit still reads: 48 megapixels, as a phone takes them.
    let photo = dir.path().join("phone.png");
    image::GrayImage::new(8000, 6000).save(&photo).unwrap();
    let out = plumbline(["pose", photo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}
