//! Logging in and out. Wrong passwords are throttled per account and per address; every
//! attempt is in the audit log; a successful login gets a new session id.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::auth::{Caller, clear_cookie, set_cookie};
use super::html::escape;
use super::page::{message, respond};
use crate::audit::Who;
use crate::auth::{Session, sha256_hex, token, verify};

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

fn form(next: &str, msg: &str) -> String {
    format!(
        "{msg}<form method=\"post\" action=\"/login\">\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\
         <label for=\"username\">Nama pengguna</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required>\
         <label for=\"password\">Kata sandi</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <p><button class=\"big\" type=\"submit\">Masuk</button></p></form>",
        next = escape(next),
    )
}

pub async fn page(caller: Caller, Query(q): Query<NextQuery>) -> Response {
    if caller.staff.is_some() {
        return (StatusCode::SEE_OTHER, [(LOCATION, "/console")]).into_response();
    }
    let next = q.next.unwrap_or_default();
    respond(StatusCode::OK, "Masuk", None, &form(safe_next(&next), ""))
}

pub async fn submit(
    State(app): State<AppState>,
    caller: Caller,
    form_result: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form_result else {
        return respond(
            StatusCode::BAD_REQUEST,
            "Masuk",
            None,
            &form("/console", &message("err", "Isian formulir tidak lengkap.")),
        );
    };
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
    let locked = app
        .login_throttle
        .lock()
        .map(|mut t| {
            let until = t.locked(&username, ip, now);
            if until.is_none() {
                t.failed(&username, ip, now);
            }
            until
        })
        .unwrap_or(None);
    if let Some(until) = locked {
        let _ = app.store.audit(who, "login_locked", &shown, "").await;
        let local = until.with_timezone(&app.config.office.time_zone);
        let msg = format!(
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi setelah pukul {}.",
            local.format("%H.%M")
        );
        return respond(
            StatusCode::TOO_MANY_REQUESTS,
            "Masuk",
            None,
            &form(&next, &message("err", &msg)),
        );
    }
    let user = app.store.user(&username).await.ok().flatten();
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password = f.password;
    // argon2 takes ~19 MiB and a tenth of a second: a few at a time, whatever arrives.
    let Ok(_slot) = app.login_slots.acquire().await else {
        return respond(
            StatusCode::SERVICE_UNAVAILABLE,
            "Masuk",
            None,
            "Gangguan sistem.",
        );
    };
    // The same work whether or not the account exists: timing tells nothing.
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify(&password, &h),
        None => {
            let _ = verify(&password, DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false);
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        other => {
            let detail = match other {
                Some(u) if u.disabled => "disabled account",
                Some(_) => "wrong password",
                None => "unknown user",
            };
            let _ = app.store.audit(who, "login_failed", &shown, detail).await;
            return respond(
                StatusCode::UNAUTHORIZED,
                "Masuk",
                None,
                &form(
                    &next,
                    &message("err", "Nama pengguna atau kata sandi salah."),
                ),
            );
        }
    };
    if let Ok(mut t) = app.login_throttle.lock() {
        t.succeeded(&username, ip, now);
    }
    let who = Who::new(user.username.clone(), caller.addr());
    let (Ok(id), Ok(csrf)) = (token(), token()) else {
        return respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Masuk",
            None,
            "Gangguan sistem.",
        );
    };
    let session = Session {
        username: user.username.clone(),
        created_at: now,
        last_seen: now,
        csrf,
        addr: caller.addr(),
    };
    if app
        .store
        .put_session(sha256_hex(id.as_bytes()), session, who, Some("login"))
        .await
        .is_err()
    {
        return respond(
            StatusCode::SERVICE_UNAVAILABLE,
            "Masuk",
            None,
            "Penyimpanan data sedang tidak tersedia.",
        );
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
    if let Some(s) = &caller.staff {
        let _ = app
            .store
            .delete_session(s.key.clone(), caller.who("staff"))
            .await;
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

/// A valid argon2id hash of a random password nobody knows, for unknown usernames.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4QpGDsNVnMgn/jnbqo3LGRL5XyNDyvW4GbXqNgI6f8M";
