//! Logging in and out of the city view. Wrong passwords are throttled per account and
//! address as in the office console (`auth::Throttle`); every attempt and logout is a line
//! of `loket.viewer_logins`; a login gets a new random session id.

use askama::Template;
use axum::extract::{ConnectInfo, Form, Query};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::SocketAddr;

use super::State;
use super::page::{Shell, render, session_of};
use super::session::{clear_cookie, set_cookie};
use crate::auth::{Verdict, verify_login};
use crate::city::viewers;

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// Only a path of ours: never `//host` or a full URL (an open redirect).
fn safe_next(next: &str) -> &str {
    let plain = next
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'));
    if plain && next.starts_with('/') && !next.starts_with("//") && next != "/login" {
        next
    } else {
        "/hari-ini"
    }
}

#[derive(Template)]
#[template(path = "city/login.html")]
struct LoginPage {
    shell: Shell,
    next: String,
}

fn form(app: &State, status: StatusCode, next: &str, error: Option<(&str, &str)>) -> Response {
    let mut shell = Shell::public(app, "Masuk", "Log in");
    if let Some((id, en)) = error {
        shell.error = Some(format!("{id} / {en}"));
    }
    render(
        status,
        &LoginPage {
            shell,
            next: next.to_string(),
        },
    )
}

pub async fn page(
    axum::extract::State(app): axum::extract::State<State>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    if session_of(&app, &headers).is_some() {
        return (StatusCode::SEE_OTHER, [(LOCATION, "/hari-ini")]).into_response();
    }
    let next = q.next.unwrap_or_default();
    form(&app, StatusCode::OK, safe_next(&next), None)
}

/// Browsers say where a POST comes from; one from another site is refused (the session
/// cookie is SameSite=Strict as well).
pub fn cross_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if matches!(fetch_site, "cross-site" | "same-site") {
        return true;
    }
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null");
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    match (origin, host) {
        (Some(o), Some(host)) => {
            o.trim_start_matches("http://")
                .trim_start_matches("https://")
                != host
        }
        (Some(_), None) => true,
        _ => false,
    }
}

/// Writes a login line; a database that cannot take it is logged, not shown.
async fn record(app: &State, username: String, address: String, outcome: &'static str) {
    let at = app.clock.now();
    let done = app
        .db
        .run(move |c| {
            Box::pin(
                async move { viewers::record_login(c, at, &username, &address, outcome).await },
            )
        })
        .await;
    if let Err(e) = done {
        tracing::warn!(error = ?e, outcome, "city view login not recorded");
    }
}

const WRONG: (&str, &str) = (
    "Nama pengguna atau kata sandi salah.",
    "Wrong username or password.",
);

pub async fn submit(
    axum::extract::State(app): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(&f.next).to_string();
    if cross_site(&headers) {
        return super::page::error(
            &app,
            StatusCode::FORBIDDEN,
            "Permintaan dari situs lain ditolak.",
            "A request from another site is refused.",
        );
    }
    let ip = peer.ip().to_canonical();
    let now = app.clock.now();
    if !app.login_limit.allow(ip, now) {
        return form(
            &app,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            Some((
                "Terlalu banyak permintaan dari alamat ini. Tunggu sebentar.",
                "Too many requests from this address. Wait a moment.",
            )),
        );
    }
    let username = f.username.trim().to_lowercase();
    let shown: String = username
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    // The attempt counts before the slow check, so parallel guesses cannot slip past.
    let verdict = app
        .throttle
        .lock()
        .map(|mut t| t.attempt(&username, ip, now))
        .unwrap_or(Verdict::Try);
    if let Verdict::Locked { until, first } = verdict {
        if first {
            record(&app, shown, ip.to_string(), "locked").await;
        }
        let local = until.with_timezone(&app.config.time_zone);
        let id = format!(
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi setelah pukul {}.",
            local.format("%H.%M")
        );
        let en = format!(
            "Too many failed attempts. Try again after {}.",
            local.format("%H:%M")
        );
        return form(&app, StatusCode::TOO_MANY_REQUESTS, &next, Some((&id, &en)));
    }
    let lookup = username.clone();
    let viewer = match app
        .db
        .run(move |c| Box::pin(async move { viewers::load(c, &lookup).await }))
        .await
    {
        Ok(v) => v,
        Err(e) => return super::page::db_error(&app, &e),
    };
    let hash = viewer.as_ref().map(|v| v.password_hash.clone());
    let password = f.password;
    // argon2 takes ~19 MiB and a tenth of a second: a few at a time.
    let Ok(_slot) = app.login_slots.acquire().await else {
        return super::page::error(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Gangguan sistem.",
            "System fault.",
        );
    };
    let ok = verify_login(password, hash).await;
    let viewer = match viewer {
        Some(v) if ok && !v.disabled => v,
        other => {
            let outcome = match other {
                Some(v) if v.disabled => "disabled",
                Some(_) => "wrong_password",
                None => "unknown_user",
            };
            record(&app, shown, ip.to_string(), outcome).await;
            return form(&app, StatusCode::UNAUTHORIZED, &next, Some(WRONG));
        }
    };
    if let Ok(mut t) = app.throttle.lock() {
        t.succeeded(&username, ip, now);
    }
    let (id, _) = match app.sessions.open(&viewer.username, ip.to_string(), now) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "no session id");
            return super::page::error(
                &app,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Gangguan sistem.",
                "System fault.",
            );
        }
    };
    record(&app, viewer.username.clone(), ip.to_string(), "ok").await;
    (
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, set_cookie(&id, app.config.tls.is_some())),
            (LOCATION, next),
        ],
    )
        .into_response()
}

/// Needs no database: a session ends even while PostgreSQL is down (its login record is
/// then only logged).
pub async fn logout(
    axum::extract::State(app): axum::extract::State<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LogoutForm>,
) -> Response {
    let Some((id, session)) = session_of(&app, &headers) else {
        return (
            StatusCode::SEE_OTHER,
            [
                (SET_COOKIE, clear_cookie()),
                (LOCATION, "/login".to_string()),
            ],
        )
            .into_response();
    };
    // The session's own token: a page of another site cannot log anyone out.
    let same = f.csrf.len() == session.csrf.len()
        && f.csrf
            .bytes()
            .zip(session.csrf.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return super::page::error(
            &app,
            StatusCode::FORBIDDEN,
            "Permintaan ditolak: asal permintaan tidak dapat dipastikan (CSRF).",
            "Refused: the request's origin could not be confirmed (CSRF).",
        );
    }
    app.sessions.end(&id);
    record(
        &app,
        session.username.clone(),
        peer.ip().to_canonical().to_string(),
        "logout",
    )
    .await;
    (
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, clear_cookie()),
            (LOCATION, "/login".to_string()),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_is_only_a_path_of_ours() {
        assert_eq!(super::safe_next("/hari-ini"), "/hari-ini");
        assert_eq!(super::safe_next("//evil.example/x"), "/hari-ini");
        assert_eq!(super::safe_next("https://evil.example"), "/hari-ini");
        assert_eq!(super::safe_next(""), "/hari-ini");
    }
}
