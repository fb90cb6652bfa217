//! Sessions: what was measured, frame by frame. The types here are shared by the pipeline,
//! the reports and (later) the session store.

pub mod types;

pub use types::Sample;
