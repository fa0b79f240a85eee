//! Optional HTTPS: the first start makes a self-signed certificate for the box's names and
//! addresses; a client that trusts it gets through, the session cookie is marked Secure,
//! and the same certificate is kept across restarts.

mod common;

use std::sync::Arc;

use common::{TEST_PASSWORD, TestApp, monday_morning, test_config};
use loket::auth::Role;
use loket::clock::FakeClock;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 request over TLS to 127.0.0.1, trusting only `cert`.
async fn https(port: u16, cert: &[u8], request: &str) -> String {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(cert) {
        roots.add(c.expect("pem")).expect("root");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("tcp");
    let name = ServerName::try_from("127.0.0.1").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("TLS handshake");
    tls.write_all(request.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await.expect("read");
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn https_with_a_certificate_made_at_first_start() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut config = test_config();
    config.https = true;
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_https(tmp.path(), clock.clone(), config.clone()).await;
    let port = app.port();
    let cert = std::fs::read(tmp.path().join("tls/cert.pem")).expect("certificate");
    let key = tmp.path().join("tls/key.pem");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&key).expect("key").permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the private key is the service's only");

    let health = https(
        port,
        &cert,
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    app.create_user("tls-op", &[Role::Operator]).await;
    let body = format!("username=tls-op&password={TEST_PASSWORD}");
    let login = https(
        port,
        &cert,
        &format!(
            "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(login.starts_with("HTTP/1.1 303"), "{login}");
    let cookie = login
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .expect("cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");

    // Plain HTTP to the TLS port gets nowhere.
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await;
    assert!(plain.is_err() || plain.is_ok_and(|r| !r.status().is_success()));

    // A restart keeps the certificate browsers have accepted.
    let dir = app.data_dir.clone();
    let _keep = app.stop_keeping_data().await;
    let app = TestApp::spawn_https(&dir, clock, config).await;
    assert_eq!(
        std::fs::read(dir.join("tls/cert.pem")).expect("certificate"),
        cert
    );
    let health = https(
        app.port(),
        &cert,
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    app.stop().await;
}
