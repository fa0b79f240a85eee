//! The browserless board: the embedded-graphics renderer against a golden PNG, and the same
//! rendering served as `/display.png`.

mod common;

use common::TestApp;
use common::images::assert_matches;
use loket::display::{Board, render, to_png};

fn board() -> Board {
    Board {
        office: "Dinas Kependudukan dan Pencatatan Sipil Kota Contoh".into(),
        time: "09.05".into(),
        date: "Senin, 30 November 2026".into(),
        counters: vec![
            ("Loket 1".into(), "A-012".into()),
            ("Loket 2".into(), "B-104".into()),
            ("Loket 3".into(), "—".into()),
            ("Loket 4".into(), "D-007".into()),
        ],
        calls: vec![
            ("A-012".into(), "Loket 1".into()),
            ("D-007".into(), "Loket 4".into()),
            ("B-104".into(), "Loket 2".into()),
        ],
        waiting: vec![
            ("A · Pengaduan".into(), 3),
            ("B · KTP-el".into(), 12),
            ("C · Kartu Keluarga".into(), 0),
            ("D · Akta Kelahiran".into(), 5),
        ],
        running_text: "Selamat datang. Layanan ini tidak dipungut biaya.".into(),
    }
}

#[test]
fn the_framebuffer_board_matches_its_golden_png() {
    for (w, h) in [(1920, 1080), (1280, 720)] {
        let png = to_png(&render(&board(), w, h)).expect("png");
        // Rendered by our own code with built-in fonts: exact, no tolerance needed.
        assert_matches(&format!("board-{w}x{h}.png"), &png, h, 0.0);
    }
}

#[tokio::test]
async fn display_png_serves_the_same_rendering() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    app.call_next(1).await;
    let r = app
        .client
        .get(app.url("/display.png"))
        .send()
        .await
        .expect("png");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    let img = common::images::decode(&r.bytes().await.expect("bytes"));
    assert_eq!((img.width, img.height), (1280, 720));
    app.stop().await;
}
