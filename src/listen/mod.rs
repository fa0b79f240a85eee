//! The HTTP(S) listener: our own accept loop around hyper, so that no host on the LAN can take
//! the kiosk and the lobby display offline by holding connections.
//!
//! - A connection over the cap is closed at once (not left queued in the kernel), and the
//!   refusals are logged at most every ten seconds with their count.
//! - Anonymous addresses share the cap less a reserve, each at most `max_per_address`;
//!   reserved addresses (loopback, `limits.reserved`) may use the whole cap.
//! - A connection must send a complete request head within `header_timeout` of opening or of
//!   its previous response (hyper restarts the timer when a keep-alive connection goes
//!   idle), a TLS handshake must finish within it too, and a request body must arrive within
//!   `body_timeout`. Responses are not timed: the event streams are long-lived by design.
//! - Accept errors (EMFILE, ENFILE) pause the loop, 50 ms doubling to 1 s, logged once per
//!   burst.
//! - At the stop the listening socket is closed first, idle connections are closed, and
//!   requests under way are answered before `serve` returns.

mod backoff;
mod body_deadline;
pub mod fd_limit;
pub mod slots;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;
use tracing::{debug, info, warn};

use crate::config::Limits;
use backoff::{Backoff, LogEvery};
use slots::{Refusal, Slot, Slots};

/// How often a line about refused connections may be logged.
const REFUSALS_LOGGED_EVERY: Duration = Duration::from_secs(10);
/// The most a connection buffers while reading: a request head (line and headers) longer than
/// this is refused with 431 (hyper's floor is 8 KiB).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Headers per request: browsers send about 20.
const MAX_HEADERS: usize = 64;

/// Serves `app` on `listener` (TLS when `tls` is given) until `shutdown` resolves; then stops
/// accepting, closes idle connections and returns once those under way have been answered.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    slots: Arc<Slots>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let (closing_tx, closing) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut backoff = Backoff::default();
    let mut refusals = LogEvery::new(REFUSALS_LOGGED_EVERY);
    let limits = Arc::new(limits);
    tokio::pin!(shutdown);
    loop {
        let report = refusals.due_at();
        let accepted = tokio::select! {
            a = listener.accept() => a,
            // Reaps finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            // The rest of a burst of refusals, once no more come.
            () = sleep_until(report), if report.is_some() => {
                if let Some(count) = refusals.flush(Instant::now()) {
                    warn!(refused = count, open = slots.open(), cap = slots.cap(),
                        "connections refused (over the connection limits)");
                }
                continue;
            }
            () = &mut shutdown => break,
        };
        let (tcp, peer) = match accepted {
            Ok(c) => c,
            Err(e) => {
                let (pause, first) = backoff.failed();
                if first {
                    warn!(error = %e, open = slots.open(), "accept error: pausing the listener");
                }
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    () = &mut shutdown => break,
                }
                continue;
            }
        };
        if let Some(errors) = backoff.succeeded() {
            info!(errors, "accepting again");
        }
        let slot = match slots.take(peer.ip()) {
            Ok(slot) => slot,
            Err(why) => {
                if let Some(count) = refusals.hit(Instant::now()) {
                    let reason = match why {
                        Refusal::Full => "all connections for unreserved addresses are taken",
                        Refusal::PerAddress => "the address holds its limits.max_per_address",
                    };
                    warn!(%peer, refused = count, open = slots.open(), cap = slots.cap(), reason,
                        "connections refused");
                }
                // Closed at once: the client sees the connection end instead of waiting.
                drop(tcp);
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        connections.spawn(connection(
            tcp,
            peer,
            slot,
            tls.clone(),
            app.clone(),
            limits.clone(),
            closing.clone(),
        ));
    }
    // The port is free from here: a daemon started next can bind it.
    drop(listener);
    let _ = closing_tx.send(true);
    while connections.join_next().await.is_some() {}
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: Arc<Limits>,
    mut closing: watch::Receiver<bool>,
) {
    // Held until the connection ends.
    let _slot = slot;
    match tls {
        None => http(tcp, peer, app, &limits, closing).await,
        Some(acceptor) => {
            let handshake = tokio::time::timeout(limits.header_timeout, acceptor.accept(tcp));
            let stream = tokio::select! {
                r = handshake => r,
                _ = closing.wait_for(|c| *c) => return,
            };
            match stream {
                Ok(Ok(tls)) => http(tls, peer, app, &limits, closing).await,
                Ok(Err(e)) => debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
}

/// HTTP/1.1 on one connection, with the header and body deadlines.
async fn http<I>(
    io: I,
    peer: SocketAddr,
    app: Router,
    limits: &Limits,
    mut closing: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let body_timeout = limits.body_timeout;
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let mut req = req.map(|b| Body::new(body_deadline::Deadline::new(b, body_timeout)));
        // Handlers read the client address from here (audit, throttling, kiosk limit).
        req.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(req)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // hyper's default read buffer is ~400 KiB: a host holding unfinished request heads
        // on every connection it may open could make the box hold hundreds of MiB. No
        // request of ours has a head near 16 KiB.
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let ended = tokio::select! {
        r = conn.as_mut() => Some(r),
        _ = closing.wait_for(|c| *c) => None,
    };
    let ended = match ended {
        Some(r) => r,
        None => {
            // Idle: closed now; a request under way: answered, then closed.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        debug!(%peer, error = %e, "connection ended");
    }
}
