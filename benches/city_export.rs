//! Benchmark: the city export draining a year's backlog, and what it costs the kiosk.
//!
//! A data directory is seeded through the real store with `[city]` configured (so every
//! record goes to the outbox in its own transaction, as in service): 250 office days of the
//! past year, 500 tickets a day called and finished (or no-show) at four counters, ten
//! complaints a day (every other one's first step done) and 120 survey answers a day. The
//! seeding runs on /dev/shm with a fake clock, like `benches/reports.rs`; the data directory
//! is then copied to the disk (`CARGO_TARGET_TMPDIR`) so the daemon's commits are durable
//! for real.
//!
//! A real PostgreSQL (`tests/common/postgres.rs`) gets `loket city init`, but the office's
//! role is not added yet: the release daemon (`loket serve`) starts on the year's data, its
//! exporter is refused at every attempt (the city server not yet ready for it), and one
//! client issues tickets over HTTP, one every 10 ms: the idle figure. Then `loket city
//! add-office` runs; the same daemon's exporter gets in at its next attempt and drains the
//! backlog (batches of 500) while the same client goes on issuing: the exporting figure and
//! the export's records/s.
//!
//! Run: `cargo bench --bench city_export`.

#[allow(dead_code)]
#[path = "../tests/common/postgres.rs"]
mod postgres;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Datelike, TimeZone, Utc, Weekday};
use loket::app;
use loket::audit::Who;
use loket::auth::{Role, User};
use loket::clock::{Clock, FakeClock};
use loket::complaint::{Action, ActionKind, Channel, Level};
use loket::config::Config;
use loket::queue::CounterOp;
use loket::store::{Identity, NewComplaint, Source};

const DB: &str = "kota";
const CODE: &str = "3271-DUKCAPIL";
const ROLE: &str = "loket_dukcapil";
const DAYS: usize = 250;
const TICKETS_PER_DAY: usize = 500;
const COMPLAINTS_PER_DAY: usize = 10;
const RESPONSES_PER_DAY: usize = 120;
const SERVICES: [&str; 4] = ["B", "C", "D", "A"];
/// One ticket every 10 ms: far above an office's rate, enough samples for a p99.
const PACE: Duration = Duration::from_millis(10);
const IDLE_TICKETS: usize = 2000;

fn loket(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .output()
        .expect("run loket");
    assert!(
        out.status.success(),
        "loket {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The always-open fixture, no printer, the office's code and `[city]` to the cluster.
fn config_text(pg: &postgres::Cluster) -> String {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/always-open.toml");
    let src = std::fs::read_to_string(fixture).expect("fixture");
    let src = src.replace("kind = \"spool\"", "kind = \"none\"").replacen(
        "[office]\n",
        &format!("[office]\ncode = \"{CODE}\"\n"),
        1,
    );
    let pw = pg.file("office.pw", "kata-sandi-kantor-yang-panjang\n");
    format!(
        "{src}\n[city]\nurl = \"{}\"\npassword_file = \"{}\"\nserver_certificate = \"{}\"\nretry_max_secs = 1\n",
        pg.tcp_url(ROLE, DB),
        pw.display(),
        pg.cert.display()
    )
}

fn answers(k: usize, elements: &[String]) -> loket::survey::response::Answers {
    let scores = elements
        .iter()
        .enumerate()
        .map(|(e, id)| (id.clone(), 1 + ((k * 7919 + e * 104_729) % 4) as u8))
        .collect();
    let mut profile = std::collections::BTreeMap::new();
    profile.insert(
        "jenis_kelamin".to_string(),
        ["Laki-laki", "Perempuan"][k % 2].to_string(),
    );
    loket::survey::response::Answers {
        profile,
        scores,
        suggestion: String::new(),
    }
}

/// The year's office days, oldest first: the last 250 weekdays before today (WIB).
fn office_days() -> Vec<chrono::DateTime<Utc>> {
    let today = (Utc::now() + chrono::Duration::hours(7)).date_naive();
    let mut days = Vec::new();
    let mut d = today - chrono::Duration::days(1);
    while days.len() < DAYS {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            // 08:00 WIB.
            let morning = Utc.from_utc_datetime(&d.and_hms_opt(1, 0, 0).expect("time"));
            days.push(morning);
        }
        d -= chrono::Duration::days(1);
    }
    days.reverse();
    days
}

/// Seeds `data` with the year; returns (tickets, complaints, responses).
fn seed(config: &Config, data: &Path, rt: &tokio::runtime::Runtime) -> (usize, usize, usize) {
    let days = office_days();
    let clock = Arc::new(FakeClock::new(days[0]));
    let options = app::Options {
        config: config.clone(),
        data_dir: data.to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        clock: clock.clone(),
        open_db: None,
    };
    let elements: Vec<String> = config
        .survey
        .questionnaire
        .elements
        .iter()
        .map(|e| e.id.clone())
        .collect();
    rt.block_on(async {
        let running = app::start(options).await.expect("start");
        let store = running.store.clone();
        for name in ["op1", "op2", "op3", "op4", "petugas"] {
            let roles = if name == "petugas" {
                vec![Role::ComplaintOfficer]
            } else {
                vec![Role::Operator]
            };
            store
                .put_user(
                    User {
                        username: name.to_string(),
                        display_name: String::new(),
                        roles,
                        password_hash: "-".to_string(),
                        disabled: false,
                        must_change_password: false,
                        created_at: days[0],
                    },
                    Who::new("seed", ""),
                    "user_added",
                )
                .await
                .expect("user");
        }
        let (mut tickets, mut complaints, mut responses) = (0, 0, 0);
        for morning in days {
            let mut answered_today = 0;
            for batch in 0..TICKETS_PER_DAY / 25 {
                clock.set(morning + chrono::Duration::minutes(batch as i64 * 9));
                let tasks: Vec<_> = (0..25)
                    .map(|i| {
                        let store = store.clone();
                        let service = SERVICES[(batch + i) % SERVICES.len()].to_string();
                        tokio::spawn(async move {
                            store
                                .issue(service, i % 17 == 0, Who::new("kiosk", ""))
                                .await
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("task").expect("issue");
                    tickets += 1;
                }
            }
            let mut round = 0i64;
            loop {
                clock.set(morning + chrono::Duration::minutes(20 + round * 2));
                let calls: Vec<_> = (1..=4u32)
                    .map(|c| {
                        let store = store.clone();
                        tokio::spawn(async move {
                            store
                                .counter_op(c, CounterOp::CallNext, Who::new(format!("op{c}"), ""))
                                .await
                        })
                    })
                    .collect();
                let mut called = Vec::new();
                for (i, t) in calls.into_iter().enumerate() {
                    if let Ok(Some(_)) = t.await.expect("task") {
                        called.push(i as u32 + 1);
                    }
                }
                if called.is_empty() {
                    break;
                }
                clock.set(clock.now() + chrono::Duration::seconds(60 + (round % 7) * 40));
                for c in called {
                    let op = if (round + i64::from(c)) % 13 == 0 {
                        CounterOp::NoShow
                    } else {
                        CounterOp::Finish
                    };
                    let done = store
                        .counter_op(c, op, Who::new(format!("op{c}"), ""))
                        .await
                        .expect("finish");
                    if let Some(ticket) = done
                        && ticket.state == loket::queue::TicketState::Done
                        && answered_today < RESPONSES_PER_DAY
                    {
                        store
                            .survey_submit(
                                ticket.id,
                                answers(responses, &elements),
                                loket::survey::response::Channel::Phone,
                            )
                            .await
                            .expect("survey response");
                        answered_today += 1;
                        responses += 1;
                    }
                }
                round += 1;
            }
            for i in 0..COMPLAINTS_PER_DAY {
                let new = NewComplaint {
                    source: Source::Channel(Channel::Letter),
                    level: [Level::Kecil, Level::Menengah, Level::Besar][i % 3],
                    identity: Identity {
                        name: format!("Warga {complaints}"),
                        address: "Jl. Merdeka No. 1".to_string(),
                        phone: "0812-3456-7890".to_string(),
                        email: String::new(),
                        nik: None,
                        rahasia: false,
                    },
                    service: "B".to_string(),
                    what_happened: "KTP-el belum jadi.".to_string(),
                    happened_on: None,
                    shortfall: "Melewati standar waktu.".to_string(),
                    remedy: "Segera dicetak.".to_string(),
                };
                let c = store
                    .open_complaint(new, Who::new("petugas", ""))
                    .await
                    .expect("open");
                complaints += 1;
                if i % 2 == 0
                    && let Some(step) = c.workflow.current_step()
                {
                    let action = Action {
                        step: step.no,
                        version: c.workflow.version(),
                        kind: ActionKind::Complete {
                            note: None,
                            documents: step.requirements.clone(),
                        },
                    };
                    let _ = store
                        .act_on_complaint(c.seq(), action, Who::new("petugas", ""))
                        .await;
                }
            }
        }
        running.stop().await;
        (tickets, complaints, responses)
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for e in std::fs::read_dir(from)
        .expect("read dir")
        .map_while(Result::ok)
    {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

fn start_daemon(config: &Path, data: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "error,loket::app=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn loket");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening addr=").nth(1) {
                let _ = tx.send(rest.trim().to_string());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("daemon address");
    (child, format!("http://{addr}"))
}

/// `(backlog, acked)` from `/metrics`.
async fn outbox(client: &reqwest::Client, base: &str) -> (u64, u64) {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let figure = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    (
        figure("loket_city_outbox_backlog"),
        figure("loket_city_outbox_acked"),
    )
}

/// Issues `n` tickets, one every `PACE`; the latencies and when the last was answered.
async fn issue_paced(base: String, n: usize) -> (Vec<Duration>, Instant) {
    let client = reqwest::Client::new();
    let mut lat = Vec::new();
    let mut next = tokio::time::Instant::now();
    for i in 0..n {
        let t0 = Instant::now();
        let r = client
            .post(format!("{base}/api/v1/tickets"))
            .json(&serde_json::json!({"service": SERVICES[i % SERVICES.len()]}))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 201);
        let _ = r.bytes().await.expect("body");
        lat.push(t0.elapsed());
        next += PACE;
        tokio::time::sleep_until(next).await;
    }
    (lat, Instant::now())
}

fn ms(sorted: &[Duration], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e3
}

fn main() {
    let pg = postgres::Cluster::start();
    pg.psql("postgres", &format!("CREATE DATABASE {DB}"));
    loket(&["city", "init", "--url", &pg.admin_url(DB)]);
    let text = config_text(&pg);
    let config = Config::from_toml_str(&text).expect("config");

    let shm = Path::new("/dev/shm");
    let seed_base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
    };
    let seed_dir = seed_base.join(format!("loket-city-seed-{}", std::process::id()));
    let disk = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("loket-city-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&seed_dir);
    let _ = std::fs::remove_dir_all(&disk);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let t = Instant::now();
    let (tickets, complaints, responses) = seed(&config, &seed_dir, &rt);
    let seed_time = t.elapsed();
    copy_dir(&seed_dir, &disk.join("data"));
    let _ = std::fs::remove_dir_all(&seed_dir);
    let db_bytes = std::fs::metadata(disk.join("data").join(app::DB_FILE)).map_or(0, |m| m.len());
    let config_path = disk.join("loket.toml");
    std::fs::write(&config_path, &text).expect("config");

    let (mut child, base) = start_daemon(&config_path, &disk.join("data"));
    rt.block_on(async {
        let client = reqwest::Client::new();
        let (backlog_start, acked_start) = outbox(&client, &base).await;
        assert_eq!(acked_start, 0, "exported before the office was added");
        // Warm-up, then the idle figure: the exporter refused at every attempt meanwhile.
        issue_paced(base.clone(), 200).await;
        let (mut idle, _) = issue_paced(base.clone(), IDLE_TICKETS).await;
        idle.sort();
        let (backlog_before, acked) = outbox(&client, &base).await;
        assert_eq!(acked, 0, "exported before the office was added");

        // The city adds the office: the next attempt gets in and the backlog drains while
        // the client goes on issuing.
        let pw = pg.file("office.pw", "kata-sandi-kantor-yang-panjang\n");
        loket(&[
            "city",
            "add-office",
            "--url",
            &pg.admin_url(DB),
            "--code",
            CODE,
            "--role",
            ROLE,
            "--office-password-file",
            pw.to_str().expect("path"),
        ]);
        let added = Instant::now();
        let mut began = None;
        let mut load = None;
        let (drained_at, acked_end) = loop {
            let (backlog, acked) = outbox(&client, &base).await;
            if acked > 0 && began.is_none() {
                began = Some((Instant::now(), acked));
                // As many tickets as the idle figure, from the first batch acknowledged: the
                // day's queue (never called here) grows alike in both, so the issue path
                // does the same work.
                load = Some(tokio::spawn(issue_paced(base.clone(), IDLE_TICKETS)));
            }
            if acked > 0 && backlog == 0 {
                break (Instant::now(), acked);
            }
            assert!(added.elapsed() < Duration::from_secs(1800), "not drained");
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let (mut exporting, load_done) = load.expect("load").await.expect("load");
        assert!(
            load_done < drained_at,
            "the backlog drained before the load ended: not all samples were taken while exporting"
        );
        exporting.sort();
        let (began_at, acked_first) = began.expect("began");
        let drain = drained_at - began_at;
        let rate = (acked_end - acked_first) as f64 / drain.as_secs_f64();
        let on_server = pg.psql(
            DB,
            "SELECT (SELECT count(*) FROM loket.ticket_events) + (SELECT count(*) FROM loket.complaint_actions) \
             + (SELECT count(*) FROM loket.survey_responses) + (SELECT count(*) FROM loket.audit_hashes)",
        );
        assert_eq!(on_server, acked_end.to_string(), "rows on the server");

        println!("### City export: a year's backlog (`cargo bench --bench city_export`)");
        println!();
        println!(
            "Seeded {tickets} tickets, {complaints} complaints, {responses} survey responses over {DAYS} office days in {:.1} s; database {:.0} MB",
            seed_time.as_secs_f64(),
            db_bytes as f64 / 1e6
        );
        println!();
        println!("| figure | value |");
        println!("| --- | ---: |");
        println!("| records in the outbox at start (the year) | {backlog_start} |");
        println!("| records when the office was added | {backlog_before} |");
        println!("| records sent in all (the year and those issued meanwhile) | {acked_end} |");
        println!(
            "| drain time (first batch acknowledged to backlog 0) | {:.1} s |",
            drain.as_secs_f64()
        );
        println!("| export throughput | {rate:.0} records/s |");
        println!();
        println!("| issue over HTTP, one client every 10 ms | tickets | p50 ms | p99 ms | max ms |");
        println!("| --- | ---: | ---: | ---: | ---: |");
        for (what, l) in [("idle (city server refuses the office)", &idle), ("while the backlog drains", &exporting)] {
            println!(
                "| {what} | {} | {:.2} | {:.2} | {:.2} |",
                l.len(),
                ms(l, 0.5),
                ms(l, 0.99),
                ms(l, 1.0)
            );
        }
        let ratio = ms(&exporting, 0.99) / ms(&idle, 0.99);
        println!();
        println!(
            "p99 exporting / idle: {ratio:.2} (target ≤ 2: {})",
            if ratio <= 2.0 { "met" } else { "missed" }
        );
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&disk);
}
