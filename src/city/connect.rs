//! One connection to the city's PostgreSQL: TLS with the pinned certificate, or a Unix
//! socket of the box itself; the password from its own file.

use std::path::Path;
use std::str::FromStr;

use tokio_postgres::Client;
use tokio_postgres::config::{Host, SslMode};
use tracing::debug;

use super::CityError;

/// Where and how to connect: `[city]`'s fields, or the `loket city` command's flags.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub url: &'a str,
    pub password_file: Option<&'a Path>,
    pub server_certificate: Option<&'a Path>,
}

impl<'a> From<&'a crate::config::CityConfig> for Target<'a> {
    fn from(c: &'a crate::config::CityConfig) -> Self {
        Self {
            url: &c.url,
            password_file: c.password_file.as_deref(),
            server_certificate: c.server_certificate.as_deref(),
        }
    }
}

/// Opens a connection; its I/O runs on a task of its own until the client is dropped.
pub async fn connect(target: &Target<'_>) -> Result<Client, CityError> {
    let mut config = tokio_postgres::Config::from_str(target.url)
        .map_err(|e| CityError::Config(format!("url: {e}")))?;
    if let Some(file) = target.password_file {
        let text = std::fs::read_to_string(file)
            .map_err(|e| CityError::Config(format!("password_file {}: {e}", file.display())))?;
        config.password(text.trim_end_matches(['\r', '\n']));
    }
    // An unreachable server must fail the attempt, not hold it: the exporter retries.
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(15));
    }
    let local_only = !config.get_hosts().is_empty()
        && config
            .get_hosts()
            .iter()
            .all(|h| matches!(h, Host::Unix(_)));
    match target.server_certificate {
        Some(pem) => {
            let tls = super::pinned::client_config(pem).map_err(CityError::Config)?;
            config.ssl_mode(SslMode::Require);
            let (client, connection) = config
                .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
                .await?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    debug!(error = %e, "city connection ended");
                }
            });
            Ok(client)
        }
        None if local_only => {
            let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    debug!(error = %e, "city connection ended");
                }
            });
            Ok(client)
        }
        None => Err(CityError::Config(
            "tanpa sertifikat server hanya soket Unix di mesin ini / without a server certificate only a Unix socket of this box"
                .to_string(),
        )),
    }
}
