//! SIGTERM while a ticket is printing (as systemd stops the service): the print finishes,
//! its outcome is committed, the citizen's request is answered, and the restarted daemon
//! finds the ticket printed, not half-done.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::child::Daemon;
use common::fake_printer::FakePrinter;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_printing_leaves_no_half_done_ticket() {
    let printer = FakePrinter::start();
    let tmp = tempfile::tempdir().expect("tmp");
    let config = tmp.path().join("loket.toml");
    let src = std::fs::read_to_string(common::child::always_open_config())
        .expect("fixture")
        .replace(
            "kind = \"spool\"",
            &format!(
                "kind = \"tcp\"\naddress = \"{}\"\ntimeout_ms = 3000",
                printer.addr
            ),
        );
    std::fs::write(&config, src).expect("config");
    let data = tmp.path().join("data");
    let daemon = Daemon::start(&config, &data);
    let base = daemon.base.clone();

    // A slow printer: the job is still printing when the stop comes.
    printer.set_delay(Duration::from_millis(300));
    let request = tokio::spawn({
        let base = base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/tickets"))
                .json(&json!({"service": "A"}))
                .send()
                .await
        }
    });
    // Three status answers (0.9 s) before the ticket is committed; then the job is at the
    // printer thread, which asks again before and after sending it.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let pid = daemon.child.id();
    let sent = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .stdout(Stdio::null())
        .status()
        .expect("kill");
    assert!(sent.success());
    let reply = request
        .await
        .expect("task")
        .expect("answered before the stop");
    assert_eq!(reply.status(), 201);
    let ticket: Value = reply.json().await.expect("json");
    assert_eq!(ticket["print"], "printed");
    let mut daemon = daemon;
    let status = tokio::task::spawn_blocking(move || daemon.child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success(), "a clean exit: {status:?}");

    printer.set_delay(Duration::ZERO);
    let again = Daemon::start(&config, &data);
    let got: Value = reqwest::get(format!("{}/api/v1/tickets/1", again.base))
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(got["number"], "A-001");
    assert_eq!(got["print"], "printed", "{got}");
    assert_eq!(got["state"], "waiting");
    again.kill();
}
