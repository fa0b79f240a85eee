//! Counter operations over HTTP: priority order, transfer, requeue, no-show, recall and the
//! wait estimate from measured service times.

mod common;

use chrono::Duration;
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn priority_goes_first_then_issue_order() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.issue("B", false).await; // B-001..B-003
    }
    let p = app.issue("B", true).await; // B-004, priority
    assert_eq!(
        p["people_ahead"], 0,
        "a priority ticket waits only for priority ones"
    );
    let p2 = app.issue("B", true).await;
    assert_eq!(p2["people_ahead"], 1);
    let last = app.issue("B", false).await;
    assert_eq!(last["people_ahead"], 5);

    let mut order = Vec::new();
    while let Some(n) = app.call_next(2).await {
        order.push(n);
        let (s, body) = app.op(2, "finish", None).await;
        assert_eq!(s, 200, "{body}");
    }
    assert_eq!(
        order,
        ["B-004", "B-005", "B-001", "B-002", "B-003", "B-006"]
    );
    app.stop().await;
}

#[tokio::test]
async fn call_next_takes_the_earliest_across_the_counters_services() {
    let app = TestApp::spawn().await;
    app.issue("C", false).await;
    app.clock.advance(Duration::seconds(10));
    app.issue("B", false).await;
    app.issue("D", false).await;
    // Loket 3 serves B, C and D: C-001 was issued first.
    assert_eq!(app.call_next(3).await.as_deref(), Some("C-001"));
    let (s, body) = app.op(3, "call-next", None).await;
    assert_eq!(s, 409, "a counter holding a ticket cannot call another");
    assert_eq!(body["error"]["code"], "counter_busy");
    app.op(3, "finish", None).await;
    assert_eq!(app.call_next(3).await.as_deref(), Some("B-001"));
    // Loket 1 serves only A: nobody waiting there.
    let (s, body) = app.op(1, "call-next", None).await;
    assert_eq!(s, 200);
    assert!(body["ticket"].is_null());
    assert_eq!(body["message"], "Tidak ada antrian yang menunggu.");
    app.stop().await;
}

#[tokio::test]
async fn transfer_keeps_number_and_place_by_issue_time() {
    let app = TestApp::spawn().await;
    let a = app.issue("A", false).await; // A-001 at 09:00
    app.clock.advance(Duration::minutes(1));
    app.issue("B", false).await; // B-001 at 09:01
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));
    app.op(1, "serve", None).await;

    let (s, body) = app.op(1, "transfer", Some(json!({"service": "B"}))).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["ticket"]["number"], "A-001");
    assert_eq!(body["ticket"]["service"], "B");
    assert_eq!(body["ticket"]["state"], "transferred");
    let t = app.ticket(a["id"].as_u64().expect("id")).await;
    assert_eq!(t["issued_at"], a["issued_at"]);
    assert_eq!(t["people_ahead"], 0, "issued before B-001, so it is first");

    // Loket 2 serves B: A-001 comes before B-001, by its original issue time.
    assert_eq!(app.call_next(2).await.as_deref(), Some("A-001"));
    app.op(2, "finish", None).await;
    assert_eq!(app.call_next(2).await.as_deref(), Some("B-001"));

    let (s, body) = app.op(2, "transfer", Some(json!({"service": "B"}))).await;
    assert_eq!(s, 409);
    assert_eq!(body["error"]["code"], "same_service");
    let (s, body) = app.op(2, "transfer", Some(json!({"service": "Q"}))).await;
    assert_eq!(s, 422);
    assert_eq!(body["error"]["code"], "unknown_service");
    let (s, _) = app.op(2, "transfer", None).await;
    assert_eq!(s, 400);
    app.stop().await;
}

#[tokio::test]
async fn no_show_requeue_and_recall() {
    let app = TestApp::spawn().await;
    let a1 = app.issue("A", false).await;
    app.issue("A", false).await;
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));
    let (s, body) = app.op(1, "recall", None).await;
    assert_eq!(s, 200);
    assert_eq!(body["ticket"]["number"], "A-001");
    let (s, _) = app.op(1, "no-show", None).await;
    assert_eq!(s, 200);
    let (s, body) = app.op(1, "no-show", None).await;
    assert_eq!(s, 409, "nothing at the counter now");
    assert_eq!(body["error"]["code"], "counter_idle");
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-002"));

    // The citizen of A-001 comes back: it returns ahead of later tickets.
    let id = a1["id"].as_u64().expect("id");
    let (s, body) = app.op(1, "requeue", Some(json!({"ticket": id}))).await;
    assert_eq!(s, 200, "{body}");
    app.issue("A", false).await;
    app.op(1, "finish", None).await;
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));

    // Return the counter's own ticket to the queue.
    let (s, body) = app.op(1, "requeue", None).await;
    assert_eq!(s, 200);
    assert_eq!(body["ticket"]["state"], "waiting");
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));
    app.stop().await;
}

#[tokio::test]
async fn wait_estimate_uses_todays_measured_service_times() {
    let app = TestApp::spawn().await;
    // Configured default for A is 15 minutes, one counter serves A.
    app.issue("A", false).await;
    let t = app.issue("A", false).await;
    assert_eq!(t["estimated_wait_minutes"], 15);

    // Three services of 4 minutes each: the measured figure takes over.
    for _ in 0..3 {
        app.issue("A", false).await;
    }
    for _ in 0..3 {
        assert!(app.call_next(1).await.is_some());
        app.op(1, "serve", None).await;
        app.clock.advance(Duration::minutes(4));
        app.op(1, "finish", None).await;
    }
    let t = app.issue("A", false).await;
    assert_eq!(t["people_ahead"], 2);
    assert_eq!(t["estimated_wait_minutes"], 8);
    app.stop().await;
}
