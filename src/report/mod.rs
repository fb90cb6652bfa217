//! Turning samples into things people read or load elsewhere: per-frame CSV rows, a JSON
//! summary, and the report, built once as a [`document::Document`] and drawn as an HTML page
//! or a PDF. Pure functions from data to records, plus [`export`], which reads a stored session
//! for them, and [`write`], the one place their files are written.

pub mod advice;
mod charts;
pub mod csv;
pub mod document;
pub mod export;
pub mod gait;
pub mod html;
pub mod input;
pub mod measures;
pub mod paginate;
pub mod pdf;
mod stats;
pub mod summary;
#[cfg(test)]
mod synthetic;
pub mod write;

pub use export::{
    ExportError, ExportFormat, FORMATS, FormatInfo, MAX_LABEL_CHARS, ReportOptions, export_session,
    summary_of,
};
pub use pdf::Paper;
pub use write::{REPORTS_DIR, WriteError, report_path, write_export, write_report};
