//! The kiosk page in a real browser (headless Chromium): a press issues a ticket through the
//! API and shows the number big; one overlay timer at a time; closed services stay greyed with
//! their hours; a closed office offers nothing to press and says when it opens again; waiting
//! counts follow the event stream; a refusal shows its Indonesian message and consumes nothing.

mod common;

use common::browser::Browser;
use common::page_clock::{advance, eventually, with_page_clock};
use common::{TestApp, wib};
use loket::config::{Config, EMBEDDED_DEFAULT};

async fn hidden(b: &Browser, id: &str) -> bool {
    b.script(&format!("return document.getElementById('{id}').hidden;"))
        .await
        .as_bool()
        .expect("bool")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_press_issues_a_ticket_and_shows_the_number() {
    let app = TestApp::spawn().await;
    app.issue("B", false).await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/kiosk")).await;
    assert_eq!(browser.count("button.service").await, 4);
    assert!(browser.text("body").await.contains("Silakan pilih layanan"));
    assert_eq!(
        browser
            .script("return document.querySelector('meta[name=viewport]').content;")
            .await,
        "width=device-width, initial-scale=1",
        "zoom stays allowed"
    );

    browser.click("#priority").await;
    browser.click("button[data-service='B']").await;
    let number = browser.wait_text("#r-number", "B-002").await;
    assert_eq!(number, "B-002");
    assert_eq!(browser.text("#r-priority").await, "PRIORITAS\nPriority");
    assert_eq!(browser.text("#r-service").await, "KTP-el");
    assert_eq!(browser.text("#r-ahead").await, "0", "priority goes first");
    assert!(
        browser
            .text(".ahead")
            .await
            .contains("0 ahead of you · about 0 min")
    );
    // The overlay is a named dialog and takes the focus, so a keyboard or a screen reader
    // lands on it; Escape closes it.
    assert_eq!(
        browser
            .script(
                "var d = document.getElementById('result');\
                 return [d.getAttribute('role'), document.getElementById(d.getAttribute('aria-labelledby')).textContent.trim().split('\\n')[0],\
                 document.activeElement === d.querySelector('button.close')];"
            )
            .await,
        serde_json::json!(["dialog", "Nomor antrian Anda Your number", true])
    );
    browser
        .script(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'})); return true;",
        )
        .await;
    assert!(hidden(&browser, "result").await);

    // The same ticket, through the API: it is real and committed.
    let q = app.queue().await;
    assert_eq!(q["services"][1]["waiting"], 2);
    assert_eq!(app.call_next(2).await.as_deref(), Some("B-002"));
    browser.quit().await;
    app.stop().await;
}

/// The office's report: the first citizen closed the overlay, the second took D-002, and the
/// first citizen's timer hid it 1.5 s later. Each overlay's timer is cancelled when it closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_earlier_overlay_timer_never_hides_the_next_citizens_number() {
    let app = TestApp::spawn().await;
    app.issue("D", false).await;
    let b = with_page_clock(&app.url("/kiosk")).await;
    b.click("button[data-service='A']").await;
    assert_eq!(b.wait_text("#r-number", "A-001").await, "A-001");
    advance(&b, 6500).await;
    assert!(!hidden(&b, "result").await, "shown for 8 s");
    // The first citizen touches the overlay away; the next one presses at once.
    b.click("#result .close").await;
    assert!(hidden(&b, "result").await);
    b.click("button[data-service='D']").await;
    assert_eq!(b.wait_text("#r-number", "D-002").await, "D-002");

    advance(&b, 1500).await; // 8 s after A-001 was shown
    assert!(!hidden(&b, "result").await, "D-002 is still on screen");
    assert_eq!(b.text("#r-number").await, "D-002");
    advance(&b, 6000).await; // 7.5 s after D-002
    assert!(!hidden(&b, "result").await);
    advance(&b, 600).await; // 8.1 s after D-002
    assert!(hidden(&b, "result").await, "its own timer closes it");
    assert_eq!(
        b.script("return Array.prototype.every.call(document.querySelectorAll('button.service'), function (x) { return !x.disabled; });")
            .await,
        true,
        "the buttons are free again"
    );

    // An error overlay also has one timer: closed early, it does not cut the next one short.
    app.clock.set(wib(2026, 11, 30, 16, 0));
    b.click("button[data-service='A']").await;
    b.wait_text("#e-message", "tutup").await;
    advance(&b, 3000).await;
    b.click("#error .close").await;
    app.clock.set(wib(2026, 11, 30, 9, 30));
    b.click("button[data-service='B']").await;
    assert_eq!(b.wait_text("#r-number", "B-001").await, "B-001");
    advance(&b, 4000).await; // past the error overlay's 6 s
    assert!(!hidden(&b, "result").await);
    assert_eq!(app.health().await["store"]["tickets_today"], 4);
    b.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_counts_follow_the_event_stream_and_an_opening_redraws_the_page() {
    let app = TestApp::spawn().await;
    app.issue("B", false).await;
    let b = with_page_clock(&app.url("/kiosk")).await;
    assert_eq!(b.text("[data-wait='B'] .n").await, "1");
    assert_eq!(b.text("[data-wait='C'] .n").await, "0");
    // Tickets taken elsewhere (another kiosk, the button) and a call: no reload.
    b.script("window.__same_page = true; return true;").await;
    app.issue("C", false).await;
    app.issue("C", false).await;
    // The issued event comes before the paper is out; the page looks again a moment later.
    eventually("C counts 2", || async {
        advance(&b, 1500).await;
        b.text("[data-wait='C'] .n").await == "2"
    })
    .await;
    app.call_next(2).await;
    assert_eq!(b.wait_text("[data-wait='B'] .n", "0").await, "0");
    assert_eq!(
        b.script("return window.__same_page === true;").await,
        true,
        "counted in place"
    );

    // Lunch: the minute's check finds the services closed and draws the closed page.
    app.clock.set(wib(2026, 11, 30, 12, 0));
    advance(&b, 60_000).await;
    eventually("the closed page", || async {
        b.count("button.service").await == 0 && b.count(".closed").await == 1
    })
    .await;
    let closed = b.text(".closed").await;
    assert!(
        closed.contains("Buka kembali hari ini pukul 13.00."),
        "{closed}"
    );
    assert!(closed.contains("Opens again today at 13.00."), "{closed}");
    app.clock.set(wib(2026, 11, 30, 13, 0));
    advance(&b, 60_000).await;
    eventually("the buttons again", || async {
        b.count("button.service").await == 4
    })
    .await;
    b.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_closed_by_its_own_hours_is_greyed_with_its_hours() {
    let src = EMBEDDED_DEFAULT.replace(
        "name_en = \"Birth certificate\"",
        "name_en = \"Birth certificate\"\nhours = { monday = [\"13:00-15:00\"], tuesday = [\"08:00-10:00\"] }",
    );
    let mut config = Config::from_toml_str(&src).expect("config");
    config.kiosk.max_tickets_per_minute = 0;
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = std::sync::Arc::new(loket::clock::FakeClock::new(common::monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    let b = Browser::start().await;
    b.goto(&app.url("/kiosk")).await;
    assert_eq!(b.count("button.service").await, 3);
    assert_eq!(b.count("button[data-service='D']").await, 0);
    let d = b.text("[data-closed='D']").await;
    for want in [
        "Akta Kelahiran",
        "Birth certificate",
        "Tutup sekarang. Buka kembali hari ini pukul 13.00.",
        "Closed now. Opens again today at 13.00.",
        "Jam layanan hari ini: 13.00–15.00",
        "Today's hours: 13.00–15.00",
    ] {
        assert!(d.contains(want), "{want}: {d}");
    }
    // Pressing it does nothing: it is no button.
    b.click("[data-closed='D']").await;
    assert!(hidden(&b, "result").await);
    assert_eq!(app.health().await["store"]["tickets_today"], 0);

    // After its hours on Monday: tomorrow morning.
    app.clock.set(wib(2026, 11, 30, 15, 10));
    b.goto(&app.url("/kiosk")).await;
    let d = b.text("[data-closed='D']").await;
    assert!(
        d.contains("Buka kembali besok, Selasa 1 Desember 2026, pukul 08.00."),
        "{d}"
    );
    b.quit().await;
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
    assert_eq!(
        browser
            .script("return document.getElementById('error').getAttribute('role');")
            .await,
        "alertdialog"
    );
    assert_eq!(app.health().await["store"]["tickets_today"], 0);

    // A fresh page after hours has no buttons, no priority box, no invitation to choose, and
    // says when it opens again.
    browser.goto(&app.url("/kiosk")).await;
    assert_eq!(browser.count("button.service").await, 0);
    assert_eq!(browser.count("#priority").await, 0);
    assert!(!browser.text("body").await.contains("Silakan pilih layanan"));
    let closed = browser.text(".closed").await;
    for want in [
        "Layanan sedang tutup",
        "Services are closed now",
        "Jam layanan hari ini: 08.00–12.00, 13.00–15.30",
        "Buka kembali besok, Selasa 1 Desember 2026, pukul 08.00.",
        "Opens again tomorrow, Tuesday 1 December 2026, at 08.00.",
    ] {
        assert!(closed.contains(want), "{want}: {closed}");
    }

    // Christmas (a Friday, after the cuti bersama Thursday): open again on Monday.
    app.walk_clock_to(wib(2026, 12, 25, 9, 0)).await;
    browser.goto(&app.url("/kiosk")).await;
    assert_eq!(browser.count("button.service").await, 0);
    assert_eq!(browser.count("#priority").await, 0);
    let closed = browser.text(".closed").await;
    for want in [
        "Kantor tutup hari ini",
        "Kelahiran Yesus Kristus",
        "Buka kembali Senin 28 Desember 2026 pukul 08.00.",
        "Opens again Monday 28 December 2026 at 08.00.",
    ] {
        assert!(closed.contains(want), "{want}: {closed}");
    }
    // Every English text says it is English.
    assert_eq!(
        browser
            .script("return Array.prototype.every.call(document.querySelectorAll('.en'), function (e) { return e.lang === 'en'; });")
            .await,
        true
    );
    browser.quit().await;
    app.stop().await;
}
