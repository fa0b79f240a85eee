//! Staff accounts, sessions and the audit log in the store: their tables, and the reads and
//! writes of them (in the same transaction as the change they record).

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};

use super::outbox::Record;
use super::tables::StoreError;
use crate::audit::{AuditEntry, GENESIS};
use crate::auth::{Session, User};
use crate::config::PersonalFields;

/// Users as JSON by username.
pub(super) const USERS: TableDefinition<&str, &[u8]> = TableDefinition::new("users");
/// Sessions as JSON by the SHA-256 of the session id.
pub(super) const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");
/// Audit entries as JSON by sequence number; appended, never changed.
pub(super) const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

#[derive(Default)]
pub(super) struct AccountWrites {
    pub users: Vec<User>,
    /// `None` deletes the session.
    pub sessions: Vec<(String, Option<Session>)>,
    pub audit: Vec<AuditEntry>,
}

impl AccountWrites {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.sessions.is_empty() && self.audit.is_empty()
    }
}

fn json<T: serde::Serialize>(what: &str, v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|error| StoreError::Encode {
        what: what.to_string(),
        error,
    })
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, b: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(b).map_err(|e| StoreError::Corrupt {
        what: what.to_string(),
        why: e.to_string(),
    })
}

/// `ship`: `[city]` is configured with these personal fields; each audit entry's hash then
/// goes to the outbox in the same transaction (`store::outbox`).
pub(super) fn write(
    txn: &WriteTransaction,
    w: &AccountWrites,
    ship: Option<PersonalFields>,
) -> Result<(), StoreError> {
    if !w.users.is_empty() {
        let mut t = txn.open_table(USERS)?;
        for u in &w.users {
            t.insert(u.username.as_str(), json("user", u)?.as_slice())?;
        }
    }
    if !w.sessions.is_empty() {
        let mut t = txn.open_table(SESSIONS)?;
        for (key, s) in &w.sessions {
            match s {
                Some(s) => {
                    t.insert(key.as_str(), json("session", s)?.as_slice())?;
                }
                None => {
                    t.remove(key.as_str())?;
                }
            }
        }
    }
    if !w.audit.is_empty() {
        let mut t = txn.open_table(AUDIT)?;
        for e in &w.audit {
            t.insert(e.seq, json("audit entry", e)?.as_slice())?;
        }
        if let Some(personal) = ship {
            let records: Vec<_> = w.audit.iter().map(|e| Record::audit(e, personal)).collect();
            super::outbox::append(txn, &records)?;
        }
    }
    Ok(())
}

macro_rules! open_or_none {
    ($txn:expr, $table:expr) => {
        match $txn.open_table($table) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Default::default()),
            Err(e) => return Err(e.into()),
        }
    };
}

pub(super) fn read_user(db: &Database, username: &str) -> Result<Option<User>, StoreError> {
    let txn = db.begin_read()?;
    let t = open_or_none!(txn, USERS);
    match t.get(username)? {
        Some(v) => Ok(Some(parse("user", v.value())?)),
        None => Ok(None),
    }
}

pub(super) fn list_users(db: &Database) -> Result<Vec<User>, StoreError> {
    let txn = db.begin_read()?;
    let t = open_or_none!(txn, USERS);
    let mut out = Vec::new();
    for row in t.iter()? {
        let (_, v) = row?;
        out.push(parse("user", v.value())?);
    }
    Ok(out)
}

pub(super) fn read_session(db: &Database, key: &str) -> Result<Option<Session>, StoreError> {
    let txn = db.begin_read()?;
    let t = open_or_none!(txn, SESSIONS);
    match t.get(key)? {
        Some(v) => Ok(Some(parse("session", v.value())?)),
        None => Ok(None),
    }
}

/// One account, read through the batch's write transaction (its own writes included).
pub(super) fn user_in(txn: &WriteTransaction, username: &str) -> Result<Option<User>, StoreError> {
    let t = txn.open_table(USERS)?;
    match t.get(username)? {
        Some(v) => Ok(Some(parse("user", v.value())?)),
        None => Ok(None),
    }
}

/// Whether an enabled administrator other than `except` exists, read through the batch's
/// write transaction (its own writes included).
pub(super) fn another_active_admin_in(
    txn: &WriteTransaction,
    except: &str,
) -> Result<bool, StoreError> {
    let t = txn.open_table(USERS)?;
    for row in t.iter()? {
        let (k, v) = row?;
        if k.value() == except {
            continue;
        }
        let u: User = parse("user", v.value())?;
        if u.is_active_admin() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One session, read through the batch's write transaction (its own writes included).
pub(super) fn session_in(txn: &WriteTransaction, key: &str) -> Result<Option<Session>, StoreError> {
    let t = txn.open_table(SESSIONS)?;
    match t.get(key)? {
        Some(v) => Ok(Some(parse("session", v.value())?)),
        None => Ok(None),
    }
}

/// The keys of every session of `username`, read through the batch's write transaction:
/// what the batch wrote before (a login just now) is seen, not only what is committed.
pub(super) fn session_keys_in(
    txn: &WriteTransaction,
    username: &str,
) -> Result<Vec<String>, StoreError> {
    let t = txn.open_table(SESSIONS)?;
    let mut out = Vec::new();
    for row in t.iter()? {
        let (k, v) = row?;
        let s: Session = parse("session", v.value())?;
        if s.username == username {
            out.push(k.value().to_string());
        }
    }
    Ok(out)
}

/// The last entry's sequence number and hash: where the next entry chains on.
pub(super) fn audit_head(db: &Database) -> Result<(u64, String), StoreError> {
    let txn = db.begin_read()?;
    let t = match txn.open_table(AUDIT) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok((0, GENESIS.to_string())),
        Err(e) => return Err(e.into()),
    };
    match t.last()? {
        Some((_, v)) => {
            let e: AuditEntry = parse("audit entry", v.value())?;
            Ok((e.seq, e.hash))
        }
        None => Ok((0, GENESIS.to_string())),
    }
}

pub(super) fn audit_entries(db: &Database) -> Result<Vec<AuditEntry>, StoreError> {
    let txn = db.begin_read()?;
    let t = open_or_none!(txn, AUDIT);
    let mut out = Vec::new();
    for row in t.iter()? {
        let (_, v) = row?;
        out.push(parse("audit entry", v.value())?);
    }
    Ok(out)
}
