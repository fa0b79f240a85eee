//! The console's complaint pages over HTTP with real sessions: intake (a wrong NIK is said
//! beside its field and nothing is stored), the complaint's timeline, action forms guarded by
//! version and role, the register and its CSV masked, the audited identity view, and an
//! overdue step flagged on the page and counted on the Kepala Dinas's home.

mod common;

use chrono::Duration;
use common::{StaffSession, TestApp};
use loket::audit::Who;
use loket::auth::Role;
use loket::clock::Clock;
use loket::queue::CounterOp;
use loket::store::RegisterQuery;
use reqwest::Method;

const NAME: &str = "Siti Aminah";
const NIK: &str = "3271011408850003";

struct Staffs {
    officer: StaffSession,
    kasubbag: StaffSession,
    kepala: StaffSession,
}

async fn staffs(app: &TestApp) -> Staffs {
    Staffs {
        officer: app.staff("petugas", &[Role::ComplaintOfficer]).await,
        kasubbag: app.staff("kasubbag", &[Role::KasubbagUmum]).await,
        kepala: app.staff("kepala", &[Role::KepalaDinas]).await,
    }
}

async fn login(app: &TestApp, name: &str) -> StaffSession {
    let (status, session) = app.login(name, common::TEST_PASSWORD).await;
    assert_eq!(status, 303, "login of {name}");
    session.expect("session")
}

async fn get(app: &TestApp, path: &str, who: &StaffSession) -> (u16, String) {
    let r = app
        .as_staff(Method::GET, path, who)
        .send()
        .await
        .expect("get");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// (status, Location, body)
async fn post(app: &TestApp, path: &str, who: &StaffSession, body: &str) -> (u16, String, String) {
    let r = app
        .as_staff(Method::POST, path, who)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, r.text().await.expect("body"))
}

fn enc(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn service(app: &TestApp) -> String {
    app.state().config.services[0].name.clone()
}

/// A ticket of today, called, served 20 minutes and finished.
async fn finished_ticket(app: &TestApp) -> u64 {
    let store = app.state().store;
    let who = || Who::new("loket-op", "127.0.0.1");
    let issued = store
        .issue("A".to_string(), false, Who::new("kiosk", "127.0.0.1"))
        .await
        .expect("issue");
    store
        .counter_op(1, CounterOp::CallNext, who())
        .await
        .expect("call");
    store
        .counter_op(1, CounterOp::Serve, who())
        .await
        .expect("serve");
    app.clock.set(app.clock.now() + Duration::minutes(20));
    store
        .counter_op(1, CounterOp::Finish, who())
        .await
        .expect("finish");
    issued.ticket.id
}

fn intake_fields<'a>(
    source: &'a str,
    ticket: &'a str,
    nik: &'a str,
    service: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("source", source),
        ("ticket", ticket),
        ("name", NAME),
        ("address", "Jl. Pajajaran No. 5, Bogor"),
        ("phone", "0812-3456-7890"),
        ("email", "siti@example.com"),
        ("nik", nik),
        ("service", service),
        ("what_happened", "KTP-el belum jadi setelah tiga bulan."),
        ("happened_on", "2026-11-02"),
        ("shortfall", "Melewati standar waktu 14 hari."),
        ("remedy", "KTP-el segera dicetak."),
        ("level", "kecil"),
    ]
}

/// Opens a complaint through the form; returns its page's path.
async fn open_by_form(app: &TestApp, officer: &StaffSession, source: &str, ticket: &str) -> String {
    let sv = service(app);
    let body = form(&intake_fields(source, ticket, NIK, &sv));
    let (status, location, html) = post(app, "/console/pengaduan/baru", officer, &body).await;
    assert_eq!(status, 303, "{html}");
    assert!(location.starts_with("/console/pengaduan/"), "{location}");
    location
}

async fn version_of(app: &TestApp, path: &str) -> (u64, u32, u64) {
    let seq: u64 = path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("seq");
    let c = app.state().store.complaint(seq).await.expect("complaint");
    let step = c.workflow.current_step().map_or(0, |s| s.no);
    (seq, step, c.workflow.version())
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.state()
        .store
        .audit_entries()
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn a_wrong_nik_is_said_beside_its_field_with_the_values_kept_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    let before = audit_actions(&app).await.len();
    let sv = service(&app);
    let body = form(&intake_fields("surat", "", "3271011408850", &sv));
    let (status, _, html) = post(&app, "/console/pengaduan/baru", &s.officer, &body).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("NIK harus 16 angka."), "{html}");
    assert!(
        html.contains("id=\"nik-err\""),
        "message beside the field: {html}"
    );
    assert!(
        html.contains(&format!("value=\"{NAME}\"")),
        "name kept: {html}"
    );
    assert!(html.contains("value=\"3271011408850\""), "NIK kept: {html}");
    assert!(
        html.contains("KTP-el belum jadi setelah tiga bulan.</textarea>"),
        "text kept: {html}"
    );
    assert!(html.contains("<option value=\"surat\" selected>"), "{html}");
    let page = app
        .state()
        .store
        .complaint_register(RegisterQuery::default())
        .await
        .expect("register");
    assert_eq!(page.total, 0, "nothing stored");
    assert_eq!(audit_actions(&app).await.len(), before, "nothing audited");
    app.stop().await;
}

#[tokio::test]
async fn a_complaint_from_a_ticket_shows_its_timeline_from_the_ticket_s_history() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    let ticket = finished_ticket(&app).await;
    // As a QR scanner types the ticket's tracking link.
    let scanned = app.url(&format!("/t/{ticket}"));
    let path = open_by_form(&app, &s.officer, "tiket", &scanned).await;
    let (status, html) = get(&app, &path, &s.officer).await;
    assert_eq!(status, 200, "{html}");
    let (seq, step, _) = version_of(&app, &path).await;
    let c = app.state().store.complaint(seq).await.expect("complaint");
    assert!(
        html.contains(&format!(
            "Pengaduan {} dicatat. Kode lacak untuk pengadu: {}",
            c.number, c.tracking_code
        )),
        "{html}"
    );
    assert_eq!(step, 3);
    // Steps 1 and 2 from the ticket, step 3 current, the rest planned.
    assert_eq!(
        html.matches("<small>Dari riwayat nomor antrian</small>")
            .count(),
        2,
        "{html}"
    );
    assert!(html.contains("Nomor antrian A-001"), "{html}");
    let current = html
        .split("aria-current=\"step\"")
        .nth(1)
        .expect("a current step");
    assert!(
        current.trim_start().starts_with(">\n    <td>3</td>"),
        "{current}"
    );
    assert!(html.contains("class=\"planned\""), "steps ahead: {html}");
    // The officer may act at step 3.
    assert!(html.contains(&format!("action=\"{path}/aksi\"")), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_form_read_before_someone_else_acted_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    let other = app.staff("petugas2", &[Role::ComplaintOfficer]).await;
    let path = open_by_form(&app, &s.officer, "surat", "").await;
    let (seq, step, version) = version_of(&app, &path).await;
    let action = format!("{path}/aksi");
    let body = form(&[
        ("step", &step.to_string()),
        ("version", &version.to_string()),
        ("kind", "complete"),
        ("note", "Diterima."),
    ]);
    let (status, location, _) = post(&app, &action, &s.officer, &body).await;
    assert_eq!((status, location.as_str()), (303, path.as_str()));
    let after = app.state().store.complaint(seq).await.expect("complaint");

    // The other officer's page was read at the old version.
    let (status, _, html) = post(&app, &action, &other, &body).await;
    assert_eq!(status, 409, "{html}");
    assert!(
        html.contains("baru saja diubah oleh pengguna lain"),
        "{html}"
    );
    assert!(html.contains("Muat ulang halaman"), "{html}");
    let now = app.state().store.complaint(seq).await.expect("complaint");
    assert_eq!(now, after, "nothing changed");
    app.stop().await;
}

#[tokio::test]
async fn a_viewer_without_the_step_s_role_gets_no_form_and_a_forged_post_is_refused() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    let path = open_by_form(&app, &s.officer, "telepon", "").await;
    let (seq, step, version) = version_of(&app, &path).await;
    let (status, html) = get(&app, &path, &s.kasubbag).await;
    assert_eq!(status, 200);
    assert!(!html.contains("/aksi\""), "no action form: {html}");
    assert!(
        html.contains("Langkah saat ini dikerjakan oleh: Petugas Pengaduan"),
        "{html}"
    );
    let before = app.state().store.complaint(seq).await.expect("complaint");
    let body = form(&[
        ("step", &step.to_string()),
        ("version", &version.to_string()),
        ("kind", "complete"),
    ]);
    let (status, _, html) = post(&app, &format!("{path}/aksi"), &s.kasubbag, &body).await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("tidak berwenang"), "{html}");
    let after = app.state().store.complaint(seq).await.expect("complaint");
    assert_eq!(before, after);
    // Someone outside the complaint SOP does not reach the page at all.
    let (status, _) = get(&app, &path, &app.operator.clone()).await;
    assert_eq!(status, 403);
    app.stop().await;
}

#[tokio::test]
async fn the_register_and_its_csv_mask_names_and_niks() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    open_by_form(&app, &s.officer, "surat", "").await;
    let (status, html) = get(&app, "/console/pengaduan", &s.kasubbag).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<td>S*** A***</td>"), "{html}");
    assert!(html.contains("3271********0003"), "{html}");
    assert!(!html.contains(NAME) && !html.contains(NIK), "{html}");
    // A filter that matches none.
    let (_, html) = get(&app, "/console/pengaduan?level=besar", &s.kasubbag).await;
    assert!(html.contains("Tidak ada pengaduan yang cocok."), "{html}");

    let r = app
        .as_staff(
            Method::GET,
            "/console/pengaduan.csv?level=kecil",
            &s.kasubbag,
        )
        .send()
        .await
        .expect("csv");
    assert_eq!(r.status(), 200);
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("text/csv"), "{ct}");
    let csv = r.text().await.expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("Nomor,Tanggal,"), "{csv}");
    assert!(
        lines[1].contains("S*** A***") && lines[1].contains("3271********0003"),
        "{csv}"
    );
    assert!(!csv.contains(NAME) && !csv.contains(NIK), "{csv}");
    app.stop().await;
}

#[tokio::test]
async fn the_identity_is_shown_whole_only_on_request_and_that_is_audited() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    let path = open_by_form(&app, &s.officer, "surel", "").await;
    let (_, html) = get(&app, &path, &s.kepala).await;
    assert!(html.contains("S*** A***") && !html.contains(NAME), "{html}");
    assert!(html.contains("Lihat identitas"), "{html}");
    let viewed = |a: &Vec<String>| {
        a.iter()
            .filter(|x| *x == "complaint_identity_viewed")
            .count()
    };
    assert_eq!(
        viewed(&audit_actions(&app).await),
        0,
        "the plain page is not a view"
    );

    let (status, _, html) = post(&app, &format!("{path}/identitas"), &s.kepala, "").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(NAME) && html.contains(NIK), "{html}");
    assert!(html.contains("Jl. Pajajaran No. 5, Bogor"), "{html}");
    assert_eq!(viewed(&audit_actions(&app).await), 1);

    // The Kasubbag has no button and no way round it.
    let (_, html) = get(&app, &path, &s.kasubbag).await;
    assert!(!html.contains("Lihat identitas"), "{html}");
    let (status, _, html) = post(&app, &format!("{path}/identitas"), &s.kasubbag, "").await;
    assert_eq!(status, 403);
    assert!(!html.contains(NAME));
    assert_eq!(viewed(&audit_actions(&app).await), 1);
    app.stop().await;
}

#[tokio::test]
async fn an_overdue_step_is_flagged_on_its_page_and_counted_for_the_kepala_dinas() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    let path = open_by_form(&app, &s.officer, "surat", "").await;
    let (seq, _, _) = version_of(&app, &path).await;
    let (_, html) = get(&app, &path, &s.officer).await;
    assert!(!html.contains("terlambat"), "not yet: {html}");
    let (_, home) = get(&app, "/console", &s.kepala).await;
    assert!(
        home.contains("seluruh kantor: <strong>0</strong>"),
        "{home}"
    );

    let c = app.state().store.complaint(seq).await.expect("complaint");
    let due = c
        .workflow
        .current_record()
        .and_then(|r| r.due_at)
        .expect("due");
    app.walk_clock_to(due + Duration::days(3)).await;
    // Sessions do not outlive three days: the same people log in again.
    let s = Staffs {
        officer: login(&app, "petugas").await,
        kasubbag: login(&app, "kasubbag").await,
        kepala: login(&app, "kepala").await,
    };
    let (_, html) = get(&app, &path, &s.officer).await;
    assert!(html.contains("class=\"now overdue\""), "{html}");
    assert!(html.contains("&#9888; terlambat "), "{html}");

    let (_, home) = get(&app, "/console", &s.kepala).await;
    assert!(
        home.contains("seluruh kantor: <strong>1</strong>"),
        "{home}"
    );
    // The officer's own list has it, flagged.
    let (_, home) = get(&app, "/console", &s.officer).await;
    let mine = home.split("Langkah saya").nth(1).expect("my work");
    assert!(mine.contains(&format!("href=\"{path}\"")), "{home}");
    assert!(mine.contains("terlambat"), "{home}");
    // Not the Kasubbag's step.
    let (_, home) = get(&app, "/console", &s.kasubbag).await;
    assert!(
        home.contains("Tidak ada langkah pengaduan yang menunggu Anda."),
        "{home}"
    );
    app.stop().await;
}

/// Posts the current step's form with the page's step and version.
async fn act(
    app: &TestApp,
    path: &str,
    who: &StaffSession,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (_, step, version) = version_of(app, path).await;
    let (step, version) = (step.to_string(), version.to_string());
    let mut all = vec![("step", step.as_str()), ("version", version.as_str())];
    all.extend_from_slice(fields);
    let (status, _, html) = post(app, &format!("{path}/aksi"), who, &form(&all)).await;
    (status, html)
}

#[tokio::test]
async fn the_reply_is_drafted_returned_with_a_note_and_signed_through_the_forms() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    let path = open_by_form(&app, &s.officer, "surat", "").await;
    assert_eq!(
        act(&app, &path, &s.officer, &[("kind", "complete")])
            .await
            .0,
        303
    );
    let (_, html) = get(&app, &path, &s.kasubbag).await;
    assert!(html.contains("Selesaikan langkah 4"), "{html}");
    assert_eq!(
        act(&app, &path, &s.kasubbag, &[("kind", "complete")])
            .await
            .0,
        303
    );

    // Step 5: the officer writes the reply.
    let (_, html) = get(&app, &path, &s.officer).await;
    assert!(html.contains("name=\"text\""), "draft form: {html}");
    let draft = [
        ("kind", "draft"),
        ("text", "Dengan hormat, KTP-el Saudara telah dicetak."),
    ];
    assert_eq!(act(&app, &path, &s.officer, &draft).await.0, 303);
    let (_, html) = get(&app, &path, &s.officer).await;
    assert!(html.contains("Draf jawaban disimpan."), "{html}");
    assert!(
        html.contains("Dengan hormat, KTP-el Saudara telah dicetak.</textarea>"),
        "the current draft in its form: {html}"
    );
    assert_eq!(
        act(&app, &path, &s.officer, &[("kind", "complete")])
            .await
            .0,
        303
    );

    // Step 6: the Kepala Dinas signs or returns; a return without a note is refused.
    let (_, html) = get(&app, &path, &s.kepala).await;
    assert!(
        html.contains(">Setujui dan tandatangani</button>"),
        "{html}"
    );
    let (seq, _, _) = version_of(&app, &path).await;
    let before = app.state().store.complaint(seq).await.expect("complaint");
    let (status, html) = act(&app, &path, &s.kepala, &[("kind", "return"), ("note", " ")]).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("Tuliskan apa yang harus diperbaiki."),
        "{html}"
    );
    assert_eq!(app.state().store.complaint(seq).await.expect("c"), before);
    let back = [("kind", "return"), ("note", "Sebutkan tanggal pencetakan.")];
    assert_eq!(act(&app, &path, &s.kepala, &back).await.0, 303);
    let (_, html) = get(&app, &path, &s.officer).await;
    assert!(html.contains("Dikembalikan oleh kepala"), "{html}");
    assert!(html.contains("Sebutkan tanggal pencetakan."), "{html}");
    assert!(html.contains("(putaran 2)"), "a second round: {html}");

    // Round 2: back at the Kasubbag (step 4), redrafted, signed, sent; the complainant's
    // receipt recorded on their behalf, with when it happened.
    assert_eq!(
        act(&app, &path, &s.kasubbag, &[("kind", "complete")])
            .await
            .0,
        303
    );
    let draft = [
        ("kind", "draft"),
        ("text", "Dengan hormat, KTP-el dicetak 1 Desember 2026."),
    ];
    assert_eq!(act(&app, &path, &s.officer, &draft).await.0, 303);
    assert_eq!(
        act(&app, &path, &s.officer, &[("kind", "complete")])
            .await
            .0,
        303
    );
    assert_eq!(
        act(&app, &path, &s.kepala, &[("kind", "approve")]).await.0,
        303
    );
    assert_eq!(
        act(&app, &path, &s.officer, &[("kind", "complete")])
            .await
            .0,
        303
    );
    let (_, html) = get(&app, &path, &s.officer).await;
    assert!(
        html.contains("dilakukan oleh <strong>Pengadu</strong>"),
        "{html}"
    );
    assert!(html.contains("name=\"happened_at\""), "{html}");
    let received = [("kind", "on_behalf"), ("happened_at", "2026-11-30T09:00")];
    let (status, html) = act(&app, &path, &s.officer, &received).await;
    assert_eq!(status, 303, "{html}");
    let (_, html) = get(&app, &path, &s.officer).await;
    assert!(html.contains("petugas (atas nama Pengadu)</td>"), "{html}");
    assert!(html.contains("<dd>Selesai 30-11-2026"), "closed: {html}");
    assert!(!html.contains("/aksi\""), "no forms once closed: {html}");
    app.stop().await;
}

#[tokio::test]
async fn the_register_pages_and_keeps_confidential_complainants_out_of_sight() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    let sv = service(&app);
    // One confidential complaint, then 50 more: 51 lines over two pages of 50.
    let mut fields = intake_fields("surat", "", NIK, &sv);
    fields.push(("rahasia", "1"));
    let (status, location, _) =
        post(&app, "/console/pengaduan/baru", &s.officer, &form(&fields)).await;
    assert_eq!(status, 303);
    for _ in 0..50 {
        open_by_form(&app, &s.officer, "telepon", "").await;
    }
    let (_, html) = get(&app, "/console/pengaduan", &s.kasubbag).await;
    assert!(html.contains("51 pengaduan."), "{html}");
    assert!(html.contains("Halaman 1 dari 2"), "{html}");
    assert_eq!(html.matches("<td>S*** A***</td>").count(), 50, "{html}");
    assert!(html.contains("page=2"), "{html}");
    let (_, html) = get(&app, "/console/pengaduan?page=2", &s.kasubbag).await;
    assert!(html.contains("Halaman 2 dari 2"), "{html}");
    assert!(html.contains("<td>(dirahasiakan)</td>"), "{html}");
    assert!(!html.contains("S*** A***"), "{html}");
    // Its page shows no name to the Kasubbag either, and says it is confidential.
    let (_, html) = get(&app, &location, &s.kasubbag).await;
    assert!(
        html.contains("(dirahasiakan) <span class=\"tag\">rahasia</span>"),
        "{html}"
    );
    assert!(
        !html.contains("S*** A***") && !html.contains(NAME),
        "{html}"
    );
    // A name search does not find it.
    let (_, html) = get(
        &app,
        "/console/pengaduan?name=siti&status=terbuka",
        &s.kasubbag,
    )
    .await;
    assert!(html.contains("50 pengaduan."), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_ticket_still_being_served_is_refused_beside_its_field() {
    let app = TestApp::spawn().await;
    let s = staffs(&app).await;
    let waiting = app.issue("A", false).await;
    let id = waiting["id"].as_u64().expect("id").to_string();
    let sv = service(&app);
    let body = form(&intake_fields("tiket", &id, NIK, &sv));
    let (status, _, html) = post(&app, "/console/pengaduan/baru", &s.officer, &body).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("id=\"ticket-err\">Nomor antrian A-001 belum selesai dilayani"),
        "{html}"
    );
    assert!(html.contains(&format!("value=\"{NAME}\"")), "{html}");
    let page = app
        .state()
        .store
        .complaint_register(RegisterQuery::default())
        .await
        .expect("register");
    assert_eq!(page.total, 0);
    app.stop().await;
}

/// The ticket ids the intake form offers, in the order shown.
fn offered(html: &str) -> Vec<String> {
    html.match_indices("name=\"pick\" id=\"pick-")
        .filter_map(|(i, _)| {
            let rest = &html[i..];
            let v = rest.split("value=\"").nth(1)?;
            Some(v.split('"').next()?.to_string())
        })
        .filter(|v| !v.is_empty())
        .collect()
}

#[tokio::test]
async fn the_intake_form_lists_exactly_today_s_finished_tickets_not_yet_complained_about() {
    let app = TestApp::spawn().await;
    let store = app.state().store;
    let op = || Who::new("loket-op", "127.0.0.1");
    // Monday: a ticket finished, which is yesterday's by the time the form is read.
    let yesterday = finished_ticket(&app).await;
    // Tuesday.
    app.clock.set(common::monday_morning() + Duration::days(1));
    let first = finished_ticket(&app).await;
    let linked = finished_ticket(&app).await;
    let second = finished_ticket(&app).await;
    // Logged in now: each finished ticket took 20 minutes, past the idle limit.
    let s = staffs(&app).await;
    let waiting = app.issue("A", false).await["id"].as_u64().expect("id");
    open_by_form(&app, &s.officer, "tiket", &linked.to_string()).await;
    // One still at the counter: called, not finished.
    let called = store
        .counter_op(1, CounterOp::CallNext, op())
        .await
        .expect("call");
    assert_eq!(called.map(|t| t.id), Some(waiting));

    let (status, html) = get(&app, "/console/pengaduan/baru", &s.officer).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(
        offered(&html),
        vec![second.to_string(), first.to_string()],
        "newest first; not yesterday's ({yesterday}), the linked one ({linked}) or the one at the counter ({waiting}): {html}"
    );
    assert!(
        html.contains("id=\"pick-none\" value=\"\" checked"),
        "{html}"
    );
    let table = &html[html.find("table class=\"pick\"").expect("list")..];
    let table = &table[..table.find("</table>").expect("end")];
    assert!(
        table.contains("A-003") && table.contains("A-001"),
        "{table}"
    );
    assert!(
        !table.contains("A-002") && !table.contains("A-004"),
        "{table}"
    );
    assert!(
        table.contains(&app.state().config.counters[0].name),
        "{table}"
    );

    // A ticket chosen from the list opens its complaint.
    let sv = service(&app);
    let mut fields = intake_fields("tiket", "", NIK, &sv);
    let second_id = second.to_string();
    fields.push(("pick", &second_id));
    let (status, location, html) =
        post(&app, "/console/pengaduan/baru", &s.officer, &form(&fields)).await;
    assert_eq!(status, 303, "{html}");
    let (seq, _, _) = version_of(&app, &location).await;
    let c = store.complaint(seq).await.expect("complaint");
    assert_eq!(c.ticket_id, Some(second));

    // A stale choice (opened meanwhile from another screen) is refused at the list, the form
    // as typed, and nothing is stored.
    let before = store
        .complaint_register(RegisterQuery::default())
        .await
        .expect("register")
        .total;
    let (status, _, html) = post(&app, "/console/pengaduan/baru", &s.officer, &form(&fields)).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("id=\"pick-err\" role=\"alert\">Nomor antrian A-003 sudah tercatat"),
        "{html}"
    );
    assert!(html.contains(&format!("value=\"{NAME}\"")), "{html}");
    assert_eq!(offered(&html), vec![first.to_string()], "{html}");
    let after = store
        .complaint_register(RegisterQuery::default())
        .await
        .expect("register")
        .total;
    assert_eq!(after, before);

    // A choice that contradicts the typed id is refused, not guessed.
    let first_id = first.to_string();
    let mut both = intake_fields("tiket", &second_id, NIK, &sv);
    both.push(("pick", &first_id));
    let (status, _, html) = post(&app, "/console/pengaduan/baru", &s.officer, &form(&both)).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("tidak keduanya"), "{html}");
    app.stop().await;
}
