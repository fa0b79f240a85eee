//! The workflow walked end to end through each of the source's four flows, with actors of
//! the right roles (and every other role refused at every step), due times checked against
//! the source's standards, and the refusals that must change nothing.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::auth::{ALL_ROLES, Role};
use crate::calendar::TimeStandard;

/// Plain elapsed time; a working day is 24 hours.
struct Elapsed;

impl Deadlines for Elapsed {
    fn due(&self, start: DateTime<Utc>, standard: TimeStandard) -> DateTime<Utc> {
        start
            + match standard {
                TimeStandard::Minutes(n) => Duration::minutes(i64::from(n)),
                TimeStandard::Hours(n) => Duration::hours(i64::from(n)),
                TimeStandard::WorkingDays(n) => Duration::hours(24 * i64::from(n)),
            }
    }

    fn working_minutes(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
        u64::try_from((to - from).num_minutes()).unwrap_or(0)
    }
}

/// Working minutes only, as if the office never closed between its 8-hour days: a working
/// day is 480 minutes. Shows the engine takes due times from the `Deadlines` it is given.
struct EightHourDays;

impl Deadlines for EightHourDays {
    fn due(&self, start: DateTime<Utc>, standard: TimeStandard) -> DateTime<Utc> {
        start
            + Duration::minutes(match standard {
                TimeStandard::Minutes(n) => i64::from(n),
                TimeStandard::Hours(n) => 60 * i64::from(n),
                TimeStandard::WorkingDays(n) => 480 * i64::from(n),
            })
    }

    fn working_minutes(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
        u64::try_from((to - from).num_minutes()).unwrap_or(0)
    }
}

/// Monday 2 March 2026, 08:00 WIB.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .expect("t0")
}

fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

fn user(name: &str, role: Role) -> Actor {
    Actor {
        username: name.to_string(),
        roles: vec![role],
    }
}

fn officer() -> Actor {
    user("sari", Role::ComplaintOfficer)
}
fn kasubbag() -> Actor {
    user("budi", Role::KasubbagUmum)
}
fn kadis() -> Actor {
    user("hartono", Role::KepalaDinas)
}
fn sekretaris() -> Actor {
    user("wulan", Role::Sekretaris)
}
fn kasi() -> Actor {
    user("dewi", Role::Kasi)
}

fn sop() -> Sop {
    Sop::embedded().expect("embedded flows")
}

/// The time standard of each step, transcribed from the source (not read from the files).
fn standard(flow: &str, step: u32) -> Duration {
    let minutes = match (flow, step) {
        (_, 1) => 5,
        (_, 2) => 15,
        (_, 3) | (_, 6) => 24 * 60,
        ("pengaduan", 4) => 15,
        (_, 4) => 60,
        (_, 5) => 180,
        (_, 7) | (_, 8) | ("skala_besar", 9) => 15,
        other => panic!("no step {other:?} in the source"),
    };
    Duration::minutes(minutes)
}

fn ticket() -> TicketTimes {
    TicketTimes {
        ticket_id: 41,
        label: "D-004".to_string(),
        issued_at: at(0),
        called_at: Some(at(12)),
        finished_at: Some(at(30)),
    }
}

fn complete() -> ActionKind {
    ActionKind::Complete {
        note: None,
        documents: Vec::new(),
    }
}

fn on_behalf(happened_at: Option<DateTime<Utc>>) -> ActionKind {
    ActionKind::RecordOnBehalf {
        note: None,
        documents: vec!["Surat Balasan Pengaduan".to_string()],
        happened_at,
    }
}

fn draft(text: &str) -> ActionKind {
    ActionKind::SaveDraft {
        text: text.to_string(),
    }
}

/// Applies `kind` at the current step as `actor` after checking that every account holding
/// only some other role is refused with `forbidden`, the state untouched.
fn act(
    state: &Workflow,
    kind: ActionKind,
    actor: &Actor,
    now: DateTime<Utc>,
) -> (Workflow, Recorded) {
    let step = state.current_step().expect("an open step").clone();
    let action = Action {
        step: step.no,
        version: state.version(),
        kind,
    };
    let allowed = step.allowed_roles();
    for role in ALL_ROLES.into_iter().filter(|r| !allowed.contains(r)) {
        let other = user("lain", role);
        // `apply` only borrows the state; that a refusal writes nothing is the store's
        // test (tests/complaints_store.rs).
        let e = apply(state, &action, &other, now, &Elapsed).expect_err("must be refused");
        assert_eq!(e.code(), "forbidden", "{role} at step {}: {e}", step.no);
    }
    let (next, recorded) = apply(state, &action, actor, now, &Elapsed)
        .unwrap_or_else(|e| panic!("step {} by {}: {e}", step.no, actor.username));
    assert_eq!(next.version(), state.version() + 1);
    assert_eq!(recorded.version, next.version());
    (next, recorded)
}

fn walked(state: &Workflow) -> Vec<(u32, u32)> {
    state.records().iter().map(|r| (r.step, r.round)).collect()
}

/// Every record with a due time got exactly its step's standard from its start.
fn assert_due_times(state: &Workflow) {
    let flow = &state.flow().id;
    for r in state.records() {
        let Some(due) = r.due_at else { continue };
        assert_eq!(
            due - r.started_at,
            standard(flow, r.step),
            "{flow} step {} round {}",
            r.step,
            r.round
        );
    }
}

#[test]
fn small_flow_walked_with_one_return_for_revision() {
    let sop = sop();
    let flow = sop.flow_for(Level::Kecil);
    assert_eq!(flow.id, "skala_kecil");
    let (s, opened) =
        start_from_ticket(flow, Level::Kecil, &ticket(), &officer(), at(35), &Elapsed)
            .expect("opened");
    assert_eq!(opened.change.name(), "complaint_opened");
    assert_eq!(s.version(), 1);
    // Steps 1 and 2 from the ticket: issued → called → finished; step 3 starts when the
    // customer-service talk ended, not when the officer got round to opening it.
    let r = s.records();
    assert_eq!((r[0].started_at, r[0].done_at), (at(0), Some(at(12))));
    assert_eq!(r[0].outcome, Some(Outcome::FromTicket));
    assert_eq!(r[0].recorded_on_behalf_of, Some(OutsideParty::Pengadu));
    assert_eq!((r[1].started_at, r[1].done_at), (at(12), Some(at(30))));
    assert_eq!(r[1].recorded_on_behalf_of, None);
    assert_eq!(
        (r[2].step, r[2].started_at, r[2].done_at),
        (3, at(30), None)
    );
    // The wait (12 min against 5) and the talk (18 against 15) were over the standard.
    let late: Vec<(u32, i64, bool)> = overdue_steps(&s, at(35), &Elapsed)
        .iter()
        .map(|o| (o.step, o.late_minutes, o.open))
        .collect();
    assert_eq!(late, [(1, 7, false), (2, 3, false)]);
    assert!(!is_overdue(&s, at(35)));

    let (s, _) = act(
        &s,
        ActionKind::Complete {
            note: Some("Pengaduan KTP-el belum terbit.".to_string()),
            documents: vec![
                "laporan/Surat Pengaduan".to_string(),
                "Angket Pengaduan".to_string(),
            ],
        },
        &officer(),
        at(60),
    );
    let (s, _) = act(&s, complete(), &kasubbag(), at(90));
    // Step 5 cannot be completed before a draft is saved.
    let no_draft = apply(
        &s,
        &Action {
            step: 5,
            version: s.version(),
            kind: complete(),
        },
        &officer(),
        at(95),
        &Elapsed,
    )
    .expect_err("no draft yet");
    assert_eq!(no_draft.code(), "invalid");
    let (s, saved) = act(&s, draft("Yth. Bapak/Ibu, versi 1"), &officer(), at(100));
    assert_eq!(saved.change.name(), "complaint_draft_saved");
    assert_eq!(s.current_step().map(|st| st.no), Some(5));
    let (s, _) = act(&s, complete(), &officer(), at(120));

    // Step 6: the Kepala Dinas returns it to the Kasubbag (step 4): a new round.
    let returned_without_note = apply(
        &s,
        &Action {
            step: 6,
            version: s.version(),
            kind: ActionKind::ReturnForRevision {
                note: "  ".to_string(),
            },
        },
        &kadis(),
        at(200),
        &Elapsed,
    )
    .expect_err("a return says what to fix");
    assert_eq!(returned_without_note.code(), "invalid");
    let (s, returned) = act(
        &s,
        ActionKind::ReturnForRevision {
            note: "Lengkapi dasar hukum.".to_string(),
        },
        &kadis(),
        at(200),
    );
    assert_eq!(
        returned.change,
        Change::Returned {
            step: 6,
            round: 1,
            to: 4
        }
    );
    assert_eq!(s.round(), 2);
    let reentered = s.current_record().expect("step 4 again");
    assert_eq!(
        (reentered.step, reentered.round, reentered.started_at),
        (4, 2, at(200))
    );
    assert_eq!(reentered.due_at, Some(at(260)));
    assert_eq!(
        returned.records.len(),
        2,
        "the returned step and the re-entered one"
    );

    let (s, _) = act(&s, complete(), &kasubbag(), at(210));
    let (s, _) = act(&s, draft("Yth. Bapak/Ibu, versi 2"), &officer(), at(220));
    let (s, _) = act(&s, complete(), &officer(), at(230));
    let (s, approved) = act(&s, ActionKind::Approve { note: None }, &kadis(), at(300));
    assert_eq!(approved.change.name(), "complaint_reply_approved");
    let (s, _) = act(&s, complete(), &officer(), at(310));
    // Step 8: the complainant received the letter at +315; the officer records it at +320.
    let (s, last) = act(&s, on_behalf(Some(at(315))), &officer(), at(320));
    assert!(last.closed && s.is_closed());

    assert_eq!(
        walked(&s),
        [
            (1, 1),
            (2, 1),
            (3, 1),
            (4, 1),
            (5, 1),
            (6, 1),
            (4, 2),
            (5, 2),
            (6, 2),
            (7, 2),
            (8, 2)
        ]
    );
    assert_due_times(&s);
    let eight = s.records().last().expect("step 8");
    assert_eq!(eight.done_at, Some(at(315)));
    assert_eq!(eight.recorded_at, Some(at(320)));
    assert_eq!(eight.done_by.as_deref(), Some("sari"));
    assert_eq!(eight.recorded_on_behalf_of, Some(OutsideParty::Pengadu));
    let outcomes: Vec<Option<Outcome>> = s.records().iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes[5], Some(Outcome::Returned));
    assert_eq!(outcomes[8], Some(Outcome::Approved));
    assert_eq!(
        s.records()[5].note.as_deref(),
        Some("Lengkapi dasar hukum.")
    );

    // One draft per round, each with the reviewer's verdict beside it.
    let drafts: Vec<(u32, &str, bool, Option<&str>)> = s
        .drafts()
        .iter()
        .map(|d| {
            let review = d.review.as_ref().expect("reviewed");
            (
                d.round,
                d.text.as_str(),
                review.approved,
                review.note.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        drafts,
        [
            (
                1,
                "Yth. Bapak/Ibu, versi 1",
                false,
                Some("Lengkapi dasar hukum.")
            ),
            (2, "Yth. Bapak/Ibu, versi 2", true, None),
        ]
    );
    assert_eq!(s.records()[4].draft, Some(1));
    assert_eq!(s.records()[8].draft, Some(2));

    // Closed: nothing more, whatever the step or version.
    let e = apply(
        &s,
        &Action {
            step: 8,
            version: s.version(),
            kind: on_behalf(None),
        },
        &officer(),
        at(400),
        &Elapsed,
    )
    .expect_err("closed");
    assert_eq!((e.code(), e), ("out_of_order", ComplaintError::Closed));
    assert!(
        overdue_steps(&s, at(10_000), &Elapsed)
            .iter()
            .all(|o| !o.open)
    );
}

#[test]
fn medium_flow_by_letter_has_no_ticket_steps_and_uses_the_given_deadlines() {
    let sop = sop();
    let flow = sop.flow_for(Level::Menengah);
    let (s, opened) = start_without_ticket(
        flow,
        Level::Menengah,
        Channel::Letter,
        &officer(),
        at(0),
        &EightHourDays,
    )
    .expect("opened");
    assert_eq!(
        opened.change,
        Change::Opened {
            flow: "skala_menengah".to_string(),
            flow_version: flow.version.clone(),
            level: Level::Menengah,
            intake: Intake::Channel {
                channel: Channel::Letter
            },
        }
    );
    for r in &s.records()[..2] {
        assert_eq!(r.outcome, Some(Outcome::NotApplicable), "step {}", r.step);
        assert_eq!(r.due_at, None);
        assert!(r.note.as_deref().is_some_and(|n| n.contains("surat")));
    }
    // A working day here is 480 minutes: the engine took it from the Deadlines given.
    assert_eq!(s.current_record().and_then(|r| r.due_at), Some(at(480)));
    assert!(is_overdue(&s, at(481)));
    assert!(!is_overdue(&s, at(480)));
    assert_eq!(overdue_steps(&s, at(481), &EightHourDays).len(), 1);

    let step = |s: &Workflow, kind: ActionKind, actor: &Actor, now| {
        let action = Action {
            step: s.current_step().map(|st| st.no).expect("open"),
            version: s.version(),
            kind,
        };
        apply(s, &action, actor, now, &EightHourDays).expect("applies")
    };
    let (s, _) = step(&s, complete(), &officer(), at(10));
    let (s, _) = step(&s, complete(), &kasubbag(), at(20));
    let (s, _) = step(&s, draft("Balasan"), &officer(), at(30));
    let (s, _) = step(&s, complete(), &officer(), at(40));
    assert_eq!(s.current_record().and_then(|r| r.due_at), Some(at(520)));
    let (s, _) = step(&s, ActionKind::Approve { note: None }, &kadis(), at(50));
    let (s, _) = step(&s, complete(), &officer(), at(60));
    let (s, _) = step(&s, on_behalf(None), &officer(), at(70));
    assert!(s.is_closed());
    let steps: Vec<u32> = s.records().iter().map(|r| r.step).collect();
    assert_eq!(steps, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(s.version(), 8);
}

#[test]
fn large_flow_goes_from_7_to_9_through_the_walikota_sekda_recorded_on_their_behalf() {
    let sop = sop();
    let flow = sop.flow_for(Level::Besar);
    let (s, _) = start_from_ticket(flow, Level::Besar, &ticket(), &officer(), at(35), &Elapsed)
        .expect("opened");
    let (s, _) = act(&s, complete(), &officer(), at(60));
    // Step 4 is the Kasubbag's or the Kasi's: here the Kasi does it.
    let (s, _) = act(&s, complete(), &kasi(), at(70));
    assert_eq!(s.records()[3].done_by.as_deref(), Some("dewi"));
    let (s, _) = act(&s, complete(), &kadis(), at(100));

    // Step 6 belongs to the Walikota/Sekda, who never log in: staff record it.
    assert_eq!(s.current_step().map(|st| st.no), Some(6));
    let e = apply(
        &s,
        &Action {
            step: 6,
            version: s.version(),
            kind: complete(),
        },
        &kasubbag(),
        at(200),
        &Elapsed,
    )
    .expect_err("their step is recorded, not done");
    assert_eq!(e.code(), "wrong_action");
    let e = apply(
        &s,
        &Action {
            step: 6,
            version: s.version(),
            kind: on_behalf(None),
        },
        &user("rina", Role::CustomerService),
        at(200),
        &Elapsed,
    )
    .expect_err("customer service does not record it");
    assert!(matches!(
        e,
        ComplaintError::ForbiddenOnBehalf { step: 6, .. }
    ));
    assert_eq!(e.code(), "forbidden");
    let meeting = ActionKind::RecordOnBehalf {
        note: Some("Rapat pembahasan di Sekretariat Daerah.".to_string()),
        documents: vec!["Bahan Laporan Pengaduan".to_string()],
        happened_at: Some(at(900)),
    };
    let (s, recorded) = act(&s, meeting, &kasubbag(), at(1000));
    assert_eq!(
        recorded.change,
        Change::RecordedOnBehalf {
            step: 6,
            round: 1,
            party: OutsideParty::WalikotaSekda
        }
    );
    let six = &s.records()[5];
    assert_eq!(
        (six.done_at, six.recorded_at, six.done_by.as_deref()),
        (Some(at(900)), Some(at(1000)), Some("budi"))
    );
    assert_eq!(six.recorded_on_behalf_of, Some(OutsideParty::WalikotaSekda));
    assert_eq!(six.documents_checked, ["Bahan Laporan Pengaduan"]);
    // Step 7's clock starts when the meeting was, not when it was typed in.
    assert_eq!(s.current_record().map(|r| r.started_at), Some(at(900)));

    let (s, _) = act(&s, draft("Hasil rapat: …"), &officer(), at(1005));
    let (s, _) = act(&s, complete(), &officer(), at(1010));
    assert_eq!(s.current_step().map(|st| st.no), Some(9));
    let (s, _) = act(&s, on_behalf(None), &officer(), at(1020));
    assert!(s.is_closed());
    let steps: Vec<u32> = s.records().iter().map(|r| r.step).collect();
    assert_eq!(steps, [1, 2, 3, 4, 5, 6, 7, 9]);
    assert_due_times(&s);
}

#[test]
fn generic_flow_walked_with_a_return_from_the_sekretaris() {
    let sop = sop();
    let flow = sop.flow("pengaduan").expect("generic flow");
    let (s, _) = start_from_ticket(flow, Level::Kecil, &ticket(), &officer(), at(35), &Elapsed)
        .expect("opened");
    let (s, _) = act(&s, complete(), &officer(), at(40));
    let (s, _) = act(&s, complete(), &kasubbag(), at(50));
    // Step 4 here is 15 minutes, not an hour.
    assert_eq!(s.records()[3].due_at, Some(at(55)));
    let (s, _) = act(&s, draft("Draf 1"), &officer(), at(60));
    let (s, _) = act(&s, complete(), &officer(), at(70));
    // The reviewer is the Sekretaris (the Kepala Dinas is refused inside `act`).
    let (s, _) = act(
        &s,
        ActionKind::ReturnForRevision {
            note: "Perbaiki alamat.".to_string(),
        },
        &sekretaris(),
        at(80),
    );
    assert_eq!((s.round(), s.current_step().map(|st| st.no)), (2, Some(4)));
    let (s, _) = act(&s, complete(), &kasubbag(), at(90));
    // The draft of round 1 stays as it was; round 2 gets its own.
    assert_eq!(s.current_draft(), None);
    let (s, _) = act(&s, draft("Draf 2"), &officer(), at(100));
    let (s, _) = act(&s, draft("Draf 2, diperbaiki"), &officer(), at(105));
    let texts: Vec<&str> = s.drafts().iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, ["Draf 1", "Draf 2, diperbaiki"]);
    let (s, _) = act(&s, complete(), &officer(), at(110));
    let (s, _) = act(
        &s,
        ActionKind::Approve {
            note: Some("Paraf.".to_string()),
        },
        &sekretaris(),
        at(120),
    );
    // Step 7: the Kepala Dinas signs and sends.
    let (s, _) = act(&s, complete(), &kadis(), at(130));
    let (s, _) = act(&s, on_behalf(None), &officer(), at(140));
    assert!(s.is_closed());
    assert_eq!(
        walked(&s),
        [
            (1, 1),
            (2, 1),
            (3, 1),
            (4, 1),
            (5, 1),
            (6, 1),
            (4, 2),
            (5, 2),
            (6, 2),
            (7, 2),
            (8, 2)
        ]
    );
    assert_due_times(&s);
}

fn at_step_3() -> Workflow {
    let sop = sop();
    start_from_ticket(
        sop.flow_for(Level::Kecil),
        Level::Kecil,
        &ticket(),
        &officer(),
        at(35),
        &Elapsed,
    )
    .expect("opened")
    .0
}

#[test]
fn of_two_actions_read_at_the_same_version_only_the_first_wins() {
    let s = at_step_3();
    let form = Action {
        step: 3,
        version: s.version(),
        kind: complete(),
    };
    let (after_first, _) = apply(&s, &form, &officer(), at(40), &Elapsed).expect("first");
    let other = user("andi", Role::ComplaintOfficer);
    let e = apply(&after_first, &form, &other, at(41), &Elapsed).expect_err("second");
    assert_eq!(
        e,
        ComplaintError::Conflict {
            expected: 1,
            actual: 2
        }
    );
    assert_eq!(e.code(), "conflict");
    assert_eq!(after_first.records()[2].done_by.as_deref(), Some("sari"));

    // A stale draft save is refused too, rather than overwriting a newer text.
    let s = after_first;
    let (s, _) = act(&s, complete(), &kasubbag(), at(50));
    let (newer, _) = act(&s, draft("Teks baru"), &officer(), at(60));
    let stale = Action {
        step: 5,
        version: s.version(),
        kind: draft("Teks lama"),
    };
    let e = apply(&newer, &stale, &officer(), at(61), &Elapsed).expect_err("stale");
    assert_eq!(e.code(), "conflict");
    assert_eq!(
        newer.current_draft().map(|d| d.text.as_str()),
        Some("Teks baru")
    );
}

#[test]
fn actions_out_of_order_or_of_the_wrong_kind_are_refused() {
    let s = at_step_3();
    let ahead = Action {
        step: 4,
        version: s.version(),
        kind: complete(),
    };
    let e = apply(&s, &ahead, &kasubbag(), at(40), &Elapsed).expect_err("ahead");
    assert_eq!(
        e,
        ComplaintError::OutOfOrder {
            step: 4,
            current: 3
        }
    );
    assert_eq!(e.code(), "out_of_order");
    assert!(
        e.to_string()
            .starts_with("Pengaduan sedang berada di langkah 3")
    );

    for kind in [
        ActionKind::Approve { note: None },
        draft("Terlalu awal"),
        on_behalf(None),
    ] {
        let action = Action {
            step: 3,
            version: s.version(),
            kind,
        };
        let e = apply(&s, &action, &officer(), at(40), &Elapsed).expect_err("wrong kind");
        assert_eq!(e.code(), "wrong_action", "{e}");
    }
    let odd_document = Action {
        step: 3,
        version: s.version(),
        kind: ActionKind::Complete {
            note: None,
            documents: vec!["KTP".to_string()],
        },
    };
    let e = apply(&s, &odd_document, &officer(), at(40), &Elapsed).expect_err("not required");
    assert_eq!(e.code(), "invalid");
    // None of it moved the complaint.
    assert_eq!(s.version(), 1);
    assert_eq!(s.current_step().map(|st| st.no), Some(3));
}

#[test]
fn a_role_violation_is_403_with_an_indonesian_message() {
    let s = at_step_3();
    let action = Action {
        step: 3,
        version: s.version(),
        kind: complete(),
    };
    let admin = user("root", Role::Admin);
    let e = apply(&s, &action, &admin, at(40), &Elapsed).expect_err("admin is no officer");
    assert_eq!(e.code(), "forbidden");
    assert_eq!(
        e.to_string(),
        "Anda tidak berwenang untuk langkah 3: langkah ini dilakukan oleh Petugas Pengaduan."
    );
    // Opening a complaint is the officer's too.
    let sop = sop();
    let e = start_without_ticket(
        sop.flow_for(Level::Kecil),
        Level::Kecil,
        Channel::Phone,
        &user("rina", Role::CustomerService),
        at(0),
        &Elapsed,
    )
    .expect_err("customer service does not open complaints");
    assert_eq!(e.code(), "forbidden");
}

#[test]
fn a_flow_edited_after_a_complaint_started_does_not_change_it() {
    let s = at_step_3();
    let old_version = s.flow().version.clone();
    // The store keeps the state as JSON; the office then edits step 4 to two hours.
    let stored = serde_json::to_string(&s).expect("serialise");
    let mut sources = SopSource::embedded();
    for src in &mut sources {
        if src.name == "skala_kecil.toml" {
            src.text = src.text.replacen("time = \"1 jam\"", "time = \"2 jam\"", 1);
        }
    }
    let edited = Sop::from_sources(sources).expect("edited flows");
    let new_flow = edited.flow_for(Level::Kecil);
    assert_ne!(new_flow.version, old_version);

    let s: Workflow = serde_json::from_str(&stored).expect("read back");
    assert_eq!(s.flow().version, old_version);
    assert!(s.flow().version_matches());
    let (s, _) = act(&s, complete(), &officer(), at(60));
    assert_eq!(
        s.current_record().and_then(|r| r.due_at),
        Some(at(120)),
        "the old one hour"
    );

    // A complaint opened now follows the edited flow.
    let (fresh, _) = start_from_ticket(
        new_flow,
        Level::Kecil,
        &ticket(),
        &officer(),
        at(35),
        &Elapsed,
    )
    .expect("opened");
    let (fresh, _) = act(&fresh, complete(), &officer(), at(60));
    assert_eq!(fresh.current_record().and_then(|r| r.due_at), Some(at(180)));
}

#[test]
fn ticket_times_out_of_order_are_kept_in_order() {
    // Called before issued (a clock corrected in between) and not yet finished.
    let odd = TicketTimes {
        ticket_id: 7,
        label: "D-001".to_string(),
        issued_at: at(10),
        called_at: Some(at(5)),
        finished_at: None,
    };
    let sop = sop();
    let (s, _) = start_from_ticket(
        sop.flow_for(Level::Kecil),
        Level::Kecil,
        &odd,
        &officer(),
        at(20),
        &Elapsed,
    )
    .expect("opened");
    let spans: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = s.records()[..2]
        .iter()
        .map(|r| (r.started_at, r.done_at))
        .collect();
    assert_eq!(spans, [(at(10), Some(at(10))), (at(10), Some(at(20)))]);
}

/// Lateness counts working minutes on the office calendar, the measure of the SOP's
/// standards and of the timeline: a step due on Friday afternoon and still open on Monday
/// morning is late by Friday's rest and Monday's first hour, not by the weekend.
#[test]
fn lateness_is_working_time_across_a_weekend() {
    let config = crate::config::Config::embedded().expect("config");
    let cal = &config.calendar;
    let wib = |d: u32, h: u32, m: u32| {
        chrono_tz::Asia::Jakarta
            .with_ymd_and_hms(2026, 12, d, h, m, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    };
    let sop = sop();
    let flow = sop.flow_for(Level::Kecil);
    // Friday 4 December 2026: opened at 13:00, step 3 done at 14:00; step 4 (1 jam) due 15:00.
    let (s, _) = start_without_ticket(
        flow,
        Level::Kecil,
        Channel::Letter,
        &officer(),
        wib(4, 13, 0),
        cal,
    )
    .expect("opened");
    let (s, _) = apply(
        &s,
        &Action {
            step: 3,
            version: s.version(),
            kind: complete(),
        },
        &officer(),
        wib(4, 14, 0),
        cal,
    )
    .expect("step 3");
    assert_eq!(
        s.current_record().and_then(|r| r.due_at),
        Some(wib(4, 15, 0))
    );
    // Monday 7 December, 08:30: Friday 15:00–16:30 and Monday 07:30–08:30.
    let now = wib(7, 8, 30);
    let late: Vec<(u32, i64, bool)> = overdue_steps(&s, now, cal)
        .iter()
        .map(|o| (o.step, o.late_minutes, o.open))
        .collect();
    assert_eq!(late, [(4, 150, true)]);
    // The same figure the timeline shows for the step.
    let rows = crate::complaint::timeline(&s, now, cal);
    let step4 = rows.iter().find(|r| r.step == 4).expect("step 4 row");
    assert_eq!(
        step4.timing,
        crate::complaint::Timing::Overdue { by_minutes: 150 }
    );
    // Done on Monday at 09:00: late by 180 working minutes, not some 66 clock hours.
    let (s, _) = apply(
        &s,
        &Action {
            step: 4,
            version: s.version(),
            kind: complete(),
        },
        &kasubbag(),
        wib(7, 9, 0),
        cal,
    )
    .expect("step 4");
    let done: Vec<(u32, i64, bool)> = overdue_steps(&s, wib(7, 9, 5), cal)
        .iter()
        .map(|o| (o.step, o.late_minutes, o.open))
        .collect();
    assert_eq!(done, [(4, 180, false)]);
}
