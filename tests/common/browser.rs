//! A real browser for page tests: Debian's headless `chromium`, driven over the W3C WebDriver
//! protocol by `chromedriver` (both installed by `.ci/run`).
//!
//! The viewport is set exactly through DevTools (`Emulation.setDeviceMetricsOverride`): a
//! window size alone leaves a strip for the browser's (invisible) frame whose height depends
//! on the Chromium build, so pages would be laid out for a different screen on every machine.
//!
//! Every process the fixture starts ends with the `Browser`, on every path, panics included
//! (`Drop`): chromedriver leads its own process group, which Chromium's browser, zygotes,
//! renderers and helpers inherit; the crash handler starts a session of its own, so it is found
//! by the profile directory it names (its database lies in the profile, through
//! `XDG_CONFIG_HOME`), as is anything else that left the group.

use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    /// `None` once the processes have been ended.
    driver: Option<Child>,
    driver_pid: u32,
    base: String,
    session: String,
    http: reqwest::Client,
    profile_path: PathBuf,
    /// Removed after the processes that write into it have ended.
    profile: Option<tempfile::TempDir>,
}

/// A WebDriver error: its `error` code and message.
#[derive(Debug)]
pub struct WebDriverError {
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}

impl Browser {
    /// A 1280 × 800 viewport.
    pub async fn start() -> Self {
        Self::start_with(1280, 800, &[]).await
    }

    /// A viewport of exactly `width` × `height` CSS pixels (device scale 1, so screenshots
    /// have that size too), with extra Chromium flags. A failed start (chromedriver or
    /// Chromium not coming up) is retried twice.
    pub async fn start_with(width: u32, height: u32, extra: &[&str]) -> Self {
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Self::launch(width, height, extra).await {
                Ok(b) => {
                    b.set_viewport(width, height).await;
                    return b;
                }
                Err(e) => {
                    eprintln!("browser did not start ({e}); trying again");
                    failures.push(e);
                }
            }
        }
        panic!("the browser did not start: {failures:?}");
    }

    async fn launch(width: u32, height: u32, extra: &[&str]) -> Result<Self, String> {
        let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("chromedriver not found: run .ci/run (installs chromium and chromium-driver)");
        let profile = tempfile::Builder::new()
            .prefix("loket-chromium-")
            .tempdir()
            .map_err(|e| format!("profile dir: {e}"))?;
        let profile_path = profile.path().to_path_buf();
        // Port 0: chromedriver binds a free port itself and says which, so no other process
        // can take it between our choosing and its binding.
        let mut driver = Command::new(chromedriver)
            .arg("--port=0")
            .env("XDG_CONFIG_HOME", profile_path.join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("start chromedriver: {e}"))?;
        let stdout = driver.stdout.take().expect("piped stdout");
        let mut b = Self {
            driver_pid: driver.id(),
            driver: Some(driver),
            base: String::new(),
            session: String::new(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("http client"),
            profile_path,
            profile: Some(profile),
        };
        // From here on, an early return drops `b`, which ends what has been started.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Reads every line, so chromedriver never blocks on a full pipe.
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(port) = line
                    .split("started successfully on port ")
                    .nth(1)
                    .and_then(|rest| rest.trim_end_matches('.').trim().parse::<u16>().ok())
                {
                    let _ = tx.send(port);
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(20))
            .map_err(|e| format!("chromedriver did not report its port ({e})"))?;
        b.base = format!("http://127.0.0.1:{port}");

        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            // Colours as the page gives them, whatever the machine's display profile.
            "--force-color-profile=srgb",
        ]
        .into_iter()
        .map(str::to_string)
        .collect();
        args.push(format!("--window-size={width},{height}"));
        args.push(format!("--user-data-dir={}", b.profile_path.display()));
        args.extend(extra.iter().map(|s| s.to_string()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}
        }}});
        let r: Value = b
            .http
            .post(format!("{}/session", b.base))
            .json(&caps)
            .send()
            .await
            .map_err(|e| format!("new session: {e}"))?
            .json()
            .await
            .map_err(|e| format!("new session: {e}"))?;
        b.session = r["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {r}"))?
            .to_string();
        Ok(b)
    }

    /// Sets the layout viewport (and the screenshot size) to exactly `width` × `height`.
    async fn set_viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await;
        let got = self
            .script("return [window.innerWidth, window.innerHeight];")
            .await;
        assert_eq!(got, json!([width, height]), "viewport");
    }

    /// chromedriver's process id (it leads the process group of the browser).
    pub fn driver_pid(&self) -> u32 {
        self.driver_pid
    }

    /// The Chromium profile, unique to this browser; every process it started names it.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_path
    }

    /// Runs a Chrome DevTools Protocol command; its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
        .await
    }

    async fn try_cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req
            .send()
            .await
            .expect("webdriver")
            .json()
            .await
            .expect("json");
        let value = v["value"].clone();
        match value["error"].as_str() {
            Some(error) => Err(WebDriverError {
                error: error.to_string(),
                message: value["message"].as_str().unwrap_or_default().to_string(),
            }),
            None => Ok(value),
        }
    }

    /// A command that must succeed.
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_cmd(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("webdriver {path}: {e}"))
    }

    pub async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// The element's id, or None when the selector matches nothing.
    pub async fn find(&self, css: &str) -> Option<String> {
        self.try_cmd(
            reqwest::Method::POST,
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .ok()
        .and_then(|v| v[ELEMENT].as_str().map(str::to_string))
    }

    pub async fn count(&self, css: &str) -> usize {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_array().map_or(0, Vec::len)
    }

    /// Runs `op` on the element `css`, finding it again when the page replaced it in between
    /// (pages redraw on server events).
    async fn on_element(
        &self,
        css: &str,
        method: reqwest::Method,
        op: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let mut attempts = 0;
        loop {
            let Some(id) = self.find(css).await else {
                return Err(WebDriverError {
                    error: "no such element".into(),
                    message: css.into(),
                });
            };
            match self
                .try_cmd(method.clone(), &format!("/element/{id}{op}"), body.clone())
                .await
            {
                Err(e) if e.error == "stale element reference" && attempts < 10 => attempts += 1,
                r => return r,
            }
        }
    }

    pub async fn click(&self, css: &str) {
        self.on_element(css, reqwest::Method::POST, "/click", Some(json!({})))
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Types `text` into an input.
    pub async fn fill(&self, css: &str, text: &str) {
        self.on_element(
            css,
            reqwest::Method::POST,
            "/value",
            Some(json!({"text": text})),
        )
        .await
        .unwrap_or_else(|e| panic!("fill {css}: {e}"));
    }

    pub async fn url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits (up to 10 s) for the page's address to end with `suffix`: a form's submit
    /// returns before the browser has navigated.
    pub async fn wait_url(&self, suffix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.url().await;
            if url.ends_with(suffix) || Instant::now() > deadline {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Logs in through the login form.
    pub async fn login(&self, base: &str, user: &str, password: &str) {
        self.goto(&format!("{base}/login")).await;
        self.fill("#username", user).await;
        self.fill("#password", password).await;
        self.click("button[type=submit]").await;
    }

    /// Visible text of the element ("" when hidden or absent).
    pub async fn text(&self, css: &str) -> String {
        self.on_element(css, reqwest::Method::GET, "/text", None)
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Waits until the element shows `want` (the browser works asynchronously).
    pub async fn wait_text(&self, css: &str, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.text(css).await;
            if got.contains(want) || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs a script in the page; its return value.
    pub async fn script(&self, js: &str) -> Value {
        self.script_with(js, json!([])).await
    }

    /// Runs a script in the page with `arguments`; its return value.
    pub async fn script_with(&self, js: &str, args: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": js, "args": args})),
        )
        .await
    }

    /// Runs an asynchronous script with `arguments`: it calls its last argument with the
    /// result, which is returned (WebDriver's script timeout, 30 s, applies).
    pub async fn script_async(&self, js: &str, args: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": js, "args": args})),
        )
        .await
    }

    /// Sets the viewport to exactly `width` × `height` CSS pixels for the pages to come.
    pub async fn resize(&self, width: u32, height: u32) {
        self.set_viewport(width, height).await;
    }

    /// The viewport as PNG bytes.
    pub async fn screenshot(&self) -> Vec<u8> {
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        base64_decode(v.as_str().expect("screenshot"))
    }

    /// Closes the browser properly, then makes sure nothing it started is left. Dropping a
    /// `Browser` does the second part alone.
    pub async fn quit(mut self) {
        if self.driver.is_some() && !self.session.is_empty() {
            let _ = self.try_cmd(reqwest::Method::DELETE, "", None).await;
        }
        self.end_processes();
    }

    /// Ends chromedriver and every Chromium process, then removes the profile. Idempotent.
    fn end_processes(&mut self) {
        let Some(mut driver) = self.driver.take() else {
            return;
        };
        // The group bears chromedriver's id, which cannot have been reused: chromedriver is
        // our child and not yet reaped.
        // Every process to see end: the group's and those naming the profile, noted before
        // the kill (a dying process's command line reads empty, so it would no longer be
        // found by its profile while it still runs).
        let group = self.driver_pid;
        let mut ending: Vec<u32> = processes_in_group(group);
        ending.extend(processes_using(&self.profile_path));
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(-(group as libc::pid_t), libc::SIGKILL);
        }
        // Whatever left the group (Chromium's crash handler calls setsid) names the profile.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let naming = processes_using(&self.profile_path);
            for pid in &naming {
                if !ending.contains(pid) {
                    ending.push(*pid);
                }
                // SAFETY: as above.
                unsafe {
                    libc::kill(*pid as libc::pid_t, libc::SIGKILL);
                }
            }
            let alive: Vec<u32> = ending.iter().copied().filter(|p| is_running(*p)).collect();
            if naming.is_empty() && alive.is_empty() {
                break;
            }
            if Instant::now() > deadline {
                eprintln!("browser processes did not end: {alive:?} {naming:?}");
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = driver.wait();
        self.profile.take();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.end_processes();
    }
}

/// Running processes (zombies excluded: their command line is empty) with an argument that
/// names `dir` or a path inside it, such as `--user-data-dir=DIR` or
/// `--database=DIR/config/chromium/Crash Reports`.
pub fn processes_using(dir: &Path) -> Vec<u32> {
    let dir = dir.as_os_str().as_bytes();
    let names = |arg: &[u8]| {
        let value = if arg.starts_with(b"--") {
            match arg.iter().position(|c| *c == b'=') {
                Some(i) => &arg[i + 1..],
                None => return false,
            }
        } else {
            arg
        };
        value.starts_with(dir) && matches!(value.get(dir.len()), None | Some(b'/'))
    };
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        // Chromium's child processes rewrite their command line as one space-separated
        // string, so arguments are split at spaces too (the profile path has none).
        if cmdline.split(|c| *c == 0 || *c == b' ').any(names) {
            pids.push(pid);
        }
    }
    pids
}

/// Whether `pid` is a process that has not ended (a zombie has ended).
/// Processes whose process group is `pgid`.
fn processes_in_group(pgid: u32) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // After the command name: state, parent, process group.
        let pgrp = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(2))
            .and_then(|g| g.parse::<u32>().ok());
        if pgrp == Some(pgid) {
            pids.push(pid);
        }
    }
    pids
}

pub fn is_running(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the command name, which is in parentheses and may contain any byte.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    !matches!(state, None | Some('Z' | 'X' | 'x'))
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(value) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
