//! Startup: builds the daemon from configuration and returns something a test can start on
//! port 0 and stop again, with the database closed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle as TaskHandle;
use tracing::{info, warn};

use crate::auth::Throttle;
use crate::clock::Clock;
use crate::config::Config;
use crate::events::{Events, StaffEvents};
use crate::printer::{self, Printer};
use crate::store::{self, StoreError, StoreHandle};
use crate::web::{AppState, RateLimiter, router};

pub const DB_FILE: &str = "loket.redb";

pub struct Options {
    pub config: Config,
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub clock: Arc<dyn Clock>,
    /// None in the daemon: the redb file in `data_dir`.
    pub open_db: Option<store::Opener>,
}

/// A started daemon. `stop` ends it cleanly: listener closed, queued requests answered,
/// database closed, printer jobs finished.
pub struct Running {
    pub addr: SocketAddr,
    pub store: StoreHandle,
    pub events: Events,
    /// What the router serves with; tests build the same router around it.
    pub state: AppState,
    server: TaskHandle<()>,
    shutdown: oneshot::Sender<()>,
    fatal: oneshot::Receiver<StoreError>,
    /// Background tasks that may use the store: ended before it closes.
    tasks: Vec<(&'static str, TaskHandle<()>)>,
    /// The store's thread first, then the printer's.
    threads: Vec<JoinHandle<()>>,
    button: Option<JoinHandle<()>>,
    button_stop: Arc<AtomicBool>,
}

pub async fn start(opts: Options) -> anyhow::Result<Running> {
    let mut config = opts.config;
    std::fs::create_dir_all(&opts.data_dir)
        .with_context(|| format!("cannot create data directory {}", opts.data_dir.display()))?;
    // Before the printer starts: every ticket's QR code carries its survey tag.
    let link_key =
        crate::survey::link::LinkKey::load_or_create(&opts.data_dir).with_context(|| {
            format!(
                "cannot read or make the survey link key {}",
                opts.data_dir.join(crate::survey::link::FILE).display()
            )
        })?;
    config.survey.link_key = Some(Arc::new(link_key));
    let config = Arc::new(config);
    let listener = TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let addr = listener.local_addr()?;
    let scheme = if config.https { "https" } else { "http" };
    let base_url = config
        .printer
        .base_url
        .clone()
        .or_else(|| lan_base_url(scheme, addr));
    warn_if_unreachable(base_url.as_deref());
    let events = Events::new(1024);
    let staff_events = StaffEvents::new(1024);
    let (store, inbox) = store::channel();
    let mut threads = Vec::new();

    // Finding a USB printer and opening the database block: off the executor.
    let spool_dir = opts.data_dir.join("spool");
    let printer_config = config.printer.clone();
    let transport =
        tokio::task::spawn_blocking(move || printer::transport::open(&printer_config, &spool_dir))
            .await?
            .context("cannot set up the ticket printer")?;
    let printer = match transport {
        Some(t) => {
            let notify_store = store.clone();
            let (p, thread) = Printer::start(
                t,
                config.clone(),
                base_url.clone(),
                opts.clock.clone(),
                Box::new(move |event| notify_store.printer_event(event)),
            )?;
            threads.push(thread);
            Some(p)
        }
        None => {
            warn!("printer.kind = \"none\": numbers are shown on the kiosk screen only");
            None
        }
    };
    let db_path = opts.data_dir.join(DB_FILE);
    let spawned = {
        let (config, clock, events, staff_events, printer) = (
            config.clone(),
            opts.clock.clone(),
            events.clone(),
            staff_events.clone(),
            printer.clone(),
        );
        let open_db = opts.open_db;
        tokio::task::spawn_blocking(move || {
            store::spawn(
                &db_path,
                inbox,
                config,
                clock,
                store::Buses {
                    events,
                    staff: staff_events,
                },
                printer,
                open_db,
            )
        })
        .await??
    };
    // The store thread goes first in the list: it is stopped before the printer's.
    threads.insert(0, spawned.thread);
    let button_stop = Arc::new(AtomicBool::new(false));
    let button = match config.button.clone() {
        Some(button) => Some(crate::button::spawn(
            button,
            config.clone(),
            store.clone(),
            printer.clone(),
            tokio::runtime::Handle::current(),
            button_stop.clone(),
        )?),
        None => None,
    };
    let voice = match &config.display.voice_pack {
        Some(dir) => crate::voice::Pack::from_dir(dir)
            .with_context(|| format!("voice pack {}", dir.display()))?,
        None => crate::voice::Pack::embedded().context("built-in voice pack")?,
    };
    let state = AppState {
        closing: tokio::sync::watch::channel(false).0,
        voice: Arc::new(voice),
        store: store.clone(),
        config: config.clone(),
        events: events.clone(),
        staff_events,
        clock: opts.clock.clone(),
        printer,
        kiosk_limit: Arc::new(RateLimiter::new(config.kiosk.max_tickets_per_minute)),
        track_limit: Arc::new(RateLimiter::with_burst(
            crate::web::TRACK_LOOKUPS_PER_MINUTE,
            crate::web::TRACK_LOOKUPS_PER_MINUTE,
        )),
        survey_limit: Arc::new(RateLimiter::with_burst(
            crate::web::SURVEY_POSTS_PER_MINUTE,
            crate::web::SURVEY_POSTS_PER_MINUTE,
        )),
        display_ikm: Arc::default(),
        tablet_limit: Arc::new(RateLimiter::with_burst(
            crate::web::SURVEY_TABLET_REFUSALS_PER_MINUTE,
            crate::web::SURVEY_TABLET_REFUSALS_PER_MINUTE,
        )),
        login_throttle: Arc::new(std::sync::Mutex::new(Throttle::default())),
        login_slots: Arc::new(tokio::sync::Semaphore::new(2)),
        flashes: Arc::default(),
        data_dir: Arc::from(opts.data_dir.as_path()),
    };
    first_admin(&store, &opts.data_dir, opts.clock.as_ref()).await?;
    mark_used(&store, &opts.data_dir, opts.clock.as_ref()).await;
    // Everything that can still fail comes before the tasks start: a start that fails
    // leaves no task running.
    let tls = if config.https {
        let addrs: Vec<std::net::IpAddr> = lan_address().into_iter().collect();
        let data_dir = opts.data_dir.clone();
        let (cert, key) =
            tokio::task::spawn_blocking(move || crate::tls::ensure_certificate(&data_dir, &addrs))
                .await??;
        Some(tokio_rustls::TlsAcceptor::from(crate::tls::server_config(
            &cert, &key,
        )?))
    } else {
        None
    };
    let slots = crate::listen::slots::Slots::new(
        config.limits.clone(),
        crate::listen::fd_limit::size_cap(config.limits.max_connections),
    );
    let mut tasks = vec![(
        "control socket",
        tokio::spawn(crate::control::serve(
            opts.data_dir.clone(),
            store.clone(),
            state.closing.subscribe(),
        )),
    )];
    if let Some(dir) = config.backup.dir.clone() {
        tasks.push((
            "nightly backup",
            tokio::spawn(nightly_backups(state.clone(), dir)),
        ));
    }
    tasks.push((
        "nightly complaint purge",
        tokio::spawn(nightly_purge(state.clone())),
    ));
    // The city exporter: its own task, reading the outbox through the store like any
    // reader; the office never waits on it (docs/city.md).
    if let Some(city) = config.city.clone() {
        tasks.push((
            "city backfill",
            tokio::spawn(crate::city::backfill::run(
                store.clone(),
                state.closing.subscribe(),
            )),
        ));
        tasks.push((
            "city export",
            tokio::spawn(crate::city::export::run(
                store.clone(),
                city,
                config.office.code.clone(),
                state.closing.subscribe(),
            )),
        ));
    }
    if let Some(device) = config.display.framebuffer.clone() {
        tasks.push((
            "framebuffer board",
            tokio::spawn(framebuffer_board(state.clone(), device)),
        ));
    }
    let app = router(state.clone());
    let (shutdown, on_shutdown) = oneshot::channel::<()>();
    let stopped = async {
        let _ = on_shutdown.await;
    };
    let server = tokio::spawn(crate::listen::serve(
        listener,
        tls,
        app,
        slots,
        config.limits.clone(),
        stopped,
    ));
    log_urls(scheme, addr);
    Ok(Running {
        addr,
        store,
        events,
        state,
        server,
        shutdown,
        fatal: spawned.fatal,
        tasks,
        threads,
        button,
        button_stop,
    })
}

/// The account made at the first start.
pub const FIRST_ADMIN: &str = "admin";
pub const INITIAL_PASSWORD_FILE: &str = "initial-admin-password";

/// Deletes the first start's password file once the administrator has chosen their own:
/// a stale copy of a password is a risk even when it no longer works.
pub fn forget_initial_password(data_dir: &Path) {
    let path = data_dir.join(INITIAL_PASSWORD_FILE);
    match std::fs::remove_file(&path) {
        Ok(()) => info!(file = %path.display(), "the first administrator password file is deleted"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            warn!(file = %path.display(), error = %e, "cannot delete the first administrator password file")
        }
    }
}

/// On the first start, an `admin` account with a random password, written once to
/// `DATA/initial-admin-password` (readable by the service's user only) and never logged. It
/// must be changed at the first login.
async fn first_admin(
    store: &StoreHandle,
    data_dir: &Path,
    clock: &dyn Clock,
) -> anyhow::Result<()> {
    if !store.users().await?.is_empty() {
        return Ok(());
    }
    let password = crate::auth::generate_password().map_err(anyhow::Error::msg)?;
    let p = password.clone();
    let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&p))
        .await?
        .map_err(anyhow::Error::msg)?;
    let path = data_dir.join(INITIAL_PASSWORD_FILE);
    write_private(&path, &format!("{password}\n"))
        .with_context(|| format!("cannot write {}", path.display()))?;
    let user = crate::auth::User {
        username: FIRST_ADMIN.to_string(),
        display_name: "Administrator".to_string(),
        roles: vec![crate::auth::Role::Admin],
        password_hash: hash,
        disabled: false,
        must_change_password: true,
        created_at: clock.now(),
    };
    store
        .put_user(user, crate::audit::Who::system(), "user_added")
        .await?;
    warn!(
        file = %path.display(),
        "first start: account `admin` created; its password is in this file (change it at the first login)"
    );
    Ok(())
}

/// Marks the data directory as used, once, so that a database lost later is not silently
/// replaced by a new one at the next start (`data_dir::check`).
async fn mark_used(store: &StoreHandle, data_dir: &Path, clock: &dyn Clock) {
    if data_dir.join(crate::data_dir::MARKER).exists() {
        return;
    }
    let identity = match store.audit_entries().await {
        Ok(entries) => entries.first().map(|e| e.hash.clone()).unwrap_or_default(),
        Err(e) => {
            warn!(error = %e, "the data directory is not marked as used: the audit log cannot be read");
            return;
        }
    };
    if let Err(e) = crate::data_dir::write_marker(data_dir, clock.now(), &identity) {
        warn!(error = %e, "the data directory is not marked as used");
    }
}

/// Creates `path` readable and writable by the owner only (0600) before anything is in it.
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// A copy of the database every night at `backup.at` (office time) into `backup.dir`
/// (a USB stick), keeping the newest `backup.keep`. Re-checks the time every ten minutes, so
/// a clock corrected by NTP is followed.
async fn nightly_backups(state: AppState, dir: PathBuf) {
    use chrono::{Duration, Timelike};
    let mut closing = state.closing.subscribe();
    let mut last_day = None;
    loop {
        let now = state.clock.now();
        let local = now.with_timezone(&state.config.office.time_zone);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let due = minute >= state.config.backup.at && last_day != Some(local.date_naive());
        if due {
            last_day = Some(local.date_naive());
            let file = dir.join(format!("loket-{}.redb", local.format("%Y%m%d-%H%M%S")));
            match state.store.backup(file.clone()).await {
                Ok(summary) => {
                    info!(file = %file.display(), %summary, "nightly backup written");
                    for old in crate::store::backup::expired(&dir, state.config.backup.keep) {
                        let _ = std::fs::remove_file(&old);
                    }
                }
                Err(e) => warn!(file = %file.display(), error = %e, "nightly backup failed"),
            }
        }
        let wait = Duration::minutes(10).to_std().unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = closing.wait_for(|c| *c) => return,
        }
    }
}

/// Office time (minutes after midnight) after which the day's complaint purge runs.
const PURGE_AT: u16 = 2 * 60;

/// The retention rule once a day, after 02.00 office time (or at start when later): the
/// identity and attachment files of complaints closed more than `complaints.retention_days`
/// ago are deleted, and the survey's suggestions older than `survey.suggestion_days` are
/// emptied, audited as `system`. Re-checks every ten minutes, like the backup.
async fn nightly_purge(state: AppState) {
    use chrono::{Duration, Timelike};
    let mut closing = state.closing.subscribe();
    let mut last_day = None;
    loop {
        let now = state.clock.now();
        let local = now.with_timezone(&state.config.office.time_zone);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        if minute >= PURGE_AT && last_day != Some(local.date_naive()) {
            last_day = Some(local.date_naive());
            match state
                .store
                .purge_complaints(crate::audit::Who::system())
                .await
            {
                Ok(s) if s.complaints > 0 || s.files > 0 => info!(
                    complaints = s.complaints,
                    files = s.files,
                    "complaint identities purged under the retention rule"
                ),
                Ok(_) => {}
                Err(e) => warn!(error = %e, "nightly complaint purge failed"),
            }
            // The survey's suggestions, under the same rule: free text may hold personal data.
            match state.store.survey_purge_suggestions().await {
                Ok(0) => {}
                Ok(n) => info!(
                    suggestions = n,
                    "survey suggestions emptied under the retention rule"
                ),
                Err(e) => warn!(error = %e, "nightly survey suggestion purge failed"),
            }
        }
        let wait = Duration::minutes(10).to_std().unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = closing.wait_for(|c| *c) => return,
        }
    }
}

/// Keeps the board on the framebuffer current: redrawn after every event and every
/// 20 seconds (the clock). Drawing happens off the executor.
async fn framebuffer_board(state: AppState, device: PathBuf) {
    let fb = match tokio::task::spawn_blocking({
        let device = device.clone();
        move || crate::display::framebuffer::Framebuffer::open(&device)
    })
    .await
    {
        Ok(Ok(fb)) => fb,
        Ok(Err(e)) => {
            warn!(device = %device.display(), error = %e, "framebuffer unavailable: no board drawn");
            return;
        }
        Err(_) => return,
    };
    info!(device = %device.display(), width = fb.width, height = fb.height, format = %fb.format, "drawing the board on the framebuffer");
    let mut events = state.events.subscribe();
    let mut closing = state.closing.subscribe();
    loop {
        if let Ok(view) = state.store.view().await {
            let board = crate::display::Board::from_view(&state.config, &view, state.clock.now());
            let fb = fb.clone();
            let drawn = tokio::task::spawn_blocking(move || {
                fb.write(&crate::display::render(&board, fb.width, fb.height))
            })
            .await;
            if let Ok(Err(e)) = drawn {
                warn!(error = %e, "framebuffer write failed");
            }
        }
        tokio::select! {
            _ = events.recv() => {}
            _ = tokio::time::sleep(std::time::Duration::from_secs(20)) => {}
            _ = closing.wait_for(|c| *c) => return,
        }
    }
}

/// `http://<LAN address>:<port>`: where phones on the office network reach the tracking page.
fn lan_base_url(scheme: &str, addr: SocketAddr) -> Option<String> {
    let ip = if addr.ip().is_unspecified() {
        lan_address()?
    } else {
        addr.ip()
    };
    Some(format!("{scheme}://{}", SocketAddr::new(ip, addr.port())))
}

/// A ticket's QR that points at this box's loopback (or at no address) opens nothing on a
/// citizen's phone: say so at start, where the installer looks, not at the counter.
fn warn_if_unreachable(base_url: Option<&str>) {
    match base_url {
        None => warn!(
            "no LAN address found: tickets carry no QR code; set printer.base_url, \
             e.g. http://192.168.1.10:8080"
        ),
        Some(url) if points_at_loopback(url) => warn!(
            %url,
            "ticket QR codes point at this box's loopback address: phones cannot open them; \
             set printer.base_url to the LAN address, e.g. http://192.168.1.10:8080"
        ),
        Some(_) => {}
    }
}

fn points_at_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // `[::1]:8080`, `127.0.0.1:8080`, `localhost:8080`.
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

fn log_urls(scheme: &str, addr: SocketAddr) {
    let host = if addr.ip().is_unspecified() {
        lan_address().map_or_else(|| "127.0.0.1".to_string(), |ip| ip.to_string())
    } else {
        addr.ip().to_string()
    };
    let base = format!("{scheme}://{host}:{}", addr.port());
    info!(%addr, "listening");
    info!("kiosk page:   {base}/kiosk");
    info!("display:      {base}/display");
    info!("console:      {base}/console");
    info!("queue (JSON): {base}/api/v1/queue");
    info!("health:       {base}/healthz");
}

/// The address other machines on the LAN reach us at: the source address the kernel would
/// pick for an outside destination. A UDP "connect" sends nothing, so this works offline.
fn lan_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

impl Running {
    /// Resolves when the store has stopped on an error it cannot recover from; the daemon
    /// should then exit non-zero so that systemd restarts it.
    pub async fn failed(&mut self) -> StoreError {
        (&mut self.fatal).await.unwrap_or(StoreError::Stopped)
    }

    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        // Event streams never end by themselves: tell them to, so the server can drain.
        let _ = self.state.closing.send(true);
        // No new presses during the stop; the button's handle to the printer goes with it.
        self.button_stop.store(true, Ordering::Relaxed);
        if let Some(b) = self.button {
            let _ = tokio::task::spawn_blocking(move || b.join()).await;
        }
        // Open keep-alive connections must not hold the shutdown forever; the server task
        // holds handles (the printer's among them) that must go for the threads to end.
        let mut server = self.server;
        if tokio::time::timeout(std::time::Duration::from_secs(5), &mut server)
            .await
            .is_err()
        {
            server.abort();
            let _ = server.await;
        }
        // The background tasks end while the store still serves them: a backup they asked
        // for is finished, and none of them outlives the database.
        join_tasks(self.tasks, TASKS_STOP_WITHIN).await;
        // The store finishes its queue and the prints in flight, then closes the database;
        // then the printer thread is told to end (connections still draining may hold
        // handles to it).
        self.store.shutdown().await;
        drop(self.store);
        let mut threads = self.threads.into_iter();
        if let Some(store_thread) = threads.next() {
            let _ = tokio::task::spawn_blocking(move || store_thread.join()).await;
        }
        if let Some(p) = &self.state.printer {
            p.stop();
        }
        drop(self.state);
        for t in threads {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
        info!("stopped");
    }
}

/// How long the background tasks get to end at a stop (a nightly backup under way to a slow
/// USB stick among them), within systemd's TimeoutStopSec of 20 s.
const TASKS_STOP_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Waits for every task (told to stop by `closing`) to end; one still running at `within`
/// is cancelled, and said so, rather than hold the stop.
async fn join_tasks(tasks: Vec<(&'static str, TaskHandle<()>)>, within: std::time::Duration) {
    let deadline = tokio::time::Instant::now() + within;
    for (name, mut task) in tasks {
        if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
            warn!(task = name, "did not stop in time: cancelled");
            task.abort();
            let _ = task.await;
        }
    }
}

/// Data directory: the flag, else systemd's `$STATE_DIRECTORY`, else `./loket-data`.
pub fn default_data_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    match std::env::var_os("STATE_DIRECTORY") {
        // systemd may pass several, colon-separated; the first is ours.
        Some(v) if !v.is_empty() => PathBuf::from(
            v.to_string_lossy()
                .split(':')
                .next()
                .unwrap_or("loket-data")
                .to_string(),
        ),
        _ => PathBuf::from("loket-data"),
    }
}

#[cfg(test)]
mod qr_tests {
    use super::points_at_loopback;

    #[test]
    fn a_qr_to_loopback_is_recognised() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.0.1.1",
            "https://localhost:8443/",
            "http://[::1]:8080",
            "http://0.0.0.0:8080",
        ] {
            assert!(points_at_loopback(url), "{url}");
        }
        for url in [
            "http://192.168.1.10:8080",
            "https://loket.dukcapil.local",
            "http://[fe80::1]:8080",
        ] {
            assert!(!points_at_loopback(url), "{url}");
        }
    }
}
