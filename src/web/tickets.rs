//! Ticket issue and lookup, and the queue overview: `POST /api/v1/tickets`,
//! `GET /api/v1/tickets/{id}`, `GET /api/v1/queue`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::{Caller, Staff};
use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use super::json::ApiJson;
use super::views::TicketJson;
use crate::issue::issue_ticket;
use crate::queue::QueueView;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// A service code of the configuration (`A`, `B`…), as `/api/v1/queue` lists them.
    pub service: String,
    /// Called before the others (elderly, disabled, pregnant, as the kiosk says).
    #[serde(default)]
    pub priority: bool,
}

/// Take a number
///
/// The kiosk's request. The ticket is committed (and, with a printer, printed) before the
/// answer; a refused request consumes no number. Limited per client address.
#[utoipa::path(
    post,
    path = "/api/v1/tickets",
    operation_id = "issue_ticket",
    tag = "tickets",
    request_body = IssueRequest,
    responses(
        (status = 201, description = "Issued", body = TicketJson),
        (status = 400, description = "Not JSON, or not an issue request", body = ErrorBody, examples(
            ("malformed_json" = (value = json!({"error": {"code": "malformed_json", "message": "Isi permintaan bukan JSON yang sah: …"}}))),
            ("invalid_body" = (summary = "Wrong types, missing `service`, or an unknown field", value = json!({"error": {"code": "invalid_body", "message": "Isi permintaan tidak sesuai: …"}}))),
        )),
        (status = 409, description = "The office or the service takes no more tickets now", body = ErrorBody, examples(
            ("service_closed" = (summary = "Outside the service's hours (the message gives today's)", value = json!({"error": {"code": "service_closed", "message": "Layanan Pengaduan sedang tutup. Jam layanan hari ini: 08.00–15.00."}}))),
            ("holiday" = (summary = "A day off of the holiday files (a national holiday, or cuti bersama unless worked): closed all day", value = json!({"error": {"code": "holiday", "message": "Kantor tutup hari ini (Kelahiran Yesus Kristus). Silakan datang kembali pada hari kerja."}}))),
            ("quota_reached" = (summary = "The service's daily quota is used up", value = json!({"error": {"code": "quota_reached", "message": "Kuota antrian A hari ini (200) sudah habis. Silakan datang kembali besok."}}))),
        )),
        (status = 413, description = "Body over 16 KiB", body = ErrorBody, examples(
            ("body_too_large" = (value = json!({"error": {"code": "body_too_large", "message": "Isi permintaan terlalu besar (batas 16 KiB)."}}))),
        )),
        (status = 415, description = "Not `Content-Type: application/json` (UTF-8)", body = ErrorBody, examples(
            ("unsupported_media_type" = (value = json!({"error": {"code": "unsupported_media_type", "message": "Isi permintaan harus JSON (Content-Type: application/json; charset=utf-8)."}}))),
        )),
        (status = 422, description = "No such service", body = ErrorBody, examples(
            ("unknown_service" = (value = json!({"error": {"code": "unknown_service", "message": "Layanan `Z` tidak dikenal."}}))),
        )),
        (status = 429, description = "Too many tickets from this address (`kiosk.max_tickets_per_minute`)", body = ErrorBody, examples(
            ("rate_limited" = (value = json!({"error": {"code": "rate_limited", "message": "Terlalu banyak permintaan nomor dari perangkat ini. Silakan tunggu sebentar."}}))),
        )),
        (status = 503, description = "Nothing was issued: the printer (under the `refuse` policy) or the store failed, or the clock is implausible", body = ErrorBody, examples(
            ("printer_not_ready" = (value = json!({"error": {"code": "printer_not_ready", "message": "Mohon maaf, printer tiket sedang tidak siap (Kertas habis). Silakan hubungi petugas."}}))),
            ("print_failed" = (summary = "Issued but not printed: the number is held, never called", value = json!({"error": {"code": "print_failed", "message": "Tiket A-007 gagal dicetak. Nomor ini ditahan dan tidak akan dipanggil; silakan hubungi petugas."}}))),
            ("clock_suspect" = (summary = "The clock shows a day far ahead of the last service day: an administrator confirms it (POST /api/v1/service-day/confirm) or the clock is corrected", value = json!({"error": {"code": "clock_suspect", "message": "Jam sistem tidak wajar (menunjukkan 2027-11-30, hari layanan terakhir 2026-11-30). Tiket belum dapat diambil; silakan hubungi petugas."}}))),
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn issue(
    State(app): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<TicketJson>), ApiError> {
    // A request that names no service is refused before the limiter: a mistyped request
    // must not use up the kiosk's allowance of real tickets.
    if app.config.service(&req.service).is_none() {
        return Err(crate::queue::QueueError::UnknownService(req.service).into());
    }
    if let Some(ip) = caller.ip
        && !app.kiosk_limit.allow(ip, app.clock.now())
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Terlalu banyak permintaan nomor dari perangkat ini. Silakan tunggu sebentar.",
        ));
    }
    let issued = issue_ticket(
        &app.config,
        &app.store,
        app.printer.as_ref(),
        req.service,
        req.priority,
        caller.who("kiosk"),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(TicketJson::new(
            &app.config,
            &issued.ticket,
            Some(issued.estimate),
        )),
    ))
}

/// One ticket
///
/// Its state, and while it waits today its place and estimated wait. No personal data.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}",
    operation_id = "get_ticket",
    tag = "tickets",
    params(("id" = u64, Path, description = "The ticket's `id` (not its number)")),
    responses(
        (status = 200, description = "The ticket", body = TicketJson),
        (status = 400, description = "The path is not readable (not UTF-8)", body = ErrorBody, examples(
            ("invalid_path" = (value = json!({"error": {"code": "invalid_path", "message": "Alamat permintaan tidak valid."}}))),
        )),
        (status = 404, description = "No such ticket", body = ErrorBody, examples(
            ("not_found" = (value = json!({"error": {"code": "not_found", "message": "Tiket 99 tidak ditemukan."}}))),
        )),
        (status = 503, description = "The store does not answer", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn get(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TicketJson>, ApiError> {
    let id_num = parse_id(&id)?;
    let status = app
        .store
        .ticket(id_num)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Tiket {id} tidak ditemukan.")))?;
    Ok(Json(TicketJson::new(
        &app.config,
        &status.ticket,
        status.estimate,
    )))
}

/// The queue now
///
/// Today's services (waiting, open, next numbers, estimate), counters and what they call,
/// recent calls, held tickets and the printer. `event_seq` places the snapshot in
/// `/api/v1/events`.
#[utoipa::path(
    get,
    path = "/api/v1/queue",
    operation_id = "get_queue",
    tag = "queue",
    responses(
        (status = 200, description = "The snapshot", body = QueueView),
        (status = 503, description = "The store does not answer", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn queue(State(app): State<AppState>) -> Result<Json<QueueView>, ApiError> {
    Ok(Json(app.store.view().await?))
}

/// Print a ticket again
///
/// A held (print failed) or lost ticket of today that is still queued; answers after the
/// paper is out, and a held ticket joins its queue.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/reprint",
    operation_id = "reprint_ticket",
    tag = "tickets",
    params(("id" = u64, Path, description = "The ticket's `id`")),
    responses(
        (status = 200, description = "Printed", body = TicketJson),
        (status = 404, description = "No such ticket today", body = ErrorBody, examples(
            ("not_found" = (summary = "Not a ticket id", value = json!({"error": {"code": "not_found", "message": "Tiket x tidak ditemukan."}}))),
            ("unknown_ticket" = (summary = "Not one of today's tickets", value = json!({"error": {"code": "unknown_ticket", "message": "Tiket 99 tidak ditemukan pada hari layanan ini."}}))),
        )),
        (status = 409, description = "Not queued, or its print is still under way", body = ErrorBody, examples(
            ("wrong_state" = (value = json!({"error": {"code": "wrong_state", "message": "Nomor A-007 berstatus Selesai; tindakan ini tidak dapat dilakukan."}}))),
        )),
        (status = 503, description = "Not printed, or nothing changed", body = ErrorBody, examples(
            ("printer_not_ready" = (summary = "No printer, or it is not ready", value = json!({"error": {"code": "printer_not_ready", "message": "Mohon maaf, printer tiket sedang tidak siap (Tanpa printer). Silakan hubungi petugas."}}))),
            ("print_failed" = (value = json!({"error": {"code": "print_failed", "message": "Tiket A-007 gagal dicetak. Nomor ini ditahan dan tidak akan dipanggil; silakan hubungi petugas."}}))),
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn reprint(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TicketJson>, ApiError> {
    let id = parse_id(&id)?;
    let t = app.store.reprint(id, staff.who()).await?;
    Ok(Json(TicketJson::new(&app.config, &t, None)))
}

/// Void a ticket
///
/// A queued ticket of today (typically a held one nobody holds on paper): cancelled, never
/// called.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/void",
    operation_id = "void_ticket",
    tag = "tickets",
    params(("id" = u64, Path, description = "The ticket's `id`")),
    responses(
        (status = 200, description = "Voided (`state: cancelled`)", body = TicketJson),
        (status = 404, description = "No such ticket today", body = ErrorBody, examples(
            ("not_found" = (summary = "Not a ticket id", value = json!({"error": {"code": "not_found", "message": "Tiket x tidak ditemukan."}}))),
            ("unknown_ticket" = (summary = "Not one of today's tickets", value = json!({"error": {"code": "unknown_ticket", "message": "Tiket 99 tidak ditemukan pada hari layanan ini."}}))),
        )),
        (status = 409, description = "Not queued, or its print is still under way", body = ErrorBody, examples(
            ("wrong_state" = (value = json!({"error": {"code": "wrong_state", "message": "Nomor A-007 berstatus Selesai; tindakan ini tidak dapat dilakukan."}}))),
        )),
        (status = 503, description = "The store does not answer; nothing changed", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn void(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TicketJson>, ApiError> {
    let id = parse_id(&id)?;
    let t = app.store.void(id, staff.who()).await?;
    Ok(Json(TicketJson::new(&app.config, &t, None)))
}

fn parse_id(id: &str) -> Result<u64, ApiError> {
    super::extract::digits(id)
        .ok_or_else(|| ApiError::not_found(format!("Tiket {id} tidak ditemukan.")))
}
