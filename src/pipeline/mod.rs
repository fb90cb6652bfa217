//! Wiring: frames from a source through the pose engine and the geometry, on threads.
//! `slot` hands the newest frame over; `live` runs capture and inference threads for the app;
//! `offline` analyses every frame of a file.

pub mod live;
pub mod offline;
pub mod slot;
