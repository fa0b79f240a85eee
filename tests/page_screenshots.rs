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
    for s in ["A", "A", "A", "A", "A", "B", "C"] {
        app.issue(s, false).await;
    }
    // Loket 1: two no-shows (09.00 and 09.04), then A-003 called at 09.07.
    for minutes in [4, 3] {
        app.call_next(1).await;
        app.op(1, "no-show", None).await;
        app.clock.advance(chrono::Duration::minutes(minutes));
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
    // Served and finished elsewhere: the page's buttons follow without a reload.
    b.goto(&app.url("/console/counter/1")).await;
    app.op(1, "serve", None).await;
    b.wait_text("#current-state", "Sedang dilayani").await;
    std::fs::write(out.join("counter-serving.png"), b.screenshot().await).expect("png");
    app.op(1, "finish", None).await;
    b.wait_text("#current", "—").await;
    b.click(".actions form:first-child button").await;
    b.wait_url("/console/counter/1").await;
    std::fs::write(out.join("counter-after-call.png"), b.screenshot().await).expect("png");
    // A clock a year ahead: the administrator's warning, then the button's confirmation.
    app.clock.set(common::wib(2027, 11, 30, 9, 30));
    b.login(&app.base, "kepala", common::TEST_PASSWORD).await;
    b.wait_url("/console").await;
    std::fs::write(out.join("home-clock-suspect.png"), b.screenshot().await).expect("png");
    b.click("form[action='/console/service-day'] button").await;
    b.wait_url("/console/service-day").await;
    std::fs::write(out.join("service-day-confirm.png"), b.screenshot().await).expect("png");
    b.quit().await;
    app.stop().await;
}

/// The complaint officer's home, a complaint's timeline with an overdue step, the register.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes screenshots for review"]
async fn complaint_pages_at_1366x768() {
    use chrono::{Duration, NaiveDate};
    use loket::audit::Who;
    use loket::clock::Clock;
    use loket::complaint::{Channel, Level};
    use loket::privacy::Nik;
    use loket::queue::CounterOp;
    use loket::store::{Identity, NewComplaint, Source};

    let app = TestApp::spawn().await;
    app.create_user("petugas", &[Role::ComplaintOfficer]).await;
    let store = app.state().store;
    let op = || Who::new("loket-op", "127.0.0.1");
    let issued = store
        .issue("A".to_string(), false, Who::new("kiosk", "127.0.0.1"))
        .await
        .expect("issue");
    for o in [CounterOp::CallNext, CounterOp::Serve] {
        store.counter_op(1, o, op()).await.expect("counter");
    }
    app.clock.set(app.clock.now() + Duration::minutes(25));
    store
        .counter_op(1, CounterOp::Finish, op())
        .await
        .expect("finish");
    let complaint = |source: Source, level: Level, name: &str| {
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
        what_happened: "KTP-el belum jadi setelah tiga bulan; petugas meminta kembali minggu depan tanpa kepastian.".to_string(),
        happened_on: NaiveDate::from_ymd_opt(2026, 11, 2),
        shortfall: "Melewati standar waktu 14 hari.".to_string(),
        remedy: "KTP-el segera dicetak.".to_string(),
    }
    };
    let officer = || Who::new("petugas", "127.0.0.1");
    let first = store
        .open_complaint(
            complaint(
                Source::Ticket(issued.ticket.id),
                Level::Menengah,
                "Siti Aminah Rahmawati",
            ),
            officer(),
        )
        .await
        .expect("open");
    for (i, name) in ["Budi Santoso", "Ahmad Sutrisno", "Dewi Lestari"]
        .iter()
        .enumerate()
    {
        let level = [Level::Kecil, Level::Besar, Level::Kecil][i];
        store
            .open_complaint(
                complaint(Source::Channel(Channel::Letter), level, name),
                officer(),
            )
            .await
            .expect("open");
    }
    // Two working days later: every step 3 is past due.
    app.clock.set(app.clock.now() + Duration::days(2));
    // The letter and a photo the complainant brought, attached to the first complaint.
    let mut letter = b"%PDF-1.7\n".to_vec();
    letter.resize(187_000, b' ');
    let mut photo = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    photo.resize(1_450_000, 0);
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
    // Today's tickets finished at the counter: what the intake form offers.
    for _ in 0..3 {
        store
            .issue("A".to_string(), false, Who::new("kiosk", "127.0.0.1"))
            .await
            .expect("issue");
        for o in [CounterOp::CallNext, CounterOp::Serve] {
            store.counter_op(1, o, op()).await.expect("counter");
        }
        app.clock.set(app.clock.now() + Duration::minutes(9));
        store
            .counter_op(1, CounterOp::Finish, op())
            .await
            .expect("finish");
    }

    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&out).expect("dir");
    let b = Browser::start_with(1366, 768, &["--hide-scrollbars"]).await;
    b.login(&app.base, "petugas", common::TEST_PASSWORD).await;
    b.wait_url("/console").await;
    let page = format!("/console/pengaduan/{}", first.seq());
    for (name, path) in [
        ("complaint-home", "/console"),
        ("complaint-timeline", page.as_str()),
        ("complaint-register", "/console/pengaduan"),
        ("complaint-new", "/console/pengaduan/baru"),
    ] {
        b.goto(&app.url(path)).await;
        std::fs::write(out.join(format!("{name}.png")), b.screenshot().await).expect("png");
    }
    // The lower part of the complaint's page: the action forms.
    b.goto(&app.url(&page)).await;
    b.script("window.scrollTo(0, document.body.scrollHeight)")
        .await;
    std::fs::write(out.join("complaint-actions.png"), b.screenshot().await).expect("png");
    // The attachments: their list and the upload form.
    b.script("document.getElementById('lampiran').scrollIntoView()")
        .await;
    std::fs::write(out.join("complaint-attachments.png"), b.screenshot().await).expect("png");

    // One small complaint walked to step 6 through the API, for the Kepala Dinas' list.
    let api_officer = app.staff("petugas-2", &[Role::ComplaintOfficer]).await;
    let kasubbag = app.staff("kasubbag", &[Role::KasubbagUmum]).await;
    app.create_user("kadis", &[Role::KepalaDinas]).await;
    let small = store
        .open_complaint(
            complaint(
                Source::Channel(Channel::Phone),
                Level::Kecil,
                "Rudi Hartono",
            ),
            officer(),
        )
        .await
        .expect("open")
        .seq();
    let post = |who: &common::StaffSession, body: serde_json::Value| {
        let req = app
            .as_staff(
                reqwest::Method::POST,
                &format!("/api/v1/complaints/{small}/actions"),
                who,
            )
            .json(&body);
        async move {
            let r = req.send().await.expect("act");
            assert_eq!(r.status(), 200, "{:?}", r.text().await);
        }
    };
    post(
        &api_officer,
        serde_json::json!({"step": 3, "version": 1, "kind": "complete"}),
    )
    .await;
    post(
        &kasubbag,
        serde_json::json!({"step": 4, "version": 2, "kind": "complete"}),
    )
    .await;
    post(
        &api_officer,
        serde_json::json!({"step": 5, "version": 3, "kind": "save_draft", "text": "Surat balasan."}),
    )
    .await;
    post(
        &api_officer,
        serde_json::json!({"step": 5, "version": 4, "kind": "complete"}),
    )
    .await;

    // The complaint's page when someone else changed it meanwhile.
    b.goto(&app.url(&page)).await;
    b.wait_text("h1", "Pengaduan").await;
    let other = app
        .as_staff(
            reqwest::Method::POST,
            &format!("/api/v1/complaints/{}/actions", first.seq()),
            &api_officer,
        )
        .json(&serde_json::json!({"step": 3, "version": 1, "kind": "complete"}))
        .send()
        .await
        .expect("act");
    assert_eq!(other.status(), 200);
    b.wait_text("#stale", "telah diperbarui").await;
    std::fs::write(out.join("complaint-stale.png"), b.screenshot().await).expect("png");
    // The citizen's tracking page for it, on a phone.
    b.resize(390, 844).await;
    b.goto(&app.url(&format!("/lacak/{}", first.tracking_code)))
        .await;
    std::fs::write(out.join("lacak-found.png"), b.screenshot().await).expect("png");
    b.quit().await;

    let b = Browser::start_with(1366, 768, &["--hide-scrollbars"]).await;
    b.login(&app.base, "kadis", common::TEST_PASSWORD).await;
    b.wait_url("/console").await;
    std::fs::write(out.join("complaint-home-kepala.png"), b.screenshot().await).expect("png");
    // The reply letter on the small complaint's page: the preview link before signing, the
    // signed letter's number and downloads after.
    let small_page = format!("/console/pengaduan/{small}");
    b.goto(&app.url(&small_page)).await;
    b.script("document.getElementById('surat').scrollIntoView()")
        .await;
    std::fs::write(out.join("complaint-letter-draft.png"), b.screenshot().await).expect("png");
    let (_, kadis) = app.login("kadis", common::TEST_PASSWORD).await;
    post(
        &kadis.expect("kadis session"),
        serde_json::json!({"step": 6, "version": 5, "kind": "approve"}),
    )
    .await;
    b.goto(&app.url(&small_page)).await;
    b.script("document.getElementById('surat').scrollIntoView()")
        .await;
    std::fs::write(
        out.join("complaint-letter-signed.png"),
        b.screenshot().await,
    )
    .expect("png");
    b.quit().await;
    app.stop().await;
}

/// What citizens see: the kiosk portrait (1080×1920) and landscape (1366×768), open with a
/// number on screen and one service closed by its own hours, and closed on a holiday and after
/// hours; the lobby board at 1920×1080, open and closed; the tracking page on a phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes screenshots for review"]
async fn citizen_pages() {
    use common::wib;
    use loket::config::{Config, EMBEDDED_DEFAULT};

    let src = EMBEDDED_DEFAULT.replace(
        "name_en = \"Birth certificate\"",
        "name_en = \"Birth certificate\"\nhours = { monday = [\"13:00-15:00\"] }",
    );
    let mut config = Config::from_toml_str(&src).expect("config");
    config.kiosk.max_tickets_per_minute = 0;
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = std::sync::Arc::new(loket::clock::FakeClock::new(common::monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    for s in ["A", "B", "B", "C", "B"] {
        app.issue(s, false).await;
    }
    app.call_next(2).await;
    app.call_next(1).await;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&out).expect("dir");
    let save = |name: &str, png: Vec<u8>| std::fs::write(out.join(format!("{name}.png")), png);

    // Open first at both sizes, then closed: a holiday starts a new service day.
    let sizes = [(1080, 1920, "portrait"), (1366, 768, "landscape")];
    for (w, h, tag) in sizes {
        let b = Browser::start_with(w, h, &["--hide-scrollbars"]).await;
        b.goto(&app.url("/kiosk")).await;
        save(&format!("kiosk-{tag}-open"), b.screenshot().await).expect("png");
        b.click("button[data-service='B']").await;
        b.wait_text("#r-number", "B-").await;
        save(&format!("kiosk-{tag}-number"), b.screenshot().await).expect("png");
        b.quit().await;
    }
    app.clock.set(wib(2026, 11, 30, 9, 45));
    let b = Browser::start_with(1920, 1080, &["--hide-scrollbars"]).await;
    b.goto(&app.url("/display")).await;
    b.wait_text("#counter-1 .number", "A-001").await;
    save("display-1920-open", b.screenshot().await).expect("png");
    b.quit().await;
    app.clock.set(wib(2026, 11, 30, 9, 50));
    let b = Browser::start_with(390, 844, &["--hide-scrollbars"]).await;
    for (name, id) in [("track-waiting", 4), ("track-called", 1)] {
        b.goto(&app.url(&format!("/t/{id}"))).await;
        save(name, b.screenshot().await).expect("png");
    }
    for (name, path) in [
        ("lacak-form", "/lacak"),
        ("lacak-unknown", "/lacak/AAAA-AAAA-AAAA"),
    ] {
        b.goto(&app.url(path)).await;
        save(name, b.screenshot().await).expect("png");
    }
    b.quit().await;
    for (w, h, tag) in sizes {
        let b = Browser::start_with(w, h, &["--hide-scrollbars"]).await;
        app.clock.set(wib(2026, 11, 30, 16, 0));
        b.goto(&app.url("/kiosk")).await;
        save(&format!("kiosk-{tag}-closed-hours"), b.screenshot().await).expect("png");
        app.walk_clock_to(wib(2026, 12, 25, 9, 0)).await;
        b.goto(&app.url("/kiosk")).await;
        save(&format!("kiosk-{tag}-closed-holiday"), b.screenshot().await).expect("png");
        b.quit().await;
    }
    let b = Browser::start_with(1920, 1080, &["--hide-scrollbars"]).await;
    b.goto(&app.url("/display")).await;
    b.wait_text("#closed", "Kantor tutup").await;
    save("display-1920-closed", b.screenshot().await).expect("png");
    b.quit().await;
    app.stop().await;
}

/// The office head's home ("Hari ini") and the queue report with its charts, after a week of
/// tickets; also the report as it prints (print media emulated).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes screenshots for review"]
async fn report_pages_at_1366x768() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let clock = std::sync::Arc::new(loket::clock::FakeClock::new(common::wib(
        2026, 11, 24, 8, 0,
    )));
    // The lobby display shows the survey's index here (off in the display's own tests).
    let mut config = common::test_config();
    config.survey.show_on_display = true;
    let mut app = TestApp::spawn_in(tmp.path(), clock.clone(), config).await;
    let services = ["B", "C", "D", "B", "A", "C", "B"];
    let elements = loket::config::Config::embedded()
        .expect("config")
        .survey
        .questionnaire
        .elements
        .iter()
        .map(|e| e.id.clone())
        .collect::<Vec<_>>();
    let suggestions = [
        "Ruang tunggu panas, mohon tambah kipas angin.",
        "Petugas ramah dan cepat. Terima kasih.",
        "Persyaratan KK perlu dijelaskan di papan pengumuman <b>sebelum</b> antre.",
        "Parkir motor sempit.",
    ];
    let mut answered = 0usize;
    // Tuesday 24 to Friday 27 November, then Monday 30 (today, live, half done).
    for (d, (day, tickets)) in [(24, 22), (25, 30), (26, 18), (27, 26), (30, 20)]
        .into_iter()
        .enumerate()
    {
        let at = |m: i64| common::wib(2026, 11, day, 8, 0) + chrono::Duration::minutes(m);
        app.walk_clock_to(at(0)).await;
        app.operator = app.staff("loket-op", &[Role::Operator]).await;
        for k in 0..tickets {
            // Arrivals bunch after opening and again before noon.
            let m = (k as i64 * 11 + d as i64 * 3) % 200;
            clock.set(at(m));
            app.issue(services[(k + d) % services.len()], k % 9 == 0)
                .await;
        }
        let mut now = at(205);
        let rounds = if day == 30 { 4 } else { 12 };
        for j in 0..rounds {
            for c in [1u32, 2, 3, 4] {
                clock.set(now);
                app.operator = app.staff("loket-op", &[Role::Operator]).await;
                if app.call_next(c).await.is_none() {
                    continue;
                }
                now += chrono::Duration::minutes(1);
                clock.set(now);
                if (j + c as usize + d).is_multiple_of(7) {
                    app.op(c, "no-show", None).await;
                    continue;
                }
                if c == 2 && (j + d) % 5 == 1 {
                    app.op(c, "transfer", Some(serde_json::json!({"service": "D"})))
                        .await;
                    continue;
                }
                app.op(c, "serve", None).await;
                now += chrono::Duration::minutes(3 + ((j * 5 + c as usize * 3 + d) % 9) as i64);
                clock.set(now);
                let (_, done) = app.op(c, "finish", None).await;
                // About two in three answer the survey; waiting time and facilities score
                // lowest, the staff's behaviour highest.
                if !(j + c as usize + d).is_multiple_of(3) {
                    let id = done["ticket"]["id"].as_u64().expect("ticket id");
                    let k = answered;
                    answered += 1;
                    let scores = elements
                        .iter()
                        .enumerate()
                        .map(|(e, name)| {
                            let base: usize = match name.as_str() {
                                "waktu" | "sarana" => 2,
                                "perilaku" | "biaya" => 4,
                                _ => 3,
                            };
                            let wobble = (k * 7 + e * 3) % 5;
                            let s = match wobble {
                                0 => base.saturating_sub(1).max(1),
                                1 | 2 => (base + 1).min(4),
                                _ => base,
                            };
                            (name.clone(), s as u8)
                        })
                        .collect();
                    let sex = ["Laki-laki", "Perempuan"][k % 2];
                    let age = ["20-29 tahun", "30-39 tahun", "40-49 tahun", "50-59 tahun"][k % 4];
                    let answers = loket::survey::response::Answers {
                        profile: std::collections::BTreeMap::from([
                            ("jenis_kelamin".to_string(), sex.to_string()),
                            ("usia".to_string(), age.to_string()),
                        ]),
                        scores,
                        suggestion: if k.is_multiple_of(6) {
                            suggestions[(k / 6) % suggestions.len()].to_string()
                        } else {
                            String::new()
                        },
                    };
                    app.state()
                        .store
                        .survey_submit(id, answers, loket::survey::response::Channel::Phone)
                        .await
                        .expect("survey response");
                }
            }
        }
    }
    // After the lunch break, while the kiosk is open.
    clock.set(common::wib(2026, 11, 30, 13, 5));
    app.create_user("kepala", &[Role::KepalaDinas, Role::Admin])
        .await;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&out).expect("dir");
    let b = Browser::start_with(1366, 768, &["--hide-scrollbars"]).await;
    b.login(&app.base, "kepala", common::TEST_PASSWORD).await;
    b.wait_url("/console").await;
    std::fs::write(out.join("head-home.png"), b.screenshot().await).expect("png");
    // A ticket issued elsewhere: the block follows without a reload.
    app.issue("B", false).await;
    b.wait_text("#glance-live", "diperbarui").await;
    std::fs::write(out.join("head-home-live.png"), b.screenshot().await).expect("png");
    b.goto(&app.url("/console/laporan")).await;
    for (i, y) in [0, 700, 1400, 2100].into_iter().enumerate() {
        b.script(&format!("window.scrollTo(0, {y});")).await;
        std::fs::write(out.join(format!("report-{i}.png")), b.screenshot().await).expect("png");
    }
    b.goto(&app.url("/console/laporan/pengaduan")).await;
    std::fs::write(out.join("report-complaints.png"), b.screenshot().await).expect("png");
    b.goto(&app.url("/console/survei")).await;
    for (i, y) in [0, 700, 1400, 2100].into_iter().enumerate() {
        b.script(&format!("window.scrollTo(0, {y});")).await;
        std::fs::write(out.join(format!("survey-{i}.png")), b.screenshot().await).expect("png");
    }
    // The published report, for a look at its pages (pdftoppm).
    let head = app.staff("kepala-pdf", &[Role::KepalaDinas]).await;
    let pdf = app
        .as_staff(
            reqwest::Method::GET,
            "/console/survei?periode=2026-T4&format=pdf",
            &head,
        )
        .send()
        .await
        .expect("pdf")
        .bytes()
        .await
        .expect("pdf body");
    std::fs::write(out.join("survey-report.pdf"), &pdf).expect("pdf");
    b.goto(&app.url("/console/laporan")).await;
    b.cdp(
        "Emulation.setEmulatedMedia",
        serde_json::json!({"media": "print"}),
    )
    .await;
    b.resize(1122, 794).await; // A4 landscape at 96 dpi
    std::fs::write(out.join("report-print.png"), b.screenshot().await).expect("png");
    b.goto(&app.url("/console/survei")).await;
    b.resize(794, 1122).await; // A4 portrait at 96 dpi
    std::fs::write(out.join("survey-print.png"), b.screenshot().await).expect("png");
    b.quit().await;
    let b = Browser::start_with(1920, 1080, &["--hide-scrollbars"]).await;
    b.goto(&app.url("/display")).await;
    b.wait_text("#ikm", "Indeks").await;
    std::fs::write(out.join("display-1920-ikm.png"), b.screenshot().await).expect("png");
    b.quit().await;
    app.stop().await;
}

/// The satisfaction survey as citizens meet it: on a phone (375×667) after a finished
/// ticket, from the top, mid-way, the suggestion, a form sent back incomplete and the
/// thanks; and the exit tablet (1280×800): start, a refused number, the profile, an element,
/// the suggestion, the thanks, and the page any other device gets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes screenshots for review"]
async fn survey_pages() {
    use loket::survey::link::{LinkKey, Purpose};

    let app = TestApp::spawn().await;
    for _ in 0..2 {
        app.issue("A", false).await;
        app.call_next(1).await;
        app.op(1, "serve", None).await;
        app.op(1, "finish", None).await;
    }
    app.issue("A", false).await;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&out).expect("dir");
    let save = |name: &str, png: Vec<u8>| std::fs::write(out.join(format!("{name}.png")), png);
    let key = LinkKey::load_or_create(&app.data_dir).expect("key");

    let b = Browser::start_with(375, 667, &["--hide-scrollbars"]).await;
    b.goto(&app.url(&format!("/t/1?k={}", key.tag(Purpose::Ticket, 1))))
        .await;
    save("survey-phone-top", b.screenshot().await).expect("png");
    b.script("document.getElementById('q1').scrollIntoView(); return true;")
        .await;
    b.click("input[name=\"u.persyaratan\"][value=\"3\"]").await;
    save("survey-phone-question", b.screenshot().await).expect("png");
    b.script("document.querySelector('.saran').scrollIntoView(); return true;")
        .await;
    save("survey-phone-suggestion", b.screenshot().await).expect("png");
    // Sent with one question left out (the browser's own check switched off): the form
    // comes back, the message first.
    b.script(
        "document.querySelectorAll('.choices').forEach(function (c, i) { if (i !== 3) c.querySelector('input[value=\"4\"]').checked = true; });\
         var f = document.getElementById('survey-form'); f.noValidate = true; f.submit(); return true;",
    )
    .await;
    b.wait_text("#survey-error", "belum dijawab").await;
    save("survey-phone-incomplete", b.screenshot().await).expect("png");
    b.script("document.getElementById('q4').scrollIntoView(); return true;")
        .await;
    save("survey-phone-missing-question", b.screenshot().await).expect("png");
    b.script(
        "document.querySelectorAll('.choices').forEach(function (c) { c.querySelector('input[value=\"4\"]').checked = true; });\
         document.getElementById('survey-form').submit(); return true;",
    )
    .await;
    b.wait_text("#survey", "Terima kasih!").await;
    save("survey-phone-thanks", b.screenshot().await).expect("png");
    b.goto(&app.url("/t/3")).await;
    save("survey-phone-waiting-ticket", b.screenshot().await).expect("png");
    b.quit().await;

    let b = Browser::start_with(1280, 800, &["--hide-scrollbars"]).await;
    b.goto(&app.url("/survei")).await;
    save("survey-tablet-start", b.screenshot().await).expect("png");
    b.click("button[name=tekan][value=A]").await;
    b.click("button[name=tekan][value=\"3\"]").await;
    b.click("button[name=aksi][value=cari]").await;
    b.wait_text("main", "belum selesai").await;
    save("survey-tablet-refused", b.screenshot().await).expect("png");
    b.click("button[name=tekan][value=A]").await;
    b.click("button[name=tekan][value=\"2\"]").await;
    save("survey-tablet-typed", b.screenshot().await).expect("png");
    b.click("button[name=aksi][value=cari]").await;
    b.wait_text("main", "Tentang Anda").await;
    b.click("input[name=\"p.usia\"][value=\"30-39 tahun\"] + span")
        .await;
    save("survey-tablet-profile", b.screenshot().await).expect("png");
    b.click("button[name=aksi][value=lanjut]").await;
    for n in 1..=9 {
        b.wait_text(".where", &format!("Pertanyaan {n} dari 9"))
            .await;
        if n == 1 || n == 7 || n == 8 {
            save(&format!("survey-tablet-element-{n}"), b.screenshot().await).expect("png");
        }
        b.click("button[name=jawab][value=\"3\"]").await;
    }
    b.wait_text("main", "Saran untuk kami").await;
    b.fill("#saran", "Ruang tunggu agak panas pada siang hari.")
        .await;
    save("survey-tablet-suggestion", b.screenshot().await).expect("png");
    b.click("button[name=aksi][value=kirim]").await;
    b.wait_text("main", "Terima kasih!").await;
    save("survey-tablet-thanks", b.screenshot().await).expect("png");
    app.stop().await;

    // Any device that is not a survey tablet (here: an office that lists none).
    let tmp = tempfile::tempdir().expect("tmp");
    let mut phone_only = common::test_config();
    phone_only.survey.tablets.clear();
    let app = TestApp::spawn_in(
        tmp.path(),
        std::sync::Arc::new(loket::clock::FakeClock::new(common::monday_morning())),
        phone_only,
    )
    .await;
    b.goto(&app.url("/survei")).await;
    b.wait_text("main", "bukan tablet survei").await;
    save("survey-tablet-not-a-tablet", b.screenshot().await).expect("png");
    // Most who meet it hold a phone.
    b.resize(375, 667).await;
    b.goto(&app.url("/survei")).await;
    b.wait_text("main", "bukan tablet survei").await;
    save("survey-not-a-tablet-phone", b.screenshot().await).expect("png");
    b.quit().await;
    app.stop().await;
}
