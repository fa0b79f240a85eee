//! A database newer than this build: what an older package (a downgrade) says instead of
//! starting. The copies each migration left beside the database (`loket.redb.v<N>-backup-
//! <time>`) are the way back; the message names them and the restore command, Indonesian
//! first, then English. Exit code 2: a restart changes nothing (`RestartPreventExitStatus=2`).

use std::path::Path;

use crate::app::DB_FILE;

/// The migration copies beside the database: (schema version, file name), oldest first.
pub fn migration_backups(data: &Path) -> Vec<(u64, String)> {
    let prefix = format!("{DB_FILE}.v");
    let Ok(entries) = std::fs::read_dir(data) else {
        return Vec::new();
    };
    let mut found: Vec<(u64, String)> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| {
            let (version, _time) = name.strip_prefix(&prefix)?.split_once("-backup-")?;
            Some((version.parse().ok()?, name))
        })
        .collect();
    // By schema, then by the time in the name (`20261203T020000Z` sorts as text): as text
    // alone `v10-…` would come before `v9-…`.
    found.sort();
    found
}

/// How the refused program was started, which decides the restore command's last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The service or a technician: start the service again after the restore.
    Service,
    /// The package's postinst (an older package over a newer database): the package is left
    /// half-configured, and configuring it again (which migrates and starts the service) is
    /// the last step; starting the unconfigured service would hold the database and make
    /// that configure fail.
    Package,
}

impl Caller {
    /// dpkg names the package to its maintainer scripts (`DPKG_MAINTSCRIPT_PACKAGE`), and
    /// `runuser` passes the environment on.
    pub fn from_env() -> Self {
        if std::env::var_os("DPKG_MAINTSCRIPT_PACKAGE").is_some() {
            Caller::Package
        } else {
            Caller::Service
        }
    }
}

/// Why the daemon (or `loket migrate`) does not start on a database of schema `found`
/// when this build reads up to `supported`.
pub fn refusal(data: &Path, found: u64, supported: u64, caller: Caller) -> String {
    let db = data.join(DB_FILE);
    let db = db.display();
    let version = env!("CARGO_PKG_VERSION");
    let backups = migration_backups(data);
    let listed = if backups.is_empty() {
        None
    } else {
        Some(
            backups
                .iter()
                .map(|(_, name)| name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    // The newest copy this build can read: the database as it was before the upgrade.
    let restorable = backups
        .iter()
        .rev()
        .find(|(v, _)| *v <= supported)
        .map(|(_, name)| data.join(name));
    let (restore_id, restore_en) = match &restorable {
        Some(file) => {
            let last = match caller {
                Caller::Service => "sudo systemctl start loket",
                Caller::Package => "sudo dpkg --configure loket",
            };
            let command = format!(
                "sudo systemctl stop loket; sudo -u loket loket restore {} --data {}; {last}",
                file.display(),
                data.display()
            );
            (
                format!(
                    "Atau pulihkan salinan dari sebelum pembaruan (perubahan sejak pembaruan hilang): {command}"
                ),
                format!(
                    "Or restore the copy from before the upgrade (changes since the upgrade are lost): {command}"
                ),
            )
        }
        None => (
            "Tidak ada salinan yang dapat dibaca versi ini; pulihkan cadangan harian dengan \
             `loket restore FILE` (docs/operations.md)."
                .to_string(),
            "No copy this build can read is here; restore a nightly backup with \
             `loket restore FILE` (docs/operations.md)."
                .to_string(),
        ),
    };
    // The command comes last on its line: nothing after it to be copied with it.
    format!(
        "basis data {db} dibuat oleh loket yang lebih baru (skema {found}; versi ini, {version}, \
         membaca sampai skema {supported}). loket tidak dimulai agar data tidak terbaca keliru. \
         Salinan di samping basis data: {}. Pasang lagi versi loket yang lebih baru. \
         {restore_id}\n\
         database {db} was written by a newer loket (schema {found}; this build, {version}, \
         reads up to schema {supported}). loket does not start, so the data is never misread. \
         Copies beside the database: {}. Install the newer loket again. {restore_en}",
        listed.as_deref().unwrap_or("tidak ada"),
        listed.as_deref().unwrap_or("none"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_readable_copy_is_the_one_to_restore() {
        let tmp = tempfile::tempdir().expect("tmp");
        for name in [
            "loket.redb",
            "loket.redb.v1-backup-20261203T020000Z",
            "loket.redb.v2-backup-20270105T010000Z",
            "loket.redb.v3-backup-20270601T010000Z",
            "loket.redb.before-restore-20261204T080000Z",
            "loket.redb.vx-backup-1",
        ] {
            std::fs::write(tmp.path().join(name), b"").expect("write");
        }
        assert_eq!(
            migration_backups(tmp.path()),
            [
                (1, "loket.redb.v1-backup-20261203T020000Z".to_string()),
                (2, "loket.redb.v2-backup-20270105T010000Z".to_string()),
                (3, "loket.redb.v3-backup-20270601T010000Z".to_string()),
            ]
        );
        let msg = refusal(tmp.path(), 4, 2, Caller::Service);
        let restore = format!(
            "loket restore {} --data {}",
            tmp.path()
                .join("loket.redb.v2-backup-20270105T010000Z")
                .display(),
            tmp.path().display()
        );
        assert!(msg.contains(&restore), "{msg}");
        assert!(msg.ends_with("sudo systemctl start loket"), "{msg}");
        // From the package's postinst the last step configures the package instead.
        let msg = refusal(tmp.path(), 4, 2, Caller::Package);
        assert!(msg.contains(&restore), "{msg}");
        assert!(msg.ends_with("sudo dpkg --configure loket"), "{msg}");
        assert!(!msg.contains("systemctl start"), "{msg}");
        assert!(msg.contains("pulihkan salinan"), "{msg}");
        assert!(msg.contains("restore the copy"), "{msg}");
        assert!(msg.contains("(skema 4; versi ini"), "{msg}");
        assert!(
            msg.contains("loket.redb.v3-backup-20270601T010000Z"),
            "{msg}"
        );
    }

    #[test]
    fn copies_sort_by_schema_number_not_as_text() {
        let tmp = tempfile::tempdir().expect("tmp");
        for name in [
            "loket.redb.v9-backup-20280101T010000Z",
            "loket.redb.v10-backup-20290101T010000Z",
        ] {
            std::fs::write(tmp.path().join(name), b"").expect("write");
        }
        let found: Vec<u64> = migration_backups(tmp.path())
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(found, [9, 10]);
        let msg = refusal(tmp.path(), 11, 10, Caller::Service);
        assert!(
            msg.contains("restore") && msg.contains("v10-backup"),
            "{msg}"
        );
        assert!(
            !msg.contains("loket restore") || !msg.contains("v9-backup-20280101T010000Z --data"),
            "{msg}"
        );
    }

    #[test]
    fn without_copies_the_nightly_backups_are_the_way_back() {
        let tmp = tempfile::tempdir().expect("tmp");
        let msg = refusal(tmp.path(), 3, 2, Caller::Service);
        assert!(
            msg.contains("Salinan di samping basis data: tidak ada."),
            "{msg}"
        );
        assert!(msg.contains("Copies beside the database: none."), "{msg}");
        assert!(msg.contains("docs/operations.md"), "{msg}");
    }
}
