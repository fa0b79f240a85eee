//! Logging in and out. Wrong passwords are throttled per account and per address; every
//! attempt is in the audit log; a successful login gets a new session id.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::auth::{Caller, clear_cookie, set_cookie};
use super::extract::PageQuery;
use super::flash::Flash;
use super::page::{HtmlForm, Shell, render};
use crate::audit::Who;
use crate::auth::{Session, Verdict, sha256_hex, token, verify_login};
use crate::store::OpError;

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

/// Only a path of ours: never `//host` or a full URL (an open redirect).
fn safe_next(next: &str) -> &str {
    let plain = next
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.'));
    if plain && next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/console"
    }
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    shell: Shell,
    next: String,
}

/// The login form, with `error` above it when an attempt failed.
fn form(app: &AppState, status: StatusCode, next: &str, error: Option<&str>) -> Response {
    let mut shell = Shell::public(app, "Masuk");
    if let Some(e) = error {
        shell = shell.with(Flash::err(e));
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
    State(app): State<AppState>,
    caller: Caller,
    PageQuery(q): PageQuery<NextQuery>,
) -> Response {
    if caller.staff.is_some() {
        return (StatusCode::SEE_OTHER, [(LOCATION, "/console")]).into_response();
    }
    let next = q.next.unwrap_or_default();
    form(&app, StatusCode::OK, safe_next(&next), None)
}

pub async fn submit(
    State(app): State<AppState>,
    caller: Caller,
    HtmlForm(f): HtmlForm<LoginForm>,
) -> Response {
    let next = safe_next(&f.next).to_string();
    let username = f.username.trim().to_lowercase();
    let shown: String = username.chars().take(64).collect();
    let now = app.clock.now();
    let ip = caller
        .ip
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let shown: String = shown.chars().filter(|c| !c.is_control()).collect();
    // Who is not known until the password checks out: the name typed goes in the target.
    let who = Who::new("anonymous", caller.addr());
    // The attempt counts before the slow check, so parallel guesses cannot slip past the lock.
    let verdict = app
        .login_throttle
        .lock()
        .map(|mut t| t.attempt(&username, ip, now))
        .unwrap_or(Verdict::Try);
    if let Verdict::Locked { until, first } = verdict {
        // One record per lock: a flood of refused attempts must not grow the database.
        if first && let Err(e) = app.store.audit(who, "login_locked", &shown, "").await {
            tracing::warn!(error = %e, "audit of a locked login not written");
        }
        let local = until.with_timezone(&app.config.office.time_zone);
        let msg = format!(
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi setelah pukul {}.",
            local.format("%H.%M")
        );
        return form(&app, StatusCode::TOO_MANY_REQUESTS, &next, Some(&msg));
    }
    let user = app.store.user(&username).await.ok().flatten();
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password = f.password;
    // argon2 takes ~19 MiB and a tenth of a second: a few at a time, whatever arrives.
    let Ok(_slot) = app.login_slots.acquire().await else {
        return form(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            &next,
            Some("Gangguan sistem."),
        );
    };
    let ok = verify_login(password, hash).await;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        other => {
            let detail = match other {
                Some(u) if u.disabled => "disabled account",
                Some(_) => "wrong password",
                None => "unknown user",
            };
            if let Err(e) = app.store.audit(who, "login_failed", &shown, detail).await {
                tracing::warn!(error = %e, "audit of a failed login not written");
            }
            return form(
                &app,
                StatusCode::UNAUTHORIZED,
                &next,
                Some("Nama pengguna atau kata sandi salah."),
            );
        }
    };
    if let Ok(mut t) = app.login_throttle.lock() {
        t.succeeded(&username, ip, now);
    }
    let who = Who::new(user.username.clone(), caller.addr());
    let (Ok(id), Ok(csrf)) = (token(), token()) else {
        return form(
            &app,
            StatusCode::INTERNAL_SERVER_ERROR,
            &next,
            Some("Gangguan sistem."),
        );
    };
    let session = Session {
        username: user.username.clone(),
        created_at: now,
        last_seen: now,
        csrf,
        addr: caller.addr(),
    };
    // Written only if the password checked above is still the account's and the account
    // is still enabled: a reset or disable that landed during the check wins.
    let verified = user.password_hash.clone();
    match app
        .store
        .open_session(sha256_hex(id.as_bytes()), session, verified, who)
        .await
    {
        Ok(()) => {}
        Err(OpError::Account(_)) => {
            return form(
                &app,
                StatusCode::UNAUTHORIZED,
                &next,
                Some("Nama pengguna atau kata sandi salah."),
            );
        }
        Err(_) => {
            return form(
                &app,
                StatusCode::SERVICE_UNAVAILABLE,
                &next,
                Some("Penyimpanan data sedang tidak tersedia."),
            );
        }
    }
    let to = if user.must_change_password {
        "/console/password".to_string()
    } else {
        next
    };
    (
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, set_cookie(&id, app.config.https)),
            (LOCATION, to),
        ],
    )
        .into_response()
}

pub async fn logout(State(app): State<AppState>, caller: Caller) -> Response {
    if let Some(s) = &caller.staff
        && let Err(e) = app.store.delete_session(s.key.clone(), s.who()).await
    {
        // Saying "logged out" while the session lives on would leave a console open.
        tracing::warn!(error = %e, "logout not written");
        return super::page::error(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Penyimpanan data sedang tidak tersedia: sesi Anda belum diakhiri. Coba lagi.",
        );
    }
    (
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, clear_cookie()),
            (LOCATION, "/login".to_string()),
        ],
    )
        .into_response()
}
