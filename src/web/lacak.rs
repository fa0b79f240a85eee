//! `GET /lacak` and `GET /lacak/{code}`: the citizen follows a complaint by the tracking code
//! on the receipt. Register number, date received, status and stage only: no personal data,
//! no staff notes. Lookups are limited per client address so codes cannot be guessed.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::auth::Caller;
use super::extract::{PagePath, PageQuery};
use super::page::render;
use crate::clock::indonesian_datetime;
use crate::complaint::{normalize_code, public_status};
use crate::store::OpError;

/// Tracking-code lookups allowed per client address and minute.
pub const LOOKUPS_PER_MINUTE: u32 = 20;

#[derive(Template)]
#[template(path = "lacak.html")]
struct LacakPage {
    office: String,
    /// Empty on the form alone.
    found: bool,
    number: String,
    received: String,
    status_id: String,
    status_en: String,
    stage_id: String,
    stage_en: String,
    /// Shown above the form when the lookup did not find a complaint.
    message_id: String,
    message_en: String,
}

impl LacakPage {
    fn form(app: &AppState) -> Self {
        Self {
            office: app.config.office.name.clone(),
            found: false,
            number: String::new(),
            received: String::new(),
            status_id: String::new(),
            status_en: String::new(),
            stage_id: String::new(),
            stage_en: String::new(),
            message_id: String::new(),
            message_en: String::new(),
        }
    }

    fn message(app: &AppState, id: &str, en: &str) -> Self {
        Self {
            message_id: id.to_string(),
            message_en: en.to_string(),
            ..Self::form(app)
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct FormQuery {
    #[serde(default)]
    code: Option<String>,
}

/// The form; with `?code=` (the form's submit), on to that code's page.
pub async fn form(State(app): State<AppState>, PageQuery(q): PageQuery<FormQuery>) -> Response {
    match q.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => {
            let segment = normalize_code(code).unwrap_or_else(|| "-".to_string());
            Redirect::to(&format!("/lacak/{segment}")).into_response()
        }
        None => render(StatusCode::OK, &LacakPage::form(&app)),
    }
}

/// One complaint's public status.
pub async fn page(
    State(app): State<AppState>,
    caller: Caller,
    PagePath(code): PagePath<String>,
) -> Response {
    if let Some(ip) = caller.ip
        && !app.track_limit.allow(ip, app.clock.now())
    {
        return render(
            StatusCode::TOO_MANY_REQUESTS,
            &LacakPage::message(
                &app,
                "Terlalu banyak pencarian dari perangkat ini. Silakan tunggu satu menit lalu coba lagi.",
                "Too many lookups from this device. Please wait a minute and try again.",
            ),
        );
    }
    let not_found = || {
        render(
            StatusCode::NOT_FOUND,
            &LacakPage::message(
                &app,
                "Kode pelacakan tidak ditemukan. Periksa kembali kode pada tanda terima pengaduan Anda.",
                "Tracking code not found. Please check the code on your complaint receipt.",
            ),
        )
    };
    if normalize_code(&code).is_none() {
        return not_found();
    }
    let c = match app.store.complaint_by_code(&code).await {
        Ok(c) => c,
        Err(OpError::Complaint(_)) => return not_found(),
        Err(e) => {
            tracing::warn!(error = %e, "tracking lookup failed");
            return render(
                StatusCode::SERVICE_UNAVAILABLE,
                &LacakPage::message(
                    &app,
                    "Layanan pelacakan sedang tidak tersedia. Silakan coba lagi nanti.",
                    "Tracking is unavailable at the moment. Please try again later.",
                ),
            );
        }
    };
    let s = public_status(&c.workflow);
    render(
        StatusCode::OK,
        &LacakPage {
            office: app.config.office.name.clone(),
            found: true,
            number: c.number.clone(),
            received: indonesian_datetime(c.created_at, app.config.office.time_zone),
            status_id: s.status_id.to_string(),
            status_en: s.status_en.to_string(),
            stage_id: s.stage_id,
            stage_en: s.stage_en,
            message_id: String::new(),
            message_en: String::new(),
        },
    )
}
