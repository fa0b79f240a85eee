//! `loket complaints purge`: the retention rule run by hand at the box (the daemon stopped;
//! while it runs, its nightly task does the same). The store is started on the data directory
//! as the daemon would start it, so the purge is the store's own, audited as the operator.

use std::path::Path;
use std::sync::Arc;

use crate::audit::Who;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::store::offline::{Offline, OfflineError};
use crate::store::{self, StoreError};

const RUNNING: &str = "loket is running and holds the database: stop it first (systemctl stop loket); \
     while it runs, its nightly task purges on its own";

type Outcome = Result<String, (u8, String)>;

fn fail(e: impl std::fmt::Display) -> (u8, String) {
    (1, e.to_string())
}

/// Deletes the identity and attachment files of every complaint closed more than
/// `complaints.retention_days` ago (from the configuration file, or the embedded default),
/// and says how many.
pub fn purge(data_dir: &Path, config_file: Option<&Path>) -> Outcome {
    let config = match config_file {
        Some(f) => Config::load(f),
        None => Config::embedded(),
    }
    .map_err(|e| (2, e.to_string()))?;
    let path = data_dir.join(crate::app::DB_FILE);
    if !path.exists() {
        return Err(fail(OfflineError::NoDatabase(path)));
    }
    Offline::ensure_not_held(data_dir).map_err(|e| match e {
        OfflineError::Running => fail(RUNNING),
        other => fail(other),
    })?;
    let retention = config.complaints.retention_days;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(fail)?;
    let actor = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".to_string());
    let who = Who::new(format!("cli:{actor}"), "local");
    let summary = runtime.block_on(async {
        let (handle, inbox) = store::channel();
        let spawned = store::spawn(
            &path,
            inbox,
            Arc::new(config),
            Arc::new(SystemClock),
            store::Buses::new(16),
            None,
            None,
        )
        .map_err(|e| match e {
            StoreError::Locked(_) => fail(RUNNING),
            other => fail(other),
        })?;
        let result = handle.purge_complaints(who).await;
        handle.shutdown().await;
        if spawned.thread.join().is_err() {
            return Err(fail("the store's thread ended abnormally"));
        }
        result.map_err(fail)
    })?;
    Ok(format!(
        "Identitas {} pengaduan dan {} berkas lampiran dihapus (ditutup lebih dari {retention} hari). / \
         Removed the identity of {} complaint(s) and {} attachment file(s) closed more than {retention} days ago.",
        summary.complaints, summary.files, summary.complaints, summary.files
    ))
}
