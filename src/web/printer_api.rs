//! The printer for staff: `GET /api/v1/printer` (status now) and `POST /api/v1/printer/test`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use crate::printer::PrinterStatus;

#[derive(Serialize, ToSchema)]
pub struct PrinterReport {
    /// The configured printer (`none` without one).
    printer: String,
    status: PrinterStatus,
    /// The status in Bahasa Indonesia.
    label: &'static str,
    /// Whether a ticket can be printed now.
    ready: bool,
    paper_mm: u8,
}

#[derive(Serialize, ToSchema)]
pub struct TestPrinted {
    printed: bool,
    printer: String,
}

/// The printer now
///
/// Asks the printer for its status (paper, cover, connection) at the time of the request.
#[utoipa::path(
    get,
    path = "/api/v1/printer",
    operation_id = "printer_status",
    tag = "printer",
    responses((status = 200, description = "The printer's status", body = PrinterReport))
)]
pub async fn status(State(app): State<AppState>) -> Json<PrinterReport> {
    let (describe, status) = match &app.printer {
        Some(p) => (p.describe().to_string(), p.status_now().await),
        None => ("none".to_string(), PrinterStatus::Disabled),
    };
    Json(PrinterReport {
        printer: describe,
        status,
        label: status.label_id(),
        ready: status.ready(),
        paper_mm: app.config.printer.paper.mm(),
    })
}

/// Print a test page
#[utoipa::path(
    post,
    path = "/api/v1/printer/test",
    operation_id = "printer_test",
    tag = "printer",
    responses(
        (status = 200, description = "Printed", body = TestPrinted),
        (status = 409, description = "No printer configured", body = ErrorBody, examples(
            ("no_printer" = (value = json!({"error": {"code": "no_printer", "message": "Tidak ada printer yang dikonfigurasi."}}))),
        )),
        (status = 503, description = "The printer did not print", body = ErrorBody, examples(
            ("print_failed" = (value = json!({"error": {"code": "print_failed", "message": "Cetak uji gagal: …"}}))),
        )),
    )
)]
pub async fn test(State(app): State<AppState>) -> Result<Json<TestPrinted>, ApiError> {
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
    Ok(Json(TestPrinted {
        printed: true,
        printer: p.describe().to_string(),
    }))
}
