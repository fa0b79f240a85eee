//! Accessibility: axe-core (vendored in `tests/axe/`, see docs/accessibility.md) runs in
//! headless Chromium on every public and console page, in the states citizens and staff meet
//! (the kiosk's overlays, the board while a call flashes, each ticket state, each role's
//! pages, the confirmation and error pages), against WCAG 2.0–2.2 A and AA and axe's best
//! practices. Any violation fails the test, all of them listed with their rule, impact,
//! element and summary. No rule is switched off.

mod common;

use chrono::{Duration, NaiveDate};
use common::browser::Browser;
use common::{TEST_PASSWORD, TestApp, wib};
use loket::audit::Who;
use loket::auth::Role;
use loket::complaint::{Channel, Level};
use loket::privacy::Nik;
use loket::queue::CounterOp;
use loket::store::{Identity, NewComplaint, Source};
use serde_json::{Value, json};

/// axe-core's single-file build, as published (MPL-2.0, its licence header kept).
const AXE: &str = include_str!("axe/axe.min.js");

/// The WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA, and axe's best practices
/// (one `main`, an `h1`, content in landmarks, named table columns...).
const TAGS: &[&str] = &[
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "best-practice",
];

/// Runs axe on the page in `b` and returns its violations, one line per element.
async fn violations(b: &Browser) -> Vec<String> {
    // Through DevTools rather than a page script: the daemon's Content-Security-Policy
    // forbids `eval`, and a document the page itself replaced keeps no earlier globals.
    let loaded = b.script("return typeof window.axe === 'object';").await;
    if loaded != json!(true) {
        b.cdp(
            "Runtime.evaluate",
            json!({"expression": AXE, "returnByValue": true}),
        )
        .await;
    }
    let got = b
        .script_async(
            "var done = arguments[arguments.length - 1];\
             axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})\
               .then(function (r) {\
                 var out = [];\
                 r.violations.forEach(function (v) {\
                   v.nodes.forEach(function (n) {\
                     out.push(v.id + ' (' + v.impact + ') ' + JSON.stringify(n.target) + ': ' +\
                       v.help + ' | ' + (n.failureSummary || '').replace(/\\s+/g, ' '));\
                   });\
                 });\
                 done({ok: true, out: out, rules: r.passes.length + r.violations.length + r.inapplicable.length});\
               }, function (e) { done({ok: false, out: [String(e)]}); });",
            json!([TAGS]),
        )
        .await;
    assert_eq!(got["ok"], json!(true), "axe did not run: {got}");
    assert!(
        got["rules"].as_u64().unwrap_or(0) > 40,
        "axe ran too few rules: {got}"
    );
    got["out"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Collects each page's violations under its name, so one run reports them all.
#[derive(Default)]
struct Report {
    pages: Vec<String>,
    found: Vec<String>,
}

impl Report {
    async fn check(&mut self, b: &Browser, name: &str) {
        self.pages.push(name.to_string());
        for v in violations(b).await {
            self.found.push(format!("{name}: {v}"));
        }
    }
}

/// Waits for a page's own scripts to have drawn `css` with `text`; panics otherwise, so a
/// state that never came is not audited as if it had.
async fn shows(b: &Browser, css: &str, text: &str) {
    let got = b.wait_text(css, text).await;
    assert!(got.contains(text), "{css}: {got:?}, wanted {text:?}");
}

async fn visible(b: &Browser, id: &str) -> bool {
    b.script_with(
        "var e = document.getElementById(arguments[0]); return !!e && !e.hidden;",
        json!([id]),
    )
    .await
        == json!(true)
}

fn complaint(source: Source, level: Level, name: &str) -> NewComplaint {
    NewComplaint {
        source,
        level,
        identity: Identity {
            name: name.to_string(),
            address: "Jl. Pajajaran No. 5, Bogor".to_string(),
            phone: "0812-3456-7890".to_string(),
            email: "warga@example.com".to_string(),
            nik: Nik::parse("3271011408850003").ok(),
            rahasia: false,
        },
        service: "KTP-el".to_string(),
        what_happened: "KTP-el belum jadi setelah tiga bulan.".to_string(),
        happened_on: NaiveDate::from_ymd_opt(2026, 11, 2),
        shortfall: "Melewati standar waktu 14 hari.".to_string(),
        remedy: "KTP-el segera dicetak.".to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_every_state_has_no_axe_violations() {
    let started = std::time::Instant::now();
    let app = TestApp::spawn().await;
    let store = app.state().store;
    let op = || Who::new("loket-op", "127.0.0.1");
    let officer = || Who::new("petugas", "127.0.0.1");
    app.create_user("kepala", &[Role::Admin, Role::Operator])
        .await;
    app.create_user("petugas", &[Role::ComplaintOfficer]).await;
    app.create_user("budi", &[Role::Operator]).await;

    // Tickets in each state: A-001 served and finished, A-002 a no-show, A-003 called at
    // counter 1; B-001 called at counter 2 (served later); A-004 next, A-005 waiting; C-001
    // is called while the board is open.
    for s in ["A", "A", "A", "B", "A", "A", "C"] {
        app.issue(s, false).await;
    }
    for o in [CounterOp::CallNext, CounterOp::Serve] {
        store.counter_op(1, o, op()).await.expect("counter");
    }
    app.clock.advance(Duration::minutes(12));
    store
        .counter_op(1, CounterOp::Finish, op())
        .await
        .expect("finish");
    app.call_next(1).await;
    app.op(1, "no-show", None).await;
    app.clock.advance(Duration::minutes(3));
    app.call_next(1).await;
    app.call_next(2).await;

    // A complaint from ticket 1 with two attachments, and one from a letter; two working
    // days on, their step 3 is overdue.
    let first = store
        .open_complaint(
            complaint(Source::Ticket(1), Level::Menengah, "Siti Aminah"),
            officer(),
        )
        .await
        .expect("open");
    store
        .open_complaint(
            complaint(
                Source::Channel(Channel::Letter),
                Level::Kecil,
                "Budi Santoso",
            ),
            officer(),
        )
        .await
        .expect("open");
    let mut letter = b"%PDF-1.7\n".to_vec();
    letter.resize(20_000, b' ');
    let mut photo = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    photo.resize(40_000, 0);
    for bytes in [letter, photo] {
        store
            .attach_to_complaint(
                first.seq(),
                common::staged(&app.data_dir, &bytes),
                officer(),
            )
            .await
            .expect("attach");
    }

    let mut report = Report::default();
    // Autoplay blocked, as on a board nobody has touched: the sound prompt shows.
    let b = Browser::start_with(
        1080,
        1920,
        &[
            "--hide-scrollbars",
            "--autoplay-policy=document-user-activation-required",
        ],
    )
    .await;

    // The kiosk, portrait then landscape: open, the number's overlay, a refusal's overlay.
    for (w, h, tag) in [(1080, 1920, "portrait"), (1366, 768, "landscape")] {
        b.resize(w, h).await;
        app.clock.set(wib(2026, 11, 30, 9, 30));
        b.goto(&app.url("/kiosk")).await;
        report.check(&b, &format!("kiosk {tag} open")).await;
        b.click("button[data-service='B']").await;
        shows(&b, "#r-number", "B-").await;
        report
            .check(&b, &format!("kiosk {tag} number overlay"))
            .await;
        assert!(
            visible(&b, "result").await,
            "the overlay stayed up while checked"
        );
        b.click("#result .close").await;
        app.clock.set(wib(2026, 11, 30, 16, 0));
        b.click("button[data-service='A']").await;
        shows(&b, "#e-message", "tutup").await;
        report
            .check(&b, &format!("kiosk {tag} refusal overlay"))
            .await;
        assert!(
            visible(&b, "error").await,
            "the overlay stayed up while checked"
        );
        b.goto(&app.url("/kiosk")).await;
        report
            .check(&b, &format!("kiosk {tag} closed after hours"))
            .await;
    }

    // The board: idle, then a call flashing (held at its brightest) with the sound prompt.
    app.clock.set(wib(2026, 11, 30, 9, 40));
    b.resize(1920, 1080).await;
    b.goto(&app.url("/display")).await;
    shows(&b, "#counter-2 .number", "B-001").await;
    report.check(&b, "display idle").await;
    app.call_next(3).await;
    shows(&b, "#counter-3 .number", "C-001").await;
    // Held at the keyframe's middle (its brightest) through the Web Animations API: the
    // real keyframes, at an exact time, however late a busy machine runs this script (the
    // flash is restarted first, in case its six blinks are over already).
    let held = b
        .script(
            "var el = document.getElementById('counter-3');\
             el.classList.remove('flash'); void el.offsetWidth; el.classList.add('flash');\
             var anims = document.getAnimations().filter(function (a) {\
               return a.animationName === 'flash' || a.animationName === 'flash-text'; });\
             anims.forEach(function (a) { a.pause(); a.currentTime = 250; });\
             return anims.length;",
        )
        .await;
    assert!(
        held.as_u64().is_some_and(|n| n >= 3),
        "the box, its name and its number flash: {held}"
    );
    assert_eq!(
        b.script("return document.getElementById('counter-3').classList.contains('flash');")
            .await,
        json!(true),
        "counter 3 flashes"
    );
    shows(&b, "#sound", "Sentuh layar").await;
    report.check(&b, "display flashing, sound prompt").await;

    // The ticket's page on a phone, in each state; the tracking pages.
    app.clock.set(wib(2026, 11, 30, 9, 45));
    store
        .counter_op(2, CounterOp::Serve, op())
        .await
        .expect("serve");
    b.resize(390, 844).await;
    for (id, state) in [
        (1, "done"),
        (2, "no-show"),
        (3, "called"),
        (4, "serving"),
        (5, "next"),
        (6, "waiting"),
        (999, "unknown"),
    ] {
        b.goto(&app.url(&format!("/t/{id}"))).await;
        report.check(&b, &format!("/t/{id} {state}")).await;
    }
    // The finished ticket opened from its QR code: the phone survey.
    let k = loket::survey::link::LinkKey::load_or_create(&app.data_dir)
        .expect("survey key")
        .tag(loket::survey::link::Purpose::Ticket, 1);
    b.goto(&app.url(&format!("/t/1?k={k}"))).await;
    shows(&b, "#survey", "Kirim penilaian").await;
    report.check(&b, "/t/{id} survey form").await;
    b.goto(&app.url("/t/1?k=0000000000000000")).await;
    report.check(&b, "/t/{id} survey, wrong key").await;

    // The exit tablet: start, a refused number, the profile, an element, the suggestion and
    // the thanks.
    b.resize(1280, 800).await;
    b.goto(&app.url("/survei")).await;
    report.check(&b, "/survei start").await;
    b.click("button[name=tekan][value=A]").await;
    b.click("button[name=tekan][value=\"9\"]").await;
    b.click("button[name=aksi][value=cari]").await;
    shows(&b, "#message", "tidak ditemukan").await;
    report.check(&b, "/survei unknown number").await;
    b.click("button[name=tekan][value=A]").await;
    b.click("button[name=tekan][value=\"1\"]").await;
    b.click("button[name=aksi][value=cari]").await;
    shows(&b, "main", "Tentang Anda").await;
    report.check(&b, "/survei profile").await;
    b.click("button[name=aksi][value=lewati]").await;
    shows(&b, ".where", "Pertanyaan 1 dari 9").await;
    report.check(&b, "/survei element").await;
    // Varied answers and a suggestion: the survey report's chart and tables below.
    for (n, score) in (1..=9).zip([4, 3, 2, 4, 3, 4, 4, 3, 2]) {
        shows(&b, ".where", &format!("Pertanyaan {n} dari 9")).await;
        b.click(&format!("button[name=jawab][value=\"{score}\"]"))
            .await;
    }
    shows(&b, "main", "Saran untuk kami").await;
    b.fill("#saran", "Mohon tambah kursi di ruang tunggu.")
        .await;
    report.check(&b, "/survei suggestion").await;
    b.click("button[name=aksi][value=kirim]").await;
    shows(&b, "main", "Terima kasih!").await;
    report.check(&b, "/survei thanks").await;
    // A device that is not one of the survey tablets (an office that lists none): refused.
    let tmp = tempfile::tempdir().expect("tmp");
    let mut phone_only = common::test_config();
    phone_only.survey.tablets.clear();
    let other = TestApp::spawn_in(
        tmp.path(),
        std::sync::Arc::new(loket::clock::FakeClock::new(common::monday_morning())),
        phone_only,
    )
    .await;
    b.goto(&other.url("/survei")).await;
    shows(&b, "main", "bukan tablet survei").await;
    report.check(&b, "/survei not a tablet").await;
    other.stop().await;
    b.resize(390, 844).await;
    b.goto(&app.url(&format!("/t/1?k={k}"))).await;
    shows(&b, "#survey", "sudah diisi").await;
    report.check(&b, "/t/{id} survey answered").await;
    b.goto(&app.url("/lacak")).await;
    report.check(&b, "/lacak").await;
    b.goto(&app.url(&format!("/lacak/{}", first.tracking_code)))
        .await;
    report.check(&b, "/lacak/{code}").await;
    b.goto(&app.url("/lacak/ABCD-EFGH")).await;
    report.check(&b, "/lacak/{unknown}").await;

    // The console at an office PC's screen: the login form, and a failed login.
    b.resize(1366, 768).await;
    b.goto(&app.url("/login")).await;
    report.check(&b, "login").await;
    b.fill("#username", "kepala").await;
    b.fill("#password", "salah").await;
    b.click("button[type=submit]").await;
    shows(&b, "main", "salah").await;
    report.check(&b, "login refused").await;

    // The survey report has the tablet's response above (ticket 1) for its chart, tables
    // and suggestion.

    // The administrator who also works a counter.
    b.login(&app.base, "kepala", TEST_PASSWORD).await;
    b.wait_url("/console").await;
    for (name, path) in [
        ("home (admin, operator)", "/console"),
        ("counter with no-shows", "/console/counter/1"),
        ("users", "/console/users"),
        ("services", "/console/services"),
        ("status", "/console/status"),
        ("password", "/console/password"),
        ("not found", "/console/pengaduan/999"),
        ("queue report", "/console/laporan"),
        ("complaint recap", "/console/laporan/pengaduan"),
        ("survey report", "/console/survei"),
        (
            "survey report, no response",
            "/console/survei?periode=2026-10",
        ),
        (
            "survey report, bad period (400)",
            "/console/survei?periode=2026-T9",
        ),
        (
            "report, reversed range (400)",
            "/console/laporan?dari=2026-12-01&sampai=2026-11-01",
        ),
    ] {
        b.goto(&app.url(path)).await;
        if path == "/console/counter/1" {
            // The no-show list is drawn by the page's script.
            shows(&b, "#no-shows", "A-002").await;
        }
        report.check(&b, name).await;
    }
    b.goto(&app.url("/console/users")).await;
    b.script("document.querySelector('details').open = true; return true;")
        .await;
    report.check(&b, "users, roles opened").await;
    b.click("form[action='/console/users/budi/disable'] button")
        .await;
    b.wait_url("/console/users/budi/disable").await;
    report.check(&b, "users: confirm disabling").await;
    b.goto(&app.url("/console/users")).await;
    b.click("form[action='/console/users/budi/password'] button")
        .await;
    b.wait_url("/console/users/budi/password").await;
    report.check(&b, "users: confirm password reset").await;
    b.click("button.danger").await;
    shows(&b, "p.msg", "Kata sandi diatur ulang").await;
    report.check(&b, "users: generated password").await;
    b.cdp("Network.clearBrowserCookies", json!({})).await;

    // The complaint officer: home with "Langkah saya" (its list is also served alone, as a
    // fragment for the home page's live refresh: not a page, so not checked alone), the register, the intake, a
    // complaint's page with its timeline, actions and attachments, then its identity.
    app.clock.set(wib(2026, 12, 2, 10, 0));
    b.login(&app.base, "petugas", TEST_PASSWORD).await;
    b.wait_url("/console").await;
    let page = format!("/console/pengaduan/{}", first.seq());
    for (name, path) in [
        ("home (complaint officer)", "/console"),
        ("register", "/console/pengaduan"),
        ("complaint intake", "/console/pengaduan/baru"),
        ("complaint page", page.as_str()),
        ("forbidden (403)", "/console/users"),
    ] {
        b.goto(&app.url(path)).await;
        report.check(&b, name).await;
    }
    b.goto(&app.url(&page)).await;
    b.click(&format!("form[action='{page}/identitas'] button"))
        .await;
    shows(&b, "main", "3271011408850003").await;
    report.check(&b, "complaint page, identity shown").await;
    // A form the daemon cannot read: its plain refusal page, as the browser gets it.
    let admin = app.staff("admin-2", &[Role::Admin]).await;
    let refusal = app
        .as_staff(reqwest::Method::POST, "/console/users", &admin)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .expect("refusal");
    assert!(refusal.status().is_client_error(), "{}", refusal.status());
    let html = refusal.text().await.expect("body");
    b.script_with(
        "document.open(); document.write(arguments[0]); document.close(); return true;",
        json!([html]),
    )
    .await;
    report.check(&b, "refused form").await;

    // The kiosk's page for a store that cannot answer: a failing disk is another test's
    // business (disk_failure), so its template is checked as shipped, its one field filled.
    let unavailable = include_str!("../kiosk-ui/unavailable.html").replace(
        "{{ office }}",
        "Dinas Kependudukan dan Pencatatan Sipil Kota Contoh",
    );
    assert!(!unavailable.contains("{{"), "one field only: {unavailable}");
    b.script_with(
        "document.open(); document.write(arguments[0]); document.close(); return true;",
        json!([unavailable]),
    )
    .await;
    report.check(&b, "kiosk: queue unavailable").await;

    // A holiday (last: it starts a new service day): the kiosk and the board say so.
    app.clock.set(wib(2026, 12, 25, 9, 0));
    b.goto(&app.url("/kiosk")).await;
    report
        .check(&b, "kiosk landscape closed on a holiday")
        .await;
    b.resize(1920, 1080).await;
    b.goto(&app.url("/display")).await;
    shows(&b, "#closed", "Kantor tutup").await;
    report.check(&b, "display closed").await;

    // The audit finds what it is for: faint text and a nameless button added to the page.
    b.script(
        "var p = document.createElement('p'); p.textContent = 'Tutup';\
         p.style.cssText = 'color: #9aa5b1; background: #ffffff';\
         var x = document.createElement('button'); document.querySelector('main').append(p, x);\
         return true;",
    )
    .await;
    let caught = violations(&b).await;
    for rule in ["color-contrast (serious)", "button-name (critical)"] {
        assert!(
            caught.iter().any(|v| v.starts_with(rule)),
            "{rule} not found: {caught:#?}"
        );
    }
    b.quit().await;
    app.stop().await;

    let elapsed = started.elapsed();
    eprintln!(
        "axe-core on {} pages and states in {:.1} s",
        report.pages.len(),
        elapsed.as_secs_f64()
    );
    // Every page and state listed in docs/accessibility.md: none skipped on the way.
    assert_eq!(report.pages.len(), 59, "{:?}", report.pages);
    assert!(
        report.found.is_empty(),
        "{} accessibility violations:\n{}",
        report.found.len(),
        report.found.join("\n")
    );
}
