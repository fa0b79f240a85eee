//! A clock set far ahead (a year, as at the office) and then corrected: no service day
//! begins by itself, the kiosk refuses tickets with a clear message, healthz and metrics
//! say so, and when the clock comes back nothing happened; an administrator may confirm
//! the new day instead (audited). A plain next working day still begins by itself.

mod common;

use std::sync::Arc;

use common::{TestApp, test_config, wib};
use loket::auth::Role;
use loket::clock::FakeClock;
use reqwest::Method;
use serde_json::Value;

async fn metrics(app: &TestApp) -> String {
    app.client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text")
}

#[tokio::test]
async fn a_year_ahead_and_back_changes_nothing() {
    let app = TestApp::spawn().await;
    assert_eq!(app.number("A").await, "A-001");
    assert_eq!(app.number("A").await, "A-002");

    // A year ahead, inside opening hours.
    app.clock.set(wib(2027, 11, 30, 9, 30));
    let (status, body) = app.issue_raw(serde_json::json!({"service": "A"})).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "clock_suspect", "{body}");
    let msg = body["error"]["message"].as_str().expect("message");
    assert!(msg.starts_with("Jam sistem tidak wajar"), "{msg}");
    let health = app.health().await;
    assert_eq!(health["store"]["service_day"], "2026-11-30", "{health}");
    assert_eq!(health["store"]["clock_suspect"], true, "{health}");
    assert_eq!(health["store"]["clock_day"], "2027-11-30", "{health}");
    assert!(metrics(&app).await.contains("loket_clock_suspect 1"));
    // The queue keeps the last day: its tickets are still waiting.
    assert_eq!(app.queue().await["service_day"], "2026-11-30");

    // Corrected: nothing happened, numbering continues.
    app.clock.set(wib(2026, 11, 30, 10, 0));
    assert_eq!(app.number("A").await, "A-003");
    let health = app.health().await;
    assert_eq!(health["store"]["clock_suspect"], false, "{health}");
    assert!(health["store"].get("clock_day").is_none(), "{health}");
    assert!(metrics(&app).await.contains("loket_clock_suspect 0"));

    // A restart while the clock is wrong does not begin the day either.
    app.clock.set(wib(2027, 11, 30, 9, 30));
    let app = app.restart().await;
    assert_eq!(app.health().await["store"]["service_day"], "2026-11-30");
    app.clock.set(wib(2026, 11, 30, 10, 5));
    assert_eq!(app.number("A").await, "A-004");

    // The next working day begins by itself, as always.
    app.clock.set(wib(2026, 12, 1, 8, 0));
    assert_eq!(app.number("A").await, "A-001");
    app.stop().await;
}

#[tokio::test]
async fn a_weekend_is_not_a_suspect_clock() {
    let app = TestApp::spawn().await;
    // Through the week to Friday, then Monday: the next opening after the weekend.
    for day in 1..=4 {
        app.clock.set(wib(2026, 12, day, 9, 0));
        assert_eq!(app.number("A").await, "A-001");
    }
    app.clock.set(wib(2026, 12, 7, 9, 0));
    assert_eq!(app.number("A").await, "A-001");
    assert_eq!(app.health().await["store"]["service_day"], "2026-12-07");
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_confirms_the_new_day_and_it_is_audited() {
    let app = TestApp::spawn().await;
    assert_eq!(app.number("A").await, "A-001");
    app.clock.set(wib(2027, 11, 30, 9, 30));
    let confirm = |s| {
        app.as_staff(Method::POST, "/api/v1/service-day/confirm", s)
            .send()
    };
    // An operator may not (sessions from a year ago ended: staff log in again).
    let op = app.staff("rina", &[Role::Operator]).await;
    assert_eq!(confirm(&op).await.expect("r").status(), 403);
    assert_eq!(app.health().await["store"]["service_day"], "2026-11-30");

    let admin = app.staff("kepala", &[Role::Admin]).await;
    let home = app
        .as_staff(Method::GET, "/console", &admin)
        .send()
        .await
        .expect("r")
        .text()
        .await
        .expect("html");
    assert!(home.contains("Jam sistem tidak wajar"), "{home}");
    assert!(home.contains("30 November 2027"), "{home}");
    assert!(home.contains("Mulai hari layanan baru"), "{home}");
    // The console's button asks first; unconfirmed, nothing begins.
    let r = app
        .as_staff(Method::POST, "/console/service-day", &admin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}", admin.csrf))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains("Ya, mulai hari baru")
    );
    assert_eq!(app.health().await["store"]["service_day"], "2026-11-30");

    let r = confirm(&admin).await.expect("r");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["service_day"], "2027-11-30", "{body}");
    assert_eq!(body["clock_suspect"], false, "{body}");
    assert_eq!(app.number("A").await, "A-001");
    let entries = app.state().store.audit_entries().await.expect("audit");
    let confirmed = entries
        .iter()
        .find(|e| e.action == "service_day_confirmed")
        .expect("audited");
    assert_eq!(confirmed.actor, "kepala");
    assert_eq!(confirmed.target, "2027-11-30");
    app.stop().await;
}

#[tokio::test]
async fn the_console_button_begins_the_day_after_its_confirmation() {
    let app = TestApp::spawn().await;
    app.clock.set(wib(2027, 11, 30, 9, 30));
    let admin = app.staff("kepala", &[Role::Admin]).await;
    let r = app
        .as_staff(Method::POST, "/console/service-day", &admin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&confirm=ya", admin.csrf))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let health = app.health().await;
    assert_eq!(health["store"]["service_day"], "2027-11-30", "{health}");
    assert_eq!(health["store"]["clock_suspect"], false, "{health}");
    let home = app
        .as_staff(Method::GET, "/console", &admin)
        .send()
        .await
        .expect("r")
        .text()
        .await
        .expect("html");
    assert!(!home.contains("Jam sistem tidak wajar"), "{home}");
    assert!(
        home.contains("Hari layanan baru dimulai: 30 November 2027."),
        "{home}"
    );
    app.stop().await;
}

/// A new box boots with its image's date and the store begins that day; then the clock is
/// synchronised, months ahead. No ticket was ever issued, so nothing can repeat: the day
/// follows the clock without an administrator.
#[tokio::test]
async fn a_new_box_follows_its_clock_forward_until_the_first_ticket() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(FakeClock::new(wib(2025, 3, 3, 9, 0)));
    let app = TestApp::spawn_in(tmp.path(), clock, test_config()).await;
    assert_eq!(app.health().await["store"]["service_day"], "2025-03-03");

    app.clock.set(wib(2026, 11, 30, 9, 30));
    assert_eq!(app.number("A").await, "A-001");
    let health = app.health().await;
    assert_eq!(health["store"]["service_day"], "2026-11-30", "{health}");
    assert_eq!(health["store"]["clock_suspect"], false, "{health}");

    // From the first ticket on, the rule holds: a year ahead waits for a confirmation.
    app.clock.set(wib(2027, 11, 30, 9, 30));
    let (status, body) = app.issue_raw(serde_json::json!({"service": "A"})).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "clock_suspect", "{body}");
    app.stop().await;
}
