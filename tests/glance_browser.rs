//! In a real browser: the office head's console home is open; tickets issued and called
//! elsewhere change "Hari ini" without a reload, and those refreshes do not count as the
//! head's activity (the session still ends after its idle time).
mod common;

use std::time::{Duration, Instant};

use common::browser::Browser;
use common::{TEST_PASSWORD, TestApp};
use loket::auth::Role;

/// The "Hari ini" row of a service, as text (polls up to 10 s for `want`).
async fn wait_row(b: &Browser, service: &str, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let js = format!(
        "return Array.from(document.querySelectorAll('#glance .glance-services tbody tr'))\
         .map(r => r.innerText.replace(/\\s+/g, ' ').trim())\
         .find(t => t.startsWith({service:?})) || '';"
    );
    loop {
        let row = b.script(&js).await.as_str().unwrap_or_default().to_string();
        if row.starts_with(want) || Instant::now() > deadline {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_heads_glance_follows_the_queue_without_a_reload() {
    let app = TestApp::spawn().await;
    app.create_user("kadis", &[Role::KepalaDinas]).await;
    let b = Browser::start().await;
    b.login(&app.base, "kadis", TEST_PASSWORD).await;
    b.wait_url("/console").await;
    assert_eq!(
        wait_row(&b, "KTP-el", "KTP-el 0 0 0 0").await,
        "KTP-el 0 0 0 0 — — — —"
    );

    // Two tickets, one called and finished after two minutes' wait and three of service.
    app.issue("B", false).await;
    app.issue("B", false).await;
    assert!(
        wait_row(&b, "KTP-el", "KTP-el 2 2 0 0")
            .await
            .starts_with("KTP-el 2 2 0 0")
    );
    app.clock.advance(chrono::Duration::minutes(2));
    app.call_next(2).await;
    app.clock.advance(chrono::Duration::minutes(3));
    app.op(2, "finish", None).await;
    assert_eq!(
        wait_row(&b, "KTP-el", "KTP-el 2 1 1 0").await,
        "KTP-el 2 1 1 0 2:00 2:00 3:00 3:00"
    );

    // Refreshes from events are background requests: a head who touched nothing for the
    // idle time is signed out, however busy the queue was.
    for n in 1..=2 {
        app.clock.advance(chrono::Duration::minutes(10));
        app.issue("C", false).await;
        let want = format!("Kartu Keluarga {n}");
        let row = wait_row(&b, "Kartu Keluarga", &want).await;
        assert!(row.starts_with(&want), "{row}");
    }
    // 35 minutes after the head's last own request (the login), 10 after the last refresh.
    app.clock.advance(chrono::Duration::minutes(10));
    b.goto(&app.url("/console")).await;
    b.wait_url("/login").await;
    b.quit().await;
    app.stop().await;
}
