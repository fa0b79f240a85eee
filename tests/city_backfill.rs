//! The backfill against a real PostgreSQL (docs/city.md, "Backfill"): an office keeps three
//! days of history without `[city]` (tickets called and served, a complaint, a survey
//! answer, the audit chain); then `[city]` is set and the daemon started, and it goes on
//! issuing and serving while the history is backfilled. The server ends with exactly
//! `1..=last` for the office: every audit entry once and in the chain's order, every ticket's
//! steps as its events in their order (the live ones and the history's, each once), the
//! complaint's actions and the survey answer.

mod common;

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::postgres::Cluster;
use common::{TestApp, test_config, wib};
use loket::audit::Who;
use loket::clock::FakeClock;
use loket::config::{CityConfig, Config, PersonalFields};
use loket::queue::CounterOp;
use loket::survey::response::{Answers, Channel};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;

const DB: &str = "kota";
const CODE: &str = "3271-DUKCAPIL";
const ROLE: &str = "loket_dukcapil";
const TICKETS: TableDefinition<u64, &[u8]> = TableDefinition::new("tickets");

fn loket(args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .output()
        .expect("run loket");
    assert!(
        out.status.success(),
        "loket {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn city() -> Cluster {
    let pg = Cluster::start();
    pg.psql("postgres", &format!("CREATE DATABASE {DB}"));
    let url = pg.admin_url(DB);
    loket(&["city", "init", "--url", &url]);
    let pw = pg.file(
        &format!("{ROLE}.pw"),
        &format!("{ROLE}-kata-sandi-panjang\n"),
    );
    loket(&[
        "city",
        "add-office",
        "--url",
        &url,
        "--code",
        CODE,
        "--role",
        ROLE,
        "--office-password-file",
        pw.to_str().expect("path"),
    ]);
    pg
}

fn office() -> Config {
    let mut c = test_config();
    c.office.code = CODE.to_string();
    c
}

fn who(n: &str) -> Who {
    Who::new(n, "192.168.1.40")
}

/// A day of the office: `n` tickets issued, the first `served` of them called, served and
/// finished at counter 1.
async fn day(app: &TestApp, n: usize, served: usize) -> Vec<u64> {
    let store = app.state().store;
    let mut ids = Vec::new();
    for _ in 0..n {
        let t = store
            .issue("A".to_string(), false, who("kiosk"))
            .await
            .expect("issue");
        ids.push(t.ticket.id);
    }
    for _ in 0..served {
        for op in [CounterOp::CallNext, CounterOp::Serve, CounterOp::Finish] {
            store.counter_op(1, op, who("op")).await.expect("counter");
        }
    }
    ids
}

fn answers() -> Answers {
    Answers {
        profile: BTreeMap::from([("jenis_kelamin".to_string(), "Perempuan".to_string())]),
        scores: [
            "persyaratan",
            "prosedur",
            "waktu",
            "biaya",
            "produk",
            "kompetensi",
            "perilaku",
            "pengaduan",
            "sarana",
        ]
        .iter()
        .map(|e| (e.to_string(), 4))
        .collect(),
        suggestion: "Antrean cepat".to_string(),
    }
}

/// The history's event types of a stored ticket's steps, as the live stream names them.
fn event_types(ticket: &Value) -> Vec<String> {
    ticket["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|s| match s["action"].as_str().expect("action") {
            "printed" | "not_printed" | "day_closed" => None,
            "reprint" => Some("reprinted".to_string()),
            other => Some(other.to_string()),
        })
        .collect()
}

fn stored_tickets(data: &Path) -> BTreeMap<u64, Value> {
    let db = redb::Database::open(data.join("loket.redb")).expect("open");
    let txn = db.begin_read().expect("read");
    let t = txn.open_table(TICKETS).expect("tickets");
    t.iter()
        .expect("iter")
        .map(|row| {
            let (k, v) = row.expect("row");
            (
                k.value(),
                serde_json::from_slice(v.value()).expect("ticket"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_from_before_the_city_section_reaches_the_server_in_order() {
    let pg = city();
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let clock = Arc::new(FakeClock::new(wib(2026, 11, 30, 9, 0)));

    // Three days without `[city]`.
    let app = TestApp::spawn_in(&data, clock.clone(), office()).await;
    app.create_user("petugas", &[loket::auth::Role::ComplaintOfficer])
        .await;
    let store = app.state().store;
    let first = day(&app, 120, 40).await;
    store
        .survey_submit(first[0], answers(), Channel::Phone)
        .await
        .expect("survey answered");
    let new = loket::store::NewComplaint {
        source: loket::store::Source::Channel(loket::complaint::Channel::Letter),
        level: loket::complaint::Level::Kecil,
        identity: loket::store::Identity {
            name: "Siti Rahayu".to_string(),
            address: "Jl. Pajajaran No. 5, Bogor".to_string(),
            phone: "0812-3456-7890".to_string(),
            email: "warga@example.com".to_string(),
            nik: None,
            rahasia: false,
        },
        service: "KTP-el".to_string(),
        what_happened: "KTP-el belum jadi setelah tiga bulan.".to_string(),
        happened_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 2),
        shortfall: "Melewati standar waktu 14 hari.".to_string(),
        remedy: "KTP-el segera dicetak.".to_string(),
    };
    let c = store
        .open_complaint(new, who("petugas"))
        .await
        .expect("opened");
    let action = loket::complaint::Action {
        step: c.workflow.current_step().map_or(0, |s| s.no),
        version: c.workflow.version(),
        kind: loket::complaint::ActionKind::Complete {
            note: Some("Berkas diterima".to_string()),
            documents: Vec::new(),
        },
    };
    store
        .act_on_complaint(c.seq(), action, who("petugas"))
        .await
        .expect("step done");
    app.walk_clock_to(wib(2026, 12, 1, 9, 0)).await;
    day(&app, 120, 60).await;
    app.walk_clock_to(wib(2026, 12, 2, 9, 0)).await;
    day(&app, 120, 30).await;
    let audit_before = store.audit_entries().await.expect("audit").len();
    assert_eq!(store.outbox_state().await.expect("outbox").last, 0);
    app.stop().await;

    // `[city]` set; the day goes on while the history is backfilled: new tickets, and
    // tickets of the history called and served.
    let mut config = office();
    config.city = Some(CityConfig {
        url: pg.tcp_url(ROLE, DB),
        password_file: Some(pg.file(
            &format!("{ROLE}.pw"),
            &format!("{ROLE}-kata-sandi-panjang\n"),
        )),
        server_certificate: Some(pg.cert.clone()),
        batch_size: 100,
        retry_max_secs: 1,
        round_timeout_secs: 60,
        connect_timeout_secs: 15,
        personal: PersonalFields::default(),
    });
    clock.set(wib(2026, 12, 2, 10, 0));
    let app = TestApp::spawn_in(&data, clock.clone(), config).await;
    let store = app.state().store;
    let during = store.outbox_state().await.expect("outbox");
    day(&app, 30, 40).await;

    let deadline = Instant::now() + Duration::from_secs(60);
    let last = loop {
        let st = store.outbox_state().await.expect("outbox");
        if !st.backfilling && st.backlog() == 0 && st.acked > 0 {
            break st.acked;
        }
        assert!(Instant::now() < deadline, "not drained: {st:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let audit = store.audit_entries().await.expect("audit");
    let actions = store.complaint_actions(c.seq()).await.expect("actions");
    app.stop().await;
    eprintln!(
        "history: {audit_before} audit entries; at the start: {during:?}; last number {last}"
    );
    assert!(audit.len() > audit_before);

    // Exactly 1..=last.
    let all = format!(
        "SELECT seq FROM loket.ticket_events WHERE office_code = '{CODE}' \
         UNION ALL SELECT seq FROM loket.complaint_actions WHERE office_code = '{CODE}' \
         UNION ALL SELECT seq FROM loket.survey_responses WHERE office_code = '{CODE}' \
         UNION ALL SELECT seq FROM loket.audit_hashes WHERE office_code = '{CODE}'"
    );
    let span = pg.psql(
        DB,
        &format!("SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM ({all}) r"),
    );
    assert_eq!(
        span,
        format!("{last}|{last}|1|{last}"),
        "rows, distinct, min, max"
    );

    // The audit chain: every entry once, in its order.
    let on_server: Vec<String> = pg
        .psql(
            DB,
            &format!(
                "SELECT audit_seq || ':' || hash FROM loket.audit_hashes \
                 WHERE office_code = '{CODE}' ORDER BY seq"
            ),
        )
        .lines()
        .map(str::to_string)
        .collect();
    let on_disk: Vec<String> = audit
        .iter()
        .map(|e| format!("{}:{}", e.seq, e.hash))
        .collect();
    assert_eq!(on_server, on_disk);

    // Every ticket's steps as its events, each once, in order.
    let mut events: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for l in pg
        .psql(
            DB,
            &format!(
                "SELECT ticket_id, type FROM loket.ticket_events \
                 WHERE office_code = '{CODE}' AND ticket_id IS NOT NULL ORDER BY seq"
            ),
        )
        .lines()
    {
        let (id, kind) = l.split_once('|').expect("row");
        events
            .entry(id.parse().expect("id"))
            .or_default()
            .push(kind.to_string());
    }
    let tickets = stored_tickets(&data);
    assert_eq!(tickets.len(), 390);
    for (id, t) in &tickets {
        assert_eq!(
            events.get(id).cloned().unwrap_or_default(),
            event_types(t),
            "ticket {id}"
        );
    }
    assert_eq!(
        events.keys().collect::<BTreeSet<_>>(),
        tickets.keys().collect()
    );
    // The first day's went from the history.
    let from_history = pg.psql(
        DB,
        &format!(
            "SELECT count(*) FROM loket.ticket_events WHERE office_code = '{CODE}' \
             AND ticket_id = {} AND type = 'issued' AND body->>'from_history' = 'true'",
            first[5]
        ),
    );
    assert_eq!(from_history, "1");
    // Each event type carries the ticket's state as live events do: the city's counts of
    // served and no-show tickets read it.
    let pairs = |history: bool| {
        pg.psql(
            DB,
            &format!(
                "SELECT DISTINCT type || ':' || coalesce(body->'change'->'ticket'->>'state', '-') \
                 || ':' || coalesce(body->'change'->'ticket'->>'state_label', '-') \
                 FROM loket.ticket_events WHERE office_code = '{CODE}' AND ticket_id IS NOT NULL \
                 AND coalesce(body->>'from_history', 'false') = '{history}' ORDER BY 1"
            ),
        )
    };
    let (backfilled, live) = (pairs(true), pairs(false));
    assert!(
        backfilled.contains("finished:done:Selesai"),
        "backfilled: {backfilled}"
    );
    assert_eq!(backfilled, live, "states of backfilled and live events");

    // The complaint's actions in their order, without the complainant; the survey answer.
    let versions: Vec<String> = pg
        .psql(
            DB,
            &format!(
                "SELECT version FROM loket.complaint_actions WHERE office_code = '{CODE}' \
                 AND complaint = {} ORDER BY seq",
                c.seq()
            ),
        )
        .lines()
        .map(str::to_string)
        .collect();
    let expected: Vec<String> = actions.iter().map(|a| a.seq.to_string()).collect();
    assert_eq!(versions, expected);
    assert!(versions.len() >= 2);
    let named = pg.psql(
        DB,
        "SELECT count(*) FROM loket.complaint_actions WHERE body::text LIKE '%Siti%'",
    );
    assert_eq!(named, "0");
    let surveys = pg.psql(
        DB,
        &format!("SELECT count(*) FROM loket.survey_responses WHERE office_code = '{CODE}'"),
    );
    assert_eq!(surveys, "1");
}

/// The figures in docs/city.md ("Backfill"): a year of a busy office's history (75 000
/// tickets of 250 days, each issued, called, served and finished; 300 000 audit entries;
/// 15 000 survey answers) written into the file, then the daemon started with `[city]` (a
/// server it cannot reach: the backfill does not wait on the city). Measured: the whole
/// backfill, each step as the store runs it, and the kiosk's issue times during it and
/// after. `cargo test --release --test city_backfill -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: minutes in a debug build"]
async fn a_year_of_history_is_backfilled_in_short_steps() {
    const DAYS: u64 = 250;
    const PER_DAY: u64 = 300;
    const AUDIT_PER_TICKET: u64 = 4;
    const SURVEYS: u64 = 15_000;
    const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
    const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
    const RESPONSES: TableDefinition<(i32, u64), &[u8]> = TableDefinition::new("survey_responses");

    // The backfill task logs its longest step.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("loket::city::backfill=info")
        .with_test_writer()
        .try_init();
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let clock = Arc::new(FakeClock::new(wib(2026, 11, 30, 9, 0)));
    // One real ticket served and answered: the templates of the year's records.
    let app = TestApp::spawn_in(&data, clock.clone(), office()).await;
    let store = app.state().store;
    let t = day(&app, 1, 1).await;
    store
        .survey_submit(t[0], answers(), Channel::Phone)
        .await
        .expect("survey answered");
    app.stop().await;

    let started = Instant::now();
    {
        let db = redb::Database::open(data.join("loket.redb")).expect("open");
        let txn = db.begin_write().expect("txn");
        {
            let mut tickets = txn.open_table(TICKETS).expect("tickets");
            let template: Value =
                serde_json::from_slice(tickets.get(1).expect("get").expect("ticket 1").value())
                    .expect("json");
            for i in 0..DAYS * PER_DAY {
                let id = 2 + i;
                let mut t = template.clone();
                t["id"] = Value::from(id);
                t["number"] = Value::from(i % PER_DAY + 1);
                t["label"] = Value::from(format!("A-{:03}", i % PER_DAY + 1));
                let day = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).expect("day")
                    + chrono::Duration::days((i / PER_DAY) as i64);
                t["service_day"] = Value::from(day.to_string());
                let bytes = serde_json::to_vec(&t).expect("json");
                tickets.insert(id, bytes.as_slice()).expect("insert");
            }
            let mut audit = txn.open_table(AUDIT).expect("audit");
            let (last, template) = {
                let (k, v) = audit.last().expect("last").expect("an entry");
                let v: Value = serde_json::from_slice(v.value()).expect("json");
                (k.value(), v)
            };
            for seq in last + 1..=last + DAYS * PER_DAY * AUDIT_PER_TICKET {
                let mut e = template.clone();
                e["seq"] = Value::from(seq);
                e["hash"] = Value::from(format!("{seq:064x}"));
                let bytes = serde_json::to_vec(&e).expect("json");
                audit.insert(seq, bytes.as_slice()).expect("insert");
            }
            let mut responses = txn.open_table(RESPONSES).expect("responses");
            let (key, bytes) = {
                let (k, v) = responses.first().expect("first").expect("a response");
                (k.value(), v.value().to_vec())
            };
            for i in 0..SURVEYS {
                responses
                    .insert((key.0 - (i % 12) as i32 * 30, i), bytes.as_slice())
                    .expect("insert");
            }
            let mut meta = txn.open_table(META).expect("meta");
            let next = 2 + DAYS * PER_DAY;
            meta.insert("day_first_id", next).expect("meta");
            meta.insert("next_id", next).expect("meta");
        }
        txn.commit().expect("commit");
    }
    eprintln!(
        "history written in {:.1} s; file {} MB",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(data.join("loket.redb"))
            .expect("size")
            .len()
            >> 20
    );

    let mut config = office();
    config.city = Some(CityConfig {
        url: "host=/nonexistent/loket-test user=loket_a dbname=kota".to_string(),
        password_file: None,
        server_certificate: None,
        batch_size: 500,
        retry_max_secs: 1,
        round_timeout_secs: 60,
        connect_timeout_secs: 15,
        personal: PersonalFields::default(),
    });
    let app = TestApp::spawn_in(&data, clock.clone(), config).await;
    let store = app.state().store;
    let started = Instant::now();
    // The kiosk issues throughout, a ticket every 20 ms, until the backfill is done.
    let mut during = Vec::new();
    loop {
        let t0 = Instant::now();
        store
            .issue("A".to_string(), false, who("kiosk"))
            .await
            .expect("issue");
        during.push(t0.elapsed());
        if !store.outbox_state().await.expect("state").backfilling {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let total = started.elapsed();
    let mut idle = Vec::new();
    for _ in 0..during.len().max(50) {
        let t0 = Instant::now();
        store
            .issue("A".to_string(), false, who("kiosk"))
            .await
            .expect("issue");
        idle.push(t0.elapsed());
    }
    let records = store.outbox_state().await.expect("state").last;
    app.stop().await;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p = |v: &mut Vec<Duration>, q: f64| {
        v.sort();
        ms(v[((v.len() - 1) as f64 * q) as usize])
    };
    eprintln!(
        "backfill: {records} records in {:.1} s ({:.0} records/s)",
        total.as_secs_f64(),
        records as f64 / total.as_secs_f64(),
    );
    eprintln!(
        "issue during the backfill: {} tickets, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         after it: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        during.len(),
        p(&mut during, 0.5),
        p(&mut during, 0.99),
        p(&mut during, 1.0),
        p(&mut idle, 0.5),
        p(&mut idle, 0.99),
        p(&mut idle, 1.0),
    );
}
