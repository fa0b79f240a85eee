//! Benchmark: a year of queue and complaint data (125,000 tickets over 250 service days,
//! 2,500 complaints) put through the real store, then a month's queue report and the month's
//! complaint recap timed as the pages make them (store read + report build + charts; the
//! recap's tables), 200 times each; 120 survey responses a day (30,000 in the year) are
//! submitted for finished tickets, and the survey report is made over the year and a quarter
//! as its page makes it (responses and aggregates read, report, tables, chart). The data directory is on /dev/shm when there is one:
//! the same redb file and commits, with fsync cheap, so seeding takes seconds, not an hour;
//! the timed reads do not fsync.
//! Run: `cargo bench --bench reports`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use loket::app;
use loket::audit::Who;
use loket::auth::{Role, User};
use loket::clock::{Clock, FakeClock};
use loket::complaint::{Action, ActionKind, Channel, Level};
use loket::config::{Config, PrinterKind};
use loket::queue::CounterOp;
use loket::report::QueueReport;
use loket::report::queue::Names;
use loket::store::{Identity, NewComplaint, Source};

const DAYS: i64 = 250;
const TICKETS_PER_DAY: usize = 500;
const COMPLAINTS_PER_DAY: usize = 10;
const SERVICES: [&str; 4] = ["B", "C", "D", "A"];
const RESPONSES_PER_DAY: usize = 120;

/// A response's answers: scores spread 1–4, mostly 3 and 4, from a running number.
fn answers(k: usize, elements: &[String]) -> loket::survey::response::Answers {
    let scores = elements
        .iter()
        .enumerate()
        .map(|(e, id)| {
            let r = (k * 7919 + e * 104_729) % 100;
            let s = match r {
                0..=4 => 1,
                5..=19 => 2,
                20..=64 => 3,
                _ => 4,
            };
            (id.clone(), s)
        })
        .collect();
    let mut profile = std::collections::BTreeMap::new();
    profile.insert(
        "jenis_kelamin".to_string(),
        ["Laki-laki", "Perempuan"][k % 2].to_string(),
    );
    loket::survey::response::Answers {
        profile,
        scores,
        suggestion: if k.is_multiple_of(10) {
            format!("Saran nomor {k}: ruang tunggu perlu kipas.")
        } else {
            String::new()
        },
    }
}

fn p(times: &mut [Duration], q: f64) -> f64 {
    times.sort();
    let rank = ((q * times.len() as f64).ceil() as usize).clamp(1, times.len());
    times[rank - 1].as_secs_f64() * 1e3
}

fn main() {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        Path::new(env!("CARGO_TARGET_TMPDIR")).to_path_buf()
    };
    let dir = base.join(format!("loket-reports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/always-open.toml");
    let src = std::fs::read_to_string(&fixture).expect("fixture");
    let mut config = Config::from_toml_str(&src).expect("config");
    config.printer.kind = PrinterKind::None;
    config.console.idle_timeout_minutes = 1_000_000;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // 08:00 WIB on Monday 1 December 2025.
    let start = Utc
        .with_ymd_and_hms(2025, 12, 1, 1, 0, 0)
        .single()
        .expect("time");
    let clock = Arc::new(FakeClock::new(start));
    let options = app::Options {
        config: config.clone(),
        data_dir: dir.join("data"),
        listen: "127.0.0.1:0".parse().expect("addr"),
        clock: clock.clone(),
        open_db: None,
    };

    let seeded = Instant::now();
    let elements: Vec<String> = config
        .survey
        .questionnaire
        .elements
        .iter()
        .map(|e| e.id.clone())
        .collect();
    let (tickets, complaints, completed, responses) = rt.block_on(async {
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
                        created_at: start,
                    },
                    Who::new("seed", ""),
                    "user_added",
                )
                .await
                .expect("user");
        }
        let (mut tickets, mut complaints, mut completed) = (0usize, 0usize, 0usize);
        let mut responses = 0usize;
        for day in 0..DAYS {
            let mut answered_today = 0usize;
            let morning = start + chrono::Duration::days(day);
            // Arrivals over the morning, 25 at a time.
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
            // Four counters call and finish until nobody waits.
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
                let ends: Vec<_> = called
                    .into_iter()
                    .map(|c| {
                        let store = store.clone();
                        let op = if (round + i64::from(c)) % 13 == 0 {
                            CounterOp::NoShow
                        } else {
                            CounterOp::Finish
                        };
                        tokio::spawn(async move {
                            store
                                .counter_op(c, op, Who::new(format!("op{c}"), ""))
                                .await
                        })
                    })
                    .collect();
                for t in ends {
                    let done = t.await.expect("task").expect("finish");
                    // The day's first 120 finished visits answer the survey.
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
            // The day's complaints by letter; every other one's first staff step done.
            for i in 0..COMPLAINTS_PER_DAY {
                let new = NewComplaint {
                    source: Source::Channel(Channel::Letter),
                    level: [Level::Kecil, Level::Menengah, Level::Besar][i % 3],
                    identity: Identity {
                        name: format!("Warga {day}-{i}"),
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
                    if store
                        .act_on_complaint(c.seq(), action, Who::new("petugas", ""))
                        .await
                        .is_ok()
                    {
                        completed += 1;
                    }
                }
            }
        }
        // One more day begins: the last seeded day closes with its aggregate.
        clock.set(start + chrono::Duration::days(DAYS));
        store.health().await.expect("health");
        running.stop().await;
        (tickets, complaints, completed, responses)
    });
    let seed_time = seeded.elapsed();
    let db_bytes = std::fs::metadata(dir.join("data").join(app::DB_FILE))
        .map(|m| m.len())
        .unwrap_or(0);

    rt.block_on(async {
        let t0 = Instant::now();
        let running = app::start(app::Options {
            config: config.clone(),
            data_dir: dir.join("data"),
            listen: "127.0.0.1:0".parse().expect("addr"),
            clock: clock.clone(),
            open_db: None,
        })
        .await
        .expect("restart");
        let restart = t0.elapsed();
        let store = running.store.clone();
        let (from, to) = (
            NaiveDate::from_ymd_opt(2026, 5, 1).expect("date"),
            NaiveDate::from_ymd_opt(2026, 5, 31).expect("date"),
        );
        let service = |c: &str| c.to_string();
        let counter = |id: u32| format!("Loket {id}");
        let names = Names {
            service: &service,
            counter: &counter,
        };
        let mut queue_times = Vec::with_capacity(200);
        let mut report_tickets = 0;
        let mut record_bytes = 0usize;
        for _ in 0..200 {
            let t = Instant::now();
            let days = store.day_aggregates(from, to).await.expect("aggregates");
            let report = QueueReport::build(from, to, &days, &names);
            let tables = report.tables();
            let charts = loket::report::charts::draw(&report);
            queue_times.push(t.elapsed());
            report_tickets = report.total.tickets;
            record_bytes = days
                .iter()
                .map(|d| serde_json::to_vec(d).map_or(0, |b| b.len()))
                .max()
                .unwrap_or(0);
            assert!(!tables.is_empty() && !charts.tickets.is_empty());
        }
        // The longest range a report takes: a year (366 days), 250 of them with tickets.
        let (year_from, year_to) = (
            NaiveDate::from_ymd_opt(2025, 12, 1).expect("date"),
            NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        );
        let mut year_times = Vec::with_capacity(20);
        let mut year_tickets = 0;
        for _ in 0..20 {
            let t = Instant::now();
            let days = store
                .day_aggregates(year_from, year_to)
                .await
                .expect("aggregates");
            let report = QueueReport::build(year_from, year_to, &days, &names);
            let _ = report.tables();
            let _ = loket::report::charts::draw(&report);
            year_times.push(t.elapsed());
            year_tickets = report.total.tickets;
        }
        let mut recap_times = Vec::with_capacity(200);
        let mut received = 0;
        for _ in 0..200 {
            let t = Instant::now();
            let list = store.complaints_received(from, to).await.expect("complaints");
            let recap = loket::report::complaints::recap(
                &list,
                &config.calendar,
                config.office.time_zone,
                clock.now(),
            );
            recap_times.push(t.elapsed());
            received = recap.received;
        }
        // The survey report as its page makes it: a year, then a quarter.
        let survey = |from: NaiveDate, to: NaiveDate| {
            let store = store.clone();
            let q = config.survey.questionnaire.clone();
            async move {
                let t = Instant::now();
                let responses = store.survey_responses(from, to).await.expect("responses");
                let days = store.day_aggregates(from, to).await.expect("aggregates");
                let report = loket::survey::report::SurveyReport::build(from, to, &responses, &q, &days);
                let service = |c: &str| c.to_string();
                let counter = |id: u32| format!("Loket {id}");
                let names = loket::survey::report::Names {
                    service: &service,
                    counter: &counter,
                };
                let tables = report.tables("bench", &names);
                let chart = loket::survey::chart::elements(&report);
                assert!(!tables.is_empty() && !chart.is_empty());
                (t.elapsed(), report.overall.respondents, report.overall.ikm.map(|i| i.display_id()))
            }
        };
        let mut survey_year = Vec::with_capacity(20);
        let mut survey_year_n = (0, None);
        for _ in 0..20 {
            let (t, n, ikm) = survey(year_from, year_to).await;
            survey_year.push(t);
            survey_year_n = (n, ikm);
        }
        let (q_from, q_to) = (
            NaiveDate::from_ymd_opt(2026, 4, 1).expect("date"),
            NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"),
        );
        let mut survey_quarter = Vec::with_capacity(100);
        let mut survey_quarter_n = 0;
        for _ in 0..100 {
            let (t, n, _) = survey(q_from, q_to).await;
            survey_quarter.push(t);
            survey_quarter_n = n;
        }
        let mut xlsx_times = Vec::with_capacity(20);
        for _ in 0..20 {
            let days = store.day_aggregates(from, to).await.expect("aggregates");
            let report = QueueReport::build(from, to, &days, &names);
            let t = Instant::now();
            let bytes = loket::report::table::to_xlsx(&report.tables()).expect("xlsx");
            xlsx_times.push(t.elapsed());
            assert!(!bytes.is_empty());
        }
        println!(
            "seeded {tickets} tickets and {complaints} complaints ({completed} with a step done) in {:.1} s; database {:.1} MB; restart {:.0} ms",
            seed_time.as_secs_f64(),
            db_bytes as f64 / 1e6,
            restart.as_secs_f64() * 1e3
        );
        println!("largest day aggregate record: {record_bytes} bytes (JSON)");
        println!("survey responses submitted: {responses}");
        println!();
        println!("| May 2026 | size | p50 ms | p99 ms |");
        println!("| --- | ---: | ---: | ---: |");
        println!(
            "| queue report (aggregates read, report, 4 tables, 3 SVG charts) | {report_tickets} tickets | {:.2} | {:.2} |",
            p(&mut queue_times, 0.5),
            p(&mut queue_times, 0.99)
        );
        println!(
            "| complaint recap (the month's complaints read, recap, 4 tables) | {received} complaints | {:.2} | {:.2} |",
            p(&mut recap_times, 0.5),
            p(&mut recap_times, 0.99)
        );
        println!(
            "| queue report over 366 days (20 runs) | {year_tickets} tickets | {:.2} | {:.2} |",
            p(&mut year_times, 0.5),
            p(&mut year_times, 0.99)
        );
        println!(
            "| queue report as XLSX (encoding only) | 4 sheets | {:.2} | {:.2} |",
            p(&mut xlsx_times, 0.5),
            p(&mut xlsx_times, 0.99)
        );
        println!(
            "| survey report over 366 days (20 runs; IKM {}) | {} responses | {:.2} | {:.2} |",
            survey_year_n.1.unwrap_or_default(),
            survey_year_n.0,
            p(&mut survey_year, 0.5),
            p(&mut survey_year, 0.99)
        );
        println!(
            "| survey report, Triwulan II 2026 (100 runs) | {survey_quarter_n} responses | {:.2} | {:.2} |",
            p(&mut survey_quarter, 0.5),
            p(&mut survey_quarter, 0.99)
        );
        running.stop().await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}
