//! The backfill: an office that configures `[city]` with history on its box ships that
//! history once, from the tables, through the same outbox (docs/city.md, "Backfill").
//!
//! At the store's start, a file that never had an outbox gets one (`outbox_last_seq` 0) and
//! each source table holding rows gets a cursor in `meta`: the last key the backfill has put
//! in the outbox. The daemon then serves while the backfill goes on in small steps, each a
//! command of the store like any write, so it shares a batch's write transaction and holds
//! the store only for one step. Records written live meanwhile are numbered as usual,
//! except those of a source row beyond its cursor (`Cursors::ships_live`): the backfill will
//! read that row later and ship it then, so a record goes once, whichever way it takes.
//! A step's cursor is committed with the rows it appended, so a backfill killed midway
//! resumes at the next start where it stood. When a source is exhausted its cursor goes.
//!
//! The sources, one after the other, each in its key order: the audit chain, complaint
//! actions (complaint by complaint), survey responses (month by month: their keys within a
//! month are random), tickets (their history steps become `ticket_event` records marked
//! `from_history`; the queue keeps no event log, only each ticket's steps).

use std::collections::HashMap;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableError};
use redb::{TableDefinition, WriteTransaction};
use serde_json::{Map, Value};

use super::outbox::Record;
use super::tables::{META, StoreError, TICKETS};
use crate::config::PersonalFields;

const K_AUDIT: &str = "outbox_backfill_audit";
const K_COMPLAINT: &str = "outbox_backfill_complaint";
const K_SURVEY: &str = "outbox_backfill_survey";
const K_TICKET: &str = "outbox_backfill_ticket";

/// Where the backfill stands: per source, the last key shipped (`None`: nothing left to do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Cursors {
    audit: Option<u64>,
    complaint: Option<u64>,
    /// A month's key (`survey::day_key` of its first day).
    survey: Option<u64>,
    ticket: Option<u64>,
}

impl Cursors {
    pub(super) fn read(meta: &impl ReadableTable<&'static str, u64>) -> Result<Self, StoreError> {
        let get =
            |k: &str| -> Result<Option<u64>, StoreError> { Ok(meta.get(k)?.map(|v| v.value())) };
        Ok(Self {
            audit: get(K_AUDIT)?,
            complaint: get(K_COMPLAINT)?,
            survey: get(K_SURVEY)?,
            ticket: get(K_TICKET)?,
        })
    }

    pub(super) fn running(&self) -> bool {
        *self != Self::default()
    }

    /// Whether a record written live goes to the outbox now: yes unless the backfill has
    /// yet to reach its source row (it ships it then).
    pub(super) fn ships_live(&self, r: &Record) -> bool {
        let reached = |cursor: Option<u64>, key: u64| cursor.is_none_or(|c| key <= c);
        match r {
            Record::AuditHash { audit_seq, .. } => reached(self.audit, *audit_seq),
            Record::ComplaintAction { complaint, .. } => reached(self.complaint, *complaint),
            Record::SurveyResponse { month, .. } => reached(self.survey, month_key(*month)),
            // The day's start names no ticket: it is no source row of the backfill.
            Record::TicketEvent { change, .. } => match change["ticket"]["id"].as_u64() {
                Some(id) => reached(self.ticket, id),
                None => true,
            },
        }
    }
}

fn month_key(month: chrono::NaiveDate) -> u64 {
    u64::try_from(super::survey::day_key(month)).unwrap_or(0)
}

fn has_rows<K: redb::Key + 'static, V: redb::Value + 'static>(
    db: &Database,
    def: TableDefinition<K, V>,
) -> Result<bool, StoreError> {
    let txn = db.begin_read()?;
    match txn.open_table(def) {
        Ok(t) => Ok(!t.is_empty()?),
        Err(TableError::TableDoesNotExist(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// At the store's start with `[city]`, before anything is written: a file that never had an
/// outbox gets one, with a cursor for each source that holds rows. Returns whether a
/// backfill is under way (begun now or by an earlier start).
pub(super) fn begin(db: &Database) -> Result<bool, StoreError> {
    if super::outbox::state(db)?.backfilling {
        return Ok(true);
    }
    let sources = [
        (K_AUDIT, has_rows(db, super::accounts::AUDIT)?),
        (K_COMPLAINT, has_rows(db, super::complaints::ACTIONS)?),
        (K_SURVEY, has_rows(db, super::survey::RESPONSES)?),
        (K_TICKET, has_rows(db, TICKETS)?),
    ];
    let txn = db.begin_write()?;
    let running = {
        let mut meta = txn.open_table(META)?;
        if super::outbox::has_outbox(&meta)? {
            false
        } else {
            super::outbox::start_outbox(&mut meta)?;
            for (key, rows) in sources {
                if rows {
                    meta.insert(key, 0)?;
                }
            }
            Cursors::read(&meta)?.running()
        }
    };
    txn.commit()?;
    Ok(running)
}

/// What one step read, before it writes anything.
struct Step {
    key: &'static str,
    /// The new cursor; `None`: the source is done.
    cursor: Option<u64>,
    records: Vec<Record>,
}

/// One step of at least `records` records (whole complaints, months and tickets), or the
/// rest of a source. Returns whether more remains.
pub(super) fn step(
    txn: &WriteTransaction,
    flows: &HashMap<String, Value>,
    personal: PersonalFields,
    records: usize,
) -> Result<bool, StoreError> {
    let cursors = Cursors::read(&txn.open_table(META)?)?;
    let step = if let Some(c) = cursors.audit {
        audit(txn, c, personal, records)?
    } else if let Some(c) = cursors.complaint {
        complaints(txn, c, flows, personal, records)?
    } else if let Some(c) = cursors.survey {
        survey(txn, c, personal, records)?
    } else if let Some(c) = cursors.ticket {
        tickets(txn, c, records)?
    } else {
        return Ok(false);
    };
    {
        let mut meta = txn.open_table(META)?;
        match step.cursor {
            Some(c) => meta.insert(step.key, c)?,
            None => meta.remove(step.key)?,
        };
    }
    // After the cursor moved: the records are now behind it, so `append` keeps them.
    super::outbox::append(txn, &step.records)?;
    Ok(Cursors::read(&txn.open_table(META)?)?.running())
}

fn audit(
    txn: &WriteTransaction,
    after: u64,
    personal: PersonalFields,
    limit: usize,
) -> Result<Step, StoreError> {
    let table = txn.open_table(super::accounts::AUDIT)?;
    let mut records = Vec::new();
    let mut last = after;
    for row in table.range(after.saturating_add(1)..)?.take(limit + 1) {
        let (k, v) = row?;
        if records.len() == limit {
            return Ok(Step {
                key: K_AUDIT,
                cursor: Some(last),
                records,
            });
        }
        last = k.value();
        match serde_json::from_slice::<crate::audit::AuditEntry>(v.value()) {
            Ok(e) => records.push(Record::audit(&e, personal)),
            Err(e) => skipped(&format!("audit entry {last}"), &e),
        }
    }
    Ok(Step {
        key: K_AUDIT,
        cursor: None,
        records,
    })
}

fn complaints(
    txn: &WriteTransaction,
    after: u64,
    flows: &HashMap<String, Value>,
    personal: PersonalFields,
    limit: usize,
) -> Result<Step, StoreError> {
    let actions = txn.open_table(super::complaints::ACTIONS)?;
    let registered = txn.open_table(super::complaints::COMPLAINTS)?;
    let mut records = Vec::new();
    // The complaint of the actions being read (`None`: it cannot be read, they are skipped).
    let mut current: Option<(u64, Option<super::Complaint>)> = None;
    for row in actions.range((after.saturating_add(1), 0)..)? {
        let (k, v) = row?;
        let (seq, version) = k.value();
        if current.as_ref().is_none_or(|(s, _)| *s != seq) {
            // A complaint is shipped whole in one step.
            if records.len() >= limit
                && let Some((done, _)) = current
            {
                return Ok(Step {
                    key: K_COMPLAINT,
                    cursor: Some(done),
                    records,
                });
            }
            let complaint = match registered.get(seq)? {
                Some(c) => super::complaints::decode(seq, c.value(), flows)
                    .inspect_err(|e| skipped(&format!("complaint {seq}"), e))
                    .ok(),
                None => {
                    skipped(&format!("complaint {seq}"), &"not registered");
                    None
                }
            };
            current = Some((seq, complaint));
        }
        let Some((_, Some(c))) = &current else {
            continue;
        };
        match serde_json::from_slice::<super::complaints::ActionRow>(v.value()) {
            Ok(row) => {
                let mut record = super::outbox::complaint_action(
                    c.seq(),
                    &c.number,
                    &c.workflow,
                    &row.recorded,
                    personal,
                )?;
                // Only the latest action's workflow is kept: an earlier action's open step is
                // not known any more, so it ships as unknown rather than as today's step.
                // The city reads a complaint's open step from its latest action.
                if row.recorded.version != c.workflow.version()
                    && let super::outbox::Record::ComplaintAction { open_step, .. } = &mut record
                {
                    *open_step = None;
                }
                records.push(record);
            }
            Err(e) => skipped(&format!("complaint action {seq}-{version}"), &e),
        }
    }
    Ok(Step {
        key: K_COMPLAINT,
        cursor: None,
        records,
    })
}

fn survey(
    txn: &WriteTransaction,
    after: u64,
    personal: PersonalFields,
    limit: usize,
) -> Result<Step, StoreError> {
    let table = txn.open_table(super::survey::RESPONSES)?;
    let from = i32::try_from(after.saturating_add(1)).unwrap_or(i32::MAX);
    let mut records = Vec::new();
    let mut month: Option<i32> = None;
    for row in table.range((from, 0)..)? {
        let (k, v) = row?;
        let (m, _) = k.value();
        if month.is_some_and(|done| done != m) {
            // A month is shipped whole in one step: its keys are random, so a cursor inside
            // it could not tell a new response from one shipped.
            if records.len() >= limit
                && let Some(done) = month
            {
                return Ok(Step {
                    key: K_SURVEY,
                    cursor: Some(u64::try_from(done).unwrap_or(0)),
                    records,
                });
            }
        }
        month = Some(m);
        match super::survey::decode(v.value()) {
            Ok(r) => records.push(super::outbox::survey_response(&r, personal)?),
            Err(e) => skipped(&format!("survey response of month {m}"), &e),
        }
    }
    Ok(Step {
        key: K_SURVEY,
        cursor: None,
        records,
    })
}

fn tickets(txn: &WriteTransaction, after: u64, limit: usize) -> Result<Step, StoreError> {
    let table = txn.open_table(TICKETS)?;
    let mut records = Vec::new();
    let mut last = after;
    for row in table.range(after.saturating_add(1)..)? {
        let (k, v) = row?;
        if records.len() >= limit {
            return Ok(Step {
                key: K_TICKET,
                cursor: Some(last),
                records,
            });
        }
        last = k.value();
        match super::tables::decode(v.value()) {
            Ok(t) => records.extend(ticket_events(&t)),
            Err(e) => skipped(&format!("ticket {last}"), &e),
        }
    }
    Ok(Step {
        key: K_TICKET,
        cursor: None,
        records,
    })
}

/// A row that does not parse is left out of the city's copy, with a warning (`loket check`
/// names it too): stopping there would hold back the source's live records for good, as the
/// cursor would never pass it.
fn skipped(what: &str, why: &dyn std::fmt::Display) {
    tracing::warn!(row = what, error = %why, "not sent to the city: the row cannot be read");
}

/// The live event type of a history step; `None` for steps the lobby's stream has no event
/// for (printed, not printed, closed with the day).
fn event_type(action: &str) -> Option<&'static str> {
    Some(match action {
        "issued" => "issued",
        "called" => "called",
        "recalled" => "recalled",
        "serving" => "serving",
        "finished" => "finished",
        "no_show" => "no_show",
        "transferred" => "transferred",
        "requeued" => "requeued",
        "print_failed" => "print_failed",
        "reprint" => "reprinted",
        "voided" => "voided",
        _ => return None,
    })
}

/// A ticket's history as the events the lobby's stream carried, in their order: type, time,
/// counter, the service it was in (and came from, for a transfer). The ticket's state at
/// each step is not kept, so it is not given.
pub(super) fn ticket_events(t: &crate::queue::Ticket) -> Vec<Record> {
    let mut out = Vec::new();
    let mut service = t.issued_service.clone();
    for s in &t.history {
        let from = std::mem::replace(&mut service, s.service.clone());
        let Some(kind) = event_type(&s.action) else {
            continue;
        };
        let mut ticket = Map::new();
        ticket.insert("id".into(), Value::from(t.id));
        ticket.insert("number".into(), Value::from(t.label.clone()));
        ticket.insert("service".into(), Value::from(s.service.clone()));
        ticket.insert("priority".into(), Value::from(t.priority));
        let mut change = Map::new();
        change.insert("type".into(), Value::from(kind));
        if let Some(c) = s.counter {
            ticket.insert("counter".into(), Value::from(c));
            change.insert("counter".into(), Value::from(c));
        }
        if kind == "transferred" {
            change.insert("from".into(), Value::from(from));
        }
        change.insert("ticket".into(), Value::Object(ticket));
        out.push(Record::TicketEvent {
            event_seq: 0,
            at: s.at,
            change: Value::Object(change),
            from_history: true,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditEntry;
    use chrono::{DateTime, Utc};

    fn audit_entry(seq: u64) -> AuditEntry {
        AuditEntry {
            seq,
            at: DateTime::<Utc>::UNIX_EPOCH,
            actor: "budi".into(),
            addr: "192.168.1.5".into(),
            action: "ticket_issued".into(),
            target: String::new(),
            detail: String::new(),
            prev_hash: format!("h{}", seq - 1),
            hash: format!("h{seq}"),
        }
    }

    /// A ticket whose history has `steps` of issued, printed, called, serving, finished.
    fn ticket(id: u64, steps: usize) -> Value {
        let history: Vec<Value> = ["issued", "printed", "called", "serving", "finished"]
            .iter()
            .take(steps)
            .map(|a| {
                serde_json::json!({"at": "2026-11-30T02:00:00Z", "action": a, "service": "A",
                    "counter": if *a == "issued" || *a == "printed" { None } else { Some(1) }})
            })
            .collect();
        serde_json::json!({
            "id": id, "service_day": "2026-11-30", "issued_service": "A", "service": "A",
            "prefix": "A", "number": id, "label": format!("A-{id:03}"), "priority": false,
            "state": "waiting", "issued_at": "2026-11-30T02:00:00Z", "history": history,
        })
    }

    fn put_ticket(txn: &WriteTransaction, id: u64, steps: usize) {
        let bytes = serde_json::to_vec(&ticket(id, steps)).expect("json");
        txn.open_table(TICKETS)
            .expect("t")
            .insert(id, bytes.as_slice())
            .expect("insert");
    }

    fn put_audit(txn: &WriteTransaction, seq: u64) {
        let bytes = serde_json::to_vec(&audit_entry(seq)).expect("json");
        txn.open_table(super::super::accounts::AUDIT)
            .expect("t")
            .insert(seq, bytes.as_slice())
            .expect("insert");
    }

    /// What the live daemon does: the row, and its record through `append` in one write.
    fn live_ticket_step(txn: &WriteTransaction, id: u64, steps: usize, kind: &str) {
        put_ticket(txn, id, steps);
        let record = Record::TicketEvent {
            event_seq: 1,
            at: DateTime::<Utc>::UNIX_EPOCH,
            change: serde_json::json!({"type": kind, "ticket": {"id": id}}),
            from_history: false,
        };
        super::super::outbox::append(txn, &[record]).expect("append");
    }

    fn live_audit(txn: &WriteTransaction, seq: u64) {
        put_audit(txn, seq);
        let r = Record::audit(&audit_entry(seq), PersonalFields::default());
        super::super::outbox::append(txn, &[r]).expect("append");
    }

    #[test]
    fn live_records_meanwhile_and_a_restart_midway_leave_each_record_once_in_order() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("b.redb");
        {
            let db = Database::create(&path).expect("db");
            let txn = db.begin_write().expect("txn");
            for seq in 1..=1200 {
                put_audit(&txn, seq);
            }
            for id in 1..=300 {
                put_ticket(&txn, id, 5);
            }
            // Today's last tickets are still waiting: they get steps while the backfill runs.
            for id in 301..=320 {
                put_ticket(&txn, id, 2);
            }
            txn.commit().expect("commit");
        }
        let flows = HashMap::new();
        let personal = PersonalFields::default();
        let (mut audit_last, mut ticket_last) = (1200, 320);
        let mut steps = 0;
        loop {
            // Reopened every few steps: a daemon stopped (or killed) between two steps
            // resumes where the committed cursor stands.
            let db = Database::open(&path).expect("open");
            assert!(begin(&db).expect("begin"), "a backfill under way resumes");
            let mut more = true;
            for _ in 0..3 {
                let txn = db.begin_write().expect("txn");
                // Live work in the same write, before and after the step, as in a batch.
                audit_last += 1;
                live_audit(&txn, audit_last);
                let waiting = 301 + (steps % 20);
                live_ticket_step(&txn, waiting, 3, "called");
                more = step(&txn, &flows, personal, 500).expect("step");
                ticket_last += 1;
                live_ticket_step(&txn, ticket_last, 1, "issued");
                txn.commit().expect("commit");
                steps += 1;
                if !more {
                    break;
                }
            }
            if !more {
                break;
            }
            assert!(steps < 100, "the backfill does not end");
        }
        let db = Database::open(&path).expect("open");
        assert!(!begin(&db).expect("begin"), "done once, not begun again");
        assert!(super::super::outbox::check(&db).is_ok());
        let rows = super::super::outbox::read_after(&db, 0, usize::MAX).expect("read");
        let audit: Vec<u64> = rows
            .iter()
            .filter_map(|(_, r)| match r {
                Record::AuditHash { audit_seq, .. } => Some(*audit_seq),
                _ => None,
            })
            .collect();
        assert_eq!(audit, (1..=audit_last).collect::<Vec<_>>());
        let mut events: HashMap<u64, Vec<String>> = HashMap::new();
        for (_, r) in &rows {
            if let Record::TicketEvent { change, .. } = r {
                let id = change["ticket"]["id"].as_u64().expect("id");
                let kind = change["type"].as_str().expect("type").to_string();
                events.entry(id).or_default().push(kind);
            }
        }
        let txn = db.begin_read().expect("read");
        let tickets = txn.open_table(TICKETS).expect("t");
        for row in tickets.iter().expect("iter") {
            let (k, v) = row.expect("row");
            let t = super::super::tables::decode(v.value()).expect("ticket");
            let expect: Vec<String> = t
                .history
                .iter()
                .filter(|s| s.action != "printed")
                .map(|s| s.action.clone())
                .collect();
            assert_eq!(
                events.get(&k.value()),
                Some(&expect),
                "ticket {}",
                k.value()
            );
        }
        assert_eq!(events.len() as u64, ticket_last);
    }

    #[test]
    fn a_row_that_does_not_parse_is_left_out_and_the_rest_goes() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::create(dir.path().join("b.redb")).expect("db");
        let txn = db.begin_write().expect("txn");
        for seq in 1..=5 {
            put_audit(&txn, seq);
        }
        txn.open_table(super::super::accounts::AUDIT)
            .expect("t")
            .insert(3, b"not json".as_slice())
            .expect("insert");
        put_ticket(&txn, 1, 5);
        txn.open_table(TICKETS)
            .expect("t")
            .insert(2, b"{".as_slice())
            .expect("insert");
        put_ticket(&txn, 3, 1);
        txn.commit().expect("commit");
        assert!(begin(&db).expect("begin"));
        let txn = db.begin_write().expect("txn");
        while step(&txn, &HashMap::new(), PersonalFields::default(), 2).expect("step") {}
        txn.commit().expect("commit");
        let rows = super::super::outbox::read_after(&db, 0, 100).expect("read");
        let audit: Vec<u64> = rows
            .iter()
            .filter_map(|(_, r)| match r {
                Record::AuditHash { audit_seq, .. } => Some(*audit_seq),
                _ => None,
            })
            .collect();
        assert_eq!(audit, [1, 2, 4, 5]);
        let tickets: Vec<u64> = rows
            .iter()
            .filter_map(|(_, r)| match r {
                Record::TicketEvent { change, .. } => change["ticket"]["id"].as_u64(),
                _ => None,
            })
            .collect();
        assert_eq!(tickets, [1, 1, 1, 1, 3]);
        assert!(!super::super::outbox::state(&db).expect("state").backfilling);
    }
}
