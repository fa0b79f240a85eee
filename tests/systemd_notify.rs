//! Under systemd (Type=notify): the daemon says READY once the store is open and the
//! listener bound, feeds the watchdog while its store answers, and on SIGTERM says STOPPING
//! and exits cleanly.

mod common;

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::child::always_open_config;

fn next_message(sock: &UnixDatagram, deadline: Instant) -> Option<String> {
    let mut buf = [0u8; 512];
    while Instant::now() < deadline {
        if let Ok(n) = sock.recv(&mut buf) {
            return Some(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    }
    None
}

#[test]
fn ready_watchdog_and_stopping_are_told_to_systemd() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("notify.sock");
    let sock = UnixDatagram::bind(&path).expect("bind");
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(always_open_config())
        .arg("--data")
        .arg(tmp.path().join("data"))
        .env("NOTIFY_SOCKET", &path)
        .env("WATCHDOG_USEC", "400000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("loket");
    let deadline = Instant::now() + Duration::from_secs(20);
    let first = next_message(&sock, deadline).expect("a message");
    assert!(first.contains("READY=1"), "{first}");
    let ping = next_message(&sock, deadline).expect("watchdog");
    assert!(ping.contains("WATCHDOG=1"), "{ping}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut stopping = false;
    while let Some(m) = next_message(&sock, Instant::now() + Duration::from_secs(5)) {
        if m.contains("STOPPING=1") {
            stopping = true;
            break;
        }
    }
    assert!(stopping, "STOPPING=1 sent");
    let code = child.wait().expect("wait");
    assert!(code.success(), "clean exit: {code:?}");
}
