//! Every bad request is answered as the API promises and changes nothing: no number is
//! consumed, no state moves.

mod common;

use common::{TestApp, wib};
use serde_json::{Value, json};

/// Queue, tickets today and the event sequence: a refused request moves none of them.
async fn snapshot(app: &TestApp) -> (Value, Value, Value) {
    let q = app.queue().await;
    let h = app.health().await;
    (
        q,
        h["store"]["tickets_today"].clone(),
        h["store"]["event_seq"].clone(),
    )
}

async fn post_raw(app: &TestApp, body: Vec<u8>, content_type: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url("/api/v1/tickets"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request");
    let s = r.status().as_u16();
    (s, r.json().await.expect("json error body"))
}

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    let msg = body["error"]["message"].as_str().expect("message");
    assert!(!msg.is_empty());
}

#[tokio::test]
async fn bad_ticket_requests_are_refused_and_consume_nothing() {
    let app = TestApp::spawn().await;
    assert_eq!(app.number("A").await, "A-001");
    let before = snapshot(&app).await;
    let mut events = app.state().events.subscribe();

    let (s, b) = app.issue_raw(json!({"service": "Z"})).await;
    assert_eq!(s, 422);
    assert_error(&b, "unknown_service");

    let (s, b) = post_raw(&app, b"{\"service\": \"A\"".to_vec(), "application/json").await;
    assert_eq!(s, 400);
    assert_error(&b, "malformed_json");

    let (s, b) = app.issue_raw(json!({"service": 7})).await;
    assert_eq!(s, 400);
    assert_error(&b, "invalid_body");

    let (s, b) = app.issue_raw(json!({"service": "A", "nik": "3171"})).await;
    assert_eq!(s, 400, "unknown fields are refused, not ignored");
    assert_error(&b, "invalid_body");

    let mut big = b"{\"service\":\"A\",\"x\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 17 * 1024));
    big.extend(b"\"}");
    let (s, b) = post_raw(&app, big, "application/json").await;
    assert_eq!(s, 413);
    assert_error(&b, "body_too_large");

    let (s, b) = post_raw(
        &app,
        b"service=A".to_vec(),
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!(s, 415);
    assert_error(&b, "unsupported_media_type");

    // Closed: Monday 20:00, and on Saturday.
    app.clock.set(wib(2026, 11, 30, 20, 0));
    let (s, b) = app.issue_raw(json!({"service": "A"})).await;
    assert_eq!(s, 409);
    assert_error(&b, "service_closed");
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("13.00–15.30")),
        "{b}"
    );
    app.clock.set(wib(2026, 11, 30, 12, 30)); // lunch break
    let (s, _) = app.issue_raw(json!({"service": "A"})).await;
    assert_eq!(s, 409);

    app.clock.set(common::monday_morning());
    assert_eq!(snapshot(&app).await, before, "nothing changed");
    assert!(events.try_recv().is_err(), "no event was published");
    assert_eq!(app.number("A").await, "A-002", "no number was consumed");
    app.stop().await;
}

#[tokio::test]
async fn bad_counter_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    let before = snapshot(&app).await;
    let mut events = app.state().events.subscribe();
    let (s, b) = app.op(9, "call-next", None).await;
    assert_eq!(s, 404);
    assert_error(&b, "not_found");
    let (s, b) = app.op(1, "dance", None).await;
    assert_eq!(s, 404);
    assert_error(&b, "not_found");
    let (s, b) = app.op(1, "finish", None).await;
    assert_eq!(s, 409);
    assert_error(&b, "counter_idle");
    let (s, b) = app
        .op(1, "call-next", Some(json!({"unexpected": true})))
        .await;
    assert_eq!(s, 400);
    assert_error(&b, "malformed_json");
    let (s, b) = app.get("/api/v1/tickets/999").await;
    assert_eq!(s, 404);
    assert_error(&b, "not_found");
    let (s, b) = app.get("/api/v1/tickets/abc").await;
    assert_eq!(s, 404);
    assert_error(&b, "not_found");
    let r = app
        .as_staff(
            reqwest::Method::POST,
            "/api/v1/counters/1/transfer",
            &app.operator,
        )
        .header("content-type", "application/json")
        .body(vec![b' '; 17 * 1024])
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 413);
    assert_error(&r.json().await.expect("json"), "body_too_large");
    let r = app
        .as_staff(
            reqwest::Method::GET,
            "/api/v1/counters/1/call-next",
            &app.operator,
        )
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 405);
    assert_error(&r.json().await.expect("json"), "method_not_allowed");
    assert_eq!(snapshot(&app).await, before);
    assert!(events.try_recv().is_err(), "no event was published");
    app.stop().await;
}

#[tokio::test]
async fn ticket_lookup_shows_no_personal_data() {
    let app = TestApp::spawn().await;
    let t = app.issue("A", false).await;
    let got = app.ticket(t["id"].as_u64().expect("id")).await;
    let keys: Vec<&str> = got
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    for k in &keys {
        assert!(
            [
                "id",
                "number",
                "service",
                "service_name",
                "priority",
                "state",
                "state_label",
                "print",
                "issued_at",
                "service_day",
                "people_ahead",
                "estimated_wait_minutes",
                "counter",
                "counter_name"
            ]
            .contains(k),
            "unexpected field {k}"
        );
    }
    assert_eq!(got["issued_at"], "2026-11-30T09:00:00+07:00");
    app.stop().await;
}

#[tokio::test]
async fn holidays_close_the_office_whatever_the_weekday() {
    let app = TestApp::spawn().await;
    // Friday 25 December 2026, 09:00: inside Friday's hours, but Christmas (the built-in
    // 2026 holiday file).
    app.walk_clock_to(wib(2026, 12, 25, 9, 0)).await;
    let (s, b) = app.issue_raw(json!({"service": "B"})).await;
    assert_eq!(s, 409);
    assert_error(&b, "holiday");
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Kelahiran Yesus Kristus")),
        "{b}"
    );
    let q = app.queue().await;
    assert_eq!(q["holiday"], "Kelahiran Yesus Kristus");
    assert!(
        q["services"]
            .as_array()
            .expect("services")
            .iter()
            .all(|s| s["open"] == false)
    );
    assert_eq!(app.health().await["store"]["tickets_today"], 0);
    app.walk_clock_to(wib(2026, 12, 28, 9, 0)).await;
    assert_eq!(app.number("B").await, "B-001");
    app.stop().await;
}

/// Thursday 24 December 2026 is cuti bersama: the kiosk follows
/// `working_hours.cuti_bersama_is_working_day`.
#[tokio::test]
async fn cuti_bersama_closes_the_office_unless_it_is_worked() {
    let app = TestApp::spawn().await;
    app.walk_clock_to(wib(2026, 12, 24, 9, 0)).await;
    let (s, b) = app.issue_raw(json!({"service": "B"})).await;
    assert_eq!(s, 409);
    assert_error(&b, "holiday");
    assert_eq!(
        app.queue().await["holiday"],
        "Cuti Bersama Kelahiran Yesus Kristus"
    );
    assert_eq!(app.health().await["store"]["tickets_today"], 0);
    app.stop().await;

    let tmp = tempfile::tempdir().expect("tmp");
    let src = loket::config::EMBEDDED_DEFAULT.replace(
        "cuti_bersama_is_working_day = false",
        "cuti_bersama_is_working_day = true",
    );
    let mut config = loket::config::Config::from_toml_str(&src).expect("config");
    config.kiosk.max_tickets_per_minute = 0;
    let clock = std::sync::Arc::new(loket::clock::FakeClock::new(wib(2026, 12, 24, 9, 0)));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    assert_eq!(app.queue().await["holiday"], serde_json::Value::Null);
    assert_eq!(app.number("B").await, "B-001");
    // Christmas itself stays closed.
    app.walk_clock_to(wib(2026, 12, 25, 9, 0)).await;
    let (s, _) = app.issue_raw(json!({"service": "B"})).await;
    assert_eq!(s, 409);
    app.stop().await;
}
