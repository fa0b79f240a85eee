//! The local control socket, `DATA/control.sock` (owner only): how `loket backup` asks the
//! running daemon for a consistent copy. Filesystem permissions are the authentication.

use std::path::{Path, PathBuf};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;
use tracing::{info, warn};

use crate::store::StoreHandle;

pub const SOCKET: &str = "control.sock";

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET)
}

/// Serves the socket until the daemon stops.
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
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = closing.wait_for(|c| *c) => {
                let _ = std::fs::remove_file(&path);
                return;
            }
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let store = store.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut line = String::new();
            if BufReader::new(read).read_line(&mut line).await.is_err() {
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
        });
    }
}
