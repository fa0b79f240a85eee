//! Optional HTTPS for offices that want it: a self-signed certificate made at the first
//! start (for the box's names and addresses). The handshake is done per connection, with
//! the header timeout, by the listener (`crate::listen`), so one slow client cannot hold the
//! door for the others.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tracing::info;

/// `DATA/tls/cert.pem` and `key.pem`; made once, kept across restarts so browsers that
/// accepted the certificate keep accepting it.
pub fn ensure_certificate(data_dir: &Path, addrs: &[IpAddr]) -> anyhow::Result<(PathBuf, PathBuf)> {
    let dir = data_dir.join("tls");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(&dir)?;
    let mut names = vec!["localhost".to_string()];
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        let host = host.trim();
        if !host.is_empty() {
            names.push(host.to_string());
            names.push(format!("{host}.local"));
        }
    }
    names.extend(addrs.iter().map(IpAddr::to_string));
    names.push("127.0.0.1".to_string());
    let certified = rcgen::generate_simple_self_signed(names.clone())?;
    std::fs::write(&cert, certified.cert.pem())?;
    crate::app::write_private(&key, &certified.signing_key.serialize_pem())?;
    info!(cert = %cert.display(), ?names, "self-signed HTTPS certificate created");
    Ok((cert, key))
}

pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let certs = CertificateDer::pem_file_iter(cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(key)?;
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)?;
    Ok(Arc::new(config))
}
