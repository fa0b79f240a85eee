//! Staff accounts, roles, sessions and login throttling. Who may do what is declared once,
//! in the route table (`web::routes`); this module holds the data and the rules.

mod password;
mod role;
mod throttle;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use password::{
    generate as generate_password, hash as hash_password, token, verify, verify_login, weakness,
};
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
    /// Still valid at `now`? A clock corrected backwards (NTP after a drift, an hour) leaves
    /// `last_seen` and `created_at` ahead of it: they count as now, so the correction logs
    /// nobody out and idle time is never negative. A session begun further ahead than its
    /// absolute limit came from a clock that was wrong (a year ahead, say) and is not kept.
    pub fn valid_at(&self, now: DateTime<Utc>, limits: SessionLimits) -> bool {
        if self.created_at - now > limits.absolute {
            return false;
        }
        let last_seen = self.last_seen.min(now);
        let created_at = self.created_at.min(now);
        now - last_seen <= limits.idle && now - created_at <= limits.absolute
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default() + Duration::hours(h)
    }

    fn session(created: i64, seen: i64) -> Session {
        Session {
            username: "rina".to_string(),
            created_at: at(created),
            last_seen: at(seen),
            csrf: String::new(),
            addr: String::new(),
        }
    }

    #[test]
    fn a_clock_set_back_an_hour_keeps_the_session_and_counts_idle_from_then() {
        let limits = SessionLimits::default();
        let s = session(0, 0);
        assert!(s.valid_at(at(-1), limits), "an hour back");
        // Unused since, it is idle from the later of its last use and now: the correction
        // lengthens its idle time by at most its own size (a staff request rewrites
        // `last_seen` to the corrected clock, `web::auth::touch`).
        assert!(s.valid_at(at(-1) + Duration::minutes(31), limits));
        assert!(!s.valid_at(at(0) + Duration::minutes(31), limits));
    }

    #[test]
    fn a_session_begun_under_a_clock_far_ahead_is_not_kept() {
        let limits = SessionLimits::default();
        assert!(!session(24 * 365, 24 * 365).valid_at(at(0), limits));
        assert!(!session(0, 0).valid_at(at(13), limits), "absolute limit");
    }
}
