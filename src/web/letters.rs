//! The reply letter's PDFs over HTTP: the signed letter, a draft's preview and the receipt.
//! Each names the complainant, so each download is audited in the store's commit, and each is
//! sent as an attachment that no browser renders in the console's origin.

use axum::extract::State;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::auth::Staff;
use super::complaints::parse_seq;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use crate::store::{LetterKind, LetterPdf};

fn download(pdf: LetterPdf) -> Response {
    (
        [
            (CONTENT_TYPE, "application/pdf".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", pdf.file_name),
            ),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (CACHE_CONTROL, "no-store".to_string()),
            (
                axum::http::HeaderName::from_static("x-content-sha256"),
                pdf.sha256,
            ),
        ],
        pdf.bytes,
    )
        .into_response()
}

async fn letter(
    app: &AppState,
    staff: &Staff,
    id: &str,
    kind: LetterKind,
) -> Result<Response, ApiError> {
    let seq = parse_seq(id)?;
    let pdf = app.store.complaint_letter(seq, kind, staff.who()).await?;
    Ok(download(pdf))
}

/// Download the signed reply letter
///
/// The PDF exactly as it was when the reply was signed (the latest signed round): the same
/// bytes on every download, their SHA-256 in the `X-Content-SHA256` header, in the complaint's
/// `letters` and in the audit log's `complaint_letter_signed`. For the complaint officer (who
/// sends it) and the Kepala Dinas; each download is audited as `complaint_letter_viewed`.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{id}/letter",
    operation_id = "get_complaint_letter",
    tag = "complaints",
    params(("id" = u64, Path, description = "The complaint's `seq`")),
    responses(
        (status = 200, description = "The signed letter", content_type = "application/pdf", body = String),
        (status = 404, description = "No such complaint, no signed letter yet, or the personal data deleted under the retention rule", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Surat balasan yang ditandatangani tidak ditemukan."}}))),
        )),
        (status = 503, description = "The store does not answer", body = ErrorBody),
    )
)]
pub async fn signed(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    letter(&app, &staff, &id, LetterKind::Signed { round: None }).await
}

/// Preview the reply draft as a letter
///
/// The current draft in the letter's form, marked DRAF across every page and without a
/// number (the number is given when it is signed). For everyone in the complaint's flow; the
/// complainant's name is masked for roles that do not see identities. Audited as
/// `complaint_letter_previewed`.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{id}/letter/preview",
    operation_id = "preview_complaint_letter",
    tag = "complaints",
    params(("id" = u64, Path, description = "The complaint's `seq`")),
    responses(
        (status = 200, description = "The draft as a PDF", content_type = "application/pdf", body = String),
        (status = 404, description = "No such complaint or no draft yet", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Belum ada draf surat balasan."}}))),
        )),
        (status = 503, description = "The store does not answer", body = ErrorBody),
    )
)]
pub async fn preview(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    letter(&app, &staff, &id, LetterKind::Preview).await
}

/// The receipt for the reply letter (tanda terima surat)
///
/// One page for the complainant to sign on receiving the letter: its number, date and
/// subject, the complaint's number and the complainant's name. A staff document; producing it
/// is audited as `complaint_letter_receipt_viewed`.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{id}/letter/receipt",
    operation_id = "get_complaint_letter_receipt",
    tag = "complaints",
    params(("id" = u64, Path, description = "The complaint's `seq`")),
    responses(
        (status = 200, description = "The receipt", content_type = "application/pdf", body = String),
        (status = 404, description = "No such complaint or no signed letter yet", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Belum ada surat balasan yang ditandatangani."}}))),
        )),
        (status = 503, description = "The store does not answer", body = ErrorBody),
    )
)]
pub async fn receipt(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    letter(&app, &staff, &id, LetterKind::Receipt).await
}
