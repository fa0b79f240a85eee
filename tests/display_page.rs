//! The lobby display in a real browser (headless Chromium) at 1920×1080 and 1280×720:
//! screenshots before and after a call match reference PNGs (with a tolerance; the running
//! text, which moves, is left out); the call arrives without a reload; where the browser
//! blocks sound, one tap enables it.

mod common;

use common::TestApp;
use common::browser::Browser;
use common::images::assert_matches;

const STILL: &str = "var s = document.createElement('style');\
    s.textContent = '*, *::before { animation: none !important; transition: none !important; }';\
    document.head.appendChild(s); return true;";

async fn board(app: &TestApp, width: u32, height: u32) -> Browser {
    let b = Browser::start_with(
        width,
        height,
        &[
            "--autoplay-policy=no-user-gesture-required",
            "--hide-scrollbars",
        ],
    )
    .await;
    b.goto(&app.url("/display")).await;
    b.wait_text("#counter-2 .number", "B-001").await;
    b.wait_text("#date", "November 2026").await;
    b.script(STILL).await;
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_before_and_after_a_call_matches_the_references() {
    let app = TestApp::spawn().await;
    for s in ["A", "B", "B", "C", "D"] {
        app.issue(s, false).await;
    }
    app.call_next(2).await;

    let big = board(&app, 1920, 1080).await;
    assert_eq!(big.text("#time").await, "09.00");
    assert_eq!(big.text("#date").await, "Senin, 30 November 2026");
    assert_matches(
        "display-1920-before.png",
        &big.screenshot().await,
        1000,
        0.01,
    );

    app.call_next(1).await;
    // No reload: the open page follows the event stream.
    assert_eq!(big.wait_text("#counter-1 .number", "A-001").await, "A-001");
    big.wait_text("#calls li:first-child", "A-001").await;
    big.script(STILL).await;
    assert_matches(
        "display-1920-after.png",
        &big.screenshot().await,
        1000,
        0.01,
    );
    big.quit().await;

    let small = board(&app, 1280, 720).await;
    assert_eq!(small.text("#counter-1 .number").await, "A-001");
    assert_matches(
        "display-1280-before.png",
        &small.screenshot().await,
        660,
        0.01,
    );
    app.call_next(3).await;
    assert_eq!(
        small.wait_text("#counter-3 .number", "B-002").await,
        "B-002"
    );
    small.wait_text("#calls li:first-child", "B-002").await;
    small.script(STILL).await;
    assert_matches(
        "display-1280-after.png",
        &small.screenshot().await,
        660,
        0.01,
    );
    small.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_sound_is_blocked_one_tap_enables_it_and_the_board_stays_on_disconnect() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    let b = Browser::start_with(
        1280,
        720,
        &["--autoplay-policy=document-user-activation-required"],
    )
    .await;
    b.goto(&app.url("/display")).await;
    b.wait_text("#waiting li:first-child", "1").await;
    app.call_next(1).await;
    b.wait_text("#counter-1 .number", "A-001").await;
    let overlay = b.wait_text("#sound", "Sentuh layar").await;
    assert!(
        overlay.contains("Sentuh layar untuk mengaktifkan suara"),
        "{overlay}"
    );
    b.click("#sound").await;
    assert_eq!(b.text("#sound").await, "", "hidden after the tap");

    // The daemon goes away: the board keeps its numbers and says "terputus".
    app.stop().await;
    assert_eq!(b.wait_text("#offline", "terputus").await, "terputus");
    assert_eq!(b.text("#counter-1 .number").await, "A-001");
    b.quit().await;
}
