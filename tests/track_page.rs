//! `/t/{id}`, the page a citizen's phone opens from the ticket's QR code: what each state
//! means for the holder, in Bahasa Indonesia then English; no meta refresh (the page's own
//! script fetches the status again into a polite live region); nothing personal.

mod common;

use std::sync::Arc;

use common::browser::Browser;
use common::fake_printer::{FakePrinter, Fault};
use common::page_clock::{advance, eventually, with_page_clock};
use common::{TestApp, monday_morning};
use loket::clock::FakeClock;
use loket::config::{Config, EMBEDDED_DEFAULT};
use serde_json::json;

/// The page's status block as text (tags dropped), its state class and the whole page.
async fn track(app: &TestApp, id: u64) -> (u16, String, String, String) {
    let r = app
        .client
        .get(app.url(&format!("/t/{id}")))
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let html = r.text().await.expect("body");
    let start = html.find("<div id=\"status\"").expect("status block");
    let end = start + html[start..].find("</div>").expect("end");
    let block = &html[start..end];
    let kind = block
        .split("data-state=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string();
    let mut text = String::new();
    let mut in_tag = false;
    for c in block.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (status, kind, text, html)
}

fn has_all(text: &str, wants: &[&str]) {
    for w in wants {
        assert!(text.contains(w), "{w:?} in {text:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_state_tells_the_holder_what_to_do_in_both_languages() {
    let app = TestApp::spawn().await;
    for s in ["A", "A", "A", "C", "C"] {
        app.issue(s, false).await;
    }

    // Waiting: how many are ahead and how long, or that you are next.
    let (status, kind, text, html) = track(&app, 2).await;
    assert_eq!((status, kind.as_str()), (200, "waiting"));
    has_all(
        &text,
        &[
            "Menunggu",
            "Waiting",
            "1 orang di depan Anda · perkiraan",
            "1 ahead of you · about",
        ],
    );
    assert!(!html.contains("http-equiv=\"refresh\""), "no meta refresh");
    assert!(html.contains("role=\"status\" aria-live=\"polite\""));
    assert!(html.contains("<span class=\"en\" lang=\"en\">Waiting</span>"));
    assert!(html.contains("Halaman ini memperbarui statusnya sendiri setiap 20 detik."));
    let (_, _, text, _) = track(&app, 1).await;
    has_all(&text, &["Anda berikutnya", "You are next"]);

    // Called, then served, at counter 1.
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));
    let (_, kind, text, _) = track(&app, 1).await;
    assert_eq!(kind, "called");
    has_all(
        &text,
        &[
            "Dipanggil — silakan menuju Loket 1",
            "Called — please go to Loket 1 now",
        ],
    );
    app.op(1, "serve", None).await;
    let (_, kind, text, _) = track(&app, 1).await;
    assert_eq!(kind, "serving");
    has_all(
        &text,
        &["Sedang dilayani di Loket 1", "Being served at Loket 1"],
    );
    assert!(!text.contains("silakan menuju"), "{text}");

    // Finished: thanks, and no counter to go to. The page stops refreshing.
    app.op(1, "finish", None).await;
    let (_, kind, text, html) = track(&app, 1).await;
    assert_eq!(kind, "finished");
    has_all(&text, &["Selesai", "Finished", "Terima kasih", "Thank you"]);
    assert!(!text.contains("silakan menuju"), "{text}");
    assert!(!text.contains("Loket"), "{text}");
    assert!(!html.contains("<script"), "nothing left to follow");

    // Not there when called.
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-002"));
    app.op(1, "no-show", None).await;
    let (_, kind, text, _) = track(&app, 2).await;
    assert_eq!(kind, "no_show");
    has_all(
        &text,
        &[
            "Tidak hadir saat dipanggil",
            "Not present when called",
            "silakan hubungi petugas",
            "please ask the staff",
        ],
    );
    assert!(!text.contains("silakan menuju"), "{text}");

    // Transferred to another service: waiting there.
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-003"));
    let (s, body) = app.op(1, "transfer", Some(json!({"service": "B"}))).await;
    assert_eq!(s, 200, "{body}");
    let (_, kind, text, _) = track(&app, 3).await;
    assert_eq!(kind, "transferred");
    has_all(
        &text,
        &[
            "Dialihkan ke layanan KTP-el",
            "Transferred to Electronic ID card",
            "You are next",
        ],
    );

    // Cancelled by staff: the number is void; take a new one.
    let r = app
        .as_staff(
            reqwest::Method::POST,
            "/api/v1/tickets/5/void",
            &app.operator,
        )
        .send()
        .await
        .expect("void");
    assert_eq!(r.status().as_u16(), 200);
    let (_, kind, text, html) = track(&app, 5).await;
    assert_eq!(kind, "cancelled");
    has_all(
        &text,
        &[
            "Dibatalkan",
            "Cancelled",
            "ambil nomor baru",
            "take a new number",
        ],
    );
    assert!(!html.contains("<script"));

    // No such ticket: 404 in both languages.
    let (status, kind, text, _) = track(&app, 99).await;
    assert_eq!((status, kind.as_str()), (404, "not_found"));
    has_all(&text, &["Tiket tidak ditemukan", "Ticket not found"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_held_unprinted_tells_its_holder_to_ask_for_a_reprint() {
    let printer = FakePrinter::start();
    let src = EMBEDDED_DEFAULT.replace(
        "kind = \"auto\"",
        &format!(
            "kind = \"tcp\"\naddress = \"{}\"\ntimeout_ms = 400\nstatus_interval_secs = 1",
            printer.addr
        ),
    );
    let config = Config::from_toml_str(&src).expect("config");
    let tmp = tempfile::tempdir().expect("tmp");
    let app = TestApp::spawn_in(
        tmp.path(),
        Arc::new(FakeClock::new(monday_morning())),
        config,
    )
    .await;
    printer.set_fault(Fault::DropAfter(200));
    let (s, body) = app.issue_raw(json!({"service": "A"})).await;
    assert_eq!(s, 503, "{body}");
    assert_eq!(app.ticket(1).await["print"], "failed");
    let (status, kind, text, _) = track(&app, 1).await;
    assert_eq!((status, kind.as_str()), (200, "held"));
    has_all(
        &text,
        &[
            "Ditahan: tiket belum tercetak",
            "On hold: the ticket was not printed",
            "dicetak ulang",
            "print it again",
        ],
    );
    assert!(!text.contains("orang di depan"), "not in the queue: {text}");
    app.stop().await;
}

/// In the browser: the status changes in place, without a reload, when the page's refresh
/// comes round; once finished, the refreshing stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_page_follows_the_ticket_without_reloading() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    let b: Browser = with_page_clock(&app.url("/t/1")).await;
    assert_eq!(
        b.script("return document.getElementById('status').getAttribute('data-state');")
            .await,
        "waiting"
    );
    b.script("window.__same_page = true; return true;").await;
    app.call_next(1).await;
    eventually("the called state", || async {
        advance(&b, 20_000).await;
        b.text("#status")
            .await
            .contains("Dipanggil — silakan menuju Loket 1")
    })
    .await;
    assert!(
        b.text("#status")
            .await
            .contains("Called — please go to Loket 1 now")
    );
    assert_eq!(
        b.script("return window.__same_page === true;").await,
        true,
        "no reload"
    );
    app.op(1, "finish", None).await;
    eventually("the finished state", || async {
        advance(&b, 20_000).await;
        b.text("#status").await.contains("Selesai")
    })
    .await;
    eventually("the note goes", || async {
        b.text("#note").await.is_empty()
    })
    .await;
    b.quit().await;
    app.stop().await;
}
