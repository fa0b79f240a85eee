//! Reads every table and every row of a database, each table on its own, so one damaged
//! page is found and named instead of being met later by a request. redb panics on some
//! corrupt pages; a panic is caught per table and reported like any other error.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use redb::{ReadableDatabase, ReadableTable, TableDefinition, TableError};

use super::accounts::{AUDIT, SESSIONS, USERS};
use super::complaints::{
    ACTIONS, ATTACHMENT_REFS, CODES, COMPLAINTS, FLOWS, IDENTITIES, TICKET_LINKS,
};
use super::letters::LETTERS;
use super::tables::{META, StoreError, TICKETS};
use crate::audit::AuditEntry;

/// One table's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    pub table: &'static str,
    /// `Ok(summary)` (rows read, and what else was checked) or `Err(what is damaged)`.
    pub result: Result<String, String>,
}

impl TableReport {
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

impl std::fmt::Display for TableReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.result {
            Ok(s) => write!(f, "{:<24} OK       {s}", self.table),
            Err(e) => write!(f, "{:<24} DAMAGED  {e}", self.table),
        }
    }
}

/// The names of the damaged tables in `reports`.
pub fn damaged(reports: &[TableReport]) -> Vec<&'static str> {
    reports
        .iter()
        .filter(|r| !r.is_ok())
        .map(|r| r.table)
        .collect()
}

/// Every table checked; `data_dir` is where attachment files are looked for.
pub fn check(db: &impl ReadableDatabase, data_dir: &Path) -> Vec<TableReport> {
    let files = crate::attachments::Attachments::new(data_dir, u64::MAX);
    let mut out = vec![
        guarded("meta", || rows(db, META, |_, _| Ok(()))),
        guarded("tickets", || rows(db, TICKETS, |_, v| json("ticket", v))),
        guarded("users", || rows(db, USERS, |_, v| json("user", v))),
        guarded("sessions", || rows(db, SESSIONS, |_, v| json("session", v))),
        guarded("audit", || audit(db)),
        guarded("complaints", || {
            rows(db, COMPLAINTS, |_, v| json("complaint", v))
        }),
        guarded("complaint_identities", || {
            rows(db, IDENTITIES, |_, v| json("identity", v))
        }),
        guarded("complaint_codes", || rows(db, CODES, |_, _| Ok(()))),
        guarded("complaint_actions", || {
            rows(db, ACTIONS, |_, v| json("action", v))
        }),
        guarded("complaint_flows", || {
            rows(db, FLOWS, |_, v| json("flow", v))
        }),
        guarded("complaint_tickets", || {
            rows(db, TICKET_LINKS, |_, _| Ok(()))
        }),
        guarded("complaint_letters", || rows(db, LETTERS, |_, _| Ok(()))),
        guarded("survey_responses", || {
            rows(db, super::survey::RESPONSES, |_, v| {
                json("survey response", v)
            })
        }),
        guarded("survey_answered", || {
            rows(db, super::survey::ANSWERED, |_, _| Ok(()))
        }),
        // In order, without a gap after the acknowledged number: a row missing here would
        // be a record the city never receives.
        guarded("city_outbox", || {
            super::outbox::check(db).map_err(|e| e.to_string())
        }),
        guarded("report_days", || {
            rows(db, super::reports::REPORT_DAYS, |_, v| {
                json("report day", v)
            })
        }),
    ];
    out.push(guarded("complaint_attachments", || {
        let mut missing = Vec::new();
        let summary = rows(db, ATTACHMENT_REFS, |k: (&str, u64), _| {
            if files.read_by_hash(k.0).is_err() {
                missing.push(format!("{} (complaint {})", k.0, k.1));
            }
            Ok(())
        })?;
        if missing.is_empty() {
            Ok(format!("{summary}, every file present"))
        } else {
            Err(format!(
                "{} attachment file(s) missing or unreadable: {}",
                missing.len(),
                missing.join(", ")
            ))
        }
    }));
    out
}

/// Runs one table's check; a panic inside redb becomes that table's error.
fn guarded(table: &'static str, f: impl FnOnce() -> Result<String, String>) -> TableReport {
    let result = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => Err(format!("reading it failed: {}", panic_message(&panic))),
    };
    TableReport { table, result }
}

/// The text of a caught panic, for a report.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

fn json(what: &str, v: &[u8]) -> Result<(), String> {
    serde_json::from_slice::<serde_json::Value>(v)
        .map(drop)
        .map_err(|e| format!("a {what} record does not parse: {e}"))
}

/// Reads every row of `def`, handing each to `each`; a missing table is an empty one.
fn rows<K: redb::Key + 'static, V: redb::Value + 'static>(
    db: &impl ReadableDatabase,
    def: TableDefinition<K, V>,
    mut each: impl FnMut(K::SelfType<'_>, V::SelfType<'_>) -> Result<(), String>,
) -> Result<String, String> {
    let txn = db.begin_read().map_err(|e| e.to_string())?;
    let t = match txn.open_table(def) {
        Ok(t) => t,
        Err(TableError::TableDoesNotExist(_)) => return Ok("0 rows (no table)".to_string()),
        Err(e) => return Err(e.to_string()),
    };
    let mut n = 0u64;
    for row in t.iter().map_err(|e| e.to_string())? {
        let (k, v) = row.map_err(|e| e.to_string())?;
        each(k.value(), v.value())?;
        n += 1;
    }
    Ok(format!("{n} rows"))
}

fn audit(db: &impl ReadableDatabase) -> Result<String, String> {
    let mut entries: Vec<AuditEntry> = Vec::new();
    rows(db, AUDIT, |_, v| {
        let e = serde_json::from_slice(v).map_err(|e| format!("an entry does not parse: {e}"))?;
        entries.push(e);
        Ok(())
    })?;
    match crate::audit::verify(&entries) {
        Ok(n) => Ok(format!("{n} rows, chain intact")),
        Err(b) => Err(StoreError::AuditBroken {
            seq: b.seq,
            why: b.why,
        }
        .to_string()),
    }
}
