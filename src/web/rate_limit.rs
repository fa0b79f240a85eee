//! Per-client limit on the kiosk endpoint: a token bucket per address, so a stuck button
//! or a script on the LAN cannot drain the day's numbers. Time comes from the app's clock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

pub struct RateLimiter {
    per_minute: u32,
    /// The most taken at once.
    burst: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, DateTime<Utc>)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self::with_burst(per_minute, per_minute.div_ceil(2).max(1))
    }

    /// `per_minute` refilled evenly, at most `burst` at once: `with_burst(20, 20)` allows 20
    /// lookups in any minute and refuses the 21st.
    pub fn with_burst(per_minute: u32, burst: u32) -> Self {
        Self {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip`; false when its bucket is empty. A burst of up to half a
    /// minute's allowance is allowed (a queue of citizens at opening time).
    pub fn allow(&self, ip: IpAddr, now: DateTime<Utc>) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        let capacity = f64::from(self.burst);
        let rate = f64::from(self.per_minute) / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, (tokens, at)| {
                *tokens < capacity || now - *at < chrono::Duration::minutes(5)
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((capacity, now));
        // A clock that moved back refills nothing.
        let elapsed = (now - *at).num_milliseconds().max(0) as f64 / 1000.0;
        *tokens = (*tokens + elapsed * rate).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_with_time() {
        let l = RateLimiter::new(20);
        let ip: IpAddr = "192.168.1.9".parse().expect("ip");
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let allowed = (0..30).filter(|_| l.allow(ip, t0)).count();
        assert_eq!(allowed, 10);
        assert!(!l.allow(ip, t0 + chrono::Duration::seconds(2)));
        assert!(l.allow(ip, t0 + chrono::Duration::seconds(3)));
        assert!(
            l.allow("192.168.1.10".parse().expect("ip"), t0),
            "per address"
        );
        assert!(RateLimiter::new(0).allow(ip, t0));
    }

    #[test]
    fn a_full_burst_allows_the_whole_minute_at_once() {
        let l = RateLimiter::with_burst(20, 20);
        let ip: IpAddr = "192.168.1.9".parse().expect("ip");
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let allowed = (0..30).filter(|_| l.allow(ip, t0)).count();
        assert_eq!(allowed, 20);
        assert!(!l.allow(ip, t0 + chrono::Duration::seconds(2)));
        assert!(l.allow(ip, t0 + chrono::Duration::seconds(3)));
    }
}
