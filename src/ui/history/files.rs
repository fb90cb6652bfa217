//! The session browser's reports and exports: each runs on a thread of its own (with its save
//! dialog, and its own connection to the database), and the window collects the results.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use eframe::egui;

use crate::report::{ExportFormat, ReportOptions, WriteError, write_export, write_report};
use crate::session::store::{SessionId, Store};
use crate::ui::background::Pending;
use crate::ui::notice::Notice;

/// Opens a written report for the user.
pub(super) type Opener = dyn Fn(&Path) -> Result<(), String> + Send + Sync;
/// Asks where to save an export, given a default file name; `None` cancels.
pub(super) type SaveDialog = dyn Fn(&str, ExportFormat) -> Option<PathBuf> + Send + Sync;

fn open_in_browser(path: &Path) -> Result<(), String> {
    opener::open(path).map_err(|e| e.to_string())
}

fn ask_where_to_save(default_name: &str, format: ExportFormat) -> Option<PathBuf> {
    let info = format.info();
    rfd::FileDialog::new()
        .set_title("Export session")
        .set_file_name(default_name)
        .add_filter(info.what, info.extensions)
        .save_file()
}

/// The reports and exports under way.
pub(super) struct FileTasks {
    data_dir: PathBuf,
    running: Vec<Pending<Vec<Notice>>>,
    pub opener: Arc<Opener>,
    pub save_dialog: Arc<SaveDialog>,
    /// The paper and the patient's label reports are made with (the settings').
    pub options: ReportOptions,
}

impl std::fmt::Debug for FileTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileTasks")
            .field("running", &self.running)
            .finish_non_exhaustive()
    }
}

impl FileTasks {
    /// Reports and exports of the sessions in `data_dir`, opened in the system's browser and
    /// saved where a native dialog says.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            running: Vec::new(),
            opener: Arc::new(open_in_browser),
            save_dialog: Arc::new(ask_where_to_save),
            options: ReportOptions::default(),
        }
    }

    /// What is being written, for the window: "the report for session 3".
    pub fn running(&self) -> impl Iterator<Item = &str> {
        self.running.iter().map(Pending::what)
    }

    /// Writes session `id`'s report beside the database and opens it.
    pub fn report(&mut self, ctx: &egui::Context, id: SessionId) {
        let data_dir = self.data_dir.clone();
        let options = self.options.clone();
        let opener = Arc::clone(&self.opener);
        self.spawn(
            ctx,
            format!("writing the report for session {id}"),
            move || match open_and(&data_dir, |db| write_report(db, id, &options)) {
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
        )
    }

    /// Asks where to save session `id` as `format`, then writes it there.
    pub fn export(&mut self, ctx: &egui::Context, id: SessionId, format: ExportFormat) {
        let data_dir = self.data_dir.clone();
        let options = self.options.clone();
        let choose = Arc::clone(&self.save_dialog);
        let what = format!(
            "writing the {} export of session {id}",
            format.name().to_uppercase()
        );
        self.spawn(ctx, what, move || {
            // The dialog runs here too, so the app keeps drawing while it is open.
            let Some(path) = choose(&format.file_name(id), format) else {
                return Vec::new();
            };
            match open_and(&data_dir, |db| {
                write_export(db, id, format, &options, &path)
            }) {
                Ok(()) => vec![Notice::Info(format!(
                    "session {id} exported to {}",
                    path.display()
                ))],
                Err(e) => vec![Notice::Error(format!("could not export session {id}: {e}"))],
            }
        })
    }

    /// The results of the tasks that have finished, without waiting for the others.
    pub fn finished(&mut self) -> Vec<Notice> {
        let mut notices = Vec::new();
        self.running.retain(|task| match task.poll() {
            None => true,
            Some(answer) => {
                notices.extend(answer.unwrap_or_else(|e| vec![Notice::error(e)]));
                false
            }
        });
        notices
    }

    /// Waits for every task and returns their results.
    pub fn wait_all(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.running)
            .into_iter()
            .flat_map(|task| task.wait().unwrap_or_else(|e| vec![Notice::error(e)]))
            .collect()
    }

    /// Runs `job` on its own thread (the window repaints when it is done).
    fn spawn(
        &mut self,
        ctx: &egui::Context,
        what: String,
        job: impl FnOnce() -> Vec<Notice> + Send + 'static,
    ) {
        self.running.push(Pending::spawn(what, ctx, job));
    }
}

/// Opens the database in `data_dir` for one report or export (on its own thread) and runs `f`.
/// Reading only: a read-only data directory still gives reports and exports.
fn open_and<T>(
    data_dir: &Path,
    f: impl FnOnce(&Store) -> Result<T, WriteError>,
) -> Result<T, WriteError> {
    f(&Store::open_for_reading(data_dir)?)
}
