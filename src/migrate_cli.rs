//! `loket migrate`: brings the database in the data directory to this build's schema, as
//! the daemon's start would, and says what it did. The package runs it after an upgrade,
//! before the service starts again: a migration that fails, or a database from a newer
//! release (a downgrade), stops the upgrade at the technician's terminal rather than in the
//! service's log.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::app::DB_FILE;
use crate::store::SCHEMA_VERSION;
use crate::store::StoreError;
use crate::store::migrate::{self, Migrated};

/// Exit code 2 for a database this build must not open (newer), 1 for any other failure.
pub fn migrate(data: &Path, now: DateTime<Utc>) -> Result<String, (u8, String)> {
    refuse_foreign_root(data)?;
    let db = data.join(DB_FILE);
    let shown = db.display();
    match migrate::migrate(&db, now) {
        Ok(Migrated::Absent) => Ok(format!(
            "belum ada basis data {shown}: tidak ada yang dimigrasikan (skema {SCHEMA_VERSION} \
             dibuat saat loket pertama kali berjalan) / no database {shown} yet: nothing to \
             migrate (schema {SCHEMA_VERSION} is made at loket's first start)"
        )),
        Ok(Migrated::Current) => Ok(format!(
            "basis data {shown} sudah pada skema {SCHEMA_VERSION}: tidak ada yang diubah / \
             database {shown} is at schema {SCHEMA_VERSION} already: nothing changed"
        )),
        Ok(Migrated::Upgraded { from, to, backup }) => Ok(format!(
            "basis data {shown} dimigrasikan dari skema {from} ke {to}; salinan sebelum \
             migrasi: {backup} / database {shown} migrated from schema {from} to {to}; the \
             copy from before: {backup}",
            backup = backup.display()
        )),
        Err(StoreError::NewerSchema {
            found, supported, ..
        }) => Err((
            2,
            crate::downgrade::refusal(data, found, supported, crate::downgrade::Caller::from_env()),
        )),
        Err(e) => Err((
            1,
            format!(
                "basis data {shown} tidak dimigrasikan (apakah loket sedang berjalan? hentikan \
                 dulu: sudo systemctl stop loket): {e} / database {shown} not migrated (is loket \
                 running? stop it first): {e}"
            ),
        )),
    }
}

/// root migrating the service's directory would leave the new file root's, which the
/// daemon (user `loket`) then cannot open: run as the directory's owner instead.
fn refuse_foreign_root(data: &Path) -> Result<(), (u8, String)> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    match std::fs::metadata(data) {
        Ok(m) if euid == 0 && m.uid() != 0 => Err((
            2,
            format!(
                "{} milik pengguna lain, bukan root: jalankan sebagai pemiliknya, mis. \
                 `sudo -u loket loket migrate --data {0}` / {0} belongs to another user, not \
                 root: run as its owner, e.g. `sudo -u loket loket migrate --data {0}`",
                data.display()
            ),
        )),
        _ => Ok(()),
    }
}
