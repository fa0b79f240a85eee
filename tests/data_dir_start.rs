//! A data directory that was used before but whose database is now missing or empty (a
//! truncated file after a full disk, a bad copy) is refused at start, exit code 2, with a
//! message naming `loket restore` and `loket serve --init`, and nothing is created. `--init`
//! is the deliberate fresh start: the old files are kept aside, and the new database's audit
//! log records it.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::child::{Daemon, always_open_config};

/// `loket serve` on `data`; waits (up to 20 s) for it to exit; its code and log.
fn serve_expecting_exit(data: &Path) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(always_open_config())
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("loket started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut names: Vec<(String, u64)> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| {
            let e = e.ok()?;
            Some((e.file_name().into_string().ok()?, e.metadata().ok()?.len()))
        })
        .collect();
    names.sort();
    names
}

async fn issue(base: &str) -> serde_json::Value {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/tickets"))
        .json(&serde_json::json!({"service": "A"}))
        .send()
        .await
        .expect("issue");
    assert_eq!(r.status(), 201);
    r.json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_or_missing_database_beside_used_data_is_refused_and_init_starts_afresh() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let config = always_open_config();
    let daemon = Daemon::start(&config, &data);
    assert_eq!(issue(&daemon.base).await["number"], "A-001");
    daemon.kill();
    assert!(
        data.join(loket::data_dir::MARKER).exists(),
        "marked at the first start"
    );
    let db = data.join(loket::app::DB_FILE);

    // Truncated to nothing, as a full disk or a bad copy leaves it.
    std::fs::write(&db, b"").expect("truncate");
    let before = listing(&data);
    let (code, log) = serve_expecting_exit(&data);
    assert_eq!(code, 2, "{log}");
    for needle in [
        "kosong",
        "pernah dipakai",
        "is empty",
        "loket restore FILE",
        "loket serve --init",
        loket::data_dir::MARKER,
    ] {
        assert!(log.contains(needle), "{needle:?} not in: {log}");
    }
    assert_eq!(listing(&data), before, "nothing created or changed");

    // Gone altogether: refused the same way.
    std::fs::remove_file(&db).expect("remove");
    let before = listing(&data);
    let (code, log) = serve_expecting_exit(&data);
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("is missing"), "{log}");
    assert_eq!(listing(&data), before, "nothing created");

    // The deliberate fresh start.
    let daemon = Daemon::start_with(&config, &data, &["--init"]);
    assert_eq!(issue(&daemon.base).await["number"], "A-001");
    daemon.kill();
    let kept: Vec<_> = std::fs::read_dir(&data)
        .expect("data")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("before-init-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let aside = data.join(&kept[0]);
    assert!(aside.join(loket::data_dir::MARKER).exists());
    assert!(aside.join("initial-admin-password").exists());
    assert!(
        aside.join(loket::survey::link::FILE).exists(),
        "a fresh start gets a new survey key"
    );
    let store = loket::store::offline::Offline::open(&data).expect("the new database");
    let entries = store.audit_entries().expect("audit");
    let init = entries
        .iter()
        .find(|e| e.action == "data_initialised")
        .expect("the fresh start is audited");
    assert!(init.target.contains("before-init-"), "{init:?}");
    drop(store);

    // --init on a database that holds data is refused: it is no way to wipe a box.
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["serve", "--init", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        assert!(
            Instant::now() < deadline,
            "--init over data was not refused"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds data"));
}
