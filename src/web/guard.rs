//! Authorisation and request-forgery checks, in one place: every route declares its
//! `Access` in the route table (`routes.rs`), and this guard enforces it.

use axum::extract::{Request, State};
use axum::http::header::{HOST, LOCATION, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::auth::{Auth, Staff};
use super::error::ApiError;
use crate::auth::{Role, User};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone on the LAN: kiosk, display, tracking, health, login.
    Public,
    /// No login, but only from the addresses of the survey tablets (`[survey] tablets`):
    /// where a typed number is enough to answer for a visit.
    SurveyTablet,
    /// Any logged-in staff member (change password, log out).
    Staff,
    /// Staff holding at least one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    /// Whether this account may use a route with this access (the console's menu asks; the
    /// guard below enforces). A generated password opens nothing but its own change.
    pub fn allows(self, user: &User) -> bool {
        match self {
            Access::Public | Access::Staff => true,
            // A matter of the device, not of the account.
            Access::SurveyTablet => false,
            Access::Roles(roles) => !user.must_change_password && user.has_any(roles),
        }
    }
}

/// Browser requests announce where they come from; one from another site is refused
/// whatever the route. Chromium and Firefox send `Sec-Fetch-Site` and `Origin` on every POST.
fn cross_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if matches!(fetch_site, "cross-site" | "same-site") {
        return true;
    }
    match (
        origin(headers),
        headers.get(HOST).and_then(|h| h.to_str().ok()),
    ) {
        (Some(o), Some(host)) => {
            let o = o
                .trim_start_matches("http://")
                .trim_start_matches("https://");
            o != host
        }
        (Some(_), None) => true,
        _ => false,
    }
}

fn origin(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
}

/// A request made by a page of ours, or by a client that proved it read a page of ours
/// (the session's token in `X-CSRF-Token`).
fn same_origin_proven(headers: &HeaderMap, staff: &Staff) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site == Some("same-origin") || origin(headers).is_some() && !cross_site(headers) {
        return true;
    }
    headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| constant_time_eq(t.as_bytes(), staff.session.csrf.as_bytes()))
}

/// Compares without stopping at the first difference: the time taken says nothing about how
/// much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn is_page(path: &str) -> bool {
    !path.starts_with("/api/") && path != "/healthz" && path != "/metrics"
}

fn refuse(
    app: &AppState,
    page: bool,
    status: StatusCode,
    code: &'static str,
    message: &str,
) -> Response {
    if page {
        return super::page::error(app, status, message);
    }
    ApiError::new(status, code, message).into_response()
}

/// Sent by the console's scripts on refreshes they make by themselves.
pub const BACKGROUND: &str = "x-loket-background";

/// The guard for one route.
pub async fn guard(
    State((app, access)): State<(AppState, Access)>,
    req: Request,
    next: Next,
) -> Response {
    let page = is_page(req.uri().path());
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && cross_site(req.headers()) {
        return refuse(
            &app,
            page,
            StatusCode::FORBIDDEN,
            "cross_site",
            "Permintaan dari situs lain ditolak.",
        );
    }
    let roles = match access {
        Access::Public => return next.run(req).await,
        Access::SurveyTablet => {
            let ip = super::auth::peer_ip(req.extensions());
            if ip.is_some_and(|ip| app.config.survey.is_tablet(ip)) {
                return next.run(req).await;
            }
            return super::survey_tablet::not_a_tablet(&app);
        }
        Access::Staff => None,
        Access::Roles(r) => Some(r),
    };
    let staff = req.extensions().get::<Auth>().and_then(|a| a.0.clone());
    let Some(staff) = staff else {
        if page && req.method() == Method::GET {
            // Paths here are the route table's own; anything odd is dropped by `safe_next`.
            let next_path: String = req
                .uri()
                .path()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.'))
                .collect();
            return (
                StatusCode::SEE_OTHER,
                [(LOCATION, format!("/login?next={next_path}"))],
            )
                .into_response();
        }
        return refuse(
            &app,
            page,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Silakan masuk terlebih dahulu.",
        );
    };
    if unsafe_method && !same_origin_proven(req.headers(), &staff) {
        return refuse(
            &app,
            page,
            StatusCode::FORBIDDEN,
            "csrf",
            "Permintaan ditolak: asal permintaan tidak dapat dipastikan (CSRF).",
        );
    }
    // A generated password must be replaced before anything else.
    if staff.user.must_change_password && roles.is_some() {
        if page && req.method() == Method::GET {
            return (
                StatusCode::SEE_OTHER,
                [(LOCATION, "/console/password".to_string())],
            )
                .into_response();
        }
        return refuse(
            &app,
            page,
            StatusCode::FORBIDDEN,
            "password_change_required",
            "Ganti kata sandi Anda terlebih dahulu.",
        );
    }
    if let Some(roles) = roles
        && !staff.user.has_any(roles)
    {
        // Say which role would do: the officer knows whom to ask, the admin what to grant.
        let needed = roles
            .iter()
            .map(|r| r.label_id())
            .collect::<Vec<_>>()
            .join(", ");
        let message = format!(
            "Anda tidak memiliki hak untuk halaman atau tindakan ini. Peran yang diperlukan: {needed}."
        );
        if page {
            return super::page::staff_error(&app, &staff, StatusCode::FORBIDDEN, message);
        }
        return refuse(&app, page, StatusCode::FORBIDDEN, "forbidden", &message);
    }
    // A page's own background refresh (a live list) is not activity: the idle limit must
    // still end a session nobody is at.
    if !req.headers().contains_key(BACKGROUND) {
        super::auth::touch(&app, &staff).await;
    }
    next.run(req).await
}
