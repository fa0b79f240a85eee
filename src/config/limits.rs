//! `[limits]`: how many connections the HTTP listener holds and for how long, so that one
//! host on the LAN cannot take the kiosk and the lobby display offline by opening
//! connections and never finishing a request.

use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;

use super::errors::Collector;

#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections open at once, all addresses together (lowered at start to fit the
    /// process's open-file limit).
    pub max_connections: usize,
    /// Connections one address outside `reserved` may hold.
    pub max_per_address: usize,
    /// Of `max_connections`, how many only reserved addresses may take: the kiosk and the
    /// displays still get in when anonymous hosts hold everything else.
    pub reserved_connections: usize,
    /// Addresses of the kiosk, the displays (and any staff PC the office names); loopback
    /// is always reserved. Neither the per-address cap nor the anonymous share applies.
    pub reserved: Vec<IpAddr>,
    /// A connection must deliver a complete request head within this, counted from when it
    /// opens or from the end of its previous response (so it is also the keep-alive idle
    /// timeout). Also the TLS handshake's limit.
    pub header_timeout: Duration,
    /// A request body must have arrived within this after the head.
    pub body_timeout: Duration,
}

impl Limits {
    /// Loopback (the kiosk browser on the box itself) and the configured addresses.
    pub fn is_reserved(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        is_lo(ip) || self.reserved.contains(&ip)
    }
}

/// `127.0.0.1` and `::1`: `localhost`, what the kiosk browser on the box connects from. The
/// rest of 127/8 also reaches the box but no client of ours uses it, so it gets no reserve
/// (the tests use `127.0.0.2` and up as stand-ins for other hosts on the LAN).
fn is_lo(ip: IpAddr) -> bool {
    ip == IpAddr::from([127, 0, 0, 1]) || ip == IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    #[serde(default = "default_max_connections")]
    max_connections: usize,
    #[serde(default = "default_max_per_address")]
    max_per_address: usize,
    #[serde(default = "default_reserved_connections")]
    reserved_connections: usize,
    #[serde(default)]
    reserved: Vec<String>,
    #[serde(default = "default_header_timeout_secs")]
    header_timeout_secs: u64,
    #[serde(default = "default_body_timeout_secs")]
    body_timeout_secs: u64,
}

impl Default for RawLimits {
    fn default() -> Self {
        Self {
            max_connections: default_max_connections(),
            max_per_address: default_max_per_address(),
            reserved_connections: default_reserved_connections(),
            reserved: Vec::new(),
            header_timeout_secs: default_header_timeout_secs(),
            body_timeout_secs: default_body_timeout_secs(),
        }
    }
}

/// An office has a few dozen staff browsers (six connections each at most, HTTP/1.1), a
/// kiosk, one to three displays and citizens' phones on the tracking page: a few hundred at
/// the busiest. 1,024 leaves room; a connection holding part of a request head costs ~26 KiB
/// (docs/performance.md), ~27 MB at the cap, affordable on a Pi.
fn default_max_connections() -> usize {
    1024
}

/// A browser opens at most six per host; a NAT'd guest network (phones on the tracking page)
/// can share one address, hence more than six.
fn default_max_per_address() -> usize {
    32
}

fn default_reserved_connections() -> usize {
    64
}

fn default_header_timeout_secs() -> u64 {
    10
}

/// A 5 MiB attachment from a phone on weak Wi-Fi (1 Mbit/s) takes ~40 s.
fn default_body_timeout_secs() -> u64 {
    60
}

impl RawLimits {
    pub(super) fn validate(&self, errs: &mut Collector) -> Limits {
        if !(16..=65_536).contains(&self.max_connections) {
            errs.push(
                "limits.max_connections",
                "harus antara 16 dan 65536 / must be between 16 and 65536",
            );
        }
        if self.max_per_address == 0 || self.max_per_address > self.max_connections {
            errs.push(
                "limits.max_per_address",
                "harus antara 1 dan max_connections / must be between 1 and max_connections",
            );
        }
        if self.reserved_connections >= self.max_connections {
            errs.push(
                "limits.reserved_connections",
                "harus lebih kecil dari max_connections / must be less than max_connections",
            );
        }
        let mut reserved = Vec::new();
        for (i, s) in self.reserved.iter().enumerate() {
            match s.trim().parse::<IpAddr>() {
                Ok(ip) => reserved.push(ip.to_canonical()),
                Err(_) => errs.push(
                    format!("limits.reserved[{i}]"),
                    format!(
                        "`{s}` bukan alamat IP, mis. 192.168.1.20 / is not an IP address, e.g. 192.168.1.20"
                    ),
                ),
            }
        }
        if !(1..=300).contains(&self.header_timeout_secs) {
            errs.push(
                "limits.header_timeout_secs",
                "harus antara 1 dan 300 detik / must be between 1 and 300 seconds",
            );
        }
        if !(5..=3600).contains(&self.body_timeout_secs) {
            errs.push(
                "limits.body_timeout_secs",
                "harus antara 5 dan 3600 detik / must be between 5 and 3600 seconds",
            );
        }
        Limits {
            max_connections: self.max_connections,
            max_per_address: self.max_per_address,
            reserved_connections: self.reserved_connections,
            reserved,
            header_timeout: Duration::from_secs(self.header_timeout_secs),
            body_timeout: Duration::from_secs(self.body_timeout_secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, EMBEDDED_DEFAULT};
    use std::net::IpAddr;
    use std::time::Duration;

    #[test]
    fn the_shipped_limits() {
        let l = Config::embedded().expect("config").limits;
        assert_eq!(
            (l.max_connections, l.max_per_address, l.reserved_connections),
            (1024, 32, 64)
        );
        assert_eq!(l.header_timeout, Duration::from_secs(10));
        assert!(l.is_reserved(IpAddr::from([127, 0, 0, 1])));
        assert!(l.is_reserved("::1".parse().expect("ip")));
        assert!(!l.is_reserved(IpAddr::from([127, 0, 0, 2])));
        assert!(!l.is_reserved(IpAddr::from([192, 168, 1, 20])));
    }

    #[test]
    fn reserved_addresses_are_read_and_bad_values_named_with_their_line() {
        let src = EMBEDDED_DEFAULT.replace(
            "reserved = []\n",
            "reserved = [\"192.168.1.20\", \"kiosk\"]\n",
        );
        let errs = Config::from_toml_str(&src).expect_err("must fail");
        let e = &errs.0[0];
        assert_eq!(e.path, "limits.reserved[1]");
        assert!(e.message.contains("`kiosk`"), "{e}");
        let line = src
            .lines()
            .position(|l| l.starts_with("reserved = ["))
            .map(|n| n + 1);
        assert_eq!(e.line, line);

        let src = EMBEDDED_DEFAULT
            .replace("reserved = []\n", "reserved = [\"192.168.1.20\"]\n")
            .replace("reserved_connections = 64", "reserved_connections = 2048")
            .replace("header_timeout_secs = 10", "header_timeout_secs = 0");
        let errs = Config::from_toml_str(&src).expect_err("must fail");
        let paths: Vec<_> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["limits.reserved_connections", "limits.header_timeout_secs"]
        );
        let ok = EMBEDDED_DEFAULT.replace("reserved = []\n", "reserved = [\"192.168.1.20\"]\n");
        let l = Config::from_toml_str(&ok).expect("valid").limits;
        assert!(l.is_reserved(IpAddr::from([192, 168, 1, 20])));
        assert!(l.is_reserved("::ffff:192.168.1.20".parse().expect("ip")));
    }
}
