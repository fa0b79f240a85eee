//! A restored backup against a real PostgreSQL (docs/city.md, "A restored backup"): the
//! office exports, `loket backup` is taken with records not yet sent, the office goes on and
//! the server receives more; then `loket restore` brings the copy back and the office issues
//! again. The server ends with exactly `1..=last` for the office, keeps the undone timeline's
//! rows as they were, and holds every ticket answered 201 in either timeline once: none of
//! the restored office's new records is dropped as a number the server already had.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::child::{Daemon, always_open_config};
use common::postgres::Cluster;
use serde_json::{Value, json};

const DB: &str = "kota";
const CODE: &str = "3271-DUKCAPIL";
const ROLE: &str = "loket_dukcapil";

fn loket(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .output()
        .expect("run loket");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "loket {args:?}: {text}");
    text
}

/// The city database and the office's role, as `loket city init` and `add-office` make them.
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

fn config(pg: &Cluster, dir: &Path) -> std::path::PathBuf {
    let base = std::fs::read_to_string(always_open_config()).expect("fixture");
    let base = base.replacen("[office]\n", &format!("[office]\ncode = \"{CODE}\"\n"), 1);
    let pw = pg.file(
        &format!("{ROLE}.pw"),
        &format!("{ROLE}-kata-sandi-panjang\n"),
    );
    let path = dir.join("loket.toml");
    std::fs::write(
        &path,
        format!(
            "{base}\n[city]\nurl = \"{}\"\npassword_file = \"{}\"\nserver_certificate = \"{}\"\nbatch_size = 7\nretry_max_secs = 1\n",
            pg.tcp_url(ROLE, DB),
            pw.display(),
            pg.cert.display()
        ),
    )
    .expect("config");
    path
}

/// Issues `n` tickets; every one must be answered 201. Returns `(number, service)` of each.
async fn issue(base: &str, n: usize) -> Vec<(String, String)> {
    let client = reqwest::Client::new();
    let mut out = Vec::new();
    for i in 0..n {
        let service = ["A", "B", "C"][i % 3];
        let r = client
            .post(format!("{base}/api/v1/tickets"))
            .json(&json!({"service": service}))
            .send()
            .await
            .expect("issue");
        assert_eq!(r.status().as_u16(), 201);
        let body: Value = r.json().await.expect("json");
        out.push((
            body["number"].as_str().expect("number").to_string(),
            service.to_string(),
        ));
    }
    out
}

/// `(backlog, acked)` from the daemon's `/metrics`.
async fn figures(base: &str) -> (u64, u64) {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let figure = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from /metrics"))
    };
    (
        figure("loket_city_outbox_backlog"),
        figure("loket_city_outbox_acked"),
    )
}

/// Waits (bounded) until everything written is on the server; returns the acknowledged
/// number.
async fn drained(base: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (backlog, acked) = figures(base).await;
        if backlog == 0 && acked > 0 {
            return acked;
        }
        assert!(Instant::now() < deadline, "backlog {backlog} not drained");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const ALL_ROWS: &str = "SELECT seq, body FROM loket.ticket_events WHERE office_code = '3271-DUKCAPIL' \
     UNION ALL SELECT seq, body FROM loket.complaint_actions WHERE office_code = '3271-DUKCAPIL' \
     UNION ALL SELECT seq, body FROM loket.survey_responses WHERE office_code = '3271-DUKCAPIL' \
     UNION ALL SELECT seq, body FROM loket.audit_hashes WHERE office_code = '3271-DUKCAPIL'";

/// The office's rows on the server after `after`, by number.
fn rows_after(pg: &Cluster, after: u64) -> BTreeMap<u64, String> {
    pg.psql(
        DB,
        &format!("SELECT seq, body::text FROM ({ALL_ROWS}) r WHERE seq > {after} ORDER BY seq"),
    )
    .lines()
    .map(|l| {
        let (seq, body) = l.split_once('|').expect("row");
        (seq.parse().expect("seq"), body.to_string())
    })
    .collect()
}

/// The office's ticket issues on the server, as `(number, service)` → how many times.
fn issued_on_server(pg: &Cluster) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for l in pg
        .psql(
            DB,
            &format!(
                "SELECT number, service FROM loket.ticket_events \
                 WHERE office_code = '{CODE}' AND type = 'issued'"
            ),
        )
        .lines()
    {
        let (n, s) = l.split_once('|').expect("row");
        *out.entry((n.to_string(), s.to_string())).or_default() += 1;
    }
    out
}

/// Blocks the office's role: its connection cut, no new one accepted.
fn cut(pg: &Cluster) {
    pg.psql(DB, &format!("ALTER ROLE {ROLE} NOLOGIN"));
    pg.psql(
        DB,
        &format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '{ROLE}'"
        ),
    );
}

/// SIGTERM, and waits: the database is closed cleanly (`loket check` reads it after).
fn stop(mut d: Daemon) {
    let pid = i32::try_from(d.child.id()).expect("pid");
    // SAFETY: a signal to our own child, which has not been waited for.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    d.child.wait().expect("wait");
}

fn uncut(pg: &Cluster) {
    pg.psql(DB, &format!("ALTER ROLE {ROLE} LOGIN"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_backup_loses_no_record_on_the_city_server() {
    let pg = city();
    let tmp = tempfile::tempdir().expect("tmp");
    let config = config(&pg, tmp.path());
    let data = tmp.path().join("data");
    let data_s = data.to_str().expect("path");
    let mut answered = Vec::new();

    // The office exports what it has (acknowledged up to A).
    let box1 = Daemon::start(&config, &data);
    answered.extend(issue(&box1.base, 30).await);
    let a = drained(&box1.base).await;

    // The server out of reach: the next records wait in the outbox, and the backup holds
    // them unsent (A+1..=B).
    cut(&pg);
    answered.extend(issue(&box1.base, 20).await);
    let backup = tmp.path().join("usb.redb");
    let out = loket(&["backup", backup.to_str().expect("path"), "--data", data_s]);
    assert!(out.contains("backup written"), "{out}");
    let (unsent, acked_at_backup) = figures(&box1.base).await;
    assert_eq!(acked_at_backup, a);
    assert!(unsent >= 20, "{unsent} records unsent at the backup");
    let b = a + unsent;

    // The office goes on: the server receives the copy's records and more (up to C).
    uncut(&pg);
    answered.extend(issue(&box1.base, 25).await);
    let c = drained(&box1.base).await;
    assert!(c > b, "the server holds {c}, the copy {b}");
    let undone = rows_after(&pg, b);
    assert_eq!(undone.len() as u64, c - b);
    box1.kill();

    // The copy comes back; the office issues again.
    let out = loket(&["restore", backup.to_str().expect("path"), "--data", data_s]);
    assert!(out.contains("restored from"), "{out}");
    let box2 = Daemon::start(&config, &data);
    let after_restore = issue(&box2.base, 24).await;
    let last = drained(&box2.base).await;
    answered.extend(after_restore.iter().cloned());
    assert!(
        last > c,
        "the restored office's last number {last}, server's {c}"
    );
    stop(box2);

    // Exactly 1..=last, once each.
    let span = pg.psql(
        DB,
        &format!("SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM ({ALL_ROWS}) r"),
    );
    assert_eq!(
        span,
        format!("{last}|{last}|1|{last}"),
        "rows, distinct, min, max"
    );
    // The undone timeline's rows are kept as they were.
    let now = rows_after(&pg, b);
    for (seq, body) in &undone {
        assert_eq!(now.get(seq), Some(body), "row {seq} of the undone timeline");
    }
    // Every ticket answered 201, in either timeline, is on the server once; no other.
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for t in answered {
        *expected.entry(t).or_default() += 1;
    }
    assert_eq!(issued_on_server(&pg), expected);
    // The restored office's new tickets came after the server's numbers.
    let new_numbers: Vec<u64> = pg
        .psql(
            DB,
            &format!(
                "SELECT seq FROM loket.ticket_events WHERE office_code = '{CODE}' \
                 AND type = 'issued' ORDER BY seq DESC LIMIT {}",
                after_restore.len()
            ),
        )
        .lines()
        .map(|l| l.parse().expect("seq"))
        .collect();
    assert!(new_numbers.iter().all(|s| *s > c), "{new_numbers:?}");
    // The audit chain of each timeline links up on the server.
    let chains = pg.psql(
        DB,
        &format!("SELECT count(*) FROM loket.audit_hashes WHERE office_code = '{CODE}'"),
    );
    eprintln!(
        "acknowledged {a}, copy {b}, server before the restore {c}, last {last}, audit rows {chains}"
    );

    // `loket check` finds the renumbered outbox whole.
    let out = loket(&["check", "--data", data_s]);
    assert!(out.contains("city_outbox"), "{out}");
    assert!(
        out.contains(&format!("(last {last}, acknowledged {last})")),
        "{out}"
    );
}
