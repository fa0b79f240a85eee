//! Working time: the office's hours, breaks and holidays, and what a time standard
//! (`1 hari kerja`) means on that calendar. Pure: no clock reads, no I/O.

mod standard;

pub use standard::{BadStandard, TimeStandard};
