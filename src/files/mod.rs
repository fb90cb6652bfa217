//! Files at the edge: the one way a user's output or plumbline's own data file is written
//! ([`output`]), and the data folder kept the user's alone ([`private`]). Below every layer
//! that writes; it knows nothing of what the bytes are.

pub mod output;
pub mod private;

pub use output::{Guard, Output, OutputError, Target};
