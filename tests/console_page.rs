//! The counter screen in a real browser (headless Chromium): an operator logs in through the
//! form and calls the next number; a second operator's open counter page shows the change
//! without a reload (server-sent events), and so does the queue API.

mod common;

use common::browser::Browser;
use common::{TEST_PASSWORD, TestApp};
use loket::auth::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calling_a_number_shows_on_a_second_page_without_reload() {
    let app = TestApp::spawn().await;
    app.create_user("ani", &[Role::Operator]).await;
    app.create_user("bayu", &[Role::Operator]).await;
    app.issue("A", false).await;

    let watcher = Browser::start().await;
    watcher.login(&app.base, "bayu", TEST_PASSWORD).await;
    let url = watcher.wait_url("/console").await;
    assert!(url.ends_with("/console"), "{url}");
    watcher.goto(&app.url("/console/counter/1")).await;
    assert_eq!(watcher.text("#current").await, "—");
    assert_eq!(watcher.wait_text("#waiting-A", "1").await, "1");
    // The page marks itself live once its event stream is open.
    watcher.wait_text("#live", "Diperbarui").await;

    let operator = Browser::start().await;
    operator.login(&app.base, "ani", TEST_PASSWORD).await;
    operator.wait_url("/console").await;
    operator.goto(&app.url("/console/counter/1")).await;
    operator
        .click("form[action='/console/counter/1/call-next'] button")
        .await;
    assert_eq!(operator.wait_text("#current", "A-001").await, "A-001");
    assert!(operator.text("main").await.contains("A-001: Dipanggil"));

    // The other page, never reloaded, follows.
    assert_eq!(watcher.wait_text("#current", "A-001").await, "A-001");
    assert_eq!(watcher.wait_text("#waiting-A", "0").await, "0");
    let q = app.queue().await;
    assert_eq!(q["counters"][0]["ticket"]["number"], "A-001");

    // A wrong password in the same form is refused in Indonesian.
    let stranger = Browser::start().await;
    stranger.login(&app.base, "ani", "bukan-sandinya").await;
    let refused = stranger
        .wait_text("main", "Nama pengguna atau kata sandi salah")
        .await;
    assert!(
        refused.contains("Nama pengguna atau kata sandi salah"),
        "{refused}"
    );
    stranger.quit().await;
    operator.quit().await;
    watcher.quit().await;
    app.stop().await;
}

/// Which of the counter screen's actions are enabled now, by operation name.
async fn enabled(b: &Browser) -> Vec<String> {
    let v = b
        .script(
            "return Array.from(document.querySelectorAll('[data-when]'))\
             .filter(function (x) { return !x.disabled; })\
             .map(function (x) { return x.closest('form').getAttribute('action').split('/').pop(); });",
        )
        .await;
    serde_json::from_value(v).unwrap_or_default()
}

/// Waits (up to 10 s) for the enabled actions to be `want`; what they were at the end.
async fn wait_enabled(b: &Browser, want: &[&str]) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let got = enabled(b).await;
        if got == want || std::time::Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The transfer list: the selected value and the services it offers.
async fn transfer_list(b: &Browser) -> (String, Vec<String>) {
    let v = b
        .script(
            "var s = document.getElementById('service');\
             return [s.value, Array.from(s.options)\
               .filter(function (o) { return o.value && !o.disabled && !o.hidden; })\
               .map(function (o) { return o.value; })];",
        )
        .await;
    serde_json::from_value(v).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_screen_follows_the_state_without_reload() {
    let app = TestApp::spawn().await;
    app.create_user("ani", &[Role::Operator]).await;
    app.issue("A", false).await;
    app.issue("A", false).await;
    let b = Browser::start().await;
    b.login(&app.base, "ani", TEST_PASSWORD).await;
    b.wait_url("/console").await;
    b.goto(&app.url("/console/counter/1")).await;
    b.wait_text("#live", "Diperbarui").await;
    // Set once: still there at the end means the page was never reloaded.
    b.script("window.notReloaded = true;").await;
    assert_eq!(enabled(&b).await, ["call-next"], "free: only calling");
    let all = ["A", "B", "C", "D"].map(String::from).to_vec();
    assert_eq!(transfer_list(&b).await, (String::new(), all.clone()));
    assert!(b.text("#service").await.contains("Pilih layanan tujuan"));

    // Another session (the API) moves the counter on; this page follows.
    app.op(1, "call-next", None).await;
    assert_eq!(b.wait_text("#current", "A-001").await, "A-001");
    assert_eq!(
        b.wait_text("#current-state", "Dipanggil").await,
        "Dipanggil"
    );
    assert_eq!(
        wait_enabled(
            &b,
            &[
                "recall", "serve", "finish", "no-show", "requeue", "transfer"
            ]
        )
        .await,
        [
            "recall", "serve", "finish", "no-show", "requeue", "transfer"
        ]
    );
    let (selected, offered) = transfer_list(&b).await;
    assert_eq!(selected, "", "nothing chosen for the officer");
    assert_eq!(offered, ["B", "C", "D"], "not the ticket's own service");

    app.op(1, "serve", None).await;
    assert_eq!(
        b.wait_text("#current-state", "Sedang dilayani").await,
        "Sedang dilayani"
    );
    assert_eq!(
        wait_enabled(&b, &["finish", "requeue", "transfer"]).await,
        ["finish", "requeue", "transfer"]
    );

    app.op(1, "finish", None).await;
    assert_eq!(wait_enabled(&b, &["call-next"]).await, ["call-next"]);
    assert_eq!(b.text("#current").await, "—");
    assert_eq!(transfer_list(&b).await, (String::new(), all));

    // A no-show appears in the list live; brought back from it by a click.
    app.op(1, "call-next", None).await;
    app.op(1, "no-show", None).await;
    assert_eq!(
        b.wait_text("#no-shows tbody", "A-002").await,
        "A-002 09.00 Kembalikan ke antrian"
    );
    assert_eq!(b.script("return window.notReloaded === true;").await, true);
    b.click("#no-shows tbody button").await;
    assert!(
        b.wait_text("main", "A-002: Menunggu.")
            .await
            .contains("A-002: Menunggu. Dikembalikan ke urutan semula")
    );
    assert!(b.text("#no-shows tbody").await.contains("Tidak ada nomor"));
    assert_eq!(app.queue().await["services"][0]["next"][0], "A-002");
    b.quit().await;
    app.stop().await;
}
