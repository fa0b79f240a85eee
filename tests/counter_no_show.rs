//! The counter screen's no-show list: today's no-shows of the counter's services, the latest
//! first, each brought back to the queue through the console's form by the office's requeue
//! policy (by issue time, or behind N waiting), which the screen states.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::{StaffSession, TestApp, monday_morning, test_config};
use loket::clock::FakeClock;
use loket::config::RequeuePolicy;
use reqwest::Method;
use serde_json::Value;

async fn page(app: &TestApp, who: &StaffSession) -> String {
    let r = app
        .as_staff(Method::GET, "/console/counter/1", who)
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 200);
    r.text().await.expect("html")
}

/// Posts the counter form `op` with `fields`; the status and, after a redirect, the page it
/// leads to (with the one-time message).
async fn post(app: &TestApp, who: &StaffSession, op: &str, fields: &str) -> (u16, String) {
    let r = app
        .as_staff(Method::POST, &format!("/console/counter/1/{op}"), who)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&{fields}", who.csrf))
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    if status == 303 {
        return (status, page(app, who).await);
    }
    (status, r.text().await.expect("body"))
}

fn waiting_a(q: &Value) -> Vec<String> {
    q["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["code"] == "A"))
        .and_then(|s| s["next"].as_array())
        .map(|n| {
            n.iter()
                .filter_map(|v| v.as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The `A-00n` numbers of the no-show list, in the page's order.
fn listed(html: &str) -> Vec<String> {
    let Some(list) = html.split("id=\"no-shows\"").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</table>").next().unwrap_or_default();
    list.split("<td class=\"num\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_no_show_is_brought_back_from_the_counter_screen_by_issue_time() {
    let app = TestApp::spawn().await;
    let op = app.operator.clone();
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.issue("A", false).await["id"].as_u64().expect("id"));
    }
    app.issue("B", false).await;
    // A-001 called at 09.00, a no-show; A-002 called at 09.05, a no-show too.
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));
    let (s, html) = post(&app, &op, "no-show", "").await;
    assert_eq!(s, 303);
    assert!(html.contains("A-001: Tidak hadir"), "{html}");
    app.clock.advance(Duration::minutes(5));
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-002"));
    post(&app, &op, "no-show", "").await;
    // B-001, a no-show at loket 2 (B, C, D), is not loket 1's to bring back.
    assert_eq!(app.call_next(2).await.as_deref(), Some("B-001"));
    let (s, _) = app.op(2, "no-show", None).await;
    assert_eq!(s, 200);

    let html = page(&app, &op).await;
    assert_eq!(listed(&html), ["A-002", "A-001"], "the latest first");
    assert!(html.contains("<td class=\"t\">09.05</td>"), "{html}");
    assert!(html.contains("<td class=\"t\">09.00</td>"), "{html}");
    assert!(
        html.contains("Dikembalikan ke urutan semula menurut waktu ambil nomor."),
        "the policy is said: {html}"
    );
    assert!(
        html.contains(&format!("name=\"ticket\" value=\"{}\"", ids[0])),
        "{html}"
    );

    // The citizen of A-001 comes back: by issue time, ahead of A-003 (issued after it).
    let (s, html) = post(&app, &op, "requeue", &format!("ticket={}", ids[0])).await;
    assert_eq!(s, 303);
    assert!(
        html.contains("A-001: Menunggu. Dikembalikan ke urutan semula menurut waktu ambil nomor."),
        "{html}"
    );
    assert_eq!(listed(&html), ["A-002"]);
    let q = app.queue().await;
    assert_eq!(waiting_a(&q), ["A-001", "A-003"]);
    assert_eq!(app.ticket(ids[0]).await["people_ahead"], 0);

    // Bad input changes nothing and says why.
    let (s, html) = post(&app, &op, "requeue", "ticket=abc").await;
    assert_eq!(s, 400, "{html}");
    let (s, html) = post(&app, &op, "requeue", &format!("ticket={}", ids[0])).await;
    assert_eq!(s, 303);
    assert!(
        html.contains("Nomor A-001 berstatus Menunggu; tindakan ini tidak dapat dilakukan."),
        "{html}"
    );
    let (_, html) = post(&app, &op, "requeue", "ticket=999").await;
    assert!(
        html.contains("Tiket 999 tidak ditemukan pada hari layanan ini."),
        "{html}"
    );
    // Without the session's token, refused.
    let r = app
        .client
        .post(app.url("/console/counter/1/requeue"))
        .header("cookie", &op.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf=x&ticket={}", ids[1]))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert_eq!(app.queue().await, q, "nothing changed");
    app.stop().await;
}

#[tokio::test]
async fn behind_n_waiting_the_screen_says_so_and_the_place_survives_a_restart() {
    let tmp = tempfile::tempdir().expect("dir");
    let mut config = test_config();
    config.requeue = RequeuePolicy::AfterWaiting(2);
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    let op = app.operator.clone();
    let first = app.issue("A", false).await["id"].as_u64().expect("id");
    for _ in 0..3 {
        app.issue("A", false).await;
    }
    app.call_next(1).await;
    post(&app, &op, "no-show", "").await;
    let html = page(&app, &op).await;
    assert!(
        html.contains("Dikembalikan setelah 2 orang yang menunggu."),
        "{html}"
    );

    let (s, html) = post(&app, &op, "requeue", &format!("ticket={first}")).await;
    assert_eq!(s, 303);
    assert!(
        html.contains("A-001: Menunggu. Dikembalikan setelah 2 orang yang menunggu."),
        "{html}"
    );
    assert_eq!(
        waiting_a(&app.queue().await),
        ["A-002", "A-003", "A-001", "A-004"]
    );
    assert_eq!(app.ticket(first).await["people_ahead"], 2);

    // The counter's own ticket goes back by the same rule: A-002 behind.
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-002"));
    let (s, _) = post(&app, &op, "requeue", "").await;
    assert_eq!(s, 303);
    let order = ["A-003", "A-001", "A-002", "A-004"];
    assert_eq!(waiting_a(&app.queue().await), order);

    // Restarted (with the default policy now): the places were stored with the tickets.
    let app = app.restart().await;
    assert_eq!(waiting_a(&app.queue().await), order);
    let mut called = Vec::new();
    while let Some(n) = app.call_next(1).await {
        called.push(n);
        app.op(1, "finish", None).await;
    }
    assert_eq!(called, order);
    app.stop().await;
}
