//! Crash safety: a `loket serve` child is SIGKILLed while several clients issue tickets, ten
//! times over. After each restart every ticket a client got a 201 for is there, unchanged,
//! and no number repeats.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::child::{Daemon, always_open_config};
use serde_json::{Value, json};

const ROUNDS: u64 = 10;
const CLIENTS: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Acked {
    id: u64,
    number: String,
    service: String,
    service_day: String,
}

async fn client_loop(base: String, service: &'static str, acked: Arc<Mutex<Vec<Acked>>>) {
    let client = reqwest::Client::new();
    loop {
        let r = client
            .post(format!("{base}/api/v1/tickets"))
            .json(&json!({"service": service}))
            .send()
            .await;
        let Ok(r) = r else { return };
        if r.status().as_u16() != 201 {
            return;
        }
        let Ok(body) = r.json::<Value>().await else {
            return;
        };
        let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
        acked.lock().expect("lock").push(Acked {
            id: body["id"].as_u64().expect("id"),
            number: text("number"),
            service: text("service"),
            service_day: text("service_day"),
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_issue_loses_no_acknowledged_ticket() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = always_open_config();
    let data = tmp.path().join("data");
    let all: Arc<Mutex<Vec<Acked>>> = Arc::new(Mutex::new(Vec::new()));
    let client = reqwest::Client::new();

    for round in 0..ROUNDS {
        let daemon = Daemon::start(&config, &data);
        let base = daemon.base.clone();

        // Everything acknowledged before this start is still there, unchanged.
        let so_far = all.lock().expect("lock").clone();
        for a in &so_far {
            let got: Value = client
                .get(format!("{base}/api/v1/tickets/{}", a.id))
                .send()
                .await
                .expect("get")
                .json()
                .await
                .expect("json");
            assert_eq!(got["number"], a.number.as_str(), "round {round}: {got}");
            assert_eq!(got["service_day"], a.service_day.as_str());
        }

        let at_start = so_far.len();
        let services = ["A", "B", "A", "C"];
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|i| tokio::spawn(client_loop(base.clone(), services[i], all.clone())))
            .collect();
        // Kill at a different point of the load each round, once the clients are under way
        // (however busy the machine is).
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while all.lock().expect("lock").len() <= at_start {
            assert!(
                std::time::Instant::now() < deadline,
                "round {round}: no ticket issued"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(round * 23)).await;
        let before_kill = all.lock().expect("lock").len();
        daemon.kill();
        for t in tasks {
            t.await.expect("client task");
        }
        assert!(
            before_kill > at_start,
            "round {round}: clients were issuing when the daemon was killed"
        );
    }

    let daemon = Daemon::start(&config, &data);
    let acked = all.lock().expect("lock").clone();
    assert!(
        acked.len() as u64 > ROUNDS * 10,
        "load too light: {}",
        acked.len()
    );
    let mut seen = HashSet::new();
    for a in &acked {
        assert!(
            seen.insert((a.service_day.clone(), a.number.clone())),
            "number {} issued twice",
            a.number
        );
    }

    // Every stored ticket (acknowledged or committed just before a kill) has a distinct
    // number, and each service's numbers run 1..n without a gap.
    let max_id = acked.iter().map(|a| a.id).max().unwrap_or(0);
    let mut per_day_service: HashMap<(String, String), Vec<u32>> = HashMap::new();
    for id in 1..=max_id {
        let got: Value = client
            .get(format!("{}/api/v1/tickets/{id}", daemon.base))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        let number = got["number"].as_str().expect("stored ticket");
        let n: u32 = number
            .rsplit('-')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("numeric part");
        per_day_service
            .entry((
                got["service_day"].as_str().unwrap_or_default().to_string(),
                got["service"].as_str().unwrap_or_default().to_string(),
            ))
            .or_default()
            .push(n);
    }
    for (key, mut numbers) in per_day_service {
        numbers.sort_unstable();
        let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
        assert_eq!(numbers, expected, "{key:?}: numbers repeat or skip");
    }
    daemon.kill();
}
