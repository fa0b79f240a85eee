//! A disk that stops writing (full, or failing): the request is answered 503 and consumes
//! nothing, the store stops rather than serve state that is not on disk, and a restart on a
//! healthy disk finds exactly what was acknowledged.

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

/// The real file, with writes failing while `fail` is set: the edge a test cannot reach
/// with a real disk.
#[derive(Debug)]
struct FailingDisk {
    inner: FileBackend,
    fail: Arc<AtomicBool>,
}

impl FailingDisk {
    fn check(&self) -> std::io::Result<()> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(std::io::Error::other("injected: no space left on device"));
        }
        Ok(())
    }
}

impl StorageBackend for FailingDisk {
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
async fn a_failing_disk_refuses_the_ticket_and_stops_the_store() {
    let tmp = tempfile::tempdir().expect("tmp");
    let fail = Arc::new(AtomicBool::new(false));
    let path = tmp.path().join(loket::app::DB_FILE);
    let opener: loket::store::Opener = {
        let fail = fail.clone();
        Box::new(move |builder| {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)?;
            builder.create_with_backend(FailingDisk {
                inner: FileBackend::new(file)?,
                fail,
            })
        })
    };
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let config = Config::embedded().expect("config");
    let mut app = TestApp::spawn_with(tmp.path(), clock.clone(), config, Some(opener)).await;
    assert_eq!(app.number("A").await, "A-001");

    fail.store(true, Ordering::SeqCst);
    let (status, body) = app.issue_raw(serde_json::json!({"service": "A"})).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "store_unavailable");
    let why = app.store_failure().await.expect("the store stops");
    assert!(why.contains("reload"), "{why}");
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 503);
    app.stop().await;

    // The disk is replaced by a healthy one: A-001 is there, the refused ticket is not.
    let app = TestApp::spawn_in(tmp.path(), clock, Config::embedded().expect("config")).await;
    let t = app.ticket(1).await;
    assert_eq!(t["number"], "A-001");
    let (status, _) = app.get("/api/v1/tickets/2").await;
    assert_eq!(status, 404);
    assert_eq!(app.number("A").await, "A-002");
    app.stop().await;
}

/// A password reset that cannot be written is said to the administrator on the spot, and
/// nothing of it holds: the account keeps its password and its sessions.
#[tokio::test]
async fn an_account_change_the_disk_refuses_is_reported_and_ends_no_session() {
    let tmp = tempfile::tempdir().expect("tmp");
    let fail = Arc::new(AtomicBool::new(false));
    let path = tmp.path().join(loket::app::DB_FILE);
    let opener: loket::store::Opener = {
        let fail = fail.clone();
        Box::new(move |builder| {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)?;
            builder.create_with_backend(FailingDisk {
                inner: FileBackend::new(file)?,
                fail,
            })
        })
    };
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let config = Config::embedded().expect("config");
    let app = TestApp::spawn_with(tmp.path(), clock.clone(), config, Some(opener)).await;
    let admin = app.staff("kepala", &[loket::auth::Role::Admin]).await;
    let budi = app.staff("budi", &[loket::auth::Role::Operator]).await;

    fail.store(true, Ordering::SeqCst);
    let r = app
        .as_staff(
            reqwest::Method::POST,
            "/console/users/budi/password",
            &admin,
        )
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
