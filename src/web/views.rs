//! The public JSON shape of a ticket (number, service and state; no personal data), and the
//! audit check's report.

use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::rfc3339_local;
use crate::config::Config;
use crate::queue::{Estimate, PrintState, Ticket, TicketState};

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Ticket)]
pub struct TicketJson {
    /// The ticket's key for `/api/v1/tickets/{id}` and `/t/{id}`; grows across days.
    pub id: u64,
    /// What is printed, shown and called, e.g. `A-007`; starts again each service day.
    pub number: String,
    pub service: String,
    pub service_name: String,
    pub priority: bool,
    pub state: TicketState,
    /// The state in Bahasa Indonesia, as the office shows it.
    pub state_label: &'static str,
    /// Paper: `printed`, `pending`, `failed` (held), `on_screen`, or `not_required`.
    pub print: PrintState,
    /// RFC 3339 in office-local time.
    #[schema(format = DateTime)]
    pub issued_at: String,
    #[schema(format = Date)]
    pub service_day: String,
    /// While queued today: tickets to be called before this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people_ahead: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_wait_minutes: Option<u32>,
    /// At a counter (called or serving): which one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter_name: Option<String>,
}

impl TicketJson {
    pub fn new(config: &Config, t: &Ticket, estimate: Option<Estimate>) -> Self {
        Self {
            id: t.id,
            number: t.label.clone(),
            service: t.service.clone(),
            service_name: config
                .service(&t.service)
                .map_or_else(|| t.service.clone(), |s| s.name.clone()),
            priority: t.priority,
            state: t.state,
            state_label: t.state.label_id(),
            print: t.print,
            issued_at: rfc3339_local(t.issued_at, config.office.time_zone),
            service_day: t.service_day.to_string(),
            people_ahead: estimate.map(|e| e.people_ahead),
            estimated_wait_minutes: estimate.map(|e| e.minutes),
            counter: t.counter,
            counter_name: t
                .counter
                .and_then(|c| config.counter(c))
                .map(|c| c.name.clone()),
        }
    }
}

/// `GET /api/v1/audit/verify`: whether the audit log's hash chain is whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditReport {
    pub ok: bool,
    /// Entries checked (all of them when `ok`).
    pub entries: u64,
    /// The first entry that does not fit the chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken: Option<AuditBreak>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditBreak {
    pub seq: u64,
    pub why: String,
}
