//! What every console page shares: the layout's data (office name, navigation by role,
//! one-time messages), rendering a template into a response, and form bodies read by serde.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::AppState;
use super::auth::Staff;
use super::flash::Flash;

const CSS: &str = include_str!("../../kiosk-ui/console.css");
const SCRIPT: &str = include_str!("../../kiosk-ui/console.js");

/// The layout's data (`kiosk-ui/console/layout.html`): every console page has one.
pub struct Shell {
    pub office: String,
    pub title: String,
    pub bar: Option<Bar>,
    pub flash: Vec<Flash>,
}

/// The top bar of a signed-in staff member.
pub struct Bar {
    pub username: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The console's pages, in menu order; each is shown only to who may open it.
const MENU: [(&str, &str); 9] = [
    ("/console", "Beranda"),
    ("/console/laporan", "Laporan"),
    ("/console/survei", "Survei"),
    ("/console/pengaduan", "Pengaduan"),
    ("/console/pengaduan/baru", "Pengaduan baru"),
    ("/console/status", "Status"),
    ("/console/users", "Pengguna"),
    ("/console/services", "Layanan & loket"),
    ("/console/password", "Kata sandi"),
];

impl Shell {
    /// A page for anyone (login, refusals).
    pub fn public(app: &AppState, title: impl Into<String>) -> Self {
        Self {
            office: app.config.office.name.clone(),
            title: title.into(),
            bar: None,
            flash: Vec::new(),
        }
    }

    /// A staff page at `here`, with the messages waiting for this session.
    pub fn staff(app: &AppState, staff: &Staff, title: impl Into<String>, here: &str) -> Self {
        let routes = super::routes();
        let nav = MENU
            .iter()
            .filter(|(href, _)| {
                routes
                    .iter()
                    .find(|r| r.method == Method::GET && r.path == *href)
                    .is_some_and(|r| r.access.allows(&staff.user))
            })
            .map(|&(href, label)| NavItem {
                href,
                label,
                current: href == here,
            })
            .collect();
        Self {
            office: app.config.office.name.clone(),
            title: title.into(),
            bar: Some(Bar {
                username: staff.user.username.clone(),
                csrf: staff.session.csrf.clone(),
                nav,
            }),
            flash: app.flashes.take(&staff.key),
        }
    }

    /// Adds a message shown on this very page (a form sent back with its error).
    pub fn with(mut self, flash: Flash) -> Self {
        self.flash.push(flash);
        self
    }

    pub fn css(&self) -> &'static str {
        CSS
    }

    /// The console's script: live queue and the buttons that call the JSON API.
    pub fn script(&self) -> &'static str {
        SCRIPT
    }

    /// The session's token for the page's forms ("" on public pages, which have none).
    pub fn csrf(&self) -> &str {
        self.bar.as_ref().map_or("", |b| b.csrf.as_str())
    }
}

/// A rendered page: never cached (it shows live state and, for staff, their session).
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (status, [(CACHE_CONTROL, "no-store")], Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Gangguan sistem: halaman tidak dapat disusun.",
            )
                .into_response()
        }
    }
}

/// A refusal or a missing thing, as a page.
#[derive(Template)]
#[template(path = "console/error.html")]
pub struct ErrorPage {
    pub shell: Shell,
    pub message: String,
}

pub fn error(app: &AppState, status: StatusCode, message: impl Into<String>) -> Response {
    let message = message.into();
    render(
        status,
        &ErrorPage {
            shell: Shell::public(app, status_title(status)),
            message,
        },
    )
}

/// The error page for a logged-in staff member: their own menu around it, so the way on is
/// one click away.
pub fn staff_error(
    app: &AppState,
    staff: &Staff,
    status: StatusCode,
    message: impl Into<String>,
) -> Response {
    render(
        status,
        &ErrorPage {
            shell: Shell::staff(app, staff, status_title(status), ""),
            message: message.into(),
        },
    )
}

fn status_title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 413 | 415 | 422 => "Permintaan tidak valid",
        401 => "Silakan masuk",
        403 => "Ditolak",
        404 => "Tidak ditemukan",
        409 => "Tidak dapat dilakukan",
        429 => "Terlalu banyak permintaan",
        503 => "Layanan sedang terganggu",
        _ => "Gangguan sistem",
    }
}

/// Back to `to` with a message for the next page this session opens (Post/Redirect/Get).
pub fn redirect(app: &AppState, staff: &Staff, to: &str, flash: Flash) -> Response {
    app.flashes.push(&staff.key, flash);
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_string())]).into_response()
}

/// An HTML form body (`application/x-www-form-urlencoded`) read by serde: repeated keys
/// (`role=a&role=b`) fill a `Vec`. A malformed body is a 400 page and reaches no handler.
pub struct HtmlForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for HtmlForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let plain = refusal_response;
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = Bytes::from_request(req, state).await.map_err(|_| {
            plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Isian formulir terlalu besar.",
            )
        })?;
        // A button-only form may come with no body at all; anything else must say it is one.
        let form = content_type
            .as_deref()
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form && !body.is_empty() {
            return Err(plain(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Formulir harus dikirim sebagai application/x-www-form-urlencoded.",
            ));
        }
        serde_html_form::from_bytes(&body)
            .map(HtmlForm)
            .map_err(|e| {
                tracing::debug!(error = %e, "form rejected");
                plain(
                    StatusCode::BAD_REQUEST,
                    "Isian formulir tidak lengkap atau tidak valid.",
                )
            })
    }
}

/// A short refusal page where the office's details are not at hand (extractors).
#[derive(Template)]
#[template(path = "console/refusal.html")]
struct Refusal<'a> {
    message: &'a str,
}

/// The short refusal page as a response: for extractors, which refuse before a handler runs.
pub fn refusal_response(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(CACHE_CONTROL, "no-store")],
        Html(refusal(message)),
    )
        .into_response()
}

fn refusal(message: &str) -> String {
    Refusal { message }
        .render()
        .unwrap_or_else(|_| "Permintaan tidak valid.".to_string())
}
