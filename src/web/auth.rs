//! Who is asking: the session cookie read once per request (`authenticate`), and the
//! `Caller` every handler gets (its staff account, if any, and its address for the audit).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{COOKIE, HeaderMap};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Duration;

use super::AppState;
use crate::audit::Who;
use crate::auth::{Session, User, sha256_hex};

pub const COOKIE_NAME: &str = "loket_session";

/// A logged-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: User,
    /// SHA-256 of the session id: the session's key in the store.
    pub key: String,
    pub session: Session,
    /// The TCP peer, for the audit log.
    pub ip: Option<IpAddr>,
}

impl Staff {
    /// For the audit log: this staff member at this address.
    pub fn who(&self) -> Who {
        Who::new(
            self.user.username.clone(),
            self.ip.map(|i| i.to_string()).unwrap_or_default(),
        )
    }
}

/// Handlers of staff routes take `Staff` itself: the guard has already refused anyone
/// else, and this rejection is the second lock on the same door.
impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth>()
            .and_then(|a| a.0.clone())
            .ok_or_else(|| {
                super::ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "Silakan masuk terlebih dahulu.",
                )
                .into_response()
            })
    }
}

/// The request's staff member, if it carried a valid session.
#[derive(Debug, Clone, Default)]
pub struct Auth(pub Option<Staff>);

/// The TCP peer. Forwarded-for headers are ignored: anyone on the LAN could set them.
pub fn peer_ip(parts: &axum::http::Extensions) -> Option<IpAddr> {
    parts
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_canonical())
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, Secure over HTTPS.
pub fn set_cookie(id: &str, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// Reads the session once per request; a stale, unknown or disabled one is no session.
pub async fn authenticate(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = peer_ip(req.extensions());
    let staff = match session_cookie(req.headers()) {
        Some(id) => load(&app, &id, ip).await,
        None => None,
    };
    req.extensions_mut().insert(Auth(staff));
    next.run(req).await
}

async fn load(app: &AppState, id: &str, ip: Option<IpAddr>) -> Option<Staff> {
    load_key(app, sha256_hex(id.as_bytes()), ip).await
}

/// The staff member of a session key as the store holds it now: None once the session ended
/// (logout, expiry, revocation) or the account was disabled.
pub async fn load_key(app: &AppState, key: String, ip: Option<IpAddr>) -> Option<Staff> {
    let session = app.store.session(&key).await.ok()??;
    let now = app.clock.now();
    if !session.valid_at(now, app.config.console.session_limits()) {
        // Gone for good: kept, a clock set back later would make it valid again.
        let addr = ip.map(|a| a.to_string()).unwrap_or_default();
        let who = crate::audit::Who::new(session.username.clone(), addr);
        if let Err(e) = app.store.expire_session(key, who).await {
            tracing::warn!(error = %e, "an expired session could not be removed");
        }
        return None;
    }
    let user = app.store.user(&session.username).await.ok()??;
    if user.disabled {
        return None;
    }
    Some(Staff {
        user,
        key,
        session,
        ip,
    })
}

/// Idle time counts from the last staff request (not from the public pages a console also
/// polls, so an unattended screen still times out); written at most once a minute.
pub async fn touch(app: &AppState, staff: &Staff) {
    let now = app.clock.now();
    // A `last_seen` ahead of the clock (corrected backwards) is rewritten at once, so idle
    // time counts from the corrected clock.
    if (now - staff.session.last_seen > Duration::minutes(1) || staff.session.last_seen > now)
        && let Err(e) = app.store.touch_session(staff.key.clone(), now).await
    {
        tracing::warn!(error = %e, "session use not recorded");
    }
}

/// What a handler knows of its caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub staff: Option<Staff>,
    pub ip: Option<IpAddr>,
}

impl Caller {
    pub fn addr(&self) -> String {
        self.ip.map(|i| i.to_string()).unwrap_or_default()
    }

    /// For the audit log: the staff member, or `anonymous` (the kiosk names itself).
    pub fn who(&self, anonymous: &str) -> Who {
        let actor = self
            .staff
            .as_ref()
            .map_or(anonymous.to_string(), |s| s.user.username.clone());
        Who::new(actor, self.addr())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller {
            staff: parts.extensions.get::<Auth>().and_then(|a| a.0.clone()),
            ip: peer_ip(&parts.extensions),
        })
    }
}
