//! The console's words are the office's own: one-time messages come from the server after an
//! action, never from the address bar; the menu shows each role only what it may open.

mod common;

use common::{StaffSession, TestApp};
use loket::auth::Role;
use reqwest::Method;

async fn page(app: &TestApp, path: &str, who: &StaffSession) -> (u16, String) {
    let r = app
        .as_staff(Method::GET, path, who)
        .send()
        .await
        .expect("page");
    (r.status().as_u16(), r.text().await.expect("html"))
}

#[tokio::test]
async fn a_link_cannot_put_words_into_the_console() {
    let app = TestApp::spawn().await;
    let op = app.operator.clone();
    let forged = "Kantor%20ditutup%2C%20transfer%20biaya%20ke%20rekening%20123";
    for path in [
        format!("/console?ok={forged}"),
        format!("/console/counter/1?err={forged}"),
        format!("/console/password?ok={forged}"),
    ] {
        let (status, html) = page(&app, &path, &op).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !html.contains("rekening 123"),
            "{path} shows words from the URL"
        );
        assert!(!html.contains("class=\"msg"), "{path} shows a message");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_action_s_message_is_shown_once_to_the_session_that_acted() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    let op = app.operator.clone();
    let other = app.staff("sari", &[Role::Operator]).await;
    let r = app
        .as_staff(Method::POST, "/console/counter/1/call-next", &op)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf=x")
        .send()
        .await
        .expect("call");
    assert_eq!(r.status(), 303);
    let to = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(to, "/console/counter/1", "no message in the address");

    // Another staff member's page does not get it.
    let (_, html) = page(&app, &to, &other).await;
    assert!(!html.contains("A-001: Dipanggil"), "{html}");
    let (_, html) = page(&app, &to, &op).await;
    assert!(
        html.contains("<p class=\"msg ok\" role=\"status\">A-001: Dipanggil</p>"),
        "{html}"
    );
    let (_, html) = page(&app, &to, &op).await;
    assert!(!html.contains("A-001: Dipanggil</p>"), "shown once: {html}");

    // A refusal is a message too, of the error kind.
    let r = app
        .as_staff(Method::POST, "/console/counter/1/call-next", &op)
        .send()
        .await
        .expect("call");
    assert_eq!(r.status(), 303);
    let (_, html) = page(&app, &to, &op).await;
    assert!(
        html.contains("<p class=\"msg err\" role=\"status\">Loket 1 masih menangani A-001."),
        "{html}"
    );
    app.stop().await;
}

/// The menu's links, in order.
fn menu(html: &str) -> Vec<String> {
    let Some(nav) = html
        .split("<nav")
        .nth(1)
        .and_then(|n| n.split("</nav>").next())
    else {
        return Vec::new();
    };
    nav.split("<a href=\"")
        .skip(1)
        .filter_map(|a| a.split('"').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_menu_shows_each_role_what_it_may_open_and_names_the_office() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "ops",
            vec![Role::Operator],
            vec!["/console", "/console/status", "/console/password"],
        ),
        (
            "cs",
            vec![Role::CustomerService],
            vec!["/console", "/console/status", "/console/password"],
        ),
        (
            "kadis",
            vec![Role::KepalaDinas],
            vec![
                "/console",
                "/console/laporan",
                "/console/survei",
                "/console/pengaduan",
                "/console/password",
            ],
        ),
        (
            "pengaduan",
            vec![Role::ComplaintOfficer],
            vec![
                "/console",
                "/console/pengaduan",
                "/console/pengaduan/baru",
                "/console/password",
            ],
        ),
        (
            "root",
            vec![Role::Admin],
            vec![
                "/console",
                "/console/laporan",
                "/console/survei",
                "/console/status",
                "/console/users",
                "/console/services",
                "/console/password",
            ],
        ),
    ];
    for (name, roles, want) in cases {
        let who = app.staff(name, &roles).await;
        let (status, html) = page(&app, "/console", &who).await;
        assert_eq!(status, 200);
        assert_eq!(menu(&html), want, "{name}");
        assert!(
            html.contains("Dinas Kependudukan dan Pencatatan Sipil"),
            "the office's name heads every page"
        );
        assert!(
            html.contains("<a href=\"/console\" aria-current=\"page\">Beranda</a>"),
            "{html}"
        );
        // Counter cards only for who may open a counter (operators, and Customer Service,
        // who calls the complainant's number in the SOP's step 2).
        assert_eq!(
            html.contains("href=\"/console/counter/1\""),
            roles.contains(&Role::Operator) || roles.contains(&Role::CustomerService),
            "{name}: counter cards"
        );
        // Every link in the menu opens for this role.
        for path in &want {
            let (status, _) = page(&app, path, &who).await;
            assert_eq!(status, 200, "{name} {path}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_administrator_is_warned_when_the_holiday_files_run_out() {
    // 30 November 2026: the shipped files end on 31 December, 31 days ahead.
    let app = TestApp::spawn().await;
    let admin = app.staff("root", &[Role::Admin]).await;
    let (_, html) = page(&app, "/console", &admin).await;
    assert!(
        html.contains("Kalender kerja: data hari libur berakhir 31-12-2026"),
        "{html}"
    );
    // Others cannot act on it and are not bothered with it.
    let (_, html) = page(&app, "/console", &app.operator).await;
    assert!(!html.contains("Kalender kerja"), "{html}");
    app.stop().await;

    // Early in the year the files reach far enough: no warning.
    let tmp = tempfile::tempdir().expect("tmp");
    let clock = std::sync::Arc::new(loket::clock::FakeClock::new(common::wib(2026, 3, 2, 9, 0)));
    let app = TestApp::spawn_in(tmp.path(), clock, common::test_config()).await;
    let admin = app.staff("root", &[Role::Admin]).await;
    let (status, html) = page(&app, "/console", &admin).await;
    assert_eq!(status, 200);
    assert!(!html.contains("Kalender kerja"), "{html}");
    app.stop().await;
}
