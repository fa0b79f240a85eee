//! API errors, mapped to HTTP status in one place; the body is always
//! `{"error":{"code":"…","message":"…"}}` with the message in Bahasa Indonesia.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tracing::error;
use utoipa::ToSchema;

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

/// The body of every API error, as it goes on the wire (and into the OpenAPI document).
#[derive(Serialize, ToSchema)]
#[schema(as = ApiError)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, e.g. `rate_limited`, `holiday`, `wrong_state`; each
    /// operation lists the codes it can answer with as named examples of its error responses.
    pub code: &'static str,
    /// For people, in Bahasa Indonesia; may change between versions.
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> Self {
        let status = match e {
            QueueError::UnknownService(_) => StatusCode::UNPROCESSABLE_ENTITY,
            QueueError::ClockSuspect { .. } => StatusCode::SERVICE_UNAVAILABLE,
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
            OpError::Account(a) => a.into(),
            OpError::Store(s) => s.into(),
            OpError::Complaint(c) => c.into(),
            OpError::Attachment(a) => a.into(),
            OpError::Survey(r) => r.into(),
        }
    }
}

/// A refused survey answer: no such ticket (404), answered, not served, a no-show or
/// cancelled (409), too
/// late or the survey closed (410, 403), the answers incomplete (422).
impl From<crate::store::SurveyRefusal> for ApiError {
    fn from(r: crate::store::SurveyRefusal) -> Self {
        use crate::store::SurveyRefusal::*;
        let (status, code) = match r {
            Unknown => (StatusCode::NOT_FOUND, "not_found"),
            NotServed => (StatusCode::CONFLICT, "survey_not_served"),
            NoShow => (StatusCode::CONFLICT, "survey_no_show"),
            Cancelled => (StatusCode::CONFLICT, "survey_cancelled"),
            Answered => (StatusCode::CONFLICT, "survey_answered"),
            Expired => (StatusCode::GONE, "survey_expired"),
            Closed => (StatusCode::FORBIDDEN, "survey_closed"),
            Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_survey"),
        };
        Self::new(status, code, r.to_string())
    }
}

/// The engine's refusals: who may not (403), what is not there (404), what is not its turn or
/// was changed meanwhile (409), what the step does not take or the form got wrong (422).
impl From<crate::complaint::ComplaintError> for ApiError {
    fn from(e: crate::complaint::ComplaintError) -> Self {
        use crate::complaint::ComplaintError::*;
        let status = match e {
            Forbidden { .. } | ForbiddenOnBehalf { .. } => StatusCode::FORBIDDEN,
            NotFound(_) => StatusCode::NOT_FOUND,
            OutOfOrder { .. } | Closed | Conflict { .. } => StatusCode::CONFLICT,
            WrongAction { .. } | Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self::new(status, e.code(), e.to_string())
    }
}

impl From<crate::attachments::AttachmentError> for ApiError {
    fn from(e: crate::attachments::AttachmentError) -> Self {
        use crate::attachments::AttachmentError::*;
        let (status, code) = match e {
            Empty => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_attachment"),
            Unsupported => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_attachment"),
            TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "attachment_too_large"),
            NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Io(ref io) => {
                error!(error = %io, "attachment not stored");
                (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable")
            }
        };
        Self::new(status, code, e.to_string())
    }
}

impl From<crate::store::AccountRefusal> for ApiError {
    fn from(a: crate::store::AccountRefusal) -> Self {
        use crate::store::AccountRefusal::*;
        match a {
            Unknown => Self::not_found("Pengguna tidak ditemukan."),
            Exists => Self::new(
                StatusCode::CONFLICT,
                "user_exists",
                "Nama pengguna sudah dipakai.",
            ),
            Disabled => Self::new(
                StatusCode::CONFLICT,
                "user_disabled",
                "Akun ini dinonaktifkan.",
            ),
            LastAdmin => Self::new(
                StatusCode::CONFLICT,
                "last_admin",
                "Ini administrator aktif terakhir: tambahkan atau aktifkan administrator lain lebih dulu. Tidak ada yang diubah.",
            ),
            Changed => Self::new(
                StatusCode::CONFLICT,
                "user_changed",
                "Akun ini baru saja diubah orang lain; tidak ada yang diubah. Muat ulang halaman lalu coba lagi.",
            ),
        }
    }
}

/// What a kiosk, display or console shows when the disk refuses writes (degraded mode).
pub const STORE_UNWRITABLE: &str = "Penyimpanan penuh atau rusak: tidak ada yang diubah. Antrean tetap tampil; beri tahu petugas teknis, lalu coba lagi.";

/// What a request is told when it met a damaged page of the database.
pub const STORE_DAMAGED: &str = "Basis data rusak: permintaan ini tidak dapat diproses dan tidak ada yang diubah. Beri tahu petugas teknis (periksa dengan `loket check`, pulihkan cadangan terakhir).";

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if let StoreError::Unwritable(fault) = e {
            // The store said so once when degraded mode began; not again per request.
            tracing::debug!(%fault, "write refused: the store cannot write");
            return Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                STORE_UNWRITABLE,
            );
        }
        if let StoreError::Damaged = e {
            // Logged once by the store, with the tables, when the damage was found.
            tracing::debug!("request failed: the database is damaged");
            return Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "store_damaged",
                STORE_DAMAGED,
            );
        }
        error!(error = %e, "store unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi.",
        )
    }
}
