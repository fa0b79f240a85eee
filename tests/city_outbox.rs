//! The city outbox (docs/city.md) in a real redb file: every acknowledged record is in it
//! once and in order after the daemon is SIGKILLed mid-load; complaint actions and survey
//! responses go without personal data; an office without `[city]` writes none.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::child::{Daemon, always_open_config};
use common::{TestApp, test_config, wib};
use loket::audit::{AuditEntry, Who};
use loket::clock::FakeClock;
use loket::config::{CityConfig, PersonalFields};
use loket::queue::CounterOp;
use loket::store::OutboxRecord;
use loket::survey::response::{Answers, Channel};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::{Value, json};

const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("city_outbox");
const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// A server on a Unix socket nobody listens on: the exporter (if any) never gets an
/// acknowledgement, so every row stays in the outbox for the test to read.
const UNREACHABLE: &str = "url = \"host=/nonexistent/loket-test user=loket_a dbname=kota\"";

fn city_config(dir: &Path) -> PathBuf {
    let base = std::fs::read_to_string(always_open_config()).expect("fixture");
    let path = dir.join("loket.toml");
    std::fs::write(
        &path,
        format!("{base}\n[city]\n{UNREACHABLE}\nretry_max_secs = 1\n"),
    )
    .expect("write config");
    path
}

fn open(data: &Path) -> redb::Database {
    redb::Database::open(data.join("loket.redb")).expect("open the daemon's file")
}

/// The outbox's rows in key order.
fn outbox(db: &redb::Database) -> Vec<(u64, OutboxRecord)> {
    let txn = db.begin_read().expect("read");
    let Ok(t) = txn.open_table(OUTBOX) else {
        return Vec::new();
    };
    t.iter()
        .expect("iter")
        .map(|row| {
            let (k, v) = row.expect("row");
            let r: OutboxRecord = serde_json::from_slice(v.value()).expect("record parses");
            (k.value(), r)
        })
        .collect()
}

fn audit(db: &redb::Database) -> Vec<AuditEntry> {
    let txn = db.begin_read().expect("read");
    let t = txn.open_table(AUDIT).expect("audit");
    t.iter()
        .expect("iter")
        .map(|row| serde_json::from_slice(row.expect("row").1.value()).expect("entry"))
        .collect()
}

async fn issue_until_error(base: String, service: &'static str, acked: Arc<Mutex<Vec<u64>>>) {
    let client = reqwest::Client::new();
    loop {
        let r = client
            .post(format!("{base}/api/v1/tickets"))
            .json(&json!({"service": service}))
            .send()
            .await;
        let Ok(r) = r else { return };
        if r.status().as_u16() != 201 {
            return;
        }
        let Ok(body) = r.json::<Value>().await else {
            return;
        };
        acked
            .lock()
            .expect("lock")
            .push(body["id"].as_u64().expect("id"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_load_leaves_every_acknowledged_record_once_in_order() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = city_config(tmp.path());
    let data = tmp.path().join("data");
    let acked: Arc<Mutex<Vec<u64>>> = Arc::new(Mutex::new(Vec::new()));
    for round in 0..3u64 {
        let daemon = Daemon::start(&config, &data);
        let at_start = acked.lock().expect("lock").len();
        let tasks: Vec<_> = ["A", "B"]
            .into_iter()
            .map(|s| tokio::spawn(issue_until_error(daemon.base.clone(), s, acked.clone())))
            .collect();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while acked.lock().expect("lock").len() < at_start + 20 {
            assert!(
                std::time::Instant::now() < deadline,
                "round {round}: no load"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // A different point of the load each round.
        tokio::time::sleep(Duration::from_millis(round * 17)).await;
        daemon.kill();
        for t in tasks {
            t.await.expect("client");
        }
    }

    let db = open(&data);
    let rows = outbox(&db);
    // Keys run 1..=n: nothing acknowledged by a server, nothing lost, nothing doubled.
    let keys: Vec<u64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(keys, (1..=rows.len() as u64).collect::<Vec<_>>());
    let last = db
        .begin_read()
        .expect("read")
        .open_table(META)
        .expect("meta")
        .get("outbox_last_seq")
        .expect("get")
        .map(|v| v.value());
    assert_eq!(last, Some(rows.len() as u64));

    // Every ticket a client got a 201 for was issued exactly once in the outbox, and the
    // queue events keep their committed order.
    let mut issued = HashSet::new();
    let mut event_seqs = Vec::new();
    let mut audit_seqs = Vec::new();
    for (_, r) in &rows {
        match r {
            OutboxRecord::TicketEvent {
                event_seq, change, ..
            } => {
                event_seqs.push(*event_seq);
                if change["type"] == "issued" {
                    let id = change["ticket"]["id"].as_u64().expect("ticket id");
                    assert!(issued.insert(id), "ticket {id} issued twice in the outbox");
                }
            }
            OutboxRecord::AuditHash { audit_seq, .. } => audit_seqs.push(*audit_seq),
            other => panic!("only queue events and audit hashes were made: {other:?}"),
        }
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= 60, "load too light: {}", acked.len());
    for id in &acked {
        assert!(
            issued.contains(id),
            "acknowledged ticket {id} is not in the outbox"
        );
    }
    assert!(event_seqs.windows(2).all(|w| w[0] < w[1]), "{event_seqs:?}");
    // The audit chain's hashes: every entry on disk, once, in chain order.
    let entries = audit(&db);
    assert_eq!(
        audit_seqs,
        entries.iter().map(|e| e.seq).collect::<Vec<_>>()
    );
    for (_, r) in &rows {
        if let OutboxRecord::AuditHash {
            audit_seq,
            hash,
            actor,
            ..
        } = r
        {
            let e = &entries[(*audit_seq - 1) as usize];
            assert_eq!(hash, &e.hash);
            assert_eq!(actor, &None, "no personal field was asked for");
        }
    }
    drop(db);

    // `loket check` reads the outbox and finds it whole.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["check", "--data"])
        .arg(&data)
        .output()
        .expect("loket check");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("city_outbox"))
        .unwrap_or_default();
    assert!(
        line.contains("OK") && line.contains(&format!("{} rows", rows.len())),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_city_section_nothing_is_written_to_the_outbox() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let daemon = Daemon::start(&always_open_config(), &data);
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let r = client
            .post(format!("{}/api/v1/tickets", daemon.base))
            .json(&json!({"service": "A"}))
            .send()
            .await
            .expect("issue");
        assert_eq!(r.status().as_u16(), 201);
    }
    daemon.kill();
    let db = open(&data);
    assert!(outbox(&db).is_empty());
    let txn = db.begin_read().expect("read");
    let meta = txn.open_table(META).expect("meta");
    assert!(meta.get("outbox_last_seq").expect("get").is_none());
}

const ELEMENTS: [&str; 9] = [
    "persyaratan",
    "prosedur",
    "waktu",
    "biaya",
    "produk",
    "kompetensi",
    "perilaku",
    "pengaduan",
    "sarana",
];

#[tokio::test]
async fn complaints_and_survey_answers_go_without_personal_data() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut config = test_config();
    config.city = Some(CityConfig {
        url: "host=/nonexistent/loket-test user=loket_a dbname=kota".to_string(),
        password_file: None,
        server_certificate: None,
        batch_size: 100,
        retry_max_secs: 1,
        round_timeout_secs: 60,
        connect_timeout_secs: 15,
        personal: PersonalFields::default(),
    });
    let clock = Arc::new(FakeClock::new(wib(2026, 12, 4, 9, 0)));
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), config).await;
    let store = app.state().store;
    let who = |n: &str| Who::new(n, "192.168.1.40");

    // A served ticket answers the survey, with a suggestion that names someone.
    let t = store
        .issue("A".to_string(), false, who("kiosk"))
        .await
        .expect("issue");
    for op in [CounterOp::CallNext, CounterOp::Serve, CounterOp::Finish] {
        store.counter_op(1, op, who("op")).await.expect("counter");
    }
    let answers = Answers {
        profile: BTreeMap::from([("jenis_kelamin".to_string(), "Perempuan".to_string())]),
        scores: ELEMENTS.iter().map(|e| (e.to_string(), 3)).collect(),
        suggestion: "Petugas Budi Santoso ramah".to_string(),
    };
    store
        .survey_submit(t.ticket.id, answers, Channel::Phone)
        .await
        .expect("answered");

    // A complaint by letter, with the complainant's identity.
    let new = loket::store::NewComplaint {
        source: loket::store::Source::Channel(loket::complaint::Channel::Letter),
        level: loket::complaint::Level::Kecil,
        identity: loket::store::Identity {
            name: "Siti Rahayu".to_string(),
            address: "Jl. Pajajaran No. 5, Bogor".to_string(),
            phone: "0812-3456-7890".to_string(),
            email: "warga@example.com".to_string(),
            nik: Some(loket::privacy::Nik::parse("3271011408850003").expect("nik")),
            rahasia: false,
        },
        service: "KTP-el".to_string(),
        what_happened: "KTP-el belum jadi setelah tiga bulan.".to_string(),
        happened_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 2),
        shortfall: "Melewati standar waktu 14 hari.".to_string(),
        remedy: "KTP-el segera dicetak.".to_string(),
    };
    app.create_user("petugas", &[loket::auth::Role::ComplaintOfficer])
        .await;
    let c = store
        .open_complaint(new, who("petugas"))
        .await
        .expect("opened");
    let step = c.workflow.current_step().map_or(0, |s| s.no);
    let action = loket::complaint::Action {
        step,
        version: c.workflow.version(),
        kind: loket::complaint::ActionKind::Complete {
            note: Some("Berkas Siti Rahayu diterima".to_string()),
            documents: Vec::new(),
        },
    };
    store
        .act_on_complaint(c.seq(), action, who("petugas"))
        .await
        .expect("step done");
    // The status page and /metrics show what the city has not received yet.
    let admin = app.staff("kepala", &[loket::auth::Role::Admin]).await;
    let html = app
        .as_staff(reqwest::Method::GET, "/console/status", &admin)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let backlog = store.outbox_state().await.expect("outbox").backlog();
    assert!(backlog >= 6, "{backlog}");
    assert!(
        html.contains(&format!("<strong id=\"city-backlog\">{backlog}</strong>")),
        "{html}"
    );
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(&format!("\nloket_city_outbox_backlog {backlog}\n")),
        "{metrics}"
    );
    let data = tmp.path().to_path_buf();
    app.stop().await;

    let db = open(&data);
    let rows = outbox(&db);
    let text = serde_json::to_string(&rows.iter().map(|r| &r.1).collect::<Vec<_>>()).expect("json");
    for personal in [
        "Siti",
        "3271011408850003",
        "0812",
        "Pajajaran",
        "Budi",
        // The staff account's name, as a JSON value (the SOP's step names, which ship, speak
        // of "petugas pengaduan").
        "\"petugas\"",
        "192.168",
    ] {
        assert!(!text.contains(personal), "{personal} shipped: {text}");
    }
    let actions: Vec<_> = rows
        .iter()
        .filter_map(|(_, r)| match r {
            OutboxRecord::ComplaintAction {
                number,
                version,
                change,
                ..
            } => Some((number.clone(), *version, change["change"].clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        actions,
        [
            (c.number.clone(), 1, json!("opened")),
            (c.number.clone(), 2, json!("completed")),
        ]
    );
    // Each action carries the level and the step then waiting, with its due time from the
    // office's calendar: after the opening and the step done, the next step is open.
    let after: Vec<_> = rows
        .iter()
        .filter_map(|(_, r)| match r {
            OutboxRecord::ComplaintAction {
                level, open_step, ..
            } => Some((*level, open_step.clone())),
            _ => None,
        })
        .collect();
    let steps: Vec<u32> = after
        .iter()
        .filter_map(|(_, o)| o.as_ref().map(|o| o.step))
        .collect();
    assert_eq!(steps.len(), 2, "{after:?}");
    assert!(steps[1] > steps[0], "{after:?}");
    for (level, open) in &after {
        assert_eq!(*level, Some(c.workflow.level()));
        let open = open.as_ref().expect("a step waiting");
        assert!(open.due_at.is_some_and(|d| d > open.started_at), "{open:?}");
        assert!(!open.name.is_empty() && !open.standard.is_empty());
    }
    let survey: Vec<_> = rows
        .iter()
        .filter(|(_, r)| matches!(r, OutboxRecord::SurveyResponse { .. }))
        .collect();
    assert_eq!(survey.len(), 1, "{text}");
    assert!(text.contains("\"jenis_kelamin\":\"Perempuan\""), "{text}");
}

/// An exporter round with nothing to send asks the store for no read: each read costs the
/// store a thread, and an idle office has a round every few seconds all day.
#[tokio::test]
async fn a_round_with_nothing_to_send_reads_nothing() {
    let app = TestApp::spawn().await;
    let store = app.state().store;
    let city = CityConfig {
        url: "host=/nonexistent/loket-test user=loket_a dbname=kota".to_string(),
        password_file: None,
        server_certificate: None,
        batch_size: 100,
        retry_max_secs: 1,
        round_timeout_secs: 60,
        connect_timeout_secs: 1,
        personal: PersonalFields::default(),
    };
    let mut client = None;
    for _ in 0..3 {
        let r = loket::city::export::round(&store, &city, "3201", &mut client)
            .await
            .expect("round");
        assert_eq!(r, loket::city::export::Round::Empty);
    }
    assert_eq!(store.outbox_reads(), 0);
    app.stop().await;
}
