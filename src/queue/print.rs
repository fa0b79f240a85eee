//! Paper outcomes and the staff's remedies: a print succeeded or failed, a held ticket is
//! reprinted, or voided.

use chrono::{DateTime, Utc};

use super::error::QueueError;
use super::state::{Change, QueueState, TicketSummary};
use super::ticket::{PrintState, Ticket, TicketId, TicketState};

impl QueueState {
    fn today_copy(&self, id: TicketId) -> Result<Ticket, QueueError> {
        self.tickets
            .get(&id)
            .cloned()
            .ok_or(QueueError::UnknownTicket(id))
    }

    /// A ticket of today still in a queue (waiting or transferred): what staff reprint or void.
    fn queued_today(&self, id: TicketId) -> Result<Ticket, QueueError> {
        let t = self.today_copy(id)?;
        if !t.state.is_queued() {
            return Err(QueueError::WrongState {
                ticket: t.label.clone(),
                state: t.state.label_id().to_string(),
            });
        }
        Ok(t)
    }

    /// The printer's answer for a ticket. A success lets a held ticket join its queue; a
    /// failure holds it (or, shown on screen, leaves it queued).
    pub fn print_done(
        &mut self,
        id: TicketId,
        ok: bool,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, Option<Change>), QueueError> {
        let mut t = self.today_copy(id)?;
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
        // Only a ticket still waiting goes (back) into its queue: one already called, or
        // voided while it printed, stays where it is.
        if t.state.is_queued() {
            self.enqueue(&t);
        }
        self.touch(t.id);
        self.tickets.insert(t.id, t.clone());
        Ok((t, change))
    }

    /// The printer refused the job before a byte was sent (it went not-ready between the
    /// kiosk's check and the job): nobody holds the ticket and staff need not act, so it is
    /// voided at once. The number is skipped, never called.
    pub fn print_not_sent(
        &mut self,
        id: TicketId,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, Option<Change>), QueueError> {
        let t = self.today_copy(id)?;
        if t.print != PrintState::Pending || !t.state.is_queued() {
            // Shown on screen or already handled: an unsent print changes nothing.
            return self.print_done(id, false, now);
        }
        let (mut t, change) = self.void(id, now)?;
        t.record(now, "not_printed", None);
        self.tickets.insert(t.id, t.clone());
        Ok((t, Some(change)))
    }

    /// Staff reprint a queued ticket: a held one goes back to pending (still out of the
    /// queue until this print succeeds); one the citizen already holds just prints again.
    pub fn reprint(
        &mut self,
        id: TicketId,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, Change), QueueError> {
        let mut t = self.queued_today(id)?;
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
        let mut t = self.queued_today(id)?;
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

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::config::Config;
    use crate::queue::{CounterOp, PrintMode};

    fn nine() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0)
            .single()
            .expect("t")
    }

    fn state() -> (Config, QueueState) {
        let c = Config::embedded().expect("config");
        let day = crate::clock::local_date(nine(), c.office.time_zone);
        (c, QueueState::fresh(day))
    }

    #[test]
    fn a_ticket_called_while_its_paper_prints_is_not_queued_again() {
        let (c, mut s) = state();
        let (i, _) = s
            .issue(&c, "A", false, PrintMode::ShowOnScreen, nine())
            .expect("issue");
        let (called, _) = s
            .counter_op(&c, 1, &CounterOp::CallNext, nine())
            .expect("call");
        assert_eq!(called.map(|t| t.id), Some(i.ticket.id));
        s.print_done(i.ticket.id, true, nine()).expect("done");
        assert_eq!(s.waiting_count("A"), 0);
        s.counter_op(&c, 1, &CounterOp::Finish, nine())
            .expect("finish");
        let (next, _) = s
            .counter_op(&c, 1, &CounterOp::CallNext, nine())
            .expect("call");
        assert!(next.is_none(), "called once only");
    }

    #[test]
    fn held_tickets_stay_out_of_the_queue_until_printed_even_after_a_restart() {
        let (c, mut s) = state();
        let (i, _) = s
            .issue(&c, "A", false, PrintMode::HoldUntilPrinted, nine())
            .expect("issue");
        assert_eq!(s.waiting_count("A"), 0, "pending: not callable");
        // The daemon stops before the printer answers: the ticket comes back held.
        let tickets = s.take_dirty().tickets;
        let mut s = QueueState::restore(s.meta(), tickets);
        assert_eq!(s.waiting_count("A"), 0);
        assert_eq!(s.view(&c, nine()).unprinted.len(), 1);
        s.print_done(i.ticket.id, true, nine()).expect("done");
        assert_eq!(s.waiting_count("A"), 1);
    }

    #[test]
    fn a_first_print_never_sent_is_voided_and_a_voided_ticket_is_never_queued() {
        let (c, mut s) = state();
        let (i, _) = s
            .issue(&c, "B", false, PrintMode::HoldUntilPrinted, nine())
            .expect("issue");
        let (t, change) = s.print_not_sent(i.ticket.id, nine()).expect("not sent");
        assert_eq!(t.state, TicketState::Cancelled);
        assert!(matches!(change, Some(Change::Voided { .. })));
        s.print_done(i.ticket.id, true, nine())
            .expect("late answer");
        assert_eq!(s.waiting_count("B"), 0);
        // Shown on screen: an unsent print changes nothing, the number stays queued.
        let (i, _) = s
            .issue(&c, "B", false, PrintMode::ShowOnScreen, nine())
            .expect("issue");
        let (t, _) = s.print_not_sent(i.ticket.id, nine()).expect("not sent");
        assert_eq!(t.state, TicketState::Waiting);
        assert_eq!(s.waiting_count("B"), 1);
    }
}
