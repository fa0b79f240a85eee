//! Test harness: starts the real daemon (real redb file, real HTTP on an ephemeral port)
//! with a fake clock, and speaks HTTP to it.
#![allow(dead_code)]

pub mod browser;
pub mod child;
pub mod escpos;
pub mod fake_printer;
pub mod faulty_disk;
pub mod images;
pub mod layout;
pub mod page_clock;
pub mod postgres;
pub mod tcp_proxy;
pub mod tmpfs;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Jakarta;
use loket::app::{self, Running};
use loket::audit::Who;
use loket::auth::{Role, User};
use loket::clock::{Clock, FakeClock};
use loket::config::Config;
use serde_json::{Value, json};

/// A logged-in staff member: the session cookie and its CSRF token.
#[derive(Clone, Debug)]
pub struct StaffSession {
    pub cookie: String,
    pub csrf: String,
}

pub const TEST_PASSWORD: &str = "kata-sandi-uji-1234";

pub struct TestApp {
    pub base: String,
    /// Follows no redirects, so tests see `303` and `Set-Cookie` as sent.
    pub client: reqwest::Client,
    /// An operator, logged in at start: counter operations need one.
    pub operator: StaffSession,
    pub clock: Arc<FakeClock>,
    pub data_dir: PathBuf,
    running: Option<Running>,
    _tmp: Option<tempfile::TempDir>,
}

/// Office-local (WIB) wall time as UTC.
pub fn wib(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Jakarta
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid local time")
        .with_timezone(&Utc)
}

/// The shipped configuration with no per-client kiosk limit (tests issue quickly from one
/// address; the limit has its own test).
pub fn test_config() -> Config {
    let mut c = Config::embedded().expect("config");
    c.kiosk.max_tickets_per_minute = 0;
    c
}

/// Monday 30 November 2026, 09:00 WIB: inside the default opening hours.
pub fn monday_morning() -> DateTime<Utc> {
    wib(2026, 11, 30, 9, 0)
}

impl TestApp {
    pub async fn spawn() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().to_path_buf();
        let clock = Arc::new(FakeClock::new(monday_morning()));
        let mut app = Self::spawn_in(&dir, clock, test_config()).await;
        app._tmp = Some(tmp);
        app
    }

    pub async fn spawn_in(dir: &Path, clock: Arc<FakeClock>, config: Config) -> Self {
        Self::spawn_with(dir, clock, config, None).await
    }

    pub async fn spawn_with(
        dir: &Path,
        clock: Arc<FakeClock>,
        config: Config,
        open_db: Option<loket::store::Opener>,
    ) -> Self {
        let running = app::start(app::Options {
            config,
            data_dir: dir.to_path_buf(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            clock: clock.clone(),
            open_db,
        })
        .await
        .expect("start app");
        let mut app = Self {
            base: format!("http://{}", running.addr),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            operator: StaffSession {
                cookie: String::new(),
                csrf: String::new(),
            },
            clock,
            data_dir: dir.to_path_buf(),
            running: Some(running),
            _tmp: None,
        };
        app.wait_for_printer_status().await;
        app.operator = app.staff("loket-op", &[Role::Operator]).await;
        app
    }

    /// The daemon over HTTPS: no HTTP helpers (the test speaks TLS itself), no operator.
    pub async fn spawn_https(dir: &Path, clock: Arc<FakeClock>, config: Config) -> Self {
        let running = app::start(app::Options {
            config,
            data_dir: dir.to_path_buf(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            clock: clock.clone(),
            open_db: None,
        })
        .await
        .expect("start app");
        Self {
            base: format!("https://{}", running.addr),
            client: reqwest::Client::new(),
            operator: StaffSession {
                cookie: String::new(),
                csrf: String::new(),
            },
            clock,
            data_dir: dir.to_path_buf(),
            running: Some(running),
            _tmp: None,
        }
    }

    pub fn port(&self) -> u16 {
        self.running.as_ref().map_or(0, |r| r.addr.port())
    }

    /// Creates (or recreates) an account with `TEST_PASSWORD` and these roles.
    pub async fn create_user(&self, name: &str, roles: &[Role]) {
        let hash = loket::auth::hash_password(TEST_PASSWORD).expect("hash");
        let user = User {
            username: name.to_string(),
            display_name: String::new(),
            roles: roles.to_vec(),
            password_hash: hash,
            disabled: false,
            must_change_password: false,
            created_at: self.clock.now(),
        };
        self.state()
            .store
            .put_user(user, Who::new("test", ""), "user_added")
            .await
            .expect("user");
    }

    /// Logs in through the form; the status and the session on success.
    pub async fn login(&self, name: &str, password: &str) -> (u16, Option<StaffSession>) {
        let r = self
            .client
            .post(self.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "username={name}&password={password}&next=%2Fconsole"
            ))
            .send()
            .await
            .expect("login");
        let status = r.status().as_u16();
        let cookie = r
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_string);
        let Some(cookie) = cookie else {
            return (status, None);
        };
        let id = cookie.split_once('=').map(|(_, v)| v).unwrap_or_default();
        let key = loket::auth::sha256_hex(id.as_bytes());
        let session = self
            .state()
            .store
            .session(&key)
            .await
            .expect("store")
            .expect("session stored");
        (
            status,
            Some(StaffSession {
                cookie,
                csrf: session.csrf,
            }),
        )
    }

    /// A new account with these roles, logged in.
    pub async fn staff(&self, name: &str, roles: &[Role]) -> StaffSession {
        self.create_user(name, roles).await;
        let (status, session) = self.login(name, TEST_PASSWORD).await;
        assert_eq!(status, 303, "login of {name}");
        session.expect("session")
    }

    /// A request as `who` (cookie and CSRF token set).
    pub fn as_staff(
        &self,
        method: reqwest::Method,
        path: &str,
        who: &StaffSession,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("cookie", &who.cookie)
            .header("x-csrf-token", &who.csrf)
    }

    /// The printer thread reports its first status right after start; tests begin once it
    /// has, so that event is not mixed into what they observe.
    pub async fn wait_for_printer_status(&self) {
        for _ in 0..500 {
            let h = self.health().await;
            if h["printer"]["status"] != "unreachable" {
                return;
            }
            tokio::task::yield_now().await;
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        panic!("the printer never reported a status");
    }

    /// Stops the daemon (database closed) and starts it again on the same data directory.
    pub async fn restart(mut self) -> Self {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        let tmp = self._tmp.take();
        let operator = self.operator.clone();
        let mut app = Self::spawn_in(&self.data_dir, self.clock.clone(), test_config()).await;
        app._tmp = tmp;
        // The session from before the restart: sessions live in the store.
        app.operator = operator;
        app
    }

    /// Waits (up to 5 s) for the store to report a fatal stop; returns its reason.
    pub async fn store_failure(&mut self) -> Option<String> {
        let running = self.running.as_mut()?;
        tokio::time::timeout(std::time::Duration::from_secs(5), running.failed())
            .await
            .ok()
            .map(|e| e.to_string())
    }

    /// Stops the daemon and hands over the temporary data directory, which outlives it.
    pub async fn stop_keeping_data(mut self) -> Option<tempfile::TempDir> {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        self._tmp.take()
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    pub fn state(&self) -> loket::web::AppState {
        self.running.as_ref().expect("running").state.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn issue_raw(&self, body: Value) -> (u16, Value) {
        let r = self
            .client
            .post(self.url("/api/v1/tickets"))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.expect("json body"))
    }

    /// Issues a ticket and returns its body; panics unless 201.
    pub async fn issue(&self, service: &str, priority: bool) -> Value {
        let (status, body) = self
            .issue_raw(json!({"service": service, "priority": priority}))
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    pub async fn number(&self, service: &str) -> String {
        self.issue(service, false).await["number"]
            .as_str()
            .expect("number")
            .to_string()
    }

    pub async fn op(&self, counter: u32, op: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.as_staff(
            reqwest::Method::POST,
            &format!("/api/v1/counters/{counter}/{op}"),
            &self.operator,
        );
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.expect("json body"))
    }

    /// Calls the next number at a counter and returns it (None when no one waits).
    pub async fn call_next(&self, counter: u32) -> Option<String> {
        let (status, body) = self.op(counter, "call-next", None).await;
        assert_eq!(status, 200, "{body}");
        body["ticket"]["number"].as_str().map(str::to_string)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.expect("json body"))
    }

    pub async fn ticket(&self, id: u64) -> Value {
        let (status, body) = self.get(&format!("/api/v1/tickets/{id}")).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub async fn queue(&self) -> Value {
        let (status, body) = self.get("/api/v1/queue").await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Moves the clock forward to `to` a day at a time, the daemon seeing each day (a health
    /// read begins it), as a box running through the days would: a clock that jumps weeks
    /// ahead at once is held as implausible (`clock_suspect`).
    pub async fn walk_clock_to(&self, to: DateTime<Utc>) {
        let mut at = self.clock.now();
        while to - at > chrono::Duration::days(1) {
            at += chrono::Duration::days(1);
            self.clock.set(at);
            self.health().await;
        }
        self.clock.set(to);
    }

    pub async fn health(&self) -> Value {
        self.get("/healthz").await.1
    }
}

/// An upload checked and written into `data_dir`'s attachment folder, ready for
/// `StoreHandle::attach_to_complaint` (as the web layer stages it off the store's thread).
#[allow(dead_code)]
pub fn staged(data_dir: &Path, bytes: &[u8]) -> loket::attachments::Staged {
    loket::attachments::Attachments::new(data_dir, 64 * 1024 * 1024)
        .stage(bytes)
        .expect("stage")
}
