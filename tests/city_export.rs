//! Export to a real PostgreSQL (docs/city.md): `loket city init` and `add-office` on an
//! empty cluster; three appliances (three data directories, the real daemon) export over
//! TLS with the pinned certificate; one is SIGKILLed while its batches are going out and
//! catches up after a restart. The central rows per office equal the office's outbox, with no
//! duplicate and no gap. An office's role cannot write or change another office's rows, and
//! a server showing another certificate is refused.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::child::{Daemon, always_open_config};
use common::postgres::Cluster;
use common::tcp_proxy::{Mode, TcpProxy};
use loket::city::connect::{Target, connect};
use serde_json::{Value, json};

const DB: &str = "kota";
const OFFICES: [(&str, &str); 3] = [
    ("3271-DUKCAPIL", "loket_dukcapil"),
    ("3271-DPMPTSP", "loket_dpmptsp"),
    ("3271-MPP", "loket_mpp"),
];

fn loket(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .output()
        .expect("run loket")
}

/// A cluster with the city database made by `loket city init` and the three offices' roles
/// by `loket city add-office`.
fn city() -> Cluster {
    let pg = Cluster::start();
    pg.psql("postgres", &format!("CREATE DATABASE {DB}"));
    let url = pg.admin_url(DB);
    let out = loket(&["city", "init", "--url", &url]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every migration, from the first.
    assert!(text.contains("versi [1, 2"), "{text}");
    // A second run finds it done.
    let again = loket(&["city", "init", "--url", &url]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("sudah terbaru"));
    for (code, role) in OFFICES {
        let pw = pg.file(
            &format!("{role}.pw"),
            &format!("{role}-kata-sandi-panjang\n"),
        );
        let pw = pw.to_str().expect("path");
        let out = loket(&[
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
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A role name that is not an identifier is refused as bad input.
    let bad = loket(&[
        "city",
        "add-office",
        "--url",
        &url,
        "--code",
        "X",
        "--role",
        "x; DROP TABLE loket.offices",
        "--office-password-file",
        pg.file("loket_dukcapil.pw", "loket_dukcapil-kata-sandi-panjang\n")
            .to_str()
            .expect("path"),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    pg
}

/// An office's configuration: its `[city]` reaches the server at `port` (the cluster's, or
/// the test's proxy in front of it), with `extra` settings.
fn office_config(
    pg: &Cluster,
    dir: &Path,
    code: &str,
    role: &str,
    port: u16,
    extra: &str,
) -> PathBuf {
    let base = std::fs::read_to_string(always_open_config()).expect("fixture");
    let base = base.replacen("[office]\n", &format!("[office]\ncode = \"{code}\"\n"), 1);
    let pw = pg.file(
        &format!("{role}.pw"),
        &format!("{role}-kata-sandi-panjang\n"),
    );
    let path = dir.join(format!("{role}.toml"));
    std::fs::write(
        &path,
        format!(
            "{base}\n[city]\nurl = \"host=127.0.0.1 port={port} user={role} dbname={DB}\"\npassword_file = \"{}\"\nserver_certificate = \"{}\"\nbatch_size = 40\nretry_max_secs = 1\n{extra}",
            pw.display(),
            pg.cert.display()
        ),
    )
    .expect("config");
    path
}

/// Issues up to `n` tickets, `pace` apart, until `stop`; stops at the first that fails (its
/// daemon was killed) and returns false then.
async fn issue(
    base: &str,
    n: usize,
    ids: &Mutex<Vec<u64>>,
    pace: Duration,
    stop: &AtomicBool,
) -> bool {
    let client = reqwest::Client::new();
    for i in 0..n {
        if stop.load(Ordering::SeqCst) {
            return true;
        }
        let service = ["A", "B", "C"][i % 3];
        let Ok(r) = client
            .post(format!("{base}/api/v1/tickets"))
            .json(&json!({"service": service}))
            .send()
            .await
        else {
            return false;
        };
        if r.status().as_u16() != 201 {
            return false;
        }
        let Ok(body) = r.json::<Value>().await else {
            return false;
        };
        ids.lock()
            .expect("lock")
            .push(body["id"].as_u64().expect("id"));
        if !pace.is_zero() {
            // Load shaping, not waiting: an office's kiosk issues at a human rate, and the
            // cut office's backlog must stay a few thousand rows, not grow without bound.
            tokio::time::sleep(pace).await;
        }
    }
    true
}

/// `(backlog, acked)` from the daemon's `/metrics`.
async fn outbox_figures(base: &str) -> (u64, u64) {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let figure = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from /metrics:\n{text}"))
    };
    (
        figure("loket_city_outbox_backlog"),
        figure("loket_city_outbox_acked"),
    )
}

/// Waits (on the real processes, bounded) until the office's outbox is empty.
async fn drained(base: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (backlog, acked) = outbox_figures(base).await;
        if backlog == 0 && acked > 0 {
            return acked;
        }
        assert!(Instant::now() < deadline, "backlog {backlog} not drained");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const ALL_ROWS: &str = "SELECT office_code, seq FROM loket.ticket_events \
     UNION ALL SELECT office_code, seq FROM loket.complaint_actions \
     UNION ALL SELECT office_code, seq FROM loket.survey_responses \
     UNION ALL SELECT office_code, seq FROM loket.audit_hashes";

/// Rows on the server for one office.
fn on_server(pg: &Cluster, code: &str) -> u64 {
    pg.psql(
        DB,
        &format!("SELECT count(*) FROM ({ALL_ROWS}) r WHERE office_code = '{code}'"),
    )
    .parse()
    .expect("count")
}

/// Polls `what` until it holds, on the real processes, within `secs`.
async fn until(secs: u64, why: &str, mut what: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !what().await {
        assert!(Instant::now() < deadline, "not within {secs} s: {why}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The city's network to office 3 (`OFFICES[2]`) is cut, then blackholed, while it has a
/// backlog and is sending; it issues on (201s, the backlog growing on `/metrics`) and the
/// server gets nothing from it; healed, it catches up.
async fn cut_and_blackhole(pg: &Cluster, proxy: &TcpProxy, base: &str, ids: &Mutex<Vec<u64>>) {
    let (code, _) = OFFICES[2];
    let issued = || ids.lock().expect("lock").len();
    // Several batches in through the proxy, and more waiting.
    until(60, "office 3 exporting with a backlog", async || {
        on_server(pg, code) > 120 && outbox_figures(base).await.0 > 0
    })
    .await;

    // (a) Every live connection closed mid-stream; new ones reset at once.
    proxy.set(Mode::Cut);
    let t = Instant::now();
    let before = issued();
    until(30, "the exporter refused", async || {
        proxy.count(|c| &c.refused) >= 1
    })
    .await;
    let frozen = on_server(pg, code);
    let mut backlog = 0;
    until(30, "office 3 issuing while cut", async || {
        backlog = outbox_figures(base).await.0;
        proxy.count(|c| &c.refused) >= 2 && issued() >= before + 50 && backlog >= 50
    })
    .await;
    assert_eq!(
        on_server(pg, code),
        frozen,
        "rows arrived through a cut network"
    );
    assert!(proxy.count(|c| &c.cut) >= 1, "no live connection was cut");
    eprintln!(
        "cut {:.1} s: {} tickets issued meanwhile, backlog {backlog}, {} attempts refused",
        t.elapsed().as_secs_f64(),
        issued() - before,
        proxy.count(|c| &c.refused)
    );

    // Healed: the exporter connects again and sends.
    proxy.set(Mode::Forward);
    until(30, "office 3 sending again after the cut", async || {
        on_server(pg, code) > frozen
    })
    .await;

    // (b) The network vanishes without a reset: the live connection goes silent, new ones
    // are accepted and never answered. Only the exporter's round and connect timeouts
    // (2 s and 1 s here) get it out, and it tries again.
    let stalled_before = proxy.count(|c| &c.stalled);
    proxy.set(Mode::Blackhole);
    let t = Instant::now();
    let before = issued();
    until(30, "the exporter tried a new connection", async || {
        proxy.count(|c| &c.swallowed) >= 1
    })
    .await;
    let frozen = on_server(pg, code);
    until(30, "office 3 issuing into the blackhole", async || {
        backlog = outbox_figures(base).await.0;
        proxy.count(|c| &c.swallowed) >= 2 && issued() >= before + 50 && backlog >= 50
    })
    .await;
    assert_eq!(
        on_server(pg, code),
        frozen,
        "rows arrived through a blackhole"
    );
    assert!(
        proxy.count(|c| &c.stalled) > stalled_before,
        "no live connection went silent"
    );
    eprintln!(
        "blackhole {:.1} s: {} tickets issued meanwhile, backlog {backlog}, {} silent attempts",
        t.elapsed().as_secs_f64(),
        issued() - before,
        proxy.count(|c| &c.swallowed)
    );
    proxy.set(Mode::Forward);
    until(
        30,
        "office 3 sending again after the blackhole",
        async || on_server(pg, code) > frozen,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_offices_export_one_killed_one_cut_and_both_catch_up() {
    let started = Instant::now();
    let pg = city();
    let proxy = TcpProxy::start(([127, 0, 0, 1], pg.port).into()).await;
    let tmp = tempfile::tempdir().expect("tmp");
    let mut daemons = Vec::new();
    let mut issued = Vec::new();
    for (i, (code, role)) in OFFICES.iter().enumerate() {
        // The third office reaches the server through the proxy, with short timeouts so
        // that a silent network costs the test seconds, not minutes.
        let (port, extra) = if i == 2 {
            (
                proxy.port,
                "round_timeout_secs = 2\nconnect_timeout_secs = 1\n",
            )
        } else {
            (pg.port, "")
        };
        let config = office_config(&pg, tmp.path(), code, role, port, extra);
        let data = tmp.path().join(format!("data-{i}"));
        daemons.push((Daemon::start(&config, &data), config, data));
        issued.push(Arc::new(Mutex::new(Vec::new())));
    }
    // Every office issues; the first one until it is killed, so that it is killed with
    // batches going out; the third until its network has been cut and healed.
    let stop = Arc::new(AtomicBool::new(false));
    let loads = [
        (usize::MAX, Duration::ZERO),
        (60, Duration::ZERO),
        (usize::MAX, Duration::from_millis(4)),
    ];
    let mut tasks = Vec::new();
    for (i, (n, pace)) in loads.into_iter().enumerate() {
        let base = daemons[i].0.base.clone();
        let (ids, stop) = (issued[i].clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            issue(&base, n, &ids, pace, &stop).await
        }));
    }

    // Kill the first office while it is issuing and its batches are going out: some of its
    // rows are on the server, not all.
    let (code0, _) = OFFICES[0];
    until(60, "the first office exporting", async || {
        on_server(&pg, code0) > 80 && issued[0].lock().expect("lock").len() >= 150
    })
    .await;
    let (first, config0, data0) = daemons.remove(0);
    let (backlog, _) = outbox_figures(&first.base).await;
    first.kill();
    let mut tasks = tasks.into_iter();
    let first_load = tasks.next().expect("task");
    assert!(
        !first_load.await.expect("load"),
        "the killed office's load ended early"
    );
    assert!(
        backlog > 0,
        "killed with nothing left to send: not mid-export"
    );
    eprintln!("first office killed with {backlog} records not yet on the server");
    // It restarts and catches up from its acknowledged number while the third is cut.
    let restarted = Daemon::start(&config0, &data0);

    cut_and_blackhole(&pg, &proxy, &daemons[1].0.base, &issued[2]).await;
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        assert!(t.await.expect("load"), "an office refused a ticket");
    }

    let mut last = HashMap::new();
    last.insert(code0, drained(&restarted.base).await);
    for (i, (d, _, _)) in daemons.iter().enumerate() {
        last.insert(OFFICES[i + 1].0, drained(&d.base).await);
    }

    // Central rows per office: exactly 1..=last, once each.
    let rows = pg.psql(
        DB,
        &format!(
            "SELECT office_code, count(*), count(DISTINCT seq), min(seq), max(seq) \
             FROM ({ALL_ROWS}) r GROUP BY office_code ORDER BY office_code"
        ),
    );
    eprintln!("per office (code|rows|distinct|min|max):\n{rows}");
    let mut seen = 0;
    for line in rows.lines() {
        let f: Vec<&str> = line.split('|').collect();
        let n = last[f[0]];
        assert_eq!(
            f[1..],
            [n.to_string(), n.to_string(), "1".to_string(), n.to_string()],
            "office {}: rows, distinct, min, max",
            f[0]
        );
        seen += 1;
    }
    assert_eq!(seen, 3, "{rows}");
    let total: u64 = pg
        .psql(DB, &format!("SELECT count(*) FROM ({ALL_ROWS}) r"))
        .parse()
        .expect("count");
    assert_eq!(total, last.values().sum::<u64>());

    // Every ticket a client got a 201 for is on the server once, under its own office.
    for (i, (code, _)) in OFFICES.iter().enumerate() {
        let ids: HashSet<u64> = pg
            .psql(
                DB,
                &format!(
                    "SELECT ticket_id FROM loket.ticket_events \
                     WHERE office_code = '{code}' AND type = 'issued'"
                ),
            )
            .lines()
            .map(|l| l.parse().expect("id"))
            .collect();
        let mine = issued[i].lock().expect("lock").clone();
        assert!(mine.iter().all(|id| ids.contains(id)), "{code}");
        // The killed office may have committed one ticket whose answer never arrived.
        let unanswered = if i == 0 { 1 } else { 0 };
        assert!(
            ids.len() >= mine.len() && ids.len() <= mine.len() + unanswered,
            "{code}: {} on the server, {} answered",
            ids.len(),
            mine.len()
        );
    }
    // The audit chain arrived whole: each office's hashes link up.
    let broken = pg.psql(
        DB,
        "SELECT count(*) FROM loket.audit_hashes a JOIN loket.audit_hashes b \
         ON a.office_code = b.office_code AND b.audit_seq = a.audit_seq + 1 \
         WHERE b.prev_hash <> a.hash",
    );
    assert_eq!(broken, "0");
    restarted.kill();
    eprintln!("whole test {:.1} s", started.elapsed().as_secs_f64());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_role_cannot_write_or_change_another_office_s_rows() {
    let pg = city();
    let (a_code, a_role) = OFFICES[0];
    let (b_code, _) = OFFICES[1];
    pg.psql(
        DB,
        &format!(
            "INSERT INTO loket.audit_hashes (office_code, seq, at, audit_seq, action, prev_hash, hash, body) \
             VALUES ('{b_code}', 1, now(), 1, 'login', 'x', 'y', '{{}}')"
        ),
    );
    let pw = pg.file("a.pw", &format!("{a_role}-kata-sandi-panjang\n"));
    let url = pg.tcp_url(a_role, DB);
    let target = Target {
        url: &url,
        password_file: Some(&pw),
        server_certificate: Some(&pg.cert),
    };
    let client = connect(&target).await.expect("office A connects over TLS");
    let insert = |code: &str, seq: i64| {
        format!(
            "INSERT INTO loket.audit_hashes (office_code, seq, at, audit_seq, action, prev_hash, hash, body) \
             VALUES ('{code}', {seq}, now(), 1, 'login', 'x', 'forged', '{{}}')"
        )
    };
    // Its own rows: yes.
    client
        .batch_execute(&insert(a_code, 1))
        .await
        .expect("own row");
    // Another office's: refused by row-level security.
    let e = client
        .batch_execute(&insert(b_code, 2))
        .await
        .expect_err("another office's row");
    assert!(
        e.to_string().contains("row-level security")
            || format!("{e:?}").contains("row-level security"),
        "{e:?}"
    );
    // Changing or deleting any row: refused (no privilege), and nothing changed.
    for sql in [
        format!("UPDATE loket.audit_hashes SET hash = 'forged' WHERE office_code = '{b_code}'"),
        format!("UPDATE loket.audit_hashes SET hash = 'forged' WHERE office_code = '{a_code}'"),
        format!("DELETE FROM loket.audit_hashes WHERE office_code = '{b_code}'"),
    ] {
        let e = client.batch_execute(&sql).await.expect_err(&sql);
        assert!(
            format!("{e:?}").contains("permission denied"),
            "{sql}: {e:?}"
        );
    }
    // It does not even see the other office's rows.
    let seen: i64 = client
        .query_one("SELECT count(*) FROM loket.audit_hashes", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(seen, 1);
    assert_eq!(
        pg.psql(
            DB,
            &format!("SELECT hash FROM loket.audit_hashes WHERE office_code = '{b_code}'")
        ),
        "y"
    );

    // A server that shows any other certificate is refused.
    let wrong = Target {
        server_certificate: Some(&pg.other_cert),
        ..target
    };
    let e = connect(&wrong).await.expect_err("wrong certificate");
    assert!(format!("{e:?}").contains("pinned"), "{e:?}");
}

/// At least once on the wire, once in the table: a batch sent again (its answer lost, or
/// the office killed before recording the acknowledgement) changes nothing, and a batch
/// that overlaps it adds only what is new.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_sent_again_changes_nothing() {
    use loket::store::OutboxRecord;
    let pg = city();
    let (code, role) = OFFICES[2];
    let pw = pg.file("c.pw", &format!("{role}-kata-sandi-panjang\n"));
    let url = pg.tcp_url(role, DB);
    let mut client = connect(&Target {
        url: &url,
        password_file: Some(&pw),
        server_certificate: Some(&pg.cert),
    })
    .await
    .expect("connect");
    let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let rows: Vec<(u64, OutboxRecord)> = (1..=5)
        .map(|seq| {
            let record = if seq % 2 == 1 {
                OutboxRecord::TicketEvent {
                    event_seq: seq,
                    at,
                    change: json!({"type": "issued", "ticket": {"id": seq, "number": format!("A-{seq:03}"), "service": "A"}}),
                    from_history: false,
                }
            } else {
                OutboxRecord::AuditHash {
                    audit_seq: seq,
                    at,
                    action: "ticket_issued".to_string(),
                    prev_hash: format!("h{}", seq - 1),
                    hash: format!("h{seq}"),
                    actor: None,
                    target: None,
                }
            };
            (seq, record)
        })
        .collect();
    let count = || {
        pg.psql(
            DB,
            &format!("SELECT count(*) FROM ({ALL_ROWS}) r WHERE office_code = '{code}'"),
        )
    };
    loket::city::export::send(&mut client, code, &rows[..3])
        .await
        .expect("first batch");
    assert_eq!(count(), "3");
    loket::city::export::send(&mut client, code, &rows[..3])
        .await
        .expect("the same batch again");
    assert_eq!(count(), "3");
    loket::city::export::send(&mut client, code, &rows)
        .await
        .expect("an overlapping batch");
    assert_eq!(count(), "5");
    assert_eq!(
        pg.psql(
            DB,
            &format!(
                "SELECT string_agg(number, ',' ORDER BY seq) FROM loket.ticket_events WHERE office_code = '{code}'"
            )
        ),
        "A-001,A-003,A-005"
    );
}
