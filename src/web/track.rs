//! `GET /t/{id}`: the page a citizen's phone opens from the QR code on the ticket. Number,
//! service, state and wait only: no personal data.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use super::html::{escape, fill};

const PAGE: &str = include_str!("../../kiosk-ui/track.html");

pub async fn page(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    let status = match id.parse::<u64>() {
        Ok(n) => app.store.ticket(n).await.ok().flatten(),
        Err(_) => None,
    };
    let Some(status) = status else {
        return (
            StatusCode::NOT_FOUND,
            Html(fill(
                PAGE,
                &[
                    ("office", &escape(&app.config.office.name)),
                    ("number", "—"),
                    ("service", ""),
                    ("state", "Tiket tidak ditemukan / Ticket not found"),
                    ("wait", ""),
                ],
            )),
        )
            .into_response();
    };
    let t = &status.ticket;
    let service = app
        .config
        .service(&t.service)
        .map_or(t.service.clone(), |s| s.name.clone());
    let mut state = t.state.label_id().to_string();
    if let Some(c) = t.counter.and_then(|c| app.config.counter(c)) {
        state = format!("{state} — silakan menuju {}", c.name);
    }
    let wait = status.estimate.map_or(String::new(), |e| {
        format!(
            "{} orang di depan Anda · perkiraan {} menit",
            e.people_ahead, e.minutes
        )
    });
    let html = fill(
        PAGE,
        &[
            ("office", &escape(&app.config.office.name)),
            ("number", &escape(&t.label)),
            ("service", &escape(&service)),
            ("state", &escape(&state)),
            ("wait", &escape(&wait)),
        ],
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}
