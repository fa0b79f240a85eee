//! In a real browser: the officer's console home is open; another user moves a complaint to
//! the officer's step through the API, and the row appears in "Langkah saya" without a
//! reload. On the complaint's page, a change by someone else shows "Pengaduan ini telah
//! diperbarui — muat ulang" instead of the page silently going stale.
mod common;

use std::time::{Duration, Instant};

use common::browser::Browser;
use common::{StaffSession, TEST_PASSWORD, TestApp};
use loket::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn send(app: &TestApp, path: &str, who: &StaffSession, body: Value) -> Value {
    let r = app
        .as_staff(Method::POST, path, who)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("json");
    assert!(status == 200 || status == 201, "{path}: {status} {body}");
    body
}

/// Waits (up to 10 s) until `css` matches something in the page.
async fn wait_for(b: &Browser, css: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if b.count(css).await > 0 {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_becomes_the_officers_appears_on_the_open_home_page() {
    let app = TestApp::spawn().await;
    app.create_user("petugas-budi", &[Role::ComplaintOfficer])
        .await;
    // The same officer's API client (another device), and the Kasubbag's.
    let officer_api = app.staff("petugas-api", &[Role::ComplaintOfficer]).await;
    let kasubbag = app.staff("kasubbag-sari", &[Role::KasubbagUmum]).await;

    // A complaint opened by letter and taken to step 4, the Kasubbag's.
    let opened = send(
        &app,
        "/api/v1/complaints",
        &officer_api,
        json!({
            "channel": "letter",
            "level": "kecil",
            "identity": {"name": "Dewi Lestari", "phone": "081234567890"},
            "service": "A",
            "what_happened": "Berkas hilang di loket",
            "shortfall": "Tidak dicatat",
            "remedy": "Dicari"
        }),
    )
    .await;
    let seq = opened["complaint"]["seq"].as_u64().expect("seq");
    let actions = format!("/api/v1/complaints/{seq}/actions");
    send(
        &app,
        &actions,
        &officer_api,
        json!({"step": 3, "version": 1, "kind": "complete"}),
    )
    .await;

    let b = Browser::start_with(1366, 768, &[]).await;
    b.login(&app.base, "petugas-budi", TEST_PASSWORD).await;
    b.wait_url("/console").await;
    let row = format!("#my-work tr[data-seq='{seq}'] a[href='/console/pengaduan/{seq}']");
    assert_eq!(b.count(&row).await, 0, "step 4 is not the officer's");
    assert!(
        b.text("#my-work")
            .await
            .contains("Tidak ada langkah pengaduan")
    );
    // A mark the page keeps only while it is not reloaded.
    b.script("window.notReloaded = true;").await;

    // The Kasubbag completes step 4: step 5 is the officer's.
    send(
        &app,
        &actions,
        &kasubbag,
        json!({"step": 4, "version": 2, "kind": "complete"}),
    )
    .await;
    assert!(wait_for(&b, &row).await, "the row never appeared");
    assert_eq!(
        b.script("return window.notReloaded === true;").await,
        json!(true)
    );
    let text = b.text(&format!("#my-work tr[data-seq='{seq}']")).await;
    assert!(text.contains("5. Petugas Pengaduan"), "{text}");

    // The complaint's page: a draft saved from the other device marks it as changed.
    b.click(&row).await;
    b.wait_url(&format!("/console/pengaduan/{seq}")).await;
    assert_eq!(b.text("#stale").await, "", "nothing changed yet");
    b.script("window.notReloaded = true;").await;
    send(
        &app,
        &actions,
        &officer_api,
        json!({"step": 5, "version": 3, "kind": "save_draft", "text": "Draf balasan"}),
    )
    .await;
    let notice = b.wait_text("#stale", "telah diperbarui").await;
    assert_eq!(notice, "Pengaduan ini telah diperbarui — muat ulang");
    assert_eq!(
        b.script("return window.notReloaded === true;").await,
        json!(true)
    );
    // Another complaint's change does not touch this page's notice; the home list picks up
    // the new complaint on its own when the officer goes back.
    b.click("#stale a").await;
    b.wait_url(&format!("/console/pengaduan/{seq}")).await;
    assert!(
        wait_for(&b, "#stale[hidden]").await,
        "fresh page: no notice"
    );
    send(
        &app,
        "/api/v1/complaints",
        &officer_api,
        json!({
            "channel": "phone",
            "level": "kecil",
            "identity": {"name": "Rudi"},
            "service": "A",
            "what_happened": "Lain",
        }),
    )
    .await;
    // Once the page has handled that event, its notice is still hidden.
    let last = app.state().staff_events.newest();
    assert!(
        wait_for(&b, &format!("body[data-staff-event='{last}']")).await,
        "the page never had event {last}"
    );
    assert_eq!(b.text("#stale").await, "", "another complaint changed");
    b.quit().await;
    app.stop().await;
}
