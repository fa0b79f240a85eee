//! What every page of the city view shares: the layout (the office console's look), the
//! menu by role, who is asking (`Visitor`), and the refusals as pages.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::State;
use super::db::DbError;
use super::session::cookie;
use crate::auth::Session;
use crate::city::viewers::{Viewer, ViewerRole};

const CSS: &str = include_str!("../../../kiosk-ui/console.css");
const CITY_CSS: &str = include_str!("../../../kiosk-ui/city/city.css");

use ViewerRole::{Admin, KepalaKantor, Pengawas, Pimpinan};

/// The view's pages, in menu order, with the roles that may open each. A page is listed
/// here when it is served; the guard of each handler asks `allowed`.
pub const MENU: &[(&str, &str, &[ViewerRole])] = &[
    (
        "/hari-ini",
        "Hari ini",
        &[Pimpinan, Pengawas, KepalaKantor, Admin],
    ),
    (
        "/waktu-tunggu",
        "Waktu tunggu",
        &[Pimpinan, Pengawas, KepalaKantor],
    ),
    (
        "/pengaduan-terlambat",
        "Pengaduan terlambat",
        &[Pimpinan, Pengawas, KepalaKantor],
    ),
    ("/ikm", "IKM", &[Pimpinan, Pengawas, KepalaKantor]),
    ("/akun", "Akun", &[Admin]),
];

/// Whether `role` may open the page at `href`.
pub fn allowed(href: &str, role: ViewerRole) -> bool {
    MENU.iter()
        .any(|(h, _, roles)| *h == href && roles.contains(&role))
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The layout's data (`kiosk-ui/city/layout.html`).
pub struct Shell {
    pub city: String,
    pub title: String,
    pub title_en: String,
    pub bar: Option<Bar>,
    pub error: Option<String>,
}

pub struct Bar {
    pub username: String,
    pub role: &'static str,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

impl Shell {
    pub fn public(app: &State, title: &str, title_en: &str) -> Self {
        Self {
            city: app.config.name.clone(),
            title: title.to_string(),
            title_en: title_en.to_string(),
            bar: None,
            error: None,
        }
    }

    pub fn visitor(app: &State, v: &Visitor, title: &str, title_en: &str, here: &str) -> Self {
        let nav = MENU
            .iter()
            .filter(|(_, _, roles)| roles.contains(&v.viewer.role))
            .map(|&(href, label, _)| NavItem {
                href,
                label,
                current: href == here,
            })
            .collect();
        Self {
            bar: Some(Bar {
                username: v.viewer.username.clone(),
                role: v.viewer.role.label(),
                csrf: v.session.csrf.clone(),
                nav,
            }),
            ..Self::public(app, title, title_en)
        }
    }

    pub fn css(&self) -> &'static str {
        CSS
    }

    pub fn city_css(&self) -> &'static str {
        CITY_CSS
    }
}

/// A rendered page, never cached (live figures, a session's token).
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (status, [(CACHE_CONTROL, "no-store")], Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Gangguan sistem: halaman tidak dapat disusun. / System fault: the page could not be built.",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "city/error.html")]
struct ErrorPage {
    shell: Shell,
    message: String,
    message_en: String,
}

/// A refusal or a fault as a page (Indonesian, then English).
pub fn error(app: &State, status: StatusCode, message: &str, message_en: &str) -> Response {
    let (title, title_en) = match status.as_u16() {
        400 => ("Permintaan tidak valid", "Bad request"),
        403 => ("Ditolak", "Refused"),
        404 => ("Tidak ditemukan", "Not found"),
        429 => ("Terlalu banyak permintaan", "Too many requests"),
        503 => ("Layanan sedang terganggu", "Service unavailable"),
        _ => ("Gangguan sistem", "System fault"),
    };
    render(
        status,
        &ErrorPage {
            shell: Shell::public(app, title, title_en),
            message: message.to_string(),
            message_en: message_en.to_string(),
        },
    )
}

/// The database cannot be reached (or refused a query): a page that says so, 503.
pub fn db_error(app: &State, e: &DbError) -> Response {
    match e {
        DbError::Down(_) => error(
            app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Basis data kota sedang tidak dapat dihubungi. Data kantor tetap aman di kantor \
             masing-masing; coba muat ulang halaman ini beberapa saat lagi.",
            "The city database cannot be reached just now. The offices keep their records; \
             reload this page in a moment.",
        ),
        DbError::TooLong => error(
            app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Perhitungan ini terlalu lama dan dihentikan oleh basis data kota. Pilih rentang \
             yang lebih pendek (mis. satu bulan) atau lebih sedikit kantor, lalu coba lagi.",
            "This computation took too long and the city database stopped it. Choose a \
             shorter range (e.g. one month) or fewer offices, and try again.",
        ),
        DbError::Failed(_) => error(
            app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Basis data kota menolak permintaan ini. Hubungi admin kota.",
            "The city database refused this request. Contact the city's administrator.",
        ),
    }
}

/// A logged-in visitor: the session (in memory) and the account as the database holds it
/// now, so a disabled account or a changed office list counts at the next request.
pub struct Visitor {
    pub viewer: Viewer,
    pub session: Session,
}

fn to_login(path: &str) -> Response {
    // Paths here are the route table's own; anything odd is dropped.
    let next: String = path
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))
        .collect();
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/login?next={next}"))],
    )
        .into_response()
}

pub fn session_of(app: &State, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = cookie(headers)?;
    let session = app.sessions.get(&id, app.clock.now())?;
    Some((id, session))
}

impl FromRequestParts<State> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &State) -> Result<Self, Self::Rejection> {
        let Some((_, session)) = session_of(app, &parts.headers) else {
            return Err(to_login(parts.uri.path()));
        };
        let username = session.username.clone();
        let viewer = app
            .db
            .run(move |c| Box::pin(async move { crate::city::viewers::load(c, &username).await }))
            .await
            .map_err(|e| db_error(app, &e))?;
        match viewer {
            Some(viewer) if !viewer.disabled => Ok(Visitor { viewer, session }),
            _ => {
                app.sessions.end_all_of(&session.username);
                Err(to_login(parts.uri.path()))
            }
        }
    }
}

/// The refusal for a visitor whose role may not open `href`; None when it may.
pub fn refusal(app: &State, v: &Visitor, href: &str) -> Option<Response> {
    if allowed(href, v.viewer.role) {
        return None;
    }
    Some(error(
        app,
        StatusCode::FORBIDDEN,
        "Peran Anda tidak membuka halaman ini.",
        "Your role does not open this page.",
    ))
}
