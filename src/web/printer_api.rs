//! The printer for staff: `GET /api/v1/printer` (status now) and `POST /api/v1/printer/test`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use crate::printer::PrinterStatus;

pub async fn status(State(app): State<AppState>) -> Json<Value> {
    let (describe, status) = match &app.printer {
        Some(p) => (p.describe().to_string(), p.status_now().await),
        None => ("none".to_string(), PrinterStatus::Disabled),
    };
    Json(json!({
        "printer": describe,
        "status": status,
        "label": status.label_id(),
        "ready": status.ready(),
        "paper_mm": app.config.printer.paper.mm(),
    }))
}

pub async fn test(State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    let Some(p) = &app.printer else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_printer",
            "Tidak ada printer yang dikonfigurasi.",
        ));
    };
    p.test_print().await.map_err(|why| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "print_failed",
            format!("Cetak uji gagal: {why}"),
        )
    })?;
    Ok(Json(json!({"printed": true, "printer": p.describe()})))
}
