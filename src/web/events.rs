//! `GET /api/v1/events`: committed changes as server-sent events, each with its sequence
//! number as the event id. A client that falls behind gets `resync` and reloads its snapshot
//! (`/api/v1/queue`). Events carry no personal data: displays are public.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::AppState;

pub async fn stream(
    State(app): State<AppState>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let rx = app.events.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        let event = match rx.recv().await {
            Ok(e) => {
                let name = serde_json::to_value(&e.change)
                    .ok()
                    .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
                    .unwrap_or_else(|| "change".to_string());
                SseEvent::default()
                    .id(e.seq.to_string())
                    .event(name)
                    .json_data(&*e)
                    .unwrap_or_else(|_| SseEvent::default().event("resync").data("{}"))
            }
            Err(RecvError::Lagged(_)) => SseEvent::default().event("resync").data("{}"),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(event), rx))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
