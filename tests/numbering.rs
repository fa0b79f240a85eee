//! Numbering per (service day, service): across days, across a clock that moves back, and
//! across a restart. Real server, real redb file, fake clock.

mod common;

use chrono::Duration;
use common::{TestApp, wib};

#[tokio::test]
async fn numbers_restart_each_service_day_and_run_per_service() {
    let app = TestApp::spawn().await;
    assert_eq!(app.number("A").await, "A-001");
    assert_eq!(app.number("A").await, "A-002");
    assert_eq!(app.number("B").await, "B-001");
    let left_waiting = app.issue("C", false).await;

    app.clock.set(wib(2026, 12, 1, 8, 0));
    // The morning's first look at the queue already shows the new, empty day.
    let q = app.queue().await;
    assert_eq!(q["service_day"], "2026-12-01");
    assert_eq!(q["services"][2]["waiting"], 0);
    assert_eq!(app.number("A").await, "A-001");
    assert_eq!(app.number("B").await, "B-001");
    let h = app.health().await;
    assert_eq!(h["store"]["service_day"], "2026-12-01");

    // Yesterday stays as history; what was left waiting is closed, not lost.
    let old = app.ticket(left_waiting["id"].as_u64().expect("id")).await;
    assert_eq!(old["number"], "C-001");
    assert_eq!(old["state"], "cancelled");
    assert_eq!(old["service_day"], "2026-11-30");
    app.stop().await;
}

#[tokio::test]
async fn numbers_never_repeat_when_the_clock_moves_back_two_days() {
    let app = TestApp::spawn().await;
    app.clock.set(wib(2026, 12, 2, 9, 0)); // Wednesday
    assert_eq!(app.number("A").await, "A-001");
    assert_eq!(app.number("A").await, "A-002");

    // Power cut, no RTC: the Pi boots believing it is Monday.
    app.clock.set(wib(2026, 11, 30, 9, 30));
    let t = app.issue("A", false).await;
    assert_eq!(t["number"], "A-003");
    assert_eq!(
        t["service_day"], "2026-12-02",
        "the service day never goes back"
    );
    assert_eq!(app.number("A").await, "A-004");

    // NTP answers: back to Wednesday, same day, numbering continues.
    app.clock.set(wib(2026, 12, 2, 10, 0));
    assert_eq!(app.number("A").await, "A-005");

    // Thursday is a new day.
    app.clock.set(wib(2026, 12, 3, 8, 0));
    assert_eq!(app.number("A").await, "A-001");
    app.stop().await;
}

#[tokio::test]
async fn restart_keeps_tickets_counters_and_numbering() {
    let app = TestApp::spawn().await;
    let a1 = app.issue("A", false).await;
    let a2 = app.issue("A", false).await;
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));
    let (s, _) = app.op(1, "serve", None).await;
    assert_eq!(s, 200);
    app.clock.advance(Duration::minutes(3));

    let app = app.restart().await;
    let t1 = app.ticket(a1["id"].as_u64().expect("id")).await;
    assert_eq!(t1["state"], "serving");
    assert_eq!(t1["counter_name"], "Loket 1");
    let t2 = app.ticket(a2["id"].as_u64().expect("id")).await;
    assert_eq!(t2["state"], "waiting");
    assert_eq!(t2["people_ahead"], 0);
    let q = app.queue().await;
    assert_eq!(q["counters"][0]["ticket"]["number"], "A-001");
    assert_eq!(q["services"][0]["waiting"], 1);
    assert_eq!(app.number("A").await, "A-003");
    let (s, _) = app.op(1, "finish", None).await;
    assert_eq!(s, 200);
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-002"));

    // Event sequence numbers keep growing across restarts.
    let seq_before = app.health().await["store"]["event_seq"]
        .as_u64()
        .expect("seq");
    let app = app.restart().await;
    let seq_after = app.health().await["store"]["event_seq"]
        .as_u64()
        .expect("seq");
    // One event since: the restarted printer's first status report.
    assert_eq!(seq_after, seq_before + 1);
    app.issue("B", false).await;
    assert_eq!(
        app.health().await["store"]["event_seq"].as_u64(),
        Some(seq_after + 1)
    );
    app.stop().await;
}

#[tokio::test]
async fn daily_quota_refuses_without_consuming_a_number() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = loket::config::EMBEDDED_DEFAULT.replace(
        "name_en = \"Birth certificate\"",
        "name_en = \"Birth certificate\"\ndaily_quota = 2",
    );
    let config = loket::config::Config::from_toml_str(&src).expect("config");
    let clock = std::sync::Arc::new(loket::clock::FakeClock::new(common::monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    assert_eq!(app.number("D").await, "D-001");
    assert_eq!(app.number("D").await, "D-002");
    let (s, body) = app.issue_raw(serde_json::json!({"service": "D"})).await;
    assert_eq!(s, 409);
    assert_eq!(body["error"]["code"], "quota_reached");
    assert_eq!(app.queue().await["services"][3]["waiting"], 2);
    app.stop().await;
}

#[tokio::test]
async fn a_restart_with_the_clock_behind_keeps_the_service_day() {
    let app = TestApp::spawn().await;
    app.clock.set(wib(2026, 12, 2, 9, 0)); // Wednesday
    assert_eq!(app.number("A").await, "A-001");
    let open = app.issue("A", false).await; // A-002, left waiting

    // Power cut; the Pi boots two days behind.
    app.clock.set(wib(2026, 11, 30, 9, 0));
    let app = app.restart().await;
    assert_eq!(app.health().await["store"]["service_day"], "2026-12-02");
    assert_eq!(app.number("A").await, "A-003");
    let t = app.ticket(open["id"].as_u64().expect("id")).await;
    assert_eq!(t["state"], "waiting", "still today's ticket");

    // Restart on Thursday: yesterday's open tickets are closed, numbering starts again.
    app.clock.set(wib(2026, 12, 3, 8, 0));
    let app = app.restart().await;
    assert_eq!(app.health().await["store"]["service_day"], "2026-12-03");
    let t = app.ticket(open["id"].as_u64().expect("id")).await;
    assert_eq!(t["state"], "cancelled");
    assert_eq!(app.number("A").await, "A-001");
    app.stop().await;
}
