//! `GET /healthz`: version and whether the store answers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::printer::PrinterStatus;

#[derive(Serialize, ToSchema)]
pub struct Healthy {
    /// `ok`.
    status: &'static str,
    version: &'static str,
    store: StoreHealth,
    printer: PrinterHealth,
}

#[derive(Serialize, ToSchema)]
pub struct StoreHealth {
    /// `ok`.
    status: &'static str,
    schema_version: u64,
    #[schema(format = Date)]
    service_day: String,
    tickets_today: usize,
    /// The last committed event.
    event_seq: u64,
}

#[derive(Serialize, ToSchema)]
pub struct PrinterHealth {
    status: PrinterStatus,
    label: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Unhealthy {
    /// `error`.
    status: &'static str,
    version: &'static str,
    store: StoreDown,
}

#[derive(Serialize, ToSchema)]
pub struct StoreDown {
    /// `error`.
    status: &'static str,
    message: String,
}

/// Health check
///
/// For monitoring and the installer: the version, and whether the store answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "The store answers", body = Healthy),
        (status = 503, description = "The store does not answer", body = Unhealthy),
    )
)]
pub async fn healthz(State(app): State<AppState>) -> Response {
    let version = env!("CARGO_PKG_VERSION");
    match app.store.health().await {
        Ok(h) => (
            StatusCode::OK,
            Json(Healthy {
                status: "ok",
                version,
                store: StoreHealth {
                    status: "ok",
                    schema_version: h.schema_version,
                    service_day: h.service_day.to_string(),
                    tickets_today: h.tickets_today,
                    event_seq: h.event_seq,
                },
                printer: PrinterHealth {
                    status: h.printer,
                    label: h.printer.label_id(),
                },
            }),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Unhealthy {
                status: "error",
                version,
                store: StoreDown {
                    status: "error",
                    message: e.to_string(),
                },
            }),
        )
            .into_response(),
    }
}
