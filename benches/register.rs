//! Benchmark: 100,000 complaints filled through the store, then register searches timed on
//! the in-memory index (after a restart, so the index is the one rebuilt from the file), the
//! restart itself, and the resident memory of `loket serve` on that database.
//! Run: `cargo bench --bench register`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use loket::app;
use loket::audit::Who;
use loket::auth::{Role, User};
use loket::clock::FakeClock;
use loket::complaint::{Channel, Level};
use loket::config::{Config, PrinterKind};
use loket::store::{Identity, NewComplaint, RegisterQuery, Source, Status};

const COMPLAINTS: usize = 100_000;
const PER_DAY: usize = 400;
const NAMES: [&str; 8] = [
    "Ahmad", "Siti", "Budi", "Dewi", "Agus", "Rina", "Bambang", "Eka",
];
const SURNAMES: [&str; 8] = [
    "Sutrisno", "Lestari", "Santoso", "Putri", "Salim", "Wijaya", "Hartono", "Nugroho",
];

fn main() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("loket-register-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/always-open.toml");
    let src = std::fs::read_to_string(&fixture)
        .expect("fixture")
        .replace("kind = \"spool\"", "kind = \"none\"");
    let config_path = dir.join("loket.toml");
    std::fs::write(&config_path, &src).expect("config");
    let mut config = Config::from_toml_str(&src).expect("config");
    config.printer.kind = PrinterKind::None;
    let data = dir.join("data");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let start = Utc
        .with_ymd_and_hms(2025, 12, 1, 2, 0, 0)
        .single()
        .expect("time");
    let clock = Arc::new(FakeClock::new(start));
    let options = |config: Config| app::Options {
        config,
        data_dir: data.clone(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        clock: clock.clone(),
        open_db: None,
    };

    let filled = Instant::now();
    rt.block_on(async {
        let running = app::start(options(config.clone())).await.expect("start");
        let store = running.store.clone();
        store
            .put_user(
                User {
                    username: "petugas".to_string(),
                    display_name: String::new(),
                    roles: vec![Role::ComplaintOfficer],
                    password_hash: "-".to_string(),
                    disabled: false,
                    must_change_password: false,
                    created_at: start,
                },
                Who::new("seed", ""),
                "user_added",
            )
            .await
            .expect("user");
        let mut made = 0;
        let mut day = 0;
        while made < COMPLAINTS {
            clock.set(start + chrono::Duration::days(day));
            let mut tasks = Vec::with_capacity(PER_DAY);
            for i in made..(made + PER_DAY).min(COMPLAINTS) {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    let new = NewComplaint {
                        source: Source::Channel(Channel::Letter),
                        level: [Level::Kecil, Level::Menengah, Level::Besar][i % 3],
                        identity: Identity {
                            name: format!("{} {} {i}", NAMES[i % 8], SURNAMES[(i / 8) % 8]),
                            address: "Jl. Merdeka No. 1".to_string(),
                            phone: "0812-3456-7890".to_string(),
                            email: String::new(),
                            nik: None,
                            rahasia: i % 50 == 0,
                        },
                        service: "KTP-el".to_string(),
                        what_happened: "KTP-el belum jadi setelah tiga bulan menunggu.".to_string(),
                        happened_on: None,
                        shortfall: "Melewati standar waktu.".to_string(),
                        remedy: "Segera dicetak.".to_string(),
                    };
                    store.open_complaint(new, Who::new("petugas", "")).await
                }));
            }
            for t in tasks {
                t.await.expect("task").expect("open");
                made += 1;
            }
            day += 1;
        }
        running.stop().await;
    });
    let fill_time = filled.elapsed();
    let db_bytes = std::fs::metadata(data.join(app::DB_FILE))
        .map(|m| m.len())
        .unwrap_or(0);

    // In this process: the store restarted on the file (index rebuilt), then searches.
    rt.block_on(async {
        let t0 = Instant::now();
        let running = app::start(options(config.clone())).await.expect("restart");
        let restart = t0.elapsed();
        let store = running.store.clone();
        type Q = fn(&mut RegisterQuery);
        let cases: [(&str, Q); 6] = [
            ("first page, no filter", |_| {}),
            ("name substring `sutrisno 9`", |q| {
                q.name = Some("sutrisno 9".to_string())
            }),
            ("number substring `/2026/03/`", |q| {
                q.number = Some("/2026/03/".to_string())
            }),
            ("overdue now", |q| q.overdue = true),
            ("level besar, open, step 3, page 40", |q| {
                q.level = Some(Level::Besar);
                q.status = Some(Status::Open);
                q.step = Some(3);
                q.offset = 40 * 50;
            }),
            ("date range (a month), name `ahmad`", |q| {
                q.from = chrono::NaiveDate::from_ymd_opt(2026, 2, 1);
                q.to = chrono::NaiveDate::from_ymd_opt(2026, 2, 28);
                q.name = Some("ahmad".to_string());
            }),
        ];
        println!(
            "restart on {COMPLAINTS} complaints (index rebuilt): {:.0} ms",
            restart.as_secs_f64() * 1e3
        );
        println!();
        println!("| search | matches | p50 ms | p99 ms |");
        println!("| --- | ---: | ---: | ---: |");
        for (name, f) in cases {
            let mut times = Vec::with_capacity(200);
            let mut total = 0;
            for _ in 0..200 {
                let mut q = RegisterQuery::default();
                f(&mut q);
                let t = Instant::now();
                let page = store.complaint_register(q).await.expect("register");
                times.push(t.elapsed());
                total = page.total;
            }
            times.sort();
            println!(
                "| {name} | {total} | {:.2} | {:.2} |",
                times[100].as_secs_f64() * 1e3,
                times[197].as_secs_f64() * 1e3
            );
        }
        // "Langkah saya": the open complaints waiting on a user's roles, by each one's own
        // flow version, at most 200 rows, overdue first (all are open, at step 3).
        println!();
        println!("| work list (`complaint_work`, 200 rows) | waiting | p50 ms | p99 ms |");
        println!("| --- | ---: | ---: | ---: |");
        let work: [(&str, Vec<Role>); 3] = [
            (
                "complaint officer (every complaint waits on step 3)",
                vec![Role::ComplaintOfficer],
            ),
            ("kasubbag umum (none waiting)", vec![Role::KasubbagUmum]),
            (
                "kepala dinas and sekretaris (none waiting)",
                vec![Role::KepalaDinas, Role::Sekretaris],
            ),
        ];
        for (name, roles) in work {
            let mut times = Vec::with_capacity(200);
            let mut total = 0;
            for _ in 0..200 {
                let t = Instant::now();
                let list = store
                    .complaint_work(roles.clone(), 200)
                    .await
                    .expect("work");
                times.push(t.elapsed());
                total = list.total;
            }
            times.sort();
            println!(
                "| {name} | {total} | {:.2} | {:.2} |",
                times[100].as_secs_f64() * 1e3,
                times[197].as_secs_f64() * 1e3
            );
        }
        running.stop().await;
    });

    // The daemon's own memory on this database.
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config_path)
        .arg("--data")
        .arg(&data)
        .env("RUST_LOG", "warn,loket::app=info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening addr=").nth(1) {
                let _ = tx.send(rest.trim().to_string());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("address");
    let get = |path: &str| -> String {
        let mut s = TcpStream::connect(&addr).expect("connect");
        write!(s, "GET {path} HTTP/1.0\r\n\r\n").expect("write");
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    };
    while !get("/healthz").contains("\"status\":\"ok\"") {
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = get("/metrics");
    let rss = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    println!();
    println!("`loket serve` on it, after /healthz and /metrics: VmRSS {rss}");
    println!(
        "filled {COMPLAINTS} complaints ({PER_DAY} a day, each a durable commit shared by the batch) in {:.0} s; database {:.1} MB",
        fill_time.as_secs_f64(),
        db_bytes as f64 / 1e6
    );
    let _ = std::fs::remove_dir_all(&dir);
}
