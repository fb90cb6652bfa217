//! The session browser: a window listing past sessions with their headline numbers, from which
//! a session's report opens in the browser, its data is saved as CSV or JSON, or it is deleted.
//! Reports, exports and save dialogs run on background threads; the UI thread only lists.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use eframe::egui::{self, RichText};

use crate::format::{percent, plain_seconds};
use crate::report::{ExportFormat, WriteError, format_time, write_export, write_report};
use crate::session::store::{SessionId, SessionStatus, SessionSummaryRow, Store, StoreError};

/// How many results of reports, exports and deletions the window keeps on show.
const NOTICES_SHOWN: usize = 4;
/// Widths of the free-text columns, points: enough for a file name, and the window stays
/// narrower than the app.
const SOURCE_WIDTH: f32 = 240.0;
const NOTES_WIDTH: f32 = 200.0;

/// A session's status as the browser names it.
pub fn status_label(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Complete => "recorded",
        SessionStatus::Recovered => "recovered",
        SessionStatus::Recording => "in progress",
    }
}

/// One line of the list, formatted once when the list is read.
#[derive(Debug, Clone)]
struct Row {
    id: SessionId,
    status: SessionStatus,
    label: String,
    started: String,
    duration: String,
    aligned: String,
    source: String,
    /// One line for the table.
    notes: String,
    /// As written, for the editor.
    full_notes: String,
}

impl Row {
    fn new(s: SessionSummaryRow) -> Self {
        // One line in the table; the tooltip of a cut cell shows it all.
        let notes = s.notes.lines().collect::<Vec<_>>().join(" / ");
        Self {
            id: s.id,
            status: s.status,
            label: format!("#{}", s.id),
            started: format_time(s.started_ms),
            duration: plain_seconds(s.duration_s),
            aligned: percent(s.aligned_fraction),
            source: s.source,
            notes,
            full_notes: s.notes,
        }
    }
}

/// A result for the user.
#[derive(Debug, Clone)]
enum Notice {
    Info(String),
    Error(String),
}

/// A report or export running on its own thread.
#[derive(Debug)]
struct Task {
    /// "the report for session 3".
    what: String,
    handle: JoinHandle<Vec<Notice>>,
}

type Opener = dyn Fn(&Path) -> Result<(), String> + Send + Sync;
type SaveDialog = dyn Fn(&str, ExportFormat) -> Option<PathBuf> + Send + Sync;

fn open_in_browser(path: &Path) -> Result<(), String> {
    opener::open(path).map_err(|e| e.to_string())
}

fn ask_where_to_save(default_name: &str, format: ExportFormat) -> Option<PathBuf> {
    let kind = match format {
        ExportFormat::Html => "HTML report",
        ExportFormat::Csv => "CSV (one row per frame)",
        ExportFormat::Json => "JSON",
    };
    rfd::FileDialog::new()
        .set_title("Export session")
        .set_file_name(default_name)
        .add_filter(kind, &[format.extension()])
        .save_file()
}

/// The "Sessions" window: past sessions, their reports and exports.
pub struct SessionBrowser {
    data_dir: PathBuf,
    /// Opened by the first refresh and kept: opening checks the whole file.
    store: Option<Store>,
    rows: Vec<Row>,
    /// Why the database could not be opened or read.
    error: Option<String>,
    loaded: bool,
    was_open: bool,
    confirm_delete: Option<SessionId>,
    /// The session whose notes are being edited, and the text so far.
    editing: Option<(SessionId, String)>,
    notices: Vec<Notice>,
    tasks: Vec<Task>,
    opener: Arc<Opener>,
    save_dialog: Arc<SaveDialog>,
}

impl std::fmt::Debug for SessionBrowser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionBrowser")
            .field("data_dir", &self.data_dir)
            .field("sessions", &self.rows.len())
            .field("error", &self.error)
            .field("confirm_delete", &self.confirm_delete)
            .field("notices", &self.notices)
            .field("tasks", &self.tasks)
            .finish_non_exhaustive()
    }
}

impl SessionBrowser {
    /// A browser of the sessions in `data_dir`; the database is opened when first shown.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            store: None,
            rows: Vec::new(),
            error: None,
            loaded: false,
            was_open: false,
            confirm_delete: None,
            editing: None,
            notices: Vec::new(),
            tasks: Vec::new(),
            opener: Arc::new(open_in_browser),
            save_dialog: Arc::new(ask_where_to_save),
        }
    }

    /// Opens written reports with `open` instead of the system's browser (tests, or a user's
    /// choice of viewer).
    pub fn with_opener(
        mut self,
        open: impl Fn(&Path) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.opener = Arc::new(open);
        self
    }

    /// Asks `choose(default file name, format)` where to save an export instead of a native
    /// save dialog; `None` cancels.
    pub fn with_save_dialog(
        mut self,
        choose: impl Fn(&str, ExportFormat) -> Option<PathBuf> + Send + Sync + 'static,
    ) -> Self {
        self.save_dialog = Arc::new(choose);
        self
    }

    /// (Re)reads the list of sessions, opening the database first if needed. Errors are kept
    /// and shown in the window.
    pub fn refresh(&mut self) {
        self.loaded = true;
        if self.store.is_none() {
            match Store::open(&self.data_dir) {
                Ok(db) => {
                    for id in db.recovered_on_open() {
                        self.notice(Notice::Info(format!(
                            "session {id} was left open by a program that stopped; it was \
                             closed at its last saved frame and marked recovered"
                        )));
                    }
                    self.store = Some(db);
                }
                Err(e) => {
                    self.rows.clear();
                    self.error = Some(e.to_string());
                    return;
                }
            }
        }
        let Some(db) = &self.store else {
            return;
        };
        match read_rows(db) {
            Ok(rows) => {
                self.rows = rows;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Blocks until the reports and exports started so far have finished and their results are
    /// on show (for tests, and for a clean shutdown).
    pub fn wait_for_tasks(&mut self) {
        for task in std::mem::take(&mut self.tasks) {
            self.finish(task);
        }
    }

    /// Draws the window while `*open`; the window's close button clears it.
    pub fn show(&mut self, ctx: &egui::Context, open: &mut bool) {
        self.collect_finished();
        if !*open {
            self.was_open = false;
            return;
        }
        if !self.was_open || !self.loaded {
            // Each opening shows the sessions recorded since the last.
            self.refresh();
        }
        self.was_open = true;
        egui::Window::new("Sessions")
            .open(open)
            .default_size([1080.0, 420.0])
            .scroll([true, true])
            .show(ctx, |ui| self.ui(ui, ctx));
    }

    fn ui(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        ui.horizontal(|ui| {
            if ui
                .button("Refresh")
                .on_hover_text("Read the list again")
                .clicked()
            {
                self.refresh();
            }
            ui.weak(format!("sessions in {}", self.data_dir.display()));
        });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        for task in &self.tasks {
            ui.label(format!("writing {}…", task.what));
        }
        for notice in &self.notices {
            match notice {
                Notice::Info(text) => ui.label(text),
                Notice::Error(text) => ui.colored_label(ui.visuals().error_fg_color, text),
            };
        }
        self.confirm_ui(ui);
        self.notes_ui(ui);
        ui.separator();
        if self.rows.is_empty() {
            if self.error.is_none() {
                ui.label(
                    "No sessions yet: the app records one while it runs, and \
                     `plumbline analyze VIDEO` records one from a file.",
                );
            }
            return;
        }
        let mut clicked = None;
        egui::Grid::new("sessions")
            .striped(true)
            .spacing([14.0, 6.0])
            .show(ui, |ui| {
                for h in [
                    "Session", "Started", "Duration", "Aligned", "Status", "", "Source", "Notes",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for row in &self.rows {
                    if let Some(action) = row_ui(ui, row) {
                        clicked = Some((row.id, action));
                    }
                    ui.end_row();
                }
            });
        match clicked {
            Some((id, Action::Report)) => self.start_report(ctx, id),
            Some((id, Action::Export(format))) => self.start_export(ctx, id, format),
            Some((id, Action::Delete)) => self.confirm_delete = Some(id),
            Some((id, Action::Notes)) => {
                let text = self
                    .rows
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| r.full_notes.clone())
                    .unwrap_or_default();
                self.editing = Some((id, text));
            }
            None => {}
        }
    }

    /// The notes editor, when a session's notes are being edited: for what a physiotherapist
    /// or the user wants to remember about a session (it appears in its report).
    fn notes_ui(&mut self, ui: &mut egui::Ui) {
        let Some((id, text)) = &mut self.editing else {
            return;
        };
        let id = *id;
        let mut answer = None;
        ui.group(|ui| {
            ui.label(format!("Notes on session {id}:"));
            ui.add(
                egui::TextEdit::multiline(text)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .hint_text("what you noticed, how it felt, what to try next"),
            );
            ui.horizontal(|ui| {
                if ui.button("Save notes").clicked() {
                    answer = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(false);
                }
            });
        });
        match answer {
            Some(true) => {
                let text = self.editing.take().map(|(_, t)| t).unwrap_or_default();
                let Some(db) = &self.store else {
                    return;
                };
                let notice = match db.set_notes(id, text.trim()) {
                    Ok(true) => Notice::Info(format!("saved the notes on session {id}")),
                    Ok(false) => Notice::Info(format!("session {id} was already gone")),
                    Err(e) => Notice::Error(format!("could not save the notes: {e}")),
                };
                self.notice(notice);
                self.refresh();
            }
            Some(false) => self.editing = None,
            None => {}
        }
    }

    /// The "delete this session?" question, when one was asked.
    fn confirm_ui(&mut self, ui: &mut egui::Ui) {
        let Some(id) = self.confirm_delete else {
            return;
        };
        let Some(row) = self.rows.iter().find(|r| r.id == id) else {
            self.confirm_delete = None;
            return;
        };
        let question = format!(
            "Delete session {id} ({}, {}) and everything recorded with it? This cannot be undone.",
            row.started, row.source
        );
        let mut answer = None;
        ui.group(|ui| {
            ui.label(question);
            ui.horizontal(|ui| {
                if ui.button("Yes, delete").clicked() {
                    answer = Some(true);
                }
                if ui.button("Keep").clicked() {
                    answer = Some(false);
                }
            });
        });
        match answer {
            Some(true) => {
                self.confirm_delete = None;
                self.delete(id);
            }
            Some(false) => self.confirm_delete = None,
            None => {}
        }
    }

    fn delete(&mut self, id: SessionId) {
        let Some(db) = &self.store else {
            return;
        };
        let notice = match db.delete(id) {
            Ok(true) => Notice::Info(format!("deleted session {id}")),
            Ok(false) => Notice::Info(format!("session {id} was already gone")),
            Err(e) => Notice::Error(format!("could not delete session {id}: {e}")),
        };
        self.notice(notice);
        self.refresh();
    }

    fn start_report(&mut self, ctx: &egui::Context, id: SessionId) {
        let data_dir = self.data_dir.clone();
        let opener = Arc::clone(&self.opener);
        self.spawn(
            ctx,
            format!("the report for session {id}"),
            move || match open_and(&data_dir, |db| write_report(db, id)) {
                Ok(path) => {
                    let mut notices = vec![Notice::Info(format!(
                        "report written to {}",
                        path.display()
                    ))];
                    if let Err(e) = opener(&path) {
                        notices.push(Notice::Error(format!(
                            "could not open it in a browser ({e}); open the file yourself"
                        )));
                    }
                    notices
                }
                Err(e) => vec![Notice::Error(format!(
                    "could not write the report for session {id}: {e}"
                ))],
            },
        );
    }

    fn start_export(&mut self, ctx: &egui::Context, id: SessionId, format: ExportFormat) {
        let data_dir = self.data_dir.clone();
        let choose = Arc::clone(&self.save_dialog);
        let what = format!(
            "the {} export of session {id}",
            format.extension().to_uppercase()
        );
        self.spawn(ctx, what, move || {
            // The dialog runs here too, so the app keeps drawing while it is open.
            let Some(path) = choose(&format.file_name(id), format) else {
                return Vec::new();
            };
            match open_and(&data_dir, |db| write_export(db, id, format, &path)) {
                Ok(()) => vec![Notice::Info(format!(
                    "session {id} exported to {}",
                    path.display()
                ))],
                Err(e) => vec![Notice::Error(format!("could not export session {id}: {e}"))],
            }
        });
    }

    fn spawn(
        &mut self,
        ctx: &egui::Context,
        what: String,
        job: impl FnOnce() -> Vec<Notice> + Send + 'static,
    ) {
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("plumbline export".into())
            .spawn(move || {
                let notices = job();
                ctx.request_repaint();
                notices
            });
        match spawned {
            Ok(handle) => self.tasks.push(Task { what, handle }),
            Err(e) => self.notice(Notice::Error(format!(
                "could not start writing {what}: {e}"
            ))),
        }
    }

    fn collect_finished(&mut self) {
        while let Some(i) = self.tasks.iter().position(|t| t.handle.is_finished()) {
            let task = self.tasks.remove(i);
            self.finish(task);
        }
    }

    fn finish(&mut self, task: Task) {
        match task.handle.join() {
            Ok(notices) => {
                for n in notices {
                    self.notice(n);
                }
            }
            Err(_) => self.notice(Notice::Error(format!(
                "writing {} failed unexpectedly",
                task.what
            ))),
        }
    }

    fn notice(&mut self, notice: Notice) {
        self.notices.push(notice);
        if self.notices.len() > NOTICES_SHOWN {
            self.notices.remove(0);
        }
    }
}

/// What a row's buttons asked for.
#[derive(Debug, Clone, Copy)]
enum Action {
    Report,
    Export(ExportFormat),
    Notes,
    Delete,
}

fn row_ui(ui: &mut egui::Ui, row: &Row) -> Option<Action> {
    ui.label(&row.label);
    ui.label(&row.started);
    ui.label(&row.duration);
    ui.label(&row.aligned);
    ui.label(status_label(row.status));
    let mut action = None;
    ui.horizontal(|ui| {
        if ui
            .button("Report")
            .on_hover_text("Write the HTML report and open it in the browser")
            .clicked()
        {
            action = Some(Action::Report);
        }
        if ui
            .button("CSV…")
            .on_hover_text("Save every frame's metrics as CSV")
            .clicked()
        {
            action = Some(Action::Export(ExportFormat::Csv));
        }
        if ui
            .button("JSON…")
            .on_hover_text("Save the session, its summary and every frame as JSON")
            .clicked()
        {
            action = Some(Action::Export(ExportFormat::Json));
        }
        if ui
            .button("Notes…")
            .on_hover_text("Write notes on the session; they appear in its report")
            .clicked()
        {
            action = Some(Action::Notes);
        }
        let recording = row.status == SessionStatus::Recording;
        let delete = ui.add_enabled(!recording, egui::Button::new("Delete"));
        let delete = if recording {
            delete.on_disabled_hover_text("It is still being recorded")
        } else {
            delete.on_hover_text("Delete the session and everything recorded with it")
        };
        if delete.clicked() {
            action = Some(Action::Delete);
        }
    });
    // Free text last, cut to the column (the tooltip shows all of it; the accessible label
    // keeps the whole text).
    for (text, width) in [(&row.source, SOURCE_WIDTH), (&row.notes, NOTES_WIDTH)] {
        ui.scope(|ui| {
            ui.set_max_width(width);
            ui.add(egui::Label::new(text).truncate());
        });
    }
    action
}

/// Opens the database in `data_dir` for one report or export (on its own thread) and runs `f`.
fn open_and<T>(
    data_dir: &Path,
    f: impl FnOnce(&Store) -> Result<T, WriteError>,
) -> Result<T, WriteError> {
    f(&Store::open(data_dir)?)
}

fn read_rows(db: &Store) -> Result<Vec<Row>, StoreError> {
    Ok(db.list()?.into_iter().map(Row::new).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_plainly() {
        assert_eq!(status_label(SessionStatus::Complete), "recorded");
        assert_eq!(status_label(SessionStatus::Recording), "in progress");
    }

    #[test]
    fn exports_never_replace_the_apps_settings() {
        let dir = tempfile::tempdir().unwrap();
        let db = Store::open(dir.path()).unwrap();
        let settings = dir.path().join(super::super::settings::SETTINGS_FILE);
        std::fs::write(&settings, b"{}").unwrap();
        let e = write_export(&db, 1, ExportFormat::Csv, &settings).unwrap_err();
        assert!(matches!(e, WriteError::Protected { .. }), "{e:?}");
        assert_eq!(std::fs::read(&settings).unwrap(), b"{}");
    }
}
