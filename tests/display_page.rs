//! The lobby display in a real browser (headless Chromium) at 1920×1080 and 1280×720: before
//! and after a call, the board's boxes, texts and colours match references within a few
//! pixels (`tests/golden/display-*.json`, see `common::layout`; the running text, which
//! moves, is held still) and the screenshot paints them; the call arrives without a reload;
//! where the browser blocks sound, one tap enables it.

mod common;

use common::browser::Browser;
use common::images::{Image, decode};
use common::layout::{
    Element, Snapshot, TOLERANCE, assert_page, capture, differences, paint_problems, read_reference,
};
use common::page_clock::eventually;
use common::{TestApp, wib};

const STILL: &str = "var s = document.createElement('style');\
    s.textContent = '*, *::before { animation: none !important; transition: none !important; }';\
    document.head.appendChild(s); return true;";

/// The board's parts, as the reference records them.
const BOARD: &[&str] = &[
    "body",
    "header",
    ".office",
    "#time",
    "#date",
    "main",
    ".serving > h2",
    ".serving > h2 small",
    "#counters",
    ".counter",
    ".counter .name",
    ".counter .number",
    "aside",
    "aside > h2",
    "aside > h2 small",
    "#calls",
    "#calls li",
    "#calls .num",
    "#calls .where",
    "#waiting",
    "#waiting li",
    "#waiting .svc",
    "#waiting .count",
    "footer",
    ".ticker",
    "#offline",
    "#sound",
    "#closed",
];

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

fn rect(s: &Snapshot, key: &str) -> [f64; 4] {
    s.elements
        .iter()
        .find(|e| e.key == key)
        .unwrap_or_else(|| panic!("no {key}"))
        .rect
}

/// Checks the board against the reference `name`, and that it fills the screen exactly.
async fn assert_board(b: &Browser, name: &str, width: u32, height: u32) -> Snapshot {
    let s = assert_page(b, name, BOARD).await;
    let (w, h) = (width as f64, height as f64);
    assert_eq!(rect(&s, "body @1"), [0.0, 0.0, w, h], "{name}: body");
    let [x, _, fw, _] = rect(&s, "footer @1");
    assert_eq!((x, fw), (0.0, w), "{name}: footer spans the width");
    let [_, y, _, fh] = rect(&s, "footer @1");
    assert!(
        (y + fh - h).abs() < 0.5,
        "{name}: footer ends at the bottom"
    );
    s
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
    assert_board(&big, "display-1920-before", 1920, 1080).await;

    app.call_next(1).await;
    // No reload: the open page follows the event stream.
    assert_eq!(big.wait_text("#counter-1 .number", "A-001").await, "A-001");
    big.wait_text("#calls li:first-child", "A-001").await;
    big.script(STILL).await;
    assert_board(&big, "display-1920-after", 1920, 1080).await;
    big.quit().await;

    let small = board(&app, 1280, 720).await;
    assert_eq!(small.text("#counter-1 .number").await, "A-001");
    assert_board(&small, "display-1280-before", 1280, 720).await;
    app.call_next(3).await;
    assert_eq!(
        small.wait_text("#counter-3 .number", "B-002").await,
        "B-002"
    );
    small.wait_text("#calls li:first-child", "B-002").await;
    small.script(STILL).await;
    assert_board(&small, "display-1280-after", 1280, 720).await;

    // The same checks fail on a wrong board. Something painted over it changes no box, text
    // or style: the screenshot check finds it.
    let reference = read_reference("display-1280-after");
    small
        .script(
            "var d = document.createElement('div');\
             d.style.cssText = 'position: fixed; inset: 0 0 50% 0; background: #06243f';\
             document.body.appendChild(d); return true;",
        )
        .await;
    let (covered, png) = capture(&small, BOARD).await;
    assert_eq!(
        differences(&reference, &covered, TOLERANCE),
        Vec::<String>::new()
    );
    let problems = paint_problems(&covered, &decode(&png), TOLERANCE);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(".counter .number @1: 0 pixels show its text colour")),
        "{problems:#?}"
    );
    // Wrong styles: numbers in the footer's yellow, everything in `main` pushed down 5vh.
    small
        .script(
            "var s = document.createElement('style');\
             s.textContent = '.counter .number { color: #f2c12e } main { padding-top: 7vh }';\
             document.head.appendChild(s); return true;",
        )
        .await;
    let (wrong, _) = capture(&small, BOARD).await;
    let found = differences(&reference, &wrong, TOLERANCE);
    for want in [
        ".counter .number @1: colour #f2c12e, reference #ffffff",
        ".counter @4: y ",
        "#calls li @1: y ",
    ] {
        assert!(
            found.iter().any(|d| d.starts_with(want)),
            "{want}: {found:#?}"
        );
    }
    // Not too much either: header and footer stay put.
    assert!(
        !found
            .iter()
            .any(|d| d.starts_with("header") || d.starts_with("footer")),
        "{found:#?}"
    );
    small.quit().await;
    app.stop().await;
}

/// The comparison's tolerance, on the committed reference: a box a few pixels off passes, one
/// further off does not, nor does a changed text, colour, font or a missing element.
#[test]
fn boxes_within_a_few_pixels_pass_and_anything_else_is_reported() {
    let want = read_reference("display-1920-before");
    assert!(want.elements.len() > 30, "{}", want.elements.len());
    let changed = |f: &dyn Fn(&mut Element)| {
        let mut got = want.clone();
        let e = got
            .elements
            .iter_mut()
            .find(|e| e.key == ".counter .number @2")
            .expect("counter 2's number");
        f(e);
        differences(&want, &got, TOLERANCE)
    };
    assert_eq!(differences(&want, &want, TOLERANCE), Vec::<String>::new());
    assert_eq!(changed(&|e| e.rect[0] += 3.0), Vec::<String>::new());
    assert_eq!(changed(&|e| e.rect[3] -= 3.9), Vec::<String>::new());
    let one = |d: Vec<String>| {
        assert_eq!(d.len(), 1, "{d:#?}");
        d[0].clone()
    };
    assert!(one(changed(&|e| e.rect[1] += 6.0)).starts_with(".counter .number @2: y "));
    assert!(one(changed(&|e| e.rect[2] -= 5.0)).starts_with(".counter .number @2: width "));
    assert_eq!(
        one(changed(&|e| e.text = "B-002".into())),
        ".counter .number @2: text \"B-002\", reference \"B-001\""
    );
    assert!(one(changed(&|e| e.color = "#9fd0ff".into())).contains("colour #9fd0ff"));
    assert!(one(changed(&|e| e.background = "#06243f".into())).contains("background"));
    assert!(one(changed(&|e| e.font = "400 96px".into())).contains("font 400 96px"));
    assert!(one(changed(&|e| e.shown = false)).contains("shown false"));
    assert_eq!(
        changed(&|e| e.key = "other".into()),
        [
            ".counter .number @2: missing",
            "other: not in the reference"
        ]
    );
}

/// The screenshot check, on made-up pictures: text must show ink of its colour, a plain box
/// its background.
#[test]
fn a_picture_without_the_text_or_the_background_is_reported() {
    let snap = Snapshot {
        viewport: [40, 20],
        elements: vec![Element {
            key: "#time @1".into(),
            shown: true,
            rect: [0.0, 0.0, 40.0, 20.0],
            text: "09.00".into(),
            color: "#ffffff".into(),
            background: "#0b4f8a".into(),
            font: "700 54px".into(),
            leaf: true,
            plain: true,
        }],
    };
    let picture = |f: &dyn Fn(u32, u32) -> [u8; 3]| {
        let mut pixels = Vec::new();
        for y in 0..20 {
            for x in 0..40 {
                pixels.extend(f(x, y));
                pixels.push(255);
            }
        }
        Image {
            width: 40,
            height: 20,
            pixels,
        }
    };
    let text = |x: u32, y: u32| (10..14).contains(&x) && (5..15).contains(&y);
    let good = picture(&|x, y| if text(x, y) { [255; 3] } else { [11, 79, 138] });
    assert_eq!(
        paint_problems(&snap, &good, TOLERANCE),
        Vec::<String>::new()
    );
    let slightly_off = picture(&|x, y| if text(x, y) { [240; 3] } else { [20, 90, 130] });
    assert_eq!(
        paint_problems(&snap, &slightly_off, TOLERANCE),
        Vec::<String>::new()
    );
    let blank = picture(&|_, _| [11, 79, 138]);
    assert_eq!(
        paint_problems(&snap, &blank, TOLERANCE),
        ["#time @1: 0 pixels show its text colour #ffffff (at least 6)"]
    );
    let red = picture(&|x, y| if text(x, y) { [255; 3] } else { [200, 0, 0] });
    assert_eq!(
        paint_problems(&snap, &red, TOLERANCE),
        ["#time @1: 0% of its pixels show its background #0b4f8a (at least 25%)"]
    );
    let small = Image {
        width: 40,
        height: 19,
        pixels: vec![0; 40 * 19 * 4],
    };
    assert_eq!(
        paint_problems(&snap, &small, TOLERANCE),
        ["screenshot 40×19, viewport 40×20"]
    );
    let mut outside = snap.clone();
    outside.elements[0].rect = [0.0, 10.0, 40.0, 20.0];
    assert_eq!(
        paint_problems(&outside, &good, TOLERANCE),
        ["#time @1: [0.0, 10.0, 40.0, 20.0] reaches outside the viewport"]
    );
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
    // A button, so a keyboard reaches it too: Enter on it does what a tap does.
    assert_eq!(
        b.script("return document.getElementById('sound').tagName;")
            .await,
        "BUTTON"
    );
    b.fill("#sound", "\u{E007}").await;
    assert_eq!(b.text("#sound").await, "", "hidden after Enter");

    // The daemon goes away: the board keeps its numbers and says "terputus".
    app.stop().await;
    assert_eq!(b.wait_text("#offline", "terputus").await, "terputus");
    assert_eq!(b.text("#counter-1 .number").await, "A-001");
    b.quit().await;
}

/// "Panggilan terakhir" sends people to counters: a number put back in the queue is no longer
/// at the counter that called it, so it leaves the list (on the board and in the snapshot).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requeued_number_leaves_the_last_calls() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    app.issue("B", false).await;
    app.call_next(2).await;
    app.call_next(1).await;
    let b = board(&app, 1280, 720).await;
    b.wait_text("#calls li:first-child", "A-001").await;
    let (s, body) = app.op(1, "requeue", None).await;
    assert_eq!(s, 200, "{body}");
    eventually("A-001 leaves the last calls", || async {
        !b.text("#calls").await.contains("A-001")
    })
    .await;
    assert_eq!(b.text("#calls").await, "B-001\nLoket 2");
    let (_, snap) = app.get("/api/v1/display").await;
    assert_eq!(snap["calls"].as_array().map(Vec::len), Some(1), "{snap}");
    // Called again, at another counter: listed there.
    assert_eq!(app.call_next(1).await.as_deref(), Some("A-001"));
    b.wait_text("#calls li:first-child", "A-001").await;
    assert_eq!(b.text("#calls li:first-child").await, "A-001\nLoket 1");
    b.quit().await;
    app.stop().await;
}

/// On a holiday and after hours the board says the office is closed and when it opens again;
/// closed services are greyed in the waiting list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_says_when_the_office_is_closed_and_when_it_opens() {
    let app = TestApp::spawn().await;
    app.issue("B", false).await;
    let b = board(&app, 1920, 1080).await;
    assert_eq!(b.text("#closed").await, "", "open: no notice");
    assert_eq!(b.count("#waiting li.off").await, 0);
    app.walk_clock_to(wib(2026, 12, 25, 9, 0)).await;
    b.goto(&app.url("/display")).await;
    let notice = b.wait_text("#closed", "Kantor tutup").await;
    for want in [
        "Kantor tutup hari ini: Kelahiran Yesus Kristus. Buka kembali Senin 28 Desember 2026 pukul 08.00.",
        "The office is closed today (holiday). Opens again Monday 28 December 2026 at 08.00.",
    ] {
        assert!(notice.contains(want), "{want}: {notice}");
    }
    assert_eq!(b.count("#waiting li.off").await, 4);
    assert_eq!(
        b.script("return document.querySelector('#closed .en').lang;")
            .await,
        "en"
    );
    let (_, snap) = app.get("/api/v1/display").await;
    assert_eq!(
        snap["closed"]["reopens_id"],
        "Buka kembali Senin 28 Desember 2026 pukul 08.00."
    );

    app.clock.set(wib(2026, 11, 30, 12, 30));
    let (_, snap) = app.get("/api/v1/display").await;
    assert_eq!(snap["closed"]["id"], "Layanan sedang tutup.");
    assert_eq!(snap["closed"]["reopens_en"], "Opens again today at 13.00.");
    app.clock.set(wib(2026, 11, 30, 13, 0));
    let (_, snap) = app.get("/api/v1/display").await;
    assert!(snap.get("closed").is_none(), "{snap}");
    b.quit().await;
    app.stop().await;
}

fn rgb(css: &serde_json::Value) -> [f64; 3] {
    let s = css.as_str().expect("colour");
    let inner = s
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')');
    let v: Vec<f64> = inner
        .split(',')
        .map(|p| p.trim().parse().expect("number"))
        .collect();
    [v[0], v[1], v[2]]
}

/// WCAG 2 contrast ratio of two sRGB colours.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let lum = |c: [f64; 3]| {
        let ch = |v: f64| {
            let v = v / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// At the flash's brightest, the counter's name and number stay readable on the yellow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flashing_counter_keeps_its_name_readable() {
    let app = TestApp::spawn().await;
    app.issue("B", false).await;
    app.call_next(2).await;
    let b = Browser::start_with(1920, 1080, &["--autoplay-policy=no-user-gesture-required"]).await;
    b.goto(&app.url("/display")).await;
    b.wait_text("#counter-2 .number", "B-001").await;
    let got = b
        .script(
            "var box = document.getElementById('counter-2'); box.classList.add('flash');\
             var s = document.createElement('style');\
             s.textContent = '.counter.flash, .counter.flash .name, .counter.flash .number \
               { animation-play-state: paused !important; animation-delay: -0.25s !important; }';\
             document.head.appendChild(s);\
             return [getComputedStyle(box).backgroundColor,\
               getComputedStyle(box.querySelector('.name')).color,\
               getComputedStyle(box.querySelector('.number')).color];",
        )
        .await;
    let bg = rgb(&got[0]);
    assert!(bg[0] > 200.0 && bg[2] < 100.0, "yellow at the peak: {got}");
    for (what, c) in [("name", &got[1]), ("number", &got[2])] {
        let ratio = contrast(rgb(c), bg);
        assert!(ratio >= 4.5, "{what}: {ratio:.2}:1 ({got})");
    }
    b.quit().await;
    app.stop().await;
}
