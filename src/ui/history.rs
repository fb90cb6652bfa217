//! The session browser: a window listing past sessions with their headline numbers, from which
//! a session's report opens in the browser, its data is saved as CSV or JSON, or it is deleted.
//! Nothing here waits on the database: a worker thread owns it ([`worker`]), and reports,
//! exports and save dialogs run on threads of their own; the window only drains their results.

mod files;
mod worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use eframe::egui::{self, RichText};

use super::notice::Notice;
use crate::report::{ExportFormat, FORMATS, ReportOptions};
use crate::session::store::{SessionId, SessionStatus};
use files::FileTasks;
use worker::{Gone, Reply, Request, Row, StoreWorker};

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
        SessionStatus::Interrupted => "interrupted",
    }
}

/// The "Sessions" window: past sessions, their reports and exports.
pub struct SessionBrowser {
    data_dir: PathBuf,
    /// Owns the open database; started by the first refresh.
    worker: Option<StoreWorker>,
    /// Asked to repaint when a result comes in (the first `show` gives it).
    ctx: Option<egui::Context>,
    /// Lists asked for and not in yet: the window says it is reading.
    lists_pending: usize,
    rows: Vec<Row>,
    /// Why the database could not be opened or read.
    error: Option<String>,
    loaded: bool,
    was_open: bool,
    confirm_delete: Option<SessionId>,
    /// The session whose notes are being edited, and the text so far.
    editing: Option<(SessionId, String)>,
    notices: Vec<Notice>,
    /// Reports and exports under way.
    files: FileTasks,
}

impl std::fmt::Debug for SessionBrowser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionBrowser")
            .field("data_dir", &self.data_dir)
            .field("sessions", &self.rows.len())
            .field("worker", &self.worker)
            .field("lists_pending", &self.lists_pending)
            .field("error", &self.error)
            .field("confirm_delete", &self.confirm_delete)
            .field("notices", &self.notices)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl SessionBrowser {
    /// A browser of the sessions in `data_dir`; the database is opened when first shown.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            files: FileTasks::new(data_dir.clone()),
            data_dir,
            worker: None,
            ctx: None,
            lists_pending: 0,
            rows: Vec::new(),
            error: None,
            loaded: false,
            was_open: false,
            confirm_delete: None,
            editing: None,
            notices: Vec::new(),
        }
    }

    /// Opens written reports with `open` instead of the system's browser (tests, or a user's
    /// choice of viewer).
    pub fn with_opener(
        mut self,
        open: impl Fn(&Path) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.files.opener = Arc::new(open);
        self
    }

    /// Asks `choose(default file name, format)` where to save an export instead of a native
    /// save dialog; `None` cancels.
    pub fn with_save_dialog(
        mut self,
        choose: impl Fn(&str, ExportFormat) -> Option<PathBuf> + Send + Sync + 'static,
    ) -> Self {
        self.files.save_dialog = Arc::new(choose);
        self
    }

    /// Asks for the list of sessions again (the worker opens the database first if needed);
    /// it is shown when it is in. Errors are kept and shown in the window.
    /// Reports and exports from now on are made with `options` (the settings' paper and label).
    pub fn set_report_options(&mut self, options: &ReportOptions) {
        self.files.options.clone_from(options);
    }

    pub fn refresh(&mut self) {
        self.loaded = true;
        if self.ask(Request::List) {
            self.lists_pending += 1;
        }
    }

    /// Whether a list asked for is not in yet.
    pub fn is_reading(&self) -> bool {
        self.lists_pending > 0
    }

    /// Blocks until the lists, deletions, notes, reports and exports asked for so far are done
    /// and their results are on show. For tests: the window itself never calls it.
    pub fn wait_for_tasks(&mut self) {
        while let Some(worker) = &mut self.worker {
            match worker.wait_next() {
                Ok(Some(reply)) => self.apply(reply),
                Ok(None) => break,
                Err(Gone) => self.worker_gone(),
            }
        }
        let notices = self.files.wait_all();
        self.notices_from(notices);
    }

    /// Sends `request` to the worker, starting it if needed; false if it could not be sent
    /// (the reason is on show).
    fn ask(&mut self, request: Request) -> bool {
        if self.worker.is_none() {
            match StoreWorker::spawn(self.data_dir.clone()) {
                Ok(worker) => self.worker = Some(worker),
                Err(e) => {
                    self.error = Some(format!(
                        "could not start reading the sessions ({e}); close the window and \
                         open it again"
                    ));
                    return false;
                }
            }
        }
        let ctx = self.ctx.clone();
        let sent = self
            .worker
            .as_mut()
            .is_some_and(|w| w.send(request, ctx).is_ok());
        if !sent {
            self.worker_gone();
        }
        sent
    }

    /// Shows the worker's results that have come in.
    fn collect_replies(&mut self) {
        while let Some(worker) = &mut self.worker {
            match worker.try_next() {
                Ok(Some(reply)) => self.apply(reply),
                Ok(None) => break,
                Err(Gone) => self.worker_gone(),
            }
        }
    }

    fn apply(&mut self, reply: Reply) {
        self.notices_from(reply.notices);
        if let Some(list) = reply.list {
            self.lists_pending = self.lists_pending.saturating_sub(1);
            match list {
                Ok(rows) => {
                    self.rows = rows;
                    self.error = None;
                }
                Err(e) => {
                    self.rows.clear();
                    self.error = Some(e);
                }
            }
        }
    }

    /// The worker stopped unexpectedly: forget it (the next refresh starts another).
    fn worker_gone(&mut self) {
        self.worker = None;
        self.lists_pending = 0;
        self.error = Some(
            "reading the session database stopped unexpectedly; press Refresh to try again"
                .to_string(),
        );
    }

    /// Draws the window while `*open`; the window's close button clears it.
    pub fn show(&mut self, ctx: &egui::Context, open: &mut bool) {
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
        }
        self.collect_replies();
        let notices = self.files.finished();
        self.notices_from(notices);
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
        if self.is_reading() {
            ui.label("reading sessions…");
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        for what in self.files.running() {
            ui.label(format!("{what}…"));
        }
        for notice in &self.notices {
            notice.label(ui);
        }
        self.confirm_ui(ui);
        self.notes_ui(ui);
        ui.separator();
        if self.rows.is_empty() {
            if self.error.is_none() && !self.is_reading() {
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
            Some((id, Action::Report)) => self.files.report(ctx, id),
            Some((id, Action::Export(format))) => self.files.export(ctx, id, format),
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
                if self.ask(Request::SetNotes(id, text.trim().to_string())) {
                    self.refresh();
                }
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
        if self.ask(Request::Delete(id)) {
            self.refresh();
        }
    }

    fn notices_from(&mut self, notices: impl IntoIterator<Item = Notice>) {
        for notice in notices {
            self.notice(notice);
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
        // The HTML report opens in the browser; every other format is saved where the user
        // says.
        for f in &FORMATS {
            let (label, chosen) = match f.format {
                ExportFormat::Html => ("Report".to_owned(), Action::Report),
                other => (format!("{}…", f.name.to_uppercase()), Action::Export(other)),
            };
            if ui.button(label).on_hover_text(f.help).clicked() {
                action = Some(chosen);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::store::Store;
    use crate::{files::OutputError::Protected, report::WriteError, report::write_export};

    #[test]
    fn cells_read_plainly() {
        assert_eq!(status_label(SessionStatus::Complete), "recorded");
        assert_eq!(status_label(SessionStatus::Recording), "in progress");
    }

    #[test]
    fn exports_never_replace_the_apps_settings() {
        let dir = tempfile::tempdir().unwrap();
        let db = Store::open(dir.path()).unwrap();
        let settings = dir.path().join(crate::settings::SETTINGS_FILE);
        std::fs::write(&settings, b"{}").unwrap();
        let e = write_export(
            &db,
            1,
            ExportFormat::Csv,
            &ReportOptions::default(),
            &settings,
        )
        .unwrap_err();
        assert!(matches!(e, WriteError::Output(Protected { .. })), "{e:?}");
        assert_eq!(std::fs::read(&settings).unwrap(), b"{}");
    }
}
