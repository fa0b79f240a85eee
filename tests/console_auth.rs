//! The staff console on an office LAN: who may call what (every route × every role), CSRF,
//! login lockout per desk, session expiry and logout, escaping of stored text, the kiosk's per-client
//! limit, and the audit log's hash chain.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Duration;
use common::{StaffSession, TEST_PASSWORD, TestApp, monday_morning, test_config};
use loket::auth::{ALL_ROLES, Role};
use loket::clock::FakeClock;
use loket::web::{Access, routes};
use reqwest::Method;
use serde_json::{Value, json};

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{op}", "recall")
        .replace("{name}", "nobody")
}

async fn status_of(app: &TestApp, method: &Method, path: &str, who: Option<&StaffSession>) -> u16 {
    let req = match who {
        Some(s) => app.as_staff(method.clone(), path, s),
        None => app.client.request(method.clone(), app.url(path)),
    };
    req.send().await.expect("request").status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_table_says() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    let mut sessions: HashMap<Role, StaffSession> = HashMap::new();
    for role in ALL_ROLES {
        let name = format!("u-{}", role.as_str().replace('_', "-"));
        sessions.insert(role, app.staff(&name, &[role]).await);
    }
    let mut checked = 0;
    for spec in routes() {
        let path = concrete(spec.path);
        let page = !path.starts_with("/api/") && path != "/healthz";
        // Anonymous.
        let s = status_of(&app, &spec.method, &path, None).await;
        match spec.access {
            // The test's client is 127.0.0.1, the box itself: a survey tablet by default.
            Access::Public | Access::SurveyTablet => assert!(
                s != 401 && s != 403,
                "{} {path}: public, got {s}",
                spec.method
            ),
            _ if page && spec.method == Method::GET => {
                assert_eq!(s, 303, "{} {path}: to the login page", spec.method)
            }
            _ => assert_eq!(s, 401, "{} {path}: anonymous", spec.method),
        }
        for role in ALL_ROLES {
            let allowed = match spec.access {
                Access::Public | Access::Staff | Access::SurveyTablet => true,
                Access::Roles(roles) => roles.contains(&role),
            };
            // Logging out ends the session: use a throwaway one.
            let session = if path == "/logout" {
                app.staff(&format!("x-{}", role.as_str().replace('_', "-")), &[role])
                    .await
            } else {
                sessions[&role].clone()
            };
            let s = status_of(&app, &spec.method, &path, Some(&session)).await;
            if allowed {
                assert!(
                    s != 401 && s != 403,
                    "{} {path} as {role}: allowed, got {s}",
                    spec.method
                );
            } else {
                assert_eq!(s, 403, "{} {path} as {role}", spec.method);
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 28 * ALL_ROLES.len(),
        "the whole table: {checked}"
    );
    app.stop().await;
}

#[tokio::test]
async fn cross_site_and_unproven_posts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    let op = app.operator.clone();
    let host = app.base.trim_start_matches("http://").to_string();
    let call = |origin: Option<&str>, fetch_site: Option<&str>, token: Option<&str>| {
        let mut r = app
            .client
            .post(app.url("/api/v1/counters/1/call-next"))
            .header("cookie", &op.cookie);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(f) = fetch_site {
            r = r.header("sec-fetch-site", f);
        }
        if let Some(t) = token {
            r = r.header("x-csrf-token", t);
        }
        r
    };
    for (origin, site, token) in [
        (Some("http://evil.example"), Some("cross-site"), None),
        (Some("http://evil.example"), None, Some(op.csrf.as_str())),
        (None, Some("same-site"), None),
        (None, None, None),
        (None, None, Some("wrong-token")),
    ] {
        let r = call(origin, site, token).send().await.expect("request");
        assert_eq!(r.status().as_u16(), 403, "{origin:?} {site:?} {token:?}");
    }
    assert_eq!(
        app.queue().await["services"][0]["waiting"],
        1,
        "nothing called"
    );

    // The public kiosk endpoint refuses a cross-site post too, and takes no number.
    let r = app
        .client
        .post(app.url("/api/v1/tickets"))
        .header("origin", "http://evil.example")
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"service": "A"}))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.health().await["store"]["tickets_today"], 1);

    // Our own page's request passes.
    let r = call(Some(&format!("http://{host}")), Some("same-origin"), None)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    app.stop().await;
}

/// A login from another source address on this machine (Linux routes all of 127/8 to the
/// loopback device): another desk on the office LAN.
async fn login_from(app: &TestApp, from: &str, name: &str, password: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .local_address(from.parse::<std::net::IpAddr>().expect("ip"))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={name}&password={password}"))
        .send()
        .await
        .expect("login");
    (r.status().as_u16(), r.text().await.expect("page"))
}

async fn audit_len(app: &TestApp) -> usize {
    app.state()
        .store
        .audit_entries()
        .await
        .expect("audit")
        .len()
}

#[tokio::test]
async fn failures_lock_one_desk_out_of_one_account_not_the_staff_elsewhere() {
    let app = TestApp::spawn().await;
    app.create_user("budi", &[Role::Operator]).await;
    app.create_user("siti", &[Role::Operator]).await;
    let attacker = "127.0.0.2";
    for _ in 0..5 {
        let (s, _) = login_from(&app, attacker, "budi", "salah-sekali-123").await;
        assert_eq!(s, 401);
    }
    let (s, page) = login_from(&app, attacker, "budi", TEST_PASSWORD).await;
    assert_eq!(s, 429, "locked at that desk even with the right password");
    assert!(
        page.contains("Terlalu banyak percobaan masuk yang gagal"),
        "{page}"
    );
    // The real Budi, at his own desk, and Siti at the attacker's: both get in.
    assert_eq!(app.login("budi", TEST_PASSWORD).await.0, 303);
    assert_eq!(
        login_from(&app, attacker, "siti", TEST_PASSWORD).await.0,
        303
    );

    // A flood while locked: answered, and written to the audit log once.
    let before = audit_len(&app).await;
    for _ in 0..300 {
        assert_eq!(
            login_from(&app, attacker, "budi", "salah-sekali-123")
                .await
                .0,
            429
        );
    }
    assert!(
        audit_len(&app).await - before <= 1,
        "the audit log grew by {} records",
        audit_len(&app).await - before
    );

    app.clock.advance(Duration::minutes(16));
    assert_eq!(
        login_from(&app, attacker, "budi", TEST_PASSWORD).await.0,
        303
    );
    app.stop().await;
}

#[tokio::test]
async fn one_host_guessing_many_names_is_locked_and_the_log_stays_small() {
    let app = TestApp::spawn().await;
    app.create_user("budi", &[Role::Operator]).await;
    let attacker = "127.0.0.3";
    let before = audit_len(&app).await;
    let mut refused = 0;
    for i in 0..200 {
        match login_from(&app, attacker, &format!("tebak{i}"), "salah-sekali-123")
            .await
            .0
        {
            401 => {}
            429 => refused += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!(refused, 200 - loket::auth::MAX_ADDRESS_FAILURES);
    let grown = audit_len(&app).await - before;
    assert!(
        grown <= loket::auth::MAX_ADDRESS_FAILURES + 1,
        "200 guesses wrote {grown} audit records"
    );
    assert_eq!(
        app.login("budi", TEST_PASSWORD).await.0,
        303,
        "another desk"
    );
    app.stop().await;
}

#[tokio::test]
async fn sessions_expire_when_idle_survive_a_restart_and_end_at_logout() {
    let app = TestApp::spawn().await;
    let op = app.operator.clone();
    let get =
        |app: &TestApp, s: &StaffSession| app.as_staff(Method::GET, "/api/v1/printer", s).send();
    assert_eq!(get(&app, &op).await.expect("r").status(), 200);
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        get(&app, &op).await.expect("r").status(),
        200,
        "activity keeps it"
    );
    let app = app.restart().await;
    assert_eq!(
        get(&app, &op).await.expect("r").status(),
        200,
        "kept across a restart"
    );
    app.clock.advance(Duration::minutes(31));
    assert_eq!(
        get(&app, &op).await.expect("r").status(),
        401,
        "idle too long"
    );

    // Absolute limit: active every 20 minutes, still ends after 12 hours.
    let s = app.staff("rina", &[Role::Operator]).await;
    for _ in 0..36 {
        app.clock.advance(Duration::minutes(20));
        assert_eq!(get(&app, &s).await.expect("r").status(), 200);
    }
    app.clock.advance(Duration::minutes(20));
    assert_eq!(
        get(&app, &s).await.expect("r").status(),
        401,
        "absolute limit"
    );

    let s = app.staff("dewi", &[Role::Operator]).await;
    let r = app
        .as_staff(Method::POST, "/logout", &s)
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    assert_eq!(get(&app, &s).await.expect("r").status(), 401, "logged out");
    app.stop().await;
}

/// An NTP correction of an hour backwards logs nobody out; idle time counts on from the
/// corrected clock.
#[tokio::test]
async fn a_clock_set_back_an_hour_keeps_every_session() {
    let app = TestApp::spawn().await;
    let get =
        |app: &TestApp, s: &StaffSession| app.as_staff(Method::GET, "/api/v1/printer", s).send();
    let rina = app.staff("rina", &[Role::Operator]).await;
    let dewi = app.staff("dewi", &[Role::Admin]).await;
    app.clock.advance(Duration::minutes(5));
    for s in [&app.operator, &rina, &dewi] {
        assert_eq!(get(&app, s).await.expect("r").status(), 200);
    }
    app.clock.advance(-Duration::hours(1));
    for s in [&app.operator, &rina, &dewi] {
        assert_eq!(get(&app, s).await.expect("r").status(), 200, "an hour back");
    }
    app.clock.advance(Duration::minutes(25));
    assert_eq!(get(&app, &rina).await.expect("r").status(), 200);
    app.clock.advance(Duration::minutes(31));
    assert_eq!(
        get(&app, &dewi).await.expect("r").status(),
        401,
        "idle since"
    );
    // Found expired, it is gone: setting the clock back again does not revive it.
    app.clock.advance(-Duration::hours(1));
    assert_eq!(
        get(&app, &dewi).await.expect("r").status(),
        401,
        "expired stays expired"
    );
    assert_eq!(get(&app, &rina).await.expect("r").status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn the_session_cookie_is_httponly_strict_and_new_at_each_login() {
    let app = TestApp::spawn().await;
    app.create_user("eko", &[Role::Operator]).await;
    let r = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username=eko&password={TEST_PASSWORD}"))
        .send()
        .await
        .expect("login");
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let (_, second) = app.login("eko", TEST_PASSWORD).await;
    assert_ne!(
        cookie.split(';').next(),
        second.map(|s| s.cookie).as_deref(),
        "a new session id at each login"
    );
    app.stop().await;
}

const PAYLOAD: &str = "<script>alert(1)</script>";
/// The payload as text: `<` and `>` as named or numeric entities (askama writes `&#60;`).
fn shows_escaped(html: &str) -> bool {
    [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
    ]
    .iter()
    .any(|e| html.contains(e))
}

#[tokio::test]
async fn script_payloads_in_every_free_text_field_come_back_escaped_on_every_page() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut config = test_config();
    config.office.name = format!("Dinas {PAYLOAD}");
    config.office.address = format!("Jl. {PAYLOAD}");
    config.services[0].name = PAYLOAD.to_string();
    config.services[0].name_en = PAYLOAD.to_string();
    config.counters[0].name = PAYLOAD.to_string();
    config.display.running_text = PAYLOAD.to_string();
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    app.issue("A", false).await;
    let admin = app.staff("kepala", &[Role::Admin, Role::Operator]).await;
    let r = app
        .as_staff(Method::POST, "/console/users", &admin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "username=budi&display_name={}&role=operator",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E"
        ))
        .send()
        .await
        .expect("add user");
    assert_eq!(r.status(), 200);
    let r = app
        .as_staff(Method::POST, "/console/counter/1/call-next", &admin)
        .send()
        .await
        .expect("call");
    assert_eq!(r.status(), 303);

    let pages = [
        "/kiosk",
        "/display",
        "/t/1",
        "/login?next=%3Cscript%3E",
        "/console",
        "/console/counter/1",
        "/console/users",
        "/console/services",
        "/console/status",
        "/console/password",
    ];
    for page in pages {
        let public =
            page.starts_with("/kiosk") || page.starts_with("/t/") || page.starts_with("/login");
        let req = if public {
            app.client.get(app.url(page))
        } else {
            app.as_staff(Method::GET, page, &admin)
        };
        let html = req.send().await.expect("page").text().await.expect("html");
        assert!(!html.contains("<script>alert"), "{page} echoes raw markup");
        assert!(!html.contains("<script>\n"), "{page}");
        if ![
            "/login?next=%3Cscript%3E",
            "/console/password",
            "/console/status",
        ]
        .contains(&page)
        {
            assert!(shows_escaped(&html), "{page} shows the text, escaped");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn one_address_cannot_drain_the_days_numbers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut config = test_config();
    config.kiosk.max_tickets_per_minute = 20;
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(tmp.path(), clock, config).await;
    let mut ok = 0;
    let mut refused = None;
    for _ in 0..15 {
        let (s, body) = app.issue_raw(json!({"service": "B"})).await;
        match s {
            201 => ok += 1,
            429 => refused = Some(body),
            other => panic!("{other}"),
        }
    }
    assert_eq!(ok, 10, "a burst of half a minute's allowance");
    let body = refused.expect("refused");
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(
        app.health().await["store"]["tickets_today"],
        10,
        "no number consumed"
    );
    app.clock.advance(Duration::seconds(3));
    assert_eq!(app.number("B").await, "B-011");
    app.stop().await;
}

fn loket(args: &[&str], stdin: Option<&str>) -> (i32, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket");
    if let Some(input) = stdin
        && let Some(mut i) = child.stdin.take()
    {
        i.write_all(input.as_bytes()).expect("stdin");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("output");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn the_audit_chain_verifies_and_a_changed_entry_is_named() {
    let app = TestApp::spawn().await;
    app.issue("A", false).await;
    app.call_next(1).await;
    let _ = app.login("loket-op", "salah-salah-salah").await;
    let admin = app.staff("admin2", &[Role::Admin]).await;
    let v: Value = app
        .as_staff(Method::GET, "/api/v1/audit/verify", &admin)
        .send()
        .await
        .expect("verify")
        .json()
        .await
        .expect("json");
    assert_eq!(v["ok"], true, "{v}");
    let entries = app.state().store.audit_entries().await.expect("entries");
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "user_added",
        "login",
        "login_failed",
        "ticket_issued",
        "counter_call_next",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let dir = app.data_dir.clone();
    let data = dir.to_str().expect("utf-8").to_string();
    // While the daemon runs, the CLI says how to go on.
    let (code, out) = loket(&["audit", "verify", "--data", &data], None);
    assert_eq!(code, 1);
    assert!(out.contains("loket is running"), "{out}");
    let _keep = app.stop_keeping_data().await;

    let (code, out) = loket(&["audit", "verify", "--data", &data], None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("chain intact"), "{out}");

    // Someone edits entry 3 in the file.
    {
        use redb::ReadableTable;
        let db = redb::Database::open(dir.join(loket::app::DB_FILE)).expect("db");
        let def: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("audit");
        let txn = db.begin_write().expect("txn");
        {
            let mut t = txn.open_table(def).expect("table");
            let mut e: Value =
                serde_json::from_slice(t.get(3).expect("get").expect("entry 3").value())
                    .expect("json");
            e["actor"] = json!("someone-else");
            let bytes = serde_json::to_vec(&e).expect("json");
            t.insert(3, bytes.as_slice()).expect("insert");
        }
        txn.commit().expect("commit");
    }
    let (code, out) = loket(&["audit", "verify", "--data", &data], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("BROKEN at entry 3"), "{out}");
}

#[tokio::test]
async fn accounts_from_the_command_line() {
    let app = TestApp::spawn().await;
    let dir = app.data_dir.clone();
    let _keep = app.stop_keeping_data().await;
    let data = dir.to_str().expect("utf-8").to_string();
    let (code, out) = loket(
        &[
            "user",
            "add",
            "sari",
            "--role",
            "operator",
            "customer_service",
            "--data",
            &data,
        ],
        None,
    );
    assert_eq!(code, 0, "{out}");
    let password = out
        .rsplit(": ")
        .next()
        .expect("password")
        .trim()
        .to_string();
    assert_eq!(password.len(), 16);
    let (code, _) = loket(
        &["user", "add", "sari", "--role", "operator", "--data", &data],
        None,
    );
    assert_eq!(code, 2, "exists");
    let (code, out) = loket(
        &["user", "add", "x", "--role", "juru-masak", "--data", &data],
        None,
    );
    assert_eq!(code, 2, "{out}");
    let (code, out) = loket(&["user", "list", "--data", &data], None);
    assert_eq!(code, 0);
    assert!(
        out.contains("sari") && out.contains("operator,customer_service"),
        "{out}"
    );
    assert!(out.contains("must change password"), "{out}");
    let (code, out) = loket(
        &["user", "passwd", "sari", "--data", &data],
        Some("pendek\n"),
    );
    assert_eq!(code, 2, "{out}");
    let (code, _) = loket(
        &["user", "passwd", "sari", "--data", &data],
        Some("kata-sandi-baru-99\n"),
    );
    assert_eq!(code, 0);

    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(&dir, clock, test_config()).await;
    let (s, session) = app.login("sari", "kata-sandi-baru-99").await;
    assert_eq!(s, 303);
    let session = session.expect("session");
    let dir = app.data_dir.clone();
    app.stop().await;
    // A password set at the box ends the sessions opened with the old one.
    let (code, _) = loket(
        &["user", "passwd", "sari", "--data", &data],
        Some("kata-sandi-ketiga-77\n"),
    );
    assert_eq!(code, 0);
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(&dir, clock, test_config()).await;
    let r = app
        .as_staff(Method::GET, "/console", &session)
        .send()
        .await
        .expect("console");
    assert_eq!(r.status(), 303, "the old session is gone");
    let (s, session) = app.login("sari", "kata-sandi-ketiga-77").await;
    assert_eq!(s, 303);
    let session = session.expect("session");
    app.stop().await;
    let (code, _) = loket(&["user", "disable", "sari", "--data", &data], None);
    assert_eq!(code, 0);
    // The first start's admin is the only administrator: the box keeps it.
    let (code, out) = loket(&["user", "disable", "admin", "--data", &data], None);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("last active administrator"), "{out}");
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(&dir, clock, test_config()).await;
    assert_eq!(app.login("sari", "kata-sandi-ketiga-77").await.0, 401);
    let r = app
        .as_staff(Method::GET, "/console", &session)
        .send()
        .await
        .expect("console");
    assert_eq!(r.status(), 303, "a disabled account's session is gone");
    app.stop().await;
    let (code, out) = loket(&["user", "enable", "sari", "--data", &data], None);
    assert_eq!(code, 0, "{out}");
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let app = TestApp::spawn_in(&dir, clock, test_config()).await;
    assert_eq!(
        app.login("sari", "kata-sandi-ketiga-77").await.0,
        303,
        "enabled again"
    );
    let audit = app.state().store.audit_entries().await.expect("audit");
    assert!(
        audit
            .iter()
            .any(|e| e.action == "sessions_revoked" && e.actor.starts_with("cli:")),
        "the CLI's revocation is in the audit log"
    );
    // The first start wrote the admin's password, for the owner's eyes only.
    let file = dir.join("initial-admin-password");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&file).expect("file").permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let admin_password = std::fs::read_to_string(&file).expect("read");
    let r = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username=admin&password={}", admin_password.trim()))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/console/password"),
        "the first login must change the password"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_password_change_reset_or_disable_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let here = app.staff("wati", &[Role::Operator]).await;
    let (_, elsewhere) = app.login("wati", TEST_PASSWORD).await;
    let elsewhere = elsewhere.expect("second session");
    let alive = |s: &StaffSession| app.as_staff(Method::GET, "/api/v1/printer", s).send();
    let r = app
        .as_staff(Method::POST, "/console/password", &here)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "current={TEST_PASSWORD}&new=sandi-baru-wati-1&confirm=sandi-baru-wati-1"
        ))
        .send()
        .await
        .expect("change");
    assert_eq!(r.status(), 303);
    assert_eq!(
        alive(&here).await.expect("r").status(),
        200,
        "this session stays"
    );
    assert_eq!(
        alive(&elsewhere).await.expect("r").status(),
        401,
        "the other ends"
    );

    let admin = app.staff("kepala", &[Role::Admin]).await;
    let r = app
        .as_staff(Method::POST, "/console/users/wati/password", &admin)
        .send()
        .await
        .expect("reset");
    assert_eq!(r.status(), 200);
    assert!(
        r.text().await.expect("page").contains("Ya, atur ulang"),
        "one click only asks"
    );
    assert_eq!(
        alive(&here).await.expect("r").status(),
        200,
        "nothing changed before the confirmation"
    );
    let r = confirmed(&app, "/console/users/wati/password", &admin).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        alive(&here).await.expect("r").status(),
        401,
        "a reset ends every session"
    );

    let again = app.staff("wati", &[Role::Operator]).await;
    let r = confirmed(&app, "/console/users/wati/disable", &admin).await;
    assert_eq!(r.status(), 303);
    assert_eq!(alive(&again).await.expect("r").status(), 401);
    app.stop().await;
}

/// A destructive console action, confirmed (`confirm=ya`, as the confirmation page posts).
async fn confirmed(app: &TestApp, path: &str, who: &StaffSession) -> reqwest::Response {
    app.as_staff(Method::POST, path, who)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("confirm=ya")
        .send()
        .await
        .expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_always_keeps_an_enabled_administrator_and_a_disabled_account_comes_back() {
    let app = TestApp::spawn().await;
    let mut a = app.staff("kepala", &[Role::Admin]).await;
    let mut b = app.staff("wakil", &[Role::Admin]).await;
    // The first start's `admin` goes: two administrators are left.
    assert_eq!(
        confirmed(&app, "/console/users/admin/disable", &a)
            .await
            .status(),
        303
    );
    // Each disables the other at the same moment: the store decides in one transaction
    // per batch, so one of them stays.
    for _ in 0..3 {
        let (ra, rb) = tokio::join!(
            confirmed(&app, "/console/users/wakil/disable", &a),
            confirmed(&app, "/console/users/kepala/disable", &b),
        );
        // The loser is refused (303 back to the list with the reason) or, when the other's
        // disable landed first, finds its own session ended (401).
        for r in [&ra, &rb] {
            assert!([303, 401].contains(&r.status().as_u16()), "{}", r.status());
        }
        let users = app.state().store.users().await.expect("users");
        let active: Vec<_> = users
            .iter()
            .filter(|u| u.is_active_admin())
            .map(|u| u.username.as_str())
            .collect();
        assert_eq!(active.len(), 1, "{active:?}");
        // Bring the other back for the next round.
        let (survivor, other) = if active[0] == "kepala" {
            (&a, "wakil")
        } else {
            (&b, "kepala")
        };
        let r = app
            .as_staff(
                Method::POST,
                &format!("/console/users/{other}/enable"),
                survivor,
            )
            .send()
            .await
            .expect("enable");
        assert_eq!(r.status(), 303);
        // Its sessions ended when it was disabled: log in again with the same password.
        let (s, again) = app.login(other, TEST_PASSWORD).await;
        assert_eq!(s, 303, "enabled with the password it had");
        let again = again.expect("session");
        if other == "kepala" {
            a = again;
        } else {
            b = again;
        }
    }
    // The last-admin rule holds for any edit, not only the console's: the store refuses.
    let edit: loket::store::UserEdit = Box::new(|u: &mut loket::auth::User| {
        u.disabled = true;
        Ok(())
    });
    app.state()
        .store
        .edit_user(
            "wakil",
            edit,
            None,
            loket::audit::Who::system(),
            "user_disabled",
        )
        .await
        .expect("kepala remains");
    let edit: loket::store::UserEdit = Box::new(|u: &mut loket::auth::User| {
        u.roles = vec![Role::Operator];
        Ok(())
    });
    let refused = app
        .state()
        .store
        .edit_user(
            "kepala",
            edit,
            None,
            loket::audit::Who::system(),
            "roles_changed",
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(loket::store::OpError::Account(
                loket::store::AccountRefusal::LastAdmin
            ))
        ),
        "{refused:?}"
    );
    let kepala = app.state().store.user("kepala").await.expect("store");
    assert!(kepala.expect("kepala").is_active_admin(), "nothing changed");
    let page = app
        .as_staff(Method::GET, "/console/users", &a)
        .send()
        .await
        .expect("users")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("/console/users/admin/enable"),
        "a disabled account offers enable"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_new_password_must_be_hard_to_guess_and_not_the_temporary_one() {
    let app = TestApp::spawn().await;
    let file = app.data_dir.join("initial-admin-password");
    let first = std::fs::read_to_string(&file).expect("first password");
    let first = first.trim();
    let (s, admin) = app.login("admin", first).await;
    assert_eq!(s, 303);
    let admin = admin.expect("session");
    let change = |new: &str| {
        app.as_staff(Method::POST, "/console/password", &admin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("current={first}&new={new}&confirm={new}"))
            .send()
    };
    for weak in [
        "1234567890",
        "password12",
        "qwertyuiop",
        "admin12345",
        first,
    ] {
        let r = change(weak).await.expect("change");
        assert_eq!(r.status(), 400, "{weak}");
        assert!(file.exists(), "nothing changed");
    }
    let r = change("sepeda-hujan-kopi-42").await.expect("change");
    assert_eq!(r.status(), 303);
    assert!(
        !file.exists(),
        "the first password's file is deleted once changed"
    );
    assert_eq!(app.login("admin", "sepeda-hujan-kopi-42").await.0, 303);
    app.stop().await;
}

#[tokio::test]
async fn customer_service_calls_at_its_counter_and_a_refusal_names_the_role_needed() {
    let app = TestApp::spawn().await;
    let cs = app.staff("cs", &[Role::CustomerService]).await;
    let home = app
        .as_staff(Method::GET, "/console", &cs)
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    assert!(
        home.contains("/console/counter/1"),
        "a counter card: {home}"
    );
    let r = app
        .as_staff(Method::GET, "/console/counter/1", &cs)
        .send()
        .await
        .expect("counter");
    assert_eq!(r.status(), 200);
    app.issue("A", false).await;
    let r = app
        .as_staff(Method::POST, "/api/v1/counters/1/call-next", &cs)
        .send()
        .await
        .expect("call");
    assert_eq!(
        r.status(),
        200,
        "the SOP's step 2: Customer Service calls the number"
    );

    let r = app
        .as_staff(Method::GET, "/console/pengaduan", &cs)
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 403);
    let page = r.text().await.expect("html");
    assert!(page.contains("Peran yang diperlukan"), "{page}");
    assert!(page.contains("Petugas Pengaduan"), "{page}");
    assert!(
        page.contains("<nav"),
        "styled like the rest of the console: {page}"
    );
    let r = app
        .as_staff(Method::GET, "/api/v1/complaints/1", &cs)
        .send()
        .await
        .expect("api");
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Peran yang diperlukan")),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refused_new_account_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let admin = app.staff("kepala", &[Role::Admin]).await;
    let add = |body: &'static str| {
        app.as_staff(Method::POST, "/console/users", &admin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let r = add("username=Budi+Santoso&display_name=Budi+Santoso%2C+S.Kom&role=operator&role=customer_service")
        .await
        .expect("add");
    assert_eq!(r.status(), 400);
    let page = r.text().await.expect("html");
    assert!(page.contains("Nama pengguna harus"), "the reason");
    // The add form, below the list (whose rows tick each account's own roles).
    let page = page.split("Tambah pengguna").nth(1).expect("the add form");
    assert!(page.contains("value=\"Budi Santoso\""), "the name typed");
    assert!(
        page.contains("value=\"Budi Santoso, S.Kom\""),
        "the display name typed"
    );
    assert!(
        page.contains("value=\"operator\" checked"),
        "the roles ticked"
    );
    assert!(page.contains("value=\"customer_service\" checked"));
    assert!(!page.contains("value=\"admin\" checked"));

    let r = add("username=kepala&display_name=Lain&role=operator")
        .await
        .expect("add");
    assert_eq!(r.status(), 409, "the name is taken");
    let page = r.text().await.expect("html");
    assert!(page.contains("Nama pengguna sudah dipakai"), "{page}");
    assert!(page.contains("value=\"Lain\""));
    assert_eq!(
        app.state().store.users().await.expect("users").len(),
        3,
        "admin, loket-op and kepala: nothing added"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_pages_own_background_refresh_does_not_keep_an_idle_session_alive() {
    let app = TestApp::spawn().await;
    let officer = app.staff("petugas", &[Role::ComplaintOfficer]).await;
    let refresh = |background: bool| {
        let mut req = app.as_staff(Method::GET, "/console/langkah", &officer);
        if background {
            req = req.header("x-loket-background", "1");
        }
        req.send()
    };
    app.clock.advance(Duration::minutes(20));
    assert_eq!(refresh(true).await.expect("refresh").status(), 200);
    app.clock.advance(Duration::minutes(20));
    assert_eq!(
        refresh(true).await.expect("refresh").status(),
        303,
        "40 minutes with nobody at the desk: the session ended (to the login page)"
    );

    // A request the officer makes counts as activity.
    let officer = app
        .login("petugas", TEST_PASSWORD)
        .await
        .1
        .expect("session");
    app.clock.advance(Duration::minutes(20));
    let r = app
        .as_staff(Method::GET, "/console/langkah", &officer)
        .send()
        .await
        .expect("refresh");
    assert_eq!(r.status(), 200);
    app.clock.advance(Duration::minutes(20));
    let r = app
        .as_staff(Method::GET, "/console/langkah", &officer)
        .send()
        .await
        .expect("refresh");
    assert_eq!(r.status(), 200, "in use 20 minutes ago");
    app.stop().await;
}
