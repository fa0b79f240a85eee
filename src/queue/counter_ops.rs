//! What staff do at a counter: call the next number, call it again, serve, finish, mark a
//! no-show, transfer to another service, or return a ticket to the queue.

use chrono::{DateTime, Utc};

use super::error::QueueError;
use super::state::{Change, QueueState, TicketSummary};
use super::ticket::{Ticket, TicketId, TicketState};
use crate::config::{Config, Counter};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CounterOp {
    CallNext,
    Recall,
    Serve,
    Finish,
    NoShow,
    Transfer {
        service: String,
    },
    /// Back to the queue at its place by issue time: the counter's own ticket, or a ticket
    /// marked no-show whose citizen has come back.
    Requeue {
        ticket: Option<TicketId>,
    },
}

impl CounterOp {
    pub fn name(&self) -> &'static str {
        match self {
            CounterOp::CallNext => "call-next",
            CounterOp::Recall => "recall",
            CounterOp::Serve => "serve",
            CounterOp::Finish => "finish",
            CounterOp::NoShow => "no-show",
            CounterOp::Transfer { .. } => "transfer",
            CounterOp::Requeue { .. } => "requeue",
        }
    }
}

impl QueueState {
    /// Applies one counter operation. `Ok((None, None))` means nothing changed (no one waiting).
    pub fn counter_op(
        &mut self,
        config: &Config,
        counter_id: u32,
        op: &CounterOp,
        now: DateTime<Utc>,
    ) -> Result<(Option<Ticket>, Option<Change>), QueueError> {
        let counter = config
            .counter(counter_id)
            .ok_or(QueueError::UnknownCounter(counter_id))?;
        match op {
            CounterOp::CallNext => self.call_next(counter, now),
            CounterOp::Recall => self.at_counter_step(counter, now, op),
            CounterOp::Serve => self.at_counter_step(counter, now, op),
            CounterOp::Finish => self.at_counter_step(counter, now, op),
            CounterOp::NoShow => self.at_counter_step(counter, now, op),
            CounterOp::Transfer { service } => self.transfer(config, counter, service, now),
            CounterOp::Requeue { ticket: Some(id) } => self.requeue_no_show(counter, *id, now),
            CounterOp::Requeue { ticket: None } => self.at_counter_step(counter, now, op),
        }
    }

    fn current(&self, counter: &Counter) -> Option<&Ticket> {
        self.at_counter
            .get(&counter.id)
            .and_then(|id| self.tickets.get(id))
    }

    fn call_next(
        &mut self,
        counter: &Counter,
        now: DateTime<Utc>,
    ) -> Result<(Option<Ticket>, Option<Change>), QueueError> {
        if let Some(t) = self.current(counter) {
            return Err(QueueError::CounterBusy {
                counter: counter.name.clone(),
                ticket: t.label.clone(),
            });
        }
        let mut t = loop {
            // Across the counter's services: priority first, then the earliest issued.
            let next = counter
                .services
                .iter()
                .filter_map(|s| {
                    self.waiting
                        .get(s)
                        .and_then(|set| set.first())
                        .map(|k| (*k, s))
                })
                .min();
            let Some((key, service)) = next else {
                return Ok((None, None));
            };
            match self.tickets.get(&key.1) {
                Some(t) if t.state.is_queued() && t.print.callable() => break t.clone(),
                // An index entry without a callable ticket must not block the queue all day.
                _ => {
                    let service = service.clone();
                    if let Some(set) = self.waiting.get_mut(&service) {
                        set.remove(&key);
                    }
                }
            }
        };
        self.dequeue(&t);
        t.state = TicketState::Called;
        t.counter = Some(counter.id);
        t.called_at = Some(now);
        t.serving_at = None;
        t.calls = 1;
        t.call_order = self.next_call_order();
        t.record(now, "called", Some(counter.id));
        Ok(self.put_back(t, |t| Change::Called {
            counter: counter.id,
            ticket: TicketSummary::from(t),
        }))
    }

    /// Operations on the ticket the counter holds now.
    fn at_counter_step(
        &mut self,
        counter: &Counter,
        now: DateTime<Utc>,
        op: &CounterOp,
    ) -> Result<(Option<Ticket>, Option<Change>), QueueError> {
        let Some(mut t) = self.current(counter).cloned() else {
            return Err(QueueError::CounterIdle(counter.name.clone()));
        };
        let wrong = |t: &Ticket| QueueError::WrongState {
            ticket: t.label.clone(),
            state: t.state.label_id().to_string(),
        };
        let c = counter.id;
        let change: fn(u32, TicketSummary) -> Change = match op {
            CounterOp::Recall => {
                if t.state != TicketState::Called {
                    return Err(wrong(&t));
                }
                t.calls += 1;
                t.call_order = self.next_call_order();
                t.record(now, "recalled", Some(c));
                |counter, ticket| Change::Recalled { counter, ticket }
            }
            CounterOp::Serve => {
                if t.state != TicketState::Called {
                    return Err(wrong(&t));
                }
                t.state = TicketState::Serving;
                t.serving_at = Some(now);
                t.record(now, "serving", Some(c));
                |counter, ticket| Change::Serving { counter, ticket }
            }
            CounterOp::Finish => {
                t.state = TicketState::Done;
                t.finished_at = Some(now);
                t.record(now, "finished", Some(c));
                self.at_counter.remove(&c);
                self.count_service_time(&t);
                |counter, ticket| Change::Finished { counter, ticket }
            }
            CounterOp::NoShow => {
                if t.state != TicketState::Called {
                    return Err(wrong(&t));
                }
                t.state = TicketState::NoShow;
                t.finished_at = Some(now);
                t.record(now, "no_show", Some(c));
                self.at_counter.remove(&c);
                |counter, ticket| Change::NoShow { counter, ticket }
            }
            CounterOp::Requeue { .. } => {
                t.state = TicketState::Waiting;
                t.counter = None;
                t.called_at = None;
                t.serving_at = None;
                t.record(now, "requeued", Some(c));
                self.at_counter.remove(&c);
                self.enqueue(&t);
                |counter, ticket| Change::Requeued {
                    counter: Some(counter),
                    ticket,
                }
            }
            CounterOp::CallNext | CounterOp::Transfer { .. } => return Err(wrong(&t)),
        };
        Ok(self.put_back(t, |t| change(c, TicketSummary::from(t))))
    }

    fn transfer(
        &mut self,
        config: &Config,
        counter: &Counter,
        to: &str,
        now: DateTime<Utc>,
    ) -> Result<(Option<Ticket>, Option<Change>), QueueError> {
        let target = config
            .service(to)
            .ok_or_else(|| QueueError::UnknownService(to.to_string()))?;
        let Some(mut t) = self.current(counter).cloned() else {
            return Err(QueueError::CounterIdle(counter.name.clone()));
        };
        if t.service == target.code {
            return Err(QueueError::SameService {
                ticket: t.label.clone(),
                service: target.name.clone(),
            });
        }
        let from = std::mem::replace(&mut t.service, target.code.clone());
        t.state = TicketState::Transferred;
        t.counter = None;
        t.called_at = None;
        t.serving_at = None;
        t.record(now, "transferred", Some(counter.id));
        self.at_counter.remove(&counter.id);
        // Same number, same issue order: it takes its place in the new queue by issue time.
        self.enqueue(&t);
        Ok(self.put_back(t, |t| Change::Transferred {
            counter: counter.id,
            from,
            ticket: TicketSummary::from(t),
        }))
    }

    fn requeue_no_show(
        &mut self,
        counter: &Counter,
        id: TicketId,
        now: DateTime<Utc>,
    ) -> Result<(Option<Ticket>, Option<Change>), QueueError> {
        let Some(mut t) = self.tickets.get(&id).cloned() else {
            return Err(QueueError::UnknownTicket(id));
        };
        if t.state != TicketState::NoShow {
            return Err(QueueError::WrongState {
                ticket: t.label.clone(),
                state: t.state.label_id().to_string(),
            });
        }
        t.state = TicketState::Waiting;
        t.counter = None;
        t.called_at = None;
        t.finished_at = None;
        t.record(now, "requeued", Some(counter.id));
        self.enqueue(&t);
        Ok(self.put_back(t, |t| Change::Requeued {
            counter: Some(counter.id),
            ticket: TicketSummary::from(t),
        }))
    }

    /// Stores the changed ticket, keeps the counter index in step, marks it for writing.
    fn put_back(
        &mut self,
        t: Ticket,
        change: impl FnOnce(&Ticket) -> Change,
    ) -> (Option<Ticket>, Option<Change>) {
        if t.state.at_counter()
            && let Some(c) = t.counter
        {
            self.at_counter.insert(c, t.id);
        }
        let change = change(&t);
        self.touch(t.id);
        self.tickets.insert(t.id, t.clone());
        (Some(t), Some(change))
    }
}
