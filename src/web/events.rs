//! `GET /api/v1/events`: committed changes as server-sent events, each with its sequence
//! number as the event id. A client reconnecting with `Last-Event-ID` (browsers send it by
//! themselves) or `?since=` gets what it missed, once, in order; one away too long gets
//! `resync` and reloads its snapshot (`/api/v1/queue`). Events carry no personal data:
//! displays are public.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::AppState;
use super::extract::ApiQuery;
use crate::events::{CatchUp, Event};

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Since {
    /// Replay what came after this sequence number (as `Last-Event-ID` does; the header wins).
    since: Option<u64>,
}

fn sse(e: &Event) -> SseEvent {
    let name = serde_json::to_value(&e.change)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_else(|| "change".to_string());
    SseEvent::default()
        .id(e.seq.to_string())
        .event(name)
        .json_data(e)
        .unwrap_or_else(|_| resync())
}

fn resync() -> SseEvent {
    SseEvent::default().event("resync").data("{}")
}

struct Feed {
    events: crate::events::Events,
    rx: broadcast::Receiver<Arc<Event>>,
    closing: tokio::sync::watch::Receiver<bool>,
    backlog: VecDeque<SseEvent>,
    last: u64,
}

/// Committed changes, live
///
/// Server-sent events: `id` is the event's sequence number, `event` its `type` (`issued`,
/// `called`, `recalled`, `serving`, `finished`, `no_show`, `transferred`, `requeued`,
/// `print_failed`, `reprinted`, `voided`, `printer_status`, `day_started`), `data` the
/// `Event` as JSON. A client that reconnects with `Last-Event-ID` or `?since=` gets what it
/// missed, once, in order; one away too long gets an event `resync` (data `{}`) and reloads
/// its snapshot (`/api/v1/queue` or `/api/v1/display`). A comment every 15 s keeps idle
/// connections open. No personal data: displays are public.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    operation_id = "events",
    tag = "queue",
    params(
        Since,
        ("Last-Event-ID" = Option<u64>, Header, description = "The last event seen; browsers send it by themselves when they reconnect"),
    ),
    responses(
        (status = 200, description = "An endless stream of events; each `data` is an `Event`", content_type = "text/event-stream", body = String),
        (status = 400, description = "`since` is not a sequence number", body = super::error::ErrorBody, examples(
            ("invalid_query" = (value = json!({"error": {"code": "invalid_query", "message": "Parameter permintaan tidak valid."}}))),
        )),
    )
)]
pub async fn stream(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<Since>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let since = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .or(q.since);
    // Subscribe before catching up, so nothing falls between the two.
    let rx = app.events.subscribe();
    let mut backlog = VecDeque::new();
    let mut last = 0;
    if let Some(since) = since {
        last = since;
        match app.events.since(since) {
            CatchUp::Events(events) => {
                for e in events {
                    last = last.max(e.seq);
                    backlog.push_back(sse(&e));
                }
            }
            CatchUp::Resync => backlog.push_back(resync()),
        }
    }
    let feed = Feed {
        events: app.events.clone(),
        rx,
        closing: app.closing.subscribe(),
        backlog,
        last,
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        if let Some(e) = feed.backlog.pop_front() {
            return Some((Ok(e), feed));
        }
        loop {
            let received = tokio::select! {
                r = feed.rx.recv() => r,
                _ = feed.closing.wait_for(|c| *c) => return None,
            };
            match received {
                // Already sent from the backlog.
                Ok(e) if e.seq <= feed.last => continue,
                Ok(e) => {
                    feed.last = e.seq;
                    return Some((Ok(sse(&e)), feed));
                }
                // Fell behind the broadcast: refill from the kept events, so no call is lost.
                Err(RecvError::Lagged(_)) => match feed.events.since(feed.last) {
                    CatchUp::Events(events) => {
                        for e in events {
                            feed.last = feed.last.max(e.seq);
                            feed.backlog.push_back(sse(&e));
                        }
                        match feed.backlog.pop_front() {
                            Some(e) => return Some((Ok(e), feed)),
                            None => continue,
                        }
                    }
                    CatchUp::Resync => return Some((Ok(resync()), feed)),
                },
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
