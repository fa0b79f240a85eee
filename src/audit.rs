//! The audit log: every login, failed login, state change and read of personal data, in
//! order, append-only and hash-chained: each entry's hash covers the previous one's, so an
//! entry changed or removed later breaks the chain from there on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::sha256_hex;

/// Who did it, from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Who {
    /// A username, or `kiosk`, `button`, `system`, `cli`.
    pub actor: String,
    pub addr: String,
}

impl Who {
    pub fn new(actor: impl Into<String>, addr: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            addr: addr.into(),
        }
    }

    pub fn system() -> Self {
        Self::new("system", "")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub addr: String,
    /// e.g. `login`, `login_failed`, `ticket_issued`, `counter_call_next`, `user_added`.
    pub action: String,
    /// What it was done to: a ticket number, a username, a counter…
    pub target: String,
    #[serde(default)]
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of the first entry's predecessor.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl AuditEntry {
    pub fn new(
        prev: (u64, &str),
        at: DateTime<Utc>,
        who: &Who,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Self {
        let mut e = Self {
            seq: prev.0 + 1,
            at,
            actor: who.actor.clone(),
            addr: who.addr.clone(),
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
            prev_hash: prev.1.to_string(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }

    /// Over every field but the hash itself, each length-prefixed so no two entries can
    /// run together into the same bytes.
    pub fn compute_hash(&self) -> String {
        let mut buf = Vec::new();
        let at = self.at.to_rfc3339();
        let seq = self.seq.to_string();
        for part in [
            self.prev_hash.as_str(),
            seq.as_str(),
            at.as_str(),
            &self.actor,
            &self.addr,
            &self.action,
            &self.target,
            &self.detail,
        ] {
            buf.extend_from_slice(&(part.len() as u64).to_le_bytes());
            buf.extend_from_slice(part.as_bytes());
        }
        sha256_hex(&buf)
    }
}

/// Why the chain does not hold, naming the first entry that breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub seq: u64,
    pub why: String,
}

/// Checks a whole chain, in order from the first entry.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a AuditEntry>) -> Result<u64, Broken> {
    let mut prev_seq = 0u64;
    let mut prev_hash = GENESIS.to_string();
    for e in entries {
        if e.seq != prev_seq + 1 {
            return Err(Broken {
                seq: e.seq,
                why: format!("expected entry {} here: an entry is missing", prev_seq + 1),
            });
        }
        if e.prev_hash != prev_hash {
            return Err(Broken {
                seq: e.seq,
                why: "does not follow the entry before it".to_string(),
            });
        }
        if e.compute_hash() != e.hash {
            return Err(Broken {
                seq: e.seq,
                why: "its content was changed after it was written".to_string(),
            });
        }
        prev_seq = e.seq;
        prev_hash = e.hash.clone();
    }
    Ok(prev_seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<AuditEntry> {
        let who = Who::new("budi", "192.168.1.5");
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let prev = out
                .last()
                .map_or((0, GENESIS.to_string()), |e| (e.seq, e.hash.clone()));
            out.push(AuditEntry::new(
                (prev.0, &prev.1),
                DateTime::<Utc>::UNIX_EPOCH,
                &who,
                "login",
                "budi",
                &format!("#{i}"),
            ));
        }
        out
    }

    #[test]
    fn a_changed_or_missing_entry_is_named() {
        let mut c = chain(5);
        assert_eq!(verify(&c), Ok(5));
        c[2].detail = "altered".to_string();
        assert_eq!(verify(&c).map_err(|b| b.seq), Err(3));
        let mut c = chain(5);
        c.remove(3);
        assert_eq!(verify(&c).map_err(|b| b.seq), Err(5));
    }
}
