//! The citizen satisfaction survey from the citizen's side, against the real daemon: the
//! phone survey on a served ticket's page (opened with the key from its QR code), the exit
//! tablet `/survei`, one answer per ticket, the refusals (wrong key, not served, too late,
//! closed), the per-address limit, and what is stored (durable, and without the ticket).
//! The browser tests walk both through to the thank-you at a phone's 375×667 and the
//! tablet's 1280×800.

mod common;

use std::sync::Arc;

use common::browser::Browser;
use common::fake_printer::FakePrinter;
use common::page_clock::{advance, eventually};
use common::{TestApp, monday_morning, test_config, wib};
use loket::clock::FakeClock;
use loket::config::{Config, EMBEDDED_DEFAULT};
use loket::survey::link::{LinkKey, Purpose};
use loket::survey::questionnaire::Questionnaire;
use loket::survey::response::Channel;

/// Ticket `id`'s key as its QR code carries it: from the daemon's key file.
fn key(app: &TestApp, id: u64) -> String {
    LinkKey::load_or_create(&app.data_dir)
        .expect("key file")
        .tag(Purpose::Ticket, id)
}

/// Issues a ticket of `service`, calls, serves and finishes it (A at counter 1, the others
/// at counter 2): its id.
async fn served(app: &TestApp, service: &str) -> u64 {
    let counter = if service == "A" { 1 } else { 2 };
    let id = app.issue(service, false).await["id"].as_u64().expect("id");
    assert!(app.call_next(counter).await.is_some(), "called");
    let (s, body) = app.op(counter, "serve", None).await;
    assert_eq!(s, 200, "{body}");
    let (s, body) = app.op(counter, "finish", None).await;
    assert_eq!(s, 200, "{body}");
    id
}

/// Every element scored `score`, as the form sends it.
fn scores(score: u8) -> Vec<(String, String)> {
    Questionnaire::embedded()
        .expect("questionnaire")
        .elements
        .iter()
        .map(|e| (format!("u.{}", e.id), score.to_string()))
        .collect()
}

/// `application/x-www-form-urlencoded`, as a browser sends it.
fn form(pairs: &[(String, String)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                b => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn with(mut pairs: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    pairs
}

/// A client whose connections come from `ip` (any 127/8 address reaches the daemon).
fn from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().expect("ip"))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    pairs: &[(String, String)],
) -> (u16, String) {
    let r = client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs))
        .send()
        .await
        .expect("request");
    (r.status().as_u16(), r.text().await.expect("body"))
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.client.get(app.url(path)).send().await.expect("request");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// The survey block's state on a page.
fn survey_state(html: &str) -> Option<&str> {
    html.split("data-survey=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
}

async fn responses(app: &TestApp) -> Vec<loket::survey::response::Response> {
    let day = monday_morning().date_naive();
    app.state()
        .store
        .survey_responses(
            day - chrono::Duration::days(7),
            day + chrono::Duration::days(7),
        )
        .await
        .expect("responses")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_ticket_answers_once_from_its_own_qr_code() {
    let app = TestApp::spawn().await;
    let id = served(&app, "A").await;
    let k = key(&app, id);

    // Without the key: the tracking page only, "Selesai", no survey.
    let (s, html) = page(&app, &format!("/t/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Selesai"));
    assert_eq!(survey_state(&html), None);
    // With the key: the form, with every element's four words and the privacy note.
    let (s, html) = page(&app, &format!("/t/{id}?k={k}")).await;
    assert_eq!(s, 200);
    assert_eq!(survey_state(&html), Some("form"));
    for w in [
        "Sangat mahal",
        "Gratis",
        "Sangat kompeten",
        "Dikelola dengan baik",
    ] {
        assert!(html.contains(w), "{w}");
    }
    assert!(html.contains("jangan menulis nama, NIK, atau nomor telepon"));
    assert!(
        html.contains("Bagaimana pelayanan yang Anda terima?"),
        "{html}"
    );
    assert!(
        !html.contains("antrian"),
        "antrean, as the dictionary has it"
    );
    assert!(
        !html.contains("data-refresh"),
        "a finished page does not refresh"
    );
    // A wrong key: the page says so and shows no form.
    let (_, html) = page(&app, &format!("/t/{id}?k=0000000000000000")).await;
    assert_eq!(survey_state(&html), Some("bad_key"));

    let client = from("127.0.0.1");
    let body = with(
        scores(3),
        &[
            ("k", &k),
            ("p.usia", "30-39 tahun"),
            ("p.pekerjaan", ""),
            ("saran", "Ruang tunggu panas."),
        ],
    );
    // Bad input first: incomplete, out of range, missing key, wrong key. Nothing stored.
    let mut short = body.clone();
    short.retain(|(k, _)| k != "u.biaya");
    let (s, html) = post(&client, &app, &format!("/t/{id}"), &short).await;
    assert_eq!(s, 422, "{html}");
    // The message names the question left out, which is outlined and marked; the answers
    // given are kept.
    assert!(
        html.contains("Pertanyaan &#34;Biaya/Tarif&#34; belum dijawab."),
        "{html}"
    );
    assert!(html.contains("<a href=\"#q4\">Ke pertanyaan 4"), "{html}");
    assert!(
        html.contains("<fieldset class=\"q missing\" id=\"q4\">"),
        "{html}"
    );
    assert_eq!(html.matches("class=\"q missing\"").count(), 1, "{html}");
    assert!(
        html.contains("<option selected>30-39 tahun</option>"),
        "{html}"
    );
    assert!(html.contains("Ruang tunggu panas.</textarea>"), "{html}");
    let five = with(scores(5), &[("k", &k)]);
    assert_eq!(post(&client, &app, &format!("/t/{id}"), &five).await.0, 422);
    let keyless: Vec<_> = body.iter().filter(|(n, _)| n != "k").cloned().collect();
    let (s, html) = post(&client, &app, &format!("/t/{id}"), &keyless).await;
    assert_eq!(s, 422);
    assert!(html.contains("Tautan survei tidak lengkap"), "{html}");
    let other_key = with(scores(3), &[("k", &key(&app, id + 1))]);
    let (s, html) = post(&client, &app, &format!("/t/{id}"), &other_key).await;
    assert_eq!(s, 403);
    assert!(html.contains("tidak cocok"), "{html}");
    let r = client
        .post(app.url(&format!("/t/{id}")))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 415);
    let huge = with(scores(3), &[("k", &k), ("saran", &"x".repeat(40_000))]);
    assert_eq!(post(&client, &app, &format!("/t/{id}"), &huge).await.0, 413);
    assert!(responses(&app).await.is_empty(), "bad input stored nothing");

    // The answer, then the thanks; a second answer is refused, and the page says so.
    let (s, html) = post(&client, &app, &format!("/t/{id}"), &body).await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(survey_state(&html), Some("thanks"));
    assert!(html.contains("Terima kasih"));
    let again = with(scores(1), &[("k", &k)]);
    let (s, html) = post(&client, &app, &format!("/t/{id}"), &again).await;
    assert_eq!(s, 409);
    assert!(html.contains("sudah diisi"), "{html}");
    let (_, html) = page(&app, &format!("/t/{id}?k={k}")).await;
    assert_eq!(survey_state(&html), Some("answered"));
    assert!(html.contains("Survei untuk nomor ini sudah diisi. Terima kasih."));

    let stored = responses(&app).await;
    assert_eq!(stored.len(), 1);
    let r = &stored[0];
    assert_eq!(r.channel, Channel::Phone);
    assert_eq!(r.service, "A");
    assert_eq!(r.counter, Some(1));
    assert!(r.scores.values().all(|s| *s == 3) && r.scores.len() == 9);
    assert_eq!(r.profile.len(), 1, "an option left empty is not stored");
    assert_eq!(r.suggestion, "Ruang tunggu panas.");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_not_served_or_answered_too_late_are_refused() {
    let app = TestApp::spawn().await;
    let done = served(&app, "A").await;
    let waiting = app.issue("B", false).await["id"].as_u64().expect("id");
    let client = from("127.0.0.1");

    // Not served: the page tracks the wait and shows no survey; a post is refused.
    let (_, html) = page(&app, &format!("/t/{waiting}?k={}", key(&app, waiting))).await;
    assert_eq!(survey_state(&html), None);
    assert!(html.contains("Menunggu"));
    let body = with(scores(4), &[("k", &key(&app, waiting))]);
    let (s, html) = post(&client, &app, &format!("/t/{waiting}"), &body).await;
    assert_eq!(s, 409, "{html}");
    assert!(html.contains("setelah pelayanan untuk nomor ini selesai"));
    // No such ticket.
    let body = with(scores(4), &[("k", &key(&app, 99))]);
    assert_eq!(post(&client, &app, "/t/99", &body).await.0, 404);

    // `answer_days` = 2: two days after the visit it still opens; the third day it has
    // closed, for the page and for a post.
    assert_eq!(
        app.state().config.survey.answer_days,
        2,
        "the shipped setting"
    );
    let k = key(&app, done);
    app.walk_clock_to(wib(2026, 12, 2, 9, 0)).await;
    let (_, html) = page(&app, &format!("/t/{done}?k={k}")).await;
    assert_eq!(survey_state(&html), Some("form"), "two days after");
    app.walk_clock_to(wib(2026, 12, 3, 9, 0)).await;
    let (_, html) = page(&app, &format!("/t/{done}?k={k}")).await;
    assert_eq!(survey_state(&html), Some("expired"));
    assert!(html.contains("sudah lewat"));
    let body = with(scores(4), &[("k", &k)]);
    let (s, html) = post(&client, &app, &format!("/t/{done}"), &body).await;
    assert_eq!(s, 410, "{html}");
    assert!(responses(&app).await.is_empty());
    app.stop().await;
}

/// Phones behind the guest Wi-Fi share one address: refused posts (wrong or no key, no such
/// ticket) are limited per address, but a post with the ticket's own key always goes
/// through, so junk from one phone cannot lock the real citizens out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junk_from_an_address_is_limited_but_a_right_key_still_answers() {
    let app = TestApp::spawn().await;
    let a = served(&app, "A").await;
    let b = served(&app, "A").await;
    let noisy = from("127.0.0.2");
    let quiet = from("127.0.0.3");
    // Ten guesses from one address: refused, each charged ...
    let guess = with(scores(4), &[("k", "0123456789abcdef")]);
    for i in 0..loket::web::SURVEY_POSTS_PER_MINUTE {
        let (s, _) = post(&noisy, &app, &format!("/t/{a}"), &guess).await;
        assert_eq!(s, 403, "guess {i}");
    }
    // ... and then every refusal is held off: a wrong key, no key, no such ticket.
    let (s, html) = post(&noisy, &app, &format!("/t/{a}"), &guess).await;
    assert_eq!(s, 429, "{html}");
    assert!(html.contains("Terlalu banyak pengiriman yang ditolak dari perangkat ini"));
    let keyless = scores(4);
    assert_eq!(
        post(&noisy, &app, &format!("/t/{a}"), &keyless).await.0,
        429
    );
    assert_eq!(post(&noisy, &app, "/t/99", &guess).await.0, 429);
    // A citizen on the same address with the ticket's key answers all the same.
    let right = with(scores(4), &[("k", &key(&app, a))]);
    let (s, html) = post(&noisy, &app, &format!("/t/{a}"), &right).await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(survey_state(&html), Some("thanks"));
    // Another address is not affected: its guess is refused as a guess.
    assert_eq!(post(&quiet, &app, &format!("/t/{b}"), &guess).await.0, 403);
    // The app's clock refills the bucket: six seconds later one more refusal is a refusal.
    app.clock.advance(chrono::Duration::seconds(6));
    assert_eq!(post(&noisy, &app, &format!("/t/{b}"), &guess).await.0, 403);
    assert_eq!(post(&noisy, &app, &format!("/t/{b}"), &guess).await.0, 429);
    assert_eq!(responses(&app).await.len(), 1);
    app.stop().await;
}

/// The survey tablet has its own, larger allowance for refusals (numbers not found, forged
/// steps); a number found is never held off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tablet_s_refusals_have_their_own_larger_allowance() {
    let app = TestApp::spawn().await;
    served(&app, "A").await;
    let tablet = from("127.0.0.1");
    let look = |n: &str| with(Vec::new(), &[("aksi", "cari"), ("nomor", n)]);
    let limit = loket::web::SURVEY_TABLET_REFUSALS_PER_MINUTE;
    assert!(limit > loket::web::SURVEY_POSTS_PER_MINUTE);
    for i in 0..limit {
        let (s, _) = post(&tablet, &app, "/survei", &look("A9")).await;
        assert_eq!(s, 404, "look-up {i}");
    }
    let (s, html) = post(&tablet, &app, "/survei", &look("A9")).await;
    assert_eq!(s, 429, "{html}");
    assert!(html.contains("Terlalu banyak permintaan yang ditolak di tablet ini"));
    let forged = with(
        scores(4),
        &[
            ("tiket", "1"),
            ("kt", "0123456789abcdef"),
            ("layar", "saran"),
            ("aksi", "kirim"),
        ],
    );
    assert_eq!(post(&tablet, &app, "/survei", &forged).await.0, 429);
    // The citizen with a real number goes on.
    let (s, html) = post(&tablet, &app, "/survei", &look("A1")).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("value=\"profil\""));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tablet_finds_today_s_number_and_stores_at_the_end_only() {
    let app = TestApp::spawn().await;
    let id = served(&app, "A").await;
    let waiting = app.issue("B", false).await;
    let client = from("127.0.0.1");

    let (s, html) = page(&app, "/survei").await;
    assert_eq!(s, 200);
    for p in ["value=\"A\"", "value=\"B\"", "value=\"C\"", "value=\"D\""] {
        assert!(html.contains(p), "keypad prefix {p}");
    }
    assert!(
        html.contains("Bagaimana pelayanan yang Anda terima?"),
        "{html}"
    );
    assert!(
        html.contains("value=\"kosong\" class=\"key erase\">Hapus semua"),
        "{html}"
    );
    assert!(!html.contains("antrian"), "{html}");
    // The keypad works without a script: each press posts and the number grows.
    let (_, html) = post(
        &client,
        &app,
        "/survei",
        &with(Vec::new(), &[("nomor", "A"), ("tekan", "1")]),
    )
    .await;
    assert!(html.contains("value=\"A1\""), "{html}");

    // Refusals, in Indonesian.
    let look = |n: &str| with(Vec::new(), &[("aksi", "cari"), ("nomor", n)]);
    let (s, html) = post(&client, &app, "/survei", &look("A9")).await;
    assert_eq!(s, 404);
    assert!(html.contains("Nomor A9 tidak ditemukan hari ini"));
    let b_number = waiting["number"].as_str().expect("number");
    let (s, html) = post(&client, &app, "/survei", &look(b_number)).await;
    assert_eq!(s, 409);
    assert!(html.contains("belum selesai dilayani"), "{html}");
    let (s, _) = post(&client, &app, "/survei", &look("")).await;
    assert_eq!(s, 422);

    // Found: the profile screen, carrying the ticket and its tablet key.
    let (s, html) = post(&client, &app, "/survei", &look("a 1")).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("value=\"profil\""));
    assert!(html.contains("Nomor A-001"));
    let kt = html
        .split("name=\"kt\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("tablet key")
        .to_string();
    assert_ne!(
        kt,
        key(&app, id),
        "the tablet never shows the ticket's QR key"
    );
    let carried = |extra: &[(&str, &str)]| {
        with(
            Vec::new(),
            &[("tiket", &id.to_string()), ("kt", &kt), ("nomor", "A-001")],
        )
        .into_iter()
        .chain(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .collect::<Vec<_>>()
    };
    // Skip the profile: the first element, four answers.
    let (_, html) = post(
        &client,
        &app,
        "/survei",
        &carried(&[
            ("layar", "profil"),
            ("aksi", "lewati"),
            ("p.usia", "20-29 tahun"),
        ]),
    )
    .await;
    assert!(html.contains("Pertanyaan 1 dari 9"), "{html}");
    assert_eq!(html.matches("name=\"jawab\"").count(), 4);
    assert!(!html.contains("20-29 tahun"), "skipped means not kept");
    // One answer moves on, carrying it.
    let (_, html) = post(
        &client,
        &app,
        "/survei",
        &carried(&[("layar", "u0"), ("jawab", "4")]),
    )
    .await;
    assert!(html.contains("Pertanyaan 2 dari 9"));
    assert!(html.contains("name=\"u.persyaratan\" value=\"4\""));
    assert!(
        responses(&app).await.is_empty(),
        "nothing stored before the end"
    );

    // A tampered ticket number is refused.
    let mut forged = carried(&[("layar", "saran"), ("aksi", "kirim")]);
    forged.extend(scores(4));
    for (k, v) in forged.iter_mut() {
        if k == "tiket" {
            *v = (id + 1).to_string();
        }
    }
    assert_eq!(post(&client, &app, "/survei", &forged).await.0, 403);
    // The last step stores once; the number then reads as answered.
    let mut last = carried(&[("layar", "saran"), ("aksi", "kirim"), ("saran", "Cepat.")]);
    last.extend(scores(2));
    let (s, html) = post(&client, &app, "/survei", &last).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Terima kasih!"));
    assert!(html.contains("http-equiv=\"refresh\" content=\"8;url=/survei\""));
    assert_eq!(post(&client, &app, "/survei", &last).await.0, 409);
    let (s, html) = post(&client, &app, "/survei", &look("A1")).await;
    assert_eq!(s, 409);
    assert!(html.contains("Survei untuk nomor A1 sudah diisi"));
    let stored = responses(&app).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].channel, Channel::Tablet);
    assert_eq!(stored[0].suggestion, "Cepat.");
    // The phone can no longer answer for it either.
    let phone = with(scores(4), &[("k", &key(&app, id))]);
    assert_eq!(
        post(&client, &app, &format!("/t/{id}"), &phone).await.0,
        409
    );
    app.stop().await;
}

/// A ticket that was never served says why, in its own words, on the phone and at the
/// tablet: a no-show was called and not present, a cancelled one was cancelled (not "not
/// served yet", which they may never be). The tablet finds today's numbers only; a phone that
/// answered first leaves the tablet nothing to answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_shows_cancelled_and_other_days_are_refused_in_their_own_words() {
    let app = TestApp::spawn().await;
    let phone = from("127.0.0.2");
    let tablet = from("127.0.0.1");
    let look = |n: &str| with(Vec::new(), &[("aksi", "cari"), ("nomor", n)]);
    let answered = served(&app, "A").await;
    let no_show = app.issue("A", false).await["id"].as_u64().expect("id");
    assert!(app.call_next(1).await.is_some());
    let (s, body) = app.op(1, "no-show", None).await;
    assert_eq!(s, 200, "{body}");
    let monday = served(&app, "A").await;
    let cancelled = app.issue("B", false).await["id"].as_u64().expect("id"); // B-001
    app.state()
        .store
        .void(cancelled, loket::audit::Who::new("loket-op", "127.0.0.1"))
        .await
        .expect("void");

    for (id, number, says) in [
        (
            no_show,
            "A2",
            "tidak hadir saat dipanggil: belum ada pelayanan yang dapat dinilai",
        ),
        (
            cancelled,
            "B1",
            "dibatalkan: tidak ada pelayanan yang dapat dinilai",
        ),
    ] {
        let body = with(scores(4), &[("k", &key(&app, id))]);
        let (s, html) = post(&phone, &app, &format!("/t/{id}"), &body).await;
        assert_eq!(s, 409, "{html}");
        assert!(html.contains(says), "{number}: {html}");
        assert!(!html.contains("setelah pelayanan"), "{number}: {html}");
        let (s, html) = post(&tablet, &app, "/survei", &look(number)).await;
        assert_eq!(s, 409, "{html}");
        assert!(html.contains(&format!("Nomor {number} ")), "{html}");
        assert!(html.contains(says), "{number}: {html}");
        assert!(!html.contains("belum selesai dilayani"), "{number}: {html}");
    }

    // The phone first, then the tablet: the number reads as answered there.
    let body = with(scores(4), &[("k", &key(&app, answered))]);
    assert_eq!(
        post(&phone, &app, &format!("/t/{answered}"), &body).await.0,
        200
    );
    let (s, html) = post(&tablet, &app, "/survei", &look("A1")).await;
    assert_eq!(s, 409, "{html}");
    assert!(html.contains("Survei untuk nomor A1 sudah diisi"), "{html}");

    // Tuesday: Monday's A-003 may still answer by phone, but the tablet looks among
    // Tuesday's numbers only, and there is no A-003 yet.
    app.walk_clock_to(wib(2026, 12, 1, 9, 0)).await;
    let (s, html) = post(&tablet, &app, "/survei", &look("A3")).await;
    assert_eq!(s, 404, "{html}");
    assert!(html.contains("Nomor A3 tidak ditemukan hari ini"), "{html}");
    let (_, html) = page(&app, &format!("/t/{monday}?k={}", key(&app, monday))).await;
    assert_eq!(survey_state(&html), Some("form"));
    assert_eq!(responses(&app).await.len(), 1);
    app.stop().await;
}

/// `/survei` answers for any of today's finished tickets by its number alone (numbers are
/// sequential and on the lobby display): only the listed tablets may use it. Every other
/// device is sent to the QR code on its own ticket, and can store nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_office_s_survey_tablets_answer_at_survei() {
    let app = TestApp::spawn().await;
    let id = served(&app, "A").await;
    let tablet = from("127.0.0.1");
    let phone = from("127.0.0.2");
    let look = with(Vec::new(), &[("aksi", "cari"), ("nomor", "A1")]);

    // Another device on the LAN: refused, in Indonesian first, pointing to the QR code.
    let r = phone.get(app.url("/survei")).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 403);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("Perangkat ini bukan tablet survei kantor"),
        "{html}"
    );
    assert!(
        html.contains("pindai kode QR pada tiket antrean Anda"),
        "{html}"
    );
    assert!(!html.contains("id=\"keypad\""), "no keypad: {html}");
    let (s, html) = post(&phone, &app, "/survei", &look).await;
    assert_eq!(s, 403, "{html}");
    assert!(
        !html.contains("value=\"profil\""),
        "no ticket found: {html}"
    );

    // The box's own screen is the default tablet: it finds the number. Its carried ticket,
    // posted from the other device, is refused there all the same.
    let (s, html) = post(&tablet, &app, "/survei", &look).await;
    assert_eq!(s, 200, "{html}");
    let kt = html
        .split("name=\"kt\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("tablet key")
        .to_string();
    let last = with(
        scores(4),
        &[
            ("tiket", &id.to_string()),
            ("kt", &kt),
            ("nomor", "A-001"),
            ("layar", "saran"),
            ("aksi", "kirim"),
        ],
    );
    assert_eq!(post(&phone, &app, "/survei", &last).await.0, 403);
    assert!(responses(&app).await.is_empty(), "nothing stored");
    // The citizen's own QR code still works from that device.
    let own = with(scores(4), &[("k", &key(&app, id))]);
    assert_eq!(post(&phone, &app, &format!("/t/{id}"), &own).await.0, 200);
    assert_eq!(
        post(&tablet, &app, "/survei", &last).await.0,
        409,
        "answered"
    );
    app.stop().await;

    // A tablet of its own: it is let in, and loopback, not listed, is refused.
    let tmp = tempfile::tempdir().expect("tmp");
    let mut config = test_config();
    config.survey.tablets = vec!["127.0.0.5".parse().expect("ip")];
    let app = TestApp::spawn_in(
        tmp.path(),
        Arc::new(FakeClock::new(monday_morning())),
        config,
    )
    .await;
    let r = from("127.0.0.5")
        .get(app.url("/survei"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").contains("id=\"keypad\""));
    let (s, _) = page(&app, "/survei").await;
    assert_eq!(s, 403, "loopback is a tablet only when listed");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_survey_says_so_and_takes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut config = test_config();
    config.survey.enabled = false;
    let app = TestApp::spawn_in(
        tmp.path(),
        Arc::new(FakeClock::new(monday_morning())),
        config,
    )
    .await;
    let id = served(&app, "A").await;
    let k = key(&app, id);
    let (_, html) = page(&app, &format!("/t/{id}?k={k}")).await;
    assert_eq!(survey_state(&html), Some("closed"));
    let client = from("127.0.0.1");
    let body = with(scores(4), &[("k", &k)]);
    assert_eq!(post(&client, &app, &format!("/t/{id}"), &body).await.0, 403);
    let (s, html) = page(&app, "/survei").await;
    assert_eq!(s, 200);
    assert!(html.contains("Survei sedang ditutup"));
    let look = with(Vec::new(), &[("aksi", "cari"), ("nomor", "A1")]);
    assert_eq!(post(&client, &app, "/survei", &look).await.0, 403);
    assert!(responses(&app).await.is_empty());
    app.stop().await;
}

/// What is stored survives a restart, keeps the key file (tickets already printed still
/// answer), and holds neither the ticket's id nor its number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_survive_a_restart_and_hold_no_ticket() {
    let app = TestApp::spawn().await;
    let first = served(&app, "A").await;
    let second = served(&app, "A").await;
    let client = from("127.0.0.1");
    let k2 = key(&app, second);
    let body = with(scores(4), &[("k", &key(&app, first))]);
    assert_eq!(
        post(&client, &app, &format!("/t/{first}"), &body).await.0,
        200
    );
    let app = app.restart().await;
    assert_eq!(key(&app, second), k2, "the key is kept across a restart");
    assert_eq!(responses(&app).await.len(), 1, "durable");
    let body = with(scores(1), &[("k", &k2)]);
    assert_eq!(
        post(&client, &app, &format!("/t/{second}"), &body).await.0,
        200
    );
    let again = with(scores(1), &[("k", &key(&app, first))]);
    assert_eq!(
        post(&client, &app, &format!("/t/{first}"), &again).await.0,
        409,
        "still answered after the restart"
    );
    let stored = responses(&app).await;
    assert_eq!(stored.len(), 2);

    // The raw rows: random keys, and nothing of the ticket in the value.
    let tmp = app.stop_keeping_data().await.expect("data dir");
    let db = redb::Database::open(tmp.path().join(loket::app::DB_FILE)).expect("open");
    let txn = redb::ReadableDatabase::begin_read(&db).expect("read");
    let table: redb::TableDefinition<(i32, u64), &[u8]> =
        redb::TableDefinition::new("survey_responses");
    let t = txn.open_table(table).expect("table");
    let mut rows = 0;
    for row in redb::ReadableTable::iter(&t).expect("iter") {
        let (k, v) = row.expect("row");
        let (_, salt) = k.value();
        assert!(salt != first && salt != second, "not keyed by the ticket");
        let json: serde_json::Value = serde_json::from_slice(v.value()).expect("json");
        let fields: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields,
            [
                "channel",
                "counter",
                "month",
                "profile",
                "scores",
                "service",
                "suggestion"
            ]
        );
        // The visit's month, not its day (Monday 30 November), in the value and the key.
        assert_eq!(json["month"], "2026-11-01");
        assert_eq!(k.value().0, day_key(2026, 11, 1));
        let text = String::from_utf8_lossy(v.value()).to_string();
        assert!(!text.contains("A-00"), "no ticket number: {text}");
        rows += 1;
    }
    assert_eq!(rows, 2);
}

/// The store's key for a response's month: days from the common era's start.
fn day_key(y: i32, m: u32, d: u32) -> i32 {
    use chrono::Datelike;
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .expect("date")
        .num_days_from_ce()
}

/// The ticket ids in `survey_answered`, read from the file of a stopped daemon.
fn answered_rows(dir: &std::path::Path) -> Vec<u64> {
    let db = redb::Database::open(dir.join(loket::app::DB_FILE)).expect("open");
    let txn = redb::ReadableDatabase::begin_read(&db).expect("read");
    let table: redb::TableDefinition<u64, ()> = redb::TableDefinition::new("survey_answered");
    let t = txn.open_table(table).expect("table");
    redb::ReadableTable::iter(&t)
        .expect("iter")
        .map(|r| r.expect("row").0.value())
        .collect()
}

/// Which tickets answered is kept only while they may still answer: with `answer_days` = 2,
/// the mark of a Monday ticket goes when Thursday's service day starts. The ticket then reads
/// as expired (not open again), also after `answer_days` is raised; the marks of tickets that
/// may still answer stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_marks_are_deleted_once_the_tickets_can_no_longer_answer() {
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let mut app = TestApp::spawn_in(tmp.path(), clock.clone(), test_config()).await;
    let client = from("127.0.0.1");
    let monday = served(&app, "A").await;
    let k = key(&app, monday);
    let body = with(scores(3), &[("k", &k)]);
    assert_eq!(
        post(&client, &app, &format!("/t/{monday}"), &body).await.0,
        200
    );

    // Wednesday, two days after: still answered, refused as such.
    app.walk_clock_to(wib(2026, 12, 2, 9, 0)).await;
    let (_, html) = page(&app, &format!("/t/{monday}?k={k}")).await;
    assert_eq!(survey_state(&html), Some("answered"));
    // Monday's session has ended meanwhile: Wednesday's operator logs in.
    app.operator = app
        .staff("loket-rabu", &[loket::auth::Role::Operator])
        .await;
    let wednesday = served(&app, "B").await;
    let body_w = with(scores(4), &[("k", &key(&app, wednesday))]);
    assert_eq!(
        post(&client, &app, &format!("/t/{wednesday}"), &body_w)
            .await
            .0,
        200
    );
    app.stop().await;
    let mut marks = answered_rows(tmp.path());
    marks.sort_unstable();
    assert_eq!(marks, [monday, wednesday], "both may still answer");

    // Thursday's day begins: Monday's mark goes; the ticket reads as expired, not open.
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), test_config()).await;
    app.walk_clock_to(wib(2026, 12, 3, 9, 0)).await;
    app.health().await;
    let (_, html) = page(&app, &format!("/t/{monday}?k={k}")).await;
    assert_eq!(survey_state(&html), Some("expired"), "{html}");
    let again = with(scores(1), &[("k", &k)]);
    assert_eq!(
        post(&client, &app, &format!("/t/{monday}"), &again).await.0,
        410
    );
    app.stop().await;
    assert_eq!(answered_rows(tmp.path()), [wednesday]);

    // A longer `answer_days` later reopens nothing whose mark is gone; the responses stay.
    let mut longer = test_config();
    longer.survey.answer_days = 30;
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), longer).await;
    let (_, html) = page(&app, &format!("/t/{monday}?k={k}")).await;
    assert_eq!(survey_state(&html), Some("expired"), "{html}");
    assert_eq!(
        post(&client, &app, &format!("/t/{monday}"), &again).await.0,
        410
    );
    assert_eq!(
        post(&client, &app, &format!("/t/{wednesday}"), &body_w)
            .await
            .0,
        409,
        "still answered"
    );
    assert_eq!(responses(&app).await.len(), 2);
    app.stop().await;
}

/// A suggestion is free text and may hold personal data: its text is kept
/// `[survey] suggestion_days` after its month ends, then the nightly retention purge (the one
/// that purges complaint identities) empties it, audited; the scores stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_are_emptied_once_their_retention_runs_out() {
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let mut config = test_config();
    config.survey.suggestion_days = 30;
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), config.clone()).await;
    let id = served(&app, "A").await;
    let body = with(
        scores(3),
        &[
            ("k", &key(&app, id)),
            ("saran", "Hubungi saya di 0812 3456 7890."),
        ],
    );
    assert_eq!(
        post(&from("127.0.0.1"), &app, &format!("/t/{id}"), &body)
            .await
            .0,
        200
    );
    // 30 December: November ended 29 days ago; kept.
    app.walk_clock_to(wib(2026, 12, 30, 10, 0)).await;
    let store = app.state().store;
    assert_eq!(store.survey_purge_suggestions().await.expect("purge"), 0);
    assert_eq!(
        responses(&app).await[0].suggestion,
        "Hubungi saya di 0812 3456 7890."
    );
    app.stop().await;

    // 31 December, the daemon started after 02.00: its nightly purge empties it.
    clock.set(wib(2026, 12, 31, 10, 0));
    let app = TestApp::spawn_in(tmp.path(), clock.clone(), config).await;
    let mut emptied = false;
    for _ in 0..200 {
        if responses(&app).await[0].suggestion.is_empty() {
            emptied = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(emptied, "the nightly purge emptied the suggestion");
    let stored = responses(&app).await;
    assert_eq!(stored.len(), 1, "the response stays");
    assert!(stored[0].scores.values().all(|s| *s == 3));
    let audit = app.state().store.audit_entries().await.expect("audit");
    assert!(
        audit
            .iter()
            .any(|e| e.action == "survey_suggestions_purged" && e.actor == "system"),
        "audited"
    );
    assert_eq!(
        app.state()
            .store
            .survey_purge_suggestions()
            .await
            .expect("purge"),
        0,
        "once"
    );
    app.stop().await;
}

/// The printed ticket's QR code is the survey's way in: its payload opens the form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_qr_code_opens_the_survey() {
    let printer = FakePrinter::start();
    let src = EMBEDDED_DEFAULT.replace(
        "kind = \"auto\"",
        &format!(
            "kind = \"tcp\"\naddress = \"{}\"\ntimeout_ms = 2000\nstatus_interval_secs = 1",
            printer.addr
        ),
    );
    let mut config = Config::from_toml_str(&src).expect("config");
    config.kiosk.max_tickets_per_minute = 0;
    let tmp = tempfile::tempdir().expect("tmp");
    let app = TestApp::spawn_in(
        tmp.path(),
        Arc::new(FakeClock::new(monday_morning())),
        config,
    )
    .await;
    let id = served(&app, "A").await;
    let qr = printer
        .take_jobs()
        .into_iter()
        .find_map(|c| match c {
            common::escpos::Cmd::QrStore(bytes) => Some(String::from_utf8(bytes).expect("utf8")),
            _ => None,
        })
        .expect("a QR code printed");
    let path = &qr[qr.find("/t/").expect("tracking path")..];
    assert_eq!(path, format!("/t/{id}?k={}", key(&app, id)));
    let (_, html) = page(&app, path).await;
    assert_eq!(survey_state(&html), Some("form"));
    app.stop().await;
}

/// A phone, 375×667: the form after a finished ticket, filled by tapping, to the thanks;
/// then the same link says it was answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_survey_in_a_browser() {
    let app = TestApp::spawn().await;
    let id = served(&app, "A").await;
    let url = app.url(&format!("/t/{id}?k={}", key(&app, id)));
    let b = Browser::start_with(375, 667, &[]).await;
    b.goto(&url).await;
    assert_eq!(
        b.script("return document.getElementById('survey').dataset.survey;")
            .await,
        "form"
    );
    // Readable at a phone's width: nothing wider than the screen, tap targets of 44 px+.
    let wide = b
        .script("return document.documentElement.scrollWidth;")
        .await;
    assert!(wide.as_u64().expect("width") <= 375, "{wide}");
    let low = b
        .script(
            "return Math.min.apply(null, Array.from(document.querySelectorAll('.choice, .send, select'))
               .map(function (e) { return e.getBoundingClientRect().height; }));",
        )
        .await;
    assert!(low.as_f64().expect("height") >= 44.0, "tap target {low}");
    let q = Questionnaire::embedded().expect("q");
    for (i, e) in q.elements.iter().enumerate() {
        let score = 1 + i % 4;
        b.click(&format!("input[name=\"u.{}\"][value=\"{score}\"]", e.id))
            .await;
    }
    b.script(
        "var s = document.querySelector('select[name=\"p.jenis_kelamin\"]'); s.value = 'Perempuan'; return true;",
    )
    .await;
    b.fill("#saran", "Kursi tunggu kurang.").await;
    b.click(".send").await;
    eventually("the thanks", || async {
        b.text("#survey").await.contains("Terima kasih!")
    })
    .await;
    let stored = responses(&app).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].scores["persyaratan"], 1);
    assert_eq!(stored[0].scores["biaya"], 4);
    assert_eq!(stored[0].profile["jenis_kelamin"], "Perempuan");
    assert_eq!(stored[0].suggestion, "Kursi tunggu kurang.");
    b.goto(&url).await;
    assert!(
        b.text("#survey")
            .await
            .contains("Survei untuk nomor ini sudah diisi. Terima kasih.")
    );
    b.quit().await;
    app.stop().await;
}

/// The exit tablet, 1280×800: number on the keypad, profile, nine screens of four buttons,
/// a suggestion, the thanks, and back to a clean start; a screen left alone returns too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tablet_survey_in_a_browser() {
    let app = TestApp::spawn().await;
    served(&app, "A").await;
    served(&app, "B").await;
    let b = common::page_clock::with_page_clock(&app.url("/survei")).await;
    // The keypad types locally (no round trip): the page stays the same document.
    b.script("window.__same = true; return true;").await;
    b.click("button[name=tekan][value=B]").await;
    b.click("button[name=tekan][value=\"1\"]").await;
    assert_eq!(
        b.script("return document.getElementById('nomor').value;")
            .await,
        "B1"
    );
    assert_eq!(b.script("return window.__same === true;").await, true);
    b.click("button[name=aksi][value=cari]").await;
    eventually("the profile screen", || async {
        b.text("main").await.contains("Tentang Anda")
    })
    .await;
    // Left alone, the screen warns twenty seconds before, then goes back to the start.
    advance(&b, 41_000).await;
    assert_eq!(
        b.script("return !document.getElementById('idle-warning').hidden;")
            .await,
        true
    );
    advance(&b, 20_000).await;
    eventually("back to the start", || async {
        b.count("#keypad").await == 1
    })
    .await;
    assert_eq!(
        b.script("return document.getElementById('nomor').value;")
            .await,
        ""
    );
    // Again, through to the end.
    b.click("button[name=tekan][value=B]").await;
    b.click("button[name=tekan][value=\"1\"]").await;
    b.click("button[name=aksi][value=cari]").await;
    eventually("the profile screen", || async {
        b.text("main").await.contains("Tentang Anda")
    })
    .await;
    b.click("input[name=\"p.usia\"][value=\"40-49 tahun\"] + span")
        .await;
    b.click("button[name=aksi][value=lanjut]").await;
    for n in 1..=9 {
        let want = format!("Pertanyaan {n} dari 9");
        eventually(&want, || async { b.text(".where").await.contains(&want) }).await;
        b.click("button[name=jawab][value=\"3\"]").await;
    }
    eventually("the suggestion", || async { b.count("#saran").await == 1 }).await;
    b.fill("#saran", "Petugas ramah.").await;
    b.click("button[name=aksi][value=kirim]").await;
    eventually("the thanks", || async {
        b.text("main").await.contains("Terima kasih!")
    })
    .await;
    let stored = responses(&app).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].service, "B");
    assert_eq!(stored[0].profile["usia"], "40-49 tahun");
    assert!(stored[0].scores.values().all(|s| *s == 3));
    advance(&b, 8_000).await;
    eventually("a clean start", || async {
        b.count("#keypad").await == 1 && b.find("#message").await.is_none()
    })
    .await;
    // A number typed and left alone is cleared as well; an untouched start stays.
    b.click("button[name=tekan][value=\"4\"]").await;
    b.script("window.__typed = true; return true;").await;
    advance(&b, 61_000).await;
    eventually("the typed number cleared", || async {
        b.script("return window.__typed !== true && document.getElementById('nomor').value === '';")
            .await
            == true
    })
    .await;
    b.script("window.__clean = true; return true;").await;
    advance(&b, 600_000).await;
    assert_eq!(b.script("return window.__clean === true;").await, true);
    b.quit().await;
    app.stop().await;
}

/// The page opened from the QR code while waiting: once the ticket is served, the survey
/// appears below the status without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_left_open_while_waiting_turns_into_the_survey() {
    let app = TestApp::spawn().await;
    let id = app.issue("A", false).await["id"].as_u64().expect("id");
    let url = app.url(&format!("/t/{id}?k={}", key(&app, id)));
    let b = common::page_clock::with_page_clock(&url).await;
    assert_eq!(b.count("#survey").await, 0);
    b.script("window.__same = true; return true;").await;
    app.call_next(1).await;
    app.op(1, "serve", None).await;
    app.op(1, "finish", None).await;
    eventually("the survey", || async {
        advance(&b, 20_000).await;
        b.count("#survey form").await == 1
    })
    .await;
    assert!(b.text("#status").await.contains("Selesai"));
    assert_eq!(b.script("return window.__same === true;").await, true);
    b.quit().await;
    app.stop().await;
}
