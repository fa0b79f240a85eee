//! A damaged page of the database file: `loket check` names the table and exits 1, `serve
//! --check` refuses to start, `audit verify` does not panic, and a daemon started on the
//! file stays up after a request that meets the damage (healthz says `damaged`, the lobby
//! display still answers).

mod common;

use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestApp, test_config, wib};
use loket::clock::FakeClock;

fn loket(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run loket");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("loket {args:?} did not exit");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Overwrites in place (the file may be open) every 4 KiB page that holds `needle` with
/// garbage; returns how many.
fn damage_pages_holding(file: &std::path::Path, needle: &[u8]) -> usize {
    use std::io::{Seek, SeekFrom, Write};
    let bytes = std::fs::read(file).expect("read db");
    let mut pages = Vec::new();
    for at in 0..bytes.len().saturating_sub(needle.len()) {
        if &bytes[at..at + needle.len()] == needle {
            let page = at / 4096;
            if !pages.contains(&page) {
                pages.push(page);
            }
        }
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(file)
        .expect("open db");
    for &p in &pages {
        // The first pages hold redb's header and allocator state: the damage is a table's.
        assert!(p > 2, "the record is in the header page {p}");
        let garbage: Vec<u8> = (0..4096).map(|i| 0xA5 ^ (i as u8)).collect();
        f.seek(SeekFrom::Start((p * 4096) as u64)).expect("seek");
        f.write_all(&garbage).expect("write");
    }
    f.sync_all().expect("sync");
    pages.len()
}

/// Monday's tickets are history once Tuesday began: a damaged page among them is met only
/// when something reads it, as the office's was met only by `audit verify`.
#[tokio::test]
async fn a_damaged_page_is_named_by_check_and_refused_without_a_panic() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for i in 0..400 {
        let service = ["A", "B", "C", "D"][i % 4];
        ids.push(app.issue(service, false).await["id"].as_u64().expect("id"));
    }
    app.clock.set(tuesday());
    app.issue("A", false).await;
    let tmp = app.stop_keeping_data().await.expect("data dir");
    let victim = ids[200];
    let needle = format!("{{\"id\":{victim},\"service_day\"");
    let db = tmp.path().join(loket::app::DB_FILE);
    let n = damage_pages_holding(&db, needle.as_bytes());
    assert!(n >= 1, "ticket {victim} not found in the file");
    let data = tmp.path().to_str().expect("utf-8 path");

    // The check reads every table: it names `tickets`, exits 1, and passes the others.
    let o = loket(&["check", "--data", data]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let tickets = out
        .lines()
        .find(|l| l.starts_with("tickets "))
        .unwrap_or_else(|| panic!("no line for tickets: {out}"));
    assert!(tickets.contains("DAMAGED"), "{out}");
    for sound in ["meta ", "users ", "sessions ", "audit "] {
        let line = out
            .lines()
            .find(|l| l.starts_with(sound))
            .unwrap_or_else(|| panic!("no line for {sound}: {out}"));
        assert!(line.contains(" OK "), "{out}");
    }
    assert!(out.contains("DAMAGED: tickets"), "{out}");

    // `audit verify` on the same file: an answer, never a panic (exit 101).
    let o = loket(&["audit", "verify", "--data", data]);
    assert_ne!(o.status.code(), Some(101), "{}", text(&o));

    // Opening it for writing reads every page (redb): the start fails with the damage
    // named and the way on, rather than a panic of the runtime.
    let clock = Arc::new(FakeClock::new(tuesday()));
    let started = loket::app::start(loket::app::Options {
        config: test_config(),
        data_dir: tmp.path().to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        clock,
        open_db: None,
    })
    .await;
    match started {
        Err(e) => assert!(format!("{e:#}").contains("loket check"), "{e:#}"),
        Ok(running) => {
            running.stop().await;
            panic!("the daemon started on a damaged file");
        }
    }

    // `serve --check` refuses to start on it, with the report.
    let config = common::child::always_open_config();
    let o = loket(&[
        "serve",
        "--check",
        "--config",
        config.to_str().expect("utf-8"),
        "--data",
        data,
        "--listen",
        "127.0.0.1:0",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("tickets"), "{out}");
}

fn tuesday() -> chrono::DateTime<chrono::Utc> {
    wib(2026, 12, 1, 9, 0)
}
