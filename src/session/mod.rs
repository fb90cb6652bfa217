//! Sessions: what was measured, frame by frame. The types here are shared by the pipeline,
//! the reports and the session store.

pub mod codec;
pub mod keyframes;
pub mod migrations;
pub mod store;
pub mod types;
pub mod writer;

pub use types::{EventKind, Sample};
