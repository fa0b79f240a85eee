//! A disk that stops taking writes (full, or failing) puts the store in degraded mode instead
//! of stopping the daemon: reads are answered from the last committed state, writes are
//! refused, and the database is opened afresh until a write goes through again.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::tables::StoreError;

/// Why the store cannot write. Said on `/healthz` and `/metrics` without any path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// ENOSPC: the data directory's file system is full.
    DiskFull,
    /// Any other failure to write or sync the file (EIO, a disk going away).
    IoError,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::DiskFull => "disk_full",
            Fault::IoError => "io_error",
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fault::DiskFull => "the disk is full",
            Fault::IoError => "the disk reported an I/O error",
        })
    }
}

/// The storage fault behind an error, if it is one; other errors (a record that does not
/// encode, a refusal) fail their batch only.
pub fn classify(e: &StoreError) -> Option<Fault> {
    let redb = match e {
        StoreError::Db(e) => e,
        StoreError::ReloadFailed(inner) => return classify(inner),
        StoreError::Io { error, .. } => return Some(io_fault(error)),
        _ => return None,
    };
    match redb {
        redb::Error::Io(io) => Some(io_fault(io)),
        // The file's earlier write failed; the Database refuses everything since.
        redb::Error::PreviousIo | redb::Error::DatabaseClosed => Some(Fault::IoError),
        _ => None,
    }
}

fn io_fault(e: &std::io::Error) -> Fault {
    // 28 is ENOSPC on Linux; EDQUOT (122) is a full quota, the same to the office.
    if e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || matches!(e.raw_os_error(), Some(28 | 122))
    {
        Fault::DiskFull
    } else {
        Fault::IoError
    }
}

/// First wait before the store tries the disk again by itself; doubled up to `RETRY_MAX`.
pub(super) const RETRY_FIRST: Duration = Duration::from_secs(1);
pub(super) const RETRY_MAX: Duration = Duration::from_secs(5);

/// The store's degraded mode, while it lasts.
#[derive(Debug)]
pub(super) struct Degraded {
    pub fault: Fault,
    pub since: DateTime<Utc>,
    /// Writes refused since `since`.
    pub refused: u64,
    /// The Database is open and the memory was read back from it: the queue in memory is
    /// what the file holds. False while re-opening fails: then the memory may hold a batch
    /// that never committed, and nothing from it is served.
    pub readable: bool,
    /// When the store next tries the disk (a re-open, a write) by itself.
    pub next_try: Instant,
    pub wait: Duration,
}

impl Degraded {
    pub fn new(fault: Fault, since: DateTime<Utc>) -> Self {
        Self {
            fault,
            since,
            refused: 0,
            readable: false,
            next_try: Instant::now() + RETRY_FIRST,
            wait: RETRY_FIRST,
        }
    }

    /// A try failed: the next one waits longer, up to `RETRY_MAX`.
    pub fn back_off(&mut self) {
        self.wait = (self.wait * 2).min(RETRY_MAX);
        self.next_try = Instant::now() + self.wait;
    }

    pub fn status(&self) -> StoreStatus {
        StoreStatus::Degraded {
            fault: self.fault,
            since: self.since,
            refused_writes: self.refused,
            readable: self.readable,
        }
    }
}

/// The database file itself is damaged: a request met a page redb could not read. Found
/// tables are those `store::check` reports; the store goes on serving what it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub tables: Vec<String>,
    pub since: DateTime<Utc>,
}

/// Whether the store writes, for `/healthz`, `/metrics` and the service manager's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreStatus {
    Ok,
    /// Writes are refused until the disk takes them again.
    Degraded {
        fault: Fault,
        since: DateTime<Utc>,
        refused_writes: u64,
        /// False while the database cannot even be opened: only this status is served.
        readable: bool,
    },
}

impl StoreStatus {
    pub fn is_ok(&self) -> bool {
        matches!(self, StoreStatus::Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_told_apart_from_other_failures() {
        let full = StoreError::Db(redb::Error::Io(std::io::Error::from_raw_os_error(28)));
        assert_eq!(classify(&full), Some(Fault::DiskFull));
        let eio = StoreError::Db(redb::Error::Io(std::io::Error::from_raw_os_error(5)));
        assert_eq!(classify(&eio), Some(Fault::IoError));
        let poisoned = StoreError::ReloadFailed(Box::new(StoreError::Db(redb::Error::PreviousIo)));
        assert_eq!(classify(&poisoned), Some(Fault::IoError));
        assert_eq!(classify(&StoreError::CommitFailed), None);
    }
}
