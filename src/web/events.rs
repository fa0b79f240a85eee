//! `GET /api/v1/events`: committed changes as server-sent events, each with its sequence
//! number as the event id. A client reconnecting with `Last-Event-ID` (browsers send it by
//! themselves) or `?since=` gets what it missed, once, in order; one away too long gets
//! `resync` and reloads its snapshot (`/api/v1/queue`). Events carry no personal data:
//! displays are public. `GET /api/v1/staff/events` is the same for complaint changes, for
//! staff only.

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
use crate::events::{Bus, CatchUp, ComplaintEvent, Event, Sequenced};

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

/// The event a client last saw: `Last-Event-ID` (browsers send it by themselves when they
/// reconnect), else `?since=`.
pub(super) fn last_seen(headers: &HeaderMap, q: &Since) -> Option<u64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .or(q.since)
}

struct Feed<E> {
    events: Bus<E>,
    rx: broadcast::Receiver<Arc<E>>,
    closing: tokio::sync::watch::Receiver<bool>,
    backlog: VecDeque<SseEvent>,
    last: u64,
    to_sse: fn(&E) -> SseEvent,
}

/// A bus as server-sent events: the missed ones after `since` first, then live ones, each
/// once and in order; `resync` when the client is too far behind; ends when the daemon stops.
/// A comment every 15 s keeps idle connections open.
pub(super) fn feed<E: Sequenced + Send + Sync + 'static>(
    bus: &Bus<E>,
    since: Option<u64>,
    closing: tokio::sync::watch::Receiver<bool>,
    to_sse: fn(&E) -> SseEvent,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<E>> {
    // Subscribe before catching up, so nothing falls between the two.
    let rx = bus.subscribe();
    let mut backlog = VecDeque::new();
    let mut last = 0;
    if let Some(since) = since {
        match bus.since(since) {
            CatchUp::Events(events) => {
                last = since;
                for e in events {
                    last = last.max(e.seq());
                    backlog.push_back(to_sse(&e));
                }
            }
            // The client reloads its snapshot; every live event after this is news to it
            // (its `since` may be ahead of us, after a restore from a backup).
            CatchUp::Resync => backlog.push_back(resync()),
        }
    }
    let feed = Feed {
        events: bus.clone(),
        rx,
        closing,
        backlog,
        last,
        to_sse,
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
                Ok(e) if e.seq() <= feed.last => continue,
                Ok(e) => {
                    feed.last = e.seq();
                    return Some((Ok((feed.to_sse)(&e)), feed));
                }
                // Fell behind the broadcast: refill from the kept events, so no call is lost.
                Err(RecvError::Lagged(_)) => match feed.events.since(feed.last) {
                    CatchUp::Events(events) => {
                        for e in events {
                            feed.last = feed.last.max(e.seq());
                            feed.backlog.push_back((feed.to_sse)(&e));
                        }
                        match feed.backlog.pop_front() {
                            Some(e) => return Some((Ok(e), feed)),
                            None => continue,
                        }
                    }
                    CatchUp::Resync => {
                        feed.last = 0;
                        return Some((Ok(resync()), feed));
                    }
                },
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
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
    feed(
        &app.events,
        last_seen(&headers, &q),
        app.closing.subscribe(),
        sse,
    )
}

fn complaint_sse(e: &ComplaintEvent) -> SseEvent {
    SseEvent::default()
        .id(e.seq.to_string())
        .event(e.kind.as_str())
        .json_data(e)
        .unwrap_or_else(|_| resync())
}

/// Complaint changes, live (staff)
///
/// Server-sent events for the staff console, after each durable commit: `id` is the event's
/// sequence number (its own, apart from the queue's), `event` its `kind` (`opened`,
/// `step_done`, `returned_for_revision`, `closed`, `attachment_added`, `purged`), `data` a
/// `ComplaintEvent`: the complaint's sequence and register number and the step now waiting,
/// never the complainant's name, NIK, phone or any text. Catch-up with `Last-Event-ID` or
/// `?since=` and `resync` work as on `/api/v1/events`. For the roles that work on
/// complaints; not public, so never on the displays' stream.
#[utoipa::path(
    get,
    path = "/api/v1/staff/events",
    operation_id = "staff_events",
    tag = "complaints",
    params(
        Since,
        ("Last-Event-ID" = Option<u64>, Header, description = "The last event seen; browsers send it by themselves when they reconnect"),
    ),
    responses(
        (status = 200, description = "An endless stream of events; each `data` is a `ComplaintEvent`", content_type = "text/event-stream", body = String),
    )
)]
pub async fn staff_stream(
    State(app): State<AppState>,
    staff: super::auth::Staff,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<Since>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let ends = while_allowed(&app, &staff);
    feed(
        &app.staff_events,
        last_seen(&headers, &q),
        ends,
        complaint_sse,
    )
}

/// Set when the daemon stops, or when the stream's session no longer stands (logout, idle or
/// absolute expiry, revocation, a disabled account, a role taken away): a console left open
/// must not go on hearing of complaints its user may no longer see.
fn while_allowed(app: &AppState, staff: &super::auth::Staff) -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let mut closing = app.closing.subscribe();
    let (app, key, ip) = (app.clone(), staff.key.clone(), staff.ip);
    tokio::spawn(async move {
        let every = Duration::from_secs(u64::from(app.config.console.stream_recheck_secs));
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tokio::select! {
                // The client went away: the stream and its receiver are gone.
                _ = tx.closed() => return,
                // (The guard `wait_for` returns is dropped inside, so this task stays `Send`.)
                () = async { let _ = closing.wait_for(|c| *c).await; } => break,
                _ = tick.tick() => {
                    let allowed = super::auth::load_key(&app, key.clone(), ip)
                        .await
                        .is_some_and(|s| s.user.has_any(super::COMPLAINT_STAFF));
                    if !allowed {
                        break;
                    }
                }
            }
        }
        let _ = tx.send(true);
    });
    rx
}
