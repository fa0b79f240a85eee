//! Every committed change is published once, after its commit, with a strictly increasing
//! sequence number that survives a restart.

mod common;

use chrono::Duration;
use common::{TestApp, wib};
use tokio::sync::broadcast::error::TryRecvError;

#[tokio::test]
async fn committed_changes_are_published_in_order_with_increasing_sequence() {
    let app = TestApp::spawn().await;
    let mut rx = app.state().events.subscribe();
    app.issue("A", false).await;
    app.issue("A", true).await;
    app.call_next(1).await;
    app.op(1, "recall", None).await;
    app.op(1, "serve", None).await;
    app.clock.advance(Duration::minutes(5));
    app.op(1, "finish", None).await;
    // Refusals publish nothing.
    app.issue_raw(serde_json::json!({"service": "Z"})).await;
    app.op(1, "finish", None).await;

    let mut got = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(e) => got.push(serde_json::to_value(&*e).expect("json")),
            Err(TryRecvError::Empty) => break,
            Err(e) => panic!("{e}"),
        }
    }
    let types: Vec<&str> = got
        .iter()
        .map(|e| e["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        types,
        [
            "issued", "issued", "called", "recalled", "serving", "finished"
        ]
    );
    let seqs: Vec<u64> = got.iter().map(|e| e["seq"].as_u64().unwrap_or(0)).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    assert_eq!(got[2]["ticket"]["number"], "A-002", "priority called first");
    assert_eq!(got[2]["counter"], 1);
    assert_eq!(got[0]["at"], "2026-11-30T09:00:00+07:00");
    let last = *seqs.last().expect("events");
    assert_eq!(app.health().await["store"]["event_seq"], last);

    // A new service day is an event too, and the sequence continues after a restart.
    let app = app.restart().await;
    // The restarted printer thread reported its status: one event, numbered after `last`.
    let base = app.health().await["store"]["event_seq"]
        .as_u64()
        .expect("seq");
    assert_eq!(base, last + 1);
    let mut rx = app.state().events.subscribe();
    app.clock.set(wib(2026, 12, 1, 9, 0));
    app.issue("B", false).await;
    let day = rx.try_recv().expect("day event");
    let issued = rx.try_recv().expect("issue event");
    assert_eq!(day.seq, base + 1);
    assert_eq!(
        serde_json::to_value(&*day).expect("json")["type"],
        "day_started"
    );
    assert_eq!(issued.seq, base + 2);
    app.stop().await;
}
