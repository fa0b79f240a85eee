//! HTTP: the JSON API under `/api/v1`, the kiosk page and the health check.

mod counters;
mod error;
mod health;
mod html;
mod json;
mod kiosk;
mod printer_api;
mod tickets;
mod track;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

pub use error::ApiError;
pub use json::BODY_LIMIT;

use crate::clock::Clock;
use crate::config::Config;
use crate::events::Events;
use crate::printer::Printer;
use crate::store::StoreHandle;

#[derive(Clone)]
pub struct AppState {
    pub store: StoreHandle,
    pub config: Arc<Config>,
    pub events: Events,
    pub clock: Arc<dyn Clock>,
    /// None with `printer.kind = "none"`.
    pub printer: Option<Printer>,
}

pub fn router(state: AppState) -> Router {
    let staff = Router::new()
        .route("/api/v1/counters/{id}/{op}", post(counters::operate))
        .route("/api/v1/tickets/{id}/reprint", post(tickets::reprint))
        .route("/api/v1/tickets/{id}/void", post(tickets::void))
        .route("/api/v1/printer/test", post(printer_api::test))
        .route_layer(middleware::from_fn(counters::loopback_only));
    Router::new()
        .route("/", get(|| async { Redirect::to("/kiosk") }))
        .route("/kiosk", get(kiosk::page))
        .route("/healthz", get(health::healthz))
        .route("/api/v1/tickets", post(tickets::issue))
        .route("/api/v1/tickets/{id}", get(tickets::get))
        .route("/api/v1/queue", get(tickets::queue))
        .route("/api/v1/printer", get(printer_api::status))
        .route("/t/{id}", get(track::page))
        .merge(staff)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn method_not_allowed(req: Request) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "Metode {} tidak didukung untuk {}.",
            req.method(),
            req.uri().path()
        ),
    )
    .into_response()
}

async fn not_found(req: Request) -> Response {
    ApiError::not_found(format!("Alamat {} tidak ditemukan.", req.uri().path())).into_response()
}
