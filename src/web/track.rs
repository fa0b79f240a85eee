//! `GET /t/{id}`: the page a citizen's phone opens from the QR code on the ticket. Number,
//! service, state and wait only: no personal data.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::extract::PagePath;
use super::page::render;

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    office: String,
    number: String,
    service: String,
    state: String,
    wait: String,
}

pub async fn page(State(app): State<AppState>, PagePath(id): PagePath<String>) -> Response {
    let status = match super::extract::digits(&id) {
        Some(n) => app.store.ticket(n).await.ok().flatten(),
        None => None,
    };
    let office = app.config.office.name.clone();
    let Some(status) = status else {
        return render(
            StatusCode::NOT_FOUND,
            &TrackPage {
                office,
                number: "—".to_string(),
                service: String::new(),
                state: "Tiket tidak ditemukan / Ticket not found".to_string(),
                wait: String::new(),
            },
        );
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
    render(
        StatusCode::OK,
        &TrackPage {
            office,
            number: t.label.clone(),
            service,
            state,
            wait,
        },
    )
}
