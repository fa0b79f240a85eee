//! The city view's data (docs/city.md, "City view: data") against a real PostgreSQL: three
//! offices' records go in through the exporter's own batch insert, each with its office's
//! role over TLS, built as the daemon builds them (queue changes, complaint actions from the
//! complaint engine on the office calendar, survey responses). The waits, the complaint
//! steps past due at an injected `now` and the IKM are checked against figures worked out by
//! hand below; a viewer's office list is honoured; an office without records shows zeros.
//! Migration 002 fills its typed columns for rows already on the server.

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::postgres::Cluster;
use loket::auth::Role;
use loket::city::connect::{Target, connect};
use loket::city::view::{self, ikm, overdue, waits};
use loket::complaint::{
    Action, ActionKind, Actor, Channel, Level, Sop, Workflow, apply, start_without_ticket,
};
use loket::config::{Config, PersonalFields};
use loket::queue::{Change, TicketState, TicketSummary};
use loket::store::OutboxRecord;
use loket::store::outbox::{complaint_action, survey_response, ticket_event};
use loket::survey::questionnaire::Questionnaire;
use loket::survey::report::SurveyReport;
use loket::survey::response::{self, Response};

const DB: &str = "kota";
const A: &str = "3271-DUKCAPIL";
const B: &str = "3271-DPMPTSP";
const C: &str = "3271-MPP";
/// (code, role, name given at add-office).
const OFFICES: [(&str, &str, Option<&str>); 3] = [
    (A, "loket_dukcapil", Some("Dinas Kependudukan")),
    (B, "loket_dpmptsp", Some("DPMPTSP")),
    (C, "loket_mpp", None),
];
const TZ: chrono_tz::Tz = chrono_tz::Asia::Jakarta;

fn loket(args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .output()
        .expect("run loket");
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn add_offices(pg: &Cluster) {
    let url = pg.admin_url(DB);
    for (code, role, name) in OFFICES {
        let pw = pg.file(
            &format!("{role}.pw"),
            &format!("{role}-kata-sandi-panjang\n"),
        );
        let pw = pw.to_str().expect("path");
        let mut args = vec![
            "city",
            "add-office",
            "--url",
            &url,
            "--code",
            code,
            "--role",
            role,
            "--office-password-file",
            pw,
        ];
        if let Some(n) = name {
            args.extend(["--name", n]);
        }
        loket(&args);
    }
}

fn city() -> Cluster {
    let pg = Cluster::start();
    pg.psql("postgres", &format!("CREATE DATABASE {DB}"));
    loket(&["city", "init", "--url", &pg.admin_url(DB)]);
    add_offices(&pg);
    pg
}

/// `d` November or December 2026 at `h:m` WIB.
fn wib(month: u32, d: u32, h: u32, m: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(2026, month, d, h, m, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).expect("date")
}

/// Sends `records` as office `code` through the exporter's batch insert, with the office's
/// role over TLS, numbered 1..=n as its outbox would.
async fn ship(pg: &Cluster, code: &str, records: Vec<OutboxRecord>) {
    let (_, role, _) = OFFICES
        .iter()
        .find(|o| o.0 == code)
        .expect("an office of the test");
    let pw = pg.file(
        &format!("{role}.pw"),
        &format!("{role}-kata-sandi-panjang\n"),
    );
    let url = pg.tcp_url(role, DB);
    let mut client = connect(&Target {
        url: &url,
        password_file: Some(&pw),
        server_certificate: Some(&pg.cert),
    })
    .await
    .expect("the office connects");
    let rows: Vec<(u64, OutboxRecord)> = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as u64 + 1, r))
        .collect();
    loket::city::export::send(&mut client, code, &rows)
        .await
        .expect("the batch is committed");
}

/// The viewer's connection: the administrator over the cluster's socket.
async fn viewer(pg: &Cluster) -> tokio_postgres::Client {
    let url = pg.admin_url(DB);
    connect(&Target {
        url: &url,
        password_file: None,
        server_certificate: None,
    })
    .await
    .expect("connect")
}

/// An office's queue, event by event, as the store turns its changes into records.
struct Queue {
    records: Vec<OutboxRecord>,
}

impl Queue {
    fn new() -> Self {
        Self {
            records: Vec::new(),
        }
    }

    fn push(&mut self, at: DateTime<Utc>, change: Change) {
        let seq = self.records.len() as u64 + 1;
        self.records.push(
            ticket_event(seq, at, &change)
                .expect("json")
                .expect("a ticket event"),
        );
    }

    fn ticket(id: u64, service: &str, state: TicketState, counter: Option<u32>) -> TicketSummary {
        TicketSummary {
            id,
            number: format!("{service}-{id:03}"),
            service: service.to_string(),
            priority: false,
            state,
            state_label: state.label_id(),
            counter,
        }
    }

    fn issued(&mut self, at: DateTime<Utc>, id: u64, service: &str) {
        let ticket = Self::ticket(id, service, TicketState::Waiting, None);
        self.push(at, Change::Issued { ticket });
    }

    fn called(&mut self, at: DateTime<Utc>, id: u64, service: &str) {
        let ticket = Self::ticket(id, service, TicketState::Called, Some(1));
        self.push(at, Change::Called { counter: 1, ticket });
    }

    fn recalled(&mut self, at: DateTime<Utc>, id: u64, service: &str) {
        let ticket = Self::ticket(id, service, TicketState::Called, Some(1));
        self.push(at, Change::Recalled { counter: 1, ticket });
    }

    fn serving(&mut self, at: DateTime<Utc>, id: u64, service: &str) {
        let ticket = Self::ticket(id, service, TicketState::Serving, Some(1));
        self.push(at, Change::Serving { counter: 1, ticket });
    }

    fn finished(&mut self, at: DateTime<Utc>, id: u64, service: &str) {
        let ticket = Self::ticket(id, service, TicketState::Done, Some(1));
        self.push(at, Change::Finished { counter: 1, ticket });
    }

    fn no_show(&mut self, at: DateTime<Utc>, id: u64, service: &str) {
        let ticket = Self::ticket(id, service, TicketState::NoShow, Some(1));
        self.push(at, Change::NoShow { counter: 1, ticket });
    }

    fn transferred(&mut self, at: DateTime<Utc>, id: u64, from: &str, to: &str) {
        let ticket = Self::ticket(id, to, TicketState::Transferred, None);
        self.push(
            at,
            Change::Transferred {
                counter: 1,
                from: from.to_string(),
                ticket,
            },
        );
    }
}

/// Office A's Monday 2 November 2026 (WIB), with each ticket's figures:
///
/// | ticket | service | issued | called | end | wait s | service s |
/// | 1 | A | 08:00 | 08:10 | finished 08:20 | 600 | 600 |
/// | 2 | A | 08:05 | 08:25, serving 08:27 | finished 08:40 | 1200 | 780 (from serving) |
/// | 3 | A | 08:10 | 08:45 | no-show 08:50 | 2100 | — |
/// | 4 | B | 09:00 | 09:02, recalled 09:05 | finished 09:12 | 120 | 600 (a recall does not restart) |
/// | 5 | A→B | 09:00 | 09:30 A, transferred 09:31, 09:40 B | finished 09:50 (B) | 1800 (A) | 600 (B) |
/// | 6 | A | 10:00 | — | still waiting | — | — |
/// | 7 | B | 10:00 | 23:30 | finished 23:35 | 48600: over 12 h, left out | 300 |
/// | 1 again | A | 11:00 | 11:04 | finished 11:10 | 240 | 360 |
///
/// "1 again": the box was restored from a backup and gave id 1 a second time; its events
/// are its own visit, not the first ticket 1's. Ticket 8 is issued Tuesday 06:30 WIB (still
/// Monday in UTC): outside a Monday range.
fn office_a_queue() -> Vec<OutboxRecord> {
    let mut q = Queue::new();
    let t = |h, m| wib(11, 2, h, m);
    q.issued(t(8, 0), 1, "A");
    q.issued(t(8, 5), 2, "A");
    q.called(t(8, 10), 1, "A");
    q.issued(t(8, 10), 3, "A");
    q.finished(t(8, 20), 1, "A");
    q.called(t(8, 25), 2, "A");
    q.serving(t(8, 27), 2, "A");
    q.finished(t(8, 40), 2, "A");
    q.called(t(8, 45), 3, "A");
    q.no_show(t(8, 50), 3, "A");
    q.issued(t(9, 0), 4, "B");
    q.issued(t(9, 0), 5, "A");
    q.called(t(9, 2), 4, "B");
    q.recalled(t(9, 5), 4, "B");
    q.finished(t(9, 12), 4, "B");
    q.called(t(9, 30), 5, "A");
    q.transferred(t(9, 31), 5, "A", "B");
    q.called(t(9, 40), 5, "B");
    q.finished(t(9, 50), 5, "B");
    q.issued(t(10, 0), 6, "A");
    q.issued(t(10, 0), 7, "B");
    q.issued(t(11, 0), 1, "A");
    q.called(t(11, 4), 1, "A");
    q.finished(t(11, 10), 1, "A");
    q.called(t(23, 30), 7, "B");
    q.finished(t(23, 35), 7, "B");
    q.issued(wib(11, 3, 6, 30), 8, "A");
    q.called(wib(11, 3, 8, 0), 8, "A");
    q.records
}

/// Office B: ten tickets of service P waiting k minutes and served 30·k seconds (k = 1..10).
fn office_b_queue() -> Vec<OutboxRecord> {
    let mut q = Queue::new();
    for k in 1..=10u32 {
        let issued = wib(11, 2, 8, 0) + chrono::Duration::minutes(i64::from(k) * 11);
        let called = issued + chrono::Duration::minutes(i64::from(k));
        q.issued(issued, u64::from(k), "P");
        q.called(called, u64::from(k), "P");
        q.finished(
            called + chrono::Duration::seconds(30 * i64::from(k)),
            u64::from(k),
            "P",
        );
    }
    q.records
}

fn actor(name: &str, role: Role) -> Actor {
    Actor {
        username: name.to_string(),
        roles: vec![role],
    }
}

fn complete(
    w: &Workflow,
    by: &Actor,
    at: DateTime<Utc>,
    cal: &loket::calendar::Calendar,
) -> (Workflow, loket::complaint::Recorded) {
    let step = w.current_step().expect("a step waiting").no;
    apply(
        w,
        &Action {
            step,
            version: w.version(),
            kind: ActionKind::Complete {
                note: None,
                documents: Vec::new(),
            },
        },
        by,
        at,
        cal,
    )
    .expect("step done")
}

/// Complaints as the office's store ships them: the engine on the office's calendar
/// (Monday to Friday 07:30–12:00 and 13:00–16:00), one record per action.
///
/// Office A, judged on Thursday 3 December 2026 10:00 WIB:
/// - 1 (kecil): opened by letter Monday 30 Nov 09:00; step 3 (1 hari kerja) done 10:00; step
///   4 (1 jam) due Monday 11:00, still open: late by Mon 11–12, 13–16 (240) + Tue and Wed
///   (450 each) + Thu 07:30–10:00 (150) = 1290 working minutes, 71 hours of clock time.
/// - 2 (menengah): opened by phone Thursday 08:00; step 3 due Friday 08:00: not late.
/// - 3 (kecil): opened Monday 09:00; step 3 done 09:30; step 4 done 10:00; step 5 (3 jam)
///   due Monday 14:00 (10–12, 13–14), still open: late by 120 + 450 + 450 + 150 = 1170
///   working minutes, 68 hours of clock time.
fn office_a_complaints(config: &Config, sop: &Sop) -> Vec<OutboxRecord> {
    let cal = &config.calendar;
    let officer = actor("sari", Role::ComplaintOfficer);
    let kasubbag = actor("joko", Role::KasubbagUmum);
    let mut out = Vec::new();
    let mut record = |seq: u64, w: &Workflow, r: &loket::complaint::Recorded| {
        let number = format!("PGD/2026/11/{seq:04}");
        out.push(complaint_action(seq, &number, w, r, PersonalFields::default()).expect("record"));
    };
    let open = |level, channel, at| {
        start_without_ticket(sop.flow_for(level), level, channel, &officer, at, cal)
            .expect("opened")
    };

    let (w, r) = open(Level::Kecil, Channel::Letter, wib(11, 30, 9, 0));
    record(1, &w, &r);
    let (w, r) = complete(&w, &officer, wib(11, 30, 10, 0), cal);
    record(1, &w, &r);

    let (w, r) = open(Level::Menengah, Channel::Phone, wib(12, 3, 8, 0));
    record(2, &w, &r);

    let (w, r) = open(Level::Kecil, Channel::Letter, wib(11, 30, 9, 0));
    record(3, &w, &r);
    let (w, r) = complete(&w, &officer, wib(11, 30, 9, 30), cal);
    record(3, &w, &r);
    let (w, r) = complete(&w, &kasubbag, wib(11, 30, 10, 0), cal);
    record(3, &w, &r);
    out
}

/// Office B: complaint 1's only record comes from a build that did not send the waiting
/// step or the level (not known: neither late nor on time); complaint 2 was opened Monday
/// and is closed by its last record (not open, though its opening step would be late);
/// complaint 3 was opened Thursday 09:00 (due Friday: not late).
fn office_b_complaints(config: &Config, sop: &Sop) -> Vec<OutboxRecord> {
    let cal = &config.calendar;
    let officer = actor("rina", Role::ComplaintOfficer);
    let flow = sop.flow_for(Level::Kecil);
    let (w, r) = start_without_ticket(
        flow,
        Level::Kecil,
        Channel::Email,
        &officer,
        wib(11, 30, 9, 0),
        cal,
    )
    .expect("opened");
    let mut older =
        complaint_action(1, "PGD/2026/11/0001", &w, &r, PersonalFields::default()).expect("record");
    if let OutboxRecord::ComplaintAction {
        level, open_step, ..
    } = &mut older
    {
        *level = None;
        *open_step = None;
    }
    let opened =
        complaint_action(2, "PGD/2026/11/0002", &w, &r, PersonalFields::default()).expect("record");
    let mut closed = opened.clone();
    if let OutboxRecord::ComplaintAction {
        version,
        closed,
        open_step,
        change,
        at,
        ..
    } = &mut closed
    {
        *version = 9;
        *closed = true;
        *open_step = None;
        *change = serde_json::json!({"change": "recorded_on_behalf", "step": 8, "round": 1, "party": "pengadu"});
        *at = wib(12, 2, 9, 0);
    }
    let (w, r) = start_without_ticket(
        flow,
        Level::Kecil,
        Channel::Phone,
        &officer,
        wib(12, 3, 9, 0),
        cal,
    )
    .expect("opened");
    let later =
        complaint_action(3, "PGD/2026/12/0001", &w, &r, PersonalFields::default()).expect("record");
    vec![older, opened, closed, later]
}

/// A response to every element of `q` with `score`, in `month`.
fn answer(q: &Questionnaire, month: NaiveDate, score: u8) -> Response {
    Response {
        month,
        service: "A".to_string(),
        counter: Some(1),
        channel: response::Channel::Tablet,
        profile: Default::default(),
        scores: q.elements.iter().map(|e| (e.id.clone(), score)).collect(),
        suggestion: String::new(),
    }
}

/// Office A: November three all-4 and three all-3 answers (each element's NRR 3.5, Σ 31.5;
/// × 0.111 × 25 = 87.41, B); December one all-4 (alone: below the floor of 5). Over both
/// months each element is 25/7, Σ 225/7 × 0.111 × 25 = 89.196… → 89.20, A.
/// Office B: three answers in November: below the floor, no figure.
fn office_a_survey(q: &Questionnaire) -> Vec<Response> {
    let mut v: Vec<Response> = (0..6)
        .map(|i| answer(q, day(11, 1), if i < 3 { 4 } else { 3 }))
        .collect();
    v.push(answer(q, day(12, 1), 4));
    v
}

fn survey_records(rs: &[Response]) -> Vec<OutboxRecord> {
    rs.iter()
        .map(|r| survey_response(r, PersonalFields::default()).expect("record"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_offices_side_by_side() {
    let pg = city();
    let config = Config::embedded().expect("config");
    let sop = Sop::embedded().expect("flows");
    let q = Questionnaire::embedded().expect("questionnaire");
    let a_survey = office_a_survey(&q);
    let mut a = office_a_queue();
    a.extend(office_a_complaints(&config, &sop));
    a.extend(survey_records(&a_survey));
    ship(&pg, A, a).await;
    let mut b = office_b_queue();
    b.extend(office_b_complaints(&config, &sop));
    b.extend(survey_records(&[
        answer(&q, day(11, 1), 4),
        answer(&q, day(11, 1), 2),
        answer(&q, day(11, 1), 3),
    ]));
    ship(&pg, B, b).await;
    let client = viewer(&pg).await;

    // The offices by name; C has none and shows its code.
    let offices = view::offices(&client, None).await.expect("offices");
    let names: Vec<(&str, &str)> = offices
        .iter()
        .map(|o| (o.code.as_str(), o.name.as_str()))
        .collect();
    assert_eq!(names, [(C, C), (B, "DPMPTSP"), (A, "Dinas Kependudukan")]);

    // Waits on Monday 2 November.
    let w = waits::waits(&client, TZ, day(11, 2), day(11, 2), None)
        .await
        .expect("waits");
    assert_eq!(w.offices.len(), 3);
    let a = w.offices.iter().find(|o| o.office.code == A).expect("A");
    let row = |service: &str, issued, served, no_show, wait: (u32, u32), svc: (u32, u32)| {
        waits::WaitRow {
            service: service.to_string(),
            issued,
            served,
            no_show,
            wait_median: Some(wait.0),
            wait_p90: Some(wait.1),
            service_median: Some(svc.0),
            service_p90: Some(svc.1),
        }
    };
    // A: issued 1, 2, 3, 5, 6, 1 again; served 1, 2, 1 again (5 ended in B); waits
    // [240, 600, 1200, 1800, 2100]: median rank 3, p90 rank ⌈4.5⌉ = 5; service times
    // [360, 600, 780]: ranks 2 and ⌈2.7⌉ = 3.
    // B: issued 4, 7; served 4, 5, 7; waits [120] (7's is a clock jump); service times
    // [300, 600, 600].
    assert_eq!(
        a.services,
        [
            row("A", 6, 3, 1, (1200, 2100), (600, 780)),
            row("B", 2, 3, 0, (120, 120), (600, 600)),
        ]
    );
    // The office: waits [120, 240, 600, 1200, 1800, 2100] → ranks 3 and ⌈5.4⌉ = 6; service
    // times [300, 360, 600, 600, 600, 780] → ranks 3 and 6.
    assert_eq!(a.total, row("", 8, 6, 1, (600, 2100), (600, 780)));
    // B: waits 60..600 by 60 → ranks 5 and 9; service times 30..300 by 30.
    let b = w.offices.iter().find(|o| o.office.code == B).expect("B");
    assert_eq!(b.services, [row("P", 10, 10, 0, (300, 540), (150, 270))]);
    let c = w.offices.iter().find(|o| o.office.code == C).expect("C");
    assert_eq!(c.total, waits::WaitRow::default());
    assert!(c.services.is_empty());
    // Tuesday holds only ticket 8 (06:30 WIB, Monday in UTC): issued, called an hour and a
    // half later.
    let tue = waits::waits(&client, TZ, day(11, 3), day(11, 3), Some(&[A.to_string()]))
        .await
        .expect("waits");
    assert_eq!(tue.offices.len(), 1);
    assert_eq!(
        (
            tue.offices[0].total.issued,
            tue.offices[0].total.wait_median
        ),
        (1, Some(5400))
    );

    // Complaint steps past due on Thursday 3 December 10:00 WIB.
    let now = wib(12, 3, 10, 0);
    let o = overdue::overdue(&client, now, None, None)
        .await
        .expect("overdue");
    let a = o.offices.iter().find(|x| x.office.code == A).expect("A");
    assert_eq!((a.open, a.unknown), (3, 0));
    let late: Vec<(u64, u32, u64, &str)> = a
        .late
        .iter()
        .map(|s| (s.complaint, s.step, s.late_minutes, s.late_label.as_str()))
        .collect();
    assert_eq!(
        late,
        [
            (1, 4, 71 * 60, "2 hari 23 jam"),
            (3, 5, 68 * 60, "2 hari 20 jam")
        ]
    );
    let first = &a.late[0];
    assert_eq!(first.due_at, wib(11, 30, 11, 0));
    assert_eq!(first.started_at, wib(11, 30, 10, 0));
    assert_eq!(
        (first.level, first.level_label()),
        (Some(Level::Kecil), "Skala Kecil")
    );
    assert_eq!(
        (first.flow.as_str(), first.standard.as_str(), first.round),
        ("skala_kecil", "1 jam", 1)
    );
    assert!(
        first.step_name.starts_with("Kepala Subbag Umum"),
        "{}",
        first.step_name
    );
    assert!(!first.working);
    assert_eq!(a.late[1].due_at, wib(11, 30, 14, 0));
    // With the office calendar, lateness is working time, as the office's reports count it.
    let worked = overdue::overdue(&client, now, Some(&config.calendar), Some(&[A.to_string()]))
        .await
        .expect("overdue");
    assert_eq!(worked.offices.len(), 1);
    let late: Vec<(u64, u64, &str, bool)> = worked.offices[0]
        .late
        .iter()
        .map(|s| {
            (
                s.complaint,
                s.late_minutes,
                s.late_label.as_str(),
                s.working,
            )
        })
        .collect();
    assert_eq!(
        late,
        [
            (1, 1290, "21 jam 30 menit", true),
            (3, 1170, "19 jam 30 menit", true)
        ]
    );
    let b = o.offices.iter().find(|x| x.office.code == B).expect("B");
    assert_eq!((b.open, b.late.len(), b.unknown), (2, 0, 1));
    let c = o.offices.iter().find(|x| x.office.code == C).expect("C");
    assert_eq!((c.open, c.late.len(), c.unknown), (0, 0, 0));
    // On Monday at 10:59 the same steps were waiting and none was due yet.
    let before = overdue::overdue(&client, wib(11, 30, 10, 59), None, Some(&[A.to_string()]))
        .await
        .expect("overdue");
    assert!(
        before.offices[0].late.is_empty(),
        "{:?}",
        before.offices[0].late
    );

    // The IKM over November and December, floor 5.
    let v = ikm::ikm(&client, &q, day(11, 1), day(12, 31), 5, None)
        .await
        .expect("ikm");
    let a = v.offices.iter().find(|x| x.office.code == A).expect("A");
    assert_eq!(a.respondents, 7);
    let s = a.summary.as_ref().expect("shown");
    let i = s.ikm.as_ref().expect("index");
    assert_eq!(
        (i.hundredths, a.band(&v.bands).map(|b| b.grade.as_str())),
        (8920, Some("A"))
    );
    // The office's own report over the same responses says the same, to every element.
    let office = SurveyReport::build(day(11, 1), day(12, 31), &a_survey, &q, &[]).overall;
    assert_eq!(s, &office);
    let months: Vec<(NaiveDate, u64, Option<u32>)> = a
        .months
        .iter()
        .map(|m| {
            (
                m.month,
                m.respondents,
                m.summary
                    .as_ref()
                    .and_then(|s| s.ikm.as_ref())
                    .map(|i| i.hundredths),
            )
        })
        .collect();
    assert_eq!(months, [(day(11, 1), 6, Some(8741)), (day(12, 1), 1, None)]);
    let b = v.offices.iter().find(|x| x.office.code == B).expect("B");
    assert_eq!((b.respondents, b.summary.is_none()), (3, true));
    let c = v.offices.iter().find(|x| x.office.code == C).expect("C");
    assert_eq!(
        (c.respondents, c.summary.is_none(), c.months.len()),
        (0, true, 0)
    );
    // November alone: 87.41, B.
    let nov = ikm::ikm(
        &client,
        &q,
        day(11, 1),
        day(11, 30),
        5,
        Some(&[A.to_string()]),
    )
    .await
    .expect("ikm");
    let i = nov.offices[0]
        .summary
        .as_ref()
        .and_then(|s| s.ikm.clone())
        .expect("index");
    assert_eq!(
        (
            i.hundredths,
            nov.offices[0].band(&nov.bands).map(|b| b.grade.as_str())
        ),
        (8741, Some("B"))
    );

    // A viewer who may see B and C only (and names an office the city does not have).
    let allowed = [B.to_string(), C.to_string(), "3271-NONE".to_string()];
    let w = waits::waits(&client, TZ, day(11, 2), day(11, 2), Some(&allowed))
        .await
        .expect("waits");
    let o = overdue::overdue(&client, now, None, Some(&allowed))
        .await
        .expect("overdue");
    let v = ikm::ikm(&client, &q, day(11, 1), day(12, 31), 5, Some(&allowed))
        .await
        .expect("ikm");
    let codes = |c: Vec<&str>| c.into_iter().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        codes(w.offices.iter().map(|o| o.office.code.as_str()).collect()),
        [C, B]
    );
    assert_eq!(
        codes(o.offices.iter().map(|o| o.office.code.as_str()).collect()),
        [C, B]
    );
    assert_eq!(
        codes(v.offices.iter().map(|o| o.office.code.as_str()).collect()),
        [C, B]
    );
    assert_eq!(o.offices[1].unknown, 1);

    // The charts: one bar row per office, its name and figure written, escaped by plotters.
    let w = waits::waits(&client, TZ, day(11, 2), day(11, 2), None)
        .await
        .expect("waits");
    let o = overdue::overdue(&client, now, None, None)
        .await
        .expect("overdue");
    let v = ikm::ikm(&client, &q, day(11, 1), day(12, 31), 5, None)
        .await
        .expect("ikm");
    let svg = view::charts::median_waits(&w);
    assert!(
        svg.starts_with("<svg") && svg.contains("Dinas Kependudukan"),
        "{svg}"
    );
    assert!(
        svg.contains("10,0 (p90 35,0)"),
        "A's median 600 s, p90 2100 s: {svg}"
    );
    assert!(svg.contains("5,0 (p90 9,0)"), "{svg}");
    let svg = view::charts::overdue_counts(&o);
    assert!(
        svg.contains("DPMPTSP") && svg.contains("\n2\n</text>"),
        "{svg}"
    );
    let svg = view::charts::ikm_by_office(&v);
    assert!(svg.contains("89,20 A"), "{svg}");
    assert!(svg.contains("— (3 responden)"), "B below the floor: {svg}");
}

/// Rows sent before migration 002 (by a build without the level and the waiting step on
/// every action) get their typed columns from their bodies: the level from the complaint's
/// opening; the step stays unknown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_002_fills_the_rows_already_there() {
    let pg = Cluster::start();
    pg.psql("postgres", &format!("CREATE DATABASE {DB}"));
    let (v1, sql) = loket::city::schema::MIGRATIONS[0];
    assert_eq!(v1, 1);
    pg.psql(DB, sql);
    pg.psql(
        DB,
        "INSERT INTO loket.schema_migrations (version) VALUES (1)",
    );
    let body = |v: u32, change: &str| {
        format!(
            r#"{{"kind": "complaint_action", "complaint": 4, "number": "PGD/2026/11/0004", "version": {v}, "at": "2026-11-30T02:00:00Z", "flow": "skala_besar", "change": {change}, "closed": false, "seq": {v}}}"#
        )
    };
    for (v, change) in [
        (
            1,
            r#"{"change": "opened", "flow": "skala_besar", "flow_version": "x", "level": "besar", "intake": {"kind": "channel", "channel": "letter"}}"#,
        ),
        (2, r#"{"change": "completed", "step": 3, "round": 1}"#),
    ] {
        let kind = if v == 1 { "opened" } else { "completed" };
        pg.psql(
            DB,
            &format!(
                "INSERT INTO loket.complaint_actions (office_code, seq, at, complaint, number, version, flow, change, closed, body) \
                 VALUES ('{A}', {v}, now(), 4, 'PGD/2026/11/0004', {v}, 'skala_besar', '{kind}', false, '{}')",
                body(v, change)
            ),
        );
    }
    let out = loket(&["city", "init", "--url", &pg.admin_url(DB)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("versi [2"), "{text}");
    assert_eq!(
        pg.psql(
            DB,
            "SELECT version, level, open_step IS NULL, open_due_at IS NULL FROM loket.complaint_actions ORDER BY version"
        ),
        "1|besar|t|t\n2|besar|t|t"
    );
    // add-office with a name, on the migrated schema (an empty name is refused as bad
    // input); the office's old complaint shows as open and not known.
    let pw = pg.file("x.pw", "x-kata-sandi-yang-panjang\n");
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args([
            "city",
            "add-office",
            "--url",
            &pg.admin_url(DB),
            "--code",
            "X",
            "--name",
            "  ",
        ])
        .args(["--role", "loket_x", "--office-password-file"])
        .arg(&pw)
        .output()
        .expect("run loket");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--name"));
    add_offices(&pg);
    assert_eq!(
        pg.psql(
            DB,
            &format!("SELECT name FROM loket.offices WHERE office_code = '{A}'")
        ),
        "Dinas Kependudukan"
    );
    let client = viewer(&pg).await;
    let o = overdue::overdue(&client, wib(12, 3, 10, 0), None, Some(&[A.to_string()]))
        .await
        .expect("overdue");
    assert_eq!(
        (
            o.offices[0].open,
            o.offices[0].unknown,
            o.offices[0].late.len()
        ),
        (1, 1, 0)
    );
}
