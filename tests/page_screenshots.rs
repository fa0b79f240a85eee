//! Screenshots of every console page at an office PC's 1366×768, for a person to look at
//! (`cargo test --test page_screenshots -- --ignored`; PNGs in `target/screenshots/`). Not
//! a check: the page tests and `console_auth` check content and behaviour.

mod common;

use common::TestApp;
use common::browser::Browser;
use loket::auth::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes screenshots for review"]
async fn console_pages_at_1366x768() {
    let app = TestApp::spawn().await;
    for s in ["A", "A", "B", "C"] {
        app.issue(s, false).await;
    }
    app.call_next(1).await;
    app.create_user("kepala", &[Role::Admin, Role::Operator])
        .await;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&out).expect("dir");
    let b = Browser::start_with(1366, 768, &["--hide-scrollbars"]).await;
    b.goto(&app.url("/login")).await;
    std::fs::write(out.join("login.png"), b.screenshot().await).expect("png");
    b.login(&app.base, "kepala", common::TEST_PASSWORD).await;
    b.wait_url("/console").await;
    for (name, path) in [
        ("home", "/console"),
        ("counter", "/console/counter/1"),
        ("users", "/console/users"),
        ("services", "/console/services"),
        ("status", "/console/status"),
        ("password", "/console/password"),
    ] {
        b.goto(&app.url(path)).await;
        std::fs::write(out.join(format!("{name}.png")), b.screenshot().await).expect("png");
    }
    b.goto(&app.url("/console/counter/1")).await;
    b.click(".actions form:first-child button").await;
    b.wait_url("/console/counter/1").await;
    std::fs::write(out.join("counter-after-call.png"), b.screenshot().await).expect("png");
    b.quit().await;
    app.stop().await;
}
