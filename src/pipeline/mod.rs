//! Wiring: frames from a source through the pose engine and the judgment, on threads.
//! `analyzer` is one frame's work; `offline` analyses every frame of a file; `live` keeps an
//! engine loaded for the app and swaps sources under it; `record` writes what either analysed
//! into a session; `slot` hands values between threads.

pub mod analyzer;
pub mod cpu;
pub mod live;
pub mod offline;
pub mod record;
pub mod slot;
