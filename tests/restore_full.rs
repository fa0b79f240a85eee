//! `loket restore` onto a disk without room for the copy: it fails with a clear message and
//! exit code 1, and the database that was there is untouched and still opens, holding what
//! it held; nothing half-written is left beside it.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use common::tmpfs::Tmpfs;
use common::{TestApp, monday_morning, test_config};
use loket::clock::FakeClock;

fn loket(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .output()
        .expect("run loket");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A box's data directory with `n` tickets of service `service`, stopped.
async fn data_with(dir: &Path, service: &str, n: usize) {
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(dir, clock, test_config()).await;
    for _ in 0..n {
        app.issue(service, false).await;
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_without_room_leaves_the_old_database_as_it_was() {
    // The backup: another box's day, on the technician's stick.
    let elsewhere = tempfile::tempdir().expect("tmp");
    let other = elsewhere.path().join("other");
    data_with(&other, "B", 300).await;
    let backup = elsewhere.path().join("stick.redb");
    let summary = loket::store::offline::Offline::open(&other)
        .expect("open")
        .backup(&backup)
        .expect("backup");
    assert_eq!(summary.tickets, 300);
    let backup_len = std::fs::metadata(&backup).expect("backup").len();

    // This box: two tickets of A, on a disk with less room than the copy needs.
    let disk = Tmpfs::mount("16m");
    let data = disk.path().join("data");
    data_with(&data, "A", 2).await;
    let db = data.join(loket::app::DB_FILE);
    let filler = disk.fill("filler");
    let full = std::fs::metadata(&filler).expect("filler").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .and_then(|f| f.set_len(full.saturating_sub(backup_len / 2)))
        .expect("leave half the room the copy needs");

    let (code, out) = loket(&[
        "restore",
        backup.to_str().expect("utf-8"),
        "--data",
        data.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("No space left on device"), "{out}");
    assert!(out.contains("cannot copy the backup to"), "{out}");

    // The old file is in place; nothing of the failed restore is beside it.
    assert!(db.exists(), "loket.redb is still there");
    let mut left: Vec<String> = std::fs::read_dir(&data)
        .expect("data")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains("restor"))
        .collect();
    left.sort();
    assert!(left.is_empty(), "left behind: {left:?}");

    // It opens and holds its two tickets, and nothing of the backup's.
    std::fs::remove_file(&filler).expect("free the disk");
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(&data, clock, test_config()).await;
    assert_eq!(app.ticket(1).await["number"], "A-001");
    assert_eq!(app.ticket(2).await["number"], "A-002");
    let (status, _) = app.get("/api/v1/tickets/3").await;
    assert_eq!(status, 404);
    app.stop().await;

    // With room, the same restore goes through and the old database is kept beside.
    let (code, out) = loket(&[
        "restore",
        backup.to_str().expect("utf-8"),
        "--data",
        data.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{out}");
    let kept = std::fs::read_dir(&data)
        .expect("data")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .any(|n| n.starts_with("loket.redb.before-restore-"));
    assert!(kept, "the old database is kept beside");
    // The survey key goes aside too: ticket ids repeat after a restore, and an old paper's
    // QR code must not answer for a new ticket.
    let key_aside = std::fs::read_dir(&data)
        .expect("data")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .any(|n| n.starts_with("survey-link.key.before-restore-"));
    assert!(key_aside, "the survey key is set aside");
    assert!(!data.join(loket::survey::link::FILE).exists());
    let restored = loket::store::offline::Offline::open(&data).expect("open");
    drop(restored);
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(&data, clock, test_config()).await;
    assert_eq!(app.ticket(300).await["number"], "B-300");
    app.stop().await;
}
