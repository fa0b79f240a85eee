//! Who may hold a connection: a global cap, a cap per client address, and a share of the
//! global cap that only reserved addresses (the kiosk, the displays, loopback) may take.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use crate::config::Limits;

/// Why a connection was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Every connection anonymous addresses may hold is taken (the reserve is left).
    Full,
    /// This address holds its `max_per_address`.
    PerAddress,
}

#[derive(Debug)]
pub struct Slots {
    limits: Limits,
    /// The global cap in force: `limits.max_connections`, or lower to fit the open-file limit.
    cap: usize,
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    total: usize,
    /// Connections held by anonymous addresses, all together.
    anonymous: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// One open connection's place; given back when dropped.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    ip: IpAddr,
    reserved: bool,
}

impl Slots {
    pub fn new(limits: Limits, cap: usize) -> Arc<Self> {
        Arc::new(Self {
            limits,
            cap,
            held: Mutex::default(),
        })
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// What anonymous addresses may hold together: the cap less the reserve.
    pub fn anonymous_cap(&self) -> usize {
        self.cap.saturating_sub(self.limits.reserved_connections)
    }

    pub fn open(&self) -> usize {
        self.lock().total
    }

    pub fn take(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refusal> {
        let ip = ip.to_canonical();
        let reserved = self.limits.is_reserved(ip);
        let mut held = self.lock();
        if held.total >= self.cap {
            return Err(Refusal::Full);
        }
        if !reserved {
            if held.anonymous >= self.anonymous_cap() {
                return Err(Refusal::Full);
            }
            let mine = held.per_address.entry(ip).or_insert(0);
            if *mine >= self.limits.max_per_address {
                return Err(Refusal::PerAddress);
            }
            *mine += 1;
            held.anonymous += 1;
        }
        held.total += 1;
        Ok(Slot {
            slots: self.clone(),
            ip,
            reserved,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        // The counts stay consistent under a panic elsewhere: every change is one step.
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.slots.lock();
        held.total = held.total.saturating_sub(1);
        if !self.reserved {
            held.anonymous = held.anonymous.saturating_sub(1);
            if let Some(n) = held.per_address.get_mut(&self.ip) {
                *n -= 1;
                if *n == 0 {
                    held.per_address.remove(&self.ip);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits(max: usize, per: usize, reserve: usize) -> Limits {
        Limits {
            max_connections: max,
            max_per_address: per,
            reserved_connections: reserve,
            reserved: vec![IpAddr::from([192, 168, 1, 20])],
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
        }
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 168, 1, last])
    }

    #[test]
    fn one_address_stops_at_its_cap_and_gets_it_back() {
        let slots = Slots::new(limits(100, 3, 10), 100);
        let held: Vec<_> = (0..3).map(|_| slots.take(ip(50)).expect("slot")).collect();
        assert_eq!(slots.take(ip(50)).err(), Some(Refusal::PerAddress));
        assert!(slots.take(ip(51)).is_ok(), "another address still gets in");
        drop(held);
        assert!(slots.take(ip(50)).is_ok());
        assert_eq!(slots.open(), 0, "dropped slots are given back");
    }

    #[test]
    fn the_reserve_is_left_for_reserved_addresses() {
        let slots = Slots::new(limits(10, 10, 4), 10);
        let anon: Vec<_> = (0..6)
            .map(|i| slots.take(ip(100 + i)).expect("slot"))
            .collect();
        assert_eq!(slots.take(ip(200)).err(), Some(Refusal::Full));
        let kiosk: Vec<_> = (0..4)
            .map(|_| slots.take(ip(20)).expect("reserved"))
            .collect();
        assert!(
            slots.take(IpAddr::from([127, 0, 0, 1])).is_err(),
            "the cap holds for all"
        );
        drop(kiosk);
        assert!(
            slots.take(IpAddr::from([127, 0, 0, 1])).is_ok(),
            "loopback is reserved"
        );
        assert!(
            slots
                .take("::ffff:192.168.1.20".parse().expect("ip"))
                .is_ok()
        );
        drop(anon);
    }

    #[test]
    fn reserved_addresses_have_no_per_address_cap() {
        let slots = Slots::new(limits(50, 2, 10), 50);
        let held: Vec<_> = (0..20).map(|_| slots.take(ip(20)).expect("slot")).collect();
        assert_eq!(held.len(), 20);
    }
}
