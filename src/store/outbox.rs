//! The outbox: what the city's central PostgreSQL is still to receive (docs/city.md).
//!
//! Each append-only record the office keeps (a queue event, a complaint action, a survey
//! response, an audit entry's hash) is mirrored here IN THE SAME write transaction as the
//! record itself, keyed by the office's own sequence number. So a record is in the outbox
//! exactly when it is on disk: a batch that does not commit leaves neither, and nothing
//! acknowledged to a client can be missing. The exporter reads rows in key order and, once
//! the server has committed them, records the sequence it reached (`acked`) and deletes the
//! rows up to it. Nothing is written while `[city]` is not configured.

use chrono::{DateTime, NaiveDate, Utc};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use redb::{TableError, WriteTransaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::tables::{META, StoreError};
use crate::audit::AuditEntry;
use crate::complaint::{Level, Workflow};
use crate::config::PersonalFields;

/// Rows by the office's outbox sequence, as JSON of `Record`.
pub(super) const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("city_outbox");
/// The last sequence number given to a row (never reused: deleted rows keep their number).
const K_LAST: &str = "outbox_last_seq";
/// The last sequence number the city server committed.
const K_ACKED: &str = "outbox_acked_seq";
/// Set by `loket restore` to the copy's last number: the server may hold numbers past it
/// from the timeline the restore undid, so nothing is sent until the exporter has asked the
/// server and moved the rows after it past the server's (`resync`).
const K_RESYNC: &str = "outbox_resync_after";

/// One record for the city, without personal data unless `[city] personal_fields` asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A change of the queue (the same as the lobby's event stream: no personal data).
    TicketEvent {
        event_seq: u64,
        at: DateTime<Utc>,
        /// `queue::Change` as the event stream carries it (`type`, the ticket summary).
        change: Value,
        /// Made by the backfill from the ticket's stored steps (`event_seq` 0, no state),
        /// not by the live stream.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        from_history: bool,
    },
    /// One action on a complaint: numbers, level, step, times. No identity, no texts.
    ComplaintAction {
        /// The complaint's sequence in the office.
        complaint: u64,
        number: String,
        /// The workflow's version after the action (1 for the opening).
        version: u64,
        at: DateTime<Utc>,
        flow: String,
        /// `complaint::Change`: `opened` (with level and intake channel), `completed`,
        /// `returned` … with its step and round.
        change: Value,
        closed: bool,
        /// The complaint's level (*tingkatan*), on every action: the city counts by it without
        /// looking up the opening. None in records written before it was added.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<Level>,
        /// The step waiting after the action, with its due time: the city cannot work a due
        /// time out itself (the office's calendar, working hours and holidays decide it).
        /// None once the complaint is closed, and in records written before it was added
        /// (`closed` false and no step: not known).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        open_step: Option<OpenStep>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
    },
    /// A survey response: its month, service, counter, channel, profile and scores.
    SurveyResponse {
        month: NaiveDate,
        service: String,
        counter: Option<u32>,
        channel: Value,
        profile: Value,
        scores: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suggestion: Option<String>,
    },
    /// An audit entry's place in the hash chain: the city can later check that the office's
    /// log it is shown is the one whose hashes it received.
    AuditHash {
        audit_seq: u64,
        at: DateTime<Utc>,
        action: String,
        prev_hash: String,
        hash: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
    },
}

/// A complaint's step now waiting, as a `complaint_action` record carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenStep {
    /// As the flow numbers it.
    pub step: u32,
    /// The step's *uraian prosedur*, as the flow words it.
    pub name: String,
    /// 1 for the first pass; a return for revision starts the next.
    pub round: u32,
    pub started_at: DateTime<Utc>,
    /// None for a step without a time standard.
    pub due_at: Option<DateTime<Utc>>,
    /// The time standard as the SOP writes it (`1 hari kerja`).
    pub standard: String,
}

impl OpenStep {
    /// The step `w` waits on; none once it is closed.
    pub fn of(w: &Workflow) -> Option<OpenStep> {
        let step = w.current_step()?;
        let r = w.current_record();
        Some(OpenStep {
            step: step.no,
            name: step.action.clone(),
            round: w.round(),
            // A current step always has its record; were it missing, the step is still the
            // one waiting, with no start or due time the city could judge.
            started_at: r.map_or(DateTime::<Utc>::UNIX_EPOCH, |r| r.started_at),
            due_at: r.and_then(|r| r.due_at),
            standard: step.time.to_string(),
        })
    }
}

impl Record {
    pub fn kind(&self) -> &'static str {
        match self {
            Record::TicketEvent { .. } => "ticket_event",
            Record::ComplaintAction { .. } => "complaint_action",
            Record::SurveyResponse { .. } => "survey_response",
            Record::AuditHash { .. } => "audit_hash",
        }
    }

    pub fn audit(e: &AuditEntry, personal: PersonalFields) -> Self {
        Record::AuditHash {
            audit_seq: e.seq,
            at: e.at,
            action: e.action.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
            actor: personal.audit_actor.then(|| e.actor.clone()),
            target: personal.audit_target.then(|| e.target.clone()),
        }
    }
}

fn json(v: &impl Serialize, what: &str) -> Result<Value, StoreError> {
    serde_json::to_value(v).map_err(|error| StoreError::Encode {
        what: what.to_string(),
        error,
    })
}

/// The queue change as a record; `None` for what is no ticket's event (the printer's state).
pub fn ticket_event(
    event_seq: u64,
    at: DateTime<Utc>,
    change: &crate::queue::Change,
) -> Result<Option<Record>, StoreError> {
    if matches!(change, crate::queue::Change::PrinterStatus { .. }) {
        return Ok(None);
    }
    Ok(Some(Record::TicketEvent {
        event_seq,
        at,
        change: json(change, "queue change")?,
        from_history: false,
    }))
}

/// The record of action `r` on complaint `complaint` (its sequence in the office) numbered
/// `number`; `w` is the workflow after the action.
pub fn complaint_action(
    complaint: u64,
    number: &str,
    w: &Workflow,
    r: &crate::complaint::Recorded,
    personal: PersonalFields,
) -> Result<Record, StoreError> {
    Ok(Record::ComplaintAction {
        complaint,
        number: number.to_string(),
        version: r.version,
        at: r.at,
        flow: w.flow().id.clone(),
        change: json(&r.change, "complaint change")?,
        closed: r.closed,
        level: Some(w.level()),
        open_step: if r.closed { None } else { OpenStep::of(w) },
        actor: personal.complaint_actor.then(|| r.by.clone()),
    })
}

pub fn survey_response(
    r: &crate::survey::response::Response,
    personal: PersonalFields,
) -> Result<Record, StoreError> {
    Ok(Record::SurveyResponse {
        month: r.month,
        service: r.service.clone(),
        counter: r.counter,
        channel: json(&r.channel, "survey channel")?,
        profile: json(&r.profile, "survey profile")?,
        scores: json(&r.scores, "survey scores")?,
        suggestion: (personal.survey_suggestion && !r.suggestion.is_empty())
            .then(|| r.suggestion.clone()),
    })
}

/// Appends `records` in `txn`, numbering them after the last number given; returns the last
/// (none when there was nothing to append: an office without `[city]` never opens a table
/// here).
///
/// While the backfill runs (`outbox_backfill`), a record of a source row the backfill has
/// not reached yet is left out: the backfill reads that row from its table later and ships
/// it then, so it goes once.
pub(super) fn append(
    txn: &WriteTransaction,
    records: &[Record],
) -> Result<Option<u64>, StoreError> {
    if records.is_empty() {
        return Ok(None);
    }
    let mut meta = txn.open_table(META)?;
    let cursors = super::outbox_backfill::Cursors::read(&meta)?;
    let mut seq = meta.get(K_LAST)?.map_or(0, |v| v.value());
    let mut table = txn.open_table(OUTBOX)?;
    for r in records.iter().filter(|r| cursors.ships_live(r)) {
        seq += 1;
        let bytes = serde_json::to_vec(r).map_err(|error| StoreError::Encode {
            what: format!("outbox record {seq}"),
            error,
        })?;
        table.insert(seq, bytes.as_slice())?;
    }
    meta.insert(K_LAST, seq)?;
    Ok(Some(seq))
}

/// Marks a restored copy: nothing goes to the city until the exporter has compared the
/// copy's last number with the server's (`resync`). A copy already marked (taken before its
/// own resync) keeps the lower mark: the rows after it were never compared either.
pub fn mark_restored(txn: &WriteTransaction) -> Result<u64, StoreError> {
    let mut meta = txn.open_table(META)?;
    let last = meta.get(K_LAST)?.map_or(0, |v| v.value());
    let mark = match meta.get(K_RESYNC)?.map(|v| v.value()) {
        Some(earlier) => earlier.min(last),
        None => last,
    };
    meta.insert(K_RESYNC, mark)?;
    Ok(mark)
}

/// The exporter asked the server after a restore: it holds this office's numbers up to
/// `server_last`. At or below the copy's mark `after` nothing clashes: the mark goes. Above
/// it, the numbers `after+1..=server_last` are the undone timeline's records, which the city
/// keeps: every row after the mark (the restored office's new records) moves up by
/// `server_last - after`, the last number with them, and the server's numbers count as
/// acknowledged, so the rows still run without a gap from the acknowledged number. The rows
/// up to the mark must have been sent (acknowledged) first. Returns how far rows moved.
pub(super) fn resync(
    txn: &WriteTransaction,
    after: u64,
    server_last: u64,
) -> Result<u64, StoreError> {
    let mut meta = txn.open_table(META)?;
    let refused = |why: String| StoreError::Corrupt {
        what: "outbox resync".to_string(),
        why,
    };
    match meta.get(K_RESYNC)?.map(|v| v.value()) {
        Some(mark) if mark == after => {}
        other => return Err(refused(format!("mark is {other:?}, not {after}"))),
    }
    if server_last <= after {
        meta.remove(K_RESYNC)?;
        return Ok(0);
    }
    let acked = meta.get(K_ACKED)?.map_or(0, |v| v.value());
    let last = meta.get(K_LAST)?.map_or(0, |v| v.value());
    if acked != after {
        return Err(refused(format!(
            "rows up to {after} not all acknowledged ({acked})"
        )));
    }
    let by = server_last - after;
    let mut table = txn.open_table(OUTBOX)?;
    // From the top down, in bounded steps: each row's new number is above every row not
    // moved yet, so no row is overwritten, and memory holds one step's rows.
    let mut top = u64::MAX;
    loop {
        let mut step = Vec::new();
        for row in table.range(after.saturating_add(1)..=top)?.rev().take(1024) {
            let (k, v) = row?;
            step.push((k.value(), v.value().to_vec()));
        }
        let Some(lowest) = step.last().map(|r| r.0) else {
            break;
        };
        for (k, v) in &step {
            table.remove(*k)?;
            table.insert(*k + by, v.as_slice())?;
        }
        if lowest <= after + 1 {
            break;
        }
        top = lowest - 1;
    }
    meta.insert(K_LAST, last.max(after) + by)?;
    meta.insert(K_ACKED, server_last)?;
    meta.remove(K_RESYNC)?;
    Ok(by)
}

/// Whether `meta` shows an outbox (a number was ever given or the outbox begun).
pub(super) fn has_outbox(meta: &impl ReadableTable<&'static str, u64>) -> Result<bool, StoreError> {
    Ok(meta.get(K_LAST)?.is_some())
}

/// Begins the outbox of a file that had none: its numbers start at 1.
pub(super) fn start_outbox(
    meta: &mut redb::Table<'_, &'static str, u64>,
) -> Result<(), StoreError> {
    meta.insert(K_LAST, 0)?;
    Ok(())
}

/// Whether this file has an outbox (the daemon ran with `[city]`): the offline tools keep it
/// complete without reading the configuration.
pub(super) fn in_use(txn: &WriteTransaction) -> Result<bool, StoreError> {
    Ok(txn.open_table(META)?.get(K_LAST)?.is_some())
}

/// The server committed every row up to `seq`: recorded, and those rows deleted. A `seq`
/// behind the one recorded (a late answer of an earlier attempt) changes nothing.
pub(super) fn ack(txn: &WriteTransaction, seq: u64) -> Result<(), StoreError> {
    let mut meta = txn.open_table(META)?;
    let acked = meta.get(K_ACKED)?.map_or(0, |v| v.value());
    let last = meta.get(K_LAST)?.map_or(0, |v| v.value());
    if seq <= acked {
        return Ok(());
    }
    if seq > last {
        return Err(StoreError::Corrupt {
            what: "outbox acknowledgement".to_string(),
            why: format!("{seq} is past the last record written ({last})"),
        });
    }
    meta.insert(K_ACKED, seq)?;
    let mut table = txn.open_table(OUTBOX)?;
    table.retain_in(..=seq, |_, _| false)?;
    Ok(())
}

/// Where the outbox stands: the last number given and the last the server committed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxState {
    pub last: u64,
    pub acked: u64,
    /// Set after `loket restore` until the exporter has compared numbers with the server.
    pub resync_after: Option<u64>,
    /// The backfill of the office's history (`outbox_backfill`) is not finished.
    pub backfilling: bool,
}

impl OutboxState {
    /// Records on disk that the server has not committed yet.
    pub fn backlog(&self) -> u64 {
        self.last.saturating_sub(self.acked)
    }
}

pub(super) fn state(db: &impl ReadableDatabase) -> Result<OutboxState, StoreError> {
    let txn = db.begin_read()?;
    let meta = match txn.open_table(META) {
        Ok(t) => t,
        Err(TableError::TableDoesNotExist(_)) => return Ok(OutboxState::default()),
        Err(e) => return Err(e.into()),
    };
    Ok(OutboxState {
        last: meta.get(K_LAST)?.map_or(0, |v| v.value()),
        acked: meta.get(K_ACKED)?.map_or(0, |v| v.value()),
        resync_after: meta.get(K_RESYNC)?.map(|v| v.value()),
        backfilling: super::outbox_backfill::Cursors::read(&meta)?.running(),
    })
}

/// Up to `limit` rows after `after`, in order.
pub(super) fn read_after(
    db: &impl ReadableDatabase,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, Record)>, StoreError> {
    let txn = db.begin_read()?;
    let table = match txn.open_table(OUTBOX) {
        Ok(t) => t,
        Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::with_capacity(limit.min(1024));
    for row in table.range(after.saturating_add(1)..)?.take(limit) {
        let (k, v) = row?;
        out.push((k.value(), decode(k.value(), v.value())?));
    }
    Ok(out)
}

fn decode(seq: u64, bytes: &[u8]) -> Result<Record, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        what: format!("outbox record {seq}"),
        why: e.to_string(),
    })
}

/// For `loket check`: every row parses, the keys rise without a gap from just past the
/// acknowledged number to the last one given.
pub(super) fn check(db: &impl ReadableDatabase) -> Result<String, StoreError> {
    let st = state(db)?;
    let txn = db.begin_read()?;
    let table = match txn.open_table(OUTBOX) {
        Ok(t) => t,
        Err(TableError::TableDoesNotExist(_)) => {
            return Ok(format!(
                "0 rows (last {}, acknowledged {})",
                st.last, st.acked
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let mut expect = st.acked + 1;
    for row in table.iter()? {
        let (k, v) = row?;
        let seq = k.value();
        if seq != expect {
            return Err(StoreError::Corrupt {
                what: "city_outbox".to_string(),
                why: format!("row {seq} where {expect} was expected"),
            });
        }
        decode(seq, v.value())?;
        expect += 1;
    }
    if expect != st.last + 1 {
        return Err(StoreError::Corrupt {
            what: "city_outbox".to_string(),
            why: format!("rows end at {} but {} were written", expect - 1, st.last),
        });
    }
    Ok(format!(
        "{} rows (last {}, acknowledged {})",
        table.len()?,
        st.last,
        st.acked
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u64) -> Record {
        Record::TicketEvent {
            event_seq: n,
            at: DateTime::<Utc>::UNIX_EPOCH,
            change: serde_json::json!({"type": "day_started"}),
            from_history: false,
        }
    }

    fn db() -> (tempfile::TempDir, redb::Database) {
        let dir = tempfile::tempdir().expect("dir");
        let db = redb::Database::create(dir.path().join("o.redb")).expect("db");
        (dir, db)
    }

    #[test]
    fn rows_are_numbered_across_transactions_and_acknowledged_ones_go() {
        let (_dir, db) = db();
        for batch in [vec![event(1), event(2)], vec![event(3)], vec![]] {
            let txn = db.begin_write().expect("txn");
            append(&txn, &batch).expect("append");
            txn.commit().expect("commit");
        }
        let rows = read_after(&db, 0, 10).expect("read");
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(rows[2].1, event(3));
        assert_eq!(read_after(&db, 1, 1).expect("read")[0].0, 2);
        assert_eq!(
            check(&db).expect("check"),
            "3 rows (last 3, acknowledged 0)"
        );

        let txn = db.begin_write().expect("txn");
        ack(&txn, 2).expect("ack");
        // A late acknowledgement of less changes nothing; one past the end is refused.
        ack(&txn, 1).expect("ack");
        assert!(ack(&txn, 9).is_err());
        txn.commit().expect("commit");
        assert_eq!(
            state(&db).expect("state"),
            OutboxState {
                last: 3,
                acked: 2,
                ..Default::default()
            }
        );
        assert_eq!(state(&db).expect("state").backlog(), 1);
        assert_eq!(read_after(&db, 0, 10).expect("read").len(), 1);
        assert_eq!(
            check(&db).expect("check"),
            "1 rows (last 3, acknowledged 2)"
        );

        // Numbers are never reused once their rows are gone.
        let txn = db.begin_write().expect("txn");
        ack(&txn, 3).expect("ack");
        assert_eq!(append(&txn, &[event(4)]).expect("append"), Some(4));
        txn.commit().expect("commit");
        assert_eq!(read_after(&db, 0, 10).expect("read")[0].0, 4);
    }

    #[test]
    fn a_restored_copy_moves_its_new_rows_past_the_server_s_numbers() {
        let (_dir, db) = db();
        let txn = db.begin_write().expect("txn");
        append(&txn, &(1..=5).map(event).collect::<Vec<_>>()).expect("append");
        ack(&txn, 2).expect("ack");
        // The copy ends at 5; a copy of a copy keeps the lower mark.
        assert_eq!(mark_restored(&txn).expect("mark"), 5);
        append(&txn, &[event(6), event(7)]).expect("append");
        assert_eq!(mark_restored(&txn).expect("mark"), 5);
        // Rows up to the mark not yet acknowledged: refused, nothing moved.
        assert!(resync(&txn, 5, 9).is_err());
        ack(&txn, 5).expect("ack");
        // A mark that is not the one set is refused.
        assert!(resync(&txn, 4, 9).is_err());
        assert_eq!(resync(&txn, 5, 9).expect("resync"), 4);
        txn.commit().expect("commit");
        let rows = read_after(&db, 0, 10).expect("read");
        assert_eq!(
            rows,
            vec![(10, event(6)), (11, event(7))],
            "the new rows follow the server's 9"
        );
        let st = state(&db).expect("state");
        assert_eq!((st.last, st.acked, st.resync_after), (11, 9, None));
        assert_eq!(
            check(&db).expect("check"),
            "2 rows (last 11, acknowledged 9)"
        );
        let txn = db.begin_write().expect("txn");
        assert_eq!(append(&txn, &[event(8)]).expect("append"), Some(12));
        txn.commit().expect("commit");
    }

    #[test]
    fn a_server_behind_the_copy_only_clears_the_mark() {
        let (_dir, db) = db();
        let txn = db.begin_write().expect("txn");
        append(&txn, &(1..=3).map(event).collect::<Vec<_>>()).expect("append");
        mark_restored(&txn).expect("mark");
        append(&txn, &[event(4)]).expect("append");
        assert_eq!(resync(&txn, 3, 2).expect("resync"), 0);
        txn.commit().expect("commit");
        let st = state(&db).expect("state");
        assert_eq!((st.last, st.acked, st.resync_after), (4, 0, None));
        assert_eq!(read_after(&db, 0, 10).expect("read").len(), 4);
    }

    #[test]
    fn a_gap_is_found_by_the_check() {
        let (_dir, db) = db();
        let txn = db.begin_write().expect("txn");
        append(&txn, &[event(1), event(2), event(3)]).expect("append");
        txn.open_table(OUTBOX).expect("t").remove(2).expect("rm");
        txn.commit().expect("commit");
        let e = check(&db).expect_err("gap");
        assert!(e.to_string().contains("row 3 where 2 was expected"), "{e}");
    }

    #[test]
    fn personal_fields_ship_only_when_asked() {
        let e = AuditEntry {
            seq: 7,
            at: DateTime::<Utc>::UNIX_EPOCH,
            actor: "budi".into(),
            addr: "192.168.1.5".into(),
            action: "login".into(),
            target: "budi".into(),
            detail: String::new(),
            prev_hash: "a".into(),
            hash: "b".into(),
        };
        let none =
            serde_json::to_string(&Record::audit(&e, PersonalFields::default())).expect("json");
        assert!(
            !none.contains("budi") && !none.contains("192.168"),
            "{none}"
        );
        let asked = PersonalFields {
            audit_actor: true,
            ..Default::default()
        };
        let some = serde_json::to_string(&Record::audit(&e, asked)).expect("json");
        assert!(
            some.contains("\"actor\":\"budi\"") && !some.contains("target"),
            "{some}"
        );
    }
}
