//! A TCP proxy between an office and the city's PostgreSQL, run by the test, that breaks the
//! network on demand. TLS passes through it untouched (it forwards bytes), so the office
//! still sees the pinned certificate.
//!
//! - `Forward`: bytes go both ways.
//! - `Cut`: every live connection is closed, both halves, mid-stream; a new connection is
//!   reset as soon as it is accepted (a refusal: the client's attempt fails at once).
//! - `Blackhole`: a network that vanished without a reset. Live connections stop forwarding
//!   (the server's side is dropped, the client's is read and its bytes swallowed, nothing is
//!   answered); new connections are accepted and swallowed the same way. Only the client's
//!   own timeouts get it out.
//!
//! Back to `Forward`, new connections are forwarded again; a connection that was cut or
//! blackholed stays dead, as it would after a real outage.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Forward,
    Cut,
    Blackhole,
}

/// What the proxy did, for the test to wait on.
#[derive(Debug, Default)]
pub struct Counts {
    /// Connections accepted and forwarded to the server.
    pub forwarded: AtomicU64,
    /// Connections reset at once while cut.
    pub refused: AtomicU64,
    /// Connections accepted while blackholed (never forwarded).
    pub swallowed: AtomicU64,
    /// Live connections closed by a cut.
    pub cut: AtomicU64,
    /// Live connections gone silent in a blackhole.
    pub stalled: AtomicU64,
    /// Bytes from the client delivered to the server.
    pub bytes_up: AtomicU64,
}

pub struct TcpProxy {
    pub port: u16,
    mode: watch::Sender<Mode>,
    pub counts: Arc<Counts>,
    task: tokio::task::JoinHandle<()>,
}

impl TcpProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let (mode, rx) = watch::channel(Mode::Forward);
        let counts = Arc::new(Counts::default());
        let c = counts.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(serve(client, upstream, rx.clone(), c.clone()));
            }
        });
        Self {
            port,
            mode,
            counts,
            task,
        }
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }

    pub fn count(&self, which: fn(&Counts) -> &AtomicU64) -> u64 {
        which(&self.counts).load(Ordering::SeqCst)
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
        // Live connections see the mode's sender go and close.
    }
}

async fn serve(
    client: TcpStream,
    upstream: SocketAddr,
    mut mode: watch::Receiver<Mode>,
    counts: Arc<Counts>,
) {
    let now = *mode.borrow_and_update();
    match now {
        Mode::Cut => {
            // A reset, not an orderly close: what a refused or broken path looks like.
            let _ = client.set_zero_linger();
            counts.refused.fetch_add(1, Ordering::SeqCst);
            return;
        }
        Mode::Blackhole => {
            counts.swallowed.fetch_add(1, Ordering::SeqCst);
            swallow(client, mode).await;
            return;
        }
        Mode::Forward => {}
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    counts.forwarded.fetch_add(1, Ordering::SeqCst);
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let (mut up, mut down) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
    loop {
        tokio::select! {
            r = cr.read(&mut up) => match r {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if sw.write_all(&up[..n]).await.is_err() {
                        return;
                    }
                    counts.bytes_up.fetch_add(n as u64, Ordering::SeqCst);
                }
            },
            r = sr.read(&mut down) => match r {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if cw.write_all(&down[..n]).await.is_err() {
                        return;
                    }
                }
            },
            changed = mode.changed() => {
                let now = *mode.borrow_and_update();
                match (changed, now) {
                    (Err(_), _) | (Ok(()), Mode::Cut) => {
                        // Both halves closed mid-stream: dropping the four halves.
                        counts.cut.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                    (Ok(()), Mode::Blackhole) => {
                        counts.stalled.fetch_add(1, Ordering::SeqCst);
                        drop((sr, sw));
                        let client = cr.reunite(cw).expect("halves of one stream");
                        swallow(client, mode).await;
                        return;
                    }
                    (Ok(()), Mode::Forward) => {}
                }
            }
        }
    }
}

/// Reads and discards what the client sends, answers nothing, until the client gives up (or
/// the test cuts the network or ends).
async fn swallow(mut client: TcpStream, mut mode: watch::Receiver<Mode>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        tokio::select! {
            r = client.read(&mut buf) => match r {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            },
            changed = mode.changed() => {
                if changed.is_err() || *mode.borrow_and_update() == Mode::Cut {
                    return;
                }
            }
        }
    }
}
