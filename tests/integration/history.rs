//! The app's session browser on a real session database: it lists what `analyze` recorded,
//! writes and opens the report, saves a PDF, CSV and JSON, deletes after asking, and shows a broken
//! database's error instead of failing. Driven through egui's accessibility tree (kittest).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use plumbline::format::percent;
use plumbline::report::{
    ExportFormat, Paper, ReportOptions, WriteError, report_path, write_export, write_report,
};
use plumbline::session::store::{DB_FILE, SessionSummaryRow, Store};
use plumbline::ui::SessionBrowser;
use rusqlite::Connection;

use crate::helpers::*;

/// The browser in a test harness, shown open; the state is (browser, window open).
fn harness(browser: SessionBrowser) -> Harness<'static, (SessionBrowser, bool)> {
    // A finished task's wake-up, the new content, and a scroll bar appearing or going each take
    // a frame: room for all of them.
    Harness::builder()
        .with_size([1600.0, 900.0])
        .with_max_steps(12)
        .build_state(
            |ctx, (browser, open): &mut (SessionBrowser, bool)| browser.show(ctx, open),
            (browser, true),
        )
}

/// Runs the harness until the list, changes, reports and exports asked for are done and shown:
/// one frame to act on the clicks (which starts the work), the work waited for, then frames
/// until nothing changes. The background threads wake the window when they finish, so a run
/// racing them could see their answers arrive at any frame; waiting first keeps the count of
/// frames the same from run to run.
fn settle(h: &mut Harness<'static, (SessionBrowser, bool)>) {
    h.step();
    h.state_mut().0.wait_for_tasks();
    h.run();
}

fn has_label(h: &Harness<'static, (SessionBrowser, bool)>, text: &str) -> bool {
    h.query_all_by_label(text).next().is_some()
}

fn has_label_containing(h: &Harness<'static, (SessionBrowser, bool)>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn only_session(data: &Path) -> SessionSummaryRow {
    let list = Store::open(data).unwrap().list().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    list.into_iter().next().unwrap()
}

#[test]
fn the_browser_lists_a_recorded_session_reports_exports_and_deletes_it() {
    let data = data_dir();
    record_clip(data.path(), "standing desk");
    let session = only_session(data.path());
    let id = session.id;

    let opened: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let saves = tempfile::tempdir().unwrap();
    let csv_path = saves.path().join("chosen.csv");
    let pdf_path = saves.path().join("chosen.pdf");
    let browser = SessionBrowser::new(data.path().to_path_buf())
        .with_opener({
            let opened = Arc::clone(&opened);
            move |path| {
                opened.lock().unwrap().push(path.to_path_buf());
                Err("no browser here".into())
            }
        })
        .with_save_dialog({
            let (csv_path, pdf_path) = (csv_path.clone(), pdf_path.clone());
            move |default_name, format| {
                assert_eq!(default_name, format.file_name(id));
                // Save the CSV and the PDF; cancel the JSON dialog.
                match format {
                    ExportFormat::Csv => Some(csv_path.clone()),
                    ExportFormat::Pdf => Some(pdf_path.clone()),
                    _ => None,
                }
            }
        });
    // As the app hands on its settings: the patient's label (typed with a space at the end).
    let mut browser = browser;
    browser.set_report_options(&ReportOptions {
        paper: Paper::Letter,
        label: Some("Jo Bloggs ".into()),
    });
    let mut h = harness(browser);
    settle(&mut h);

    // The row: id, headline numbers, status, source and notes.
    assert!(has_label(&h, &format!("#{id}")));
    assert!(has_label(&h, "5 s"), "duration of the 5 s clip");
    assert!(has_label(&h, &percent(session.aligned_fraction)));
    assert!(session.aligned_fraction.is_some());
    assert!(has_label(&h, "recorded"));
    assert!(has_label_containing(&h, "camera_turning.mp4"));
    assert!(has_label(&h, "standing desk"));

    // Report: written under the data folder, handed to the opener, and the opener's failure
    // is shown without losing the file.
    h.get_by_label("Report").click();
    settle(&mut h);
    let report = report_path(data.path(), id);
    assert_eq!(
        report,
        data.path().join(format!("reports/session-{id}.html"))
    );
    assert_eq!(
        opened.lock().unwrap().as_slice(),
        std::slice::from_ref(&report)
    );
    assert!(has_label(
        &h,
        &format!("report written to {}", report.display())
    ));
    assert!(has_label_containing(&h, "no browser here"));
    let html = std::fs::read_to_string(&report).unwrap();
    for section in ["headline", "timeline", "distributions", "moments", "trend"] {
        assert!(
            html.contains(&format!(r#"<section id="{section}">"#)),
            "section {section}"
        );
    }
    assert!(html.contains("standing desk"));
    assert!(html.contains("Jo Bloggs<"), "the settings' label, trimmed");

    // CSV…: saved where the dialog said. JSON…: the dialog was cancelled, nothing happens.
    h.get_by_label("CSV…").click();
    settle(&mut h);
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(csv.lines().count(), 151, "a header and 150 frames");
    assert!(has_label(
        &h,
        &format!("session {id} exported to {}", csv_path.display())
    ));
    // PDF…: the report laid out on pages, saved where the dialog said.
    h.get_by_label("PDF…").click();
    settle(&mut h);
    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
    assert!(text.contains(&format!("Posture session {id}")), "{text}");
    assert!(text.contains("standing desk"));
    assert!(text.contains("Jo Bloggs"), "the settings' label: {text}");
    assert!(has_label(
        &h,
        &format!("session {id} exported to {}", pdf_path.display())
    ));
    h.get_by_label("JSON…").click();
    settle(&mut h);
    assert_eq!(std::fs::read_dir(saves.path()).unwrap().count(), 2);
    assert_eq!(
        h.query_all_by_label_contains("exported").count(),
        2,
        "the CSV's and the PDF's messages; nothing for a cancel"
    );
    assert!(!has_label_containing(&h, "could not export"));

    // Notes…: edit the notes in place; they are saved to the database and the list.
    h.get_by_label("Notes…").click();
    h.run();
    assert!(has_label(&h, &format!("Notes on session {id}:")));
    let editor = h.get_by_role(eframe::egui::accesskit::Role::MultilineTextInput);
    assert_eq!(editor.value().as_deref(), Some("standing desk"));
    editor.focus();
    editor.type_text(", left hip sore");
    h.run();
    h.get_by_label("Save notes").click();
    settle(&mut h);
    assert_eq!(
        only_session(data.path()).notes,
        "standing desk, left hip sore"
    );
    assert!(has_label(&h, "standing desk, left hip sore"));
    assert!(has_label(&h, &format!("saved the notes on session {id}")));

    // Delete asks first; "Keep" keeps it.
    h.get_by_label("Delete").click();
    h.run();
    assert!(has_label_containing(&h, &format!("Delete session {id} (")));
    h.get_by_label("Keep").click();
    h.run();
    assert!(!has_label_containing(&h, "This cannot be undone"));
    assert_eq!(only_session(data.path()).id, id);
    h.get_by_label("Delete").click();
    h.run();
    h.get_by_label("Yes, delete").click();
    settle(&mut h);
    assert!(has_label(&h, &format!("deleted session {id}")));
    assert!(!has_label(&h, &format!("#{id}")), "gone from the list");
    assert!(Store::open(data.path()).unwrap().list().unwrap().is_empty());
    assert!(report.exists(), "written reports stay");

    // The window's close button closes it.
    h.get_by_label("Close window").click();
    h.run();
    assert!(!h.state().1);
}

#[test]
fn a_corrupt_database_shows_its_error_and_is_left_alone() {
    let data = data_dir();
    let db = data.path().join(DB_FILE);
    let junk = b"this is not an SQLite database, just some bytes ".repeat(100);
    std::fs::write(&db, &junk).unwrap();
    let mut h = harness(SessionBrowser::new(data.path().to_path_buf()));
    settle(&mut h);
    assert!(has_label_containing(
        &h,
        "not a readable plumbline database"
    ));
    assert!(has_label_containing(&h, &db.display().to_string()));
    // Trying again does not panic either, and the file is untouched.
    h.get_by_label("Refresh").click();
    settle(&mut h);
    assert!(has_label_containing(
        &h,
        "not a readable plumbline database"
    ));
    assert_eq!(std::fs::read(&db).unwrap(), junk);
}

#[test]
fn exports_write_csv_json_and_the_report_or_say_why_not() {
    let data = data_dir();
    let id = stored_session(data.path(), 20);
    let db = Store::open(data.path()).unwrap();
    let out = tempfile::tempdir().unwrap();

    let csv = out.path().join("s.csv");
    write_export(&db, id, ExportFormat::Csv, &ReportOptions::default(), &csv).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 21);
    assert!(text.starts_with("frame,t_ms,person,"));

    let json = out.path().join("s.json");
    write_export(
        &db,
        id,
        ExportFormat::Json,
        &ReportOptions::default(),
        &json,
    )
    .unwrap();
    let v = read_json(&json);
    assert_eq!(v["schema"], 1);
    assert_eq!(v["session"]["id"], id);
    assert_eq!(v["samples"].as_array().unwrap().len(), 20);

    let report = write_report(&db, id, &ReportOptions::default()).unwrap();
    assert_eq!(report, report_path(data.path(), id));
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains(r#"<section id="headline">"#)
    );

    let missing = write_export(
        &db,
        id + 1,
        ExportFormat::Csv,
        &ReportOptions::default(),
        &csv,
    )
    .unwrap_err();
    assert!(
        missing
            .to_string()
            .contains(&format!("no session {}", id + 1)),
        "{missing}"
    );
    let nowhere = out.path().join("no such folder/s.csv");
    let e = write_export(
        &db,
        id,
        ExportFormat::Csv,
        &ReportOptions::default(),
        &nowhere,
    )
    .unwrap_err();
    assert!(matches!(e, WriteError::Output(_)), "{e:?}");
    assert!(e.to_string().contains("no such folder"), "{e}");
}

/// Another program in the middle of writing to the database: until the returned connection
/// ends its transaction, opening the store (which migrates in a write transaction) and any
/// change wait for it, up to SQLite's busy timeout of 5 s.
fn hold_write_lock(data: &Path) -> Connection {
    let conn = Connection::open(data.join(DB_FILE)).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

#[test]
fn the_window_is_drawn_while_the_database_is_busy_and_closes_without_waiting() {
    let data = data_dir();
    let id = stored_session(data.path(), 30);
    let row = format!("#{id}");

    // The worker's open waits for the lock; meanwhile the window is drawn, says it is reading,
    // and does not claim there are no sessions.
    let lock = hold_write_lock(data.path());
    let mut h = harness(SessionBrowser::new(data.path().to_path_buf()));
    assert!(h.state().0.is_reading());
    assert!(has_label(&h, "reading sessions…"));
    assert!(!has_label(&h, &row));
    assert!(!has_label_containing(&h, "No sessions yet"));
    h.get_by_label("Refresh").click();
    h.run();
    assert!(has_label(&h, "reading sessions…"));
    lock.execute_batch("ROLLBACK").unwrap();
    settle(&mut h);
    assert!(has_label(&h, &row));
    assert!(!has_label(&h, "reading sessions…"));

    // A deletion waits for the lock too, and the window goes on without it.
    let lock = hold_write_lock(data.path());
    h.get_by_label("Delete").click();
    h.run();
    h.get_by_label("Yes, delete").click();
    h.run();
    assert!(has_label(&h, &row), "still listed: the deletion is waiting");
    // Closing the browser does not wait for the worker: joining it would wait until SQLite gave
    // up on the lock we still hold, and the deletion would then never happen. The worker
    // finishes it on its own once the lock goes, after the browser has closed.
    drop(h);
    lock.execute_batch("ROLLBACK").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Store::open(data.path())
        .unwrap()
        .session(id)
        .unwrap()
        .is_some()
    {
        assert!(Instant::now() < deadline, "the deletion never finished");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_session_still_being_recorded_cannot_be_deleted_from_the_window() {
    let data = data_dir();
    let recorder = start_recording(&mut Store::open(data.path()).unwrap());
    let mut h = harness(SessionBrowser::new(data.path().to_path_buf()));
    settle(&mut h);
    assert!(has_label(&h, "in progress"));
    let delete = h.get_by_label("Delete");
    assert!(delete.accesskit_node().is_disabled());
    delete.click();
    h.run();
    assert!(!has_label_containing(&h, "This cannot be undone"));
    // The recording goes on unharmed.
    recorder.finish().unwrap();
}
