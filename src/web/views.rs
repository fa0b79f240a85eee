//! The public JSON shape of a ticket: number, service and state; no personal data.

use serde::Serialize;

use crate::clock::rfc3339_local;
use crate::config::Config;
use crate::queue::{Estimate, PrintState, Ticket, TicketState};

#[derive(Debug, Serialize)]
pub struct TicketJson {
    pub id: u64,
    pub number: String,
    pub service: String,
    pub service_name: String,
    pub priority: bool,
    pub state: TicketState,
    pub state_label: &'static str,
    /// Paper: `printed`, `pending`, `failed` (held), `on_screen`, or `not_required`.
    pub print: PrintState,
    pub issued_at: String,
    pub service_day: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people_ahead: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_wait_minutes: Option<u32>,
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
