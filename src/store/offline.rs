//! The store without the daemon, for `loket user …` and `loket audit verify` run by a
//! technician at the box. The daemon holds the database while it runs, so these refuse
//! then, and say how to go on.

use std::path::{Path, PathBuf};

use chrono::Utc;
use redb::Database;
use thiserror::Error;

use super::accounts::{self, AccountWrites};
use super::tables::{self, StoreError};
use crate::audit::{self, AuditEntry, Broken, Who};
use crate::auth::User;

#[derive(Debug, Error)]
pub enum OfflineError {
    #[error("no database at {}: start loket once first, or give --data", .0.display())]
    NoDatabase(PathBuf),
    #[error(
        "loket is running and holds the database: stop it first (systemctl stop loket), \
         or manage users in the console at /console/users"
    )]
    Running,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn held(e: StoreError) -> OfflineError {
    match e {
        StoreError::Locked(_) => OfflineError::Running,
        other => other.into(),
    }
}

pub struct Offline {
    db: Database,
    /// Where the attachment files are (beside the database).
    data_dir: std::path::PathBuf,
}

impl Offline {
    /// Opens the database as the daemon would: one from an earlier release is migrated
    /// (a copy of it kept beside it), one from a later release is refused.
    pub fn open(data_dir: &Path) -> Result<Self, OfflineError> {
        let path = data_dir.join(crate::app::DB_FILE);
        if !path.exists() {
            return Err(OfflineError::NoDatabase(path));
        }
        super::migrate::migrate(&path, Utc::now()).map_err(held)?;
        let db = tables::open(&path, None).map_err(held)?;
        Ok(Self {
            db,
            data_dir: data_dir.to_path_buf(),
        })
    }

    /// Fails if a daemon holds the database in `data_dir` (a missing one is not held). Checks
    /// nothing else: the database is about to be replaced.
    pub fn ensure_not_held(data_dir: &Path) -> Result<(), OfflineError> {
        let path = data_dir.join(crate::app::DB_FILE);
        if !path.exists() {
            return Ok(());
        }
        tables::open(&path, None).map(drop).map_err(held)
    }

    pub fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        accounts::read_user(&self.db, name)
    }

    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        accounts::list_users(&self.db)
    }

    /// Writes the account and its audit entry in one transaction; with `end_sessions`
    /// (a new password, a disabled account), every session of the account ends in it too,
    /// so no cookie issued before outlives the change when the daemon starts again.
    pub fn put_user(&self, user: User, action: &str, end_sessions: bool) -> Result<(), StoreError> {
        let head = accounts::audit_head(&self.db)?;
        let actor = std::env::var("SUDO_USER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "unknown".to_string());
        let who = Who::new(format!("cli:{actor}"), "local");
        let now = Utc::now();
        let txn = self.db.begin_write()?;
        let ended = if end_sessions {
            accounts::session_keys_in(&txn, &user.username)?
        } else {
            Vec::new()
        };
        let first = AuditEntry::new((head.0, &head.1), now, &who, action, &user.username, "");
        let mut audit = vec![first];
        if end_sessions {
            let prev = &audit[0];
            let entry = AuditEntry::new(
                (prev.seq, &prev.hash),
                now,
                &who,
                "sessions_revoked",
                &user.username,
                &ended.len().to_string(),
            );
            audit.push(entry);
        }
        let w = AccountWrites {
            users: vec![user],
            sessions: ended.into_iter().map(|k| (k, None)).collect(),
            audit,
        };
        // The tool does not read `[city]`: a file the daemon has exported from keeps its
        // outbox complete (no personal fields); one that never did gets none.
        let ship = super::outbox::in_use(&txn)?.then(crate::config::PersonalFields::default);
        accounts::write(&txn, &w, ship)?;
        txn.commit()?;
        Ok(())
    }

    pub fn backup(&self, dest: &Path) -> Result<super::backup::BackupSummary, StoreError> {
        super::backup::copy_to(&self.db, dest, &self.data_dir, Utc::now())
    }

    /// The audit log, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        accounts::audit_entries(&self.db)
    }

    /// The whole chain checked; the number of entries, or the first broken one.
    /// A damaged page (redb panics on some) is reported as `StoreError::Corrupt`.
    pub fn verify_audit(&self) -> Result<Result<u64, Broken>, StoreError> {
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            accounts::audit_entries(&self.db)
        }));
        let entries = read.map_err(|panic| StoreError::Corrupt {
            what: "table audit".to_string(),
            why: super::check::panic_message(&panic),
        })??;
        Ok(audit::verify(&entries))
    }

    /// Every table read, row by row, from a read-only open of the database in `data_dir`
    /// (the daemon stopped, or a copy): nothing is migrated or repaired.
    pub fn check(data_dir: &Path) -> Result<Vec<super::check::TableReport>, OfflineError> {
        let path = data_dir.join(crate::app::DB_FILE);
        if !path.exists() {
            return Err(OfflineError::NoDatabase(path));
        }
        let opened = std::panic::catch_unwind(|| redb::ReadOnlyDatabase::open(&path));
        let db = match opened {
            Ok(Ok(db)) => db,
            Ok(Err(redb::DatabaseError::DatabaseAlreadyOpen)) => return Err(OfflineError::Running),
            Ok(Err(e)) => return Err(StoreError::Db(e.into()).into()),
            Err(panic) => {
                return Err(StoreError::Corrupt {
                    what: "database header".to_string(),
                    why: super::check::panic_message(&panic),
                }
                .into());
            }
        };
        Ok(super::check::check(&db, data_dir))
    }
}
