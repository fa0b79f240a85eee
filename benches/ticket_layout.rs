//! Benchmark: one paper ticket from queue data to ESC/POS bytes (layout, number raster,
//! sanitising, encoding), per paper width. Run: `cargo bench --bench ticket_layout`.

use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use loket::config::{Config, EMBEDDED_DEFAULT};
use loket::printer::{PrintJob, ticket_bytes};
use loket::queue::{Estimate, PrintState, Ticket, TicketState};

fn job(n: u32) -> PrintJob {
    PrintJob {
        ticket: Ticket {
            id: u64::from(n),
            service_day: NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            issued_service: "B".into(),
            service: "B".into(),
            prefix: "B".into(),
            number: n,
            label: format!("B-{n:03}"),
            priority: n.is_multiple_of(10),
            state: TicketState::Waiting,
            issued_at: Utc
                .with_ymd_and_hms(2026, 11, 30, 6, 5, 0)
                .single()
                .expect("time"),
            counter: None,
            called_at: None,
            serving_at: None,
            finished_at: None,
            calls: 0,
            call_order: 0,
            print: PrintState::Pending,
            history: Vec::new(),
            place: None,
        },
        estimate: Estimate {
            people_ahead: 12,
            minutes: 35,
        },
    }
}

fn main() {
    println!("| paper | tickets | mean µs | p50 µs | p99 µs | bytes per ticket |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for mm in [58, 80] {
        let src = EMBEDDED_DEFAULT.replace("paper_mm = 58", &format!("paper_mm = {mm}"));
        let config = Config::from_toml_str(&src).expect("config");
        let base = Some("http://192.168.1.10:8080");
        let n = 2000u32;
        let mut times = Vec::with_capacity(n as usize);
        let mut bytes = 0usize;
        let start = Instant::now();
        for i in 1..=n {
            let t0 = Instant::now();
            let out = ticket_bytes(&config, base, &job(i));
            times.push(t0.elapsed());
            bytes = out.len();
        }
        let total = start.elapsed();
        times.sort();
        println!(
            "| {mm} mm | {n} | {:.0} | {:.0} | {:.0} | {bytes} |",
            total.as_secs_f64() * 1e6 / f64::from(n),
            times[times.len() / 2].as_secs_f64() * 1e6,
            times[times.len() * 99 / 100].as_secs_f64() * 1e6,
        );
    }
}
