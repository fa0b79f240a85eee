//! A full disk, for real: the data directory on a small tmpfs, filled with a filler file.
//! The daemon stays up in degraded mode (tickets refused with a 503 and an Indonesian
//! message, the lobby and the queue still shown, `/healthz` degraded), takes tickets again
//! with the next number once space is freed, and after a restart holds every ticket it
//! acknowledged and none it refused.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::escpos::Cmd;
use common::fake_printer::FakePrinter;
use common::tmpfs::Tmpfs;
use common::{TestApp, monday_morning};
use loket::clock::FakeClock;
use loket::config::{Config, EMBEDDED_DEFAULT};
use serde_json::json;

/// The shipped configuration with a network ticket printer (a USB printer in the office):
/// its paper is not on the full disk, unlike the spool the embedded default falls back to.
fn with_printer(printer: &FakePrinter) -> Config {
    let src = EMBEDDED_DEFAULT.replace(
        "kind = \"auto\"",
        &format!(
            "kind = \"tcp\"\naddress = \"{}\"\ntimeout_ms = 400\nstatus_interval_secs = 1",
            printer.addr
        ),
    );
    let mut config = Config::from_toml_str(&src).expect("config");
    config.kiosk.max_tickets_per_minute = 0;
    config
}

fn cuts(printer: &FakePrinter) -> usize {
    let jobs = printer.take_jobs();
    jobs.iter().filter(|c| matches!(c, Cmd::Cut(..))).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_tickets_keeps_serving_and_resumes_when_space_returns() {
    let disk = Tmpfs::mount("8m");
    let printer = FakePrinter::start();
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(disk.path(), clock.clone(), with_printer(&printer)).await;
    let mut acknowledged = vec![app.number("A").await];

    let filler = disk.fill("filler");
    // redb may still find room among pages the file already holds: tickets go on being
    // taken (and are on disk) until a commit needs more. Then the refusal.
    let refusal = loop {
        let (status, body) = app.issue_raw(json!({"service": "A"})).await;
        match status {
            201 => acknowledged.push(body["number"].as_str().expect("number").to_string()),
            503 => break body,
            _ => panic!("{status} {body}"),
        }
        assert!(acknowledged.len() < 500, "the disk never filled");
    };
    assert_eq!(refusal["error"]["code"], "store_unavailable");
    assert_eq!(refusal["error"]["message"], loket::web::STORE_UNWRITABLE);
    assert!(
        refusal["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Penyimpanan penuh atau rusak")),
        "{refusal}"
    );
    let last = acknowledged.last().expect("one").clone();
    // Paper for every ticket taken, none for the refused one: it is refused before printing.
    assert_eq!(cuts(&printer), acknowledged.len());

    // The office keeps its screens: the lobby display and the queue are served, from what
    // was committed; health says why it is degraded, without a path.
    let display = app
        .client
        .get(app.url("/display"))
        .send()
        .await
        .expect("display");
    assert_eq!(display.status(), 200);
    let queue = app.queue().await;
    assert!(queue.to_string().contains(&last), "{queue}");
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["store"]["status"], "degraded");
    assert_eq!(health["store"]["reason"], "disk_full");
    assert_eq!(health["store"]["tickets_today"], acknowledged.len());
    let path = disk.path().to_str().expect("utf-8");
    assert!(!health.to_string().contains(path), "{health}");
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
    assert!(metrics.contains("loket_store_degraded{reason=\"disk_full\"} 1"));

    // Space comes back: the next ticket takes the next number. The store may be between
    // tries of the disk; a refusal meanwhile consumes nothing.
    std::fs::remove_file(&filler).expect("free the disk");
    let deadline = Instant::now() + Duration::from_secs(15);
    let next = loop {
        let (status, body) = app.issue_raw(json!({"service": "A"})).await;
        if status == 201 {
            break body["number"].as_str().expect("number").to_string();
        }
        assert_eq!(status, 503, "{body}");
        assert!(Instant::now() < deadline, "never resumed: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(next, format!("A-{:03}", acknowledged.len() + 1));
    acknowledged.push(next);
    assert_eq!(
        cuts(&printer),
        1,
        "only the ticket taken after the space came back"
    );
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["store"]["status"], "ok");

    // After a restart: every acknowledged ticket, in order, and nothing else.
    let app = app.restart().await;
    for (i, number) in acknowledged.iter().enumerate() {
        let t = app.ticket(i as u64 + 1).await;
        assert_eq!(t["number"], number.as_str());
        // A print whose outcome the full disk refused was recorded once it took writes.
        assert_eq!(t["print"], "printed", "{t}");
    }
    let (status, _) = app
        .get(&format!("/api/v1/tickets/{}", acknowledged.len() + 1))
        .await;
    assert_eq!(status, 404, "a refused ticket was not kept");
    app.stop().await;
}
