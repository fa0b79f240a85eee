//! `loket city serve`: the city view (docs/city.md, "City view: server"). The same binary
//! as the office's daemon, without redb: it reads the city's PostgreSQL as a read-only role
//! and shows the offices side by side to the Walikota's staff, the Inspektorat and the heads
//! of office. The office daemon's hardened listener (`crate::listen`: timeouts, connection
//! caps), its login throttling and its rate limiter are used as they are.

mod accounts;
mod chart;
pub mod db;
mod ikm;
mod login;
mod overdue;
pub mod page;
mod range;
mod session;
pub mod today;
mod waits;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing::info;

use crate::auth::Throttle;
use crate::clock::Clock;
use crate::config::CityViewConfig;
use crate::web::RateLimiter;

/// Requests one address may make in a minute, pages and logins together: a person clicking
/// through the view makes a few; a script hammering the city's database is cut off.
pub const REQUESTS_PER_MINUTE: u32 = 120;
/// Login attempts one address may send in a minute (the throttle locks wrong passwords on
/// top of this).
pub const LOGINS_PER_MINUTE: u32 = 20;

/// What every handler shares.
#[derive(Clone)]
pub struct State {
    pub config: Arc<CityViewConfig>,
    pub db: Arc<db::Db>,
    pub clock: Arc<dyn Clock>,
    sessions: Arc<session::Sessions>,
    throttle: Arc<Mutex<Throttle>>,
    login_slots: Arc<tokio::sync::Semaphore>,
    login_limit: Arc<RateLimiter>,
    request_limit: Arc<RateLimiter>,
}

pub struct Options {
    pub config: CityViewConfig,
    pub clock: Arc<dyn Clock>,
}

/// The view, serving.
pub struct Running {
    /// The bound addresses (a configured port 0 is the one the system gave).
    pub addrs: Vec<SocketAddr>,
    shutdown: Vec<oneshot::Sender<()>>,
    servers: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, answers the requests under way, returns.
    pub async fn stop(self) {
        for s in self.shutdown {
            let _ = s.send(());
        }
        for s in self.servers {
            let _ = s.await;
        }
    }
}

pub fn router(state: State) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { (StatusCode::SEE_OTHER, [(LOCATION, today::HREF)]) }),
        )
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", post(login::logout))
        .route(today::HREF, get(today::page))
        .route(waits::HREF, get(waits::page))
        .route(overdue::HREF, get(overdue::page))
        .route(ikm::HREF, get(ikm::page))
        .route(accounts::HREF, get(accounts::page))
        .fallback(not_found)
        // The forms are a few short fields, and /login and /logout are open to anyone: the
        // office's small limit, not axum's 2 MB default.
        .layer(axum::extract::DefaultBodyLimit::max(crate::web::BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_requests,
        ))
        .with_state(state)
}

async fn not_found(axum::extract::State(app): axum::extract::State<State>) -> Response {
    page::error(
        &app,
        StatusCode::NOT_FOUND,
        "Halaman tidak ditemukan.",
        "Page not found.",
    )
}

/// Per address, every request: the office's token bucket.
async fn limit_requests(
    axum::extract::State(app): axum::extract::State<State>,
    req: Request,
    next: Next,
) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_canonical());
    if let Some(ip) = ip
        && !app.request_limit.allow(ip, app.clock.now())
    {
        return page::error(
            &app,
            StatusCode::TOO_MANY_REQUESTS,
            "Terlalu banyak permintaan dari alamat ini. Tunggu sebentar.",
            "Too many requests from this address. Wait a moment.",
        );
    }
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    // The view is never framed by another site, and says so.
    headers.insert(
        axum::http::header::X_FRAME_OPTIONS,
        axum::http::HeaderValue::from_static("DENY"),
    );
    headers.insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("same-origin"),
    );
    response.into_response()
}

/// Binds every configured address and serves. The database is not needed to start: a page
/// asked while it is down says so (503), and the next request connects again.
pub async fn start(opts: Options) -> anyhow::Result<Running> {
    let config = Arc::new(opts.config);
    let tls = match &config.tls {
        Some((cert, key)) => Some(tokio_rustls::TlsAcceptor::from(
            crate::tls::server_config(cert, key)
                .map_err(|e| anyhow::anyhow!("tls: {} / {}: {e}", cert.display(), key.display()))?,
        )),
        None => None,
    };
    let state = State {
        db: Arc::new(db::Db::new(config.database.clone())),
        clock: opts.clock,
        sessions: Arc::new(session::Sessions::new(config.sessions)),
        throttle: Arc::new(Mutex::new(Throttle::default())),
        login_slots: Arc::new(tokio::sync::Semaphore::new(2)),
        login_limit: Arc::new(RateLimiter::with_burst(
            LOGINS_PER_MINUTE,
            LOGINS_PER_MINUTE,
        )),
        request_limit: Arc::new(RateLimiter::new(REQUESTS_PER_MINUTE)),
        config: config.clone(),
    };
    // Bound before anything is served: an address in use fails the start as a whole.
    let mut listeners = Vec::new();
    for addr in &config.listen {
        let l = TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("listen {addr}: {e}"))?;
        listeners.push(l);
    }
    let slots = crate::listen::slots::Slots::new(
        config.limits.clone(),
        crate::listen::fd_limit::size_cap(config.limits.max_connections),
    );
    let app = router(state);
    let mut running = Running {
        addrs: Vec::new(),
        shutdown: Vec::new(),
        servers: Vec::new(),
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    for listener in listeners {
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        running.servers.push(tokio::spawn(crate::listen::serve(
            listener,
            tls.clone(),
            app.clone(),
            slots.clone(),
            config.limits.clone(),
            async {
                let _ = rx.await;
            },
        )));
        running.shutdown.push(tx);
        running.addrs.push(addr);
        info!(%addr, "listening");
        info!("city view: {scheme}://{addr}/");
    }
    Ok(running)
}
