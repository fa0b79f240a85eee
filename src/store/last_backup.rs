//! The last backup made of this data directory (`DATA/last-backup.json`): when, to which
//! file, and what it held, for the console's status page. Written after the copy is in
//! place, by the daemon and by `loket backup` alike; a record that cannot be written costs
//! the page its line, never the backup.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const FILE: &str = "last-backup.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastBackup {
    pub at: DateTime<Utc>,
    /// The copy's path as it was written (it may be on a stick no longer plugged in).
    pub file: String,
    /// What it held (`BackupSummary`'s text).
    pub summary: String,
}

/// Replaces the record through a temporary name: a reader sees the old one or the new one.
pub fn record(data_dir: &Path, last: &LastBackup) -> std::io::Result<()> {
    let text = serde_json::to_string(last).map_err(std::io::Error::other)?;
    let tmp = data_dir.join(format!("{FILE}.partial"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, data_dir.join(FILE))
}

/// The record, or `None` when no backup was made here (or its record is unreadable).
pub fn read(data_dir: &Path) -> Option<LastBackup> {
    let text = std::fs::read_to_string(data_dir.join(FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_and_a_missing_or_broken_one_is_none() {
        let tmp = tempfile::tempdir().expect("tmp");
        assert_eq!(read(tmp.path()), None);
        let last = LastBackup {
            at: DateTime::from_timestamp(1_796_000_000, 0).expect("time"),
            file: "/media/loket-backup/loket-20261130-220000.redb".to_string(),
            summary: "3 tickets".to_string(),
        };
        record(tmp.path(), &last).expect("write");
        assert_eq!(read(tmp.path()), Some(last));
        std::fs::write(tmp.path().join(FILE), "{").expect("write");
        assert_eq!(read(tmp.path()), None);
    }
}
