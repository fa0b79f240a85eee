//! Login throttling, kept in memory (a restart clears it; the audit log keeps the record).
//!
//! Failures lock the pair (account, address), not the account: five wrong passwords for
//! `admin` typed at one desk must not lock the real administrator out at another. Two wider
//! limits stop what the pair cannot:
//! - an address that fails often, whatever names it tries, is locked (one host guessing many
//!   accounts);
//! - an account that fails very often across addresses (a host that changes its address) is
//!   locked everywhere but at the addresses it has logged in from before: staff at their own
//!   desks still get in.
//!
//! A refused attempt while locked is reported once per lock for the audit log, so a flood of
//! requests does not grow the database.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

/// Failures of one account from one address within the window that lock that pair.
pub const MAX_FAILURES: usize = 5;
/// Failures from one address, whatever the accounts, that lock the address.
pub const MAX_ADDRESS_FAILURES: usize = 20;
/// Failures of one account from all addresses that lock it but at its known addresses.
pub const MAX_ACCOUNT_FAILURES: usize = 50;
pub const WINDOW_MINUTES: i64 = 15;
pub const LOCK_MINUTES: i64 = 15;
/// Entries kept before old ones are dropped: a bound on memory whatever a host sends.
const MAX_KEYS: usize = 10_000;
/// Addresses remembered per account as its own desks.
const KNOWN_PER_ACCOUNT: usize = 32;

/// What an attempt may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go on and check the password (the attempt is counted as a failure until it succeeds).
    Try,
    /// Refused until `until`; `first` is true for the first refusal of this lock, the one
    /// to write to the audit log.
    Locked { until: DateTime<Utc>, first: bool },
}

#[derive(Default)]
pub struct Throttle {
    by_pair: HashMap<(String, IpAddr), Vec<DateTime<Utc>>>,
    by_addr: HashMap<IpAddr, Vec<DateTime<Utc>>>,
    by_user: HashMap<String, Vec<DateTime<Utc>>>,
    /// Addresses each account has logged in from: exempt from the account-wide limit.
    known: HashMap<String, HashSet<IpAddr>>,
    /// Locks already reported, by (account or "", address): until when.
    reported: HashMap<(String, IpAddr), DateTime<Utc>>,
}

fn locked_until(
    fails: Option<&Vec<DateTime<Utc>>>,
    max: usize,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let fails = fails?;
    let window = Duration::minutes(WINDOW_MINUTES);
    let recent: Vec<_> = fails.iter().filter(|t| now - **t < window).collect();
    if recent.len() < max {
        return None;
    }
    let until = **recent.last()? + Duration::minutes(LOCK_MINUTES);
    (until > now).then_some(until)
}

fn note(v: &mut Vec<DateTime<Utc>>, now: DateTime<Utc>, max: usize) {
    v.retain(|t| now - *t < Duration::minutes(WINDOW_MINUTES + LOCK_MINUTES));
    // Only the last `max` decide a lock: a flood keeps no more.
    if v.len() >= max {
        v.drain(..=v.len() - max);
    }
    v.push(now);
}

/// Drops the entries with nothing recent, then, if still too many, the tenth whose last
/// failure is oldest: a bound on memory that never forgets a lock earned just now (clearing
/// everything would let a flood of new names unlock the account it is guessing).
fn prune<K: std::hash::Hash + Eq + Clone>(
    m: &mut HashMap<K, Vec<DateTime<Utc>>>,
    max: usize,
    now: DateTime<Utc>,
) {
    if m.len() < MAX_KEYS {
        return;
    }
    let keep = Duration::minutes(WINDOW_MINUTES + LOCK_MINUTES);
    m.retain(|_, v| v.last().is_some_and(|t| now - *t < keep));
    if m.len() >= MAX_KEYS {
        // Locks last; among the rest, the oldest first.
        let mut by_age: Vec<((bool, DateTime<Utc>), K)> = m
            .iter()
            .map(|(k, v)| {
                let locked = locked_until(Some(v), max, now).is_some();
                ((locked, v.last().copied().unwrap_or(now)), k.clone())
            })
            .collect();
        by_age.sort_by_key(|(key, _)| *key);
        for (_, k) in by_age.into_iter().take(MAX_KEYS / 10) {
            m.remove(&k);
        }
    }
}

impl Throttle {
    fn lock_of(
        &self,
        user: &str,
        addr: IpAddr,
        now: DateTime<Utc>,
    ) -> Option<(bool, DateTime<Utc>)> {
        let pair = locked_until(
            self.by_pair.get(&(user.to_string(), addr)),
            MAX_FAILURES,
            now,
        );
        let address = locked_until(self.by_addr.get(&addr), MAX_ADDRESS_FAILURES, now);
        let known = self.known.get(user).is_some_and(|k| k.contains(&addr));
        let account = if known {
            None
        } else {
            locked_until(self.by_user.get(user), MAX_ACCOUNT_FAILURES, now)
        };
        // Reported per address when the address is locked (one record however many names).
        match (address, pair.max(account)) {
            (Some(a), other) => Some((false, a.max(other.unwrap_or(a)))),
            (None, Some(u)) => Some((true, u)),
            (None, None) => None,
        }
    }

    /// Decides an attempt by `user` from `addr`; an attempt allowed counts as a failure
    /// at once (so parallel guesses cannot slip past the lock), forgiven by `succeeded`.
    pub fn attempt(&mut self, user: &str, addr: IpAddr, now: DateTime<Utc>) -> Verdict {
        // Only a name an account could have is a key: anything else (16 KiB of junk) counts
        // against the address under one empty name, so keys stay small.
        let user = user.to_lowercase();
        let user = if super::valid_username(&user) {
            user
        } else {
            String::new()
        };
        if let Some((per_user, until)) = self.lock_of(&user, addr, now) {
            let key = (if per_user { user } else { String::new() }, addr);
            let first = self.reported.get(&key).is_none_or(|u| *u < until);
            if first {
                if self.reported.len() >= MAX_KEYS {
                    self.reported.retain(|_, u| *u > now);
                    if self.reported.len() >= MAX_KEYS {
                        self.reported.clear();
                    }
                }
                self.reported.insert(key, until);
            }
            return Verdict::Locked { until, first };
        }
        prune(&mut self.by_pair, MAX_FAILURES, now);
        prune(&mut self.by_addr, MAX_ADDRESS_FAILURES, now);
        prune(&mut self.by_user, MAX_ACCOUNT_FAILURES, now);
        note(
            self.by_pair.entry((user.clone(), addr)).or_default(),
            now,
            MAX_FAILURES,
        );
        note(
            self.by_addr.entry(addr).or_default(),
            now,
            MAX_ADDRESS_FAILURES,
        );
        note(
            self.by_user.entry(user).or_default(),
            now,
            MAX_ACCOUNT_FAILURES,
        );
        Verdict::Try
    }

    /// The attempt made at `at` succeeded: it no longer counts, the pair's failures are
    /// forgiven, and the address becomes one of the account's own.
    pub fn succeeded(&mut self, user: &str, addr: IpAddr, at: DateTime<Utc>) {
        let user = user.to_lowercase();
        self.by_pair.remove(&(user.clone(), addr));
        for v in [self.by_addr.get_mut(&addr), self.by_user.get_mut(&user)]
            .into_iter()
            .flatten()
        {
            if let Some(i) = v.iter().rposition(|t| *t == at) {
                v.remove(i);
            }
        }
        if self.known.len() >= MAX_KEYS {
            self.known.clear();
        }
        let known = self.known.entry(user).or_default();
        if known.len() < KNOWN_PER_ACCOUNT {
            known.insert(addr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn t0() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000)
    }

    fn fail_n(t: &mut Throttle, user: &str, addr: IpAddr, n: usize, at: DateTime<Utc>) {
        for _ in 0..n {
            assert_eq!(t.attempt(user, addr, at), Verdict::Try);
        }
    }

    #[test]
    fn failures_lock_the_pair_not_the_account() {
        let mut t = Throttle::default();
        let (desk, other) = (ip("192.168.1.20"), ip("192.168.1.21"));
        fail_n(&mut t, "Budi", desk, MAX_FAILURES, t0());
        let at = t0() + Duration::seconds(1);
        let until = t0() + Duration::minutes(LOCK_MINUTES);
        assert_eq!(
            t.attempt("budi", desk, at),
            Verdict::Locked { until, first: true }
        );
        assert_eq!(
            t.attempt("budi", desk, at),
            Verdict::Locked {
                until,
                first: false
            },
            "reported once"
        );
        assert_eq!(t.attempt("budi", other, at), Verdict::Try, "another desk");
        assert_eq!(t.attempt("siti", desk, at), Verdict::Try, "another account");
        assert_eq!(
            t.attempt("budi", desk, until + Duration::seconds(1)),
            Verdict::Try
        );
    }

    #[test]
    fn an_address_that_guesses_many_names_is_locked() {
        let mut t = Throttle::default();
        let host = ip("192.168.1.66");
        for i in 0..MAX_ADDRESS_FAILURES {
            assert_eq!(t.attempt(&format!("tebak{i}"), host, t0()), Verdict::Try);
        }
        assert!(matches!(
            t.attempt("admin", host, t0()),
            Verdict::Locked { first: true, .. }
        ));
        assert!(matches!(
            t.attempt("siti", host, t0()),
            Verdict::Locked { first: false, .. }
        ));
        assert_eq!(t.attempt("admin", ip("192.168.1.20"), t0()), Verdict::Try);
    }

    #[test]
    fn an_account_under_attack_from_everywhere_stays_open_at_its_own_desk() {
        let mut t = Throttle::default();
        let desk = ip("192.168.1.20");
        assert_eq!(t.attempt("admin", desk, t0()), Verdict::Try);
        t.succeeded("admin", desk, t0());
        for i in 0..MAX_ACCOUNT_FAILURES {
            let host = ip(&format!("10.0.{}.{}", i / 200, i % 200 + 1));
            assert_eq!(t.attempt("admin", host, t0()), Verdict::Try);
        }
        assert!(matches!(
            t.attempt("admin", ip("10.9.9.9"), t0()),
            Verdict::Locked { .. }
        ));
        assert_eq!(t.attempt("admin", desk, t0()), Verdict::Try);
    }

    #[test]
    fn a_flood_of_new_names_does_not_unlock_the_account_it_guesses() {
        let mut t = Throttle::default();
        let desk = ip("192.168.1.20");
        fail_n(&mut t, "admin", desk, MAX_FAILURES, t0());
        assert!(matches!(
            t.attempt("admin", desk, t0()),
            Verdict::Locked { .. }
        ));
        // Ten thousand other names, each from its own address, a minute later.
        for i in 0..(2 * MAX_KEYS) {
            let host = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i as u32));
            let _ = t.attempt(&format!("nama{i}"), host, t0() + Duration::minutes(1));
        }
        assert!(
            matches!(
                t.attempt("admin", desk, t0() + Duration::minutes(2)),
                Verdict::Locked { .. }
            ),
            "the lock earned at the start still holds"
        );
        // A name no account can have is one key, however long.
        let long = "x".repeat(16 * 1024);
        let _ = t.attempt(&long, ip("192.168.1.9"), t0());
        assert!(t.by_pair.keys().all(|(u, _)| u.len() <= 32));
    }

    #[test]
    fn memory_stays_bounded_under_a_flood() {
        let mut t = Throttle::default();
        for i in 0..(3 * MAX_KEYS) {
            let _ = t.attempt(&format!("n{i}"), ip("192.168.1.9"), t0());
            let _ = t.attempt(
                "admin",
                IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i as u32)),
                t0(),
            );
        }
        assert!(t.by_pair.len() <= MAX_KEYS);
        assert!(t.by_addr.len() <= MAX_KEYS);
        assert!(t.by_addr.values().all(|v| v.len() <= MAX_ADDRESS_FAILURES));
        assert!(t.by_user.values().all(|v| v.len() <= MAX_ACCOUNT_FAILURES));
        assert!(t.reported.len() <= MAX_KEYS);
    }
}
