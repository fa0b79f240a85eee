//! The queue report's figures against a data set whose answers are worked out by hand: the
//! real daemon, its fake clock driven through three days (one closed while the daemon was
//! stopped, with its aggregate then rebuilt by the catch-up; today live), the XLSX downloaded
//! over HTTP and read back. Percentiles are nearest-rank: rank ceil(p/100 × n).

mod common;

use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, NaiveDate, Utc};
use common::{StaffSession, TestApp, test_config, wib};
use loket::auth::Role;
use loket::clock::FakeClock;
use loket::config::Config;
use serde_json::{Value, json};

/// Service B's name carries markup: the page and the charts must show it as text.
const B_NAME: &str = "KTP <el> & \"co\"";

fn config() -> Config {
    let mut c = test_config();
    for s in &mut c.services {
        if s.code == "B" {
            s.name = B_NAME.to_string();
        }
    }
    c
}

async fn op_as(
    app: &TestApp,
    who: &StaffSession,
    at: DateTime<Utc>,
    counter: u32,
    op: &str,
    body: Option<Value>,
) -> Value {
    app.clock.set(at);
    let mut req = app.as_staff(
        reqwest::Method::POST,
        &format!("/api/v1/counters/{counter}/{op}"),
        who,
    );
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("json");
    assert_eq!(status, 200, "{op} at {counter}: {body}");
    body
}

async fn issue_at(app: &TestApp, at: DateTime<Utc>, service: &str) -> String {
    app.clock.set(at);
    app.issue(service, false).await["number"]
        .as_str()
        .expect("number")
        .to_string()
}

/// Call (expecting `number`), serve and finish at the given minutes of `day`'s hour `h`.
struct Serve<'a> {
    app: &'a TestApp,
    who: &'a StaffSession,
    counter: u32,
}

impl Serve<'_> {
    async fn call(&self, at: DateTime<Utc>, number: &str) {
        let b = op_as(self.app, self.who, at, self.counter, "call-next", None).await;
        assert_eq!(b["ticket"]["number"], number, "{b}");
    }
    async fn op(&self, at: DateTime<Utc>, op: &str, body: Option<Value>) {
        op_as(self.app, self.who, at, self.counter, op, body).await;
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn fetch(app: &TestApp, who: &StaffSession, path: &str) -> (u16, String, Vec<u8>) {
    let r = app
        .as_staff(reqwest::Method::GET, path, who)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let disposition = r
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, disposition, r.bytes().await.expect("body").to_vec())
}

/// A sheet's rows as text (numbers as integers, dates as `YYYY-MM-DD`).
fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    let range = book.worksheet_range(name).expect("sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => {
                        assert_eq!(f.fract(), 0.0, "whole numbers: {f}");
                        format!("{f}")
                    }
                    Data::Int(i) => i.to_string(),
                    Data::DateTime(d) => {
                        // Excel's day 0 is 1899-12-30.
                        let base = day(1899, 12, 30);
                        (base + chrono::Duration::days(d.as_f64() as i64)).to_string()
                    }
                    Data::Empty => String::new(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect()
}

fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.first().map(String::as_str) == Some(first))
        .unwrap_or_else(|| panic!("no row {first} in {rows:?}"))
}

/// The columns: label, tickets, served, no-show, transferred, cancelled, wait median,
/// wait p90, service median, service p90 (seconds; empty when nothing to measure).
fn expect(rows: &[Vec<String>], first: &str, want: &[&str]) {
    let got = row(rows, first);
    let got: Vec<&str> = got.iter().skip(1).map(String::as_str).collect();
    assert_eq!(got, want, "row {first}");
}

#[tokio::test]
async fn queue_report_figures_match_the_seeded_days() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(FakeClock::new(wib(2026, 11, 30, 9, 0)));
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), config()).await;
    let op = app.operator.clone(); // "loket-op"
    let t = |h, m| wib(2026, 11, 30, h, m);

    // Day 1, Monday 30 November.
    for _ in 0..4 {
        issue_at(&app, t(9, 0), "B").await;
    }
    issue_at(&app, t(9, 0), "C").await;
    let c2 = Serve {
        app: &app,
        who: &op,
        counter: 2,
    };
    c2.call(t(9, 2), "B-001").await; // wait 120
    c2.op(t(9, 3), "serve", None).await;
    c2.op(t(9, 8), "finish", None).await; // service 300
    c2.call(t(9, 10), "B-002").await; // wait 600
    c2.op(t(9, 10), "serve", None).await;
    c2.op(t(9, 20), "finish", None).await; // service 600
    c2.call(t(9, 21), "B-003").await; // wait 1260
    c2.op(t(9, 25), "no-show", None).await;
    // Sessions end after 30 idle minutes: the second operator signs in when she starts.
    clock.set(t(9, 30));
    let sari = app.staff("sari", &[Role::Operator]).await;
    let c3 = Serve {
        app: &app,
        who: &sari,
        counter: 3,
    };
    c3.call(t(9, 30), "B-004").await; // wait 1800
    c3.op(t(9, 31), "transfer", Some(json!({"service": "D"})))
        .await;
    // Counter 4 (D, C): B-004 is ahead of C-001 by issue order.
    let c4 = Serve {
        app: &app,
        who: &sari,
        counter: 4,
    };
    c4.call(t(9, 32), "B-004").await; // a second call: no second wait
    c4.op(t(9, 32), "serve", None).await;
    c4.op(t(9, 37), "finish", None).await; // service 300
    c4.call(t(9, 40), "C-001").await; // wait 2400
    c4.op(t(9, 40), "serve", None).await;
    c4.op(t(9, 50), "finish", None).await; // service 600
    issue_at(&app, t(10, 0), "D").await; // never called: cancelled at the day's close

    // Day 2, Tuesday 1 December: the daemon stops before it closes.
    let t2 = |h, m| wib(2026, 12, 1, h, m);
    app.walk_clock_to(t2(8, 0)).await;
    // Sessions end overnight: the operator signs in again.
    let op = app.staff("loket-op", &[Role::Operator]).await;
    let c2 = Serve {
        app: &app,
        who: &op,
        counter: 2,
    };
    issue_at(&app, t2(8, 0), "C").await;
    issue_at(&app, t2(8, 5), "C").await;
    c2.call(t2(8, 10), "C-001").await; // wait 600
    c2.op(t2(8, 10), "serve", None).await;
    c2.op(t2(8, 40), "finish", None).await; // service 1800
    c2.call(t2(8, 41), "C-002").await; // wait 2160
    c2.op(t2(8, 45), "no-show", None).await;
    app.stop().await;

    // A file from before reports existed: no aggregates at all. The catch-up at open
    // rebuilds day 1 from its tickets; day 2 closes with the first request of day 3.
    {
        let db = redb::Database::open(tmp.path().join("loket.redb")).expect("open the file");
        let txn = db.begin_write().expect("txn");
        let table: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("report_days");
        assert!(
            txn.delete_table(table).expect("delete"),
            "day 1's aggregate was written"
        );
        let meta: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("meta");
        txn.open_table(meta)
            .expect("meta")
            .remove("report_through_id")
            .expect("remove");
        txn.commit().expect("commit");
    }
    let t3 = |h, m| wib(2026, 12, 2, h, m);
    clock.set(t3(13, 0));
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), config()).await;
    let op = app.operator.clone();
    issue_at(&app, t3(13, 0), "B").await;
    let c2 = Serve {
        app: &app,
        who: &op,
        counter: 2,
    };
    c2.call(t3(13, 1), "B-001").await; // wait 60, live
    c2.op(t3(13, 1), "serve", None).await;
    c2.op(t3(13, 3), "finish", None).await; // service 120

    let head = app.staff("hendra", &[Role::KepalaDinas]).await;
    let (status, disposition, xlsx) = fetch(
        &app,
        &head,
        "/console/laporan?dari=2026-11-30&sampai=2026-12-02&format=xlsx",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        disposition,
        "attachment; filename=\"laporan-antrian-2026-11-30_2026-12-02.xlsx\""
    );

    let days = sheet(&xlsx, "Per hari");
    assert_eq!(
        days[0][6..],
        [
            "Tunggu median (detik)",
            "Tunggu p90 (detik)",
            "Layanan median (detik)",
            "Layanan p90 (detik)"
        ]
    );
    // Day 1: stays B-001..B-004, C-001, B-004 in D, D-001 = 7; waits 120 600 1260 1800 2400
    // (rank 3 and 5); services 300 600 300 600 (rank 2 and 4).
    expect(
        &days,
        "2026-11-30",
        &["7", "4", "1", "1", "1", "1260", "2400", "300", "600"],
    );
    // Day 2 (closed while stopped): waits 600 2160, service 1800.
    expect(
        &days,
        "2026-12-01",
        &["2", "1", "1", "0", "0", "600", "2160", "1800", "1800"],
    );
    // Day 3, today, from memory.
    expect(
        &days,
        "2026-12-02",
        &["1", "1", "0", "0", "0", "60", "60", "120", "120"],
    );
    // The range: waits 60 120 600 600 1260 1800 2160 2400 (rank 4 and 8); services 120 300
    // 300 600 600 1800 (rank 3 and 6).
    expect(
        &days,
        "Jumlah",
        &["10", "6", "2", "1", "1", "600", "2400", "300", "1800"],
    );

    let services = sheet(&xlsx, "Per layanan");
    expect(
        &services,
        B_NAME,
        &["5", "3", "1", "1", "0", "600", "1800", "300", "600"],
    );
    expect(
        &services,
        "Kartu Keluarga",
        &["3", "2", "1", "0", "0", "2160", "2400", "600", "1800"],
    );
    expect(
        &services,
        "Akta Kelahiran",
        &["2", "1", "0", "0", "1", "", "", "300", "300"],
    );

    let staff = sheet(&xlsx, "Per petugas");
    // loket-op: B-001..B-003, day 2's two, today's one; waits 60 120 600 600 1260 2160.
    expect(
        &staff,
        "loket-op",
        &["6", "4", "2", "0", "0", "600", "2160", "300", "1800"],
    );
    // sari: B-004 (transferred out), C-001, B-004 in D; waits 1800 2400.
    expect(
        &staff,
        "sari",
        &["3", "2", "0", "1", "0", "1800", "2400", "300", "600"],
    );
    expect(
        &staff,
        "(belum dipanggil)",
        &["1", "0", "0", "0", "1", "", "", "", ""],
    );

    let counters = sheet(&xlsx, "Per loket");
    expect(
        &counters,
        "Loket 4",
        &["2", "2", "0", "0", "0", "2400", "2400", "300", "600"],
    );
    expect(
        &counters,
        "Loket 3",
        &["1", "0", "0", "1", "0", "1800", "1800", "", ""],
    );

    // The same numbers in the CSV, and on the page, where B's name is text, not markup.
    let (status, disposition, csv) = fetch(
        &app,
        &head,
        "/console/laporan?dari=2026-11-30&sampai=2026-12-02&format=csv",
    )
    .await;
    assert_eq!(status, 200);
    assert!(disposition.ends_with(".csv\""), "{disposition}");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.contains("Jumlah,10,6,2,1,1,600,2400,300,1800"), "{csv}");
    let (status, _, page) = fetch(
        &app,
        &head,
        "/console/laporan?dari=2026-11-30&sampai=2026-12-02",
    )
    .await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).expect("utf-8");
    assert!(!page.contains("<el>"), "markup in a name reached the page");
    assert!(
        page.contains("KTP &lt;el&gt; &amp;"),
        "the name as text in the legend and tables"
    );
    assert_eq!(page.matches("<svg").count(), 3, "three charts");
    assert!(
        page.contains("<td class=\"n\">40:00</td>"),
        "wait p90 of the range: {page}"
    );

    // A backup restored: the closed days' figures come back with their tickets.
    let backup = tmp.path().join("backup.redb");
    app.state()
        .store
        .backup(backup.clone())
        .await
        .expect("backup");
    app.stop().await;
    let data = tempfile::tempdir().expect("restore dir");
    loket::backup_cli::restore(&backup, data.path()).expect("restore");
    let app = TestApp::spawn_in(data.path(), clock.clone(), config()).await;
    let head = app.staff("hendra", &[Role::KepalaDinas]).await;
    let (_, _, restored) = fetch(
        &app,
        &head,
        "/console/laporan?dari=2026-11-30&sampai=2026-12-01&format=xlsx",
    )
    .await;
    let restored = sheet(&restored, "Per hari");
    for day in [&days[1], &days[2]] {
        assert!(restored.contains(day), "{day:?} in {restored:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_ranges_are_refused_in_indonesian_and_only_the_office_head_and_admin_read() {
    let app = TestApp::spawn().await;
    let head = app.staff("hendra", &[Role::KepalaDinas]).await;
    for (query, says) in [
        ("dari=2026-11-20&sampai=2026-11-01", "sesudah tanggal akhir"),
        ("dari=2025-01-01&sampai=2026-11-01", "lebih dari 366 hari"),
        ("dari=2026-02-30", "tidak valid"),
        ("format=pdf", "tidak dikenal"),
    ] {
        let (status, _, body) = fetch(&app, &head, &format!("/console/laporan?{query}")).await;
        assert_eq!(status, 400, "{query}");
        let body = String::from_utf8(body).expect("utf-8");
        assert!(body.contains(says), "{query}: {body}");
    }
    let (status, _, _) = fetch(&app, &head, "/console/laporan").await;
    assert_eq!(status, 200);
    let operator = app.operator.clone();
    let (status, _, _) = fetch(&app, &operator, "/console/laporan").await;
    assert_eq!(status, 403);
    // "Hari ini" on the home page is the office head's and the administrator's.
    app.issue("B", false).await;
    let (_, _, home) = fetch(&app, &head, "/console").await;
    let home = String::from_utf8(home).expect("utf-8");
    assert!(home.contains("id=\"glance\""), "{home}");
    assert!(
        home.contains("<td>KTP-el</td><td class=\"n\">1</td><td class=\"n\">1</td>"),
        "{home}"
    );
    let (_, _, home) = fetch(&app, &operator, "/console").await;
    assert!(
        !String::from_utf8(home)
            .expect("utf-8")
            .contains("id=\"glance\"")
    );
    let (status, _, _) = fetch(&app, &operator, "/console/ringkasan").await;
    assert_eq!(status, 403);
    let (status, _, block) = fetch(&app, &head, "/console/ringkasan").await;
    assert_eq!(status, 200);
    assert!(
        String::from_utf8(block)
            .expect("utf-8")
            .starts_with("<section id=\"glance\"")
    );
    app.stop().await;
}

async fn send_json(
    app: &TestApp,
    who: &StaffSession,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut req = app.as_staff(method, path, who);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("json");
    assert!(status < 300, "{path}: {status} {body}");
    body
}

/// Completes the complaint's current step at `at`.
async fn complete(app: &TestApp, who: &StaffSession, seq: u64, at: DateTime<Utc>) {
    app.clock.set(at);
    let c = send_json(
        app,
        who,
        reqwest::Method::GET,
        &format!("/api/v1/complaints/{seq}"),
        None,
    )
    .await;
    let body = json!({"step": c["current_step"], "version": c["version"], "kind": "complete"});
    send_json(
        app,
        who,
        reqwest::Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        Some(body),
    )
    .await;
}

#[tokio::test]
async fn complaint_recap_counts_steps_and_complaints_within_their_standard() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(FakeClock::new(wib(2026, 11, 30, 8, 0)));
    let mut c = test_config();
    c.console.idle_timeout_minutes = 1_000_000;
    c.console.absolute_timeout_hours = 1_000_000;
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), c).await;
    let officer = app.staff("sari", &[Role::ComplaintOfficer]).await;
    let kasubbag = app.staff("rina", &[Role::KasubbagUmum]).await;
    let head = app.staff("hendra", &[Role::KepalaDinas]).await;
    let letter = json!({
        "channel": "letter",
        "level": "kecil",
        "identity": {"name": "Ahmad", "address": "Jl. Merdeka 17", "phone": "081234567890"},
        "service": "A",
        "what_happened": "Antrian lama",
        "shortfall": "Melebihi standar",
        "remedy": "Perbaikan"
    });
    let mut seqs = Vec::new();
    for _ in 0..2 {
        let opened = send_json(
            &app,
            &officer,
            reqwest::Method::POST,
            "/api/v1/complaints",
            Some(letter.clone()),
        )
        .await;
        seqs.push(opened["complaint"]["seq"].as_u64().expect("seq"));
    }
    let (x, y) = (seqs[0], seqs[1]);
    // Y: step 3 (1 hari kerja) in 10 minutes, step 4 (1 jam) in 30: both within.
    complete(&app, &officer, y, wib(2026, 11, 30, 8, 10)).await;
    complete(&app, &kasubbag, y, wib(2026, 11, 30, 8, 40)).await;
    // X: step 3 in 60 minutes (within), step 4 in 90 (30 working minutes late).
    complete(&app, &officer, x, wib(2026, 11, 30, 9, 0)).await;
    complete(&app, &kasubbag, x, wib(2026, 11, 30, 10, 30)).await;

    let (status, disposition, xlsx) = fetch(
        &app,
        &head,
        "/console/laporan/pengaduan?bulan=2026-11&format=xlsx",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        disposition,
        "attachment; filename=\"laporan-pengaduan-2026-11.xlsx\""
    );
    let summary = sheet(&xlsx, "Ringkasan");
    expect(&summary, "Pengaduan diterima", &["2", ""]);
    expect(&summary, "Selesai (ditutup)", &["0", "0"]);
    // Y has no late step, X has one: 1 of 2.
    expect(&summary, "Pengaduan tanpa langkah terlambat", &["1", "50"]);
    // Steps done with a standard: Y3, Y4, X3 within, X4 late: 3 of 4.
    expect(
        &summary,
        "Langkah selesai sesuai standar waktu",
        &["3", "75"],
    );
    let received = sheet(&xlsx, "Diterima");
    assert!(
        received.iter().any(|r| r[1] == "Surat" && r[2] == "2"),
        "{received:?}"
    );
    assert!(
        received
            .iter()
            .any(|r| r[1] == "Skala Kecil" && r[2] == "2"),
        "{received:?}"
    );
    let steps = sheet(&xlsx, "Per langkah");
    // Step 4: done twice, one within (50%), mean (30 + 90) / 2 = 60 working minutes, standard 60.
    let step4 = steps.iter().find(|r| r[1] == "4").expect("step 4");
    assert_eq!(step4[3..], ["1 jam", "2", "50", "60", "60"]);
    let step3 = steps.iter().find(|r| r[1] == "3").expect("step 3");
    assert_eq!(step3[4..7], ["2", "100", "35"]);
    let late = sheet(&xlsx, "Terlambat");
    assert_eq!(late.len(), 2, "one overdue step: {late:?}");
    assert_eq!(
        late[1][2..],
        ["4", "2026-11-30 10:00", "30", "selesai terlambat"]
    );

    let (status, _, page) = fetch(&app, &head, "/console/laporan/pengaduan?bulan=2026-11").await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).expect("utf-8");
    assert!(page.contains("75,0%"), "{page}");
    assert!(
        !page.contains("Ahmad"),
        "no complainant's name in the recap"
    );
    // The month on paper, for the office head to sign: the same figures under the
    // letterhead, read back with pdftotext.
    assert_eq!(app.number("A").await, "A-001");
    let (status, disposition, pdf) =
        fetch(&app, &head, "/console/laporan/bulanan?bulan=2026-11").await;
    assert_eq!(status, 200);
    assert_eq!(
        disposition,
        "attachment; filename=\"laporan-bulanan-2026-11.pdf\""
    );
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf, tmp.path(), "monthly");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "LAPORAN BULANAN PELAYANAN ANTRIAN DAN PENGELOLAAN PENGADUAN",
        "Bulan November 2026",
        "tercatat 1 tiket antrian",
        "Pengaduan yang diterima pada bulan November 2026: 2; telah selesai: 0.",
        "standar waktu: 3 dari 4 (75,0%)",
        "1 dari 2 (50,0%)",
        "Per layanan",
        "Per langkah",
        "NAMA KEPALA DINAS, S.H., M.Si.",
        "NIP. 19700101 200003 1 001",
    ] {
        assert!(flat.contains(expected), "{expected:?} in {flat}");
    }
    assert!(!flat.contains("Ahmad"), "no complainant's name on paper");
    if std::env::var_os("LOKET_SCREENSHOTS").is_some() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("dir");
        let pdf_path = tmp.path().join("monthly.pdf");
        let out = std::process::Command::new("pdftoppm")
            .args(["-r", "80", "-png"])
            .arg(&pdf_path)
            .arg(dir.join("monthly-report"))
            .status()
            .expect("pdftoppm");
        assert!(out.success());
    }
    let (status, _, _) = fetch(&app, &head, "/console/laporan/bulanan?bulan=2026-13").await;
    assert_eq!(status, 400);
    let (status, _, _) = fetch(&app, &officer, "/console/laporan/bulanan?bulan=2026-11").await;
    assert_eq!(status, 403);

    for bad in [
        "bulan=2026-13",
        "bulan=November",
        "bulan=2026-11&format=doc",
    ] {
        let (status, _, body) =
            fetch(&app, &head, &format!("/console/laporan/pengaduan?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            String::from_utf8(body).expect("utf-8").contains("tidak"),
            "{bad}"
        );
    }
    app.stop().await;
}

/// The text of a PDF, as `pdftotext` (poppler-utils) reads it.
fn pdf_text(bytes: &[u8], dir: &std::path::Path, name: &str) -> String {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}
