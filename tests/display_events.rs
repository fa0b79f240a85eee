//! The lobby display's live feed: a display that loses its connection, misses five calls and
//! reconnects (with `Last-Event-ID`, as browsers do) gets every call once, in order; one
//! that was away too long is told to resync. And each call's announcement is one WAV.

mod common;

use std::time::Duration;

use common::TestApp;
use serde_json::Value;

struct Sse {
    resp: reqwest::Response,
    buf: String,
}

#[derive(Debug)]
struct Frame {
    id: Option<u64>,
    event: String,
    data: Value,
}

impl Sse {
    async fn open(app: &TestApp, last_id: Option<u64>) -> Self {
        let mut req = app.client.get(app.url("/api/v1/events"));
        if let Some(id) = last_id {
            req = req.header("last-event-id", id.to_string());
        }
        let resp = req.send().await.expect("sse");
        assert_eq!(resp.status(), 200);
        Self {
            resp,
            buf: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped); None after 3 s of silence.
    async fn next(&mut self) -> Option<Frame> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut f = Frame {
                    id: None,
                    event: "message".to_string(),
                    data: Value::Null,
                };
                for line in block.lines() {
                    if let Some(v) = line
                        .strip_prefix("id: ")
                        .or_else(|| line.strip_prefix("id:"))
                    {
                        f.id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        f.event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        f.data = serde_json::from_str(v.trim()).unwrap_or(Value::Null);
                    }
                }
                if block.lines().all(|l| l.starts_with(':')) {
                    continue;
                }
                return Some(f);
            }
            let chunk = tokio::time::timeout(Duration::from_secs(3), self.resp.chunk())
                .await
                .ok()?
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_that_reconnects_gets_every_missed_call_once_in_order() {
    let app = TestApp::spawn().await;
    let mut sse = Sse::open(&app, None).await;
    for _ in 0..6 {
        app.issue("A", false).await;
    }
    let mut last = 0;
    for _ in 0..6 {
        let f = sse.next().await.expect("issued event");
        assert_eq!(f.event, "issued");
        last = f.id.expect("id");
    }
    drop(sse);

    // Five calls while the display is away.
    for _ in 0..5 {
        assert!(app.call_next(1).await.is_some());
        app.op(1, "finish", None).await;
    }
    let mut sse = Sse::open(&app, Some(last)).await;
    let mut calls = Vec::new();
    let mut ids = Vec::new();
    while let Some(f) = sse.next().await {
        ids.push(f.id.expect("id"));
        if f.event == "called" {
            calls.push(
                f.data["ticket"]["number"]
                    .as_str()
                    .expect("number")
                    .to_string(),
            );
        }
        if ids.len() == 10 {
            break;
        }
    }
    assert_eq!(calls, ["A-001", "A-002", "A-003", "A-004", "A-005"]);
    assert_eq!(
        ids,
        ((last + 1)..=(last + 10)).collect::<Vec<_>>(),
        "once each, in order"
    );

    // And live from there on, nothing repeated.
    app.call_next(1).await;
    let f = sse.next().await.expect("live");
    assert_eq!((f.event.as_str(), f.id), ("called", Some(last + 11)));
    assert_eq!(f.data["ticket"]["number"], "A-006");

    // After a restart the missed events are gone from memory: resync from the snapshot.
    let app = app.restart().await;
    let mut sse = Sse::open(&app, Some(last)).await;
    let f = sse.next().await.expect("resync");
    assert_eq!(f.event, "resync");
    app.stop().await;
}

#[tokio::test]
async fn each_call_is_announced_as_one_wav() {
    let app = TestApp::spawn().await;
    app.issue("B", false).await;
    let mut events = app.state().events.subscribe();
    app.call_next(3).await;
    let called = events.recv().await.expect("event");
    let r = app
        .client
        .get(app.url(&format!("/api/v1/announcements/{}.wav", called.seq)))
        .send()
        .await
        .expect("wav");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("audio/wav")
    );
    let wav = r.bytes().await.expect("bytes");
    let clip = loket::voice::Clip::parse(&wav).expect("a valid WAV");
    let pack = loket::voice::Pack::embedded().expect("pack");
    let expected: f64 = pack
        .call_clips("B-001", 3)
        .expect("clips")
        .iter()
        .map(|c| c.duration_ms())
        .sum();
    assert!(
        (clip.duration_ms() - expected).abs() < 5.0,
        "{} vs {expected}",
        clip.duration_ms()
    );
    assert!(clip.duration_ms() > 1500.0, "a whole sentence");
    // Only calls are announced.
    let r = app
        .client
        .get(app.url("/api/v1/announcements/1.wav"))
        .send()
        .await
        .expect("wav");
    assert_eq!(r.status(), 404);
    app.stop().await;
}
