//! Benchmark: 100 lobby displays on the event stream. From a counter's call-next to the last
//! display receiving the call: p50/p99 over 50 calls; daemon RSS with 100 clients connected.
//! Run: `cargo bench --bench sse_fanout`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 100;
const CALLS: usize = 50;

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// A minimal HTTP/1.1 exchange on a fresh connection; the response head and body.
fn http(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(request.as_bytes()).expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

fn main() {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("loket-sse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let bin = env!("CARGO_BIN_EXE_loket");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/always-open.toml");
    let data = dir.join("data");
    // The first start makes the database; then an operator account for the calls.
    let mut first = Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(&data)
        .stderr(Stdio::null())
        .spawn()
        .expect("loket");
    while !data.join("initial-admin-password").exists() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = first.kill();
    let _ = first.wait();
    let mut add = Command::new(bin)
        .args([
            "user",
            "add",
            "bench",
            "--role",
            "operator",
            "--password-stdin",
            "--data",
        ])
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("user add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(b"kata-sandi-bench-1\n")
        .expect("password");
    assert!(add.wait().expect("wait").success());

    let mut child = Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(&data)
        .env("RUST_LOG", "warn,loket::app=info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening addr=").nth(1) {
                let _ = tx.send(rest.trim().to_string());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(20)).expect("address");
    let pid = child.id();
    let rss_idle = rss_kib(pid);

    let form = "username=bench&password=kata-sandi-bench-1";
    let login = http(
        &addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        ),
    );
    let cookie = login
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie:")
                .then(|| l[11..].trim().split(';').next().unwrap_or("").to_string())
        })
        .expect("session cookie");

    // 100 displays, each on its own thread, noting when each call event arrives.
    let (seen_tx, seen_rx) = mpsc::channel::<(u64, Instant)>();
    for _ in 0..CLIENTS {
        let (addr, seen_tx) = (addr.clone(), seen_tx.clone());
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(&addr).expect("connect");
            s.write_all(format!("GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
                .expect("write");
            let mut reader = BufReader::new(s);
            let mut line = String::new();
            let mut id = 0u64;
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if let Some(v) = line
                    .strip_prefix("id: ")
                    .or_else(|| line.strip_prefix("id:"))
                {
                    id = v.trim().parse().unwrap_or(0);
                } else if line.trim() == "event: called" || line.trim() == "event:called" {
                    let _ = seen_tx.send((id, Instant::now()));
                }
            }
        });
    }
    drop(seen_tx);
    std::thread::sleep(Duration::from_millis(500));
    let rss_connected = rss_kib(pid);

    // Tickets to call, then the calls, one at a time.
    for i in 0..CALLS {
        let body = format!("{{\"service\":\"{}\"}}", ["B", "C"][i % 2]);
        http(
            &addr,
            &format!(
                "POST /api/v1/tickets HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        );
    }
    let op = |path: &str| {
        http(
            &addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let mut latencies = Vec::new();
    let mut peak = rss_connected;
    for _ in 0..CALLS {
        let sent = Instant::now();
        let reply = op("/api/v1/counters/2/call-next");
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        let mut got = 0;
        let mut last = sent;
        while got < CLIENTS {
            let (_, at) = seen_rx
                .recv_timeout(Duration::from_secs(5))
                .expect("every display hears the call");
            got += 1;
            last = last.max(at);
        }
        latencies.push(last - sent);
        peak = peak.max(rss_kib(pid));
        op("/api/v1/counters/2/finish");
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("| displays | calls | p50 ms (to the last display) | p99 ms | max ms |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {CLIENTS} | {CALLS} | {:.2} | {:.2} | {:.2} |",
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() * 99 / 100]),
        ms(latencies[latencies.len() - 1])
    );
    println!();
    println!("| daemon RSS | KiB |");
    println!("| --- | ---: |");
    println!("| started, no display | {rss_idle} |");
    println!("| {CLIENTS} displays connected | {rss_connected} |");
    println!("| peak during the calls | {peak} |");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
