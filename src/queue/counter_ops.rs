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
    /// Back to the queue by the office's policy (`queue.requeue`): the counter's own ticket,
    /// or a ticket marked no-show whose citizen has come back.
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

    /// Whether the operation can succeed at a counter holding a ticket in `holding` (`None`:
    /// free). The counter screen enables its buttons by it; `counter_op` is what decides.
    /// Bringing back a no-show does not depend on the counter's own ticket.
    pub fn possible_at(&self, holding: Option<TicketState>) -> bool {
        use TicketState::{Called, Serving};
        match self {
            CounterOp::CallNext => holding.is_none(),
            CounterOp::Recall | CounterOp::Serve | CounterOp::NoShow => holding == Some(Called),
            CounterOp::Finish
            | CounterOp::Transfer { .. }
            | CounterOp::Requeue { ticket: None } => {
                matches!(holding, Some(Called | Serving))
            }
            CounterOp::Requeue { ticket: Some(_) } => true,
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
            CounterOp::Recall | CounterOp::Serve | CounterOp::Finish | CounterOp::NoShow => {
                self.at_counter_step(config, counter, now, op)
            }
            CounterOp::Transfer { service } => self.transfer(config, counter, service, now),
            CounterOp::Requeue { ticket: Some(id) } => {
                self.requeue_no_show(config, counter, *id, now)
            }
            CounterOp::Requeue { ticket: None } => self.at_counter_step(config, counter, now, op),
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
            match self.tickets.get(&key.id) {
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
        // Its place was for waiting; a later return gets a new one.
        t.place = None;
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
        config: &Config,
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
                self.return_to_queue(&mut t, config.requeue);
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
        config: &Config,
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
        self.return_to_queue(&mut t, config.requeue);
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

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::queue::PrintMode;

    /// The counter screen's buttons follow `possible_at`: it must say yes exactly when the
    /// operation succeeds, for a free counter and for each state a counter's ticket can be in.
    #[test]
    fn possible_at_agrees_with_what_the_operation_does() {
        let config = Config::embedded().expect("config");
        let now = Utc
            .with_ymd_and_hms(2026, 11, 30, 2, 0, 0)
            .single()
            .expect("valid");
        let ops = [
            CounterOp::CallNext,
            CounterOp::Recall,
            CounterOp::Serve,
            CounterOp::Finish,
            CounterOp::NoShow,
            CounterOp::Transfer {
                service: "B".to_string(),
            },
            CounterOp::Requeue { ticket: None },
        ];
        let setups: [&[CounterOp]; 3] = [
            &[],
            &[CounterOp::CallNext],
            &[CounterOp::CallNext, CounterOp::Serve],
        ];
        for setup in setups {
            for op in &ops {
                let day = crate::clock::local_date(now, config.office.time_zone);
                let mut s = QueueState::fresh(day);
                for _ in 0..2 {
                    s.issue(&config, "A", false, PrintMode::NoPrinter, now)
                        .expect("issue");
                }
                for step in setup {
                    s.counter_op(&config, 1, step, now).expect("setup");
                }
                let holding = s
                    .at_counter
                    .get(&1)
                    .and_then(|id| s.ticket(*id))
                    .map(|t| t.state);
                let done = s.counter_op(&config, 1, op, now);
                assert_eq!(
                    op.possible_at(holding),
                    done.is_ok(),
                    "{} at {holding:?}: {done:?}",
                    op.name()
                );
            }
        }
    }
}
