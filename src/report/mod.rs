//! Turning samples into things people read or load elsewhere: per-frame CSV rows, a JSON
//! summary and the HTML report. Pure functions from data to records, plus [`export`], which reads
//! a stored session for them, and [`write`], the one place their files are written.

pub mod advice;
mod charts;
pub mod csv;
pub mod export;
pub mod html;
pub mod measures;
pub mod summary;
#[cfg(test)]
mod synthetic;
pub mod write;

pub use export::{ExportError, ExportFormat, export_session, summary_of};
pub use write::{REPORTS_DIR, WriteError, report_path, write_export, write_report};
