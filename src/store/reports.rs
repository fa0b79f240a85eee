//! The per-day queue aggregates (`report::DayAggregate`), one record per closed service day
//! keyed by its date (`2026-11-03`), so a month's report reads some thirty small records
//! instead of every ticket. Written in the transaction that starts the next day; a day closed
//! without one (a file from before reports existed) gets it at open: the catch-up. The table
//! is new in schema 2 without a version bump: older builds never open it, and an absent table
//! reads as empty.

use chrono::NaiveDate;
use chrono_tz::Tz;
use redb::{
    Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition,
    WriteTransaction,
};

use super::tables::{META, StoreError, TICKETS, decode};
use crate::queue::{Ticket, TicketId};
use crate::report::{DayAggregate, day::aggregate};

pub(super) const REPORT_DAYS: TableDefinition<&str, &[u8]> = TableDefinition::new("report_days");
/// The first ticket id not yet in an aggregate: tickets below it belong to closed days that
/// have theirs.
const K_REPORT_THROUGH: &str = "report_through_id";

fn key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn encode(agg: &DayAggregate) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(agg).map_err(|error| StoreError::Encode {
        what: format!("report day {}", agg.day),
        error,
    })
}

/// Stores a closed day's aggregate; `through` is the first id of the day that follows.
pub(super) fn write_day(
    txn: &WriteTransaction,
    agg: &DayAggregate,
    through: TicketId,
) -> Result<(), StoreError> {
    let bytes = encode(agg)?;
    txn.open_table(REPORT_DAYS)?
        .insert(key(agg.day).as_str(), bytes.as_slice())?;
    txn.open_table(META)?.insert(K_REPORT_THROUGH, through)?;
    Ok(())
}

/// The stored aggregates of the days `from..=to`, in date order.
pub(super) fn read_range(
    db: &Database,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayAggregate>, StoreError> {
    let txn = db.begin_read()?;
    let table = match txn.open_table(REPORT_DAYS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let (from, to) = (key(from), key(to));
    let mut out = Vec::new();
    for row in table.range(from.as_str()..=to.as_str())? {
        let (k, v) = row?;
        let agg: DayAggregate =
            serde_json::from_slice(v.value()).map_err(|e| StoreError::Corrupt {
                what: format!("report day {}", k.value()),
                why: e.to_string(),
            })?;
        out.push(agg);
    }
    Ok(out)
}

/// Writes the aggregate of every closed day (tickets below `day_first_id`) that has none:
/// reads only the tickets past the last aggregated one. Returns the days written.
pub(super) fn catch_up(db: &Database, day_first_id: TicketId, tz: Tz) -> Result<usize, StoreError> {
    let txn = db.begin_write()?;
    let written = {
        let mut table = txn.open_table(REPORT_DAYS)?;
        // No day recorded at all (a database restored from a backup that lacked them, or
        // made before reports): the mark means nothing, every closed day is read again.
        let through = if table.is_empty()? {
            1
        } else {
            txn.open_table(META)?
                .get(K_REPORT_THROUGH)?
                .map_or(1, |v| v.value())
        };
        if through >= day_first_id {
            0
        } else {
            // Ids grow with the days: one day's tickets are held at a time, so the first
            // start after an upgrade does not hold years of tickets in memory.
            let tickets = txn.open_table(TICKETS)?;
            let mut n = 0;
            let mut day: Option<(NaiveDate, Vec<Ticket>)> = None;
            let mut flush = |d: NaiveDate, ts: &[Ticket]| -> Result<(), StoreError> {
                if table.get(key(d).as_str())?.is_none() {
                    let bytes = encode(&aggregate(d, ts, tz))?;
                    table.insert(key(d).as_str(), bytes.as_slice())?;
                    n += 1;
                }
                Ok(())
            };
            for row in tickets.range(through..day_first_id)? {
                let (_, v) = row?;
                let t = decode(v.value())?;
                match &mut day {
                    Some((d, ts)) if *d == t.service_day => ts.push(t),
                    _ => {
                        if let Some((d, ts)) = day.take() {
                            flush(d, &ts)?;
                        }
                        day = Some((t.service_day, vec![t]));
                    }
                }
            }
            if let Some((d, ts)) = day.take() {
                flush(d, &ts)?;
            }
            drop(tickets);
            drop(table);
            txn.open_table(META)?
                .insert(K_REPORT_THROUGH, day_first_id)?;
            n
        }
    };
    txn.commit()?;
    Ok(written)
}
