//! Login throttling: repeated failures lock an account, and an address, for a while. Kept in
//! memory (a restart clears it; every failure is in the audit log regardless).

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

/// Failures within the window that lock.
pub const MAX_FAILURES: usize = 5;
pub const WINDOW_MINUTES: i64 = 15;
pub const LOCK_MINUTES: i64 = 15;

#[derive(Default)]
pub struct Throttle {
    by_user: HashMap<String, Vec<DateTime<Utc>>>,
    by_addr: HashMap<IpAddr, Vec<DateTime<Utc>>>,
}

fn locked_until(fails: Option<&Vec<DateTime<Utc>>>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let fails = fails?;
    let recent: Vec<_> = fails
        .iter()
        .filter(|t| now - **t < Duration::minutes(WINDOW_MINUTES))
        .collect();
    if recent.len() < MAX_FAILURES {
        return None;
    }
    let until = **recent.last()? + Duration::minutes(LOCK_MINUTES);
    (until > now).then_some(until)
}

impl Throttle {
    /// When the account or the address may try again, if locked now.
    pub fn locked(&self, user: &str, addr: IpAddr, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let u = locked_until(self.by_user.get(&user.to_lowercase()), now);
        let a = locked_until(self.by_addr.get(&addr), now);
        u.max(a)
    }

    pub fn failed(&mut self, user: &str, addr: IpAddr, now: DateTime<Utc>) {
        let keep = |v: &mut Vec<DateTime<Utc>>| {
            v.retain(|t| now - *t < Duration::minutes(WINDOW_MINUTES + LOCK_MINUTES));
            v.push(now);
        };
        keep(self.by_user.entry(user.to_lowercase()).or_default());
        keep(self.by_addr.entry(addr).or_default());
    }

    /// The attempt recorded at `at` was a success: it no longer counts against the
    /// address, and the account's failures are forgiven.
    pub fn succeeded(&mut self, user: &str, addr: IpAddr, at: DateTime<Utc>) {
        self.by_user.remove(&user.to_lowercase());
        if let Some(v) = self.by_addr.get_mut(&addr)
            && let Some(i) = v.iter().rposition(|t| *t == at)
        {
            v.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_repeated_failures_then_lets_go() {
        let mut t = Throttle::default();
        let addr: IpAddr = "192.168.1.20".parse().expect("ip");
        let other: IpAddr = "192.168.1.21".parse().expect("ip");
        let t0 = DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000);
        for i in 0..4 {
            t.failed("Budi", addr, t0 + Duration::seconds(i));
            assert!(t.locked("budi", addr, t0 + Duration::seconds(i)).is_none());
        }
        t.failed("budi", addr, t0 + Duration::seconds(5));
        let until = t
            .locked("budi", other, t0 + Duration::seconds(6))
            .expect("account locked");
        assert_eq!(
            until,
            t0 + Duration::seconds(5) + Duration::minutes(LOCK_MINUTES)
        );
        assert!(
            t.locked("siti", addr, t0 + Duration::seconds(6)).is_some(),
            "address locked"
        );
        assert!(t.locked("siti", other, t0 + Duration::seconds(6)).is_none());
        assert!(
            t.locked("budi", other, until + Duration::seconds(1))
                .is_none()
        );
    }
}
