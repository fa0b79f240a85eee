//! Issuing a ticket: the one path used by the kiosk page, the API and (later) the button.

use chrono::{DateTime, Utc};

use super::error::QueueError;
use super::estimate::Estimate;
use super::state::{Change, QueueState, TicketSummary};
use super::ticket::{PrintState, QueueKey, Ticket, TicketState};
use crate::config::Config;

/// How a new ticket relates to paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintMode {
    /// No printer: the number on screen is the ticket.
    NoPrinter,
    /// Refuse policy: out of the queue until the print succeeds.
    HoldUntilPrinted,
    /// Show-on-screen policy: in the queue at once; paper is a bonus.
    ShowOnScreen,
}

#[derive(Debug, Clone)]
pub struct Issued {
    pub ticket: Ticket,
    pub estimate: Estimate,
}

impl QueueState {
    /// Checks everything before taking a number, so a refusal consumes nothing.
    pub fn issue(
        &mut self,
        config: &Config,
        service_code: &str,
        priority: bool,
        mode: PrintMode,
        now: DateTime<Utc>,
    ) -> Result<(Issued, Change), QueueError> {
        let service = config
            .service(service_code)
            .ok_or_else(|| QueueError::UnknownService(service_code.to_string()))?;
        let local = now.with_timezone(&config.office.time_zone).naive_local();
        if let Some(h) = config.holiday(local.date()) {
            return Err(QueueError::Holiday(h.name.clone()));
        }
        let hours = config.hours_of(service);
        if !hours.is_open(local) {
            return Err(QueueError::Closed {
                service: service.name.clone(),
                hours: hours.describe_day(chrono::Datelike::weekday(&local)),
            });
        }
        let last = self.last_number.get(&service.prefix).copied().unwrap_or(0);
        if let Some(quota) = service.daily_quota
            && last >= quota
        {
            return Err(QueueError::QuotaReached {
                service: service.name.clone(),
                quota,
            });
        }
        let number = last + 1;
        let id = self.meta.next_id;
        let mut ticket = Ticket {
            id,
            service_day: self.meta.service_day,
            issued_service: service.code.clone(),
            service: service.code.clone(),
            prefix: service.prefix.clone(),
            number,
            label: config.format_number(service, number),
            priority,
            state: TicketState::Waiting,
            issued_at: now,
            counter: None,
            called_at: None,
            serving_at: None,
            finished_at: None,
            calls: 0,
            call_order: 0,
            print: match mode {
                PrintMode::NoPrinter => PrintState::NotRequired,
                PrintMode::HoldUntilPrinted => PrintState::Pending,
                PrintMode::ShowOnScreen => PrintState::OnScreen,
            },
            history: Vec::new(),
            place: None,
        };
        ticket.record(now, "issued", None);
        self.last_number.insert(service.prefix.clone(), number);
        // The new ticket is last of its class, so people ahead is a count, not a scan.
        let set = self.waiting.entry(service.code.clone()).or_default();
        let ahead = if priority {
            set.range(..QueueKey::front(1)).count()
        } else {
            set.len()
        };
        self.enqueue(&ticket);
        let estimate = self.estimate(config, service, ahead);
        let change = Change::Issued {
            ticket: TicketSummary::from(&ticket),
        };
        self.insert_new(ticket.clone());
        Ok((Issued { ticket, estimate }, change))
    }
}
