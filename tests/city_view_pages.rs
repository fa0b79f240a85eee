//! The city view (`loket city serve`, docs/city.md) against a real PostgreSQL: the schema by
//! `loket city init`, three offices by `add-office`, their records sent through the
//! exporter's own insert (`city::export::send`, `Record` values as the daemon makes them),
//! the view's role and accounts by `add-view-role` and `add-viewer`.
//!
//! - The real binary over real HTTP: a page without login goes to the login; a wrong
//!   password is refused in Indonesian; repeated failures are throttled; a kepala kantor
//!   sees only its office, the pimpinan all three; logout ends the session; a database that
//!   goes down gives a 503 page and the view is back once it is; every attempt is in
//!   `loket.viewer_logins`; a bad configuration exits 2 naming the field.
//! - Headless Chromium at 1366×768 on the view run in-process with a fixed clock (Monday
//!   30 November 2026, 10.30 WIB): the login page and "Hari ini" with three offices, one of
//!   them silent since 09.40 (offline). Screenshots in `target/screenshots/city-*.png`.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::browser::Browser;
use common::postgres::Cluster;
use common::wib;
use loket::city::connect::{Target, connect};
use loket::queue::{Change, TicketState, TicketSummary};
use loket::store::OutboxRecord;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DB: &str = "kota";
const OFFICES: [(&str, &str); 3] = [
    ("3271-DUKCAPIL", "loket_dukcapil"),
    ("3271-DPMPTSP", "loket_dpmptsp"),
    ("3271-MPP", "loket_mpp"),
];
/// How the city's pages name each office (`add-office --name`), as a city would.
fn office_name(code: &str) -> &'static str {
    match code {
        "3271-DUKCAPIL" => "Dinas Kependudukan dan Pencatatan Sipil",
        "3271-DPMPTSP" => "DPMPTSP",
        _ => "Mal Pelayanan Publik",
    }
}
const WEB_ROLE: &str = "loket_kota_web";
const PASSWORD: &str = "sepeda-hujan-kopi-42";

fn loket(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .output()
        .expect("run loket")
}

fn ok(out: &std::process::Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

/// The city: schema, three offices, the view's role, three accounts.
fn city() -> Cluster {
    let pg = Cluster::start();
    pg.psql("postgres", &format!("CREATE DATABASE {DB}"));
    let url = pg.admin_url(DB);
    ok(&loket(&["city", "init", "--url", &url]));
    for (code, role) in OFFICES {
        let pw = pg.file(
            &format!("{role}.pw"),
            &format!("{role}-kata-sandi-panjang\n"),
        );
        ok(&loket(&[
            "city",
            "add-office",
            "--url",
            &url,
            "--code",
            code,
            "--name",
            office_name(code),
            "--role",
            role,
            "--office-password-file",
            pw.to_str().expect("path"),
        ]));
    }
    let pw = pg.file("web.pw", "kata-sandi-peran-web-kota\n");
    ok(&loket(&[
        "city",
        "add-view-role",
        "--url",
        &url,
        "--role",
        WEB_ROLE,
        "--role-password-file",
        pw.to_str().expect("path"),
    ]));
    let viewer_pw = pg.file("viewer.pw", &format!("{PASSWORD}\n"));
    let viewer_pw = viewer_pw.to_str().expect("path");
    for (user, role, offices) in [
        ("sekda", "pimpinan", None),
        ("inspektorat", "pengawas", None),
        ("kadisdukcapil", "kepala_kantor", Some("3271-DUKCAPIL")),
        ("teknisi", "admin", None),
    ] {
        let mut args = vec![
            "city",
            "add-viewer",
            "--url",
            &url,
            "--username",
            user,
            "--role",
            role,
            "--viewer-password-file",
            viewer_pw,
        ];
        if let Some(o) = offices {
            args.extend(["--offices", o]);
        }
        ok(&loket(&args));
    }
    pg
}

/// The view's configuration for `pg`, listening on a port the system picks.
fn view_config(pg: &Cluster, extra: &str) -> PathBuf {
    let pw = pg.file("web.pw", "kata-sandi-peran-web-kota\n");
    pg.file(
        "city-view.toml",
        &format!(
            "name = \"Pemerintah Kota Contoh\"\nlisten = [\"127.0.0.1:0\"]\n{extra}\n[database]\nurl = \"{}\"\npassword_file = \"{}\"\nserver_certificate = \"{}\"\n",
            pg.tcp_url(WEB_ROLE, DB),
            pw.display(),
            pg.cert.display()
        ),
    )
}

/// One ticket's day: issued at `at`, then each state in `path` a few minutes apart.
struct Ticket {
    id: u64,
    number: String,
    service: &'static str,
    path: &'static [TicketState],
}

/// The queue changes of `tickets`, as the daemon records them: `Record::TicketEvent` with
/// the change's JSON, one event number per change, in time order.
fn ticket_events(first_at: DateTime<Utc>, gap: i64, tickets: &[Ticket]) -> Vec<OutboxRecord> {
    let mut changes: Vec<(DateTime<Utc>, Change)> = Vec::new();
    for (i, t) in tickets.iter().enumerate() {
        let issued_at = first_at + chrono::Duration::minutes(gap * i as i64);
        let summary = |state: TicketState, counter: Option<u32>| TicketSummary {
            id: t.id,
            number: t.number.clone(),
            service: t.service.to_string(),
            priority: false,
            state,
            state_label: state.label_id(),
            counter,
        };
        changes.push((
            issued_at,
            Change::Issued {
                ticket: summary(TicketState::Waiting, None),
            },
        ));
        for (k, state) in t.path.iter().enumerate() {
            let at = issued_at + chrono::Duration::minutes(3 * (k as i64 + 1));
            let counter = 1 + (t.id % 3) as u32;
            let ticket = summary(*state, Some(counter));
            let change = match state {
                TicketState::Called => Change::Called { counter, ticket },
                TicketState::Serving => Change::Serving { counter, ticket },
                TicketState::Done => Change::Finished { counter, ticket },
                TicketState::NoShow => Change::NoShow { counter, ticket },
                other => panic!("no change for {other:?}"),
            };
            changes.push((at, change));
        }
    }
    changes.sort_by_key(|(at, _)| *at);
    changes
        .into_iter()
        .enumerate()
        .map(|(i, (at, change))| OutboxRecord::TicketEvent {
            event_seq: i as u64 + 1,
            at,
            change: serde_json::to_value(&change).expect("json"),
            from_history: false,
        })
        .collect()
}

fn tickets(prefix: &str, paths: &[&'static [TicketState]]) -> Vec<Ticket> {
    paths
        .iter()
        .enumerate()
        .map(|(i, path)| Ticket {
            id: i as u64 + 1,
            number: format!("{prefix}-{:03}", i + 1),
            service: if prefix == "A" { "A" } else { "B" },
            path,
        })
        .collect()
}

use TicketState::{Called, Done, NoShow, Serving};
const SERVED: &[TicketState] = &[Called, Serving, Done];
const SERVING: &[TicketState] = &[Called, Serving];
const CALLED: &[TicketState] = &[Called];
const WAITING: &[TicketState] = &[];
const GONE: &[TicketState] = &[Called, NoShow];

/// Sends `records` of `office` through the exporter's insert, as the office's own role
/// over TLS with the pinned certificate.
async fn send(pg: &Cluster, office: (&str, &str), records: Vec<OutboxRecord>) {
    let (code, role) = office;
    let pw = pg.file(
        &format!("{role}.pw"),
        &format!("{role}-kata-sandi-panjang\n"),
    );
    let url = pg.tcp_url(role, DB);
    let mut client = connect(&Target {
        url: &url,
        password_file: Some(&pw),
        server_certificate: Some(&pg.cert),
    })
    .await
    .expect("office connects");
    let rows: Vec<(u64, OutboxRecord)> = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as u64 + 1, r))
        .collect();
    loket::city::export::send(&mut client, code, &rows)
        .await
        .expect("sent");
}

/// Monday 30 November 2026 in the three offices (the DPMPTSP's last change at 10.14).
/// Records arrive as they are made: the insert stamps `received_at` with the server's
/// clock, which is not the test's fixed day, so it is set to the record's own time
/// afterwards (as the superuser).
async fn seed_day(pg: &Cluster) {
    let [dukcapil, dpmptsp, mpp] = day_records();
    send(pg, OFFICES[0], dukcapil).await;
    send(pg, OFFICES[1], dpmptsp).await;
    send(pg, OFFICES[2], mpp).await;
    pg.psql(DB, "UPDATE loket.ticket_events SET received_at = at");
}

/// Each office's queue records of the day (see `seed_day`).
fn day_records() -> [Vec<OutboxRecord>; 3] {
    // Dukcapil: 12 tickets from 08.00, one every 12 minutes (the last at 10.12); the Friday
    // before too (not today's).
    let mut dukcapil = ticket_events(
        wib(2026, 11, 27, 9, 0),
        10,
        &tickets("A", &[SERVED, SERVED, GONE]),
    );
    dukcapil.extend(ticket_events(
        wib(2026, 11, 30, 8, 0),
        12,
        &tickets(
            "A",
            &[
                SERVED, SERVED, SERVED, SERVED, SERVED, GONE, SERVED, SERVED, SERVING, WAITING,
                WAITING, WAITING,
            ],
        ),
    ));
    renumber(&mut dukcapil);
    let dpmptsp = ticket_events(
        wib(2026, 11, 30, 8, 50),
        12,
        &tickets(
            "B",
            &[
                SERVED, SERVED, SERVED, SERVED, SERVED, CALLED, WAITING, WAITING,
            ],
        ),
    );
    // The MPP: five tickets from 09.08, the last change at 09.40, then silence.
    let mpp = ticket_events(
        wib(2026, 11, 30, 9, 8),
        8,
        &tickets("B", &[SERVED, SERVED, WAITING, WAITING, WAITING]),
    );
    [dukcapil, dpmptsp, mpp]
}

/// Event numbers run on across days and kinds, as in the office.
fn renumber(records: &mut [OutboxRecord]) {
    for (i, r) in records.iter_mut().enumerate() {
        if let OutboxRecord::TicketEvent { event_seq, .. } = r {
            *event_seq = i as u64 + 1;
        }
    }
}

/// `loket city serve` as a child process; its address read from its log.
struct View {
    child: Child,
    base: String,
}

impl View {
    fn start(config: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
            .args(["city", "serve", "--config"])
            .arg(config)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening addr=").nth(1) {
                    let _ = tx.send(rest.trim().to_string());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the view did not report its address");
        Self {
            child,
            base: format!("http://{addr}"),
        }
    }
}

impl Drop for View {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Logs in; the session cookie (`name=value`) on success, else the status and the body.
async fn login(base: &str, user: &str, password: &str) -> Result<String, (u16, String)> {
    let r = client()
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "username={user}&password={password}&next=/hari-ini"
        ))
        .send()
        .await
        .expect("login");
    let status = r.status().as_u16();
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match (status, cookie) {
        (303, Some(c)) => {
            assert!(
                c.contains("HttpOnly") && c.contains("SameSite=Strict"),
                "{c}"
            );
            Ok(c.split(';').next().unwrap_or_default().to_string())
        }
        _ => Err((status, r.text().await.unwrap_or_default())),
    }
}

async fn get(base: &str, path: &str, cookie: &str) -> (u16, String, String) {
    let r = client()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("get");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, r.text().await.unwrap_or_default())
}

async fn sekda_again(base: &str) -> String {
    login(base, "sekda", PASSWORD).await.expect("logged in")
}

/// The session's token from a page's logout form.
fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("csrf field")
        .to_string()
}

async fn logout(base: &str, cookie: &str, token: &str) -> u16 {
    client()
        .post(format!("{base}/logout"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={token}"))
        .send()
        .await
        .expect("logout")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_logs_in_refuses_throttles_and_keeps_each_to_its_offices() {
    let pg = city();
    let view = View::start(&view_config(&pg, ""));
    let base = &view.base;

    // No session: to the login, with the way back.
    let (status, location, _) = get(base, "/hari-ini", "").await;
    assert_eq!((status, location.as_str()), (303, "/login?next=/hari-ini"));
    let (status, _, body) = get(base, "/login", "").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Nama pengguna") && body.contains("Kata sandi"),
        "{body}"
    );

    // A wrong password, an unknown name: the same refusal, in Indonesian first.
    for user in ["sekda", "tidakada"] {
        let (status, body) = login(base, user, "salah-sekali-123")
            .await
            .expect_err("refused");
        assert_eq!(status, 401);
        assert!(
            body.contains("Nama pengguna atau kata sandi salah."),
            "{body}"
        );
    }

    // Five failures for one account from one address lock it there.
    for _ in 0..4 {
        let (status, _) = login(base, "inspektorat", "salah")
            .await
            .expect_err("refused");
        assert_eq!(status, 401);
    }
    let (status, _) = login(base, "inspektorat", "salah")
        .await
        .expect_err("refused");
    assert_eq!(status, 401);
    let (status, body) = login(base, "inspektorat", PASSWORD)
        .await
        .expect_err("locked");
    assert_eq!(status, 429, "{body}");
    assert!(
        body.contains("Terlalu banyak percobaan masuk yang gagal"),
        "{body}"
    );

    // The kepala kantor sees its office only; the pimpinan sees all three.
    let kadis = login(base, "kadisdukcapil", PASSWORD)
        .await
        .expect("logged in");
    let (status, _, body) = get(base, "/hari-ini", &kadis).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("data-office=\"3271-DUKCAPIL\""), "{body}");
    assert!(
        !body.contains("3271-DPMPTSP") && !body.contains("3271-MPP"),
        "{body}"
    );
    let sekda = login(base, "sekda", PASSWORD).await.expect("logged in");
    let (status, _, body) = get(base, "/hari-ini", &sekda).await;
    assert_eq!(status, 200);
    for (code, _) in OFFICES {
        assert!(body.contains(&format!("data-office=\"{code}\"")), "{code}");
    }
    assert!(body.contains("Hari ini") && body.contains("Keluar (sekda, Pimpinan)"));

    // The database goes down: a page that says so, in Indonesian, 503; back when it is.
    // A logout then still ends the session (sessions are the view's, in memory).
    let kadis_csrf = csrf_of(&get(base, "/hari-ini", &kadis).await.2);
    pg.pause();
    let (status, _, body) = get(base, "/hari-ini", &sekda).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("Basis data kota sedang tidak dapat dihubungi"),
        "{body}"
    );
    let (status, body) = login(base, "kadisdukcapil", PASSWORD)
        .await
        .expect_err("down");
    assert_eq!(status, 503, "{body}");
    assert_eq!(logout(base, &kadis, &kadis_csrf).await, 303);
    pg.resume();
    let (status, _, _) = get(base, "/hari-ini", &sekda).await;
    assert_eq!(status, 200, "reconnected");
    let (status, _, _) = get(base, "/hari-ini", &kadis).await;
    assert_eq!(status, 303, "logged out while the database was down");

    // Logout needs the session's token, then ends the session.
    let csrf = csrf_of(&get(base, "/hari-ini", &sekda).await.2);
    assert_eq!(logout(base, &sekda, "bukan-token").await, 403);
    assert_eq!(logout(base, &sekda, &csrf).await, 303);
    let (status, location, _) = get(base, "/hari-ini", &sekda).await;
    assert_eq!((status, location.as_str()), (303, "/login?next=/hari-ini"));

    // A disabled account's session ends at its next request; enabled again, it logs in.
    let kadis = login(base, "kadisdukcapil", PASSWORD)
        .await
        .expect("logged in");
    assert_eq!(get(base, "/hari-ini", &kadis).await.0, 200);
    let admin_url = pg.admin_url(DB);
    ok(&loket(&[
        "city",
        "disable-viewer",
        "--url",
        &admin_url,
        "--username",
        "kadisdukcapil",
    ]));
    let (status, _, _) = get(base, "/hari-ini", &kadis).await;
    assert_eq!(status, 303);
    let (status, _) = login(base, "kadisdukcapil", PASSWORD)
        .await
        .expect_err("disabled");
    assert_eq!(status, 401);
    ok(&loket(&[
        "city",
        "enable-viewer",
        "--url",
        &admin_url,
        "--username",
        "kadisdukcapil",
    ]));
    let out = loket(&[
        "city",
        "disable-viewer",
        "--url",
        &admin_url,
        "--username",
        "tidakada",
    ]);
    assert_eq!(out.status.code(), Some(2));

    // Accounts are the admin's page, and only the admin's.
    assert_eq!(
        get(base, "/akun", &kadis).await.0,
        303,
        "kadis was disabled"
    );
    let (status, _, body) = get(base, "/akun", &sekda_again(base).await).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("Peran Anda tidak membuka halaman ini."),
        "{body}"
    );
    let teknisi = login(base, "teknisi", PASSWORD).await.expect("logged in");
    let (status, _, body) = get(base, "/akun", &teknisi).await;
    assert_eq!(status, 200, "{body}");
    let row = |user: &str| {
        body.split(&format!("data-username=\"{user}\""))
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or_else(|| panic!("{user}: {body}"))
            .to_string()
    };
    assert!(row("kadisdukcapil").contains("3271-DUKCAPIL"));
    assert!(row("kadisdukcapil").contains("Kepala kantor"));
    assert!(row("sekda").contains("Semua kantor"));
    // Five wrong passwords for the inspektorat this week.
    assert!(
        row("inspektorat").contains("<td class=\"n\">5</td>"),
        "{}",
        row("inspektorat")
    );
    let (_, _, home) = get(base, "/hari-ini", &teknisi).await;
    assert!(
        home.contains("href=\"/akun\""),
        "the admin's menu has the page"
    );
    let (_, _, home) = get(base, "/hari-ini", &sekda_again(base).await).await;
    assert!(!home.contains("href=\"/akun\""), "no one else's has");

    let outcomes = pg.psql(
        DB,
        "SELECT string_agg(username || ':' || outcome, ',' ORDER BY id) FROM loket.viewer_logins",
    );
    assert_eq!(
        outcomes,
        "sekda:wrong_password,tidakada:unknown_user,inspektorat:wrong_password,\
         inspektorat:wrong_password,inspektorat:wrong_password,inspektorat:wrong_password,\
         inspektorat:wrong_password,inspektorat:locked,kadisdukcapil:ok,sekda:ok,sekda:logout,\
         kadisdukcapil:ok,kadisdukcapil:disabled,sekda:ok,teknisi:ok,sekda:ok"
    );
    drop(view);
}

#[test]
fn the_view_s_role_reads_every_office_and_writes_no_record() {
    let pg = city();
    let pw = pg.file("web.pw", "kata-sandi-peran-web-kota\n");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        seed_day(&pg).await;
        let url = pg.tcp_url(WEB_ROLE, DB);
        let c = connect(&Target {
            url: &url,
            password_file: Some(&pw),
            server_certificate: Some(&pg.cert),
        })
        .await
        .expect("view role connects");
        let offices: i64 = c
            .query_one(
                "SELECT count(DISTINCT office_code) FROM loket.ticket_events",
                &[],
            )
            .await
            .expect("read")
            .get(0);
        assert_eq!(offices, 3, "row-level security lets the view read every office");
        for sql in [
            "INSERT INTO loket.ticket_events (office_code, seq, at, event_seq, type, body) \
             VALUES ('3271-MPP', 999, now(), 999, 'issued', '{}')",
            "UPDATE loket.ticket_events SET type = 'x'",
            "DELETE FROM loket.complaint_actions",
            "UPDATE loket.viewers SET role = 'pimpinan'",
            "INSERT INTO loket.viewers (username, role, password_hash) VALUES ('baru', 'admin', 'x')",
        ] {
            let e = c.execute(sql, &[]).await.expect_err(sql);
            let why = e.as_db_error().map(|d| d.message().to_string());
            assert!(
                why.as_deref()
                    .is_some_and(|m| m.starts_with("permission denied")),
                "{sql}: {why:?}"
            );
        }
    });
}

#[test]
fn bad_input_exits_2_naming_the_field() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("view.toml");
    std::fs::write(
        &config,
        "listen = [\"kota:80\"]\n[database]\nurl = \"postgresql://web:rahasia@kota.example/k\"\nconnect_timeout_seconds = 0\n[sessions]\nidle_minutes = 0\n",
    )
    .expect("write");
    let out = loket(&["city", "serve", "--config", config.to_str().expect("path")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for path in [
        "listen[0] (line 1)",
        "database.url (line 3)",
        "database.server_certificate",
        "database.connect_timeout_seconds",
        "sessions.idle_minutes (line 6)",
    ] {
        assert!(err.contains(path), "{path}: {err}");
    }
    // An unknown key is named too.
    std::fs::write(&config, "listen = [\"127.0.0.1:0\"]\nlisen = 1\n").expect("write");
    let out = loket(&["city", "serve", "--config", config.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lisen"));

    // add-viewer: a role that does not exist, offices for a role that sees all, a weak
    // password: refused before any connection.
    let weak = dir.path().join("weak.pw");
    std::fs::write(&weak, "password12\n").expect("write");
    let strong = dir.path().join("strong.pw");
    std::fs::write(&strong, format!("{PASSWORD}\n")).expect("write");
    for (role, offices, pw, says) in [
        ("walikota", None, &strong, "--role `walikota`"),
        ("kepala_kantor", Some(""), &strong, "--offices"),
        ("pimpinan", None, &weak, "terlalu mudah ditebak"),
    ] {
        let mut args = vec![
            "city",
            "add-viewer",
            "--url",
            "host=/nonexistent dbname=k",
            "--username",
            "sekda",
            "--role",
            role,
            "--viewer-password-file",
            pw.to_str().expect("path"),
        ];
        if let Some(o) = offices {
            args.extend(["--offices", o]);
        }
        let out = loket(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{role}: {err}");
        assert!(err.contains(says), "{says}: {err}");
    }
}

#[test]
fn offices_are_checked_against_the_city_s_list() {
    let pg = city();
    let pw = pg.file("viewer2.pw", &format!("{PASSWORD}\n"));
    let url = pg.admin_url(DB);
    for (role, offices, says) in [
        ("kepala_kantor", Some("3271-DINSOS"), "3271-DINSOS"),
        ("pimpinan", Some("3271-MPP"), "hanya untuk kepala_kantor"),
        ("kepala_kantor", None, "wajib untuk kepala_kantor"),
    ] {
        let mut args = vec![
            "city",
            "add-viewer",
            "--url",
            &url,
            "--username",
            "kepala2",
            "--role",
            role,
            "--viewer-password-file",
            pw.to_str().expect("path"),
        ];
        if let Some(o) = offices {
            args.extend(["--offices", o]);
        }
        let out = loket(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{says}: {err}");
    }
    // Two offices for one head (a Mal Pelayanan Publik and its Dinas).
    ok(&loket(&[
        "city",
        "add-viewer",
        "--url",
        &url,
        "--username",
        "kepala2",
        "--role",
        "kepala_kantor",
        "--offices",
        "3271-MPP,3271-DPMPTSP",
        "--viewer-password-file",
        pw.to_str().expect("path"),
    ]));
    assert_eq!(
        pg.psql(
            DB,
            "SELECT offices FROM loket.viewers WHERE username = 'kepala2'"
        ),
        "{3271-MPP,3271-DPMPTSP}"
    );
}

/// The view in-process on a fixed clock, the pages in Chromium at an office PC's size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hari_ini_in_chromium_at_1366x768() {
    let pg = city();
    seed_day(&pg).await;
    let config = std::fs::read_to_string(view_config(&pg, "")).expect("config");
    let config = loket::config::CityViewConfig::from_toml_str(&config).expect("valid");
    let clock = Arc::new(loket::clock::FakeClock::new(wib(2026, 11, 30, 10, 30)));
    let running = loket::city::serve::start(loket::city::serve::Options {
        config,
        clock: clock.clone(),
    })
    .await
    .expect("view starts");
    let base = format!("http://{}", running.addrs[0]);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&out).expect("dir");

    let b = Browser::start_with(1366, 768, &["--hide-scrollbars"]).await;
    b.goto(&format!("{base}/hari-ini")).await;
    b.wait_url("/login?next=/hari-ini").await;
    std::fs::write(out.join("city-login.png"), b.screenshot().await).expect("png");
    assert!(b.text("h1").await.starts_with("Masuk"));
    assert!(b.text("header").await.contains("Pemerintah Kota Contoh"));
    // A wrong password: the message on the form, in Indonesian.
    b.fill("#username", "sekda").await;
    b.fill("#password", "salah-sekali-123").await;
    b.click("button[type=submit]").await;
    let msg = b.wait_text("[role=alert]", "salah").await;
    assert!(
        msg.starts_with("Nama pengguna atau kata sandi salah."),
        "{msg}"
    );
    std::fs::write(out.join("city-login-refused.png"), b.screenshot().await).expect("png");

    b.fill("#username", "sekda").await;
    b.fill("#password", PASSWORD).await;
    b.click("button[type=submit]").await;
    b.wait_url("/hari-ini").await;
    let when = b.wait_text("#when", "2026").await;
    assert_eq!(when, "Senin, 30 November 2026, pukul 10.30 WIB");
    std::fs::write(out.join("city-hari-ini.png"), b.screenshot().await).expect("png");
    b.script("document.getElementById('chart').scrollIntoView()")
        .await;
    std::fs::write(out.join("city-hari-ini-chart.png"), b.screenshot().await).expect("png");

    // The figures of each office, in its own row.
    let rows = b
        .script(
            "return [...document.querySelectorAll('#offices tbody tr')].map(r => \
             [r.dataset.office, ...[...r.cells].map(c => c.innerText.replace(/\\s+/g, ' ').trim())]);",
        )
        .await;
    let rows: Vec<Vec<String>> = serde_json::from_value(rows).expect("rows");
    let row = |code: &str| {
        rows.iter()
            .find(|r| r[0] == code)
            .unwrap_or_else(|| panic!("{code} in {rows:?}"))
            .clone()
    };
    // issued, waiting, at a counter, served, no-show
    let dukcapil = row("3271-DUKCAPIL");
    assert_eq!(dukcapil[2..7], ["12", "3", "1", "7", "1"], "{dukcapil:?}");
    assert!(dukcapil[8].starts_with("Terhubung"), "{dukcapil:?}");
    let dpmptsp = row("3271-DPMPTSP");
    assert_eq!(dpmptsp[2..7], ["8", "2", "1", "5", "0"], "{dpmptsp:?}");
    let mpp = row("3271-MPP");
    assert_eq!(mpp[2..7], ["5", "3", "0", "2", "0"], "{mpp:?}");
    assert!(mpp[7].starts_with("09.40"), "{mpp:?}");
    assert!(mpp[7].contains("50 menit lalu"), "{mpp:?}");
    assert!(mpp[8].starts_with("Tampaknya luring"), "{mpp:?}");
    assert_eq!(b.text("#total-issued").await, "25");
    assert!(
        b.text("#offline-note")
            .await
            .starts_with("1 kantor tampaknya luring")
    );

    // Layout: the table fits the screen's width, the three offices are on the chart, the
    // menu has the page and the account.
    let fits = b
        .script("return document.documentElement.scrollWidth <= window.innerWidth;")
        .await;
    assert_eq!(
        fits,
        serde_json::json!(true),
        "no sideways scrolling at 1366"
    );
    let labels = b
        .script("return [...document.querySelectorAll('#chart svg text')].map(t => t.textContent.trim());")
        .await;
    let labels: Vec<String> = serde_json::from_value(labels).expect("labels");
    for (code, _) in OFFICES {
        assert!(
            labels.iter().any(|l| l == office_name(code)),
            "{code} on the chart: {labels:?}"
        );
    }
    assert!(b.text("nav").await.contains("Hari ini"));
    let table_top = b
        .script("return document.getElementById('offices').getBoundingClientRect().top;")
        .await;
    assert!(
        table_top.as_f64().is_some_and(|t| t < 768.0),
        "the table starts on the first screen: {table_top}"
    );

    // Logout from the page's own button (its form carries the session's token), then the
    // head of Dukcapil: one office, no other's figures.
    b.click("nav form button").await;
    b.wait_url("/login").await;
    b.fill("#username", "kadisdukcapil").await;
    b.fill("#password", PASSWORD).await;
    b.click("button[type=submit]").await;
    b.wait_url("/hari-ini").await;
    b.wait_text("#when", "2026").await;
    std::fs::write(out.join("city-hari-ini-kepala.png"), b.screenshot().await).expect("png");
    assert_eq!(b.count("#offices tbody tr").await, 1);
    assert_eq!(b.count("tr[data-office='3271-DUKCAPIL']").await, 1);
    assert_eq!(b.text("#total-issued").await, "12");
    assert!(b.text("nav").await.contains("kadisdukcapil, Kepala kantor"));

    // Evening: the MPP's silence is expected, nobody is told it is offline.
    // (Eight and a half hours on, the session has ended: idle past 30 minutes.)
    clock.set(wib(2026, 11, 30, 19, 0));
    b.goto(&format!("{base}/hari-ini")).await;
    b.wait_url("/login?next=/hari-ini").await;
    b.login(&base, "sekda", PASSWORD).await;
    b.wait_url("/hari-ini").await;
    let when = b.wait_text("#when", "19.00").await;
    assert!(when.ends_with("pukul 19.00 WIB"), "{when}");
    assert_eq!(b.count("#offline-note").await, 0);
    assert_eq!(b.count(".status.offline").await, 0);
    assert_eq!(b.count("#offices tbody tr").await, 3);

    // The technician's account list.
    b.click("nav form button").await;
    b.wait_url("/login").await;
    b.login(&base, "teknisi", PASSWORD).await;
    b.wait_url("/hari-ini").await;
    b.click("nav a[href='/akun']").await;
    b.wait_url("/akun").await;
    assert_eq!(b.count("#accounts tbody tr").await, 4);
    let kadis = b.text("tr[data-username='kadisdukcapil']").await;
    assert!(
        kadis.contains("Kepala kantor") && kadis.contains("3271-DUKCAPIL"),
        "{kadis}"
    );
    let sekda = b.text("tr[data-username='sekda']").await;
    assert!(sekda.contains("30/11/2026 19.00"), "last login: {sekda}");
    std::fs::write(out.join("city-akun.png"), b.screenshot().await).expect("png");

    b.quit().await;
    running.stop().await;
}

/// One HTTP/1.1 request over TLS to 127.0.0.1, trusting only `cert`.
async fn https(port: u16, cert: &[u8], request: &str) -> String {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(cert) {
        roots.add(c.expect("pem")).expect("root");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("tcp");
    let name = ServerName::try_from("127.0.0.1").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("TLS handshake");
    tls.write_all(request.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await.expect("read");
    String::from_utf8_lossy(&out).into_owned()
}

/// `[tls]`: the binary serves HTTPS with the configured certificate, and the session cookie
/// is marked Secure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_the_configured_certificate() {
    let pg = city();
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("certificate");
    let cert = pg.file("view-cert.pem", &certified.cert.pem());
    let key = pg.file("view-key.pem", &certified.signing_key.serialize_pem());
    let view = View::start(&view_config(
        &pg,
        &format!(
            "[tls]\ncertificate = \"{}\"\nkey = \"{}\"",
            cert.display(),
            key.display()
        ),
    ));
    let port: u16 = view
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let pem = certified.cert.pem().into_bytes();
    let page = https(
        port,
        &pem,
        "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("Nama pengguna"), "{page}");
    let body = format!("username=sekda&password={PASSWORD}");
    let login = https(
        port,
        &pem,
        &format!(
            "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(login.starts_with("HTTP/1.1 303"), "{login}");
    let cookie = login
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .expect("cookie");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("; Secure"),
        "{cookie}"
    );
}

// ---- The three report pages: waits, overdue complaint steps, IKM ----

use loket::auth::Role;
use loket::complaint::{
    Action, ActionKind, Actor, Level, Sop, Workflow, apply, start_without_ticket,
};
use loket::config::{Config, PersonalFields};
use loket::store::outbox::{complaint_action, survey_response};
use loket::survey::questionnaire::Questionnaire;
use loket::survey::response::{self, Response};

/// Tickets of service `service` issued every 20 minutes from `start`: each `(wait, end)` is
/// called `wait` minutes after issue, then finished `end` minutes later (`None`: not shown
/// up, 3 minutes after the call).
fn timed_visits(
    service: &str,
    first_id: u64,
    start: DateTime<Utc>,
    visits: &[(i64, Option<i64>)],
) -> Vec<(DateTime<Utc>, Change)> {
    let mut out = Vec::new();
    for (i, (wait, end)) in visits.iter().enumerate() {
        let id = first_id + i as u64;
        let summary = |state: TicketState, counter: Option<u32>| TicketSummary {
            id,
            number: format!("{service}-{id:03}"),
            service: service.to_string(),
            priority: false,
            state,
            state_label: state.label_id(),
            counter,
        };
        let issued = start + chrono::Duration::minutes(20 * i as i64);
        let called = issued + chrono::Duration::minutes(*wait);
        out.push((
            issued,
            Change::Issued {
                ticket: summary(TicketState::Waiting, None),
            },
        ));
        out.push((
            called,
            Change::Called {
                counter: 2,
                ticket: summary(TicketState::Called, Some(2)),
            },
        ));
        out.push(match end {
            Some(m) => (
                called + chrono::Duration::minutes(*m),
                Change::Finished {
                    counter: 2,
                    ticket: summary(TicketState::Done, Some(2)),
                },
            ),
            None => (
                called + chrono::Duration::minutes(3),
                Change::NoShow {
                    counter: 2,
                    ticket: summary(TicketState::NoShow, Some(2)),
                },
            ),
        });
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

fn actor(name: &str, role: Role) -> Actor {
    Actor {
        username: name.to_string(),
        roles: vec![role],
    }
}

fn complete(
    w: &Workflow,
    by: &Actor,
    at: DateTime<Utc>,
    cal: &loket::calendar::Calendar,
) -> (Workflow, loket::complaint::Recorded) {
    let step = w.current_step().expect("a step waiting").no;
    apply(
        w,
        &Action {
            step,
            version: w.version(),
            kind: ActionKind::Complete {
                note: None,
                documents: Vec::new(),
            },
        },
        by,
        at,
        cal,
    )
    .expect("step done")
}

/// A survey answer to every element with `score`.
fn answer(q: &Questionnaire, month: (i32, u32), score: u8) -> OutboxRecord {
    let r = Response {
        month: chrono::NaiveDate::from_ymd_opt(month.0, month.1, 1).expect("month"),
        service: "A".to_string(),
        counter: Some(1),
        channel: response::Channel::Tablet,
        profile: Default::default(),
        scores: q.elements.iter().map(|e| (e.id.clone(), score)).collect(),
        suggestion: String::new(),
    };
    survey_response(&r, PersonalFields::default()).expect("record")
}

/// The day of `seed_day` and, for the report pages (the view's clock at Monday 30 November
/// 2026, 10.30 WIB):
///
/// - Waits, November: the DPMPTSP has, besides its Monday (service B: 8 issued, 5 served,
///   6 called after 3:00, 5 served in 3:00), service C on Monday 2 November: waits 5, 10,
///   20, 40 minutes, the first three served in 2, 4, 6 minutes, the last not shown up. C:
///   4 issued, 3 served, 1 no-show, wait median 10:00 (rank 2 of 4), p90 40:00 (rank 4),
///   service median 4:00, p90 6:00. The office's total: 12 issued, 8 served, 1 no-show;
///   waits 180 ×6, 300, 600, 1200, 2400: median 3:00 (rank 5 of 10), p90 20:00 (rank 9);
///   service 120, 180 ×5, 240, 360: median 3:00 (rank 4 of 8), p90 6:00 (rank 8).
///   Dukcapil: Friday 27 (3) and Monday 30 (12): 15 issued, 9 served, 2 no-show.
/// - Overdue (clock time at Monday 10.30): Dukcapil's 0001 (kecil), opened Monday 23
///   November 09.00, step 3 done 10.00, step 4 (1 jam) due 11.00 that day: 7 days less 30
///   minutes late, "6 hari 23 jam"; 0002 (kecil) opened Wednesday 25 November 09.00, step
///   3 (1 hari kerja) due Thursday 09.00: "4 hari 1 jam"; 0003 (menengah) opened Monday 30
///   at 08.00, not due. 3 open, 2 late. The DPMPTSP: one opened Monday 09.00, not due (1
///   open, 0 late). The MPP: none.
/// - IKM: Dukcapil October five all-4 answers (9 × 4 × 0,111 × 25 = 99,90, A); November
///   three all-4 and three all-3 (each NRR 3,500; 9 × 3,5 × 0,111 × 25 = 87,41, B). The
///   DPMPTSP three in November: below the floor of 5. The MPP none.
async fn seed_pages(pg: &Cluster) {
    let config = Config::embedded().expect("config");
    let sop = Sop::embedded().expect("flows");
    let q = Questionnaire::embedded().expect("questionnaire");
    let cal = &config.calendar;
    let [mut dukcapil, dpmptsp_day, mpp] = day_records();

    let officer = actor("sari", Role::ComplaintOfficer);
    let open = |level, at| {
        start_without_ticket(
            sop.flow_for(level),
            level,
            loket::complaint::Channel::Letter,
            &officer,
            at,
            cal,
        )
        .expect("opened")
    };
    let record = |seq: u64, w: &Workflow, r: &loket::complaint::Recorded| {
        let number = format!("PGD/2026/11/{seq:04}");
        complaint_action(seq, &number, w, r, PersonalFields::default()).expect("record")
    };
    let (w, r) = open(Level::Kecil, wib(2026, 11, 23, 9, 0));
    dukcapil.push(record(1, &w, &r));
    let (w, r) = complete(&w, &officer, wib(2026, 11, 23, 10, 0), cal);
    dukcapil.push(record(1, &w, &r));
    let (w, r) = open(Level::Kecil, wib(2026, 11, 25, 9, 0));
    dukcapil.push(record(2, &w, &r));
    let (w, r) = open(Level::Menengah, wib(2026, 11, 30, 8, 0));
    dukcapil.push(record(3, &w, &r));
    dukcapil.extend((0..5).map(|_| answer(&q, (2026, 10), 4)));
    dukcapil.extend((0..6).map(|i| answer(&q, (2026, 11), if i < 3 { 4 } else { 3 })));

    // The DPMPTSP: service C on 2 November before its Monday, event numbers running on.
    let mut dpmptsp: Vec<OutboxRecord> = timed_visits(
        "C",
        101,
        wib(2026, 11, 2, 8, 0),
        &[(5, Some(2)), (10, Some(4)), (20, Some(6)), (40, None)],
    )
    .into_iter()
    .map(|(at, change)| OutboxRecord::TicketEvent {
        event_seq: 0,
        at,
        change: serde_json::to_value(&change).expect("json"),
        from_history: false,
    })
    .collect();
    dpmptsp.extend(dpmptsp_day);
    renumber(&mut dpmptsp);
    let (w, r) = open(Level::Kecil, wib(2026, 11, 30, 9, 0));
    dpmptsp.push(record(1, &w, &r));
    dpmptsp.extend((0..3).map(|_| answer(&q, (2026, 11), 4)));

    send(pg, OFFICES[0], dukcapil).await;
    send(pg, OFFICES[1], dpmptsp).await;
    send(pg, OFFICES[2], mpp).await;
    pg.psql(DB, "UPDATE loket.ticket_events SET received_at = at");
}

/// The cells of each row of `table` (by its id), keyed by the row's `data-*` attribute.
async fn rows_of(b: &Browser, css: &str) -> Vec<Vec<String>> {
    let rows = b
        .script_with(
            "return [...document.querySelectorAll(arguments[0])].map(r => \
             [r.dataset.office || r.dataset.service || r.dataset.number || '', \
              ...[...r.cells].map(c => c.innerText.replace(/\\s+/g, ' ').trim())]);",
            serde_json::json!([css]),
        )
        .await;
    serde_json::from_value(rows).expect("rows")
}

fn row<'a>(rows: &'a [Vec<String>], key: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == key)
        .unwrap_or_else(|| panic!("{key} in {rows:?}"))
}

async fn fits(b: &Browser) {
    let fits = b
        .script("return document.documentElement.scrollWidth <= window.innerWidth;")
        .await;
    assert_eq!(
        fits,
        serde_json::json!(true),
        "no sideways scrolling at 1366"
    );
}

async fn chart_labels(b: &Browser) -> Vec<String> {
    let labels = b
        .script("return [...document.querySelectorAll('#chart svg text')].map(t => t.textContent.trim());")
        .await;
    serde_json::from_value(labels).expect("labels")
}

/// The three report pages in Chromium at 1366×768 with the view's clock fixed (Monday 30
/// November 2026, 10.30 WIB), figures against the hand-worked ones of `seed_pages`; the
/// roles over HTTP; a bad range; the waits query cut off by its statement timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_overdue_and_ikm_in_chromium_at_1366x768() {
    let pg = city();
    seed_pages(&pg).await;
    // [database] is the file's last table: a short statement timeout for the lock below.
    let config = std::fs::read_to_string(view_config(&pg, "")).expect("config")
        + "statement_timeout_seconds = 2\n";
    let config = loket::config::CityViewConfig::from_toml_str(&config).expect("valid");
    let clock = Arc::new(loket::clock::FakeClock::new(wib(2026, 11, 30, 10, 30)));
    let running = loket::city::serve::start(loket::city::serve::Options {
        config,
        clock: clock.clone(),
    })
    .await
    .expect("view starts");
    let base = format!("http://{}", running.addrs[0]);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&out).expect("dir");
    let shot = |name: &str, png: Vec<u8>| {
        std::fs::write(out.join(format!("city-{name}.png")), png).expect("png");
    };

    let b = Browser::start_with(1366, 768, &["--hide-scrollbars"]).await;
    b.goto(&format!("{base}/waktu-tunggu")).await;
    b.wait_url("/login?next=/waktu-tunggu").await;
    b.login(&base, "sekda", PASSWORD).await;
    b.wait_url("/hari-ini").await;
    b.click("nav a[href='/waktu-tunggu']").await;
    b.wait_url("/waktu-tunggu").await;

    // Waits: this month up to today by default.
    let period = b.wait_text("#period", "2026").await;
    assert_eq!(period, "1 November 2026 – 30 November 2026");
    assert_eq!(
        b.script("return [document.getElementById('dari').value, document.getElementById('sampai').value];")
            .await,
        serde_json::json!(["2026-11-01", "2026-11-30"])
    );
    shot("waktu-tunggu", b.screenshot().await);
    assert_eq!(b.count("#waits tbody[data-office]").await, 3);
    // issued, served, no-show, wait median, p90, service median, p90
    let dpm = rows_of(&b, "tbody[data-office='3271-DPMPTSP'] tr").await;
    assert_eq!(
        dpm[0][2..9],
        ["12", "8", "1", "3:00", "20:00", "3:00", "6:00"],
        "{dpm:?}"
    );
    assert_eq!(
        row(&dpm, "C")[1..9],
        ["Layanan C", "4", "3", "1", "10:00", "40:00", "4:00", "6:00"],
        "{dpm:?}"
    );
    assert_eq!(
        row(&dpm, "B")[2..9],
        ["8", "5", "0", "3:00", "3:00", "3:00", "3:00"],
        "{dpm:?}"
    );
    let duk = rows_of(&b, "tbody[data-office='3271-DUKCAPIL'] tr").await;
    assert_eq!(duk[0][2..5], ["15", "9", "2"], "{duk:?}");
    let mpp = rows_of(&b, "tbody[data-office='3271-MPP'] tr").await;
    assert_eq!(
        mpp[0][2..9],
        ["5", "2", "0", "3:00", "3:00", "3:00", "3:00"]
    );
    fits(&b).await;
    let labels = chart_labels(&b).await;
    for (code, _) in OFFICES {
        assert!(
            labels.iter().any(|l| l == office_name(code)),
            "{code}: {labels:?}"
        );
    }
    assert!(labels.iter().any(|l| l == "3,0 (p90 20,0)"), "{labels:?}");
    b.script("document.getElementById('chart').scrollIntoView()")
        .await;
    shot("waktu-tunggu-chart", b.screenshot().await);
    // One day from the form: only the 2 November tickets; an office without any shows "—".
    // (Set as the date picker sets them: typing follows the browser's locale.)
    b.script("document.getElementById('dari').value = '2026-11-02'; document.getElementById('sampai').value = '2026-11-02';")
        .await;
    b.click("form.range button").await;
    b.wait_url("/waktu-tunggu?dari=2026-11-02&sampai=2026-11-02")
        .await;
    let period = b.wait_text("#period", "2026").await;
    assert_eq!(period, "2 November 2026 – 2 November 2026");
    let dpm = rows_of(&b, "tbody[data-office='3271-DPMPTSP'] tr").await;
    assert_eq!(dpm.len(), 2, "{dpm:?}");
    assert_eq!(dpm[0][2..5], ["4", "3", "1"], "{dpm:?}");
    let duk = rows_of(&b, "tbody[data-office='3271-DUKCAPIL'] tr").await;
    assert_eq!(duk[0][2..9], ["0", "0", "0", "—", "—", "—", "—"], "{duk:?}");

    // A reversed range: 400, the form again with the message, no table.
    b.goto(&format!(
        "{base}/waktu-tunggu?dari=2026-11-30&sampai=2026-11-01"
    ))
    .await;
    let msg = b.wait_text("[role=alert]", "Tanggal").await;
    assert!(
        msg.starts_with("Tanggal akhir (sampai) lebih awal dari tanggal awal (dari)."),
        "{msg}"
    );
    assert_eq!(b.count("#waits").await, 0);
    shot("waktu-tunggu-400", b.screenshot().await);

    // Overdue complaint steps.
    b.click("nav a[href='/pengaduan-terlambat']").await;
    b.wait_url("/pengaduan-terlambat").await;
    b.wait_text("#when", "2026").await;
    assert_eq!(b.text("#total-open").await, "4");
    assert_eq!(b.text("#total-late").await, "2");
    let offices = rows_of(&b, "#offices tbody tr").await;
    // open, late, not known
    assert_eq!(row(&offices, "3271-DUKCAPIL")[2..5], ["3", "2", "0"]);
    assert_eq!(row(&offices, "3271-DPMPTSP")[2..5], ["1", "0", "0"]);
    assert_eq!(row(&offices, "3271-MPP")[2..5], ["0", "0", "0"]);
    let steps = rows_of(&b, "section[data-office='3271-DUKCAPIL'] tbody tr").await;
    assert_eq!(steps.len(), 2, "{steps:?}");
    // Most late first.
    assert_eq!(steps[0][0], "PGD/2026/11/0001");
    assert_eq!(steps[0][3], "Skala Kecil", "{steps:?}");
    assert!(steps[0][4].starts_with("4. "), "{steps:?}");
    assert_eq!(
        steps[0][5..8],
        ["1 jam", "23/11/2026 11.00", "6 hari 23 jam"]
    );
    assert_eq!(steps[1][0], "PGD/2026/11/0002");
    assert_eq!(
        steps[1][5..8],
        ["1 hari kerja", "26/11/2026 09.00", "4 hari 1 jam"]
    );
    assert_eq!(b.count("section.office-steps").await, 1);
    // The records carry no name: nor does the page (the officer's name is in the actions).
    assert!(!b.text("main").await.contains("sari"));
    fits(&b).await;
    let labels = chart_labels(&b).await;
    for (code, _) in OFFICES {
        assert!(
            labels.iter().any(|l| l == office_name(code)),
            "{code}: {labels:?}"
        );
    }
    shot("pengaduan-terlambat", b.screenshot().await);
    b.script("document.querySelector('section.office-steps').scrollIntoView()")
        .await;
    shot("pengaduan-terlambat-langkah", b.screenshot().await);

    // IKM: the year so far by default, each month a column.
    b.click("nav a[href='/ikm']").await;
    b.wait_url("/ikm").await;
    let period = b.wait_text("#period", "2026").await;
    assert_eq!(period, "Januari 2026 – November 2026");
    assert_eq!(b.count("#months thead th").await, 12);
    let months = rows_of(&b, "#months tbody tr").await;
    let duk = row(&months, "3271-DUKCAPIL");
    assert_eq!(duk[11], "99,90 A 5 resp.", "{duk:?}");
    assert_eq!(duk[12], "87,41 B 6 resp.", "{duk:?}");
    assert_eq!(row(&months, "3271-DPMPTSP")[12], "— 3 resp.");
    assert_eq!(row(&months, "3271-MPP")[12], "—");
    fits(&b).await;
    shot("ikm", b.screenshot().await);
    b.script("document.getElementById('months').scrollIntoView()")
        .await;
    shot("ikm-per-bulan", b.screenshot().await);
    // November alone, from the form.
    b.goto(&format!("{base}/ikm?dari=2026-11&sampai=2026-11"))
        .await;
    let period = b.wait_text("#period", "2026").await;
    assert_eq!(period, "November 2026");
    let ikm = rows_of(&b, "#ikm tbody tr").await;
    let duk = row(&ikm, "3271-DUKCAPIL");
    // respondents, IKM, grade, U1 … U9
    assert_eq!(duk[2..5], ["6", "87,41", "B Baik"], "{duk:?}");
    assert_eq!(duk[5..14], ["3,500"; 9], "{duk:?}");
    let dpm = row(&ikm, "3271-DPMPTSP");
    assert_eq!(
        dpm[2..5],
        ["3", "—", "3 responden, kurang dari 5"],
        "{dpm:?}"
    );
    assert_eq!(
        row(&ikm, "3271-MPP")[2..5],
        ["0", "—", "belum ada responden"]
    );
    fits(&b).await;
    let labels = chart_labels(&b).await;
    assert!(labels.iter().any(|l| l == "87,41 B"), "{labels:?}");
    assert!(labels.iter().any(|l| l == "— (3 responden)"), "{labels:?}");
    shot("ikm-november", b.screenshot().await);
    b.script("document.getElementById('chart').scrollIntoView()")
        .await;
    shot("ikm-chart", b.screenshot().await);

    // The head of Dukcapil: one office on each page.
    b.click("nav form button").await;
    b.wait_url("/login").await;
    b.login(&base, "kadisdukcapil", PASSWORD).await;
    b.wait_url("/hari-ini").await;
    b.goto(&format!("{base}/waktu-tunggu")).await;
    b.wait_text("#period", "2026").await;
    assert_eq!(b.count("#waits tbody[data-office]").await, 1);
    assert_eq!(b.count("tbody[data-office='3271-DUKCAPIL']").await, 1);
    shot("waktu-tunggu-kepala", b.screenshot().await);
    b.goto(&format!("{base}/pengaduan-terlambat")).await;
    b.wait_text("#when", "2026").await;
    assert_eq!(b.count("#offices tbody tr").await, 1);
    assert_eq!(b.text("#total-late").await, "2");
    b.goto(&format!("{base}/ikm?dari=2026-11&sampai=2026-11"))
        .await;
    b.wait_text("#period", "2026").await;
    assert_eq!(b.count("#ikm tbody tr").await, 1);
    assert_eq!(b.count("#months tbody tr").await, 1);
    b.quit().await;

    // Over HTTP: the admin sees none of the three (403, not in the menu); bad ranges are
    // 400 with the Indonesian message.
    let admin = login(&base, "teknisi", PASSWORD).await.expect("admin");
    for path in ["/waktu-tunggu", "/pengaduan-terlambat", "/ikm"] {
        let (status, _, body) = get(&base, path, &admin).await;
        assert_eq!(status, 403, "{path}");
        assert!(
            body.contains("Peran Anda tidak membuka halaman ini."),
            "{body}"
        );
    }
    let (_, _, today) = get(&base, "/hari-ini", &admin).await;
    for path in ["/waktu-tunggu", "/pengaduan-terlambat", "/ikm"] {
        assert!(
            !today.contains(&format!("href=\"{path}\"")),
            "{path} in the admin's menu"
        );
    }
    let sekda = sekda_again(&base).await;
    for (path, message) in [
        (
            "/waktu-tunggu?dari=2025-01-01&sampai=2026-11-30",
            "Rentang paling lama 366 hari",
        ),
        (
            "/waktu-tunggu?dari=2026-11-31",
            "Tanggal tidak dapat dibaca.",
        ),
        ("/waktu-tunggu?dari=kemarin", "Tanggal tidak dapat dibaca."),
        ("/ikm?dari=2026-13", "Tanggal tidak dapat dibaca."),
        (
            "/ikm?dari=2026-11&sampai=2026-01",
            "Bulan akhir (sampai) lebih awal",
        ),
        (
            "/ikm?dari=2024-01&sampai=2026-11",
            "Rentang paling lama 24 bulan",
        ),
    ] {
        let (status, _, body) = get(&base, path, &sekda).await;
        assert_eq!(status, 400, "{path}");
        assert!(body.contains(message), "{path}: {body}");
        assert!(!body.contains("data-office"), "{path}: no figures");
    }

    // The waits query waiting on a lock past its statement timeout (2 s here): the server
    // cancels it, the page says so (503), and the next request is served.
    let admin_db = connect(&Target {
        url: &pg.admin_url(DB),
        password_file: None,
        server_certificate: None,
    })
    .await
    .expect("connect");
    admin_db
        .batch_execute("BEGIN; LOCK TABLE loket.ticket_events IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let began = std::time::Instant::now();
    let (status, _, body) = get(&base, "/waktu-tunggu", &sekda).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("Perhitungan ini terlalu lama dan dihentikan oleh basis data kota."),
        "{body}"
    );
    assert!(
        began.elapsed() < Duration::from_secs(6),
        "{:?}",
        began.elapsed()
    );
    admin_db.batch_execute("ROLLBACK").await.expect("unlock");
    let (status, _, body) = get(&base, "/waktu-tunggu", &sekda).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("20:00"));

    running.stop().await;
}

/// A server that accepts the connection and then says nothing (a hung PostgreSQL, a
/// firewall that lets the handshake through): the attempt to connect is cut off after
/// `connect_timeout_seconds`, the page says the database cannot be reached (503), and a
/// request that waited behind it is answered at once instead of trying again. The forms
/// refuse a body past the office's small limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_accepts_and_never_answers_gives_503_within_the_connect_timeout() {
    let dir = tempfile::tempdir().expect("dir");
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    // Accepted and held open, never read nor answered, until the test ends.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming().map_while(Result::ok) {
            held.push(s);
        }
    });
    let cert = dir.path().join("city.crt");
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("certificate");
    std::fs::write(&cert, certified.cert.pem()).expect("write cert");
    let pw = dir.path().join("web.pw");
    std::fs::write(&pw, "kata-sandi-peran-web-kota\n").expect("write pw");
    let config = dir.path().join("city-view.toml");
    std::fs::write(
        &config,
        format!(
            "name = \"Pemerintah Kota Contoh\"\nlisten = [\"127.0.0.1:0\"]\n[database]\n\
             url = \"postgres://{WEB_ROLE}@127.0.0.1:{port}/{DB}\"\npassword_file = \"{}\"\n\
             server_certificate = \"{}\"\nconnect_timeout_seconds = 2\n",
            pw.display(),
            cert.display()
        ),
    )
    .expect("write config");
    let view = View::start(&config);
    let base = view.base.clone();

    let began = std::time::Instant::now();
    // Both at once: one attempts to connect, the other waits its turn behind it. Bounded
    // here too, so a view that hangs fails the test instead of holding it.
    let (first, second) = tokio::time::timeout(Duration::from_secs(10), async {
        tokio::join!(
            login(&base, "sekda", PASSWORD),
            login(&base, "inspektorat", PASSWORD)
        )
    })
    .await
    .expect("answered within 10 s, not held by the silent server");
    let took = began.elapsed();
    for r in [first, second] {
        let (status, body) = r.expect_err("no database");
        assert_eq!(status, 503, "{body}");
        assert!(
            body.contains("Basis data kota sedang tidak dapat dihubungi"),
            "{body}"
        );
    }
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(8),
        "{took:?}"
    );

    let r = client()
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username=sekda&password={}", "x".repeat(64 * 1024)))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 413);
}
