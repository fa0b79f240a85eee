//! End to end in a real browser: a medium-scale complaint (`skala_menengah`, 8 steps) walked
//! through the console pages as staff work it, from a kiosk ticket to the citizen's receipt
//! of the reply, with one revision round at the Kepala Dinas.
mod common;

use chrono::Duration;
use common::browser::Browser;
use common::{TEST_PASSWORD, TestApp};
use loket::auth::Role;
use serde_json::json;

/// Sets a form control's value in the page (selects and date inputs take no typing).
async fn set(b: &Browser, css: &str, value: &str) {
    let ok = b
        .script_with(
            "const e = document.querySelector(arguments[0]); if (!e) return false; \
             e.value = arguments[1]; return e.value === arguments[1];",
            json!([css, value]),
        )
        .await;
    assert_eq!(ok, json!(true), "set {css} = {value}");
}

/// A browser logged in as `user`, on the complaint page.
async fn open_as(app: &TestApp, user: &str, page: &str) -> Browser {
    let b = Browser::start_with(1366, 768, &[]).await;
    b.login(&app.base, user, TEST_PASSWORD).await;
    b.wait_url("/console").await;
    b.goto(&app.url(page)).await;
    b
}

/// Submits the step form whose hidden `kind` is `kind`, with `note`, and waits for the
/// page to come back with `flash`.
async fn act(b: &Browser, kind: &str, note: Option<(&str, &str)>, flash: &str) {
    if let Some((css, text)) = note {
        b.fill(css, text).await;
    }
    b.click(&format!(
        ".step-forms form:has(input[name=kind][value={kind}]) button[type=submit]"
    ))
    .await;
    let got = b.wait_text("p.msg", flash).await;
    assert!(got.contains(flash), "after {kind}: {got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skala_menengah_walked_through_the_console_pages() {
    let app = TestApp::spawn().await;
    app.create_user("cs-rina", &[Role::CustomerService, Role::Operator])
        .await;
    app.create_user("petugas-budi", &[Role::ComplaintOfficer])
        .await;
    app.create_user("kasubbag-sari", &[Role::KasubbagUmum])
        .await;
    app.create_user("kadis-hendra", &[Role::KepalaDinas]).await;

    // Step 1: the citizen takes a number at the kiosk.
    let b = Browser::start_with(1366, 768, &[]).await;
    b.goto(&app.url("/kiosk")).await;
    b.click("button.service[data-service='A']").await;
    let number = b.wait_text("#r-number", "A-").await;
    assert_eq!(number, "A-001");
    b.quit().await;

    // Step 2: customer service calls and finishes the ticket at counter 1 (the counter's
    // own API; the complaint itself goes through the pages).
    app.clock.advance(Duration::minutes(5));
    let (s, called) = app.op(1, "call-next", None).await;
    assert_eq!(s, 200, "{called}");
    assert_eq!(called["ticket"]["number"], "A-001");
    let ticket_id = called["ticket"]["id"].as_u64().expect("ticket id");
    app.clock.advance(Duration::minutes(15));
    let (s, body) = app.op(1, "finish", None).await;
    assert_eq!(s, 200, "{body}");

    // Step 3 begins: the officer opens the complaint from the ticket's scanned link.
    app.clock.advance(Duration::minutes(10));
    let b = open_as(&app, "petugas-budi", "/console/pengaduan/baru").await;
    b.fill("#ticket", &app.url(&format!("/t/{ticket_id}")))
        .await;
    b.fill("#name", "Dewi Lestari").await;
    b.fill("#address", "Jl. Merdeka No. 12, Kupang").await;
    b.fill("#phone", "081234567890").await;
    set(&b, "#service", "Pengaduan").await;
    b.fill(
        "#what_happened",
        "Berkas KTP-el saya hilang setelah diserahkan di loket.",
    )
    .await;
    set(&b, "#happened_on", "2026-11-27").await;
    b.fill("#shortfall", "Berkas tidak dicatat saat diterima.")
        .await;
    b.fill("#remedy", "Berkas dicari dan KTP-el diterbitkan.")
        .await;
    set(&b, "#level", "menengah").await;
    b.click("form.complaint-form button[type=submit]").await;
    let flash = b.wait_text("p.msg", "Kode lacak").await;
    let url = b.url().await;
    let seq: u64 = url
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("complaint page: {url} ({flash})"));
    let code = flash
        .rsplit(": ")
        .next()
        .expect("tracking code")
        .trim()
        .to_string();
    let page = format!("/console/pengaduan/{seq}");
    let head = b.text("dl.complaint-head").await;
    assert!(head.contains("Pengaduan Skala Menengah"), "{head}");
    let timeline = b.text("table.timeline").await;
    assert_eq!(
        timeline.matches("Dari riwayat nomor antrian").count(),
        2,
        "steps 1 and 2 come from the ticket: {timeline}"
    );
    assert_eq!(
        b.text("table.timeline tr[aria-current=step] td:first-child")
            .await,
        "3"
    );
    app.clock.advance(Duration::minutes(30));
    act(
        &b,
        "complete",
        Some(("#note-done", "Dicatat di buku pengaduan.")),
        "Langkah 3 selesai",
    )
    .await;
    b.quit().await;

    // Step 4: the Kasubbag directs.
    app.clock.advance(Duration::minutes(20));
    let b = open_as(&app, "kasubbag-sari", &page).await;
    act(&b, "complete", None, "Langkah 4 selesai").await;
    b.quit().await;

    // Step 5: the officer drafts the reply, saves, completes.
    app.clock.advance(Duration::minutes(40));
    let b = open_as(&app, "petugas-budi", &page).await;
    b.fill("#text", "Yth. Ibu Dewi, berkas Ibu telah kami temukan.")
        .await;
    act(&b, "draft", None, "Draf jawaban disimpan").await;
    assert!(b.text("div.draft").await.contains("Putaran 1"));
    act(&b, "complete", None, "Langkah 5 selesai").await;
    b.quit().await;

    // Step 6: the Kepala Dinas returns the draft for revision.
    app.clock.advance(Duration::minutes(30));
    let b = open_as(&app, "kadis-hendra", &page).await;
    act(
        &b,
        "return",
        Some(("#note-back", "Sebutkan tanggal penerbitan KTP-el.")),
        "dikembalikan untuk perbaikan",
    )
    .await;
    let timeline = b.text("table.timeline").await;
    assert!(
        timeline.contains("Dikembalikan untuk perbaikan"),
        "{timeline}"
    );
    assert!(
        timeline.contains("Sebutkan tanggal penerbitan KTP-el."),
        "{timeline}"
    );
    let now = b
        .text("table.timeline tr[aria-current=step] td:first-child")
        .await;
    assert_eq!(now, "4 (putaran 2)");
    b.quit().await;

    // Round 2: step 4 again, the officer redrafts, the Kepala Dinas signs.
    app.clock.advance(Duration::minutes(15));
    let b = open_as(&app, "kasubbag-sari", &page).await;
    act(&b, "complete", None, "Langkah 4 selesai").await;
    b.quit().await;

    app.clock.advance(Duration::minutes(30));
    let b = open_as(&app, "petugas-budi", &page).await;
    set(
        &b,
        "#text",
        "Yth. Ibu Dewi, KTP-el Ibu diterbitkan pada 2 Desember 2026.",
    )
    .await;
    act(&b, "draft", None, "Draf jawaban disimpan").await;
    assert!(b.text("body").await.contains("Putaran 2"));
    act(&b, "complete", None, "Langkah 5 selesai").await;
    b.quit().await;

    app.clock.advance(Duration::minutes(20));
    let b = open_as(&app, "kadis-hendra", &page).await;
    assert!(
        b.text(".step-forms")
            .await
            .contains("Setujui dan tandatangani"),
        "approve button"
    );
    act(&b, "approve", None, "Jawaban disetujui").await;
    b.quit().await;

    // Step 7: the officer sends; step 8: records the citizen's receipt on their behalf.
    app.clock.advance(Duration::minutes(10));
    let b = open_as(&app, "petugas-budi", &page).await;
    act(&b, "complete", None, "Langkah 7 selesai").await;
    app.clock.advance(Duration::minutes(15));
    assert!(b.text(".step-forms").await.contains("Pengadu"));
    act(
        &b,
        "on_behalf",
        Some(("#note-done", "Diterima langsung di loket.")),
        "Langkah 8 dicatat",
    )
    .await;
    let head = b.text("dl.complaint-head").await;
    assert!(head.contains("Selesai"), "status at the end: {head}");
    assert_eq!(b.count(".step-forms").await, 0, "nothing left to do");
    assert_eq!(b.count("table.timeline tr[aria-current=step]").await, 0);
    let timeline = b.text("table.timeline").await;
    // Steps 1 to 8 once, and 4, 5 and 6 again in round 2, under the header row.
    assert_eq!(b.count("table.timeline tr").await, 1 + 8 + 3, "{timeline}");
    assert!(
        b.text("table.timeline tr:last-child")
            .await
            .contains("atas nama Pengadu"),
        "step 8 recorded on the citizen's behalf"
    );
    for want in ["putaran 2", "Disetujui", "Dikembalikan untuk perbaikan"] {
        assert!(timeline.contains(want), "{want}: {timeline}");
    }
    std::fs::create_dir_all("target/screenshots").expect("screenshot dir");
    b.script("document.querySelector('table.timeline').scrollIntoView()")
        .await;
    std::fs::write(
        "target/screenshots/complaint-walk.png",
        b.screenshot().await,
    )
    .expect("screenshot");

    // The public tracking page: finished, and no name.
    b.goto(&app.url(&format!("/lacak/{code}"))).await;
    let public = b.text("body").await;
    assert!(public.contains("Selesai"), "{public}");
    assert!(!public.contains("Dewi"), "{public}");
    b.quit().await;

    let c = app.state().store.complaint(seq).await.expect("complaint");
    assert_eq!(c.workflow.round(), 2);
    assert!(c.workflow.is_closed());
    app.stop().await;
}
