//! Paper outcomes and the staff's remedies: a print succeeded or failed, a held ticket is
//! reprinted, or voided.

use chrono::{DateTime, Utc};

use super::error::QueueError;
use super::state::{Change, QueueState, TicketSummary};
use super::ticket::{PrintState, Ticket, TicketId, TicketState};

impl QueueState {
    fn today_mut(&mut self, id: TicketId) -> Result<Ticket, QueueError> {
        self.tickets
            .get(&id)
            .cloned()
            .ok_or(QueueError::UnknownTicket(id))
    }

    /// The printer's answer for a ticket. A success lets a held ticket join its queue; a
    /// failure holds it (or, shown on screen, leaves it queued).
    pub fn print_done(
        &mut self,
        id: TicketId,
        ok: bool,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, Option<Change>), QueueError> {
        let mut t = self.today_mut(id)?;
        let change = match (t.print, ok) {
            (PrintState::Pending | PrintState::Failed, true) => {
                t.print = PrintState::Printed;
                t.record(now, "printed", None);
                None
            }
            (PrintState::Pending | PrintState::Failed, false) => {
                t.print = PrintState::Failed;
                t.record(now, "print_failed", None);
                Some(Change::PrintFailed {
                    ticket: TicketSummary::from(&t),
                })
            }
            (PrintState::OnScreen, true) => {
                t.print = PrintState::Printed;
                t.record(now, "printed", None);
                None
            }
            (_, ok) => {
                t.record(now, if ok { "printed" } else { "print_failed" }, None);
                None
            }
        };
        self.enqueue(&t);
        self.touch(t.id);
        self.tickets.insert(t.id, t.clone());
        Ok((t, change))
    }

    /// Staff reprint a queued ticket: a held one goes back to pending (still out of the
    /// queue until this print succeeds); one the citizen already holds just prints again.
    pub fn reprint(
        &mut self,
        id: TicketId,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, Change), QueueError> {
        let mut t = self.today_mut(id)?;
        if !t.state.is_queued() {
            return Err(QueueError::WrongState {
                ticket: t.label.clone(),
                state: t.state.label_id().to_string(),
            });
        }
        if t.print == PrintState::Failed {
            t.print = PrintState::Pending;
        }
        t.record(now, "reprint", None);
        self.touch(t.id);
        self.tickets.insert(t.id, t.clone());
        let change = Change::Reprinted {
            ticket: TicketSummary::from(&t),
        };
        Ok((t, change))
    }

    /// Staff void a queued ticket (typically a held one nobody holds on paper).
    pub fn void(
        &mut self,
        id: TicketId,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, Change), QueueError> {
        let mut t = self.today_mut(id)?;
        if !t.state.is_queued() {
            return Err(QueueError::WrongState {
                ticket: t.label.clone(),
                state: t.state.label_id().to_string(),
            });
        }
        self.dequeue(&t);
        t.state = TicketState::Cancelled;
        t.record(now, "voided", None);
        self.touch(t.id);
        self.tickets.insert(t.id, t.clone());
        let change = Change::Voided {
            ticket: TicketSummary::from(&t),
        };
        Ok((t, change))
    }
}
