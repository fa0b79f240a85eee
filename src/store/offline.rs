//! The store without the daemon, for `loket user …` and `loket audit verify` run by a
//! technician at the box. The daemon holds the database while it runs, so these refuse
//! then, and say how to go on.

use std::path::Path;

use chrono::Utc;
use redb::Database;

use super::accounts::{self, AccountWrites};
use super::tables::{self, StoreError};
use crate::audit::{self, AuditEntry, Broken, Who};
use crate::auth::User;

pub struct Offline {
    db: Database,
}

impl Offline {
    pub fn open(data_dir: &Path) -> Result<Self, String> {
        let path = data_dir.join(crate::app::DB_FILE);
        if !path.exists() {
            return Err(format!(
                "no database at {}: start loket once first, or give --data",
                path.display()
            ));
        }
        match tables::open(&path, None) {
            Ok(db) => Ok(Self { db }),
            Err(StoreError::Locked(_)) => Err(
                "loket is running and holds the database: stop it first (systemctl stop loket), \
                 or manage users in the console at /console/users"
                    .to_string(),
            ),
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn user(&self, name: &str) -> Result<Option<User>, String> {
        accounts::read_user(&self.db, name).map_err(|e| e.to_string())
    }

    pub fn users(&self) -> Result<Vec<User>, String> {
        accounts::list_users(&self.db).map_err(|e| e.to_string())
    }

    /// Writes the account and its audit entry in one transaction.
    pub fn put_user(&self, user: User, action: &str) -> Result<(), String> {
        let head = accounts::audit_head(&self.db).map_err(|e| e.to_string())?;
        let actor = std::env::var("SUDO_USER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "unknown".to_string());
        let entry = AuditEntry::new(
            (head.0, &head.1),
            Utc::now(),
            &Who::new(format!("cli:{actor}"), "local"),
            action,
            &user.username,
            "",
        );
        let w = tables::Writes {
            accounts: AccountWrites {
                users: vec![user],
                sessions: Vec::new(),
                audit: vec![entry],
            },
            ..Default::default()
        };
        tables::write_accounts_only(&self.db, &w).map_err(|e| e.to_string())
    }

    pub fn backup(&self, dest: &Path) -> Result<super::backup::BackupSummary, String> {
        super::backup::copy_to(&self.db, dest).map_err(|e| e.to_string())
    }

    /// The whole chain checked; the number of entries, or the first broken one.
    pub fn verify_audit(&self) -> Result<Result<u64, Broken>, String> {
        let entries = accounts::audit_entries(&self.db).map_err(|e| e.to_string())?;
        Ok(audit::verify(&entries))
    }
}
