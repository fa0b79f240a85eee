//! One host on the LAN must not take the kiosk and the lobby display offline: idle and
//! slowloris connections beyond the caps are refused or cut off, and the kiosk and the
//! display (loopback and configured addresses are reserved) still get in at once.
//!
//! Other hosts are stood in for by other loopback addresses (Linux routes all of 127/8 to
//! `lo`): `127.0.0.1` is reserved, `127.0.0.2` and up are anonymous.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestApp, monday_morning, test_config};
use loket::clock::FakeClock;
use loket::config::Config;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

async fn spawn(config: Config) -> (TestApp, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    (app, tmp)
}

fn addr(app: &TestApp) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], app.port()))
}

/// A TCP connection from `from` (a loopback address standing in for a LAN host).
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(ip(from), 0))
        .expect("bind a 127/8 address");
    socket.connect(to).await.expect("connect")
}

/// How long after `since` the server closed `stream` (EOF or reset), reading and discarding
/// whatever it sent; None if it is still open at `deadline`.
async fn closed_by(stream: &mut TcpStream, since: Instant, deadline: Duration) -> Option<Duration> {
    let until = tokio::time::Instant::from_std(since + deadline);
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(until, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(since.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

/// A client that opens its own connections from `from`.
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip(from))
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

/// POST /api/v1/tickets and GET /display from `from`, each on a new connection: their
/// statuses and the slower time.
async fn kiosk_and_display(app: &TestApp, from: &str) -> (u16, u16, Duration) {
    let client = client_from(from);
    let t = Instant::now();
    let ticket = client
        .post(app.url("/api/v1/tickets"))
        .json(&json!({"service": "B"}))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("ticket answered");
    let ticket_took = t.elapsed();
    let t = Instant::now();
    let display = client
        .get(app.url("/display"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("display answered");
    let display_took = t.elapsed();
    (
        ticket.status().as_u16(),
        display.status().as_u16(),
        ticket_took.max(display_took),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_and_display_get_in_while_hosts_hold_more_than_the_cap() {
    let mut config = test_config();
    config.limits.max_connections = 40;
    config.limits.reserved_connections = 8;
    config.limits.max_per_address = 4;
    config.limits.reserved = vec![ip("127.0.0.60")];
    // Long enough that nothing the attackers hold times out during the test.
    config.limits.header_timeout = Duration::from_secs(30);
    let (app, _tmp) = spawn(config).await;
    let to = addr(&app);

    // Sixteen hosts, five connections each: 80, twice the cap, of which at most 32 (the cap
    // less the reserve) can be held. Odd ones send nothing; even ones are slowloris, a
    // header byte at a time.
    let mut idle = Vec::new();
    let mut slow = Vec::new();
    for host in 2..18 {
        for n in 0..5 {
            let stream = connect_from(&format!("127.0.0.{host}"), to).await;
            if n % 2 == 0 {
                idle.push(stream);
            } else {
                slow.push(stream);
            }
        }
    }
    let trickle = tokio::spawn(async move {
        let head = b"GET /display HTTP/1.1\r\nHost: loket\r\nX-Padding: ";
        for i in 0.. {
            let byte = head.get(i).copied().unwrap_or(b'a');
            for s in &mut slow {
                let _ = s.write_all(&[byte]).await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        slow
    });

    // The anonymous share is full: a new host is turned away at once.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut probe = connect_from("127.0.0.100", to).await;
        if closed_by(&mut probe, Instant::now(), Duration::from_millis(500))
            .await
            .is_some()
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the anonymous hosts never filled their share"
        );
    }

    // The kiosk on the box itself (loopback) and a display at a configured address.
    for from in ["127.0.0.1", "127.0.0.60"] {
        let (ticket, display, took) = kiosk_and_display(&app, from).await;
        assert_eq!((ticket, display), (201, 200), "from {from}");
        eprintln!("from {from}: ticket and display answered, the slower in {took:?}");
        assert!(
            took < Duration::from_secs(1),
            "from {from}: answered in {took:?}, not within 1 s"
        );
    }
    trickle.abort();
    drop(idle);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_after_the_header_timeout() {
    let mut config = test_config();
    config.limits.header_timeout = Duration::from_secs(1);
    let (app, _tmp) = spawn(config).await;
    let to = addr(&app);

    // Connected, nothing sent.
    let mut silent = connect_from("127.0.0.2", to).await;
    let closed = closed_by(&mut silent, Instant::now(), Duration::from_secs(5))
        .await
        .expect("a silent connection is closed");
    assert!(
        closed >= Duration::from_millis(900),
        "closed after {closed:?}: before the header timeout"
    );

    // One request answered, then idle on keep-alive.
    let mut kept = connect_from("127.0.0.2", to).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: loket\r\n\r\n")
        .await
        .expect("send");
    let mut buf = [0u8; 4096];
    let n = kept.read(&mut buf).await.expect("response");
    let answered = Instant::now();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    let idle_for = closed_by(&mut kept, answered, Duration::from_secs(5))
        .await
        .expect("an idle keep-alive connection is closed");
    assert!(idle_for >= Duration::from_millis(800), "{idle_for:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_heads_and_bodies_are_cut_off() {
    let mut config = test_config();
    config.limits.header_timeout = Duration::from_secs(1);
    config.limits.body_timeout = Duration::from_secs(1);
    let (app, _tmp) = spawn(config).await;
    let to = addr(&app);

    // A head sent one byte every 100 ms: it would take 5 s; the server stops at 1 s.
    let mut head = connect_from("127.0.0.2", to).await;
    let (mut read, mut write) = head.split();
    let started = Instant::now();
    let sender = async {
        for b in b"GET /display HTTP/1.1\r\nHost: loket\r\nX-Slow: abcdefghij\r\n\r\n" {
            if write.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let mut buf = [0u8; 1024];
    let reader = async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    };
    let cut = tokio::time::timeout(Duration::from_secs(4), async {
        tokio::join!(sender, reader).1
    })
    .await
    .expect("the slow head is cut off before it completes");
    assert!(
        cut >= Duration::from_millis(900) && cut < Duration::from_secs(3),
        "{cut:?}"
    );

    // A complete head, then a body that trickles: answered with an error and closed.
    let mut body = connect_from("127.0.0.3", to).await;
    body.write_all(
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: loket\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .expect("send");
    let started = Instant::now();
    let mut reply = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(4), async {
        loop {
            tokio::select! {
                r = body.read(&mut buf) => match r {
                    Ok(0) | Err(_) => return,
                    Ok(n) => reply.extend_from_slice(&buf[..n]),
                },
                _ = tokio::time::sleep(Duration::from_millis(100)) => {
                    let _ = body.write_all(b" ").await;
                }
            }
        }
    })
    .await;
    assert!(outcome.is_ok(), "the slow body was not cut off");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900), "{took:?}");
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    // Nothing was issued.
    let first = client_from("127.0.0.1")
        .get(app.url("/api/v1/tickets/1"))
        .send()
        .await
        .expect("ticket 1");
    assert_eq!(first.status(), 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_address_cap_refuses_the_extra_connection_only() {
    let mut config = test_config();
    config.limits.max_per_address = 3;
    config.limits.header_timeout = Duration::from_secs(30);
    let (app, _tmp) = spawn(config).await;
    let to = addr(&app);

    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from("127.0.0.2", to).await);
    }
    let mut extra = connect_from("127.0.0.2", to).await;
    let refused = closed_by(&mut extra, Instant::now(), Duration::from_secs(2))
        .await
        .expect("the fourth connection from one address is closed");
    assert!(refused < Duration::from_secs(1), "{refused:?}");

    let other = client_from("127.0.0.3")
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("another address gets in");
    assert_eq!(other.status(), 200);

    // A connection given up frees its place.
    held.pop();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = client_from("127.0.0.2")
            .get(app.url("/healthz"))
            .timeout(Duration::from_secs(1))
            .send()
            .await;
        if r.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "the freed place never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_handshake_that_never_comes_is_cut_off() {
    let mut config = test_config();
    config.https = true;
    config.limits.header_timeout = Duration::from_secs(1);
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_https(tmp.path(), clock, config).await;
    let mut silent = connect_from("127.0.0.2", addr(&app)).await;
    let closed = closed_by(&mut silent, Instant::now(), Duration::from_secs(5))
        .await
        .expect("a connection with no handshake is closed");
    assert!(closed >= Duration::from_millis(900), "{closed:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_outlives_the_header_timeout_and_ends_at_the_stop() {
    let mut config = test_config();
    config.limits.header_timeout = Duration::from_secs(1);
    let (app, _tmp) = spawn(config).await;
    let mut stream = connect_from("127.0.0.2", addr(&app)).await;
    stream
        .write_all(
            b"GET /api/v1/events HTTP/1.1\r\nHost: loket\r\nAccept: text/event-stream\r\n\r\n",
        )
        .await
        .expect("send");
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.expect("head");
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    // Twice the header timeout: a response under way is not cut off.
    assert_eq!(
        closed_by(&mut stream, Instant::now(), Duration::from_secs(2)).await,
        None,
        "the event stream was closed"
    );
    // And it still delivers.
    app.issue("B", false).await;
    let mut seen = String::new();
    let until = tokio::time::Instant::now() + Duration::from_secs(3);
    while !seen.contains("issued") {
        let n = tokio::time::timeout_at(until, stream.read(&mut buf))
            .await
            .expect("the event arrives")
            .expect("read");
        assert!(n > 0, "closed before the event");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    // The stop ends the stream and does not wait for the 5 s abort.
    let t = Instant::now();
    app.stop().await;
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "stop took {:?}",
        t.elapsed()
    );
    assert!(
        closed_by(&mut stream, Instant::now(), Duration::from_secs(1))
            .await
            .is_some(),
        "the stream is closed at the stop"
    );
}

/// A request head longer than any of ours is refused at once, not buffered until the header
/// timeout: a host cannot make the box hold hundreds of KiB per connection.
#[tokio::test]
async fn an_oversized_request_head_is_refused_without_waiting() {
    let mut config = test_config();
    config.limits.header_timeout = Duration::from_secs(10);
    let (app, _tmp) = spawn(config).await;
    let to = addr(&app);
    let mut conn = connect_from("127.0.0.2", to).await;
    let started = Instant::now();
    let mut head = b"GET /display HTTP/1.1\r\nHost: loket\r\nX-Big: ".to_vec();
    head.extend(std::iter::repeat_n(b'a', 64 * 1024));
    // Unterminated: no blank line ends the head. The write may fail once the server closes.
    let _ = conn.write_all(&head).await;
    let mut reply = Vec::new();
    let mut buf = [0u8; 1024];
    tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => reply.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("refused well before the 10 s header timeout");
    assert!(started.elapsed() < Duration::from_secs(3));
    let reply = String::from_utf8_lossy(&reply);
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 431"),
        "{reply}"
    );
}
