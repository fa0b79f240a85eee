//! Table layout, schema version and the reads and writes of records.

use std::path::Path;

use chrono::NaiveDate;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use thiserror::Error;

use crate::queue::{DayMeta, QueueState, Ticket, TicketId};

/// Bump when the layout changes; a newer database is refused rather than misread.
/// 2: the complaint tables (`store::complaints`).
pub const SCHEMA_VERSION: u64 = 2;

pub(super) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Ticket records as JSON, keyed by id; never deleted (earlier days are history).
pub(super) const TICKETS: TableDefinition<u64, &[u8]> = TableDefinition::new("tickets");

pub(super) const K_SCHEMA: &str = "schema_version";
const K_DAY: &str = "service_day";
const K_DAY_FIRST: &str = "day_first_id";
const K_NEXT_ID: &str = "next_id";
pub(super) const K_EVENT_SEQ: &str = "event_seq";

/// A small cache keeps the appliance's memory low; the working set is one day of tickets.
const CACHE_BYTES: usize = 4 << 20;

/// Everything the store can fail on, each failure its own kind. Messages a technician reads
/// at the box (a refused start) are Indonesian first, then English.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "basis data {path} dibuat oleh loket yang lebih baru (skema {found}; versi ini membaca sampai skema {supported}): perbarui loket atau pulihkan cadangan / database {path} was written by a newer loket (schema {found}; this build reads up to {supported}): upgrade loket or restore a backup"
    )]
    NewerSchema {
        path: String,
        found: u64,
        supported: u64,
    },
    /// Reached only if an open skipped the migration: the layout would be misread.
    #[error(
        "database {path} is at schema {found} but this build needs {expected}: it was not migrated"
    )]
    OlderSchema {
        path: String,
        found: u64,
        expected: u64,
    },
    #[error(
        "basis data {path} (skema {found}) tidak dapat dimigrasikan ke skema {target} oleh versi ini / database {path} (schema {found}) cannot be migrated to schema {target} by this build: no step from schema {from}"
    )]
    NoMigration {
        path: String,
        found: u64,
        from: u64,
        target: u64,
    },
    #[error(
        "migrasi basis data {path} dari skema {from} ke {to} gagal; berkas tidak diubah / migrating database {path} from schema {from} to {to} failed, the file is unchanged (copy at {backup}): {cause}"
    )]
    MigrationFailed {
        path: String,
        from: u64,
        to: u64,
        backup: String,
        cause: Box<StoreError>,
    },
    #[error("database is locked by another loket process: {0}")]
    Locked(String),
    #[error("storage error: {0}")]
    Db(#[from] redb::Error),
    /// A stored record that does not parse.
    #[error("corrupt record {what}: {why}")]
    Corrupt { what: String, why: String },
    /// A record that cannot be turned into bytes (nothing was written).
    #[error("cannot encode {what}: {error}")]
    Encode {
        what: String,
        error: serde_json::Error,
    },
    /// A file operation around the database: a copy, a rename, a sync.
    #[error("{what} {path}: {error}")]
    Io {
        what: &'static str,
        path: String,
        error: std::io::Error,
    },
    #[error("cannot start the {what} thread: {error}")]
    Spawn {
        what: &'static str,
        error: std::io::Error,
    },
    #[error("{path} is not a loket database: {error}")]
    NotADatabase {
        path: String,
        error: redb::DatabaseError,
    },
    #[error("{path} has no schema version: not a loket database")]
    NoSchemaVersion { path: String },
    #[error("audit log broken at entry {seq}: {why}")]
    AuditBroken { seq: u64, why: String },
    #[error("the store has stopped")]
    Stopped,
    #[error("no randomness for a tracking code: {0}")]
    Random(String),
    #[error("the change could not be committed; nothing was changed")]
    CommitFailed,
    #[error("the store thread panicked")]
    Panicked,
    /// A request met a damaged page of the database (see `/healthz` for the table).
    #[error("the database is damaged: the request could not be read or written")]
    Damaged,
    /// After a failed commit the day could not be read back: memory may be ahead of the file.
    #[error("reload after a failed commit: {0}")]
    ReloadFailed(Box<StoreError>),
    /// The disk refuses writes (full, failing): the store is in degraded mode and refuses
    /// every change until a write goes through again.
    #[error("the store cannot write ({0}); nothing was changed")]
    Unwritable(super::fault::Fault),
}

impl StoreError {
    pub(super) fn io(what: &'static str, path: &Path, error: std::io::Error) -> Self {
        StoreError::Io {
            what,
            path: path.display().to_string(),
            error,
        }
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.into())
            }
        }
    )*};
}
from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// Opens the database some other way than the file at `path`; tests use it to put a disk
/// that fails on command under the store. Called again for every re-open after a failed
/// write (degraded mode).
pub type Opener = Box<dyn Fn(&redb::Builder) -> Result<Database, redb::DatabaseError> + Send>;

pub(super) fn open(path: &Path, opener: Option<&Opener>) -> Result<Database, StoreError> {
    let mut builder = Database::builder();
    builder.set_cache_size(CACHE_BYTES);
    // Opening a file that was not closed cleanly repairs it, reading every page: redb
    // panics on some damaged ones, and that is a damaged file, not a crashed daemon.
    let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match opener {
        Some(open) => open(&builder),
        None => builder.create(path),
    }))
    .map_err(|panic| StoreError::Corrupt {
        what: format!("database {}", path.display()),
        why: format!(
            "{}; run `loket check` and restore the last backup",
            super::check::panic_message(&panic)
        ),
    })?;
    let db = opened.map_err(|e| match e {
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked(path.display().to_string()),
        other => other.into(),
    })?;
    Ok(db)
}

/// Reads or initialises the meta records and loads the current day's tickets.
pub(super) fn load(
    db: &Database,
    path: &Path,
    today: NaiveDate,
) -> Result<(QueueState, u64), StoreError> {
    let txn = db.begin_write()?;
    let (state, seq) = {
        let mut meta = txn.open_table(META)?;
        let schema = meta.get(K_SCHEMA)?.map(|v| v.value());
        match schema {
            Some(found) if found > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema {
                    path: path.display().to_string(),
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            Some(found) if found < SCHEMA_VERSION => {
                return Err(StoreError::OlderSchema {
                    path: path.display().to_string(),
                    found,
                    expected: SCHEMA_VERSION,
                });
            }
            Some(_) => {}
            // A new file: it starts at the current layout.
            None => {
                meta.insert(K_SCHEMA, SCHEMA_VERSION)?;
                super::complaints::create_tables(&txn)?;
            }
        }
        let seq = meta.get(K_EVENT_SEQ)?.map_or(0, |v| v.value());
        let day = meta.get(K_DAY)?.map(|v| v.value());
        let state = match day {
            None => QueueState::fresh(today),
            Some(day) => {
                let service_day = day_from_u64(day)?;
                let day_first_id = meta.get(K_DAY_FIRST)?.map_or(1, |v| v.value());
                let next_id = meta.get(K_NEXT_ID)?.map_or(1, |v| v.value());
                let tickets_table = txn.open_table(TICKETS)?;
                let mut tickets = Vec::new();
                for row in tickets_table.range(day_first_id..)? {
                    let (_, v) = row?;
                    tickets.push(decode(v.value())?);
                }
                QueueState::restore(
                    DayMeta {
                        service_day,
                        day_first_id,
                        next_id,
                    },
                    tickets,
                )
            }
        };
        (state, seq)
    };
    txn.commit()?;
    Ok((state, seq))
}

/// Everything one transaction writes.
#[derive(Default)]
pub(super) struct Writes {
    pub tickets: Vec<Ticket>,
    pub meta: Option<DayMeta>,
    pub event_seq: u64,
    pub accounts: super::accounts::AccountWrites,
    /// Mirrored in the outbox (`[city]` configured): the queue's events of this batch.
    pub outbox: Vec<super::outbox::Record>,
    /// `[city]` is configured, with these personal fields.
    pub ship: Option<crate::config::PersonalFields>,
}

impl Writes {
    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
            && self.meta.is_none()
            && self.accounts.is_empty()
            && self.outbox.is_empty()
    }
}

/// Puts the batch's writes into `txn`; the caller commits.
pub(super) fn write_in(txn: &WriteTransaction, w: &Writes) -> Result<(), StoreError> {
    let (tickets, meta, event_seq) = (&w.tickets, w.meta, w.event_seq);
    super::accounts::write(txn, &w.accounts, w.ship)?;
    super::outbox::append(txn, &w.outbox)?;
    let mut table = txn.open_table(TICKETS)?;
    for t in tickets {
        let bytes = serde_json::to_vec(t).map_err(|error| StoreError::Encode {
            what: format!("ticket {}", t.id),
            error,
        })?;
        table.insert(t.id, bytes.as_slice())?;
    }
    let mut m = txn.open_table(META)?;
    if let Some(meta) = meta {
        m.insert(K_DAY, day_to_u64(meta.service_day))?;
        m.insert(K_DAY_FIRST, meta.day_first_id)?;
        m.insert(K_NEXT_ID, meta.next_id)?;
    }
    m.insert(K_EVENT_SEQ, event_seq)?;
    Ok(())
}

pub(super) fn read_ticket(db: &Database, id: TicketId) -> Result<Option<Ticket>, StoreError> {
    let txn = db.begin_read()?;
    let table = match txn.open_table(TICKETS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    match table.get(id)? {
        Some(v) => Ok(Some(decode(v.value())?)),
        None => Ok(None),
    }
}

pub(super) fn decode(bytes: &[u8]) -> Result<Ticket, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        what: "ticket".to_string(),
        why: e.to_string(),
    })
}

fn day_to_u64(d: NaiveDate) -> u64 {
    u64::try_from(chrono::Datelike::num_days_from_ce(&d)).unwrap_or(0)
}

fn day_from_u64(v: u64) -> Result<NaiveDate, StoreError> {
    i32::try_from(v)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(|| StoreError::Corrupt {
            what: "meta.service_day".to_string(),
            why: format!("{v} is not a date"),
        })
}
