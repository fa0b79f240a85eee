//! Staff accounts, roles, sessions and login throttling. Who may do what is declared once,
//! in the route table (`web::routes`); this module holds the data and the rules.

mod password;
mod role;
mod throttle;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use password::{generate as generate_password, hash as hash_password, token, verify, weakness};
pub use role::{ALL_ROLES, Role};
pub use throttle::{LOCK_MINUTES, MAX_ADDRESS_FAILURES, MAX_FAILURES, Throttle, Verdict};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub roles: Vec<Role>,
    pub password_hash: String,
    #[serde(default)]
    pub disabled: bool,
    /// Set for a generated password: the first login must choose a new one.
    #[serde(default)]
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// An administrator who can log in: the office must always keep one.
    pub fn is_active_admin(&self) -> bool {
        !self.disabled && self.roles.contains(&Role::Admin)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }
}

/// `3–32` of `a-z 0-9 . _ -`, starting with a letter: safe in URLs, logs and audit lines.
pub fn valid_username(name: &str) -> bool {
    (3..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// A login. Stored under the SHA-256 of its id, so the database never holds a usable cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub username: String,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Sent back by forms and by API clients (`X-CSRF-Token`).
    pub csrf: String,
    pub addr: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

impl Session {
    /// Still valid at `now`? A clock that jumped backwards does not revive an old one.
    pub fn valid_at(&self, now: DateTime<Utc>, limits: SessionLimits) -> bool {
        now - self.last_seen <= limits.idle
            && now - self.created_at <= limits.absolute
            && now >= self.created_at - Duration::minutes(5)
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
