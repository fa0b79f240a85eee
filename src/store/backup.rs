//! Backups: a consistent copy of the database (one read transaction: a snapshot while the
//! daemon keeps writing), checked before a restore, and the nightly copies kept N deep.
//! Sessions are left out: a restored box makes everyone log in again.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::accounts::{AUDIT, USERS};
use super::complaints::{
    ACTIONS, ATTACHMENT_REFS, CODES, COMPLAINTS, FLOWS, IDENTITIES, TICKET_LINKS,
};
use super::tables::{META, SCHEMA_VERSION, StoreError, TICKETS};
use crate::audit::AuditEntry;
use crate::queue::Ticket;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub tickets: u64,
    pub users: u64,
    pub audit_entries: u64,
    pub complaints: u64,
}

impl std::fmt::Display for BackupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} tickets, {} users, {} audit entries, {} complaints",
            self.tickets, self.users, self.audit_entries, self.complaints
        )
    }
}

fn copy_table<K, V>(
    src: &redb::ReadTransaction,
    dst: &redb::WriteTransaction,
    def: TableDefinition<K, V>,
) -> Result<u64, StoreError>
where
    K: redb::Key + 'static,
    V: redb::Value + 'static,
{
    let from = match src.open_table(def) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut to = dst.open_table(def)?;
    let mut n = 0;
    for row in from.iter()? {
        let (k, v) = row?;
        to.insert(k.value(), v.value())?;
        n += 1;
    }
    Ok(n)
}

/// Writes a consistent copy of `db` to `dest` (through a temporary file and a rename, so
/// `dest` is never half a database).
pub fn copy_to(db: &Database, dest: &Path) -> Result<BackupSummary, StoreError> {
    let tmp = dest.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    let snapshot = db.begin_read()?;
    let summary = {
        let out = Database::create(&tmp)?;
        let txn = out.begin_write()?;
        copy_table(&snapshot, &txn, META)?;
        let summary = BackupSummary {
            tickets: copy_table(&snapshot, &txn, TICKETS)?,
            users: copy_table(&snapshot, &txn, USERS)?,
            audit_entries: copy_table(&snapshot, &txn, AUDIT)?,
            complaints: copy_table(&snapshot, &txn, COMPLAINTS)?,
        };
        // The rest of the complaint register: without any of them a restored complaint
        // would lose its identity, its flow, its history or its tracking code. Attachment
        // files live beside the database (`attachments/`) and are copied as files.
        copy_table(&snapshot, &txn, IDENTITIES)?;
        copy_table(&snapshot, &txn, CODES)?;
        copy_table(&snapshot, &txn, ACTIONS)?;
        copy_table(&snapshot, &txn, FLOWS)?;
        copy_table(&snapshot, &txn, TICKET_LINKS)?;
        copy_table(&snapshot, &txn, ATTACHMENT_REFS)?;
        txn.commit()?;
        summary
    };
    std::fs::rename(&tmp, dest).map_err(|e| StoreError::io("cannot rename into", dest, e))?;
    if let Some(dir) = dest.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(summary)
}

/// Opens a backup and checks it through: schema, every ticket readable, the audit chain.
/// A copy from an earlier release passes: the daemon migrates it when it starts on it.
pub fn verify(path: &Path) -> Result<BackupSummary, StoreError> {
    let shown = || path.display().to_string();
    // Read-only: checking a copy must not change it (a writable open may repair or grow it).
    let db = redb::ReadOnlyDatabase::open(path).map_err(|error| StoreError::NotADatabase {
        path: shown(),
        error,
    })?;
    let txn = db.begin_read()?;
    let no_schema = || StoreError::NoSchemaVersion { path: shown() };
    let meta = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Err(no_schema()),
        Err(e) => return Err(e.into()),
    };
    let schema = meta
        .get("schema_version")?
        .map(|v| v.value())
        .ok_or_else(no_schema)?;
    if schema > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: shown(),
            found: schema,
            supported: SCHEMA_VERSION,
        });
    }
    let mut summary = BackupSummary {
        tickets: 0,
        users: 0,
        audit_entries: 0,
        complaints: 0,
    };
    if let Ok(t) = txn.open_table(TICKETS) {
        for row in t.iter()? {
            let (k, v) = row?;
            serde_json::from_slice::<Ticket>(v.value()).map_err(|e| StoreError::Corrupt {
                what: format!("ticket {}", k.value()),
                why: e.to_string(),
            })?;
            summary.tickets += 1;
        }
    }
    if let Ok(t) = txn.open_table(USERS) {
        summary.users = t.len()?;
    }
    // Every complaint parses with its flow snapshot present.
    if let Ok(t) = txn.open_table(COMPLAINTS) {
        let flows = txn.open_table(FLOWS)?;
        for row in t.iter()? {
            let (k, v) = row?;
            let bad = |why: String| StoreError::Corrupt {
                what: format!("complaint {}", k.value()),
                why,
            };
            let head: serde_json::Value =
                serde_json::from_slice(v.value()).map_err(|e| bad(e.to_string()))?;
            let version = head
                .get("workflow")
                .and_then(|w| w.get("flow"))
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| bad("no flow version".to_string()))?;
            if flows.get(version)?.is_none() {
                return Err(bad(format!("flow version {version} missing")));
            }
            summary.complaints += 1;
        }
    }
    let mut entries: Vec<AuditEntry> = Vec::new();
    if let Ok(t) = txn.open_table(AUDIT) {
        for row in t.iter()? {
            let (k, v) = row?;
            entries.push(
                serde_json::from_slice(v.value()).map_err(|e| StoreError::Corrupt {
                    what: format!("audit entry {}", k.value()),
                    why: e.to_string(),
                })?,
            );
        }
    }
    crate::audit::verify(&entries).map_err(|b| StoreError::AuditBroken {
        seq: b.seq,
        why: b.why,
    })?;
    summary.audit_entries = entries.len() as u64;
    Ok(summary)
}

/// The nightly copies in `dir` to delete so that `keep` remain (oldest first out).
pub fn expired(dir: &Path, keep: usize) -> Vec<PathBuf> {
    let mut copies: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("loket-") && n.ends_with(".redb"))
                })
                .collect()
        })
        .unwrap_or_default();
    // The names carry the date and time, so their order is their age.
    copies.sort();
    let excess = copies.len().saturating_sub(keep);
    copies.into_iter().take(excess).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nightly_copies_are_kept_n_deep_oldest_out() {
        let dir = tempfile_dir();
        for name in [
            "loket-20261127-220000.redb",
            "loket-20261128-220000.redb",
            "loket-20261129-220000.redb",
            "loket-20261130-220000.redb",
            "notes.txt",
            "loket-manual.txt",
        ] {
            std::fs::write(dir.join(name), b"x").expect("write");
        }
        let gone: Vec<String> = expired(&dir, 2)
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
            .collect();
        assert_eq!(
            gone,
            ["loket-20261127-220000.redb", "loket-20261128-220000.redb"]
        );
        assert!(expired(&dir, 7).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("loket-expired-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }
}
