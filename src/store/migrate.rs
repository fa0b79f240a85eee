//! Schema migrations: a database written by an earlier release is brought to this build's
//! layout when the store opens, before anything else reads it.
//!
//! The steps run in order, all in ONE write transaction, on a working copy that replaces the
//! database only once committed; before that, a byte-for-byte copy of the database as the old
//! release left it is written beside it (`loket.redb.v1-backup-<time>`). A step that fails
//! leaves the database file exactly as it was, and the store refuses to open. A database from
//! a later release is refused, never misread.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use redb::{Database, ReadableDatabase, WriteTransaction};
use tracing::{info, warn};

use super::tables::{K_SCHEMA, META, SCHEMA_VERSION, StoreError};

/// Changes the layout from `from` to `to` inside the migration's transaction. It must not
/// commit; the runner records the new version after it.
pub type StepFn = fn(&WriteTransaction) -> Result<(), StoreError>;

/// One migration step.
#[derive(Clone, Copy)]
pub struct Step {
    pub from: u64,
    pub to: u64,
    pub apply: StepFn,
}

/// The steps of every release so far, oldest first. A release that changes the tables bumps
/// `SCHEMA_VERSION` and adds its step here (and a fixture database under
/// `tests/fixtures/db/`).
pub const STEPS: &[Step] = &[Step {
    from: 1,
    to: 2,
    apply: complaint_tables,
}];

/// 1 → 2: the complaint register. Only new tables: no record of schema 1 changes.
fn complaint_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    super::complaints::create_tables(txn)
}

/// What opening found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Migrated {
    /// No database yet: the store creates one at the current version.
    Absent,
    /// Already at the target version: nothing was touched.
    Current,
    Upgraded {
        from: u64,
        to: u64,
        /// The database as it was before, byte for byte.
        backup: PathBuf,
    },
}

/// Brings the database at `path` to this build's schema with this build's steps.
pub fn migrate(path: &Path, now: DateTime<Utc>) -> Result<Migrated, StoreError> {
    migrate_with(path, STEPS, SCHEMA_VERSION, now)
}

/// Brings the database at `path` to schema `target` with `steps`; `now` names the backup.
pub fn migrate_with(
    path: &Path,
    steps: &[Step],
    target: u64,
    now: DateTime<Utc>,
) -> Result<Migrated, StoreError> {
    let Some(found) = schema_version(path)? else {
        // No file, or one without a version (never written to): the store starts it afresh.
        return Ok(if path.exists() {
            Migrated::Current
        } else {
            Migrated::Absent
        });
    };
    let shown = path.display().to_string();
    if found > target {
        return Err(StoreError::NewerSchema {
            path: shown,
            found,
            supported: target,
        });
    }
    if found == target {
        return Ok(Migrated::Current);
    }
    let plan = plan(steps, found, target).map_err(|from| StoreError::NoMigration {
        path: shown.clone(),
        found,
        from,
        target,
    })?;
    // One migration at a time: the daemon and `loket user …` started together would
    // otherwise share the working copy. The lock is released when `_lock` drops.
    let _lock = lock(path)?;
    // Whoever held the lock before may have migrated already.
    if schema_version(path)? == Some(target) {
        return Ok(Migrated::Current);
    }
    // A migration that failed before left its copy: reuse it rather than fill the disk with
    // one more at every restart.
    let backup = match same_backup(path, found)? {
        Some(b) => b,
        None => {
            let b = backup_path(path, found, now);
            copy_synced(path, &b)?;
            b
        }
    };
    info!(from = found, to = target, backup = %backup.display(), "database copied before migrating");
    match run(path, &plan) {
        Ok(()) => {
            info!(from = found, to = target, path = %shown, "database migrated");
            Ok(Migrated::Upgraded {
                from: found,
                to: target,
                backup,
            })
        }
        Err((to, cause)) => {
            warn!(from = found, to, error = %cause, "migration failed; the database is unchanged");
            Err(StoreError::MigrationFailed {
                path: shown,
                from: found,
                to,
                backup: backup.display().to_string(),
                cause: Box::new(cause),
            })
        }
    }
}

/// The schema version recorded in the database at `path`; `None` when there is no file or no
/// version in it. Read without writing to the file, so a database that is then refused or
/// copied is exactly what the earlier release left.
pub fn schema_version(path: &Path) -> Result<Option<u64>, StoreError> {
    if !path.exists() {
        return Ok(None);
    }
    match redb::Builder::new().open_read_only(path) {
        Ok(db) => read_version(&db),
        Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
            Err(StoreError::Locked(path.display().to_string()))
        }
        // Not shut down cleanly (a power cut): only a writable open repairs it, as the store's
        // own open would.
        Err(redb::DatabaseError::RepairAborted) => {
            let db = Database::open(path).map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => {
                    StoreError::Locked(path.display().to_string())
                }
                other => other.into(),
            })?;
            read_version(&db)
        }
        Err(e) => Err(e.into()),
    }
}

fn read_version(db: &impl ReadableDatabase) -> Result<Option<u64>, StoreError> {
    let txn = db.begin_read()?;
    let meta = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(meta.get(K_SCHEMA)?.map(|v| v.value()))
}

/// The steps from `found` to `target` in order; `Err(v)` names the version no step leaves.
fn plan(steps: &[Step], found: u64, target: u64) -> Result<Vec<Step>, u64> {
    let mut at = found;
    let mut out = Vec::new();
    while at < target {
        let step = steps
            .iter()
            .find(|s| s.from == at && s.to > at && s.to <= target)
            .ok_or(at)?;
        out.push(*step);
        at = step.to;
    }
    Ok(out)
}

/// `loket.redb.v1-backup-20261203T020000Z`: the version it holds and when it was taken.
fn backup_path(path: &Path, version: u64, now: DateTime<Utc>) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "loket.redb".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(
        "{name}.v{version}-backup-{}",
        now.format("%Y%m%dT%H%M%SZ")
    ))
}

/// Copies `from` to `to` through a temporary name, file and directory synced: `to` is whole
/// or absent, even after a power cut.
fn copy_synced(from: &Path, to: &Path) -> Result<(), StoreError> {
    let tmp = sibling(to, "partial");
    let result = std::fs::copy(from, &tmp)
        .map_err(|e| StoreError::io("cannot copy the database to", &tmp, e))
        .and_then(|_| sync_file(&tmp))
        .and_then(|()| {
            std::fs::rename(&tmp, to).map_err(|e| StoreError::io("cannot rename into", to, e))
        });
    if result.is_err() {
        // A half copy on a disk that is likely full already helps nobody.
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    sync_dir(to)
}

/// An exclusive lock beside the database, held while a migration runs.
fn lock(path: &Path) -> Result<std::fs::File, StoreError> {
    let at = sibling(path, "migrate-lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&at)
        .map_err(|e| StoreError::io("cannot open", &at, e))?;
    file.lock()
        .map_err(|e| StoreError::io("cannot lock", &at, e))?;
    Ok(file)
}

/// A backup of this version already beside the database with exactly its bytes.
fn same_backup(path: &Path, version: u64) -> Result<Option<PathBuf>, StoreError> {
    let name = path
        .file_name()
        .map_or_else(|| "loket.redb".into(), |n| n.to_string_lossy());
    let prefix = format!("{name}.v{version}-backup-");
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let len = std::fs::metadata(path)
        .map_err(|e| StoreError::io("cannot read", path, e))?
        .len();
    let entries = std::fs::read_dir(dir).map_err(|e| StoreError::io("cannot list", dir, e))?;
    let mut digest = None;
    for entry in entries.flatten() {
        let candidate = entry.path();
        let named = entry.file_name().to_string_lossy().starts_with(&prefix);
        let same_len = entry.metadata().is_ok_and(|m| m.len() == len);
        if !named || !same_len {
            continue;
        }
        let ours = match &digest {
            Some(d) => d,
            None => digest.insert(file_digest(path)?),
        };
        if file_digest(&candidate)? == *ours {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

fn file_digest(path: &Path) -> Result<Vec<u8>, StoreError> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path).map_err(|e| StoreError::io("cannot read", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut file, &mut buf)
            .map_err(|e| StoreError::io("cannot read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().to_vec())
}

fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(ext);
    path.with_file_name(name)
}

fn sync_file(path: &Path) -> Result<(), StoreError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io("cannot sync", path, e))
}

fn sync_dir(path: &Path) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    sync_file(dir)
}

/// Runs the plan on a working copy and puts it in place of `path` once committed. On error,
/// the version whose step failed and why; `path` has not been written.
fn run(path: &Path, plan: &[Step]) -> Result<(), (u64, StoreError)> {
    let work = sibling(path, "migrating");
    let first = plan.first().map_or(0, |s| s.to);
    let result = (|| {
        copy_synced(path, &work).map_err(|e| (first, e))?;
        let db = Database::open(&work).map_err(|e| (first, e.into()))?;
        let txn = db.begin_write().map_err(|e| (first, e.into()))?;
        for step in plan {
            (step.apply)(&txn).map_err(|e| (step.to, e))?;
            let mut meta = txn.open_table(META).map_err(|e| (step.to, e.into()))?;
            meta.insert(K_SCHEMA, step.to)
                .map_err(|e| (step.to, e.into()))?;
        }
        let last = plan.last().map_or(first, |s| s.to);
        txn.commit().map_err(|e| (last, e.into()))?;
        db.close().map_err(|e| (last, e.into()))?;
        sync_file(&work).map_err(|e| (last, e))?;
        std::fs::rename(&work, path)
            .map_err(|e| (last, StoreError::io("cannot rename into", path, e)))?;
        sync_dir(path).map_err(|e| (last, e))
    })();
    if result.is_err() {
        // The working copy is half-done at best; the original was never opened for writing.
        let _ = std::fs::remove_file(&work);
    }
    result
}
