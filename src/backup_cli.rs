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

/// Replaces the database with the copy in `file`. Everything new is written beside the old
/// first (`loket.redb.restoring`, the attachments under `.restoring/`), synced, and only then
/// renamed into place: a restore that fails on the way (a disk without room, a bad stick)
/// leaves the old database and its attachment files as they were and removes what it wrote.
/// The old ones are kept beside, as `*.before-restore-TIME`.
pub fn restore(file: &Path, data: &Path) -> Result<String, BackupCliError> {
    if UnixStream::connect(socket_path(data)).is_ok() {
        return Err(BackupCliError::Running);
    }
    let summary = backup::verify(file).map_err(BackupCliError::NotRestored)?;
    // The database must not be held by anyone (a daemon without its socket, say).
    Offline::ensure_not_held(data)?;
    std::fs::create_dir_all(data).map_err(io("cannot create", data))?;
    let staging = data.join(".restoring");
    let tmp = data.join(format!("{}.restoring", crate::app::DB_FILE));
    let written = write_beside(file, data, &staging, &tmp);
    if written.is_err() {
        // Nothing of a failed restore stays: the old database is untouched.
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_dir_all(&staging);
        sync_dir(data);
    }
    written?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    // The attachment files first, before the database that names them is in place.
    let files = data.join("attachments");
    let new_files = staging.join("attachments");
    // A backup from before attachments were carried has none: the files on this box stay
    // where they are (the restored register names what it names; the sweep at start
    // removes the rest). Otherwise the backup's set goes in, filled with any file this box
    // has that the backup lacks (a scan whose copy was missing when the backup ran).
    if new_files.exists() {
        if files.exists() {
            fill_missing(&files, &new_files)?;
            let keep = data.join(format!("attachments.before-restore-{stamp}"));
            std::fs::rename(&files, &keep).map_err(io("cannot move aside", &files))?;
        }
        std::fs::rename(&new_files, &files).map_err(io("cannot rename into", &files))?;
    }
    let _ = std::fs::remove_dir_all(&staging);
    let db = data.join(crate::app::DB_FILE);
    if db.exists() {
        // A second name for the old file, not a copy: no room needed, and the rename below
        // replaces `loket.redb` in one step, so there is always one.
        let keep = data.join(format!("{}.before-restore-{stamp}", crate::app::DB_FILE));
        std::fs::hard_link(&db, &keep).map_err(io("cannot keep the old database as", &keep))?;
    }
    std::fs::rename(&tmp, &db).map_err(io("cannot rename into", &db))?;
    // Ticket ids after a restore repeat those printed since the backup: a new survey key
    // (made at the next start) keeps an old paper's QR code from answering for a new
    // ticket with the same id. The tablet still finds today's tickets by number.
    let key = data.join(crate::survey::link::FILE);
    if key.exists() {
        let keep = data.join(format!(
            "{}.before-restore-{stamp}",
            crate::survey::link::FILE
        ));
        std::fs::rename(&key, &keep).map_err(io("cannot move aside", &key))?;
    }
    sync_dir(data);
    Ok(format!("restored from {}: {summary}", file.display()))
}

/// The new database at `tmp` and its attachment files under `staging`, all synced.
fn write_beside(
    file: &Path,
    data: &Path,
    staging: &Path,
    tmp: &Path,
) -> Result<(), BackupCliError> {
    // Left by an earlier restore that was cut off.
    let _ = std::fs::remove_dir_all(staging);
    let _ = std::fs::remove_file(tmp);
    std::fs::create_dir(staging).map_err(io("cannot create", staging))?;
    backup::restore_attachments(file, staging).map_err(BackupCliError::NotRestored)?;
    std::fs::copy(file, tmp).map_err(io("cannot copy the backup to", tmp))?;
    backup::drop_backup_tables(tmp).map_err(BackupCliError::NotRestored)?;
    // The city's server may hold numbers past the copy's, from the timeline this restore
    // undoes: the exporter compares before it sends (docs/city.md, "A restored backup").
    backup::mark_restored(tmp).map_err(BackupCliError::NotRestored)?;
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(io("cannot sync", tmp))?;
    sync_dir(staging);
    sync_dir(data);
    Ok(())
}

/// Links into `to` every file of `from` that `to` lacks (same relative path: files are named
/// by their hash, so the same name is the same bytes). A second name, not a copy.
fn fill_missing(from: &Path, to: &Path) -> Result<(), BackupCliError> {
    let mut dirs = vec![PathBuf::new()];
    while let Some(rel) = dirs.pop() {
        let entries = std::fs::read_dir(from.join(&rel)).map_err(io("cannot read", from))?;
        for entry in entries.flatten() {
            let rel = rel.join(entry.file_name());
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                std::fs::create_dir_all(to.join(&rel)).map_err(io("cannot create", to))?;
                dirs.push(rel);
            } else if kind.is_file()
                && !rel.to_string_lossy().ends_with(".partial")
                && !to.join(&rel).exists()
            {
                std::fs::hard_link(from.join(&rel), to.join(&rel))
                    .map_err(io("cannot keep", &from.join(&rel)))?;
            }
        }
    }
    sync_dir(to);
    Ok(())
}

/// Makes a directory's entries (new names, renames) durable.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
