//! API errors, mapped to HTTP status in one place; the body is always
//! `{"error":{"code":"…","message":"…"}}` with the message in Bahasa Indonesia.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tracing::error;

use crate::queue::QueueError;
use crate::store::{OpError, StoreError};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> Self {
        let status = match e {
            QueueError::UnknownService(_) => StatusCode::UNPROCESSABLE_ENTITY,
            QueueError::PrinterNotReady(_) | QueueError::PrintFailed(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            QueueError::UnknownCounter(_) | QueueError::UnknownTicket(_) => StatusCode::NOT_FOUND,
            QueueError::Closed { .. }
            | QueueError::Holiday(_)
            | QueueError::QuotaReached { .. }
            | QueueError::CounterBusy { .. }
            | QueueError::CounterIdle(_)
            | QueueError::WrongState { .. }
            | QueueError::SameService { .. } => StatusCode::CONFLICT,
        };
        Self::new(status, e.code(), e.to_string())
    }
}

impl From<OpError> for ApiError {
    fn from(e: OpError) -> Self {
        match e {
            OpError::Queue(q) => q.into(),
            OpError::Store(s) => s.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        error!(error = %e, "store unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi.",
        )
    }
}
