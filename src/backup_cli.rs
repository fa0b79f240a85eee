//! `loket backup FILE` (the daemon running or not) and `loket restore FILE` (the daemon
//! stopped): the technician's copy to a USB stick and back.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::control::socket_path;
use crate::store::StoreError;
use crate::store::backup;
use crate::store::offline::{Offline, OfflineError};

#[derive(Debug, Error)]
pub enum BackupCliError {
    #[error("{what} {}: {error}", .path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("backup failed: {0}")]
    RefusedByDaemon(String),
    #[error("loket is running: stop it first (systemctl stop loket), then restore")]
    Running,
    #[error("not restored: {0}")]
    NotRestored(StoreError),
    #[error(transparent)]
    Offline(#[from] OfflineError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BackupCliError {
    let path = path.to_path_buf();
    move |error| BackupCliError::Io { what, path, error }
}

fn absolute(file: &Path) -> Result<PathBuf, BackupCliError> {
    if file.is_absolute() {
        return Ok(file.to_path_buf());
    }
    Ok(std::env::current_dir()
        .map_err(io("cannot resolve the current directory for", file))?
        .join(file))
}

pub fn backup(file: &Path, data: &Path) -> Result<String, BackupCliError> {
    let file = absolute(file)?;
    let socket = socket_path(data);
    if let Ok(mut s) = UnixStream::connect(&socket) {
        // The daemon runs: it makes the copy from a snapshot and goes on serving.
        writeln!(s, "backup {}", file.display()).map_err(io("cannot write to", &socket))?;
        let mut reply = String::new();
        BufReader::new(s)
            .read_line(&mut reply)
            .map_err(io("cannot read from", &socket))?;
        return match reply.trim().split_once(' ') {
            Some(("ok", summary)) => Ok(format!("backup written to {}: {summary}", file.display())),
            _ => Err(BackupCliError::RefusedByDaemon(reply.trim().to_string())),
        };
    }
    let store = Offline::open(data)?;
    let summary = store.backup(&file)?;
    Ok(format!("backup written to {}: {summary}", file.display()))
}

pub fn restore(file: &Path, data: &Path) -> Result<String, BackupCliError> {
    if UnixStream::connect(socket_path(data)).is_ok() {
        return Err(BackupCliError::Running);
    }
    let summary = backup::verify(file).map_err(BackupCliError::NotRestored)?;
    // The database must not be held by anyone (a daemon without its socket, say).
    Offline::ensure_not_held(data)?;
    std::fs::create_dir_all(data).map_err(io("cannot create", data))?;
    let db = data.join(crate::app::DB_FILE);
    if db.exists() {
        let keep = data.join(format!(
            "{}.before-restore-{}",
            crate::app::DB_FILE,
            chrono::Utc::now().format("%Y%m%dT%H%M%S")
        ));
        std::fs::rename(&db, &keep).map_err(io("cannot move aside", &db))?;
    }
    // The attachment files of the database moved aside stay with it; the backup's own are
    // written fresh, before the database that names them is in place.
    let files = data.join("attachments");
    if files.exists() {
        let keep = data.join(format!(
            "attachments.before-restore-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S")
        ));
        std::fs::rename(&files, &keep).map_err(io("cannot move aside", &files))?;
    }
    backup::restore_attachments(file, data).map_err(BackupCliError::NotRestored)?;
    let tmp = data.join(format!("{}.restoring", crate::app::DB_FILE));
    std::fs::copy(file, &tmp).map_err(io("cannot copy the backup to", &tmp))?;
    backup::drop_backup_tables(&tmp).map_err(BackupCliError::NotRestored)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io("cannot sync", &tmp))?;
    std::fs::rename(&tmp, &db).map_err(io("cannot rename into", &db))?;
    if let Ok(d) = std::fs::File::open(data) {
        let _ = d.sync_all();
    }
    Ok(format!("restored from {}: {summary}", file.display()))
}
