//! The view's sessions, kept in memory.
//!
//! Not in PostgreSQL: the view's database role writes nothing but the login record, so a
//! stolen connection string cannot plant a session; one process serves the view, so no
//! other needs to see them; and a restart (an upgrade, rare on a city server) only asks
//! everyone to log in again. The cookie carries a random id; the map is keyed by its
//! SHA-256, as the office keeps its sessions.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use chrono::{DateTime, Utc};

use crate::auth::{Session, SessionLimits, sha256_hex};

pub const COOKIE_NAME: &str = "loket_kota_session";
/// Sessions held at once: a bound on memory whatever logs in.
const MAX_SESSIONS: usize = 10_000;

pub struct Sessions {
    limits: SessionLimits,
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    pub fn new(limits: SessionLimits) -> Self {
        Self {
            limits,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session for `username`; its id (for the cookie) and the session.
    pub fn open(
        &self,
        username: &str,
        addr: String,
        now: DateTime<Utc>,
    ) -> Result<(String, Session), String> {
        let (id, csrf) = (crate::auth::token()?, crate::auth::token()?);
        let session = Session {
            username: username.to_string(),
            created_at: now,
            last_seen: now,
            csrf,
            addr,
        };
        let mut map = self.map();
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, s| s.valid_at(now, self.limits));
            if map.len() >= MAX_SESSIONS {
                // The oldest go first: a flood of logins cannot grow memory.
                let mut by_age: Vec<(DateTime<Utc>, String)> =
                    map.iter().map(|(k, s)| (s.last_seen, k.clone())).collect();
                by_age.sort();
                for (_, k) in by_age.into_iter().take(MAX_SESSIONS / 10) {
                    map.remove(&k);
                }
            }
        }
        map.insert(sha256_hex(id.as_bytes()), session.clone());
        Ok((id, session))
    }

    /// The session of a cookie's id, if still valid at `now` (its use is noted); an expired
    /// one is removed.
    pub fn get(&self, id: &str, now: DateTime<Utc>) -> Option<Session> {
        let key = sha256_hex(id.as_bytes());
        let mut map = self.map();
        let valid = map.get(&key)?.valid_at(now, self.limits);
        if !valid {
            map.remove(&key);
            return None;
        }
        let s = map.get_mut(&key)?;
        s.last_seen = now.max(s.last_seen);
        Some(s.clone())
    }

    pub fn end(&self, id: &str) {
        self.map().remove(&sha256_hex(id.as_bytes()));
    }

    /// Every session of an account (a disabled account's, found at its next request).
    pub fn end_all_of(&self, username: &str) {
        self.map().retain(|_, s| s.username != username);
    }
}

pub fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.to_string())
}

/// HttpOnly, SameSite=Strict, Secure over HTTPS.
pub fn set_cookie(id: &str, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_lives_while_used_and_ends_idle_or_at_logout() {
        let s = Sessions::new(SessionLimits::default());
        let t0 = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000);
        let (id, _) = s.open("sekda", String::new(), t0).expect("open");
        assert!(s.get(&id, t0 + chrono::Duration::minutes(20)).is_some());
        assert!(s.get(&id, t0 + chrono::Duration::minutes(45)).is_some());
        assert!(s.get(&id, t0 + chrono::Duration::minutes(80)).is_none());
        let (id, _) = s.open("sekda", String::new(), t0).expect("open");
        s.end(&id);
        assert!(s.get(&id, t0).is_none());
        assert!(s.get("made-up", t0).is_none());
    }
}
