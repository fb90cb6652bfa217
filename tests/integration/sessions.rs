//! Recorded sessions as a user meets them: `analyze` records, `sessions` lists, `report`
//! writes HTML/PDF/CSV/JSON, and a recording killed mid-way is recovered at the next start.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use plumbline::session::store::{DB_FILE, Store};
use serde_json::Value;

use crate::helpers::*;

fn sessions_json(data: &Path) -> Vec<Value> {
    let out = plumbline_in(data, ["sessions", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice::<Value>(&out.stdout)
        .expect("a JSON array")
        .as_array()
        .unwrap()
        .clone()
}

/// Runs `plumbline report ID --format FORMAT -o OUT` on the sessions in `data`.
fn report(data: &Path, id: &str, format: &str, out: &Path) -> Output {
    plumbline_in(
        data,
        [
            "report",
            id,
            "--format",
            format,
            "-o",
            out.to_str().unwrap(),
        ],
    )
}

#[test]
fn report_refuses_bad_arguments_before_it_opens_the_database() {
    let data = data_dir();
    let dir = tempfile::tempdir().unwrap();
    let refused = |out: Output, says: &[&str]| {
        assert!(!out.status.success(), "refused");
        let err = stderr(&out);
        for s in says {
            assert!(err.contains(s), "{s:?} in {err}");
        }
    };
    // The file's name says HTML, the format PDF.
    refused(
        report(data.path(), "1", "pdf", &dir.path().join("report.html")),
        &["report.html", "--format", "pdf"],
    );
    refused(
        report(data.path(), "0", "html", &dir.path().join("r.html")),
        &["numbered from 1"],
    );
    // A folder is not a file to write.
    refused(report(data.path(), "1", "html", dir.path()), &[]);
    assert!(
        !data.path().join(DB_FILE).exists(),
        "the database was neither created nor opened"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn analyze_records_a_session_that_sessions_and_report_show() {
    let data = data_dir();
    record_clip(data.path(), "<script>alert(1)</script> posture & more");
    let list = sessions_json(data.path());
    assert_eq!(list.len(), 1);
    let s = &list[0];
    assert_eq!(s["status"], "complete");
    assert_eq!(s["samples"], 150);
    assert!((s["duration_s"].as_f64().unwrap() - 5.0).abs() < 1.0);
    let id = s["id"].as_i64().unwrap().to_string();

    // The plain list names it.
    let table = plumbline_in(data.path(), ["sessions"]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("camera_turning.mp4"));

    // HTML: every section, valid HTML, nothing fetched from anywhere, user text escaped.
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("report.html");
    let out = report(data.path(), &id, "html", &html_path);
    assert!(out.status.success(), "{}", stderr(&out));
    // Without --format, the file's ending chooses it.
    let pdf_path = dir.path().join("by-name.PDF");
    let out = plumbline_in(
        data.path(),
        ["report", &id, "-o", pdf_path.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&pdf_path).unwrap().starts_with(b"%PDF-"));
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        html.contains("Judged: free practice: every measure"),
        "the report says what was judged"
    );
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    for id in ["headline", "timeline", "distributions", "moments", "trend"] {
        let sel = scraper::Selector::parse(&format!("section#{id}")).unwrap();
        assert_eq!(doc.select(&sel).count(), 1, "section {id}");
    }
    let imgs = scraper::Selector::parse("img").unwrap();
    let images: Vec<_> = doc.select(&imgs).collect();
    assert!(!images.is_empty(), "the worst moments are shown");
    for img in images {
        assert!(
            img.value()
                .attr("src")
                .unwrap()
                .starts_with("data:image/jpeg;base64,")
        );
    }
    for fetch in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(fetch), "external resource {fetch}");
    }
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; posture &amp; more"));

    // CSV: a row per sample, the analyze columns.
    let csv_path = dir.path().join("report.csv");
    assert!(report(data.path(), &id, "csv", &csv_path).status.success());
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(csv.lines().count(), 151);
    assert!(csv.starts_with("frame,t_ms,person,view,trunk_lean_frontal_deg"));

    // JSON: versioned, summary and samples.
    let json_path = dir.path().join("report.json");
    assert!(
        report(data.path(), &id, "json", &json_path)
            .status
            .success()
    );
    let json = read_json(&json_path);
    assert_eq!(json["schema"], 1);
    assert_eq!(json["samples"].as_array().unwrap().len(), 150);
    assert_eq!(json["summary"]["frames"], 150);

    // Delete asks unless --yes; a "no" keeps it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .env("PLUMBLINE_DATA_DIR", data.path())
        .args(["sessions", "delete", &id])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"n\n").unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        sessions_json(data.path()).len(),
        1,
        "kept after answering no"
    );
    assert!(
        plumbline_in(data.path(), ["sessions", "delete", &id, "--yes"])
            .status
            .success()
    );
    assert!(sessions_json(data.path()).is_empty());
    let missing = plumbline_in(
        data.path(),
        ["report", &id, "-o", html_path.to_str().unwrap()],
    );
    assert!(!missing.status.success() && stderr(&missing).contains(&format!("no session {id}")));
}

/// The goal a session was recorded with, in `sessions show` and `sessions --json`: seconds, or
/// `null` without one (never left out); the summary says whether it was reached, and the
/// report's header too.
#[test]
fn sessions_show_the_goal_or_null() {
    let data = data_dir();
    // 41 frames 50 ms apart: 2 s practised.
    let none = stored_session_with_goal(data.path(), 41, None);
    let reached = stored_session_with_goal(data.path(), 41, Some(1.5));
    let short = stored_session_with_goal(data.path(), 41, Some(600.0));
    let show = |id: i64| {
        let out = plumbline_in(data.path(), ["sessions", "show", &id.to_string()]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let shown = show(none);
    for (part, field) in [
        ("session", "goal_s"),
        ("summary", "goal_s"),
        ("summary", "goal_reached"),
    ] {
        let value = shown[part].as_object().unwrap().get(field);
        assert_eq!(
            value,
            Some(&Value::Null),
            "{part}.{field}: null, not absent"
        );
    }
    let shown = show(reached);
    assert_eq!(shown["session"]["goal_s"], 1.5);
    assert_eq!(shown["summary"]["goal_s"], 1.5);
    assert_eq!(shown["summary"]["goal_reached"], true);
    let shown = show(short);
    assert_eq!(shown["session"]["goal_s"], 600.0);
    assert_eq!(shown["summary"]["goal_reached"], false);

    let listed: Vec<(i64, Value)> = sessions_json(data.path())
        .iter()
        .map(|s| {
            let goal = s.as_object().unwrap().get("goal_s").cloned();
            (
                s["id"].as_i64().unwrap(),
                goal.expect("goal_s, null or not"),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (short, 600.0.into()),
            (reached, 1.5.into()),
            (none, Value::Null)
        ]
    );

    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("report.html");
    let out = report(data.path(), &short.to_string(), "html", &html_path);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        html.contains(" · 2 s · 10 min goal · not reached · camera 0"),
        "{html:.600}"
    );
}

#[test]
fn report_makes_a_pdf_on_a4_or_letter_with_the_label_on_every_page() {
    let data = data_dir();
    record_clip(data.path(), "standing desk");
    let id = sessions_json(data.path())[0]["id"].as_i64().unwrap();
    let keyframes = Store::open(data.path())
        .unwrap()
        .keyframes(id)
        .unwrap()
        .len();
    assert!(keyframes >= 1, "the clip keeps its worst moments");
    let dir = tempfile::tempdir().unwrap();

    // A4, with a label: the title, the sections, the label and the page numbers are text in
    // the file; every keyframe is an embedded image.
    let a4 = dir.path().join("report.pdf");
    let out = report_pdf(data.path(), id, &["--label", "Jo Bloggs (left hip)"], &a4);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&a4).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let pdf = parse_pdf(&bytes);
    let pages = pdf.sizes.len();
    assert!((1..=8).contains(&pages), "{pages} pages for a 5 s session");
    assert_eq!(pdf.text.len(), pages);
    for &(w, h) in &pdf.sizes {
        assert_eq!((w.round(), h.round()), (595.0, 842.0), "A4");
    }
    let all = pdf.text.join("\n");
    for want in [
        format!("Posture session {id}"),
        "At a glance".to_string(),
        "Worst moments".to_string(),
        "standing desk".to_string(),
        "Judged: free practice: every measure".to_string(),
    ] {
        assert!(all.contains(&want), "{want:?} missing from {all}");
    }
    for (n, page) in pdf.text.iter().enumerate() {
        assert!(
            page.contains(&format!("page {} of {pages}", n + 1)),
            "page {}: {page}",
            n + 1
        );
        assert!(
            page.contains("Jo Bloggs (left hip)"),
            "the label on page {}",
            n + 1
        );
    }
    assert!(
        pdf.images >= keyframes,
        "{} images for {keyframes} keyframes",
        pdf.images
    );

    // Letter, no label: the paper changes, no label appears.
    let letter = dir.path().join("letter.pdf");
    let out = report_pdf(data.path(), id, &["--paper", "letter"], &letter);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = parse_pdf(&std::fs::read(&letter).unwrap());
    assert!(!pdf.sizes.is_empty());
    for &(w, h) in &pdf.sizes {
        assert_eq!((w.round(), h.round()), (612.0, 792.0), "Letter");
    }
    assert!(!pdf.text.join("\n").contains("Jo Bloggs"));

    // Into a folder that does not exist: a clear error naming the file, nothing left behind.
    let nowhere = dir.path().join("no such folder/r.pdf");
    let out = report_pdf(data.path(), id, &[], &nowhere);
    assert_clean_failure(&out, &[nowhere.to_str().unwrap()]);
    // Over the database: refused, as for every format.
    let db = data.path().join(DB_FILE);
    let before = std::fs::read(&db).unwrap();
    let out = report_pdf(data.path(), id, &[], &db);
    assert_clean_failure(&out, &["refusing to write over the session database"]);
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn report_takes_the_paper_and_label_set_in_the_settings_unless_told_otherwise() {
    let data = data_dir();
    record_clip(data.path(), "");
    let id = sessions_json(data.path())[0]["id"].as_i64().unwrap();
    // As the app's Settings window saves them: Letter, a label typed with a trailing space.
    std::fs::write(
        data.path().join("settings.json"),
        r#"{"report": {"paper": "Letter", "label": "Jo Bloggs, week 3 "}}"#,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, args: &[&str]| {
        let path = dir.path().join(name);
        let out = report_pdf(data.path(), id, args, &path);
        assert!(out.status.success(), "{}", stderr(&out));
        parse_pdf(&std::fs::read(&path).unwrap())
    };
    let saved = run("saved.pdf", &[]);
    assert!(
        saved
            .sizes
            .iter()
            .all(|&(w, h)| (w.round(), h.round()) == (612.0, 792.0)),
        "the settings' Letter: {:?}",
        saved.sizes
    );
    assert!(
        saved.text.iter().all(|p| p.contains("Jo Bloggs, week 3")),
        "the settings' label on every page"
    );
    // The command line wins: A4, another label; an empty one means none.
    let told = run("told.pdf", &["--paper", "a4", "--label", "J. B."]);
    assert!(told.sizes.iter().all(|&(w, _)| w.round() == 595.0));
    assert!(
        told.text
            .iter()
            .all(|p| p.contains("J. B.") && !p.contains("Bloggs"))
    );
    let none = run("none.pdf", &["--label", ""]);
    assert!(!none.text.join("\n").contains("Bloggs"), "no label");
}

#[test]
fn the_html_report_prints_without_cutting_a_chart_or_stranding_a_heading() {
    let data = data_dir();
    record_clip(data.path(), "");
    let id = sessions_json(data.path())[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("r.html");
    let out = plumbline_in(
        data.path(),
        [
            "report",
            &id,
            "--label",
            "Jo <Bloggs>",
            "-o",
            html_path.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&html_path).unwrap();
    let print = &html[html.find("@media print").expect("print CSS")..];
    for rule in ["break-inside:avoid", "break-after:avoid", "@page"] {
        assert!(print.contains(rule), "{rule} in the print CSS");
    }
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    // Every chart and keyframe is a figure (kept whole when printed), and each heading sits
    // in a block with what follows it.
    let select = |s: &str| scraper::Selector::parse(s).unwrap();
    assert!(doc.select(&select("figure svg")).count() >= 3);
    assert!(doc.select(&select("figure.keyframe figcaption")).count() >= 1);
    assert_eq!(
        doc.select(&select("section > .lead > h2")).count(),
        doc.select(&select("section h2")).count()
    );
    assert!(html.contains("Jo &lt;Bloggs&gt;"), "the label, escaped");
}

#[test]
fn a_recording_killed_midway_is_recovered_with_its_committed_samples() {
    let data = data_dir();
    let clip = fixture("video/camera_turning.mp4");
    // One ONNX thread slows the run enough to kill it midway.
    let mut child = Command::new(env!("CARGO_BIN_EXE_plumbline"))
        .env("PLUMBLINE_DATA_DIR", data.path())
        .args([
            "analyze",
            clip.to_str().unwrap(),
            "--quiet",
            "--threads",
            "1",
            "--model",
            "full",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let committed = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "nothing was committed"
        );
        let list = sessions_json(data.path());
        if let Some(s) = list.first() {
            assert_eq!(s["status"], "recording", "still being written");
            let n = s["samples"].as_u64().unwrap();
            if n >= 20 {
                break n;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    child.kill().unwrap(); // SIGKILL: no chance to finish
    child.wait().unwrap();
    assert!(
        committed < 150,
        "the run finished before it could be killed"
    );

    let out = plumbline_in(data.path(), ["sessions", "--json"]);
    assert!(
        stderr(&out).contains("recovered"),
        "the user is told: {}",
        stderr(&out)
    );
    let list = sessions_json(data.path());
    let s = &list[0];
    assert_eq!(s["status"], "recovered");
    let kept = s["samples"].as_u64().unwrap();
    assert!(
        kept >= committed,
        "lost committed samples: {kept} < {committed}"
    );
    // It ends at its last saved frame: about one frame every 1/30 s.
    let ended = s["ended_ms"].as_i64().unwrap() - s["started_ms"].as_i64().unwrap();
    assert!(ended > 0);
    // And its report still works.
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let id = s["id"].as_i64().unwrap().to_string();
    assert!(
        plumbline_in(data.path(), ["report", &id, "-o", html.to_str().unwrap()])
            .status
            .success()
    );
}

#[test]
fn no_record_leaves_no_session() {
    let data = data_dir();
    let out = plumbline_in(
        data.path(),
        [
            "analyze",
            fixture("sequence").to_str().unwrap(),
            "--quiet",
            "--no-record",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(sessions_json(data.path()).is_empty());
}

#[test]
fn report_refuses_to_write_over_the_session_database() {
    let data = data_dir();
    let id = stored_session(data.path(), 10).to_string();
    let db = data.path().join(DB_FILE);
    let before = std::fs::read(&db).unwrap();
    // The database by its own name, through a link elsewhere, and its journal (which need not
    // exist yet).
    let elsewhere = tempfile::tempdir().unwrap();
    let link = elsewhere.path().join("report.html");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let wal = data.path().join(format!("{DB_FILE}-wal"));
    for target in [&db, &link, &wal] {
        let out = plumbline_in(data.path(), ["report", &id, "-o", target.to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("refusing to write over the session database"),
            "{err}"
        );
        assert!(
            err.contains(&db.display().to_string()),
            "names the database: {err}"
        );
        assert!(
            err.trim_end().ends_with(&target.display().to_string()),
            "names the output last: {err}"
        );
        assert_eq!(std::fs::read(&db).unwrap(), before, "left byte for byte");
    }
    assert_eq!(
        sessions_json(data.path()).len(),
        1,
        "the session is still there"
    );
}

#[test]
fn report_replaces_an_existing_file_only_with_a_complete_one() {
    use std::io::Read;
    let data = data_dir();
    let id = stored_session(data.path(), 20).to_string();
    let out_dir = tempfile::tempdir().unwrap();
    let csv = out_dir.path().join("s.csv");
    let old = "an earlier export\n".repeat(1000);
    std::fs::write(&csv, &old).unwrap();
    // Someone has the old file open (a spreadsheet, a browser tab) while it is replaced.
    let mut reader = std::fs::File::open(&csv).unwrap();
    let out = report(data.path(), &id, "csv", &csv);
    assert!(out.status.success(), "{}", stderr(&out));
    // They still read the old file whole: the new one was written beside it and renamed over
    // it, not written into it.
    let mut seen = String::new();
    reader.read_to_string(&mut seen).unwrap();
    assert_eq!(seen, old);
    // The name now holds the complete new file, and nothing is left beside it.
    let new = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(new.lines().count(), 21, "a header and 20 frames");
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 1);

    // A write that fails (the output is a folder) leaves what was there, and no temporary file.
    let folder = out_dir.path().join("a folder");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("inside.txt"), "kept").unwrap();
    let out = report(data.path(), &id, "csv", &folder);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("the output is a folder"), "{err}");
    assert!(
        err.trim_end().ends_with(&folder.display().to_string()),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("inside.txt")).unwrap(),
        "kept"
    );
    let names: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "s.csv and the folder only: {names:?}");
}

#[test]
fn sessions_delete_refuses_a_session_still_being_recorded() {
    let data = data_dir();
    // This test process records it, so its recorder is alive.
    let rec = start_recording(&mut Store::open(data.path()).unwrap());
    let id = rec.session().to_string();
    for args in [
        vec!["sessions", "delete", &id, "--yes"],
        vec!["sessions", "delete", &id],
    ] {
        let out = plumbline_in(data.path(), &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("still being recorded"), "{err}");
        assert!(!err.contains("[y/N]"), "refused before asking: {err}");
    }
    assert_eq!(sessions_json(data.path())[0]["status"], "recording");
    // The recording is unharmed.
    rec.finish().unwrap();
    assert_eq!(sessions_json(data.path())[0]["status"], "complete");
}

/// Output piped into a reader that has already gone (`… | head`, `… | true`) ends quietly, as
/// in ripgrep: exit 0, nothing on stderr, no panic.
#[test]
fn a_closed_pipe_ends_quietly() {
    let data = data_dir();
    record_clip(data.path(), "");
    let clip = fixture("video/camera_turning.mp4");
    let clip = clip.to_str().unwrap();
    for args in [
        vec!["sessions", "--json"],
        vec!["sessions"],
        vec!["sessions", "show", "1"],
        vec![
            "analyze",
            clip,
            "--model",
            "lite",
            "--no-record",
            "--quiet",
            "--json",
            "-",
        ],
    ] {
        // A pipe whose reading end is closed before the program starts: its first write
        // fails with a broken pipe.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_plumbline"))
            .args(&args)
            .env("PLUMBLINE_DATA_DIR", data.path())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.trim().is_empty(), "{args:?} said: {err}");
    }
}

/// A session is stored compressed, a second at a time, yet exports exactly what its analysis
/// wrote: the CSV byte for byte and the summary field for field (all but the engine's
/// timings, which are not stored).
#[test]
fn a_stored_session_exports_exactly_what_its_analysis_wrote() {
    let data = data_dir();
    let out = tempfile::tempdir().unwrap();
    let (csv, json) = (out.path().join("a.csv"), out.path().join("a.json"));
    let clip = fixture("validity/clips/walk_lean20_facing_right.mp4");
    let run = plumbline_in(
        data.path(),
        [
            "analyze".as_ref(),
            clip.as_os_str(),
            "--quiet".as_ref(),
            "--csv".as_ref(),
            csv.as_os_str(),
            "--json".as_ref(),
            json.as_os_str(),
        ],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let (stored_csv, stored_json) = (out.path().join("r.csv"), out.path().join("r.json"));
    assert!(
        report(data.path(), "1", "csv", &stored_csv)
            .status
            .success()
    );
    assert!(
        report(data.path(), "1", "json", &stored_json)
            .status
            .success()
    );
    assert_eq!(
        std::fs::read_to_string(&stored_csv).unwrap(),
        std::fs::read_to_string(&csv).unwrap()
    );
    let mut analysed = read_json(&json);
    let mut stored = read_json(&stored_json)["summary"].clone();
    for summary in [&mut analysed, &mut stored] {
        summary.as_object_mut().unwrap().remove("timings_ms");
    }
    assert_eq!(stored, analysed);
}
