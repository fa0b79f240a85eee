//! Benchmark: a year of an office's data, then how long `loket serve` takes to be ready
//! (listening, store open, `/healthz` answering) on it. Run: `cargo bench --bench restart`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use loket::app;
use loket::audit::Who;
use loket::clock::FakeClock;
use loket::config::{Config, PrinterKind};

const DAYS: i64 = 250;
const PER_DAY: usize = 500;

fn main() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("loket-restart-{}", std::process::id()));
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

    // A year of working days, 500 tickets a day, half of them called and served.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let seeded = Instant::now();
    rt.block_on(async {
        let start = Utc
            .with_ymd_and_hms(2025, 12, 1, 1, 0, 0)
            .single()
            .expect("time");
        let clock = Arc::new(FakeClock::new(start));
        let running = app::start(app::Options {
            config,
            data_dir: data.clone(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            clock: clock.clone(),
            open_db: None,
        })
        .await
        .expect("start");
        let who = Who::new("seed", "");
        for day in 0..DAYS {
            clock.set(start + chrono::Duration::days(day));
            let mut tasks = Vec::new();
            for i in 0..PER_DAY {
                let (store, who) = (running.store.clone(), who.clone());
                tasks.push(tokio::spawn(async move {
                    store
                        .issue(["A", "B", "C", "D"][i % 4].to_string(), false, who)
                        .await
                }));
            }
            for t in tasks {
                t.await.expect("task").expect("issue");
            }
            for _ in 0..PER_DAY / 8 {
                for counter in 1..=4u32 {
                    let _ = running
                        .store
                        .counter_op(counter, loket::queue::CounterOp::CallNext, who.clone())
                        .await;
                    let _ = running
                        .store
                        .counter_op(counter, loket::queue::CounterOp::Finish, who.clone())
                        .await;
                }
            }
        }
        running.stop().await;
    });
    let seed_time = seeded.elapsed();
    let db_bytes = std::fs::metadata(data.join(app::DB_FILE))
        .map(|m| m.len())
        .unwrap_or(0);

    println!("| restart | ready after (ms) |");
    println!("| --- | ---: |");
    for run in 1..=3 {
        let t0 = Instant::now();
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
        // Keep reading the log, so the daemon never writes into a closed pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening addr=").nth(1) {
                    let _ = tx.send(rest.trim().to_string());
                }
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(30)).expect("address");
        let ready = loop {
            let Ok(mut s) = TcpStream::connect(&addr) else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n")
                .expect("write");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            if out.contains("\"status\":\"ok\"") {
                break t0.elapsed();
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        println!("| run {run} | {:.0} |", ready.as_secs_f64() * 1e3);
        let _ = child.kill();
        let _ = child.wait();
    }
    println!();
    println!(
        "seeded {} days × {PER_DAY} tickets ({} tickets, with their audit entries) in {:.0} s; database {:.1} MB",
        DAYS,
        DAYS as usize * PER_DAY,
        seed_time.as_secs_f64(),
        db_bytes as f64 / 1e6
    );
    let _ = std::fs::remove_dir_all(&dir);
}
