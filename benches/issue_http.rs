//! Benchmark: ticket issue over HTTP on loopback against the release daemon, durable commit
//! included. Prints p50/p99 latency and tickets/s for 1 and 8 clients, and the daemon's RSS
//! idle and under load. Run: `cargo bench --bench issue_http`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const SERVICES: [&str; 4] = ["A", "B", "C", "D"];

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The always-open fixture with the given `printer.kind`, written beside the data.
fn config_for(kind: &str, dir: &Path) -> std::path::PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/always-open.toml");
    let src = std::fs::read_to_string(fixture).expect("fixture");
    let src = src.replace("kind = \"spool\"", &format!("kind = \"{kind}\""));
    std::fs::create_dir_all(dir).expect("dir");
    let path = dir.join(format!("{kind}.toml"));
    std::fs::write(&path, src).expect("config");
    path
}

fn start_daemon(config: &Path, data: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn,loket::app=info")
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
        .recv_timeout(Duration::from_secs(20))
        .expect("daemon address");
    (child, format!("http://{addr}"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

struct Run {
    clients: usize,
    tickets: usize,
    wall: Duration,
    latencies: Vec<Duration>,
}

async fn run(base: &str, clients: usize, per_client: usize) -> Run {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let base = base.to_string();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut lat = Vec::with_capacity(per_client);
            for i in 0..per_client {
                let service = SERVICES[(c + i) % SERVICES.len()];
                let t0 = Instant::now();
                let r = client
                    .post(format!("{base}/api/v1/tickets"))
                    .json(&serde_json::json!({"service": service}))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(r.status().as_u16(), 201);
                let _ = r.bytes().await.expect("body");
                lat.push(t0.elapsed());
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("client"));
    }
    let wall = start.elapsed();
    latencies.sort();
    Run {
        clients,
        tickets: clients * per_client,
        wall,
        latencies,
    }
}

fn report(r: &Run) {
    println!(
        "| {} | {} | {:.2} | {:.2} | {:.0} |",
        r.clients,
        r.tickets,
        percentile(&r.latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&r.latencies, 0.99).as_secs_f64() * 1e3,
        r.tickets as f64 / r.wall.as_secs_f64()
    );
}

fn scenario(kind: &str, title: &str) {
    // Under target/, not /tmp: /tmp may be tmpfs, where fdatasync costs nothing and the
    // durable commit would be measured hollow.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("loket-bench-{}-{kind}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let config = config_for(kind, &tmp);
    let (mut child, base) = start_daemon(&config, &tmp.join("data"));
    let pid = child.id();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let rss_start = rss_kib(pid, "VmRSS:");
    rt.block_on(run(&base, 1, 200)); // warm-up
    std::thread::sleep(Duration::from_millis(300));
    let rss_idle = rss_kib(pid, "VmRSS:");
    // A busy office's whole day: about two thousand tickets.
    rt.block_on(run(&base, 4, 450));
    std::thread::sleep(Duration::from_millis(300));
    let rss_day = rss_kib(pid, "VmRSS:");

    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid, "VmRSS:"), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let one = rt.block_on(run(&base, 1, 3000));
    let eight = rt.block_on(run(&base, 8, 1500));
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    std::thread::sleep(Duration::from_millis(300));
    let rss_after = rss_kib(pid, "VmRSS:");

    println!("### {title} (`printer.kind = \"{kind}\"`)");
    println!();
    println!("| clients | tickets | p50 ms | p99 ms | tickets/s |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    report(&one);
    report(&eight);
    println!();
    println!("| daemon RSS | KiB |");
    println!("| --- | ---: |");
    println!("| just started | {rss_start} |");
    println!("| idle (after 200-ticket warm-up) | {rss_idle} |");
    println!("| idle after a busy day (2,000 tickets) | {rss_day} |");
    println!("| peak under load | {} |", peak.load(Ordering::Relaxed));
    println!(
        "| idle after load ({} tickets today) | {rss_after} |",
        2000 + one.tickets + eight.tickets
    );
    println!();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&tmp);
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to filter here.
    scenario("none", "Issue path: durable commit, reply");
    scenario(
        "spool",
        "With paper: commit, print to the spool, commit the printed state, reply",
    );
}
