//! `loket backup FILE` (the daemon running or not) and `loket restore FILE` (the daemon
//! stopped): the technician's copy to a USB stick and back.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use crate::control::socket_path;
use crate::store::backup;
use crate::store::offline::Offline;

type Outcome = Result<String, (u8, String)>;

fn absolute(file: &Path) -> Result<PathBuf, (u8, String)> {
    let file = if file.is_absolute() {
        file.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| (1, e.to_string()))?
            .join(file)
    };
    Ok(file)
}

pub fn backup(file: &Path, data: &Path) -> Outcome {
    let file = absolute(file)?;
    if let Ok(mut s) = UnixStream::connect(socket_path(data)) {
        // The daemon runs: it makes the copy from a snapshot and goes on serving.
        writeln!(s, "backup {}", file.display()).map_err(|e| (1, e.to_string()))?;
        let mut reply = String::new();
        BufReader::new(s)
            .read_line(&mut reply)
            .map_err(|e| (1, e.to_string()))?;
        return match reply.trim().split_once(' ') {
            Some(("ok", summary)) => Ok(format!("backup written to {}: {summary}", file.display())),
            _ => Err((1, format!("backup failed: {}", reply.trim()))),
        };
    }
    let store = Offline::open(data).map_err(|e| (1, e))?;
    let summary = store.backup(&file).map_err(|e| (1, e))?;
    Ok(format!("backup written to {}: {summary}", file.display()))
}

pub fn restore(file: &Path, data: &Path) -> Outcome {
    if UnixStream::connect(socket_path(data)).is_ok() {
        return Err((
            1,
            "loket is running: stop it first (systemctl stop loket), then restore".to_string(),
        ));
    }
    let summary = backup::verify(file).map_err(|e| (1, format!("not restored: {e}")))?;
    // The database must not be held by anyone (a daemon without its socket, say).
    match Offline::open(data) {
        Ok(held) => drop(held),
        Err(e) if e.starts_with("no database") => {}
        Err(e) => return Err((1, e)),
    }
    std::fs::create_dir_all(data).map_err(|e| (1, e.to_string()))?;
    let db = data.join(crate::app::DB_FILE);
    if db.exists() {
        let keep = data.join(format!(
            "{}.before-restore-{}",
            crate::app::DB_FILE,
            chrono::Utc::now().format("%Y%m%dT%H%M%S")
        ));
        std::fs::rename(&db, &keep).map_err(|e| (1, e.to_string()))?;
    }
    let tmp = data.join(format!("{}.restoring", crate::app::DB_FILE));
    std::fs::copy(file, &tmp).map_err(|e| (1, e.to_string()))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| (1, e.to_string()))?;
    std::fs::rename(&tmp, &db).map_err(|e| (1, e.to_string()))?;
    Ok(format!("restored from {}: {summary}", file.display()))
}
