//! The worst moments a report shows, from a real recording: `analyze` on the demo clip played
//! three times over, as the app loops it (side-on standing, a held forward lean, walking upright
//! and leaning: every pass repeats the same frames), then `report`.

use std::process::Command;

use plumbline::geometry::preset::Measure;
use plumbline::pose::LandmarkId;
use plumbline::session::store::Store;

use crate::helpers::*;

/// Mean absolute difference of two decoded pictures of one size, in levels of 255.
fn mean_difference(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

#[test]
fn report_keyframes_are_distinct_cropped_to_the_person_and_captioned() {
    let data = data_dir();
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("demo-looped.mp4");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-stream_loop", "2", "-i"])
        .arg(repo().join("assets/demo-practice.mp4"))
        .args(["-c", "copy"])
        .arg(&clip)
        .status()
        .expect("ffmpeg runs (bash .ci/setup.sh installs it)");
    assert!(status.success(), "ffmpeg looped the demo");
    let out = plumbline_in(data.path(), ["analyze", clip.to_str().unwrap(), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = Store::open(data.path()).unwrap();
    let id = store.list().unwrap()[0].id;
    let keyframes = store.keyframes(id).unwrap();
    assert!(keyframes.len() >= 3, "{} keyframes", keyframes.len());

    // Distinct: no two the same JPEG, nor (decoded) nearly the same picture, as the same
    // frame of each pass would be.
    let pictures: Vec<image::RgbImage> = keyframes
        .iter()
        .map(|k| image::load_from_memory(&k.jpeg).unwrap().to_rgb8())
        .collect();
    for i in 0..keyframes.len() {
        for j in i + 1..keyframes.len() {
            let (a, b) = (&keyframes[i], &keyframes[j]);
            assert_ne!(a.jpeg, b.jpeg, "{} ms and {} ms", a.t_ms, b.t_ms);
            if pictures[i].dimensions() == pictures[j].dimensions() {
                let d = mean_difference(&pictures[i], &pictures[j]);
                assert!(d > 2.0, "{} ms and {} ms differ by {d:.2}", a.t_ms, b.t_ms);
            }
        }
    }

    // Cropped to the person: well under the 640×480 frame, as tall as the person (not
    // scaled down), the landmarks inside the crop and the body filling it.
    for (k, p) in keyframes.iter().zip(&pictures) {
        let (w, h) = p.dimensions();
        assert!(w * h < 640 * 480 * 6 / 10, "{} ms: {w}×{h}", k.t_ms);
        assert!(h >= 300, "{} ms: {w}×{h}", k.t_ms);
        let l = k.landmarks.expect("landmarks with the frame");
        for id in [
            LandmarkId::Nose,
            LandmarkId::LeftHip,
            LandmarkId::RightAnkle,
        ] {
            let at = l[id.index()];
            assert!(
                (0.0..=1.0).contains(&at.x) && (0.0..=1.0).contains(&at.y),
                "{} ms: {id:?} at {at:?}",
                k.t_ms
            );
        }
        let nose_to_ankle = l[LandmarkId::RightAnkle.index()].y - l[LandmarkId::Nose.index()].y;
        assert!(
            nose_to_ankle > 0.6,
            "{} ms: the person is {nose_to_ankle:.2} of the crop",
            k.t_ms
        );
    }

    // Captioned: a measure, its value and band, the time into the session, the cue.
    let html_path = dir.path().join("report.html");
    let id = id.to_string();
    let out = plumbline_in(
        data.path(),
        [
            "report",
            &id,
            "--format",
            "html",
            "-o",
            html_path.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&html_path).unwrap();
    let doc = scraper::Html::parse_document(&html);
    let select = scraper::Selector::parse("figure.keyframe figcaption").unwrap();
    let captions: Vec<String> = doc.select(&select).map(|c| c.text().collect()).collect();
    assert_eq!(captions.len(), keyframes.len());
    let measures: Vec<String> = Measure::ALL
        .iter()
        .map(|m| {
            let l = m.label();
            l[..1].to_uppercase() + &l[1..]
        })
        .collect();
    for c in &captions {
        assert!(
            measures.iter().any(|m| c.contains(m.as_str())),
            "no measure in {c:?}"
        );
        assert!(c.contains(" into the session"), "{c:?}");
        assert!(c.contains("aligned within ±"), "no band in {c:?}");
    }
    assert!(
        captions
            .iter()
            .any(|c| c.contains("misaligned") && c.contains("cue: “")),
        "the held lean, with its cue: {captions:?}"
    );
    assert!(
        captions.iter().any(|c| c.starts_with("A typical moment")),
        "{captions:?}"
    );
}
