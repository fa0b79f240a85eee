//! The view's one connection to the city's PostgreSQL, shared behind a mutex and opened
//! again when it was lost.
//!
//! One connection, not a pool: the city view has a handful of readers (the Walikota's staff,
//! the Inspektorat, a few heads of office), each page is a few indexed queries of
//! milliseconds, and one connection is one backend process on the city's server. A pool
//! would add a dependency and hold idle backends for nobody. Queries wait their turn on the
//! mutex; each page's work is cut off after `QUERY_TIMEOUT`, an attempt to connect after
//! `[database] connect_timeout_seconds`, and no request waits its turn longer than a page may
//! take, so a stuck server cannot hold the others for long.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use tokio_postgres::Client;
use tracing::{info, warn};

use crate::city::CityError;
use crate::config::CityDatabase;

/// A page's queries together.
const QUERY_TIMEOUT: Duration = Duration::from_secs(20);
/// After an attempt to connect that failed slowly (a server that does not answer), requests
/// are told at once that the database is down for this long, instead of each waiting its
/// turn for its own attempt. A refused connection costs nothing: the next request tries
/// again at once, so the view is back the moment the server is.
const RETRY_AFTER: Duration = Duration::from_secs(3);
const SLOW_FAILURE: Duration = Duration::from_secs(1);

/// Why a page could not be read.
#[derive(Debug)]
pub enum DbError {
    /// The server cannot be reached, or the connection broke: try again later (503).
    Down(String),
    /// The server answered with an error (a query of ours, a privilege missing).
    Failed(String),
    /// The server cancelled a statement at its `statement_timeout` (a long range on a
    /// large city): the connection stays.
    TooLong,
}

pub struct Db {
    config: CityDatabase,
    client: Mutex<Option<Client>>,
    failed_at: std::sync::Mutex<Option<Instant>>,
}

pub type Work<'c, T> = Pin<Box<dyn Future<Output = Result<T, CityError>> + Send + 'c>>;

impl Db {
    pub fn new(config: CityDatabase) -> Self {
        Self {
            config,
            client: Mutex::new(None),
            failed_at: std::sync::Mutex::new(None),
        }
    }

    /// Runs `work` on the connection, connecting first when there is none (or it closed).
    /// A connection that failed or timed out is dropped: the next request opens a new one.
    pub async fn run<T>(
        &self,
        work: impl for<'c> FnOnce(&'c mut Client) -> Work<'c, T>,
    ) -> Result<T, DbError> {
        self.run_within(QUERY_TIMEOUT, work).await
    }

    /// `run` with another limit on the work: a page whose query sets its own
    /// `statement_timeout` gives it room to be cancelled by the server first.
    pub async fn run_within<T>(
        &self,
        limit: Duration,
        work: impl for<'c> FnOnce(&'c mut Client) -> Work<'c, T>,
    ) -> Result<T, DbError> {
        // A request waits its turn no longer than a page may take: behind a page or an
        // attempt to connect that hangs, the others are told at once that the database is
        // busy instead of piling up until the listener's caps turn everyone away.
        let Ok(mut guard) = tokio::time::timeout(QUERY_TIMEOUT, self.client.lock()).await else {
            warn!("waited too long for the city database connection");
            return Err(DbError::Down("busy".to_string()));
        };
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = None;
            let recent = self
                .failed_at
                .lock()
                .ok()
                .and_then(|f| *f)
                .is_some_and(|at| at.elapsed() < RETRY_AFTER);
            if recent {
                return Err(DbError::Down("recently unreachable".to_string()));
            }
            let began = Instant::now();
            // The whole attempt is bounded, not only the TCP connect (tokio-postgres's
            // `connect_timeout`): a server that accepts and then says nothing in the TLS
            // handshake or the login would otherwise hold the mutex, and every page, forever.
            let within = self.config.connect_timeout;
            let attempt = match tokio::time::timeout(within, self.connect()).await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err(format!("no connection within {} s", within.as_secs())),
            };
            match attempt {
                Ok(c) => {
                    info!("connected to the city database");
                    *guard = Some(c);
                }
                Err(e) => {
                    warn!(error = %e, "the city database cannot be reached");
                    if began.elapsed() >= SLOW_FAILURE
                        && let Ok(mut f) = self.failed_at.lock()
                    {
                        *f = Some(Instant::now());
                    }
                    return Err(DbError::Down(e));
                }
            }
        }
        let Some(client) = guard.as_mut() else {
            return Err(DbError::Down("no connection".to_string()));
        };
        match tokio::time::timeout(limit, work(client)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                if cancelled(&e) {
                    warn!(error = %e, "a city database query ran past its statement timeout");
                    Err(DbError::TooLong)
                } else if client.is_closed() || lost(&e) {
                    *guard = None;
                    warn!(error = %e, "the city database connection was lost");
                    Err(DbError::Down(e.to_string()))
                } else {
                    warn!(error = %e, "a city database query failed");
                    Err(DbError::Failed(e.to_string()))
                }
            }
            Err(_) => {
                warn!("city database queries timed out: the connection is dropped");
                // The session's `statement_timeout` ends the query on the server; dropping
                // the client alone would leave it running there until it finished.
                *guard = None;
                Err(DbError::Down("timed out".to_string()))
            }
        }
    }
}

impl Db {
    /// Opens the connection and gives its session the pages' limit as `statement_timeout`:
    /// a page's query that outlives the page (cut off after `QUERY_TIMEOUT`, its client
    /// dropped) is then cancelled by the server rather than left running there. The waits
    /// page sets its own, longer one with `SET LOCAL`.
    async fn connect(&self) -> Result<Client, CityError> {
        let target = crate::city::connect::Target {
            url: &self.config.url,
            password_file: self.config.password_file.as_deref(),
            server_certificate: self.config.server_certificate.as_deref(),
        };
        let client = crate::city::connect::connect(&target).await?;
        client
            .batch_execute(&format!(
                "SET statement_timeout = {}",
                QUERY_TIMEOUT.as_millis()
            ))
            .await?;
        Ok(client)
    }
}

/// The server cancelled the statement (`57014 query_canceled`: its `statement_timeout`).
fn cancelled(e: &CityError) -> bool {
    matches!(e, CityError::Db(e) if e.code() == Some(&tokio_postgres::error::SqlState::QUERY_CANCELED))
}

/// An error that says the connection is gone (no answer from the server, or the server
/// ending the session: a shutdown, a restart), not a refusal of the query.
fn lost(e: &CityError) -> bool {
    match e {
        CityError::Db(e) => {
            e.is_closed()
                || e.as_db_error()
                    .is_none_or(|d| matches!(d.severity(), "FATAL" | "PANIC"))
        }
        _ => false,
    }
}
