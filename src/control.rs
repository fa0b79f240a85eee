//! The local control socket, `DATA/control.sock` (owner only): how `loket backup` asks the
//! running daemon for a consistent copy. Filesystem permissions are the authentication.

use std::path::{Path, PathBuf};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinSet;
use tracing::{info, warn};

use crate::store::StoreHandle;

pub const SOCKET: &str = "control.sock";

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET)
}

/// Serves the socket until the daemon stops; returns once the requests under way are answered.
pub async fn serve(
    data_dir: PathBuf,
    store: StoreHandle,
    mut closing: tokio::sync::watch::Receiver<bool>,
) {
    let path = socket_path(&data_dir);
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            warn!(path = %path.display(), error = %e, "no control socket: `loket backup` will need the daemon stopped");
            return;
        }
    };
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            // Reaps finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            _ = closing.wait_for(|c| *c) => break,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        connections.spawn(answer(stream, store.clone(), closing.clone()));
    }
    // Gone before the stop returns: a daemon started next in the same directory binds its own.
    let _ = std::fs::remove_file(&path);
    // A backup asked for is made and answered; the caller was told nothing else.
    while connections.join_next().await.is_some() {}
}

async fn answer(
    stream: UnixStream,
    store: StoreHandle,
    mut closing: tokio::sync::watch::Receiver<bool>,
) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut line = String::new();
    // A client that connected but sent nothing yet does not hold the stop.
    let read = tokio::select! {
        r = read.read_line(&mut line) => r,
        _ = closing.wait_for(|c| *c) => return,
    };
    if read.is_err() {
        return;
    }
    let reply = match line.trim().split_once(' ') {
        Some(("backup", dest)) if dest.starts_with('/') => {
            match store.backup(PathBuf::from(dest)).await {
                Ok(summary) => {
                    info!(file = dest, %summary, "backup written");
                    format!("ok {summary}\n")
                }
                Err(e) => format!("error {e}\n"),
            }
        }
        _ => "error unknown command\n".to_string(),
    };
    let _ = write.write_all(reply.as_bytes()).await;
}
