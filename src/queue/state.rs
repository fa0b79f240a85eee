//! The queue of the current service day, held in memory and rebuilt from the store at start.
//! Operations mutate it and mark what changed; the store writes exactly that in one
//! transaction. Earlier days live only in the store, as history.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::ticket::{QueueKey, Ticket, TicketId, TicketState};
use crate::clock::local_date;
use crate::config::Config;

/// What one committed operation changed, as displays and consoles are told.
/// Carries no personal data: it is published to public screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    DayStarted {
        service_day: NaiveDate,
    },
    Issued {
        ticket: TicketSummary,
    },
    Called {
        counter: u32,
        ticket: TicketSummary,
    },
    Recalled {
        counter: u32,
        ticket: TicketSummary,
    },
    Serving {
        counter: u32,
        ticket: TicketSummary,
    },
    Finished {
        counter: u32,
        ticket: TicketSummary,
    },
    NoShow {
        counter: u32,
        ticket: TicketSummary,
    },
    Transferred {
        counter: u32,
        from: String,
        ticket: TicketSummary,
    },
    Requeued {
        #[serde(skip_serializing_if = "Option::is_none")]
        counter: Option<u32>,
        ticket: TicketSummary,
    },
    /// The print failed: the ticket is held as unprinted.
    PrintFailed {
        ticket: TicketSummary,
    },
    Reprinted {
        ticket: TicketSummary,
    },
    Voided {
        ticket: TicketSummary,
    },
    PrinterStatus {
        status: crate::printer::PrinterStatus,
        label: &'static str,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TicketSummary {
    #[schema(value_type = u64)]
    pub id: TicketId,
    pub number: String,
    pub service: String,
    pub priority: bool,
    pub state: TicketState,
    /// The state as staff and citizens read it (`Dipanggil`).
    pub state_label: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<u32>,
}

impl From<&Ticket> for TicketSummary {
    fn from(t: &Ticket) -> Self {
        Self {
            id: t.id,
            number: t.label.clone(),
            service: t.service.clone(),
            priority: t.priority,
            state: t.state,
            state_label: t.state.label_id(),
            counter: t.counter,
        }
    }
}

/// The persistent counters beside the tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayMeta {
    pub service_day: NaiveDate,
    /// Tickets of the current day are exactly the ids from here up: ids only grow.
    pub day_first_id: TicketId,
    pub next_id: TicketId,
}

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct ServiceStats {
    pub count: u64,
    pub total_seconds: i64,
}

pub struct QueueState {
    pub(super) meta: DayMeta,
    pub(super) tickets: HashMap<TicketId, Ticket>,
    /// Per service: the queue keys of tickets waiting, in calling order.
    pub(super) waiting: HashMap<String, BTreeSet<QueueKey>>,
    /// Per prefix: the last number given today.
    pub(super) last_number: HashMap<String, u32>,
    /// Per counter: the ticket it is calling or serving.
    pub(super) at_counter: BTreeMap<u32, TicketId>,
    pub(super) stats: HashMap<String, ServiceStats>,
    dirty: BTreeSet<TicketId>,
    retired: Vec<Ticket>,
    meta_dirty: bool,
    last_call_order: u64,
}

/// Records to write in one transaction.
pub struct Dirty {
    pub tickets: Vec<Ticket>,
    pub meta: Option<DayMeta>,
}

impl QueueState {
    /// An empty store: the first service day is today's.
    pub fn fresh(day: NaiveDate) -> Self {
        let meta = DayMeta {
            service_day: day,
            day_first_id: 1,
            next_id: 1,
        };
        let mut s = Self::restore(meta, Vec::new());
        s.meta_dirty = true;
        s
    }

    /// Rebuilds the day from the stored meta and the day's tickets.
    pub fn restore(meta: DayMeta, tickets: Vec<Ticket>) -> Self {
        let mut s = Self {
            meta,
            tickets: HashMap::with_capacity(tickets.len()),
            waiting: HashMap::new(),
            last_number: HashMap::new(),
            at_counter: BTreeMap::new(),
            stats: HashMap::new(),
            dirty: BTreeSet::new(),
            retired: Vec::new(),
            meta_dirty: false,
            last_call_order: 0,
        };
        for t in tickets {
            let last = s.last_number.entry(t.prefix.clone()).or_default();
            *last = (*last).max(t.number);
            if t.state.is_queued() {
                s.enqueue(&t);
            }
            if t.state.at_counter()
                && let Some(c) = t.counter
            {
                s.at_counter.insert(c, t.id);
            }
            if t.state == TicketState::Done {
                s.count_service_time(&t);
            }
            s.last_call_order = s.last_call_order.max(t.call_order);
            s.tickets.insert(t.id, t);
        }
        s
    }

    pub fn meta(&self) -> DayMeta {
        self.meta
    }

    pub fn service_day(&self) -> NaiveDate {
        self.meta.service_day
    }

    pub fn ticket(&self, id: TicketId) -> Option<&Ticket> {
        self.tickets.get(&id)
    }

    /// Names the staff member who did a ticket's latest step (a counter operation just
    /// applied); the record is written with the batch, as it is already changed.
    pub fn sign_last_step(&mut self, id: TicketId, by: &str) -> Option<&Ticket> {
        let t = self.tickets.get_mut(&id)?;
        if let Some(step) = t.history.last_mut() {
            step.by = Some(by.to_string());
        }
        Some(t)
    }

    /// Every ticket of the service day, in no particular order.
    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values()
    }
}

/// The latest date on which a new service day after `last` begins by itself: the next day
/// the office opens after `last` (past weekends, holidays and a run of closed days), plus
/// one day for an office that opens late or a box left off a day. A clock beyond it was
/// most likely set wrong (a year ahead, a dead RTC battery): the day waits for an
/// administrator's confirmation, or for the clock to agree again.
pub fn latest_plausible_day(config: &Config, last: NaiveDate) -> NaiveDate {
    let mut next = last.succ_opt().unwrap_or(last);
    // Bounded: a calendar closed for a whole month is a configuration, not a clock, problem.
    for _ in 0..31 {
        if config.calendar.is_working_day(next) {
            break;
        }
        next = next.succ_opt().unwrap_or(next);
    }
    next.succ_opt().unwrap_or(next)
}

impl QueueState {
    /// The clock's date when it is implausibly far ahead of the current service day.
    /// Not on a box that has never issued a ticket: a new install's first day comes from
    /// whatever the clock said before it was synchronised (an image's build date, a dead RTC),
    /// and there are no numbers yet that a wrong jump could repeat.
    pub fn clock_ahead(&self, config: &Config, now: DateTime<Utc>) -> Option<NaiveDate> {
        if self.meta.next_id <= 1 {
            return None;
        }
        let today = local_date(now, config.office.time_zone);
        (today > latest_plausible_day(config, self.meta.service_day)).then_some(today)
    }

    /// Moves to the office-local date of `now`, but never back: a Pi without a real-time
    /// clock may boot hours or days behind, and numbers must not repeat when it does.
    pub fn advance_day(&mut self, config: &Config, now: DateTime<Utc>) -> Option<Change> {
        let today = local_date(now, config.office.time_zone);
        if today <= self.meta.service_day {
            return None;
        }
        for (_, mut t) in self.tickets.drain() {
            if t.state.is_queued() || t.state.at_counter() {
                t.state = TicketState::Cancelled;
                t.counter = None;
                t.record(now, "day_closed", None);
                self.dirty.remove(&t.id);
                self.retired.push(t);
            } else if self.dirty.remove(&t.id) {
                self.retired.push(t);
            }
        }
        self.waiting.clear();
        self.last_number.clear();
        self.at_counter.clear();
        self.stats.clear();
        self.meta.service_day = today;
        self.meta.day_first_id = self.meta.next_id;
        self.meta_dirty = true;
        Some(Change::DayStarted { service_day: today })
    }

    /// Puts a ticket in its service's queue, if the citizen holds it: a held (unprinted)
    /// ticket joins only when its print succeeds.
    pub(super) fn enqueue(&mut self, t: &Ticket) {
        if !t.print.callable() {
            return;
        }
        self.waiting
            .entry(t.service.clone())
            .or_default()
            .insert(t.queue_key());
    }

    pub(super) fn dequeue(&mut self, t: &Ticket) {
        if let Some(set) = self.waiting.get_mut(&t.service) {
            set.remove(&t.queue_key());
        }
    }

    pub(super) fn count_service_time(&mut self, t: &Ticket) {
        if let Some(secs) = t.service_seconds() {
            let s = self.stats.entry(t.service.clone()).or_default();
            s.count += 1;
            s.total_seconds += secs;
        }
    }

    pub(super) fn next_call_order(&mut self) -> u64 {
        self.last_call_order += 1;
        self.last_call_order
    }

    pub(super) fn insert_new(&mut self, t: Ticket) {
        self.meta.next_id = t.id + 1;
        self.meta_dirty = true;
        self.dirty.insert(t.id);
        self.tickets.insert(t.id, t);
    }

    pub(super) fn touch(&mut self, id: TicketId) {
        self.dirty.insert(id);
    }

    pub fn waiting_count(&self, service: &str) -> usize {
        self.waiting.get(service).map_or(0, BTreeSet::len)
    }

    /// Tickets waiting ahead of `t` in its service's queue (priority first, then issue order).
    pub fn people_ahead(&self, t: &Ticket) -> usize {
        self.waiting
            .get(&t.service)
            .map_or(0, |set| set.range(..t.queue_key()).count())
    }

    /// Everything changed since the last call, to be written in one transaction.
    pub fn take_dirty(&mut self) -> Dirty {
        let mut tickets = std::mem::take(&mut self.retired);
        for id in std::mem::take(&mut self.dirty) {
            if let Some(t) = self.tickets.get(&id) {
                tickets.push(t.clone());
            }
        }
        let meta = std::mem::take(&mut self.meta_dirty).then_some(self.meta);
        Dirty { tickets, meta }
    }

    pub fn view(&self, config: &Config, now: DateTime<Utc>) -> QueueView {
        let local = now.with_timezone(&config.office.time_zone).naive_local();
        let holiday = config.holiday(local.date());
        let services = config
            .services
            .iter()
            .map(|s| {
                let waiting = self.waiting_count(&s.code);
                ServiceView {
                    next: self
                        .waiting
                        .get(&s.code)
                        .map(|set| {
                            set.iter()
                                .take(5)
                                .filter_map(|k| self.tickets.get(&k.id))
                                .map(|t| t.label.clone())
                                .collect()
                        })
                        .unwrap_or_default(),
                    code: s.code.clone(),
                    prefix: s.prefix.clone(),
                    name: s.name.clone(),
                    name_en: s.name_en.clone(),
                    open: holiday.is_none() && config.hours_of(s).is_open(local),
                    waiting,
                    estimated_wait_minutes: self.estimate(config, s, waiting).minutes,
                }
            })
            .collect();
        let counters = config
            .counters
            .iter()
            .map(|c| CounterView {
                id: c.id,
                name: c.name.clone(),
                services: c.services.clone(),
                ticket: self
                    .at_counter
                    .get(&c.id)
                    .and_then(|id| self.tickets.get(id))
                    .map(TicketSummary::from),
            })
            .collect();
        let mut unprinted: Vec<TicketSummary> = self
            .tickets
            .values()
            .filter(|t| t.state.is_queued() && !t.print.callable())
            .map(TicketSummary::from)
            .collect();
        unprinted.sort_by_key(|t| t.id);
        // A ticket back in a queue (requeued, transferred) is no longer at the counter that
        // called it: the board must not send its holder there.
        let mut called: Vec<&Ticket> = self
            .tickets
            .values()
            .filter(|t| t.call_order > 0 && !t.state.is_queued())
            .collect();
        called.sort_by_key(|t| std::cmp::Reverse(t.call_order));
        let recent_calls = called
            .into_iter()
            .filter_map(|t| {
                let step = t
                    .history
                    .iter()
                    .rev()
                    .find(|h| h.action == "called" || h.action == "recalled")?;
                Some(RecentCall {
                    number: t.label.clone(),
                    counter: step.counter?,
                    at: step.at,
                })
            })
            .take(10)
            .collect();
        let mut no_show: Vec<&Ticket> = self
            .tickets
            .values()
            .filter(|t| t.state == TicketState::NoShow)
            .collect();
        no_show.sort_by_key(|t| std::cmp::Reverse((t.finished_at, t.id)));
        let no_shows = no_show
            .into_iter()
            .take(MAX_NO_SHOWS)
            .map(|t| NoShowView {
                id: t.id,
                number: t.label.clone(),
                service: t.service.clone(),
                called_at: t.called_at,
                no_show_at: t.finished_at,
            })
            .collect();
        QueueView {
            no_shows,
            recent_calls,
            event_seq: 0,
            unprinted,
            printer: None,
            service_day: self.meta.service_day,
            holiday: holiday.map(|h| h.name.clone()),
            services,
            counters,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueView {
    /// The last committed event: a snapshot's place in the event stream.
    pub event_seq: u64,
    /// The latest calls, newest first (for the lobby display).
    pub recent_calls: Vec<RecentCall>,
    pub service_day: NaiveDate,
    /// The holiday closing the office today, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holiday: Option<String>,
    pub services: Vec<ServiceView>,
    pub counters: Vec<CounterView>,
    /// Today's tickets held because their print failed: staff reprint or void them.
    pub unprinted: Vec<TicketSummary>,
    /// Today's no-shows, the latest first (at most 100): staff bring one back when its
    /// citizen returns. Numbers and times only.
    pub no_shows: Vec<NoShowView>,
    /// Filled in by the store, which hears from the printer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub printer: Option<PrinterView>,
}

/// The most no-shows the view lists: a day with more has its oldest left out of the list
/// (the API still brings any of them back by id).
const MAX_NO_SHOWS: usize = 100;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoShowView {
    #[schema(value_type = u64)]
    pub id: TicketId,
    pub number: String,
    /// The service whose queue it would go back to.
    pub service: String,
    /// When it was first called.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub called_at: Option<DateTime<Utc>>,
    /// When the counter marked it a no-show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_show_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecentCall {
    pub number: String,
    pub counter: u32,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PrinterView {
    pub status: crate::printer::PrinterStatus,
    pub label: &'static str,
    pub ready: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceView {
    pub code: String,
    /// The next few numbers to be called, in order.
    pub next: Vec<String>,
    pub prefix: String,
    pub name: String,
    pub name_en: String,
    pub open: bool,
    pub waiting: usize,
    pub estimated_wait_minutes: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CounterView {
    pub id: u32,
    pub name: String,
    pub services: Vec<String>,
    /// The ticket it calls or serves; `null` when free.
    #[schema(required = true)]
    pub ticket: Option<TicketSummary>,
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    /// `days` after Monday 30 November 2026, at `h` UTC (02:00 UTC is 09:00 WIB).
    fn at(days: i64, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, 0, 0)
            .single()
            .expect("valid")
            + chrono::Duration::days(days)
    }

    #[test]
    fn the_next_opening_plus_one_day_is_the_last_plausible_day() {
        let config = Config::embedded().expect("config");
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        // Monday: Tuesday opens, Wednesday is still plausible.
        assert_eq!(latest_plausible_day(&config, d(11, 30)), d(12, 2));
        // Friday: past the weekend to Monday, then Tuesday.
        assert_eq!(latest_plausible_day(&config, d(12, 4)), d(12, 8));
        // Wednesday 23 December: cuti bersama, Christmas and the weekend are skipped.
        assert_eq!(latest_plausible_day(&config, d(12, 23)), d(12, 29));
        let mut s = QueueState::fresh(d(11, 30));
        // A box that never issued a ticket follows its clock wherever it goes.
        assert_eq!(s.clock_ahead(&config, at(300, 2)), None);
        s.meta.next_id = 2;
        assert_eq!(s.clock_ahead(&config, at(2, 2)), None);
        assert_eq!(s.clock_ahead(&config, at(3, 2)), Some(d(12, 3)));
        assert!(s.advance_day(&config, at(1, 2)).is_some());
        assert_eq!(s.clock_ahead(&config, at(3, 2)), None);
    }

    #[test]
    fn rollover_keeps_unwritten_changes_and_closes_open_tickets() {
        let config = Config::embedded().expect("config");
        let day = local_date(at(0, 2), config.office.time_zone);
        let mut s = QueueState::fresh(day);
        s.issue(
            &config,
            "A",
            false,
            crate::queue::PrintMode::NoPrinter,
            at(0, 2),
        )
        .expect("issue");
        s.issue(
            &config,
            "A",
            false,
            crate::queue::PrintMode::NoPrinter,
            at(0, 2),
        )
        .expect("issue");
        let first = s.take_dirty();
        assert_eq!(first.tickets.len(), 2);
        assert!(first.meta.is_some());

        // Same batch: a call, then the day turns before the batch is written.
        s.counter_op(&config, 1, &crate::queue::CounterOp::CallNext, at(0, 3))
            .expect("call");
        assert!(
            s.advance_day(&config, at(-1, 2)).is_none(),
            "never goes back"
        );
        let change = s.advance_day(&config, at(1, 1));
        assert!(matches!(change, Some(Change::DayStarted { .. })));
        let dirty = s.take_dirty();
        let states: Vec<TicketState> = dirty.tickets.iter().map(|t| t.state).collect();
        assert_eq!(states, [TicketState::Cancelled, TicketState::Cancelled]);
        assert_eq!(dirty.meta.map(|m| m.day_first_id), Some(3));
        assert_eq!(s.waiting_count("A"), 0);
        assert!(s.at_counter.is_empty());
        let (issued, _) = s
            .issue(
                &config,
                "A",
                false,
                crate::queue::PrintMode::NoPrinter,
                at(1, 2),
            )
            .expect("issue");
        assert_eq!(issued.ticket.label, "A-001");
        assert_eq!(issued.ticket.id, 3);
    }
}
