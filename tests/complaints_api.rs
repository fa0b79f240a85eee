//! The complaint API over HTTP, by users of the right roles: each of the four flows walked
//! end to end with the office calendar's due times, refusals that change nothing, the public
//! tracking page and its lookup limit, and the purge from the command line.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::{StaffSession, TestApp, wib};
use loket::auth::Role;
use loket::clock::FakeClock;
use loket::complaint::{Sop, SopSource};
use loket::config::Config;
use reqwest::Method;
use serde_json::{Value, json};

/// Monday 30 November 2026, 08:00 WIB: a working week with no holiday.
fn start() -> DateTime<Utc> {
    wib(2026, 11, 30, 8, 0)
}

/// The shipped configuration with sessions that outlive the days a walk spans on the fake
/// clock (the session limits have their own tests).
fn test_config() -> Config {
    let mut c = common::test_config();
    c.console.idle_timeout_minutes = 1_000_000;
    c.console.absolute_timeout_hours = 1_000_000;
    c
}

async fn spawn_at(at: DateTime<Utc>, config: Config) -> (TestApp, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(FakeClock::new(at));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    (app, tmp)
}

#[derive(Clone)]
struct People {
    officer: StaffSession,
    cs: StaffSession,
    kasubbag: StaffSession,
    kasi: StaffSession,
    sekretaris: StaffSession,
    kepala: StaffSession,
}

async fn people(app: &TestApp) -> People {
    People {
        officer: app.staff("sari", &[Role::ComplaintOfficer]).await,
        cs: app.staff("budi", &[Role::CustomerService]).await,
        kasubbag: app.staff("rina", &[Role::KasubbagUmum]).await,
        kasi: app.staff("agus", &[Role::Kasi]).await,
        sekretaris: app.staff("wati", &[Role::Sekretaris]).await,
        kepala: app.staff("hendra", &[Role::KepalaDinas]).await,
    }
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &StaffSession,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.as_staff(method, path, who);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn open_body(level: &str, name: &str) -> Value {
    json!({
        "channel": "letter",
        "level": level,
        "identity": {
            "name": name,
            "address": "Jl. Merdeka 17, Bogor",
            "phone": "081234567890",
            "nik": "3271011408850003"
        },
        "service": "A",
        "what_happened": "Antrian KTP terlalu lama",
        "shortfall": "Melebihi standar waktu",
        "remedy": "Perbaikan layanan"
    })
}

async fn open(app: &TestApp, officer: &StaffSession, body: Value) -> Value {
    let (status, body) = send(app, Method::POST, "/api/v1/complaints", officer, Some(body)).await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn complaint(app: &TestApp, who: &StaffSession, seq: u64) -> Value {
    let (status, body) = send(
        app,
        Method::GET,
        &format!("/api/v1/complaints/{seq}"),
        who,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// One action on the complaint's current step, at the version just read; must succeed.
async fn act(app: &TestApp, who: &StaffSession, seq: u64, kind: &str, extra: Value) -> Value {
    let c = complaint(app, who, seq).await;
    let mut body = json!({
        "step": c["current_step"],
        "version": c["version"],
        "kind": kind,
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    let (status, after) = send(
        app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        who,
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{kind} {body}: {after}");
    after
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a time: {v}"))
}

/// The record of `step` in `round`.
fn record(c: &Value, step: u64, round: u64) -> &Value {
    c["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|r| r["step"] == step && r["round"] == round)
        .unwrap_or_else(|| panic!("no record of step {step} round {round}: {c}"))
}

fn due(c: &Value, step: u64, round: u64) -> DateTime<Utc> {
    time(&record(c, step, round)["due_at"])
}

fn started(c: &Value, step: u64, round: u64) -> DateTime<Utc> {
    time(&record(c, step, round)["started_at"])
}

fn seq_of(opened: &Value) -> u64 {
    opened["complaint"]["seq"].as_u64().expect("seq")
}

/// Every record's due time against the step's standard, from its start, by the office
/// calendar: the API's numbers are the engine's over the real configuration.
fn check_all_due_times(config: &Config, c: &Value) {
    let flow = config
        .sop
        .flows()
        .find(|f| f.id == c["flow"].as_str().unwrap_or_default())
        .expect("flow");
    for r in c["steps"].as_array().expect("steps") {
        let no = r["step"].as_u64().expect("step") as u32;
        if r["outcome"] == "not_applicable" {
            assert!(r["due_at"].is_null(), "{r}");
            continue;
        }
        let step = flow.step(no).expect("step of the flow");
        let want = config.calendar.due(time(&r["started_at"]), step.time);
        assert_eq!(
            due(c, u64::from(no), r["round"].as_u64().expect("round")),
            want,
            "{r}"
        );
    }
}

#[tokio::test]
async fn skala_kecil_walked_with_a_return_for_revision_and_refusals_that_change_nothing() {
    let (app, _tmp) = spawn_at(start(), test_config()).await;
    let p = people(&app).await;

    // Only the complaint officer opens; a wrong NIK is refused in Indonesian.
    let (s, _) = send(
        &app,
        Method::POST,
        "/api/v1/complaints",
        &p.kepala,
        Some(open_body("kecil", "Ahmad")),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = send(
        &app,
        Method::POST,
        "/api/v1/complaints",
        &app.operator,
        Some(open_body("kecil", "Ahmad")),
    )
    .await;
    assert_eq!(s, 403);
    let mut bad = open_body("kecil", "Ahmad");
    bad["identity"]["nik"] = json!("1234");
    let (s, body) = send(
        &app,
        Method::POST,
        "/api/v1/complaints",
        &p.officer,
        Some(bad),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_nik");
    assert_eq!(body["error"]["message"], "NIK harus 16 angka.");

    let opened = open(&app, &p.officer, open_body("kecil", "Ahmad Sutrisno")).await;
    assert!(
        ["printed", "failed", "not_sent", "no_printer"]
            .contains(&opened["print"].as_str().unwrap_or_default()),
        "{opened}"
    );
    let seq = seq_of(&opened);
    let c = &opened["complaint"];
    assert_eq!(c["flow"], "skala_kecil");
    assert_eq!(c["current_step"], 3);
    assert!(
        !c.to_string().contains("Ahmad"),
        "no identity in the plain read: {c}"
    );
    // Steps 1–2 did not apply (a letter); step 3 starts on receipt, due a working day later.
    assert_eq!(record(c, 1, 1)["outcome"], "not_applicable");
    assert_eq!(started(c, 3, 1), start());
    assert_eq!(due(c, 3, 1), wib(2026, 12, 1, 8, 0));

    // The identity is for the roles that write the reply, and its read is audited.
    let (s, id) = send(
        &app,
        Method::GET,
        &format!("/api/v1/complaints/{seq}/identity"),
        &p.officer,
        None,
    )
    .await;
    assert_eq!(s, 200, "{id}");
    assert_eq!(id["name"], "Ahmad Sutrisno");
    assert_eq!(id["nik"], "3271011408850003");
    let audit = app.state().store.audit_entries().await.expect("audit");
    let viewed: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e.action == "complaint_identity_viewed")
        .map(|e| (e.actor.as_str(), e.addr.as_str()))
        .collect();
    assert_eq!(
        viewed,
        [("sari", "127.0.0.1")],
        "the identity read is audited"
    );
    for who in [&p.cs, &p.kasubbag] {
        let (s, _) = send(
            &app,
            Method::GET,
            &format!("/api/v1/complaints/{seq}/identity"),
            who,
            None,
        )
        .await;
        assert_eq!(s, 403, "only who writes, sends and signs the reply");
    }
    let (s, _) = send(
        &app,
        Method::GET,
        &format!("/api/v1/complaints/{seq}"),
        &app.operator,
        None,
    )
    .await;
    assert_eq!(s, 403);

    // Step 3 by the officer at 09:00: step 4 (1 jam) due 10:00.
    app.clock.set(wib(2026, 11, 30, 9, 0));
    let before = complaint(&app, &p.officer, seq).await;
    // Role violation: the Kepala Dinas cannot do the officer's step; nothing changes.
    let (s, body) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        &p.kepala,
        Some(json!({"step": 3, "version": before["version"], "kind": "complete"})),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    // Out of order: step 4 is not yet its turn.
    let (s, body) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        &p.kasubbag,
        Some(json!({"step": 4, "version": before["version"], "kind": "complete"})),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert_eq!(body["error"]["code"], "out_of_order");
    assert_eq!(
        complaint(&app, &p.officer, seq).await,
        before,
        "refusals changed nothing"
    );

    // Two posts of the same form at the same version: exactly one succeeds.
    let form = json!({"step": 3, "version": before["version"], "kind": "complete", "documents": ["laporan/Surat Pengaduan"], "note": "Catatan staf: pengadu menelepon dua kali"});
    let path = format!("/api/v1/complaints/{seq}/actions");
    let (a, b) = tokio::join!(
        send(&app, Method::POST, &path, &p.officer, Some(form.clone())),
        send(&app, Method::POST, &path, &p.officer, Some(form.clone())),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let c = complaint(&app, &p.officer, seq).await;
    assert_eq!(c["current_step"], 4);
    assert_eq!(due(&c, 4, 1), wib(2026, 11, 30, 10, 0));
    assert_eq!(
        record(&c, 3, 1)["note"],
        "Catatan staf: pengadu menelepon dua kali"
    );

    // The tracking page: the stage, and no name, NIK or phone.
    let code = c["tracking_code"].as_str().expect("code").to_string();
    let r = app
        .client
        .get(app.url(&format!("/lacak/{}", code.to_lowercase())))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.expect("html");
    assert!(
        page.contains(c["number"].as_str().expect("number")),
        "{page}"
    );
    assert!(
        page.contains("Sedang ditangani oleh Kasubbag Umum dan Kepegawaian."),
        "{page}"
    );
    assert!(page.contains("Diproses"));
    for secret in [
        "Ahmad",
        "Sutrisno",
        "3271011408850003",
        "081234567890",
        "Merdeka",
        "Antrian KTP",
        "Catatan staf",
    ] {
        assert!(!page.contains(secret), "{secret} on the public page");
    }

    // Step 4 at 10:30: step 5 (3 jam) 10:30–12:00 and 13:00–14:30.
    app.clock.set(wib(2026, 11, 30, 10, 30));
    let c = act(&app, &p.kasubbag, seq, "complete", json!({})).await;
    assert_eq!(due(&c, 5, 1), wib(2026, 11, 30, 14, 30));
    // Step 5: no completing without a draft.
    app.clock.set(wib(2026, 11, 30, 11, 0));
    let (s, body) = send(
        &app,
        Method::POST,
        &path,
        &p.officer,
        Some(json!({"step": 5, "version": c["version"], "kind": "complete"})),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    act(
        &app,
        &p.officer,
        seq,
        "save_draft",
        json!({"text": "Dengan hormat, …"}),
    )
    .await;
    let c = act(&app, &p.officer, seq, "complete", json!({})).await;
    assert_eq!(c["current_step"], 6);
    assert_eq!(due(&c, 6, 1), wib(2026, 12, 1, 11, 0));

    // The Kepala Dinas returns it at 13:30: round 2 from step 4 (due 14:30).
    app.clock.set(wib(2026, 11, 30, 13, 30));
    let (s, _) = send(
        &app,
        Method::POST,
        &path,
        &p.kepala,
        Some(json!({"step": 6, "version": c["version"], "kind": "return_for_revision"})),
    )
    .await;
    assert_eq!(s, 422, "a return needs a note");
    let c = act(
        &app,
        &p.kepala,
        seq,
        "return_for_revision",
        json!({"note": "Perbaiki paragraf kedua."}),
    )
    .await;
    assert_eq!(c["current_step"], 4);
    assert_eq!(c["round"], 2);
    assert_eq!(record(&c, 6, 1)["outcome"], "returned");
    assert_eq!(due(&c, 4, 2), wib(2026, 11, 30, 14, 30));
    // Round 2: step 5 from 14:00 runs over the evening: 120 minutes today, 60 on Tuesday.
    app.clock.set(wib(2026, 11, 30, 14, 0));
    let c = act(&app, &p.kasubbag, seq, "complete", json!({})).await;
    assert_eq!(due(&c, 5, 2), wib(2026, 12, 1, 8, 30));
    app.clock.set(wib(2026, 11, 30, 15, 0));
    act(
        &app,
        &p.officer,
        seq,
        "save_draft",
        json!({"text": "Dengan hormat, (perbaikan) …"}),
    )
    .await;
    let c = act(&app, &p.officer, seq, "complete", json!({})).await;
    assert_eq!(due(&c, 6, 2), wib(2026, 12, 1, 15, 0));
    // Tuesday 09:00 approved; 7 (15 menit) due 09:15; 8 recorded on behalf; closed.
    app.clock.set(wib(2026, 12, 1, 9, 0));
    let c = act(&app, &p.kepala, seq, "approve", json!({})).await;
    assert_eq!(due(&c, 7, 2), wib(2026, 12, 1, 9, 15));
    app.clock.set(wib(2026, 12, 1, 9, 10));
    let c = act(&app, &p.officer, seq, "complete", json!({})).await;
    assert_eq!(due(&c, 8, 2), wib(2026, 12, 1, 9, 25));
    // The complainant's step is recorded by the officer, not "completed".
    let (s, body) = send(
        &app,
        Method::POST,
        &path,
        &p.officer,
        Some(json!({"step": 8, "version": c["version"], "kind": "complete"})),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["error"]["code"], "wrong_action");
    app.clock.set(wib(2026, 12, 1, 9, 20));
    let c = act(
        &app,
        &p.officer,
        seq,
        "record_on_behalf",
        json!({"happened_at": wib(2026, 12, 1, 9, 15)}),
    )
    .await;
    assert!(c["closed_at"].is_string(), "{c}");
    assert!(c["current_step"].is_null());
    check_all_due_times(&app.state().config, &c);
    // Closed: any further action is out of order.
    let (s, _) = send(
        &app,
        Method::POST,
        &path,
        &p.officer,
        Some(json!({"step": 8, "version": c["version"], "kind": "record_on_behalf"})),
    )
    .await;
    assert_eq!(s, 409);

    let r = app
        .client
        .get(app.url(&format!("/lacak/{code}")))
        .send()
        .await
        .expect("page");
    let page = r.text().await.expect("html");
    assert!(page.contains("Selesai"), "{page}");

    // The receipt again, marked as a reprint: only the officer.
    let (s, body) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/receipt"),
        &p.officer,
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert!(body["print"].is_string());
    let (s, _) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/receipt"),
        &p.kasi,
        None,
    )
    .await;
    assert_eq!(s, 403);
    app.stop().await;
}

#[tokio::test]
async fn skala_menengah_from_a_finished_ticket() {
    let (app, _tmp) = spawn_at(wib(2026, 11, 30, 9, 0), test_config()).await;
    let p = people(&app).await;
    let ticket = app.issue("A", false).await;
    let id = ticket["id"].as_u64().expect("id");
    app.clock.set(wib(2026, 11, 30, 9, 5));
    assert!(app.call_next(1).await.is_some());
    app.clock.set(wib(2026, 11, 30, 9, 20));
    let (s, body) = app.op(1, "finish", None).await;
    assert_eq!(s, 200, "{body}");

    app.clock.set(wib(2026, 11, 30, 9, 40));
    let mut body = open_body("menengah", "Dewi Lestari");
    body.as_object_mut().expect("object").remove("channel");
    body["ticket_id"] = json!(id);
    let opened = open(&app, &p.officer, body.clone()).await;
    let seq = seq_of(&opened);
    let c = &opened["complaint"];
    assert_eq!(c["flow"], "skala_menengah");
    assert_eq!(record(c, 1, 1)["outcome"], "from_ticket");
    assert_eq!(record(c, 2, 1)["outcome"], "from_ticket");
    // Step 3 started when the customer-service talk ended (09:20), not at opening.
    assert_eq!(started(c, 3, 1), wib(2026, 11, 30, 9, 20));
    assert_eq!(due(c, 3, 1), wib(2026, 12, 1, 9, 20));
    // One ticket opens one complaint.
    let (s, again) = send(
        &app,
        Method::POST,
        "/api/v1/complaints",
        &p.officer,
        Some(body),
    )
    .await;
    assert_eq!(s, 422, "{again}");
    assert!(
        again["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("sudah tercatat"),
        "{again}"
    );

    app.clock.set(wib(2026, 11, 30, 10, 0));
    act(&app, &p.officer, seq, "complete", json!({})).await;
    app.clock.set(wib(2026, 11, 30, 11, 30));
    let c = act(&app, &p.kasubbag, seq, "complete", json!({})).await;
    // 3 jam from 11:30: 30 minutes before the break, 150 after: 15:30.
    assert_eq!(due(&c, 5, 1), wib(2026, 11, 30, 15, 30));
    act(
        &app,
        &p.officer,
        seq,
        "save_draft",
        json!({"text": "Surat balasan"}),
    )
    .await;
    let c = act(&app, &p.officer, seq, "complete", json!({})).await;
    // A reviewer of another flow's role cannot review here.
    let (s, _) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        &p.sekretaris,
        Some(json!({"step": 6, "version": c["version"], "kind": "approve"})),
    )
    .await;
    assert_eq!(s, 403);
    app.clock.set(wib(2026, 11, 30, 13, 0));
    act(&app, &p.kepala, seq, "approve", json!({})).await;
    act(&app, &p.officer, seq, "complete", json!({})).await;
    let c = act(&app, &p.officer, seq, "record_on_behalf", json!({})).await;
    assert!(c["closed_at"].is_string(), "{c}");
    check_all_due_times(&app.state().config, &c);
    app.stop().await;
}

#[tokio::test]
async fn skala_besar_with_the_kasi_and_the_mayors_meeting_recorded() {
    let (app, _tmp) = spawn_at(start(), test_config()).await;
    let p = people(&app).await;
    let seq = seq_of(&open(&app, &p.officer, open_body("besar", "Eka Putri")).await);
    app.clock.set(wib(2026, 11, 30, 8, 30));
    let c = act(&app, &p.officer, seq, "complete", json!({})).await;
    assert_eq!(c["flow"], "skala_besar");
    assert_eq!(due(&c, 4, 1), wib(2026, 11, 30, 9, 30));
    // Step 4 by the Kasi (also_by).
    app.clock.set(wib(2026, 11, 30, 9, 0));
    let c = act(&app, &p.kasi, seq, "complete", json!({})).await;
    // Step 5, the Kepala Dinas, 3 jam from 09:00: 12:00 (work that ends as a period ends).
    assert_eq!(due(&c, 5, 1), wib(2026, 11, 30, 12, 0));
    // The meeting is not the officer's to "complete", nor anyone's before step 5.
    let (s, _) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        &p.officer,
        Some(json!({"step": 6, "version": c["version"], "kind": "record_on_behalf"})),
    )
    .await;
    assert_eq!(s, 409);
    app.clock.set(wib(2026, 11, 30, 10, 0));
    let c = act(&app, &p.kepala, seq, "complete", json!({})).await;
    assert_eq!(due(&c, 6, 1), wib(2026, 12, 1, 10, 0));
    // The Walikota/Sekda's meeting on Wednesday, recorded by the Kepala Dinas.
    app.clock.set(wib(2026, 12, 2, 14, 0));
    let c = act(
        &app,
        &p.kepala,
        seq,
        "record_on_behalf",
        json!({"happened_at": wib(2026, 12, 2, 10, 0), "note": "Rapat pembahasan"}),
    )
    .await;
    // Step 7 starts when the meeting happened: 15 menit.
    assert_eq!(started(&c, 7, 1), wib(2026, 12, 2, 10, 0));
    assert_eq!(due(&c, 7, 1), wib(2026, 12, 2, 10, 15));
    act(
        &app,
        &p.officer,
        seq,
        "save_draft",
        json!({"text": "Surat balasan"}),
    )
    .await;
    let c = act(&app, &p.officer, seq, "complete", json!({})).await;
    assert_eq!(c["current_step"], 9);
    let c = act(&app, &p.officer, seq, "record_on_behalf", json!({})).await;
    assert!(c["closed_at"].is_string(), "{c}");
    check_all_due_times(&app.state().config, &c);
    app.stop().await;
}

/// The embedded configuration with every level routed through the Sekretaris.
fn pengaduan_config() -> Config {
    let mut config = test_config();
    let sources: Vec<SopSource> = SopSource::embedded()
        .into_iter()
        .map(|mut s| {
            if s.name == "levels.toml" {
                s.text = "[levels]\nkecil = \"pengaduan\"\nmenengah = \"pengaduan\"\nbesar = \"pengaduan\"\n".to_string();
            }
            s
        })
        .collect();
    config.sop = Arc::new(Sop::from_sources(sources).expect("flows"));
    config
}

#[tokio::test]
async fn pengaduan_walked_with_a_return_at_the_sekretaris() {
    let (app, _tmp) = spawn_at(start(), pengaduan_config()).await;
    let p = people(&app).await;
    let seq = seq_of(&open(&app, &p.officer, open_body("kecil", "Joko")).await);
    app.clock.set(wib(2026, 11, 30, 8, 10));
    let c = act(&app, &p.officer, seq, "complete", json!({})).await;
    assert_eq!(c["flow"], "pengaduan");
    // Step 4 here is 15 menit.
    assert_eq!(due(&c, 4, 1), wib(2026, 11, 30, 8, 25));
    // The Kepala Dinas is not the reviewer at step 6 of this flow; the Sekretaris is.
    app.clock.set(wib(2026, 11, 30, 8, 20));
    act(&app, &p.kasubbag, seq, "complete", json!({})).await;
    act(&app, &p.officer, seq, "save_draft", json!({"text": "Draf"})).await;
    let c = act(&app, &p.officer, seq, "complete", json!({})).await;
    let (s, _) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        &p.kepala,
        Some(json!({"step": 6, "version": c["version"], "kind": "approve"})),
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(
        complaint(&app, &p.officer, seq).await["version"],
        c["version"]
    );
    app.clock.set(wib(2026, 11, 30, 15, 50));
    let c = act(
        &app,
        &p.sekretaris,
        seq,
        "return_for_revision",
        json!({"note": "Lengkapi dasar hukum."}),
    )
    .await;
    // Round 2, step 4 (15 menit) from 15:50: 10 minutes today, 5 on Tuesday from 07:30.
    assert_eq!(due(&c, 4, 2), wib(2026, 12, 1, 7, 35));
    app.clock.set(wib(2026, 12, 1, 8, 0));
    act(&app, &p.kasubbag, seq, "complete", json!({})).await;
    act(
        &app,
        &p.officer,
        seq,
        "save_draft",
        json!({"text": "Draf 2"}),
    )
    .await;
    act(&app, &p.officer, seq, "complete", json!({})).await;
    app.clock.set(wib(2026, 12, 1, 9, 0));
    let c = act(&app, &p.sekretaris, seq, "approve", json!({})).await;
    assert_eq!(c["current_step"], 7);
    assert_eq!(due(&c, 7, 2), wib(2026, 12, 1, 9, 15));
    act(&app, &p.kepala, seq, "complete", json!({})).await;
    let c = act(&app, &p.officer, seq, "record_on_behalf", json!({})).await;
    assert!(c["closed_at"].is_string(), "{c}");
    check_all_due_times(&app.state().config, &c);
    app.stop().await;
}

async fn lookup(client: &reqwest::Client, app: &TestApp, code: &str) -> u16 {
    client
        .get(app.url(&format!("/lacak/{code}")))
        .send()
        .await
        .expect("lookup")
        .status()
        .as_u16()
}

#[tokio::test]
async fn tracking_codes_cannot_be_guessed() {
    let (app, _tmp) = spawn_at(start(), test_config()).await;
    let p = people(&app).await;
    let opened = open(&app, &p.officer, open_body("kecil", "Ahmad")).await;
    let code = opened["complaint"]["tracking_code"]
        .as_str()
        .expect("code")
        .to_string();

    // The form, and an unknown or malformed code: 404 in Indonesian.
    let form = app
        .client
        .get(app.url("/lacak"))
        .send()
        .await
        .expect("form");
    assert_eq!(form.status().as_u16(), 200);
    assert!(form.text().await.expect("html").contains("Lacak Pengaduan"));
    let r = app
        .client
        .get(app.url("/lacak?code=abc"))
        .send()
        .await
        .expect("submit");
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .client
        .get(app.url("/lacak/AAAA-AAAA-AAAA"))
        .send()
        .await
        .expect("unknown");
    assert_eq!(r.status().as_u16(), 404);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains("Kode pelacakan tidak ditemukan")
    );
    let r = app
        .client
        .get(app.url("/lacak/..%2F.."))
        .send()
        .await
        .expect("malformed");
    assert_eq!(r.status().as_u16(), 404);

    // From another loopback address, 20 lookups in a minute; the 21st is refused, even with
    // the right code; a third address is served.
    let from = |ip: &str| {
        reqwest::Client::builder()
            .local_address(ip.parse::<std::net::IpAddr>().expect("ip"))
            .build()
            .expect("client")
    };
    let guesser = from("127.0.0.2");
    for i in 0..20 {
        let s = lookup(&guesser, &app, &format!("ZZZZ-ZZZZ-ZZ{i:02}")).await;
        assert_eq!(s, 404, "lookup {i}");
    }
    assert_eq!(lookup(&guesser, &app, "ZZZZ-ZZZZ-ZZZZ").await, 429);
    let r = guesser
        .get(app.url(&format!("/lacak/{code}")))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status().as_u16(), 429);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains("Terlalu banyak pencarian")
    );
    assert_eq!(lookup(&from("127.0.0.3"), &app, &code).await, 200);
    // A minute later the guesser may look again.
    app.clock.advance(chrono::Duration::seconds(60));
    assert_eq!(lookup(&guesser, &app, &code).await, 200);
    app.stop().await;
}

#[tokio::test]
async fn the_purge_command_removes_the_identity_of_long_closed_complaints() {
    // Closed on 3 June 2024 (a Monday), more than `retention_days` (730) before today's
    // date, which the command reads from the system clock; another closed ten days ago.
    let long_ago = DateTime::parse_from_rfc3339("2024-06-03T01:00:00Z")
        .expect("time")
        .with_timezone(&Utc);
    let (app, tmp) = spawn_at(long_ago, test_config()).await;
    let p = people(&app).await;
    let walk = |seq: u64, p: &People| {
        let app = &app;
        let p = p.clone();
        async move {
            act(app, &p.officer, seq, "complete", json!({})).await;
            act(app, &p.kasubbag, seq, "complete", json!({})).await;
            act(
                app,
                &p.officer,
                seq,
                "save_draft",
                json!({"text": "Balasan"}),
            )
            .await;
            act(app, &p.officer, seq, "complete", json!({})).await;
            act(app, &p.kepala, seq, "approve", json!({})).await;
            act(app, &p.officer, seq, "complete", json!({})).await;
            act(app, &p.officer, seq, "record_on_behalf", json!({})).await
        }
    };
    let old = seq_of(&open(&app, &p.officer, open_body("kecil", "Lama Sekali")).await);
    assert!(walk(old, &p).await["closed_at"].is_string());
    app.clock.set(Utc::now() - chrono::Duration::days(10));
    // Logged in again: two years passed on the fake clock.
    let p = people(&app).await;
    let recent = seq_of(&open(&app, &p.officer, open_body("kecil", "Baru Saja")).await);
    assert!(walk(recent, &p).await["closed_at"].is_string());
    let clock = app.clock.clone();
    let dir = app.data_dir.clone();
    app.stop().await;

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["complaints", "purge", "--data"])
        .arg(&dir)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Identitas 1 pengaduan"), "{stdout}");

    let app = TestApp::spawn_in(&dir, clock, test_config()).await;
    let officer = app.staff("sari2", &[Role::ComplaintOfficer]).await;
    let (_, gone) = send(
        &app,
        Method::GET,
        &format!("/api/v1/complaints/{old}/identity"),
        &officer,
        None,
    )
    .await;
    assert_eq!(gone["purged"], true, "{gone}");
    assert_eq!(gone["name"], "");
    let (_, kept) = send(
        &app,
        Method::GET,
        &format!("/api/v1/complaints/{recent}/identity"),
        &officer,
        None,
    )
    .await;
    assert_eq!(kept["name"], "Baru Saja", "{kept}");
    assert!(complaint(&app, &officer, old).await["purged_at"].is_string());
    // Run again: nothing more to remove.
    app.stop().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["complaints", "purge", "--data"])
        .arg(&dir)
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Identitas 0 pengaduan"));
    drop(tmp);
}

/// The shipped configuration printing on a fake network printer.
fn with_printer(printer: &common::fake_printer::FakePrinter) -> Config {
    let src = loket::config::EMBEDDED_DEFAULT.replace(
        "kind = \"auto\"",
        &format!(
            "kind = \"tcp\"\naddress = \"{}\"\ntimeout_ms = 400\nstatus_interval_secs = 1",
            printer.addr
        ),
    );
    let mut c = Config::from_toml_str(&src).expect("config");
    c.kiosk.max_tickets_per_minute = 0;
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receipt_is_printed_and_paper_never_refuses_a_complaint() {
    use common::escpos::Cmd;
    use common::fake_printer::{FakePrinter, ONLINE, PAPER_END};
    let printer = FakePrinter::start();
    let (app, _tmp) = spawn_at(start(), with_printer(&printer)).await;
    let officer = app.staff("petugas-sari", &[Role::ComplaintOfficer]).await;
    printer.take_jobs();

    let opened = open(&app, &officer, open_body("kecil", "Ahmad Sutrisno")).await;
    assert_eq!(opened["print"], "printed", "{opened}");
    let c = &opened["complaint"];
    let texts: Vec<String> = printer.take_jobs().iter().filter_map(Cmd::text).collect();
    let all = texts.join("\n");
    for want in [
        "TANDA TERIMA PENGADUAN",
        c["number"].as_str().expect("number"),
        c["tracking_code"].as_str().expect("code"),
        "petugas-sari",
        "Surat",
    ] {
        assert!(all.contains(want), "{want} not on the slip:\n{all}");
    }
    for secret in ["Ahmad", "3271011408850003", "081234567890"] {
        assert!(!all.contains(secret), "{secret} on the slip");
    }
    assert!(!all.contains("CETAK ULANG"));

    // Out of paper: the complaint is still opened, and the answer says the slip is not out.
    printer.set_status(PAPER_END);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let opened = open(&app, &officer, open_body("kecil", "Dewi")).await;
    assert!(
        ["not_sent", "failed"].contains(&opened["print"].as_str().unwrap_or_default()),
        "{opened}"
    );
    let seq = seq_of(&opened);
    assert_eq!(complaint(&app, &officer, seq).await["seq"], seq);

    // Paper back: the reprint says it is one.
    printer.set_status(ONLINE);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    printer.take_jobs();
    let (s, body) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/receipt"),
        &officer,
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["print"], "printed");
    let all: Vec<String> = printer.take_jobs().iter().filter_map(Cmd::text).collect();
    assert!(all.join("\n").contains("CETAK ULANG / REPRINT"), "{all:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_daemon_purges_long_closed_complaints_by_itself() {
    let long_ago = wib(2026, 11, 30, 8, 0) - chrono::Duration::days(800);
    let (app, _tmp) = spawn_at(long_ago, test_config()).await;
    let p = people(&app).await;
    let seq = seq_of(&open(&app, &p.officer, open_body("kecil", "Lama Sekali")).await);
    for (who, kind, extra) in [
        (&p.officer, "complete", json!({})),
        (&p.kasubbag, "complete", json!({})),
        (&p.officer, "save_draft", json!({"text": "Balasan"})),
        (&p.officer, "complete", json!({})),
        (&p.kepala, "approve", json!({})),
        (&p.officer, "complete", json!({})),
        (&p.officer, "record_on_behalf", json!({})),
    ] {
        act(&app, who, seq, kind, extra).await;
    }
    let open_one = seq_of(&open(&app, &p.officer, open_body("kecil", "Masih Terbuka")).await);
    // Not yet: the retention has not run out (the task ran at start and found nothing).
    let store = app.state().store;
    assert!(
        store
            .complaint_with_identity(seq, loket::audit::Who::system())
            .await
            .expect("read")
            .1
            .is_some()
    );

    // 800 days later (past the 730 of the shipped configuration), after 02.00: the task
    // that runs beside the nightly backup purges at start.
    app.clock.set(wib(2026, 11, 30, 8, 0));
    let app = app.restart().await;
    let store = app.state().store;
    let mut purged = false;
    for _ in 0..200 {
        if store
            .complaint(seq)
            .await
            .expect("read")
            .purged_at
            .is_some()
        {
            purged = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(purged, "the nightly task purged the long-closed complaint");
    let (_, identity) = store
        .complaint_with_identity(seq, loket::audit::Who::system())
        .await
        .expect("read");
    assert!(identity.is_none());
    let (_, kept) = store
        .complaint_with_identity(open_one, loket::audit::Who::system())
        .await
        .expect("read");
    assert_eq!(kept.expect("kept").name, "Masih Terbuka");
    app.stop().await;
}
