//! Ticket issue and lookup, and the queue overview: `POST /api/v1/tickets`,
//! `GET /api/v1/tickets/{id}`, `GET /api/v1/queue`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::json::ApiJson;
use super::views::TicketJson;
use crate::issue::issue_ticket;
use crate::queue::QueueView;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    pub service: String,
    #[serde(default)]
    pub priority: bool,
}

pub async fn issue(
    State(app): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<TicketJson>), ApiError> {
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

pub async fn get(
    State(app): State<AppState>,
    Path(id): Path<String>,
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

pub async fn queue(State(app): State<AppState>) -> Result<Json<QueueView>, ApiError> {
    Ok(Json(app.store.view().await?))
}

/// Staff: print a held (or lost) ticket again. Answers after the paper is out.
pub async fn reprint(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TicketJson>, ApiError> {
    let id = parse_id(&id)?;
    let t = app.store.reprint(id, caller.who("staff")).await?;
    Ok(Json(TicketJson::new(&app.config, &t, None)))
}

/// Staff: void a queued ticket (one nobody holds on paper).
pub async fn void(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TicketJson>, ApiError> {
    let id = parse_id(&id)?;
    let t = app.store.void(id, caller.who("staff")).await?;
    Ok(Json(TicketJson::new(&app.config, &t, None)))
}

fn parse_id(id: &str) -> Result<u64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::not_found(format!("Tiket {id} tidak ditemukan.")))
}
