//! A panic inside the store's transaction (redb panics on some damaged pages; here the
//! disk under it panics on write, at a moment the test chooses) fails that request with
//! `store_damaged` and never kills the daemon: the batch is abandoned like a failed commit,
//! memory is read back from the file, healthz says `damaged`, the lobby and the kiosk go on.
//! The real damaged page, and `loket check`: `corrupt_page.rs`.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use common::faulty_disk::{Fault, FaultyDisk};
use common::{TestApp, monday_morning};
use loket::clock::FakeClock;
use loket::config::Config;

#[tokio::test]
async fn a_panic_in_the_store_fails_the_request_and_the_daemon_stays_up() {
    let tmp = tempfile::tempdir().expect("tmp");
    let disk = FaultyDisk::new(tmp.path(), Fault::Panic);
    let panic = disk.on.clone();
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let config = Config::embedded().expect("config");
    let mut app = TestApp::spawn_with(tmp.path(), clock.clone(), config, Some(disk.opener)).await;
    assert_eq!(app.number("A").await, "A-001");

    panic.store(true, Ordering::SeqCst);
    let (status, body) = app.issue_raw(serde_json::json!({"service": "A"})).await;
    panic.store(false, Ordering::SeqCst);
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "store_damaged", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Basis data rusak")),
        "{body}"
    );
    assert!(app.store_failure().await.is_none(), "the store stopped");

    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["store"]["status"], "damaged", "{health}");
    // Every table still reads: the damage was met, none is named.
    assert_eq!(health["store"]["tables"], serde_json::json!([]), "{health}");
    let display = app
        .client
        .get(app.url("/display"))
        .send()
        .await
        .expect("display");
    assert_eq!(display.status().as_u16(), 200);
    // Memory did not run ahead of the file: the abandoned ticket's number is issued next.
    assert_eq!(app.number("A").await, "A-002");
    assert_eq!(app.queue().await["services"][0]["waiting"], 2);
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("loket_store_damaged 1"), "{metrics}");
    app.stop().await;
}
