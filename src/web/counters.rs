//! Staff operations at a counter: `POST /api/v1/counters/{id}/{op}` (counter staff only, as
//! the route table says).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::Staff;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use super::json::{ApiBytes, parse_optional};
use super::views::TicketJson;
use crate::queue::CounterOp;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TransferBody {
    /// The service whose queue the ticket joins.
    #[schema(required = true, value_type = String)]
    service: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RequeueBody {
    /// A no-show ticket whose citizen came back; without it, the counter's own ticket.
    ticket: Option<u64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NoBody {}

/// The body of a counter operation, by `op`: `transfer` takes `{"service":…}`, `requeue`
/// optionally `{"ticket":…}`, the others nothing (no body, or `{}`). Only for the document:
/// `parse_op` reads the body for its op.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum CounterOpBody {
    Transfer(TransferBody),
    Requeue(RequeueBody),
    None(NoBody),
}

/// The operations `parse_op` knows, for the document (`tests/openapi.rs` calls each).
#[derive(ToSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
enum CounterOpName {
    CallNext,
    Recall,
    Serve,
    Finish,
    NoShow,
    Transfer,
    Requeue,
}

#[derive(Serialize, ToSchema)]
pub struct CounterReply {
    counter: u32,
    counter_name: String,
    /// The ticket the operation moved; `null` when `call-next` found nobody waiting.
    #[schema(required = true)]
    ticket: Option<TicketJson>,
    /// Set when `call-next` found nobody waiting.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
}

pub(super) fn parse_op(name: &str, body: &[u8]) -> Result<CounterOp, ApiError> {
    let op = match name {
        "call-next" | "recall" | "serve" | "finish" | "no-show" => {
            let NoBody {} = parse_optional(body)?;
            match name {
                "call-next" => CounterOp::CallNext,
                "recall" => CounterOp::Recall,
                "serve" => CounterOp::Serve,
                "finish" => CounterOp::Finish,
                _ => CounterOp::NoShow,
            }
        }
        "transfer" => {
            let b: TransferBody = parse_optional(body)?;
            let service = b.service.ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_body",
                    "Sebutkan layanan tujuan: {\"service\":\"B\"}.",
                )
            })?;
            CounterOp::Transfer { service }
        }
        "requeue" => {
            let b: RequeueBody = parse_optional(body)?;
            CounterOp::Requeue { ticket: b.ticket }
        }
        _ => {
            return Err(ApiError::not_found(format!(
                "Tindakan loket `{name}` tidak dikenal."
            )));
        }
    };
    Ok(op)
}

/// Operate a counter
///
/// Call the next ticket of the counter's services (priority first, then issue order), call it
/// again, start serving, finish, mark a no-show, transfer to another service's queue (same
/// number, place by issue time), or put a ticket back in the queue.
#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/{op}",
    operation_id = "operate_counter",
    tag = "counters",
    params(
        ("id" = u32, Path, description = "The counter's id"),
        ("op" = inline(CounterOpName), Path, description = "The operation"),
    ),
    request_body(content = Option<CounterOpBody>, description = "Only `transfer` and `requeue` take one"),
    responses(
        (status = 200, description = "Done; the ticket it moved", body = CounterReply),
        (status = 400, description = "The body does not fit the operation", body = ErrorBody, examples(
            ("malformed_json" = (value = json!({"error": {"code": "malformed_json", "message": "Isi permintaan bukan JSON yang sah: …"}}))),
            ("invalid_body" = (summary = "`transfer` without `service`", value = json!({"error": {"code": "invalid_body", "message": "Sebutkan layanan tujuan: {\"service\":\"B\"}."}}))),
            ("unreadable_body" = (value = json!({"error": {"code": "unreadable_body", "message": "Isi permintaan tidak dapat dibaca."}}))),
        )),
        (status = 404, description = "No such counter, operation or ticket", body = ErrorBody, examples(
            ("not_found" = (summary = "Unknown counter or operation", value = json!({"error": {"code": "not_found", "message": "Tindakan loket `dance` tidak dikenal."}}))),
            ("unknown_counter" = (value = json!({"error": {"code": "unknown_counter", "message": "Loket 9 tidak dikenal."}}))),
            ("unknown_ticket" = (summary = "`requeue` of a ticket not of today", value = json!({"error": {"code": "unknown_ticket", "message": "Tiket 99 tidak ditemukan pada hari layanan ini."}}))),
        )),
        (status = 409, description = "The counter's or the ticket's state does not allow it", body = ErrorBody, examples(
            ("counter_busy" = (value = json!({"error": {"code": "counter_busy", "message": "Loket 1 masih menangani A-007. Selesaikan atau tandai tidak hadir terlebih dahulu."}}))),
            ("counter_idle" = (value = json!({"error": {"code": "counter_idle", "message": "Loket 1 tidak sedang menangani nomor antrian."}}))),
            ("wrong_state" = (value = json!({"error": {"code": "wrong_state", "message": "Nomor A-007 berstatus Dipanggil; tindakan ini tidak dapat dilakukan."}}))),
            ("same_service" = (value = json!({"error": {"code": "same_service", "message": "Nomor A-007 sudah berada di layanan A."}}))),
        )),
        (status = 413, description = "Body over 16 KiB", body = ErrorBody, examples(
            ("body_too_large" = (value = json!({"error": {"code": "body_too_large", "message": "Isi permintaan terlalu besar (batas 16 KiB)."}}))),
        )),
        (status = 422, description = "`transfer` to an unknown service", body = ErrorBody, examples(
            ("unknown_service" = (value = json!({"error": {"code": "unknown_service", "message": "Layanan `Z` tidak dikenal."}}))),
        )),
        (status = 503, description = "The store does not answer; nothing changed", body = ErrorBody, examples(
            ("store_unavailable" = (value = json!({"error": {"code": "store_unavailable", "message": "Penyimpanan data sedang tidak tersedia; tidak ada yang diubah. Silakan coba lagi."}}))),
        )),
    )
)]
pub async fn operate(
    State(app): State<AppState>,
    staff: Staff,
    ApiPath((counter, op)): ApiPath<(String, String)>,
    ApiBytes(body): ApiBytes,
) -> Result<Json<CounterReply>, ApiError> {
    let unknown = || ApiError::not_found(format!("Loket {counter} tidak dikenal."));
    let id = super::extract::digits(&counter)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(unknown)?;
    let name = app.config.counter(id).ok_or_else(unknown)?.name.clone();
    let op = parse_op(&op, &body)?;
    let is_call = op == CounterOp::CallNext;
    let ticket = app.store.counter_op(id, op, staff.who()).await?;
    let estimate = None;
    Ok(Json(CounterReply {
        counter: id,
        counter_name: name,
        message: (is_call && ticket.is_none()).then_some("Tidak ada antrian yang menunggu."),
        ticket: ticket.map(|t| TicketJson::new(&app.config, &t, estimate)),
    }))
}
