//! Turning samples into things people read or load elsewhere: per-frame CSV rows and a JSON
//! summary. Pure functions from data to records; the callers write the files.

pub mod csv;
pub mod html;
pub mod summary;
