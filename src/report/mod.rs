//! Reports for the office head: per-day queue aggregates (kept when a day closes), the queue
//! report over a date range, the complaint recap, and the one table model every report is
//! written in (HTML, CSV, XLSX). Plain structs, no I/O: the store reads, the web renders.

pub mod charts;
pub mod complaints;
pub mod day;
pub mod monthly;
pub mod percentile;
pub mod queue;
pub mod table;

pub use day::{DayAggregate, GroupAggregate, UNRECORDED_STAFF};
pub use queue::{QueueReport, ReportRow};
pub use table::{Cell, Table};
