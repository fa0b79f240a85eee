//! `loket check --data DIR` and `loket serve --check`: every table of the database read, row
//! by row, with the daemon stopped (or on a copy), one line per table, so a damaged page is
//! found by the technician rather than by a request.

use std::path::Path;

use crate::store::check::{self, TableReport};
use crate::store::offline::Offline;

/// The report, and whether every table is sound. Exit code 1 when not (or when the
/// database cannot be opened at all).
pub fn check(data: &Path) -> Result<String, (u8, String)> {
    let reports: Vec<TableReport> = Offline::check(data).map_err(|e| (1, e.to_string()))?;
    let mut out: Vec<String> = reports.iter().map(ToString::to_string).collect();
    let damaged = check::damaged(&reports);
    if damaged.is_empty() {
        out.push(format!(
            "basis data utuh / database sound: {} tables read",
            reports.len()
        ));
        Ok(out.join("\n"))
    } else {
        out.push(format!(
            "basis data RUSAK / database DAMAGED: {} (restore the last backup: loket restore FILE)",
            damaged.join(", ")
        ));
        Err((1, out.join("\n")))
    }
}
