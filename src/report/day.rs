//! One service day's queue figures, per (service, counter, staff member): what the queue
//! report reads for every day but today. Written when the day closes, in the transaction that
//! starts the next one (`store::reports`); today's comes from memory with the same function.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::queue::{Ticket, TicketState};

/// The staff column for steps recorded before steps named who did them.
pub const UNRECORDED_STAFF: &str = "(tidak tercatat)";

/// A wait longer than this is a clock jump, not a citizen's wait: left out like service times
/// over four hours (`Ticket::service_seconds`).
const MAX_WAIT_SECONDS: i64 = 12 * 3600;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayAggregate {
    pub day: NaiveDate,
    pub groups: Vec<GroupAggregate>,
}

/// The figures of one (service, counter, staff member) on one day. Short field names keep a
/// day's record small (a few KB for a few hundred tickets, mostly the two lists).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupAggregate {
    #[serde(rename = "s")]
    pub service: String,
    /// The counter of the group's last counter step; `None`: never reached a counter.
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<u32>,
    /// Who did that step; `None`: not recorded (older records, or never at a counter).
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<String>,
    /// Tickets issued in this service (counted where their first stay ended).
    #[serde(rename = "i", default, skip_serializing_if = "is_zero")]
    pub issued: u32,
    /// Tickets that came into this service by a transfer.
    #[serde(rename = "ti", default, skip_serializing_if = "is_zero")]
    pub transferred_in: u32,
    #[serde(rename = "d", default, skip_serializing_if = "is_zero")]
    pub served: u32,
    #[serde(rename = "n", default, skip_serializing_if = "is_zero")]
    pub no_show: u32,
    /// Voided, or still open when the day closed.
    #[serde(rename = "x", default, skip_serializing_if = "is_zero")]
    pub cancelled: u32,
    #[serde(rename = "to", default, skip_serializing_if = "is_zero")]
    pub transferred_out: u32,
    /// Seconds from issue to first call, sorted.
    #[serde(rename = "w", default, skip_serializing_if = "Vec::is_empty")]
    pub waits: Vec<u32>,
    /// Seconds at the counter of the services finished here, sorted.
    #[serde(rename = "v", default, skip_serializing_if = "Vec::is_empty")]
    pub service_times: Vec<u32>,
    /// Tickets issued per office-local hour (24 entries, or none when nothing was issued).
    #[serde(rename = "a", default, skip_serializing_if = "Vec::is_empty")]
    pub arrivals: Vec<u32>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl GroupAggregate {
    /// A ticket's stays in this group: issued here or transferred in.
    pub fn tickets(&self) -> u32 {
        self.issued + self.transferred_in
    }
}

type Key = (String, Option<u32>, Option<String>);

/// One stay of a ticket in one service's queue: from issue or a transfer in, to a transfer
/// out or the ticket's end.
struct Stay {
    service: String,
    first: bool,
    /// The last counter step of the stay: its counter and who did it.
    counter: Option<u32>,
    by: Option<String>,
    transferred_out: bool,
}

fn stays(t: &Ticket) -> Vec<Stay> {
    let mut out = vec![Stay {
        service: t.issued_service.clone(),
        first: true,
        counter: None,
        by: None,
        transferred_out: false,
    }];
    for step in &t.history {
        let Some(cur) = out.last_mut() else { break };
        if step.counter.is_some() {
            cur.counter = step.counter;
            cur.by = step.by.clone();
        }
        if step.action == "transferred" {
            cur.transferred_out = true;
            // The step records the service the ticket moved to.
            out.push(Stay {
                service: step.service.clone(),
                first: false,
                counter: None,
                by: None,
                transferred_out: false,
            });
        }
    }
    out
}

/// Seconds from issue to the first call, when the clock gave a believable figure. The
/// citizen's wait: a transferred ticket's second wait is not added.
pub fn wait_seconds(t: &Ticket) -> Option<u32> {
    let first_call = t.history.iter().find(|h| h.action == "called")?;
    let secs = (first_call.at - t.issued_at).num_seconds();
    (0..=MAX_WAIT_SECONDS)
        .contains(&secs)
        .then(|| u32::try_from(secs).ok())
        .flatten()
}

fn local_hour(at: DateTime<Utc>, tz: Tz) -> usize {
    at.with_timezone(&tz).hour() as usize
}

/// The day's figures from its tickets. A ticket still queued or at a counter counts as
/// cancelled: that is what the day's close makes of it.
pub fn aggregate<'a>(
    day: NaiveDate,
    tickets: impl IntoIterator<Item = &'a Ticket>,
    tz: Tz,
) -> DayAggregate {
    let mut groups: BTreeMap<Key, GroupAggregate> = BTreeMap::new();
    for t in tickets {
        let all = stays(t);
        let last = all.len() - 1;
        for (i, stay) in all.into_iter().enumerate() {
            let key = (stay.service.clone(), stay.counter, stay.by.clone());
            let g = groups.entry(key).or_insert_with(|| GroupAggregate {
                service: stay.service,
                counter: stay.counter,
                staff: stay.by,
                ..GroupAggregate::default()
            });
            if stay.first {
                g.issued += 1;
                if g.arrivals.is_empty() {
                    g.arrivals = vec![0; 24];
                }
                if let Some(a) = g.arrivals.get_mut(local_hour(t.issued_at, tz)) {
                    *a += 1;
                }
                if let Some(w) = wait_seconds(t) {
                    g.waits.push(w);
                }
            } else {
                g.transferred_in += 1;
            }
            if i < last {
                g.transferred_out += u32::from(stay.transferred_out);
                continue;
            }
            match t.state {
                TicketState::Done => {
                    g.served += 1;
                    if let Some(s) = t.service_seconds().and_then(|s| u32::try_from(s).ok()) {
                        g.service_times.push(s);
                    }
                }
                TicketState::NoShow => g.no_show += 1,
                _ => g.cancelled += 1,
            }
        }
    }
    let mut groups: Vec<GroupAggregate> = groups.into_values().collect();
    for g in &mut groups {
        g.waits.sort_unstable();
        g.service_times.sort_unstable();
    }
    DayAggregate { day, groups }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::queue::{Names, QueueReport};

    /// A ticket as records written before steps named staff: no `by` anywhere.
    fn old_record() -> Ticket {
        serde_json::from_value(serde_json::json!({
            "id": 7, "service_day": "2026-11-02", "issued_service": "B", "service": "D",
            "prefix": "B", "number": 7, "label": "B-007", "priority": false, "state": "done",
            "issued_at": "2026-11-02T01:00:00Z", "counter": 4,
            "called_at": "2026-11-02T01:20:00Z", "finished_at": "2026-11-02T01:30:00Z",
            "history": [
                {"at": "2026-11-02T01:00:00Z", "action": "issued", "service": "B"},
                {"at": "2026-11-02T01:05:00Z", "action": "called", "counter": 2, "service": "B"},
                {"at": "2026-11-02T01:06:00Z", "action": "transferred", "counter": 2, "service": "D"},
                {"at": "2026-11-02T01:20:00Z", "action": "called", "counter": 4, "service": "D"},
                {"at": "2026-11-02T01:30:00Z", "action": "finished", "counter": 4, "service": "D"}
            ]
        }))
        .expect("an old ticket record")
    }

    #[test]
    fn an_old_record_groups_under_unrecorded_staff_and_a_transfer_splits_its_stays() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        let agg = aggregate(day, &[old_record()], chrono_tz::Asia::Jakarta);
        assert_eq!(agg.groups.len(), 2);
        let b = &agg.groups[0];
        assert_eq!(
            (b.service.as_str(), b.counter, b.staff.as_deref()),
            ("B", Some(2), None)
        );
        assert_eq!((b.issued, b.transferred_out, b.served), (1, 1, 0));
        assert_eq!(b.waits, [300], "issue to the first call only");
        // 08:00 WIB.
        assert_eq!(b.arrivals[8], 1);
        let d = &agg.groups[1];
        assert_eq!((d.service.as_str(), d.counter), ("D", Some(4)));
        assert_eq!((d.transferred_in, d.served), (1, 1));
        assert!(d.waits.is_empty());
        assert_eq!(d.service_times, [600]);

        let service = |c: &str| c.to_string();
        let counter = |c: u32| format!("Loket {c}");
        let report = QueueReport::build(
            day,
            day,
            &[agg],
            &Names {
                service: &service,
                counter: &counter,
            },
        );
        assert_eq!(report.per_staff.len(), 1);
        assert_eq!(report.per_staff[0].label, UNRECORDED_STAFF);
        assert_eq!(report.per_staff[0].tickets, 2);
        // The day counts the ticket's two stays and its one transfer.
        assert_eq!((report.total.tickets, report.total.transferred_out), (2, 1));
    }

    #[test]
    fn a_day_of_500_tickets_is_a_few_kilobytes() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        let tickets: Vec<Ticket> = (0..500)
            .map(|i| {
                let mut t = old_record();
                t.id = i;
                t
            })
            .collect();
        let bytes =
            serde_json::to_vec(&aggregate(day, &tickets, chrono_tz::Asia::Jakarta)).expect("json");
        assert!(bytes.len() < 8_000, "{} bytes", bytes.len());
    }
}
