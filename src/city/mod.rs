//! The city: each office's append-only records shipped to a central PostgreSQL
//! (docs/city.md). The store keeps the outbox (`store::outbox`); this module holds the
//! server's schema and its migrations, the connection (TLS with a pinned certificate) and the
//! exporter task that empties the outbox into the server; `view` reads the offices' records
//! back for the city's pages.

pub mod backfill;
pub mod connect;
pub mod export;
mod pinned;
pub mod schema;
pub mod serve;
pub mod view;
pub mod viewers;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum CityError {
    /// What the configuration or the command line gave cannot be used (exit code 2).
    #[error("{0}")]
    Config(String),
    #[error("PostgreSQL: {0}")]
    Db(#[from] tokio_postgres::Error),
    /// The database holds something this build does not know how to continue from.
    #[error("{0}")]
    Schema(String),
}
