//! Putting a ticket back in its service's queue (a no-show whose citizen came back, or the
//! counter's own ticket) by the office's policy: at its place by issue time, or behind the
//! next N people waiting. The place is stored with the ticket, so it survives a restart, and
//! depends only on the queue as it is: the same queue and policy give the same place.

use std::ops::Bound;

use super::state::QueueState;
use super::ticket::{QueueKey, QueuePlace, Ticket};
use crate::config::RequeuePolicy;

impl QueueState {
    /// Sets `t`'s place by `policy` and queues it. `t` must not be in the queue now.
    pub(super) fn return_to_queue(&mut self, t: &mut Ticket, policy: RequeuePolicy) {
        t.place = match policy {
            RequeuePolicy::IssueTime => None,
            RequeuePolicy::AfterWaiting(n) => Some(self.place_behind(t, n as usize)),
        };
        self.enqueue(t);
    }

    /// The place right behind the first `n` tickets waiting in `t`'s service, or last of its
    /// class when fewer wait. Priority still goes first: an ordinary ticket never goes ahead
    /// of a priority one, and a priority ticket is never put behind an ordinary one.
    fn place_behind(&self, t: &Ticket, n: usize) -> QueuePlace {
        let class = t.class();
        let empty = Default::default();
        let set = self.waiting.get(&t.service).unwrap_or(&empty);
        // The last of its class among the first n; the front of its class when none is.
        let mut anchor = set
            .iter()
            .take(n)
            .rfind(|k| k.class == class)
            .copied()
            .unwrap_or(QueueKey::front(class));
        loop {
            let next = set
                .range((Bound::Excluded(anchor), Bound::Unbounded))
                .next()
                .filter(|k| k.class == class);
            // Between the anchor and the next key of the same base, or anywhere after the
            // anchor's base when the next ticket has another base (or there is none).
            let upper = match next {
                Some(k) if k.base == anchor.base => k.seq,
                _ => u64::MAX,
            };
            let gap = upper.saturating_sub(anchor.seq);
            if gap >= 2 {
                return QueuePlace {
                    after: anchor.base,
                    seq: anchor.seq + gap / 2,
                };
            }
            // No room (some 60 tickets put back at the very same spot): one place further
            // back, still deterministic.
            match next {
                Some(k) => anchor = *k,
                // The end of its class, with no room either: the same key as the last, the
                // ticket id breaking the tie.
                None => {
                    return QueuePlace {
                        after: anchor.base,
                        seq: anchor.seq,
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, TimeZone, Utc};

    use crate::config::{Config, RequeuePolicy};
    use crate::queue::{CounterOp, PrintMode, QueueState, TicketState};

    /// Monday 30 November 2026, 09:00 WIB, plus `m` minutes.
    fn at(m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0)
            .single()
            .expect("valid")
            + Duration::minutes(m)
    }

    fn setup(policy: RequeuePolicy) -> (Config, QueueState) {
        let mut c = Config::embedded().expect("config");
        c.requeue = policy;
        let day = crate::clock::local_date(at(0), c.office.time_zone);
        (c, QueueState::fresh(day))
    }

    fn issue(c: &Config, s: &mut QueueState, service: &str, priority: bool, m: i64) -> u64 {
        let (i, _) = s
            .issue(c, service, priority, PrintMode::NoPrinter, at(m))
            .expect("issue");
        i.ticket.id
    }

    /// Calls the next ticket at counter 1 (service A) and marks it a no-show.
    fn no_show(c: &Config, s: &mut QueueState, m: i64) -> u64 {
        let (t, _) = s
            .counter_op(c, 1, &CounterOp::CallNext, at(m))
            .expect("call");
        let id = t.expect("someone waits").id;
        s.counter_op(c, 1, &CounterOp::NoShow, at(m + 1))
            .expect("no-show");
        id
    }

    fn bring_back(c: &Config, s: &mut QueueState, id: u64, m: i64) {
        let (t, _) = s
            .counter_op(c, 1, &CounterOp::Requeue { ticket: Some(id) }, at(m))
            .expect("requeue");
        assert_eq!(t.map(|t| t.state), Some(TicketState::Waiting));
    }

    /// The numbers in the order counter 1 would call them.
    fn order(s: &QueueState) -> Vec<String> {
        s.waiting
            .get("A")
            .map(|set| {
                set.iter()
                    .filter_map(|k| s.ticket(k.id))
                    .map(|t| t.label.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn by_issue_time_a_no_show_goes_back_ahead_of_everyone_issued_after_it() {
        let (c, mut s) = setup(RequeuePolicy::IssueTime);
        for m in 0..5 {
            issue(&c, &mut s, "A", false, m);
        }
        let first = no_show(&c, &mut s, 10);
        bring_back(&c, &mut s, first, 30);
        assert_eq!(order(&s), ["A-001", "A-002", "A-003", "A-004", "A-005"]);
        assert_eq!(s.ticket(first).and_then(|t| t.place), None);
    }

    #[test]
    fn after_waiting_a_no_show_goes_behind_the_next_n_even_after_a_restart() {
        let (c, mut s) = setup(RequeuePolicy::AfterWaiting(3));
        for m in 0..6 {
            issue(&c, &mut s, "A", false, m);
        }
        let first = no_show(&c, &mut s, 10);
        let second = no_show(&c, &mut s, 12);
        bring_back(&c, &mut s, first, 30);
        assert_eq!(order(&s), ["A-003", "A-004", "A-005", "A-001", "A-006"]);
        let t = s.ticket(first).cloned().expect("ticket");
        assert_eq!(s.people_ahead(&t), 3);
        // The second, put back later behind the same three, goes right behind them: the gap
        // behind A-005 is halved, nobody else's record changes.
        bring_back(&c, &mut s, second, 31);
        assert_eq!(
            order(&s),
            ["A-003", "A-004", "A-005", "A-002", "A-001", "A-006"]
        );

        // The stored records give the same queue.
        let tickets = s.take_dirty().tickets;
        let restored = QueueState::restore(s.meta(), tickets);
        assert_eq!(order(&restored), order(&s));

        // Calling takes that order; a called ticket leaves its place behind.
        let mut called = Vec::new();
        while let Ok((Some(t), _)) = s.counter_op(&c, 1, &CounterOp::CallNext, at(40)) {
            assert_eq!(t.place, None);
            called.push(t.label);
            s.counter_op(&c, 1, &CounterOp::Finish, at(41))
                .expect("finish");
        }
        assert_eq!(
            called,
            ["A-003", "A-004", "A-005", "A-002", "A-001", "A-006"]
        );
    }

    #[test]
    fn after_waiting_with_fewer_waiting_goes_last_and_counts_returned_tickets_as_waiting() {
        let (c, mut s) = setup(RequeuePolicy::AfterWaiting(2));
        for m in 0..3 {
            issue(&c, &mut s, "A", false, m);
        }
        let first = no_show(&c, &mut s, 10);
        bring_back(&c, &mut s, first, 11);
        assert_eq!(order(&s), ["A-002", "A-003", "A-001"], "two wait: last");
        // Two wait (A-003, then A-001, itself put back): last again.
        let second = no_show(&c, &mut s, 12);
        bring_back(&c, &mut s, second, 13);
        assert_eq!(order(&s), ["A-003", "A-001", "A-002"]);
        // Behind, both put back: ahead of A-004, issued later.
        issue(&c, &mut s, "A", false, 14);
        let third = no_show(&c, &mut s, 15);
        bring_back(&c, &mut s, third, 16);
        assert_eq!(order(&s), ["A-001", "A-002", "A-003", "A-004"]);
    }

    #[test]
    fn after_waiting_keeps_priority_first() {
        // A priority ticket goes back behind priority tickets only.
        let (c, mut s) = setup(RequeuePolicy::AfterWaiting(3));
        let p = issue(&c, &mut s, "A", true, 0); // A-001, priority
        for m in 1..4 {
            issue(&c, &mut s, "A", false, m); // A-002..A-004
        }
        issue(&c, &mut s, "A", true, 5); // A-005, priority
        assert_eq!(no_show(&c, &mut s, 10), p);
        bring_back(&c, &mut s, p, 11);
        assert_eq!(order(&s), ["A-005", "A-001", "A-002", "A-003", "A-004"]);

        // An ordinary ticket put back behind one person, when that person has priority, goes
        // to the front of the ordinary tickets, never ahead of the priority ones.
        let (c, mut s) = setup(RequeuePolicy::AfterWaiting(1));
        let first = issue(&c, &mut s, "A", false, 0);
        issue(&c, &mut s, "A", false, 1);
        assert_eq!(no_show(&c, &mut s, 2), first);
        issue(&c, &mut s, "A", true, 3);
        issue(&c, &mut s, "A", true, 4);
        bring_back(&c, &mut s, first, 5);
        assert_eq!(order(&s), ["A-003", "A-004", "A-001", "A-002"]);
    }

    #[test]
    fn the_counter_s_own_ticket_put_back_follows_the_policy_too() {
        let (c, mut s) = setup(RequeuePolicy::AfterWaiting(1));
        for m in 0..3 {
            issue(&c, &mut s, "A", false, m);
        }
        s.counter_op(&c, 1, &CounterOp::CallNext, at(5))
            .expect("call");
        s.counter_op(&c, 1, &CounterOp::Serve, at(6))
            .expect("serve");
        s.counter_op(&c, 1, &CounterOp::Requeue { ticket: None }, at(7))
            .expect("requeue");
        assert_eq!(order(&s), ["A-002", "A-001", "A-003"]);
    }

    #[test]
    fn a_record_written_before_places_existed_reads_in_issue_order() {
        let (c, mut s) = setup(RequeuePolicy::IssueTime);
        let id = issue(&c, &mut s, "A", false, 0);
        let mut json = serde_json::to_value(s.ticket(id).expect("ticket")).expect("json");
        assert!(json.get("place").is_none(), "not written when unset");
        json.as_object_mut().map(|o| o.remove("place"));
        let t: crate::queue::Ticket = serde_json::from_value(json).expect("old record");
        assert_eq!(t.place, None);
    }
}
