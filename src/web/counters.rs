//! Staff operations at a counter: `POST /api/v1/counters/{id}/{op}` (counter staff only, as
//! the route table says).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::json::{ApiBytes, parse_optional};
use super::views::TicketJson;
use crate::queue::CounterOp;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferBody {
    service: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequeueBody {
    ticket: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoBody {}

#[derive(Serialize)]
pub struct CounterReply {
    counter: u32,
    counter_name: String,
    ticket: Option<TicketJson>,
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

pub async fn operate(
    State(app): State<AppState>,
    caller: Caller,
    Path((counter, op)): Path<(String, String)>,
    ApiBytes(body): ApiBytes,
) -> Result<Json<CounterReply>, ApiError> {
    let unknown = || ApiError::not_found(format!("Loket {counter} tidak dikenal."));
    let id: u32 = counter.parse().map_err(|_| unknown())?;
    let name = app.config.counter(id).ok_or_else(unknown)?.name.clone();
    let op = parse_op(&op, &body)?;
    let is_call = op == CounterOp::CallNext;
    let ticket = app.store.counter_op(id, op, caller.who("staff")).await?;
    let estimate = None;
    Ok(Json(CounterReply {
        counter: id,
        counter_name: name,
        message: (is_call && ticket.is_none()).then_some("Tidak ada antrian yang menunggu."),
        ticket: ticket.map(|t| TicketJson::new(&app.config, &t, estimate)),
    }))
}
