//! Sessions: what was measured, frame by frame. The types here are shared by the pipeline,
//! the reports and the session store.

pub mod block;
mod changes;
pub mod codec;
pub mod erase;
mod error;
pub mod keyframes;
pub mod migrations;
mod open;
mod reading;
mod recorder;
mod recovery;
pub mod rows;
mod samples;
pub mod store;
mod totals;
pub mod types;
pub mod writer;

pub use changes::now_ms;
pub use types::{EventKind, Sample};
