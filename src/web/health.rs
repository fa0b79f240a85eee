//! `GET /healthz`: version and whether the store answers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;

pub async fn healthz(State(app): State<AppState>) -> (StatusCode, Json<Value>) {
    let version = env!("CARGO_PKG_VERSION");
    match app.store.health().await {
        Ok(h) => (
            StatusCode::OK,
            Json(json!({
                "status": "ok",
                "version": version,
                "store": {
                    "status": "ok",
                    "schema_version": h.schema_version,
                    "service_day": h.service_day.to_string(),
                    "tickets_today": h.tickets_today,
                    "event_seq": h.event_seq,
                    "path": h.path.display().to_string(),
                },
                "printer": {"status": h.printer, "label": h.printer.label_id()},
            })),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "error",
                "version": version,
                "store": {"status": "error", "message": e.to_string()}
            })),
        ),
    }
}
