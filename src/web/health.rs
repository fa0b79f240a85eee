//! `GET /healthz`: version, whether the store answers and whether it can write.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::printer::PrinterStatus;
use crate::store::{Fault, StoreStatus};

#[derive(Serialize, ToSchema)]
pub struct Healthy {
    /// `ok`; `degraded` (with a 503) while the store cannot write.
    status: &'static str,
    version: &'static str,
    store: StoreHealth,
    printer: PrinterHealth,
}

#[derive(Serialize, ToSchema)]
pub struct StoreHealth {
    /// `ok`; `damaged`: a request met a damaged page of the database (`tables` names what
    /// `loket check` finds; the daemon serves what it can, restore a backup); or `degraded`: the disk refuses writes (full, failing). Reads are answered
    /// from the last committed state, every change is refused, and the store tries the disk
    /// again by itself.
    status: &'static str,
    /// Why it is degraded: `disk_full` or `io_error`. Absent when `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Fault>,
    /// The reason for people (no paths). Absent when `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// When degraded mode began (office time). Absent when `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    /// Changes refused since then. Absent when `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    refused_writes: Option<u64>,
    /// The tables found damaged, when a request met a damaged page (`status: damaged`).
    #[serde(skip_serializing_if = "Option::is_none")]
    tables: Option<Vec<String>>,
    /// False while degraded with the database not open: then the queue is not served
    /// either. Absent when `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reads: Option<bool>,
    /// The open database's schema: this build's (`loket --version` names it), since an older
    /// one is migrated at start and a newer one refused.
    schema_version: u64,
    #[schema(format = Date)]
    service_day: String,
    /// True while the clock shows a day implausibly far ahead of `service_day`: no new day
    /// begins and the kiosk refuses tickets until an administrator confirms the new day
    /// (`POST /api/v1/service-day`) or the clock agrees again.
    clock_suspect: bool,
    /// The clock's date, while `clock_suspect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    clock_day: Option<String>,
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

/// A 503's body: degraded (the store answers but cannot write) or down.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum HealthDown {
    Degraded(Healthy),
    Down(Unhealthy),
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
        (status = 200, description = "The store answers and writes", body = Healthy),
        (status = 503, description = "The store cannot write (`status: degraded`, with the figures last committed) or does not answer (`status: error`)", body = HealthDown),
    )
)]
pub async fn healthz(State(app): State<AppState>) -> Response {
    let version = env!("CARGO_PKG_VERSION");
    match app.store.health().await {
        Ok(h) => {
            let tz = app.config.office.time_zone;
            let (code, status, reason, since, refused_writes, reads) = match h.store {
                StoreStatus::Ok => (StatusCode::OK, "ok", None, None, None, None),
                StoreStatus::Degraded {
                    fault,
                    since,
                    refused_writes,
                    readable,
                } => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "degraded",
                    Some(fault),
                    Some(crate::clock::rfc3339_local(since, tz)),
                    Some(refused_writes),
                    Some(readable),
                ),
            };
            let mut status = status;
            let mut code = code;
            let mut message = reason.map(|f: Fault| f.to_string());
            let mut since = since;
            let tables = h.damage.as_ref().map(|d| d.tables.clone());
            if let Some(d) = &h.damage {
                code = StatusCode::SERVICE_UNAVAILABLE;
                status = "damaged";
                message = Some(
                    "the database file is damaged: run `loket check` with the daemon stopped and restore the last backup"
                        .to_string(),
                );
                since = since.or_else(|| Some(crate::clock::rfc3339_local(d.since, tz)));
            }
            let healthy = Healthy {
                status,
                version,
                store: StoreHealth {
                    status,
                    message,
                    reason,
                    tables,
                    since,
                    refused_writes,
                    reads,
                    schema_version: h.schema_version,
                    service_day: h.service_day.to_string(),
                    clock_suspect: h.clock_suspect.is_some(),
                    clock_day: h.clock_suspect.map(|d| d.to_string()),
                    tickets_today: h.tickets_today,
                    event_seq: h.event_seq,
                },
                printer: PrinterHealth {
                    status: h.printer,
                    label: h.printer.label_id(),
                },
            };
            if code == StatusCode::OK {
                (code, Json(healthy)).into_response()
            } else {
                (code, Json(HealthDown::Degraded(healthy))).into_response()
            }
        }
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(HealthDown::Down(Unhealthy {
                status: "error",
                version,
                store: StoreDown {
                    status: "error",
                    message: e.to_string(),
                },
            })),
        )
            .into_response(),
    }
}
