//! The kiosk page in a real browser (headless Chromium): a press issues a ticket through the
//! API and shows the number big; closed services show no button; a refusal shows its
//! Indonesian message and consumes nothing.

mod common;

use common::browser::Browser;
use common::{TestApp, wib};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_press_issues_a_ticket_and_shows_the_number() {
    let app = TestApp::spawn().await;
    app.issue("B", false).await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/kiosk")).await;
    assert_eq!(browser.count("button.service").await, 4);
    assert!(browser.text("body").await.contains("Silakan pilih layanan"));

    browser.click("#priority").await;
    browser.click("button[data-service='B']").await;
    let number = browser.wait_text("#r-number", "B-002").await;
    assert_eq!(number, "B-002");
    assert_eq!(browser.text("#r-priority").await, "PRIORITAS");
    assert_eq!(browser.text("#r-service").await, "KTP-el");
    assert_eq!(browser.text("#r-ahead").await, "0", "priority goes first");

    // The same ticket, through the API: it is real and committed.
    let q = app.queue().await;
    assert_eq!(q["services"][1]["waiting"], 2);
    assert_eq!(app.call_next(2).await.as_deref(), Some("B-002"));
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_shows_closed_and_refusals_in_indonesian() {
    let app = TestApp::spawn().await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/kiosk")).await;
    assert_eq!(browser.count("button.service").await, 4);

    // The office closes while the page is on screen: the press is refused, nothing issued.
    app.clock.set(wib(2026, 11, 30, 16, 0));
    browser.click("button[data-service='A']").await;
    let msg = browser.wait_text("#e-message", "tutup").await;
    assert!(msg.contains("Layanan Pengaduan sedang tutup"), "{msg}");
    assert_eq!(app.health().await["store"]["tickets_today"], 0);

    // A fresh page after hours has no buttons and says when it opens again.
    browser.goto(&app.url("/kiosk")).await;
    assert_eq!(browser.count("button.service").await, 0);
    let closed = browser.text(".closed").await;
    assert!(closed.contains("Layanan sedang tutup"), "{closed}");
    assert!(closed.contains("08.00–12.00, 13.00–15.30"), "{closed}");
    assert!(
        closed.contains("Buka kembali Selasa 01-12-2026 pukul 08.00."),
        "{closed}"
    );

    app.clock.set(wib(2026, 12, 25, 9, 0));
    browser.goto(&app.url("/kiosk")).await;
    assert_eq!(browser.count("button.service").await, 0);
    let closed = browser.text(".closed").await;
    assert!(
        closed.contains("Kantor tutup hari ini: Kelahiran Yesus Kristus"),
        "{closed}"
    );
    browser.quit().await;
    app.stop().await;
}
