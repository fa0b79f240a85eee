//! A panic inside the store's transaction (redb panics on some damaged pages; here the
//! disk under it panics on write, at a moment the test chooses) fails that request with
//! `store_damaged` and never kills the daemon: the batch is abandoned like a failed commit,
//! memory is read back from the file, healthz says `damaged`, the lobby and the kiosk go on.
//! The real damaged page, and `loket check`: `corrupt_page.rs`.

mod common;

use std::fs::OpenOptions;
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{TestApp, monday_morning};
use loket::clock::FakeClock;
use loket::config::Config;
use redb::StorageBackend;
use redb::backends::FileBackend;

#[derive(Debug)]
struct PanickingDisk {
    inner: FileBackend,
    panic: Arc<AtomicBool>,
}

impl PanickingDisk {
    fn check(&self) -> std::io::Result<()> {
        if self.panic.load(Ordering::SeqCst) {
            panic!("invalid page: injected");
        }
        Ok(())
    }
}

impl StorageBackend for PanickingDisk {
    fn len(&self) -> std::io::Result<u64> {
        self.inner.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        self.inner.read(offset, out)
    }
    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.check()?;
        self.inner.set_len(len)
    }
    fn sync_data(&self) -> std::io::Result<()> {
        self.check()?;
        self.inner.sync_data()
    }
    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.check()?;
        self.inner.write(offset, data)
    }
    fn close(&self) -> std::io::Result<()> {
        self.inner.close()
    }
    fn try_lock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<bool, redb::BackendError> {
        self.inner.try_lock_range(s, e)
    }
    fn try_lock_shared_range(
        &self,
        s: Bound<u64>,
        e: Bound<u64>,
    ) -> Result<bool, redb::BackendError> {
        self.inner.try_lock_shared_range(s, e)
    }
    fn lock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<(), redb::BackendError> {
        self.inner.lock_range(s, e)
    }
    fn lock_shared_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<(), redb::BackendError> {
        self.inner.lock_shared_range(s, e)
    }
    fn unlock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<(), redb::BackendError> {
        self.inner.unlock_range(s, e)
    }
    fn query_lock_range(&self, s: Bound<u64>, e: Bound<u64>) -> Result<bool, redb::BackendError> {
        self.inner.query_lock_range(s, e)
    }
}

#[tokio::test]
async fn a_panic_in_the_store_fails_the_request_and_the_daemon_stays_up() {
    let tmp = tempfile::tempdir().expect("tmp");
    let panic = Arc::new(AtomicBool::new(false));
    let path = tmp.path().join(loket::app::DB_FILE);
    let opener: loket::store::Opener = {
        let panic = panic.clone();
        Box::new(move |builder| {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)?;
            builder.create_with_backend(PanickingDisk {
                inner: FileBackend::new(file)?,
                panic: panic.clone(),
            })
        })
    };
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let config = Config::embedded().expect("config");
    let mut app = TestApp::spawn_with(tmp.path(), clock.clone(), config, Some(opener)).await;
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
