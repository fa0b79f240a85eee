//! The lobby screen: `GET /display` (the page), `GET /api/v1/display` (its snapshot), and
//! `GET /api/v1/announcements/{seq}.wav` (one call, spoken). Public: numbers only.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use super::page::render;
use crate::queue::Change;

const CSS: &str = include_str!("../../kiosk-ui/display.css");
const JS: &str = include_str!("../../kiosk-ui/display.js");

#[derive(askama::Template)]
#[template(path = "display.html")]
struct DisplayPage {
    office: String,
    css: &'static str,
    js: &'static str,
}

pub async fn page(State(app): State<AppState>) -> Response {
    render(
        StatusCode::OK,
        &DisplayPage {
            office: app.config.office.name.clone(),
            css: CSS,
            js: JS,
        },
    )
}

pub async fn snapshot(State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    let view = app.store.view().await?;
    let counter_name = |id: u32| {
        app.config
            .counter(id)
            .map_or_else(|| format!("Loket {id}"), |c| c.name.clone())
    };
    let counters: Vec<Value> = view
        .counters
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "number": c.ticket.as_ref().map(|t| t.number.clone()),
            })
        })
        .collect();
    let calls: Vec<Value> = view
        .recent_calls
        .iter()
        .take(app.config.display.last_calls)
        .map(|c| json!({"number": c.number, "counter": c.counter, "counter_name": counter_name(c.counter)}))
        .collect();
    let services: Vec<Value> = view
        .services
        .iter()
        .map(|s| json!({"code": s.code, "prefix": s.prefix, "name": s.name, "waiting": s.waiting}))
        .collect();
    Ok(Json(json!({
        "seq": view.event_seq,
        "now": app.clock.now().to_rfc3339(),
        "office": app.config.office.name,
        "time_zone": app.config.office.time_zone.name(),
        "running_text": app.config.display.running_text,
        "service_day": view.service_day,
        "counters": counters,
        "calls": calls,
        "services": services,
    })))
}

pub async fn announcement(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    let not_found = || {
        ApiError::not_found("Panggilan ini tidak (lagi) tersedia untuk diumumkan.").into_response()
    };
    let Some(seq) = file
        .strip_suffix(".wav")
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return not_found();
    };
    let Some(event) = app.events.get(seq) else {
        return not_found();
    };
    let (counter, number) = match &event.change {
        Change::Called { counter, ticket } | Change::Recalled { counter, ticket } => {
            (*counter, ticket.number.clone())
        }
        _ => return not_found(),
    };
    match app.voice.announcement(&number, counter) {
        Ok(wav) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "audio/wav"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            wav,
        )
            .into_response(),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "voice_pack",
            format!("Suara panggilan tidak dapat disusun: {e}"),
        )
        .into_response(),
    }
}

/// The board drawn by the daemon itself (the framebuffer renderer), as a PNG.
pub async fn png(State(app): State<AppState>) -> Response {
    let view = match app.store.view().await {
        Ok(v) => v,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let board = crate::display::Board::from_view(&app.config, &view, app.clock.now());
    let png = tokio::task::spawn_blocking(move || {
        crate::display::to_png(&crate::display::render(&board, 1280, 720))
    })
    .await;
    match png {
        Ok(Ok(bytes)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        _ => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "render",
            "Papan tidak dapat digambar.",
        )
        .into_response(),
    }
}
