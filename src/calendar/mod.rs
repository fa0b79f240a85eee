//! Working time: the office's hours, breaks and holidays, and what a time standard
//! (`1 hari kerja`) means on that calendar. Pure: no clock reads, no I/O (but
//! `read_holiday_dir`, which loading the configuration calls).

mod holidays;
mod load;
mod standard;

pub use holidays::{BUILTIN, Holiday, HolidayKind, HolidaySource, Holidays};
pub use load::read_holiday_dir;
pub use standard::{BadStandard, TimeStandard};
