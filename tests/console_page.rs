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
