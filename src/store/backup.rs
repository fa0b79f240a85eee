//! Backups: a consistent copy of the database (one read transaction: a snapshot while the
//! daemon keeps writing), checked before a restore, and the nightly copies kept N deep.
//! Sessions are left out: a restored box makes everyone log in again. The complaint
//! attachments, files beside the database, go into the copy too (`BACKUP_ATTACHMENTS`, a
//! table only backups have), so one file carries everything a restored box needs.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::accounts::{AUDIT, USERS};
use super::complaints::{
    ACTIONS, ATTACHMENT_REFS, CODES, COMPLAINTS, FLOWS, IDENTITIES, TICKET_LINKS,
};
use super::letters::{LETTERS, check_letters};
use super::tables::{META, SCHEMA_VERSION, StoreError, TICKETS};
use crate::audit::AuditEntry;
use crate::queue::Ticket;

/// Attachment bytes by SHA-256 (lowercase hex), in backup files only: `verify` checks each
/// against its hash and `restore_attachments` writes them back as files.
pub const BACKUP_ATTACHMENTS: TableDefinition<&str, &[u8]> =
    TableDefinition::new("backup_attachments");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub tickets: u64,
    pub users: u64,
    pub audit_entries: u64,
    pub complaints: u64,
    /// Attachment files in the copy.
    pub attachments: u64,
}

impl std::fmt::Display for BackupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} tickets, {} users, {} audit entries, {} complaints, {} attachment files",
            self.tickets, self.users, self.audit_entries, self.complaints, self.attachments
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

/// Copies the file of every hash `ATTACHMENT_REFS` names into `BACKUP_ATTACHMENTS`, one at a
/// time (each at most the configured limit). A file already missing is logged and left out:
/// the copy is still the best there is.
fn copy_attachments(
    src: &redb::ReadTransaction,
    dst: &redb::WriteTransaction,
    data_dir: &Path,
) -> Result<u64, StoreError> {
    let refs = match src.open_table(ATTACHMENT_REFS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let files = crate::attachments::Attachments::new(data_dir, u64::MAX);
    let mut to = dst.open_table(BACKUP_ATTACHMENTS)?;
    let mut n = 0;
    for row in refs.iter()? {
        let (k, _) = row?;
        let sha256 = k.value().0.to_string();
        if to.get(sha256.as_str())?.is_some() {
            continue;
        }
        match files.read_by_hash(&sha256) {
            Ok(bytes) => {
                to.insert(sha256.as_str(), bytes.as_slice())?;
                n += 1;
            }
            Err(e) => tracing::warn!(%sha256, error = %e, "attachment file not in the backup"),
        }
    }
    Ok(n)
}

/// Writes a consistent copy of `db` to `dest` (through a temporary file and a rename, so
/// `dest` is never half a database), with the attachment files of `data_dir` inside it;
/// then records it as the last backup (`last_backup`), taken at `at`.
pub fn copy_to(
    db: &Database,
    dest: &Path,
    data_dir: &Path,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<BackupSummary, StoreError> {
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
            attachments: copy_attachments(&snapshot, &txn, data_dir)?,
        };
        // The rest of the complaint register: without any of them a restored complaint
        // would lose its identity, its flow, its history or its tracking code.
        copy_table(&snapshot, &txn, IDENTITIES)?;
        copy_table(&snapshot, &txn, CODES)?;
        copy_table(&snapshot, &txn, ACTIONS)?;
        copy_table(&snapshot, &txn, FLOWS)?;
        copy_table(&snapshot, &txn, TICKET_LINKS)?;
        copy_table(&snapshot, &txn, ATTACHMENT_REFS)?;
        // The signed letters' PDFs: the letters as they were signed, byte for byte.
        copy_table(&snapshot, &txn, LETTERS)?;
        // The closed days' report figures: `meta` says which tickets they cover.
        copy_table(&snapshot, &txn, super::reports::REPORT_DAYS)?;
        copy_table(&snapshot, &txn, super::survey::RESPONSES)?;
        copy_table(&snapshot, &txn, super::survey::ANSWERED)?;
        // What the city has not received yet (its numbers are in `meta`).
        copy_table(&snapshot, &txn, super::outbox::OUTBOX)?;
        txn.commit()?;
        summary
    };
    std::fs::rename(&tmp, dest).map_err(|e| StoreError::io("cannot rename into", dest, e))?;
    if let Some(dir) = dest.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    let last = super::last_backup::LastBackup {
        at,
        file: dest.display().to_string(),
        summary: summary.to_string(),
    };
    if let Err(e) = super::last_backup::record(data_dir, &last) {
        tracing::warn!(error = %e, "the backup is written but not recorded as the last one");
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
        attachments: 0,
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
            check_letters(&txn, k.value(), &head).map_err(bad)?;
            summary.complaints += 1;
        }
    }
    // Every attachment's bytes are what their name says (absent in backups of older builds).
    if let Ok(t) = txn.open_table(BACKUP_ATTACHMENTS) {
        for row in t.iter()? {
            let (k, v) = row?;
            if crate::attachments::sha256_hex(v.value()) != k.value() {
                return Err(StoreError::Corrupt {
                    what: format!("attachment {}", k.value()),
                    why: "its bytes do not match their SHA-256".to_string(),
                });
            }
            summary.attachments += 1;
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

/// Writes the attachments of a (verified) backup into `data_dir`'s attachment folder, each
/// through a file of its own, synced, then renamed (`Attachments::store`). A backup from a
/// build without the table has none: its complaints keep their records, not their scans.
pub fn restore_attachments(backup: &Path, data_dir: &Path) -> Result<u64, StoreError> {
    let db = redb::ReadOnlyDatabase::open(backup).map_err(|error| StoreError::NotADatabase {
        path: backup.display().to_string(),
        error,
    })?;
    let txn = db.begin_read()?;
    let t = match txn.open_table(BACKUP_ATTACHMENTS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let files = crate::attachments::Attachments::new(data_dir, u64::MAX);
    let mut n = 0;
    for row in t.iter()? {
        let (k, v) = row?;
        let stored = files.store(v.value()).map_err(|e| StoreError::Corrupt {
            what: format!("attachment {}", k.value()),
            why: e.to_string(),
        })?;
        if stored.sha256 != k.value() {
            return Err(StoreError::Corrupt {
                what: format!("attachment {}", k.value()),
                why: "its bytes do not match their SHA-256".to_string(),
            });
        }
        n += 1;
    }
    Ok(n)
}

/// Drops the backup-only table from a restored copy: the daemon keeps the files beside it.
pub fn drop_backup_tables(db_path: &Path) -> Result<(), StoreError> {
    let mut db = Database::open(db_path)?;
    let txn = db.begin_write()?;
    let dropped = txn.delete_table(BACKUP_ATTACHMENTS)?;
    txn.commit()?;
    if dropped {
        // Give the space back: the scans would otherwise sit in the file twice.
        db.compact().map_err(redb::Error::from)?;
    }
    Ok(())
}

/// Marks a restored copy for the city: its outbox numbers are compared with the server's
/// before anything is sent (`outbox::mark_restored`). Returns the copy's last number.
pub fn mark_restored(db_path: &Path) -> Result<u64, StoreError> {
    let db = Database::open(db_path)?;
    let txn = db.begin_write()?;
    let mark = super::outbox::mark_restored(&txn)?;
    txn.commit()?;
    Ok(mark)
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
