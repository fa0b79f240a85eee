//! A disk that stops writing (injected EIO): the request is answered 503 and consumes
//! nothing, the daemon stays up in degraded mode, resumes once the disk writes again, and a
//! restart finds exactly what was acknowledged. The real full disk: `disk_full.rs`.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use common::faulty_disk::{Fault, FaultyDisk};
use common::{TestApp, monday_morning};
use loket::clock::FakeClock;
use loket::config::Config;

#[tokio::test]
async fn a_failing_disk_refuses_the_ticket_keeps_the_daemon_up_and_recovers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let disk = FaultyDisk::new(tmp.path(), Fault::Eio);
    let fail = disk.on.clone();
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let config = Config::embedded().expect("config");
    let mut app = TestApp::spawn_with(tmp.path(), clock.clone(), config, Some(disk.opener)).await;
    assert_eq!(app.number("A").await, "A-001");

    fail.store(true, Ordering::SeqCst);
    for _ in 0..2 {
        let (status, body) = app.issue_raw(serde_json::json!({"service": "A"})).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["error"]["code"], "store_unavailable");
        assert_eq!(body["error"]["message"], loket::web::STORE_UNWRITABLE);
    }
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["store"]["status"], "degraded");
    assert_eq!(health["store"]["reason"], "io_error");
    assert_eq!(
        health["store"]["tickets_today"], 1,
        "the last committed count"
    );
    assert!(
        health["store"]["refused_writes"].as_u64() >= Some(2),
        "{health}"
    );
    assert!(
        !health
            .to_string()
            .contains(tmp.path().to_str().expect("utf-8"))
    );
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("loket_store_writable 0"), "{metrics}");
    assert!(metrics.contains("loket_store_degraded{reason=\"io_error\"} 1"));

    // The disk works again: the next ticket takes the next number (the store may be
    // between two tries of the disk; a refusal meanwhile consumes nothing).
    fail.store(false, Ordering::SeqCst);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let next = loop {
        let (status, body) = app.issue_raw(serde_json::json!({"service": "A"})).await;
        if status == 201 {
            break body;
        }
        assert_eq!(status, 503, "{body}");
        assert!(
            std::time::Instant::now() < deadline,
            "never resumed: {body}"
        );
        tokio::task::yield_now().await;
    };
    assert_eq!(next["number"], "A-002");
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["store"]["status"], "ok");
    assert!(
        app.store_failure().await.is_none(),
        "the store never stopped"
    );
    app.stop().await;

    // Restarted: are there, nothing refused is.
    let app = TestApp::spawn_in(tmp.path(), clock, Config::embedded().expect("config")).await;
    assert_eq!(app.ticket(1).await["number"], "A-001");
    assert_eq!(app.ticket(2).await["number"], "A-002");
    let (status, _) = app.get("/api/v1/tickets/3").await;
    assert_eq!(status, 404);
    assert_eq!(app.number("A").await, "A-003");
    app.stop().await;
}

/// A password reset that cannot be written is said to the administrator on the spot, and
/// nothing of it holds: the account keeps its password and its sessions.
#[tokio::test]
async fn an_account_change_the_disk_refuses_is_reported_and_ends_no_session() {
    let tmp = tempfile::tempdir().expect("tmp");
    let disk = FaultyDisk::new(tmp.path(), Fault::Eio);
    let fail = disk.on.clone();
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let config = Config::embedded().expect("config");
    let app = TestApp::spawn_with(tmp.path(), clock.clone(), config, Some(disk.opener)).await;
    let admin = app.staff("kepala", &[loket::auth::Role::Admin]).await;
    let budi = app.staff("budi", &[loket::auth::Role::Operator]).await;

    fail.store(true, Ordering::SeqCst);
    let r = app
        .as_staff(
            reqwest::Method::POST,
            "/console/users/budi/password",
            &admin,
        )
        // Confirmed, as the console's confirmation page posts it.
        .header("content-type", "application/x-www-form-urlencoded")
        .body("confirm=ya")
        .send()
        .await
        .expect("reset");
    assert_eq!(r.status(), 503);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Penyimpanan data sedang tidak tersedia: tidak ada yang diubah."),
        "{html}"
    );
    assert!(!html.contains("Kata sandi sementara"), "no password shown");
    app.stop().await;

    // On a healthy disk: budi's session and password are as they were.
    let app = TestApp::spawn_in(tmp.path(), clock, Config::embedded().expect("config")).await;
    let r = app
        .as_staff(reqwest::Method::GET, "/console", &budi)
        .send()
        .await
        .expect("console");
    assert_eq!(r.status(), 200, "budi's session lives on");
    let (status, _) = app.login("budi", common::TEST_PASSWORD).await;
    assert_eq!(status, 303, "budi's password is unchanged");
    app.stop().await;
}
