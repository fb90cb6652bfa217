//! The reports a physiotherapist is handed: a walking and a standing session, each made from
//! the rendered people of known posture (`tests/fixtures/validity/clips/`, strung together into
//! sessions of half a minute or more), recorded by `plumbline analyze` and written as HTML and
//! as PDF by `plumbline report`, then read back as a reader would.
//!
//! With `PLUMBLINE_README_REPORTS=DIR` the PDFs are also copied to DIR, for the README's
//! pictures of their first pages (`tests/fixtures/report_pages.py` renders them).

use std::path::{Path, PathBuf};

use plumbline::session::store::Store;

use crate::helpers::*;

/// Strings the validity clips `parts` (name, times) into one video at `out`, as recorded: the
/// clips share their encoding, so their streams are copied, not encoded again.
fn string_clips(parts: &[(&str, usize)], out: &Path) -> PathBuf {
    let list: String = parts
        .iter()
        .flat_map(|&(name, times)| std::iter::repeat_n(name, times))
        .map(|name| {
            let clip = fixture(&format!("validity/clips/{name}.mp4"));
            format!("file '{}'\n", clip.display())
        })
        .collect();
    let list_path = out.with_extension("txt");
    std::fs::write(&list_path, list).unwrap();
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "concat", "-safe", "0", "-i"])
        .arg(&list_path)
        .args(["-c", "copy"])
        .arg(out)
        .status()
        .expect("ffmpeg (installed by .ci/setup.sh)");
    assert!(status.success(), "ffmpeg could not join {parts:?}");
    out.to_path_buf()
}

/// Records `video` in `data` for `activity` with `notes`, run from the video's folder so the
/// report names it as a user would have typed it; returns the session's id.
fn record(data: &Path, video: &Path, activity: &str, notes: &str) -> i64 {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .current_dir(video.parent().unwrap())
        .arg("analyze")
        .arg(video.file_name().unwrap())
        .args(["--quiet", "--activity", activity, "--notes", notes])
        .env("PLUMBLINE_DATA_DIR", data)
        .output()
        .expect("the plumbline binary runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let list = plumbline_in(data, ["sessions", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    rows[0]["id"].as_i64().unwrap()
}

/// The HTML and the PDF report of session `id`, the PDF parsed.
fn reports(data: &Path, id: i64, dir: &Path) -> (String, ParsedPdf, Vec<u8>) {
    let html_path = dir.join(format!("{id}.html"));
    let out = plumbline_in(
        data,
        ["report", &id.to_string(), "-o", html_path.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf_path = dir.join(format!("{id}.pdf"));
    let out = report_pdf(data, id, &["--label", "Jo Bloggs"], &pdf_path);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&pdf_path).unwrap();
    (
        std::fs::read_to_string(&html_path).unwrap(),
        parse_pdf(&bytes),
        bytes,
    )
}

/// Checks what every report must have, on the page and in the file.
fn check_common(name: &str, html: &str, pdf: &ParsedPdf, keyframes: usize) {
    let pages = pdf.text.len();
    assert!((1..=8).contains(&pages), "{name}: {pages} pages");
    // The first page is the answer: the summary and what to work on (or that nothing needs
    // work), then each measure's times.
    let first = &pdf.text[0];
    for want in ["Summary", "Each measure", "Aligned", "Misaligned"] {
        assert!(
            first.contains(want),
            "{name}: {want:?} not on page 1:\n{first}"
        );
    }
    assert!(
        first.contains("What to work on") || first.contains("Nothing to work on"),
        "{name}: page 1 says what to work on:\n{first}"
    );
    assert_eq!(
        first.matches(&"Posture session".to_string()).count(),
        1,
        "{name}: the title once on page 1:\n{first}"
    );
    for (n, page) in pdf.text.iter().enumerate() {
        assert!(
            page.contains(&format!("page {} of {pages}", n + 1)),
            "{name}"
        );
        assert!(
            page.contains("Jo Bloggs"),
            "{name}: the label on page {}",
            n + 1
        );
    }
    let all = pdf.text.join("\n");
    for want in [
        "Timeline",
        "Worst moments",
        "Compared with earlier sessions",
    ] {
        assert!(all.contains(want), "{name}: {want:?} missing from the PDF");
        assert!(
            html.contains(&format!("<h2>{want}</h2>")),
            "{name}: {want:?} in the HTML"
        );
    }
    assert!(
        keyframes >= 1,
        "{name}: the session keeps its worst moments"
    );
    assert!(
        pdf.images >= keyframes,
        "{name}: {} images for {keyframes} keyframes",
        pdf.images
    );
    assert!(
        html.matches("<img").count() >= keyframes,
        "{name}: each keyframe in the HTML"
    );
}

#[test]
fn a_walking_and_a_standing_session_as_html_and_pdf() {
    let data = data_dir();
    let dir = tempfile::tempdir().unwrap();
    // Walking side-on at 100 steps/min for 24 s, then leaning 20° forward for 8 s.
    let walk = string_clips(
        &[
            ("walk_upright_facing_right", 6),
            ("walk_lean20_facing_right", 2),
        ],
        &dir.path().join("walking.mp4"),
    );
    // Standing side-on, leaning 20° forward twice for about three seconds.
    let stand = string_clips(
        &[
            ("hold_neutral_side", 4),
            ("hold_then_lean_fwd_20", 1),
            ("hold_neutral_side", 4),
            ("hold_then_lean_fwd_20", 1),
            ("hold_neutral_side", 3),
        ],
        &dir.path().join("standing.mp4"),
    );
    let walking = record(data.path(), &walk, "walking", "walking practice, week 2");
    let standing = record(data.path(), &stand, "standing", "");
    let db = Store::open(data.path()).unwrap();
    let keyframes = |id| db.keyframes(id).unwrap().len();

    let (html, pdf, walking_pdf) = reports(data.path(), walking, dir.path());
    check_common("walking", &html, &pdf, keyframes(walking));
    let all = pdf.text.join("\n");
    assert!(all.contains("Judged: walking practice"), "{all}");
    assert!(all.contains("steps/min"), "the cadence: {all}");
    // Over fifty steps: enough for the step-time asymmetry (≈14) and variability (≈26).
    for want in [
        "Walking",
        "Steps counted",
        "Step-time asymmetry between the two feet: ",
        "Step-time variability: ",
    ] {
        assert!(all.contains(want), "{want:?} missing from {all}");
    }
    assert!(html.contains(r#"<section id="walking">"#));
    assert!(
        all.contains("walking practice, week 2"),
        "the session's notes"
    );
    // The lean came at the end of the walk: the summary names it first, and when.
    let first = pdf.text[0].replace('\n', " ");
    let work_on = &first[first.find("What to work on").expect("work on")..];
    assert!(work_on.contains("• Trunk upright: "), "{work_on}");
    assert!(work_on.contains("near the end while walking"), "{work_on}");

    let (html, pdf, standing_pdf) = reports(data.path(), standing, dir.path());
    check_common("standing", &html, &pdf, keyframes(standing));
    let all = pdf.text.join("\n");
    assert!(
        !html.contains(r#"<section id="walking">"#),
        "no walk, no walking section"
    );
    assert!(all.contains("Judged: standing practice"), "{all}");
    assert!(
        pdf.text[0].contains("Trunk upright: misaligned for"),
        "the two leans are the thing to work on:\n{}",
        pdf.text[0]
    );
    // The trend reaches back to the walking session and its notes.
    let trend = &html[html.find(r#"<section id="trend">"#).unwrap()..];
    assert!(trend.contains("walking practice, week 2"), "{trend:.3000}");

    if let Ok(out) = std::env::var("PLUMBLINE_README_REPORTS") {
        let out = Path::new(&out);
        std::fs::create_dir_all(out).unwrap();
        std::fs::write(out.join("report-walking.pdf"), walking_pdf).unwrap();
        std::fs::write(out.join("report-standing.pdf"), standing_pdf).unwrap();
    }
}
