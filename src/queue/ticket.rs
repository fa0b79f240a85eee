//! A ticket and its life: waiting → called → serving → done, or no-show / cancelled, with
//! transfer to another service and return to the queue along the way.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Global, strictly increasing across days: also the issue order used for calling.
pub type TicketId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Waiting,
    Called,
    Serving,
    Done,
    NoShow,
    Cancelled,
    /// Waiting again, in the queue of the service it was transferred to (same number, same
    /// place by issue time); the citizen keeps one paper ticket, so it stays one ticket.
    Transferred,
}

impl TicketState {
    pub fn is_queued(self) -> bool {
        matches!(self, TicketState::Waiting | TicketState::Transferred)
    }

    pub fn at_counter(self) -> bool {
        matches!(self, TicketState::Called | TicketState::Serving)
    }

    pub fn label_id(self) -> &'static str {
        match self {
            TicketState::Waiting => "Menunggu",
            TicketState::Called => "Dipanggil",
            TicketState::Serving => "Sedang dilayani",
            TicketState::Done => "Selesai",
            TicketState::NoShow => "Tidak hadir",
            TicketState::Cancelled => "Dibatalkan",
            TicketState::Transferred => "Dialihkan",
        }
    }
}

/// Whether the citizen holds the ticket on paper. The office never calls a number nobody
/// holds: a ticket whose print is pending or failed stays out of the queue until staff reprint
/// it (or void it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrintState {
    /// No printer is configured: the number is shown on screen only.
    #[default]
    NotRequired,
    /// Sent to the printer, no answer yet (or the daemon stopped before it came).
    Pending,
    Printed,
    /// `show_on_screen` policy: the kiosk showed the number; paper may have failed.
    OnScreen,
    /// The print failed: held as unprinted until a reprint or a void.
    Failed,
}

impl PrintState {
    pub fn callable(self) -> bool {
        matches!(
            self,
            PrintState::NotRequired | PrintState::Printed | PrintState::OnScreen
        )
    }
}

/// One entry of a ticket's history, kept with the ticket for audit and service-time figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub at: DateTime<Utc>,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<u32>,
    pub service: String,
    /// The staff member who did it (counter operations), for the per-staff report. Absent in
    /// records written before it existed and for the kiosk's and the system's own steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub service_day: NaiveDate,
    /// The service whose numbering issued it; the printed number never changes.
    pub issued_service: String,
    /// The service whose queue it is in now (differs after a transfer).
    pub service: String,
    /// The prefix it was numbered under; numbers never repeat per (day, prefix), even if a
    /// service's code is renamed in the configuration mid-day.
    pub prefix: String,
    pub number: u32,
    /// The number as printed, e.g. `A-007`.
    pub label: String,
    pub priority: bool,
    pub state: TicketState,
    pub issued_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serving_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub calls: u32,
    /// Order of its latest call or recall among the day's calls (for the display's list).
    #[serde(default)]
    pub call_order: u64,
    #[serde(default)]
    pub print: PrintState,
    #[serde(default)]
    pub history: Vec<Step>,
    /// Its place while queued, when not by issue time: set when staff put it back under the
    /// `after_waiting` policy. Stored so the order survives a restart; absent in records
    /// written before it existed, which are in issue order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<QueuePlace>,
}

/// A place in the queue just behind another: right after the tickets of base `after` (the
/// issue order of the ticket it was put behind; 0 is the front of its class), ordered among
/// others placed there by `seq`. Chosen by halving the free gap, so nothing else is moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePlace {
    pub after: TicketId,
    pub seq: u64,
}

/// The order within a service's queue: class (0 priority, 1 ordinary), then the base (the
/// ticket's own id, or the id it was placed behind), then `seq` (0 for a place by issue
/// time), then the id, which only makes keys unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct QueueKey {
    pub class: u8,
    pub base: TicketId,
    pub seq: u64,
    pub id: TicketId,
}

impl QueueKey {
    /// The smallest key of a class: everything of that class sorts after it.
    pub(super) fn front(class: u8) -> Self {
        Self {
            class,
            base: 0,
            seq: 0,
            id: 0,
        }
    }
}

impl Ticket {
    pub(super) fn record(&mut self, at: DateTime<Utc>, action: &str, counter: Option<u32>) {
        self.history.push(Step {
            at,
            action: action.to_string(),
            counter,
            service: self.service.clone(),
            by: None,
        });
    }

    /// 0 for priority tickets, 1 for the others: priority goes first.
    pub(super) fn class(&self) -> u8 {
        u8::from(!self.priority)
    }

    /// Queue order within a service: priority tickets first, then by issue order, except
    /// where staff put a ticket back behind others (`place`).
    pub(super) fn queue_key(&self) -> QueueKey {
        let (base, seq) = self.place.map_or((self.id, 0), |p| (p.after, p.seq));
        QueueKey {
            class: self.class(),
            base,
            seq,
            id: self.id,
        }
    }

    /// Seconds spent at the counter, when the clock gave a believable figure.
    pub fn service_seconds(&self) -> Option<i64> {
        let start = self.serving_at.or(self.called_at)?;
        let secs = (self.finished_at? - start).num_seconds();
        // A clock that jumped during service gives nonsense; leave it out of the average.
        (0..=4 * 3600).contains(&secs).then_some(secs)
    }
}
