//! "Langkah saya" and the staff's complaint event stream: the work list by each complaint's
//! own flow version (a flow file changed while a complaint is open does not move it to
//! another desk), overdue first, nothing for a user without complaint roles; and the staff
//! stream: an event after another user acts, with nothing personal in it, not for anonymous
//! callers, caught up after a reconnect.

mod common;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use common::{StaffSession, TestApp, wib};
use loket::auth::Role;
use loket::clock::FakeClock;
use loket::complaint::{Sop, SopSource};
use loket::config::Config;
use reqwest::Method;
use serde_json::{Value, json};

/// Monday 30 November 2026, 08:00 WIB.
fn start() -> DateTime<Utc> {
    wib(2026, 11, 30, 8, 0)
}

/// Sessions that outlive the days the fake clock spans here.
fn config() -> Config {
    let mut c = common::test_config();
    c.console.idle_timeout_minutes = 1_000_000;
    c.console.absolute_timeout_hours = 1_000_000;
    c
}

/// The shipped flows, but step 4 of the small-scale flow done by the Kasi instead of the
/// Kasubbag Umum: an office that edited its `sop/skala_kecil.toml`.
fn config_with_kasi_at_step_4() -> Config {
    let mut c = config();
    let sources: Vec<SopSource> = SopSource::embedded()
        .into_iter()
        .map(|mut s| {
            if s.name == "skala_kecil.toml" {
                let before = "no = 4\nactor = \"kasubbag_umum\"";
                assert!(s.text.contains(before), "step 4 as shipped");
                s.text = s.text.replace(before, "no = 4\nactor = \"kasi\"");
            }
            s
        })
        .collect();
    c.sop = Arc::new(Sop::from_sources(sources).expect("edited flows"));
    c
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

async fn page(app: &TestApp, path: &str, who: &StaffSession) -> (u16, String) {
    let r = app
        .as_staff(Method::GET, path, who)
        .send()
        .await
        .expect("page");
    (r.status().as_u16(), r.text().await.expect("html"))
}

/// Opens a small-scale complaint by letter as `officer`; its sequence.
async fn open(app: &TestApp, officer: &StaffSession, name: &str) -> u64 {
    let body = json!({
        "channel": "letter",
        "level": "kecil",
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
    });
    let (status, body) = send(app, Method::POST, "/api/v1/complaints", officer, Some(body)).await;
    assert_eq!(status, 201, "{body}");
    body["complaint"]["seq"].as_u64().expect("seq")
}

/// Completes the current step as `who`.
async fn complete(app: &TestApp, who: &StaffSession, seq: u64) -> Value {
    let path = format!("/api/v1/complaints/{seq}");
    let (status, c) = send(app, Method::GET, &path, who, None).await;
    assert_eq!(status, 200, "{c}");
    let body = json!({"step": c["current_step"], "version": c["version"], "kind": "complete"});
    let (status, after) = send(
        app,
        Method::POST,
        &format!("{path}/actions"),
        who,
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{after}");
    after
}

/// The work list's sequences for these roles, from the store.
async fn work(app: &TestApp, roles: &[Role]) -> (usize, Vec<u64>) {
    let w = app
        .state()
        .store
        .complaint_work(roles.to_vec(), 0)
        .await
        .expect("work");
    (w.total, w.rows.iter().map(|r| r.seq).collect())
}

/// The part of the console home after "Langkah saya".
async fn my_work_html(app: &TestApp, who: &StaffSession) -> String {
    let (status, home) = page(app, "/console", who).await;
    assert_eq!(status, 200);
    home.split("Langkah saya").nth(1).unwrap_or("").to_string()
}

#[tokio::test]
async fn a_complaint_stays_on_the_desk_its_own_flow_version_names() {
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(start()));
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), config()).await;
    let officer = app.staff("sari", &[Role::ComplaintOfficer]).await;
    // Opened under the shipped flow and moved to step 4, the Kasubbag's.
    let old = open(&app, &officer, "Ani Wijaya").await;
    complete(&app, &officer, old).await;
    assert_eq!(work(&app, &[Role::KasubbagUmum]).await, (1, vec![old]));
    app.stop().await;

    // The office edits the flow: step 4 is now the Kasi's. The daemon starts with it.
    let app = TestApp::spawn_in(tmp.path(), clock, config_with_kasi_at_step_4()).await;
    let officer = app.staff("sari", &[Role::ComplaintOfficer]).await;
    let kasubbag = app.staff("rina", &[Role::KasubbagUmum]).await;
    let kasi = app.staff("agus", &[Role::Kasi]).await;
    let new = open(&app, &officer, "Budi Santoso").await;
    complete(&app, &officer, new).await;

    // Each where its own snapshot puts it.
    assert_eq!(work(&app, &[Role::KasubbagUmum]).await, (1, vec![old]));
    assert_eq!(work(&app, &[Role::Kasi]).await, (1, vec![new]));
    assert_eq!(
        work(&app, &[Role::Kasi, Role::KasubbagUmum]).await,
        (2, vec![old, new])
    );
    let mine = my_work_html(&app, &kasubbag).await;
    assert!(
        mine.contains(&format!("/console/pengaduan/{old}\"")),
        "{mine}"
    );
    assert!(
        !mine.contains(&format!("/console/pengaduan/{new}\"")),
        "{mine}"
    );
    // With the step's words from the old snapshot.
    assert!(mine.contains("4. Kepala Subbag Umum"), "{mine}");
    let mine = my_work_html(&app, &kasi).await;
    assert!(
        mine.contains(&format!("/console/pengaduan/{new}\"")),
        "{mine}"
    );
    assert!(
        !mine.contains(&format!("/console/pengaduan/{old}\"")),
        "{mine}"
    );
    // And the engine agrees: the Kasubbag acts on the old one, the Kasi on the new one.
    complete(&app, &kasubbag, old).await;
    complete(&app, &kasi, new).await;
    assert_eq!(work(&app, &[Role::KasubbagUmum]).await, (0, vec![]));
    assert_eq!(work(&app, &[Role::Kasi]).await, (0, vec![]));
    // Both now at step 5, the officer's.
    assert_eq!(work(&app, &[Role::ComplaintOfficer]).await.0, 2);
    app.stop().await;
}

#[tokio::test]
async fn overdue_first_then_by_due_time_and_nothing_without_complaint_roles() {
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(start()));
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), config()).await;
    let officer = app.staff("sari", &[Role::ComplaintOfficer]).await;
    let kasubbag = app.staff("rina", &[Role::KasubbagUmum]).await;
    let operator = app.staff("op", &[Role::Operator]).await;
    // Three complaints reach step 4 (1 jam) at 08:00, 09:00 and 10:00 on Monday.
    let a = open(&app, &officer, "Satu").await;
    let b = open(&app, &officer, "Dua").await;
    let c = open(&app, &officer, "Tiga").await;
    clock.set(wib(2026, 11, 30, 10, 0));
    complete(&app, &officer, c).await;
    clock.set(wib(2026, 11, 30, 9, 0));
    complete(&app, &officer, b).await;
    clock.set(wib(2026, 11, 30, 8, 0));
    complete(&app, &officer, a).await;
    // A fourth stays at step 3 (1 hari kerja): the officer's, not the Kasubbag's.
    let d = open(&app, &officer, "Empat").await;

    // 10:30: a (due 09:00) and b (due 10:00) are late, c (due 11:00) is not.
    clock.set(wib(2026, 11, 30, 10, 30));
    let w = app
        .state()
        .store
        .complaint_work(vec![Role::KasubbagUmum], 0)
        .await
        .expect("work");
    let rows: Vec<(u64, bool)> = w.rows.iter().map(|r| (r.seq, r.overdue)).collect();
    assert_eq!(rows, [(a, true), (b, true), (c, false)]);
    assert_eq!(w.rows[0].due_at, Some(wib(2026, 11, 30, 9, 0)));
    assert_eq!(w.total, 3);
    // Cut to two: the two most urgent, and the total says there are more.
    let w = app
        .state()
        .store
        .complaint_work(vec![Role::KasubbagUmum], 2)
        .await
        .expect("work");
    assert_eq!(
        (w.total, w.rows.iter().map(|r| r.seq).collect::<Vec<_>>()),
        (3, vec![a, b])
    );
    assert_eq!(work(&app, &[Role::ComplaintOfficer]).await, (1, vec![d]));
    // The page in that order, the late ones flagged.
    let mine = my_work_html(&app, &kasubbag).await;
    let at = |seq: u64| {
        mine.find(&format!("/console/pengaduan/{seq}\""))
            .unwrap_or_else(|| panic!("{seq} in {mine}"))
    };
    assert!(at(a) < at(b) && at(b) < at(c), "{mine}");
    assert_eq!(mine.matches("terlambat").count(), 2, "{mine}");

    // No complaint role, no list: neither from the store nor on the page.
    assert_eq!(
        work(&app, &[Role::Operator, Role::Admin]).await,
        (0, vec![])
    );
    assert_eq!(work(&app, &[]).await, (0, vec![]));
    let (_, home) = page(&app, "/console", &operator).await;
    assert!(!home.contains("Langkah saya"), "{home}");
    let (status, _) = page(&app, "/console/langkah", &operator).await;
    assert_eq!(status, 403);
    // The fragment is the same list, alone.
    let (status, fragment) = page(&app, "/console/langkah", &kasubbag).await;
    assert_eq!(status, 200);
    assert!(fragment.starts_with("<div id=\"my-work\""), "{fragment}");
    assert!(!fragment.contains("<html"), "{fragment}");
    assert_eq!(fragment.matches("terlambat").count(), 2, "{fragment}");
    app.stop().await;
}

struct Sse {
    resp: reqwest::Response,
    buf: String,
}

#[derive(Debug)]
struct Frame {
    id: Option<u64>,
    event: String,
    raw: String,
    data: Value,
}

impl Sse {
    async fn open(app: &TestApp, who: &StaffSession, last_id: Option<u64>) -> Self {
        let mut req = app.as_staff(Method::GET, "/api/v1/staff/events", who);
        if let Some(id) = last_id {
            req = req.header("last-event-id", id.to_string());
        }
        let resp = req.send().await.expect("sse");
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/event-stream")
        );
        Self {
            resp,
            buf: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped); None after 3 s of silence.
    async fn next(&mut self) -> Option<Frame> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                if block.lines().all(|l| l.starts_with(':')) {
                    continue;
                }
                let mut f = Frame {
                    id: None,
                    event: "message".to_string(),
                    raw: String::new(),
                    data: Value::Null,
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        f.id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        f.event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        f.raw = v.trim().to_string();
                        f.data = serde_json::from_str(v.trim()).unwrap_or(Value::Null);
                    }
                }
                return Some(f);
            }
            let chunk = tokio::time::timeout(StdDuration::from_secs(3), self.resp.chunk())
                .await
                .ok()?
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_stream_tells_of_complaint_changes_and_nothing_personal() {
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(start()));
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), config()).await;
    let officer = app.staff("sari", &[Role::ComplaintOfficer]).await;
    let kasubbag = app.staff("rina", &[Role::KasubbagUmum]).await;
    let operator = app.staff("op", &[Role::Operator]).await;

    // Not for anonymous callers, nor for staff outside the complaint flow.
    let r = app
        .client
        .get(app.url("/api/v1/staff/events"))
        .send()
        .await
        .expect("anonymous");
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthenticated");
    let r = app
        .as_staff(Method::GET, "/api/v1/staff/events", &operator)
        .send()
        .await
        .expect("operator");
    assert_eq!(r.status(), 403);

    // The Kasubbag listens; the officer opens and moves a complaint.
    let mut sse = Sse::open(&app, &kasubbag, None).await;
    let mut public = app
        .client
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .expect("public stream");
    let name = "Ani Wijaya";
    let seq = open(&app, &officer, name).await;
    clock.advance(Duration::minutes(10));
    let moved = complete(&app, &officer, seq).await;
    let number = moved["number"].as_str().expect("number").to_string();

    let opened = sse.next().await.expect("opened event");
    assert_eq!(opened.event, "opened");
    assert_eq!(opened.data["complaint"], seq);
    assert_eq!(opened.data["number"], number.as_str());
    assert_eq!(opened.data["step"], 3);
    assert_eq!(opened.data["kind"], "opened");
    assert_eq!(opened.data["at"], "2026-11-30T08:00:00+07:00");
    let done = sse.next().await.expect("step event");
    assert_eq!(done.event, "step_done");
    assert_eq!(done.data["step"], 4, "the step now waiting");
    assert_eq!(done.id, opened.id.map(|i| i + 1));
    // Nothing about the complainant or the complaint's texts.
    for f in [&opened, &done] {
        let keys: Vec<&str> = f
            .data
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 6, "{keys:?}");
        for key in ["seq", "at", "complaint", "number", "kind", "step"] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
        for secret in [
            name,
            "Ani",
            "3271011408850003",
            "081234567890",
            "Merdeka",
            "Antrian KTP",
            "standar waktu",
        ] {
            assert!(!f.raw.contains(secret), "{secret} in {}", f.raw);
        }
    }
    // The public stream (displays) carries no complaint event. A ticket issued now is the
    // next thing it carries: everything before that ticket is what it said since the
    // complaint events, and none of it is about them.
    let ticket = app.number("A").await;
    let mut said = String::new();
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(10);
    while !said.contains(&ticket) {
        let chunk = tokio::time::timeout_at(deadline, public.chunk())
            .await
            .expect("the ticket reaches the public stream")
            .expect("stream")
            .expect("chunk");
        said.push_str(&String::from_utf8_lossy(&chunk));
    }
    for secret in [number.as_str(), "complaint", "opened", "step_done", name] {
        assert!(!said.contains(secret), "{secret} in {said}");
    }

    // Away for two changes: a reconnect with Last-Event-ID gets both, once, in order.
    let last = done.id.expect("id");
    drop(sse);
    clock.advance(Duration::minutes(10));
    complete(&app, &kasubbag, seq).await;
    let (status, body) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        &officer,
        Some(json!({"step": 5, "version": 3, "kind": "save_draft", "text": "Draf balasan"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mut sse = Sse::open(&app, &kasubbag, Some(last)).await;
    let a = sse.next().await.expect("missed 1");
    let b = sse.next().await.expect("missed 2");
    assert_eq!((a.id, b.id), (Some(last + 1), Some(last + 2)));
    assert_eq!(
        (a.data["step"].clone(), b.data["step"].clone()),
        (json!(5), json!(5))
    );
    assert!(!b.raw.contains("Draf balasan"), "{}", b.raw);
    // Then live ones, numbered on.
    complete(&app, &officer, seq).await;
    let c = sse.next().await.expect("live");
    assert_eq!(c.id, Some(last + 3));
    assert_eq!(c.data["step"], 6);
    drop(sse);

    // The numbering survives a restart: a client that saw everything is not told to
    // resync, and the next event is numbered on.
    app.stop().await;
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), config()).await;
    let kepala = app.staff("hendra", &[Role::KepalaDinas]).await;
    let mut sse = Sse::open(&app, &kasubbag, Some(last + 3)).await;
    let (status, body) = send(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{seq}/actions"),
        &kepala,
        Some(json!({"step": 6, "version": 5, "kind": "return_for_revision", "note": "Perbaiki."})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let r = sse.next().await.expect("after restart");
    assert_eq!(r.event, "returned_for_revision");
    assert_eq!(r.id, Some(last + 4));
    assert_eq!(r.data["step"], 4);
    assert!(!r.raw.contains("Perbaiki"), "{}", r.raw);
    // One too far behind for what is kept (nothing is, after a restart) reloads.
    let mut old = Sse::open(&app, &kasubbag, Some(1)).await;
    assert_eq!(old.next().await.expect("resync").event, "resync");
    app.stop().await;
}

/// Reads the stream until the server ends it; false if it is still open after `within`.
async fn ends_within(sse: &mut Sse, within: StdDuration) -> bool {
    tokio::time::timeout(within, async {
        loop {
            match sse.resp.chunk().await {
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => return,
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_staff_stream_ends_with_its_session() {
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(wib(2026, 12, 1, 9, 0)));
    let mut c = config();
    c.console.stream_recheck_secs = 1;
    let app = TestApp::spawn_in(tmp.path(), clock, c).await;
    let officer = app.staff("petugas", &[Role::ComplaintOfficer]).await;
    let kasi = app.staff("kasi", &[Role::Kasi]).await;
    let admin = app.staff("kepala-tu", &[Role::Admin]).await;

    // Logged out elsewhere (the same session): the open stream ends.
    let mut sse = Sse::open(&app, &officer, None).await;
    assert!(
        !ends_within(&mut sse, StdDuration::from_millis(1500)).await,
        "a standing session keeps its stream"
    );
    let r = app
        .as_staff(Method::POST, "/logout", &officer)
        .send()
        .await
        .expect("logout");
    assert!(r.status().is_redirection(), "{}", r.status());
    assert!(ends_within(&mut sse, StdDuration::from_secs(5)).await);

    // A role taken away: the Kasi's stream ends too.
    let mut sse = Sse::open(&app, &kasi, None).await;
    let r = app
        .as_staff(Method::POST, "/console/users/kasi/roles", &admin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("role=operator")
        .send()
        .await
        .expect("roles");
    assert_eq!(r.status(), 303);
    assert!(ends_within(&mut sse, StdDuration::from_secs(5)).await);
    app.stop().await;
}
