//! A complaint's flow as a timeline for its page: every step, its actor, its time standard,
//! when it started, was due and was done, the working time it took, and whether it was late —
//! the steps already taken (every round) and those still ahead. Pure: `now` and the office
//! calendar are passed in.

use chrono::{DateTime, Utc};

use super::flow::Step;
use super::state::{Outcome, Workflow};
use crate::calendar::Calendar;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timing {
    /// Still open, due later.
    Running {
        left_minutes: u64,
    },
    /// Still open and past due: the page flags it.
    Overdue {
        by_minutes: u64,
    },
    Done,
    DoneLate {
        by_minutes: u64,
    },
    /// Not reached yet.
    Planned,
    /// A ticket step of a complaint that came without a ticket.
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub step: u32,
    pub round: u32,
    pub action: String,
    /// Who does it, as staff read it (`Kepala Dinas`, `Pengadu`).
    pub actor: &'static str,
    /// As the source writes it: `1 hari kerja`.
    pub standard: String,
    pub started_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    /// Set when staff recorded an outside party's step for it.
    pub on_behalf_of: Option<&'static str>,
    pub outcome: Option<&'static str>,
    pub note: Option<String>,
    /// Working minutes from start to done (or to now while open).
    pub elapsed_minutes: Option<u64>,
    pub timing: Timing,
    /// The step waiting to be done now.
    pub current: bool,
}

fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Done => "Selesai",
        Outcome::Approved => "Disetujui",
        Outcome::Returned => "Dikembalikan untuk perbaikan",
        Outcome::FromTicket => "Dari riwayat nomor antrian",
        Outcome::NotApplicable => "Tidak berlaku (tanpa nomor antrian)",
    }
}

fn planned(step: &Step, round: u32) -> Row {
    Row {
        step: step.no,
        round,
        action: step.action.clone(),
        actor: step.actor.label_id(),
        standard: step.time.to_string(),
        started_at: None,
        due_at: None,
        done_at: None,
        done_by: None,
        on_behalf_of: None,
        outcome: None,
        note: None,
        elapsed_minutes: None,
        timing: Timing::Planned,
        current: false,
    }
}

/// Every step taken, in the order taken, then the steps still ahead on the flow's path.
pub fn timeline(state: &Workflow, now: DateTime<Utc>, calendar: &Calendar) -> Vec<Row> {
    let flow = state.flow();
    let current = state.current_record().map(|r| (r.step, r.round));
    let mut rows: Vec<Row> = state
        .records()
        .iter()
        .map(|r| {
            let step = flow.step(r.step);
            let end = r.done_at.unwrap_or(now);
            let not_applicable = r.outcome == Some(Outcome::NotApplicable);
            let timing = match (r.due_at, r.done_at) {
                _ if not_applicable => Timing::NotApplicable,
                (None, Some(_)) => Timing::Done,
                (None, None) => Timing::Running { left_minutes: 0 },
                (Some(due), Some(done)) if done > due => Timing::DoneLate {
                    by_minutes: calendar.working_minutes_between(due, done),
                },
                (Some(_), Some(_)) => Timing::Done,
                (Some(due), None) if now > due => Timing::Overdue {
                    by_minutes: calendar.working_minutes_between(due, now),
                },
                (Some(due), None) => Timing::Running {
                    left_minutes: calendar.working_minutes_between(now, due),
                },
            };
            Row {
                step: r.step,
                round: r.round,
                action: step.map_or_else(String::new, |s| s.action.clone()),
                actor: step.map_or("", |s| s.actor.label_id()),
                standard: step.map_or_else(String::new, |s| s.time.to_string()),
                started_at: Some(r.started_at),
                due_at: r.due_at,
                done_at: r.done_at,
                done_by: r.done_by.clone(),
                on_behalf_of: r.recorded_on_behalf_of.map(|p| p.label_id()),
                outcome: r.outcome.map(outcome_label),
                note: r.note.clone(),
                elapsed_minutes: (!not_applicable)
                    .then(|| calendar.working_minutes_between(r.started_at, end)),
                timing,
                current: current == Some((r.step, r.round)),
            }
        })
        .collect();
    // The path ahead: from the current step's next to the final one (a review step's path
    // ahead is its approval; a return would add a round when it happens).
    let mut next = state.current_step().and_then(|s| s.next);
    let mut guard = flow.steps.len();
    while let Some(no) = next {
        let Some(step) = flow.step(no) else { break };
        rows.push(planned(step, state.round()));
        next = step.next;
        guard = guard.saturating_sub(1);
        if guard == 0 {
            break;
        }
    }
    rows
}

/// Minutes as staff read a duration: `2 jam 15 menit`, `45 menit`.
pub fn minutes_label(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} menit"),
        (h, 0) => format!("{h} jam"),
        (h, m) => format!("{h} jam {m} menit"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::auth::Role;
    use crate::complaint::{
        Action, ActionKind, Actor, Level, Sop, TicketTimes, apply, start_from_ticket,
    };
    use crate::config::Config;

    /// Monday 30 November 2026, `h:m` WIB.
    fn wib(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Jakarta
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    fn wib_dec(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Jakarta
            .with_ymd_and_hms(2026, 12, d, h, m, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    fn actor(name: &str, role: Role) -> Actor {
        Actor {
            username: name.to_string(),
            roles: vec![role],
        }
    }

    #[test]
    fn taken_steps_then_the_path_ahead_with_lateness_in_working_time() {
        let config = Config::embedded().expect("config");
        let cal = &config.calendar;
        let sop = Sop::embedded().expect("flows");
        let flow = sop.flow_for(Level::Menengah);
        let ticket = TicketTimes {
            ticket_id: 7,
            label: "D-007".to_string(),
            issued_at: wib(30, 8, 0),
            called_at: Some(wib(30, 8, 20)),
            finished_at: Some(wib(30, 8, 40)),
        };
        let officer = actor("sari", Role::ComplaintOfficer);
        let (state, _) =
            start_from_ticket(flow, Level::Menengah, &ticket, &officer, wib(30, 9, 0), cal)
                .expect("opened");
        // Step 3 (1 hari kerja) done an hour after opening; step 4 (1 jam) then left open.
        let (state, _) = apply(
            &state,
            &Action {
                step: 3,
                version: state.version(),
                kind: ActionKind::Complete {
                    note: Some("dicatat di buku register".to_string()),
                    documents: Vec::new(),
                },
            },
            &officer,
            wib(30, 10, 0),
            cal,
        )
        .expect("step 3");
        // Monday 30 Nov, 15:30: step 4 started 10:00 and was due 11:00.
        let now = wib(30, 15, 30);
        let rows = timeline(&state, now, cal);
        let steps: Vec<(u32, bool)> = rows
            .iter()
            .map(|r| (r.step, r.started_at.is_some()))
            .collect();
        assert_eq!(
            steps,
            [
                (1, true),
                (2, true),
                (3, true),
                (4, true),
                (5, false),
                (6, false),
                (7, false),
                (8, false)
            ]
        );
        assert_eq!(
            rows[0].timing,
            Timing::DoneLate { by_minutes: 15 },
            "5 menit took 20"
        );
        assert_eq!(rows[0].outcome, Some("Dari riwayat nomor antrian"));
        assert_eq!(rows[2].timing, Timing::Done);
        // From the end of the customer-service talk (08.40) to 10.00.
        assert_eq!(rows[2].elapsed_minutes, Some(80));
        let four = &rows[3];
        assert!(four.current);
        assert_eq!(four.actor, "Kasubbag Umum dan Kepegawaian");
        assert_eq!(four.standard, "1 jam");
        assert_eq!(four.due_at, Some(wib(30, 11, 0)));
        // 11:00 → 15:30 less the 12:00–13:00 break: 3 h 30 of working time late.
        assert_eq!(four.timing, Timing::Overdue { by_minutes: 210 });
        assert_eq!(four.elapsed_minutes, Some(270));
        assert_eq!(rows[5].actor, "Kepala Dinas");
        assert_eq!(rows[5].timing, Timing::Planned);
        assert_eq!(minutes_label(210), "3 jam 30 menit");

        // A revised decree makes Monday 30 November a holiday after the fact: the open step
        // moves to the next working day; the done ones keep the due time they were judged by.
        let mut holidays = config.calendar.holidays().clone();
        holidays.add_closed_day(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            "Libur tambahan",
            "uji",
        );
        let revised = Calendar::new(
            cal.time_zone(),
            cal.week().clone(),
            cal.cuti_bersama_is_working_day(),
            holidays,
        )
        .expect("calendar");
        let moved = crate::complaint::recompute_due(&state, &revised).expect("moved");
        let four = moved.current_record().expect("open step");
        assert_eq!(
            four.due_at,
            Some(wib_dec(1, 8, 30)),
            "Tuesday 07.30 + 1 jam"
        );
        assert_eq!(moved.records()[2].due_at, state.records()[2].due_at);
        assert_eq!(
            crate::complaint::recompute_due(&moved, &revised),
            None,
            "once"
        );
        assert_eq!(minutes_label(45), "45 menit");
        assert_eq!(minutes_label(120), "2 jam");
    }
}
