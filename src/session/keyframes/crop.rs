//! Cropping a kept frame to the person: their landmarks' bounding box with room around it for
//! the head, the feet and the plumb line, so a person small in a wide picture (walking across a
//! room) is shown large. The landmarks are mapped into the crop, so an overlay drawn from them
//! still lands on the body.

use image::RgbImage;

use crate::pose::{Landmark, LandmarkId, NUM_LANDMARKS};

/// A rectangle of an image, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropBox {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Landmarks counted as part of the person: BlazePose places every landmark, seen or not, and a
/// hidden one (a foot out of the picture) would stretch the box.
const MIN_VISIBILITY: f32 = 0.3;
/// Room around the landmarks, as fractions of the person's height in the picture: above the
/// eyes and ears for the top of the head, below the ankles for the feet, to each side for the
/// arms' reach and a lean to show against the plumb line.
const ROOM_ABOVE: f32 = 0.15;
const ROOM_BELOW: f32 = 0.08;
const ROOM_SIDE: f32 = 0.15;
/// The crop is at least this wide for its height (a standing person is about a third as wide
/// as tall): room for the plumb line beside a lean, and a caption under it that is not a column
/// of single words.
const MIN_ASPECT: f32 = 0.6;
/// A crop this close to the whole picture is not worth it: the whole picture is kept.
const MAX_AREA_FRACTION: f32 = 0.85;

/// The box to crop a `width` × `height` picture to for the person whose landmarks are
/// `landmarks` (normalised to the picture); `None` when the whole picture should be kept (too
/// few landmarks seen, or the person fills the picture).
pub fn person_box(
    landmarks: &[Landmark; NUM_LANDMARKS],
    width: u32,
    height: u32,
) -> Option<CropBox> {
    let (w, h) = (width as f32, height as f32);
    if width < 2 || height < 2 {
        return None;
    }
    let seen = || {
        landmarks
            .iter()
            .filter(|l| l.visibility >= MIN_VISIBILITY && l.x.is_finite() && l.y.is_finite())
            .map(|l| (l.x.clamp(0.0, 1.0) * w, l.y.clamp(0.0, 1.0) * h))
    };
    if seen().count() < 4 {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = seen().fold(
        (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
        |(x0, y0, x1, y1), (x, y)| (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
    );
    // The plumb line runs through the hip midpoint: keep it inside even when the hips are
    // hidden and the box is made of the upper body.
    let hip = |id: LandmarkId| landmarks[id.index()].x.clamp(0.0, 1.0) * w;
    let plumb_x = (hip(LandmarkId::LeftHip) + hip(LandmarkId::RightHip)) / 2.0;
    (x0, x1) = (x0.min(plumb_x), x1.max(plumb_x));
    let tall = (y1 - y0).max(x1 - x0).max(1.0);
    (x0, x1) = (x0 - ROOM_SIDE * tall, x1 + ROOM_SIDE * tall);
    (y0, y1) = (y0 - ROOM_ABOVE * tall, y1 + ROOM_BELOW * tall);
    let min_w = MIN_ASPECT * (y1 - y0);
    if x1 - x0 < min_w {
        let cx = (x0 + x1) / 2.0;
        (x0, x1) = (cx - min_w / 2.0, cx + min_w / 2.0);
    }
    // Slide a box that runs off one edge back inside, then cut what is still outside.
    let fit = |lo: f32, hi: f32, max: f32| {
        let shift = if lo < 0.0 {
            -lo
        } else if hi > max {
            max - hi
        } else {
            0.0
        };
        ((lo + shift).max(0.0), (hi + shift).min(max))
    };
    let (x0, x1) = fit(x0, x1, w);
    let (y0, y1) = fit(y0, y1, h);
    let (bx, by) = (x0.floor() as u32, y0.floor() as u32);
    let bw = (x1.ceil() as u32).min(width).saturating_sub(bx);
    let bh = (y1.ceil() as u32).min(height).saturating_sub(by);
    if bw < 2 || bh < 2 || (bw * bh) as f32 >= MAX_AREA_FRACTION * w * h {
        return None;
    }
    Some(CropBox {
        x: bx,
        y: by,
        width: bw,
        height: bh,
    })
}

/// `landmarks` of a `width` × `height` picture, normalised to `crop` of it instead.
pub fn landmarks_in_crop(
    landmarks: &[Landmark; NUM_LANDMARKS],
    width: u32,
    height: u32,
    crop: CropBox,
) -> [Landmark; NUM_LANDMARKS] {
    let (w, h) = (width as f32, height as f32);
    let (cw, ch) = (crop.width.max(1) as f32, crop.height.max(1) as f32);
    landmarks.map(|l| Landmark {
        x: (l.x * w - crop.x as f32) / cw,
        y: (l.y * h - crop.y as f32) / ch,
        // Depth is on the scale of x.
        z: l.z * w / cw,
        ..l
    })
}

/// `image` cropped to its person, with the landmarks mapped into the crop; the picture and
/// landmarks unchanged when [`person_box`] keeps the whole picture.
pub fn crop_to_person(
    image: &RgbImage,
    landmarks: &[Landmark; NUM_LANDMARKS],
) -> Option<(RgbImage, [Landmark; NUM_LANDMARKS])> {
    let (w, h) = image.dimensions();
    let b = person_box(landmarks, w, h)?;
    let cropped = image::imageops::crop_imm(image, b.x, b.y, b.width, b.height).to_image();
    Some((cropped, landmarks_in_crop(landmarks, w, h, b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::testing::Body;

    /// The frontal test body (ears to heels 130–475 px, wrists 270–370 px) scaled by `k` into
    /// a `k`-times larger frame, then moved by `(dx, dy)`, in a frame of `frame` when given.
    fn body(
        k: f32,
        dx: f32,
        dy: f32,
        frame: Option<(u32, u32)>,
    ) -> (Body, [Landmark; NUM_LANDMARKS]) {
        let mut b = Body::frontal();
        b.scale(k);
        for p in &mut b.px {
            *p = (p.0 + dx, p.1 + dy);
        }
        if let Some((width, height)) = frame {
            b.size = crate::pose::roi::ImageSize { width, height };
        }
        let l = b.pose().landmarks;
        (b, l)
    }

    #[test]
    fn crop_boxes() {
        struct Case {
            why: &'static str,
            k: f32,
            dx: f32,
            dy: f32,
            frame: Option<(u32, u32)>,
            expect: Option<CropBox>,
        }
        let cases = [
            Case {
                // 1920×1440, the person 1035 px tall (y 390–1425) and 300 wide: 155 px of
                // room above and to each side, then widened to 0.6 of the height (764 px)
                // about its centre; the feet's room runs off the bottom, so the box slides up.
                why: "a person in the middle of a large frame",
                k: 3.0,
                dx: 0.0,
                dy: 0.0,
                frame: None,
                expect: Some(CropBox {
                    x: 578,
                    y: 166,
                    width: 764,
                    height: 1274,
                }),
            },
            Case {
                why: "a person near the left edge: the box slides inside, same size",
                k: 3.0,
                dx: -700.0,
                dy: 0.0,
                frame: None,
                expect: Some(CropBox {
                    x: 0,
                    y: 166,
                    width: 764,
                    height: 1274,
                }),
            },
            Case {
                why: "the demo's 640×480 frame, the person 345 px tall",
                k: 1.0,
                dx: 0.0,
                dy: 0.0,
                frame: None,
                expect: Some(CropBox {
                    x: 192,
                    y: 55,
                    width: 256,
                    height: 425,
                }),
            },
            Case {
                why: "a person filling a 280×360 frame: the whole picture is kept",
                k: 1.0,
                dx: -180.0,
                dy: -120.0,
                frame: Some((280, 360)),
                expect: None,
            },
        ];
        for c in cases {
            let (b, l) = body(c.k, c.dx, c.dy, c.frame);
            let got = person_box(&l, b.size.width, b.size.height);
            assert_eq!(got, c.expect, "{}", c.why);
            if let Some(g) = got {
                assert!(g.x + g.width <= b.size.width && g.y + g.height <= b.size.height);
                assert!(
                    g.width as f32 >= MIN_ASPECT * g.height as f32 - 1.0,
                    "{}",
                    c.why
                );
            }
        }
    }

    #[test]
    fn too_few_landmarks_keep_the_whole_picture() {
        let (b, mut l) = body(3.0, 0.0, 0.0, None);
        for x in l.iter_mut().skip(3) {
            x.visibility = 0.0;
        }
        assert_eq!(person_box(&l, b.size.width, b.size.height), None);
        assert_eq!(person_box(&l, 0, 0), None);
    }

    #[test]
    fn landmarks_land_on_the_same_pixels_of_the_crop() {
        let (b, l) = body(3.0, 0.0, 0.0, None);
        let image = RgbImage::from_fn(b.size.width, b.size.height, |x, y| {
            image::Rgb([
                (x % 256) as u8,
                (y % 256) as u8,
                ((x / 256 + y / 256) * 20) as u8,
            ])
        });
        let (cropped, moved) = crop_to_person(&image, &l).expect("a crop");
        for id in [
            LandmarkId::Nose,
            LandmarkId::LeftShoulder,
            LandmarkId::RightHip,
        ] {
            let (a, c) = (l[id.index()], moved[id.index()]);
            let at_full = image.get_pixel(
                (a.x * image.width() as f32) as u32,
                (a.y * image.height() as f32) as u32,
            );
            let at_crop = cropped.get_pixel(
                (c.x * cropped.width() as f32) as u32,
                (c.y * cropped.height() as f32) as u32,
            );
            // The colour encodes the position: within a pixel (rounding) of the same place.
            let near = at_full
                .0
                .iter()
                .zip(at_crop.0)
                .all(|(a, b)| a.abs_diff(b) <= 1);
            assert!(near, "{id:?}: {at_full:?} {at_crop:?}");
        }
    }
}
