//! Backups of a running box: a copy taken while clients issue tickets restores to a state
//! holding every ticket acknowledged before it; a restore checks the copy and refuses while
//! the daemon runs.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::child::{Daemon, always_open_config};
use serde_json::{Value, json};

fn loket(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .output()
        .expect("loket");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

type Acked = Arc<Mutex<Vec<(u64, String, Instant)>>>;

async fn issue_until(base: String, stop: Arc<AtomicBool>, acked: Acked) {
    let client = reqwest::Client::new();
    while !stop.load(Ordering::Relaxed) {
        let Ok(r) = client
            .post(format!("{base}/api/v1/tickets"))
            .json(&json!({"service": "B"}))
            .send()
            .await
        else {
            return;
        };
        if r.status().as_u16() != 201 {
            return;
        }
        let Ok(t) = r.json::<Value>().await else {
            return;
        };
        let at = Instant::now();
        acked.lock().expect("lock").push((
            t["id"].as_u64().expect("id"),
            t["number"].as_str().unwrap_or_default().to_string(),
            at,
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_every_acknowledged_ticket() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = always_open_config();
    let data = tmp.path().join("data");
    let daemon = Daemon::start(&config, &data);
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Acked = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(issue_until(
                daemon.base.clone(),
                stop.clone(),
                acked.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let file = tmp.path().join("copy.redb");
    let (file_s, data_s) = (
        file.to_str().expect("utf-8").to_string(),
        data.to_str().expect("utf-8").to_string(),
    );
    let started = Instant::now();
    let (code, out) =
        tokio::task::spawn_blocking(move || loket(&["backup", &file_s, "--data", &data_s]))
            .await
            .expect("backup");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("backup written"), "{out}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.expect("client");
    }
    let during = acked.lock().expect("lock").clone();
    assert!(
        during.iter().any(|(_, _, at)| *at > started),
        "clients kept issuing while the copy was made"
    );
    daemon.kill();

    // Restore into a fresh box and check every ticket acknowledged before the backup began.
    let data2 = tmp.path().join("data2");
    let (code, out) = loket(&[
        "restore",
        file.to_str().expect("utf-8"),
        "--data",
        data2.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{out}");
    let daemon2 = Daemon::start(&config, &data2);
    let client = reqwest::Client::new();
    let before: Vec<_> = during.iter().filter(|(_, _, at)| *at < started).collect();
    assert!(before.len() > 20, "{}", before.len());
    for (id, number, _) in &before {
        let got: Value = client
            .get(format!("{}/api/v1/tickets/{id}", daemon2.base))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        assert_eq!(got["number"], number.as_str(), "ticket {id}");
    }

    // Restoring over a running daemon is refused; a file that is no database is refused.
    let (code, out) = loket(&[
        "restore",
        file.to_str().expect("utf-8"),
        "--data",
        data2.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("loket is running"), "{out}");
    daemon2.kill();
    let junk = tmp.path().join("junk.redb");
    std::fs::write(&junk, b"not a database").expect("write");
    let (code, out) = loket(&[
        "restore",
        junk.to_str().expect("utf-8"),
        "--data",
        data2.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("not restored"), "{out}");
}
