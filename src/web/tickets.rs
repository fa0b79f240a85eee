//! Ticket issue and lookup, and the queue overview: `POST /api/v1/tickets`,
//! `GET /api/v1/tickets/{id}`, `GET /api/v1/queue`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::AppState;
use super::error::ApiError;
use super::json::ApiJson;
use super::views::TicketJson;
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
    ApiJson(req): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<TicketJson>), ApiError> {
    let issued = app.store.issue(req.service, req.priority).await?;
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
    let not_found = || ApiError::not_found(format!("Tiket {id} tidak ditemukan."));
    let id_num: u64 = id.parse().map_err(|_| not_found())?;
    let status = app.store.ticket(id_num).await?.ok_or_else(not_found)?;
    Ok(Json(TicketJson::new(
        &app.config,
        &status.ticket,
        status.estimate,
    )))
}

pub async fn queue(State(app): State<AppState>) -> Result<Json<QueueView>, ApiError> {
    Ok(Json(app.store.view().await?))
}
