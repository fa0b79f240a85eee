//! The complaint register in the store: opening from a queue ticket or a channel, walking a
//! flow with the right roles on the office calendar's deadlines, refusals that leave no
//! trace, one winner of two racing forms, the register index after a restart, masking, the
//! audited identity view, the tracking code, and the purge under the retention rule.

mod common;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use common::{TestApp, test_config, wib};
use loket::audit::Who;
use loket::auth::Role;
use loket::clock::{Clock, FakeClock};
use loket::complaint::{Action, ActionKind, Channel, ComplaintError, Level, Outcome};
use loket::privacy::Nik;
use loket::queue::CounterOp;
use loket::store::{
    Complaint, Identity, NewComplaint, OpError, RegisterQuery, Source, Status, StoreHandle,
};

const OFFICER: &str = "petugas";
const KASUBBAG: &str = "kasubbag";
const KEPALA: &str = "kepala";
const CS: &str = "cs";

fn who(name: &str) -> Who {
    Who::new(name, "192.168.1.40")
}

/// The daemon on a fresh data directory (kept while the returned guard lives), with staff.
async fn app_at(at: DateTime<Utc>, config: loket::config::Config) -> (TestApp, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(at));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    for (name, roles) in [
        (OFFICER, vec![Role::ComplaintOfficer]),
        (KASUBBAG, vec![Role::KasubbagUmum]),
        (KEPALA, vec![Role::KepalaDinas]),
        (CS, vec![Role::CustomerService]),
    ] {
        app.create_user(name, &roles).await;
    }
    (app, tmp)
}

fn identity(name: &str) -> Identity {
    Identity {
        name: name.to_string(),
        address: "Jl. Pajajaran No. 5, Bogor".to_string(),
        phone: "0812-3456-7890".to_string(),
        email: "warga@example.com".to_string(),
        nik: Some(Nik::parse("3271011408850003").expect("nik")),
        rahasia: false,
    }
}

fn new_complaint(source: Source, level: Level, name: &str) -> NewComplaint {
    NewComplaint {
        source,
        level,
        identity: identity(name),
        service: "KTP-el".to_string(),
        what_happened: "KTP-el belum jadi setelah tiga bulan.".to_string(),
        happened_on: NaiveDate::from_ymd_opt(2026, 11, 2),
        shortfall: "Melewati standar waktu 14 hari.".to_string(),
        remedy: "KTP-el segera dicetak.".to_string(),
    }
}

fn by_letter(name: &str) -> NewComplaint {
    new_complaint(Source::Channel(Channel::Letter), Level::Kecil, name)
}

/// The current step's form, as a page would show it, with `kind`.
async fn act(
    store: &StoreHandle,
    seq: u64,
    as_user: &str,
    kind: ActionKind,
) -> Result<Complaint, OpError> {
    let c = store.complaint(seq).await?;
    let step = c.workflow.current_step().map_or(0, |s| s.no);
    let action = Action {
        step,
        version: c.workflow.version(),
        kind,
    };
    store.act_on_complaint(seq, action, who(as_user)).await
}

fn done() -> ActionKind {
    ActionKind::Complete {
        note: None,
        documents: Vec::new(),
    }
}

/// Walks a small-scale complaint (flow `skala_kecil`) from step 3 to its end.
async fn walk_to_the_end(store: &StoreHandle, seq: u64) -> Complaint {
    act(store, seq, OFFICER, done()).await.expect("3");
    act(store, seq, KASUBBAG, done()).await.expect("4");
    let draft = ActionKind::SaveDraft {
        text: "Dengan hormat, KTP-el Saudara telah dicetak.".to_string(),
    };
    act(store, seq, OFFICER, draft).await.expect("5 draft");
    act(store, seq, OFFICER, done()).await.expect("5");
    act(store, seq, KEPALA, ActionKind::Approve { note: None })
        .await
        .expect("6");
    act(store, seq, OFFICER, done()).await.expect("7");
    let received = ActionKind::RecordOnBehalf {
        note: None,
        documents: Vec::new(),
        happened_at: None,
    };
    act(store, seq, OFFICER, received).await.expect("8")
}

async fn finished_ticket(app: &TestApp) -> loket::queue::Ticket {
    let store = app.state().store;
    let issued = store
        .issue("A".to_string(), false, who("kiosk"))
        .await
        .expect("issue");
    let op = |op: CounterOp| {
        let store = store.clone();
        async move {
            store
                .counter_op(1, op, who("loket-op"))
                .await
                .expect("counter")
        }
    };
    op(CounterOp::CallNext).await;
    op(CounterOp::Serve).await;
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(20));
    op(CounterOp::Finish).await;
    store
        .ticket(issued.ticket.id)
        .await
        .expect("read")
        .expect("ticket")
        .ticket
}

async fn audit_len(store: &StoreHandle) -> usize {
    store.audit_entries().await.expect("audit").len()
}

#[tokio::test]
async fn a_complaint_from_a_ticket_walks_its_flow_on_working_time() {
    // Friday 4 December 2026, 14:00 WIB: the ticket is taken; its service ends at 14:20.
    let (app, _tmp) = app_at(wib(2026, 12, 4, 14, 0), test_config()).await;
    let store = app.state().store;

    // A ticket still waiting cannot open a complaint: the explanation (step 2) is not over.
    let waiting = store
        .issue("A".to_string(), false, who("kiosk"))
        .await
        .expect("issue");
    let refused = store
        .open_complaint(
            new_complaint(Source::Ticket(waiting.ticket.id), Level::Kecil, "Budi"),
            who(OFFICER),
        )
        .await;
    assert!(
        matches!(refused, Err(OpError::Complaint(ComplaintError::Invalid(ref m))) if m.contains("belum selesai")),
        "{refused:?}"
    );
    store
        .void(waiting.ticket.id, who(CS))
        .await
        .expect("void the waiting one");

    let ticket = finished_ticket(&app).await;
    app.walk_clock_to(wib(2026, 12, 4, 14, 30)).await;
    // Customer Service may not open it: step 3 is the complaint officer's.
    let cs = store
        .open_complaint(
            new_complaint(Source::Ticket(ticket.id), Level::Kecil, "Budi"),
            who(CS),
        )
        .await;
    assert!(
        matches!(
            cs,
            Err(OpError::Complaint(ComplaintError::Forbidden {
                step: 3,
                ..
            }))
        ),
        "{cs:?}"
    );
    let c = store
        .open_complaint(
            new_complaint(Source::Ticket(ticket.id), Level::Kecil, "Budi Santoso"),
            who(OFFICER),
        )
        .await
        .expect("opened");
    assert_eq!(c.number, "PGD/2026/12/0001");
    assert_eq!(c.id.to_string(), "0000-CONTOH-1");
    assert_eq!(c.ticket_id, Some(ticket.id));
    assert_eq!(c.workflow.flow().id, "skala_kecil");
    // Steps 1–2 are the ticket's own history.
    let r = c.workflow.records();
    assert_eq!(
        (r[0].step, r[0].started_at, r[0].done_at),
        (1, ticket.issued_at, ticket.called_at)
    );
    assert_eq!(
        (r[1].step, r[1].started_at, r[1].done_at),
        (2, ticket.called_at.expect("called"), ticket.finished_at)
    );
    assert_eq!(r[1].outcome, Some(Outcome::FromTicket));
    // Step 3 starts when the customer-service talk ended (Friday 14:20, ten minutes before
    // the officer opened it); `1 hari kerja` runs to Monday 14:20, over the weekend.
    let step3 = c.workflow.current_record().expect("open step");
    assert_eq!(ticket.finished_at, Some(wib(2026, 12, 4, 14, 20)));
    assert_eq!(
        (step3.step, step3.started_at, step3.due_at),
        (3, wib(2026, 12, 4, 14, 20), Some(wib(2026, 12, 7, 14, 20)))
    );
    // One ticket, one complaint.
    let again = store
        .open_complaint(
            new_complaint(Source::Ticket(ticket.id), Level::Kecil, "Budi"),
            who(OFFICER),
        )
        .await;
    assert!(
        matches!(again, Err(OpError::Complaint(ComplaintError::Invalid(ref m))) if m.contains("PGD/2026/12/0001")),
        "{again:?}"
    );

    // Monday 09:00: the officer records it; the Kasubbag's `1 jam` runs to 10:00.
    app.walk_clock_to(wib(2026, 12, 7, 9, 0)).await;
    let seq = c.seq();
    let c = act(&store, seq, OFFICER, done()).await.expect("step 3");
    let step4 = c.workflow.current_record().expect("step 4");
    assert_eq!(
        (step4.step, step4.due_at),
        (4, Some(wib(2026, 12, 7, 10, 0)))
    );

    // A role violation and an out-of-order action leave no trace: no action row, no audit
    // entry, the same version.
    let audit_before = audit_len(&store).await;
    let actions_before = store.complaint_actions(seq).await.expect("actions").len();
    let forbidden = act(&store, seq, OFFICER, done()).await;
    assert!(
        matches!(
            forbidden,
            Err(OpError::Complaint(ComplaintError::Forbidden {
                step: 4,
                ..
            }))
        ),
        "{forbidden:?}"
    );
    let early = store
        .act_on_complaint(
            seq,
            Action {
                step: 6,
                version: c.workflow.version(),
                kind: ActionKind::Approve { note: None },
            },
            who(KEPALA),
        )
        .await;
    assert!(
        matches!(
            early,
            Err(OpError::Complaint(ComplaintError::OutOfOrder {
                step: 6,
                current: 4
            }))
        ),
        "{early:?}"
    );
    assert_eq!(audit_len(&store).await, audit_before);
    assert_eq!(
        store.complaint_actions(seq).await.expect("actions").len(),
        actions_before
    );
    assert_eq!(
        store.complaint(seq).await.expect("read").workflow.version(),
        c.workflow.version()
    );

    // The rest of the flow, each step by its role.
    act(&store, seq, KASUBBAG, done()).await.expect("4");
    let draft = ActionKind::SaveDraft {
        text: "Dengan hormat, KTP-el Saudara telah dicetak.".to_string(),
    };
    act(&store, seq, OFFICER, draft).await.expect("5 draft");
    act(&store, seq, OFFICER, done()).await.expect("5");
    act(&store, seq, KEPALA, ActionKind::Approve { note: None })
        .await
        .expect("6");
    act(&store, seq, OFFICER, done()).await.expect("7");
    app.walk_clock_to(wib(2026, 12, 7, 11, 0)).await;
    let closed = act(
        &store,
        seq,
        OFFICER,
        ActionKind::RecordOnBehalf {
            note: Some("Diterima langsung di kantor.".to_string()),
            documents: Vec::new(),
            happened_at: None,
        },
    )
    .await
    .expect("8");
    assert!(closed.workflow.is_closed());
    assert_eq!(closed.closed_at, Some(wib(2026, 12, 7, 11, 0)));
    let late = act(&store, seq, OFFICER, done()).await;
    assert!(
        matches!(late, Err(OpError::Complaint(ComplaintError::Closed))),
        "{late:?}"
    );

    // Every change is a row of its own, numbered by the version it made, with a global id.
    let actions = store.complaint_actions(seq).await.expect("actions");
    let versions: Vec<u64> = actions.iter().map(|a| a.seq).collect();
    assert_eq!(
        versions,
        (1..=closed.workflow.version()).collect::<Vec<_>>()
    );
    assert_eq!(actions[0].id, "0000-CONTOH-1-1");
    assert_eq!(actions[0].recorded.change.name(), "complaint_opened");
    // …and audited under the engine's names.
    let audit = store.audit_entries().await.expect("audit");
    let names: Vec<&str> = audit
        .iter()
        .filter(|e| e.target == "0000-CONTOH-1")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "complaint_opened",
            "complaint_step_done",
            "complaint_step_done",
            "complaint_draft_saved",
            "complaint_step_done",
            "complaint_reply_approved",
            "complaint_letter_signed",
            "complaint_step_done",
            "complaint_step_recorded",
        ]
    );
    assert_eq!(loket::audit::verify(&audit), Ok(audit.len() as u64));
    app.stop().await;
}

#[tokio::test]
async fn a_complaint_without_a_ticket_marks_the_ticket_steps_not_applicable() {
    let (app, _tmp) = app_at(wib(2026, 12, 4, 9, 0), test_config()).await;
    let store = app.state().store;
    let c = store
        .open_complaint(
            new_complaint(Source::Channel(Channel::Phone), Level::Besar, "Siti"),
            who(OFFICER),
        )
        .await
        .expect("opened");
    assert_eq!((c.ticket_id, c.channel), (None, Some(Channel::Phone)));
    assert_eq!(c.workflow.flow().id, "skala_besar");
    for r in &c.workflow.records()[..2] {
        assert_eq!(
            (r.outcome, r.due_at),
            (Some(Outcome::NotApplicable), None),
            "step {}",
            r.step
        );
    }
    // A form without a name is refused and nothing is numbered.
    let mut nameless = by_letter("  ");
    nameless.identity.name = " ".to_string();
    let refused = store.open_complaint(nameless, who(OFFICER)).await;
    assert!(matches!(
        refused,
        Err(OpError::Complaint(ComplaintError::Invalid(_)))
    ));
    let next = store
        .open_complaint(by_letter("Rina"), who(OFFICER))
        .await
        .expect("opened");
    assert_eq!(next.number, "PGD/2026/12/0002", "no number was used up");
    app.stop().await;
}

#[tokio::test]
async fn of_two_forms_read_at_the_same_version_exactly_one_wins() {
    let (app, _tmp) = app_at(wib(2026, 12, 4, 9, 0), test_config()).await;
    let store = app.state().store;
    app.create_user("petugas2", &[Role::ComplaintOfficer]).await;
    let c = store
        .open_complaint(by_letter("Budi"), who(OFFICER))
        .await
        .expect("opened");
    let action = Action {
        step: 3,
        version: c.workflow.version(),
        kind: done(),
    };
    let seq = c.seq();
    let mut tasks = Vec::new();
    for user in [OFFICER, "petugas2"] {
        let (store, action) = (store.clone(), action.clone());
        tasks.push(tokio::spawn(async move {
            store.act_on_complaint(seq, action, who(user)).await
        }));
    }
    let mut won = 0;
    let mut lost = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => won += 1,
            Err(OpError::Complaint(ComplaintError::Conflict { expected, actual })) => {
                assert_eq!((expected, actual), (1, 2));
                lost += 1;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!((won, lost), (1, 1));
    let after = store.complaint(c.seq()).await.expect("read");
    assert_eq!(after.workflow.version(), 2);
    assert_eq!(after.workflow.current_step().map(|s| s.no), Some(4));
    app.stop().await;
}

#[tokio::test]
async fn a_restart_keeps_every_complaint_and_rebuilds_the_register() {
    let (app, _tmp) = app_at(wib(2026, 12, 4, 9, 0), test_config()).await;
    let store = app.state().store;
    let mut seqs = Vec::new();
    for name in ["Ahmad Sutrisno", "Dewi Lestari", "Agus Salim"] {
        seqs.push(
            store
                .open_complaint(by_letter(name), who(OFFICER))
                .await
                .expect("opened")
                .seq(),
        );
    }
    act(&store, seqs[1], OFFICER, done()).await.expect("3");
    let closed = walk_to_the_end(&store, seqs[2]).await;
    let before = store
        .complaint_register(RegisterQuery::default())
        .await
        .expect("register");
    let counts = store.complaint_counts().await.expect("counts");
    assert_eq!((counts.open, counts.closed), (2, 1));
    let app = app.restart().await;
    let store = app.state().store;
    assert_eq!(
        store
            .complaint_register(RegisterQuery::default())
            .await
            .expect("register"),
        before
    );
    assert_eq!(store.complaint_counts().await.expect("counts"), counts);
    assert_eq!(store.complaint(seqs[2]).await.expect("read"), closed);
    // The flow goes on where it was, and numbering after the last.
    let c = act(&store, seqs[1], KASUBBAG, done()).await.expect("4");
    assert_eq!(c.workflow.current_step().map(|s| s.no), Some(5));
    let next = store
        .open_complaint(by_letter("Rudi"), who(OFFICER))
        .await
        .expect("opened");
    assert_eq!((next.seq(), next.number.as_str()), (4, "PGD/2026/12/0004"));
    app.stop().await;
}

#[tokio::test]
async fn the_register_filters_pages_and_masks() {
    let (app, _tmp) = app_at(wib(2026, 11, 30, 9, 0), test_config()).await;
    let store = app.state().store;
    let open = |new: NewComplaint| {
        let store = store.clone();
        async move {
            store
                .open_complaint(new, who(OFFICER))
                .await
                .expect("opened")
        }
    };
    // November: two; December: three, one confidential, one large-scale.
    let a = open(by_letter("Ahmad Sutrisno")).await;
    let b = open(by_letter("Dewi Lestari")).await;
    app.clock.set(wib(2026, 12, 1, 9, 0));
    let mut secret = by_letter("Sutrisno Rahasia");
    secret.identity.rahasia = true;
    let c = open(secret).await;
    let d = open(new_complaint(
        Source::Channel(Channel::Email),
        Level::Besar,
        "Bambang Sutrisno",
    ))
    .await;
    let e = open(by_letter("Eka Putri")).await;
    assert_eq!(
        [&a, &b, &c, &d, &e].map(|x| x.number.as_str()),
        [
            "PGD/2026/11/0001",
            "PGD/2026/11/0002",
            "PGD/2026/12/0001",
            "PGD/2026/12/0002",
            "PGD/2026/12/0003"
        ],
        "the sequence restarts with the month"
    );
    walk_to_the_end(&store, b.seq()).await;
    act(&store, e.seq(), OFFICER, done()).await.expect("e to 4");

    let q = |f: fn(&mut RegisterQuery)| {
        let store = store.clone();
        async move {
            let mut query = RegisterQuery::default();
            f(&mut query);
            let page = store.complaint_register(query).await.expect("register");
            (
                page.total,
                page.rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
                page.rows,
            )
        }
    };
    let (total, seqs, rows) = q(|_| {}).await;
    assert_eq!((total, seqs), (5, vec![5, 4, 3, 2, 1]), "newest first");
    let ahmad = rows.iter().find(|r| r.seq == 1).expect("row");
    assert_eq!(ahmad.name, "A*** S***");
    assert_eq!(ahmad.nik.as_deref(), Some("3271********0003"));
    assert_eq!(ahmad.id, "0000-CONTOH-1");
    let secret_row = rows.iter().find(|r| r.seq == 3).expect("row");
    assert_eq!(
        (secret_row.name.as_str(), &secret_row.nik),
        ("(dirahasiakan)", &None)
    );
    let shown = serde_json::to_string(&rows).expect("json");
    for whole in [
        "Ahmad",
        "Sutrisno",
        "3271011408850003",
        "0812-3456-7890",
        "Pajajaran",
    ] {
        assert!(!shown.contains(whole), "{whole} in {shown}");
    }

    // A confidential complainant is not found by name.
    assert_eq!(q(|q| q.name = Some("SUTRIS".into())).await.1, vec![4, 1]);
    assert_eq!(q(|q| q.number = Some("2026/11".into())).await.1, vec![2, 1]);
    assert_eq!(
        q(|q| {
            q.from = NaiveDate::from_ymd_opt(2026, 12, 1);
            q.to = NaiveDate::from_ymd_opt(2026, 12, 1);
        })
        .await
        .1,
        vec![5, 4, 3]
    );
    assert_eq!(
        q(|q| q.to = NaiveDate::from_ymd_opt(2026, 11, 30)).await.1,
        vec![2, 1]
    );
    assert_eq!(q(|q| q.level = Some(Level::Besar)).await.1, vec![4]);
    assert_eq!(q(|q| q.flow = Some("skala_besar".into())).await.1, vec![4]);
    assert_eq!(q(|q| q.flow = Some("tidak_ada".into())).await.0, 0);
    assert_eq!(q(|q| q.status = Some(Status::Closed)).await.1, vec![2]);
    assert_eq!(
        q(|q| q.status = Some(Status::Open)).await.1,
        vec![5, 4, 3, 1]
    );
    assert_eq!(q(|q| q.step = Some(4)).await.1, vec![5]);
    assert_eq!(q(|q| q.step = Some(3)).await.1, vec![4, 3, 1]);
    let (total, seqs, _) = q(|q| {
        q.offset = 1;
        q.limit = 2;
    })
    .await;
    assert_eq!((total, seqs), (5, vec![4, 3]));

    // Overdue at now: Monday's step 3 (`1 hari kerja`) since Tuesday 09:00; e's step 4
    // (`1 jam`, from Tuesday 09:00) since 10:00; Tuesday's step 3 not before Wednesday.
    app.clock.set(wib(2026, 12, 1, 9, 59));
    assert_eq!(q(|q| q.overdue = true).await.1, vec![1]);
    app.clock.set(wib(2026, 12, 1, 10, 30));
    assert_eq!(q(|q| q.overdue = true).await.1, vec![5, 1]);
    let counts = store.complaint_counts().await.expect("counts");
    let overdue: Vec<(String, u32, usize)> = counts
        .overdue
        .iter()
        .map(|o| (o.flow.clone(), o.step, o.count))
        .collect();
    assert_eq!(
        overdue,
        [
            ("skala_kecil".to_string(), 3, 1),
            ("skala_kecil".to_string(), 4, 1)
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_identity_is_seen_only_through_an_audited_read() {
    let (app, _tmp) = app_at(wib(2026, 12, 4, 9, 0), test_config()).await;
    let store = app.state().store;
    let c = store
        .open_complaint(by_letter("Ahmad Sutrisno"), who(OFFICER))
        .await
        .expect("opened");
    let before = audit_len(&store).await;
    let plain = store.complaint(c.seq()).await.expect("read");
    assert_eq!(
        audit_len(&store).await,
        before,
        "a plain read is not audited"
    );
    let (with, identity) = store
        .complaint_with_identity(c.seq(), who(KEPALA))
        .await
        .expect("read");
    assert_eq!(with, plain);
    assert_eq!(identity, Some(identity_of("Ahmad Sutrisno")));
    let audit = store.audit_entries().await.expect("audit");
    assert_eq!(audit.len(), before + 1);
    let last = audit.last().expect("entry");
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.target.as_str()
        ),
        (KEPALA, "complaint_identity_viewed", "0000-CONTOH-1")
    );
    assert!(!last.detail.contains("Ahmad"), "{}", last.detail);

    // The tracking code, as a citizen types it, finds the complaint, never the identity.
    let typed = c.tracking_code.to_lowercase().replace('-', " ");
    let tracked = store.complaint_by_code(&typed).await.expect("tracked");
    assert_eq!(tracked.seq(), c.seq());
    let body = serde_json::to_string(&tracked).expect("json");
    for personal in ["Ahmad", "3271011408850003", "0812", "Pajajaran", "warga@"] {
        assert!(!body.contains(personal), "{personal} in the tracked record");
    }
    assert_eq!(audit_len(&store).await, before + 1);
    let wrong = store.complaint_by_code("AAAA-BBBB-CCCC").await;
    assert!(matches!(
        wrong,
        Err(OpError::Complaint(ComplaintError::NotFound(_)))
    ));
    let missing = store.complaint(99).await;
    assert!(matches!(
        missing,
        Err(OpError::Complaint(ComplaintError::NotFound(_)))
    ));
    app.stop().await;
}

fn identity_of(name: &str) -> Identity {
    identity(name)
}

fn attachment_files(data: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let dir = data.join("attachments");
    for shard in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(shard.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            out.push(f.file_name().to_string_lossy().to_string());
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn the_purge_deletes_identity_and_files_of_long_closed_complaints_only() {
    let mut config = test_config();
    config.complaints.retention_days = 30;
    let (app, _tmp) = app_at(wib(2026, 12, 1, 9, 0), config).await;
    let store = app.state().store;
    let data = app.data_dir.clone();
    let pdf = b"%PDF-1.7\n1 0 obj surat pengaduan\n".to_vec();
    let png = [
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 7,
    ]
    .to_vec();

    let old = store
        .open_complaint(by_letter("Ahmad Sutrisno"), who(OFFICER))
        .await
        .expect("opened");
    // Only those who receive documents may add one.
    let refused = store
        .attach_to_complaint(old.seq(), common::staged(&data, &pdf), who(KEPALA))
        .await;
    assert!(
        matches!(
            refused,
            Err(OpError::Complaint(ComplaintError::Forbidden { .. }))
        ),
        "{refused:?}"
    );
    assert!(
        attachment_files(&data).is_empty(),
        "nothing stored for a refusal"
    );
    store
        .attach_to_complaint(old.seq(), common::staged(&data, &pdf), who(OFFICER))
        .await
        .expect("pdf");
    let with_files = store
        .attach_to_complaint(old.seq(), common::staged(&data, &png), who(CS))
        .await
        .expect("png");
    assert_eq!(with_files.attachments.len(), 2);
    walk_to_the_end(&store, old.seq()).await;

    // The same letter attached to a complaint closed later, and one still open.
    app.walk_clock_to(wib(2026, 12, 28, 9, 0)).await;
    let recent = store
        .open_complaint(by_letter("Dewi Lestari"), who(OFFICER))
        .await
        .expect("opened");
    store
        .attach_to_complaint(recent.seq(), common::staged(&data, &pdf), who(OFFICER))
        .await
        .expect("pdf again");
    walk_to_the_end(&store, recent.seq()).await;
    let open = store
        .open_complaint(by_letter("Eka Putri"), who(OFFICER))
        .await
        .expect("opened");
    assert_eq!(attachment_files(&data).len(), 2, "one file per content");

    // 2 January 2027: the first closed 1 December, more than 30 days ago; the others not.
    app.walk_clock_to(wib(2027, 1, 2, 9, 0)).await;
    let before = audit_len(&store).await;
    let purged = store
        .purge_complaints(Who::new("cli", ""))
        .await
        .expect("purge");
    assert_eq!((purged.complaints, purged.files), (1, 1));
    let files = attachment_files(&data);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].ends_with(".pdf"),
        "the shared letter stays: {files:?}"
    );
    let (kept, identity) = store
        .complaint_with_identity(old.seq(), who(KEPALA))
        .await
        .expect("read");
    assert_eq!(identity, None, "identity deleted");
    assert_eq!(kept.purged_at, Some(wib(2027, 1, 2, 9, 0)));
    assert_eq!(kept.what_happened, old.what_happened, "the record stays");
    for seq in [recent.seq(), open.seq()] {
        let (_, identity) = store
            .complaint_with_identity(seq, who(KEPALA))
            .await
            .expect("read");
        assert!(identity.is_some(), "complaint {seq} keeps its identity");
    }
    let audit = store.audit_entries().await.expect("audit");
    let purges: Vec<&str> = audit[before..]
        .iter()
        .filter(|e| e.action == "complaint_identity_purged")
        .map(|e| e.target.as_str())
        .collect();
    assert_eq!(purges, ["0000-CONTOH-1"]);
    // The audit trail of the purged complaint is whole.
    assert!(
        audit
            .iter()
            .any(|e| e.target == "0000-CONTOH-1" && e.action == "complaint_opened")
    );
    assert_eq!(loket::audit::verify(&audit), Ok(audit.len() as u64));
    let page = store
        .complaint_register(RegisterQuery::default())
        .await
        .expect("register");
    let row = page.rows.iter().find(|r| r.seq == old.seq()).expect("row");
    assert_eq!((row.name.as_str(), row.purged), ("(dihapus)", true));
    // Twice is nothing more.
    let again = store
        .purge_complaints(Who::new("cli", ""))
        .await
        .expect("purge");
    assert_eq!((again.complaints, again.files), (0, 0));
    app.stop().await;
}
