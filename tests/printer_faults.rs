//! The daemon with a network printer (a fake ESC/POS printer on loopback that parses what it
//! gets): tickets arrive whole; paper end refuses without consuming a number; a connection
//! lost mid-job, or a printer that stops answering, never yields a ticket that gets called.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::escpos::Cmd;
use common::fake_printer::{COVER_OPEN, FakePrinter, Fault, ONLINE, PAPER_END};
use common::{TestApp, monday_morning};
use loket::clock::FakeClock;
use loket::config::{Config, EMBEDDED_DEFAULT};
use loket::printer::raster::render_number;
use serde_json::json;

const BASE: &str = "http://loket.kantor:8080";

async fn app_with(printer: &FakePrinter, policy: &str) -> (TestApp, tempfile::TempDir) {
    let src = EMBEDDED_DEFAULT
        .replace(
            "kind = \"auto\"",
            &format!(
                "kind = \"tcp\"\naddress = \"{}\"\ntimeout_ms = 400\nstatus_interval_secs = 1",
                printer.addr
            ),
        )
        .replace(
            "on_failure = \"refuse\"",
            &format!("on_failure = \"{policy}\""),
        )
        .replace("base_url = \"\"", &format!("base_url = \"{BASE}\""));
    let config = Config::from_toml_str(&src).expect("config");
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    (app, tmp)
}

fn texts(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter().filter_map(Cmd::text).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_reach_the_printer_whole() {
    let printer = FakePrinter::start();
    let (app, _tmp) = app_with(&printer, "refuse").await;
    let t = app.issue("A", false).await;
    assert_eq!(t["print"], "printed");
    let jobs = printer.take_jobs();
    assert_eq!(jobs.first(), Some(&Cmd::Init));
    assert_eq!(jobs.last(), Some(&Cmd::Cut(66, 0)));
    let number = render_number("A-001", 384);
    assert!(jobs.contains(&Cmd::Raster {
        width_bytes: 48,
        height: number.height,
        data: number.bits,
    }));
    // The ticket's own page, with the key that lets it answer the survey once served.
    let qr_prefix = format!("{BASE}/t/1?k=").into_bytes();
    assert!(
        jobs.iter()
            .any(|j| matches!(j, Cmd::QrStore(url) if url.starts_with(&qr_prefix) && url.len() > qr_prefix.len())),
        "{jobs:?}"
    );
    assert!(texts(&jobs).contains(&"30 November 2026 09:00 WIB".to_string()));

    // The staff's test page goes the same way.
    let r = app
        .as_staff(reqwest::Method::POST, "/api/v1/printer/test", &app.operator)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert!(texts(&printer.take_jobs()).contains(&"CETAK UJI / TEST PRINT".to_string()));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_end_refuses_without_consuming_a_number_and_paper_back_resumes() {
    let printer = FakePrinter::start();
    let (app, _tmp) = app_with(&printer, "refuse").await;
    assert_eq!(app.number("B").await, "B-001");
    let mut events = app.state().events.subscribe();

    printer.set_status(PAPER_END);
    let started = Instant::now();
    let (s, body) = app.issue_raw(json!({"service": "B"})).await;
    assert_eq!(s, 503, "{body}");
    assert_eq!(body["error"]["code"], "printer_not_ready");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Kertas habis")),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    let e = events.recv().await.expect("event");
    let e = serde_json::to_value(&*e).expect("json");
    assert_eq!(e["type"], "printer_status");
    assert_eq!(e["label"], "Kertas habis");
    assert_eq!(
        app.health().await["store"]["tickets_today"],
        1,
        "nothing consumed"
    );

    printer.set_status(COVER_OPEN);
    let (s, body) = app.issue_raw(json!({"service": "B"})).await;
    assert_eq!(s, 503);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Penutup"))
    );

    printer.set_status(ONLINE);
    assert_eq!(app.number("B").await, "B-002", "no number was lost");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_lost_mid_job_holds_the_ticket_until_reprinted() {
    let printer = FakePrinter::start();
    let (app, _tmp) = app_with(&printer, "refuse").await;
    printer.set_fault(Fault::DropAfter(200));
    let (s, body) = app.issue_raw(json!({"service": "A"})).await;
    assert_eq!(s, 503, "{body}");
    assert_eq!(body["error"]["code"], "print_failed");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("A-001"))
    );

    let q = app.queue().await;
    assert_eq!(q["unprinted"][0]["number"], "A-001");
    assert_eq!(q["services"][0]["waiting"], 0);
    assert_eq!(
        app.call_next(1).await,
        None,
        "a number nobody holds is never called"
    );
    let t = app.ticket(1).await;
    assert_eq!(t["print"], "failed");

    // Staff reprint it once the printer is back: now it can be called.
    let r = app
        .as_staff(
            reqwest::Method::POST,
            "/api/v1/tickets/1/reprint",
            &app.operator,
        )
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.ticket(1).await["print"], "printed");
    assert!(
        app.queue().await["unprinted"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_printer_is_unreachable_and_refused_in_time() {
    let printer = FakePrinter::start();
    let (app, _tmp) = app_with(&printer, "refuse").await;
    printer.set_fault(Fault::Silent);
    let started = Instant::now();
    let (s, body) = app.issue_raw(json!({"service": "C"})).await;
    assert_eq!(s, 503, "{body}");
    assert_eq!(body["error"]["code"], "printer_not_ready");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(app.health().await["store"]["tickets_today"], 0);
    printer.set_fault(Fault::None);
    assert_eq!(app.number("C").await, "C-001");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_ticket_can_be_voided() {
    let printer = FakePrinter::start();
    let (app, _tmp) = app_with(&printer, "refuse").await;
    printer.set_fault(Fault::DropAfter(50));
    let (s, _) = app.issue_raw(json!({"service": "D"})).await;
    assert_eq!(s, 503);
    let r = app
        .as_staff(
            reqwest::Method::POST,
            "/api/v1/tickets/1/void",
            &app.operator,
        )
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let t = app.ticket(1).await;
    assert_eq!(t["state"], "cancelled");
    assert!(
        app.queue().await["unprinted"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    assert_eq!(
        app.number("D").await,
        "D-002",
        "a voided number is never reused"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_on_screen_issues_and_shows_the_number_when_paper_fails() {
    let printer = FakePrinter::start();
    let (app, _tmp) = app_with(&printer, "show_on_screen").await;
    printer.set_status(PAPER_END);
    let t = app.issue("A", false).await;
    assert_eq!(t["number"], "A-001");
    assert_eq!(t["print"], "on_screen");
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));
    app.stop().await;
}

#[tokio::test]
async fn the_tracking_page_shows_number_and_wait_only() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    app.issue("A", false).await;
    let r = app
        .client
        .get(app.url("/t/2"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.expect("html");
    assert!(html.contains("A-002"));
    assert!(html.contains("1 orang di depan Anda"), "{html}");
    let r = app
        .client
        .get(app.url("/t/99"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 404);
    app.stop().await;
}
