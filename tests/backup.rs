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
    // The copy is taken once the clients are well under way, however busy the machine is.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().expect("lock").len() < 50 {
        assert!(
            Instant::now() < deadline,
            "the clients issued too few tickets"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

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

/// A restart at 22:30 makes the night's copy at once; a stop right then (SIGTERM) waits for
/// the nightly task to finish: when the stop returns, the copy is whole, the old copies are
/// pruned to `keep` (a long prune, so a stop that does not wait returns in the middle of it),
/// and the database is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_waits_for_the_nightly_backup_under_way() {
    let tmp = tempfile::tempdir().expect("tmp");
    let usb = tmp.path().join("usb");
    std::fs::create_dir_all(&usb).expect("usb");
    let mut config = common::test_config();
    config.backup.dir = Some(usb.clone());
    config.backup.keep = 2;
    for n in 0..2000 {
        std::fs::write(usb.join(format!("loket-2025{n:04}-220000.redb")), b"old").expect("old");
    }
    let data = tmp.path().join("data");
    let running = loket::app::start(loket::app::Options {
        config,
        data_dir: data.clone(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        clock: Arc::new(loket::clock::FakeClock::new(common::wib(
            2026, 11, 30, 22, 30,
        ))),
        open_db: None,
    })
    .await
    .expect("start");
    running.stop().await;

    let mut names: Vec<String> = std::fs::read_dir(&usb)
        .expect("usb")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["loket-20251999-220000.redb", "loket-20261130-223000.redb"]
    );
    let summary = loket::store::backup::verify(&usb.join("loket-20261130-223000.redb"))
        .expect("a whole copy");
    assert_eq!(summary.users, 1, "the first admin");
    loket::store::offline::Offline::open(&data).expect("the database is closed");
}

/// The console's status page: the version with its schema, and the last backup (file and
/// office time), made by the daemon or by `loket backup` with it stopped; kept over a restart.
#[tokio::test]
async fn the_status_page_shows_the_version_and_the_last_backup() {
    use loket::auth::Role;
    let app = common::TestApp::spawn().await;
    let admin = app.staff("kepala", &[Role::Admin]).await;
    let status_page = |app: &common::TestApp, who: &common::StaffSession| {
        app.as_staff(reqwest::Method::GET, "/console/status", who)
            .send()
    };
    let html = status_page(&app, &admin)
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let version = format!(
        "Versi {} (skema basis data {})",
        env!("CARGO_PKG_VERSION"),
        loket::store::SCHEMA_VERSION
    );
    assert!(html.contains(&version), "{html}");
    assert!(
        html.contains(r#"<span id="last-backup">belum ada</span>"#),
        "{html}"
    );

    let copies = tempfile::tempdir().expect("tmp");
    let nightly = copies.path().join("loket-20261130-090500.redb");
    // Monday 30 November, 09.05 WIB (the staff session still open).
    app.clock.set(common::wib(2026, 11, 30, 9, 5));
    app.state()
        .store
        .backup(nightly.clone())
        .await
        .expect("backup");
    let html = status_page(&app, &admin)
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let shown = format!(
        r#"<span id="last-backup">{}, 30-11-2026 09.05</span>"#,
        nightly.display()
    );
    assert!(html.contains(&shown), "{html}");

    // With the daemon stopped, `loket backup` makes the copy itself and records it too.
    let data = app.data_dir.clone();
    // The data directory outlives the first daemon: it is the second one's.
    let kept = app.stop_keeping_data().await;
    let app = {
        let by_hand = copies.path().join("by-hand.redb");
        let (code, out) = loket(&[
            "backup",
            by_hand.to_str().expect("utf-8"),
            "--data",
            data.to_str().expect("utf-8"),
        ]);
        assert_eq!(code, 0, "{out}");
        let clock = Arc::new(loket::clock::FakeClock::new(common::wib(2026, 12, 1, 8, 0)));
        common::TestApp::spawn_in(&data, clock, common::test_config()).await
    };
    let admin = app.staff("kepala2", &[Role::Admin]).await;
    let html = status_page(&app, &admin)
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(&format!(
            r#"<span id="last-backup">{}, "#,
            copies.path().join("by-hand.redb").display()
        )),
        "{html}"
    );
    app.stop().await;
    drop(kept);
}
