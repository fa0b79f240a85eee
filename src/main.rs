//! The `loket` command line: serve the daemon, check a configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use tracing::{error, info, warn};

use loket::app;
use loket::clock::SystemClock;
use loket::complaint::Sop;
use loket::config::Config;

#[derive(Parser)]
#[command(
    name = "loket",
    about = "Antrian dan pengaduan kantor layanan publik / queue and complaint appliance"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon (the default when no command is given).
    Serve(ServeArgs),
    /// Validate a configuration file (the embedded default when none is given).
    CheckConfig { file: Option<PathBuf> },
    /// The ticket printer: list USB printers, ask its status, print a test page.
    #[command(subcommand)]
    Printer(PrinterCommand),
    /// Staff accounts (with the daemon stopped; the console's user page otherwise).
    #[command(subcommand)]
    User(UserCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Read every table and row of the database (daemon stopped, or a copy); exit 1 on
    /// damage, naming the table.
    Check {
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Complaints (with the daemon stopped).
    #[command(subcommand)]
    Complaints(ComplaintsCommand),
    /// Write a consistent copy of the database to FILE (while the daemon runs, too).
    Backup {
        file: PathBuf,
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Replace the database with the copy in FILE, after checking it (daemon stopped).
    Restore {
        file: PathBuf,
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// The city's central PostgreSQL (docs/city.md): its schema and its office roles.
    #[command(subcommand)]
    City(CityCommand),
    /// Bring the database to this build's schema (a copy of it kept beside it first) and
    /// say what was done; exit 2 when the database is newer than this build (daemon stopped).
    Migrate {
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

/// How `loket city` reaches the server.
#[derive(clap::Args)]
struct CityServer {
    /// PostgreSQL connection string of an administrator (`postgresql://postgres@kota.example/loket_kota`).
    #[arg(long)]
    url: String,
    /// The administrator's password, in a file.
    #[arg(long)]
    password_file: Option<PathBuf>,
    /// The server's certificate (PEM): the only one accepted. Required unless the server is
    /// on a Unix socket of this machine.
    #[arg(long)]
    server_certificate: Option<PathBuf>,
}

#[derive(Subcommand)]
enum CityCommand {
    /// Create the city schema in an empty database (or bring it up to date).
    Init(CityServer),
    /// A login role for one office: it may insert and read only its own office's rows.
    AddOffice {
        #[command(flatten)]
        server: CityServer,
        /// The office's `office.code`.
        #[arg(long)]
        code: String,
        /// How the city's pages name the office (`Dinas Kependudukan dan Pencatatan Sipil`).
        #[arg(long)]
        name: Option<String>,
        /// The role's name (a-z, 0-9, _), the user in the office's `[city] url`.
        #[arg(long)]
        role: String,
        /// A file holding the role's password (the office's `[city] password_file`).
        #[arg(long)]
        office_password_file: PathBuf,
    },
    /// Serve the city view: the offices side by side, from the city's PostgreSQL.
    Serve {
        /// The view's configuration (docs/city.md, "City view: server").
        #[arg(long)]
        config: PathBuf,
    },
    /// An account of the city view.
    AddViewer {
        #[command(flatten)]
        server: CityServer,
        #[arg(long)]
        username: String,
        /// pimpinan, pengawas, kepala_kantor or admin.
        #[arg(long)]
        role: String,
        /// For kepala_kantor: the office codes it may see, comma-separated.
        #[arg(long, value_delimiter = ',')]
        offices: Option<Vec<String>>,
        /// A file holding the account's password.
        #[arg(long)]
        viewer_password_file: PathBuf,
    },
    /// Disable a city view account: its sessions end at their next request.
    DisableViewer {
        #[command(flatten)]
        server: CityServer,
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled city view account again.
    EnableViewer {
        #[command(flatten)]
        server: CityServer,
        #[arg(long)]
        username: String,
    },
    /// The login role the city view's server connects as (reads every record, writes
    /// only the login record).
    AddViewRole {
        #[command(flatten)]
        server: CityServer,
        /// The role's name (a-z, 0-9, _), the user in the view's `database.url`.
        #[arg(long)]
        role: String,
        /// A file holding the role's password (the view's `database.password_file`).
        #[arg(long)]
        role_password_file: PathBuf,
    },
}

impl From<CityServer> for loket::city_cli::Server {
    fn from(s: CityServer) -> Self {
        Self {
            url: s.url,
            password_file: s.password_file,
            server_certificate: s.server_certificate,
        }
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; prints a generated password unless --password-stdin is given.
    Add {
        name: String,
        /// One or more of: operator, customer_service, complaint_officer, kasubbag_umum,
        /// kasi, sekretaris, kepala_dinas, admin.
        #[arg(long = "role", required = true, num_args = 1..)]
        roles: Vec<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// List accounts.
    List {
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Set a new password (read from standard input) for an account.
    Passwd {
        name: String,
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Disable an account; its sessions end at their next request. The last enabled
    /// administrator cannot be disabled.
    Disable {
        name: String,
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Enable a disabled account again (its password is unchanged).
    Enable {
        name: String,
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ComplaintsCommand {
    /// Delete the identity and attachment files of complaints closed longer ago than
    /// `complaints.retention_days`; prints how many.
    Purge {
        /// Configuration file (for the retention); the embedded default when absent.
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the audit log; names the first broken entry.
    Verify {
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum PrinterCommand {
    /// USB printers seen on the bus: vid:pid, product, interface.
    List,
    /// Real-time status of the configured printer.
    Status(PrinterArgs),
    /// Print a test page on the configured printer.
    Test(PrinterArgs),
}

#[derive(clap::Args)]
struct PrinterArgs {
    /// Configuration file; the embedded default when absent.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Data directory (for the spool); as for `serve`.
    #[arg(long)]
    data: Option<PathBuf>,
}

#[derive(clap::Args, Default)]
struct ServeArgs {
    /// Configuration file; the embedded default when absent.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Data directory; $STATE_DIRECTORY under systemd, else ./loket-data.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Listen address, overriding the configuration (e.g. 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Start a new, empty database where the data directory was used before but its
    /// database is missing or empty; the old files are moved into `before-init-TIME/`.
    /// Without it, such a start is refused (restore a backup instead).
    #[arg(long)]
    init: bool,
    /// Read every table of the database before starting (as `loket check`) and refuse to
    /// start, with the report, when one is damaged. Also `LOKET_CHECK_AT_START=1`.
    #[arg(long)]
    check: bool,
}

/// `loket 0.1.0 (skema basis data 2 / database schema 2)`: the schema says which databases
/// this build opens, and so whether going back to it is possible.
fn version_line() -> String {
    let schema = loket::store::SCHEMA_VERSION;
    format!(
        "{} (skema basis data {schema} / database schema {schema})",
        env!("CARGO_PKG_VERSION")
    )
}

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().version(version_line()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match cli.command {
        Some(Command::CheckConfig { file }) => check_config(file),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Printer(cmd)) => printer(cmd),
        Some(Command::User(cmd)) => report(loket::accounts_cli::user(cmd.into())),
        Some(Command::Backup { file, data }) => report(
            loket::backup_cli::backup(&file, &app::default_data_dir(data.as_deref()))
                .map_err(|e| (1, e.to_string())),
        ),
        Some(Command::Restore { file, data }) => report(
            loket::backup_cli::restore(&file, &app::default_data_dir(data.as_deref()))
                .map_err(|e| (1, e.to_string())),
        ),
        Some(Command::Migrate { data }) => report(loket::migrate_cli::migrate(
            &app::default_data_dir(data.as_deref()),
            {
                use loket::clock::Clock;
                SystemClock.now()
            },
        )),
        Some(Command::Check { data }) => report(loket::check_cli::check(&app::default_data_dir(
            data.as_deref(),
        ))),
        Some(Command::Audit(AuditCommand::Verify { data })) => report(
            loket::accounts_cli::audit_verify(&app::default_data_dir(data.as_deref())),
        ),
        Some(Command::Complaints(ComplaintsCommand::Purge { config, data })) => {
            report(loket::complaints_cli::purge(
                &app::default_data_dir(data.as_deref()),
                config.as_deref(),
            ))
        }
        Some(Command::City(CityCommand::Init(server))) => {
            report(loket::city_cli::init(&server.into()))
        }
        Some(Command::City(CityCommand::AddOffice {
            server,
            code,
            name,
            role,
            office_password_file,
        })) => report(loket::city_cli::add_office(
            &server.into(),
            &code,
            name.as_deref(),
            &role,
            &office_password_file,
        )),
        Some(Command::City(CityCommand::Serve { config })) => city_serve(&config),
        Some(Command::City(CityCommand::AddViewer {
            server,
            username,
            role,
            offices,
            viewer_password_file,
        })) => report(loket::city_cli::add_viewer(
            &server.into(),
            &username,
            &role,
            offices.as_deref(),
            &viewer_password_file,
        )),
        Some(Command::City(CityCommand::DisableViewer { server, username })) => report(
            loket::city_cli::set_viewer_disabled(&server.into(), &username, true),
        ),
        Some(Command::City(CityCommand::EnableViewer { server, username })) => report(
            loket::city_cli::set_viewer_disabled(&server.into(), &username, false),
        ),
        Some(Command::City(CityCommand::AddViewRole {
            server,
            role,
            role_password_file,
        })) => report(loket::city_cli::add_view_role(
            &server.into(),
            &role,
            &role_password_file,
        )),
        None => serve(ServeArgs::default()),
    }
}

fn load_config(file: Option<&PathBuf>) -> Result<Config, loket::config::ConfigErrors> {
    match file {
        Some(f) => Config::load(f),
        None => Config::embedded(),
    }
}

fn check_config(file: Option<PathBuf>) -> ExitCode {
    let name = file.as_ref().map_or_else(
        || "(embedded default)".to_string(),
        |f| f.display().to_string(),
    );
    let mut ok = true;
    match load_config(file.as_ref()) {
        Ok(config) => {
            println!("OK: {name}");
            for w in &config.warnings {
                eprintln!("  peringatan / warning: {w}");
            }
            if let Some(w) = calendar_warning(&config) {
                eprintln!("  peringatan / warning: {w}");
            }
        }
        Err(errs) => {
            ok = false;
            eprintln!("{name}: {} error(s)", errs.0.len());
            for e in &errs.0 {
                eprintln!("  {e}");
            }
        }
    }
    // The complaint flows: the compiled-in ones and any in sop/ beside the file.
    match Sop::load(file.as_deref()) {
        Ok(sop) => {
            for flow in sop.flows() {
                println!(
                    "OK: alur {} \"{}\" versi {} ({})",
                    flow.id,
                    flow.name,
                    flow.short_version(),
                    sop.file_of(&flow.id).unwrap_or("?")
                );
            }
        }
        Err(errs) => {
            ok = false;
            eprintln!(
                "alur pengaduan / complaint flows: {} error(s)",
                errs.0.len()
            );
            for e in &errs.0 {
                eprintln!("  {e}");
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// The holiday files run out within `WARN_DAYS_AHEAD` days of today (office-local): after
/// that, only weekends and the weekly hours count, and a decree's holidays would be worked.
fn calendar_warning(config: &Config) -> Option<String> {
    use loket::clock::Clock;
    let today = loket::clock::local_date(SystemClock.now(), config.office.time_zone);
    config.calendar.coverage_warning(today)
}

impl From<UserCommand> for loket::accounts_cli::UserCommand {
    fn from(c: UserCommand) -> Self {
        use loket::accounts_cli::UserCommand as U;
        let dir = |d: Option<PathBuf>| app::default_data_dir(d.as_deref());
        match c {
            UserCommand::Add {
                name,
                roles,
                password_stdin,
                data,
            } => U::Add {
                name,
                roles,
                password_stdin,
                data: dir(data),
            },
            UserCommand::List { data } => U::List { data: dir(data) },
            UserCommand::Passwd { name, data } => U::Passwd {
                name,
                data: dir(data),
            },
            UserCommand::Disable { name, data } => U::Disable {
                name,
                data: dir(data),
            },
            UserCommand::Enable { name, data } => U::Enable {
                name,
                data: dir(data),
            },
        }
    }
}

/// Prints the outcome; exit 0, 1 on failure, or the code the command chose.
fn report(r: Result<String, (u8, String)>) -> ExitCode {
    match r {
        Ok(out) => {
            if !out.is_empty() {
                println!("{out}");
            }
            ExitCode::SUCCESS
        }
        Err((code, e)) => {
            eprintln!("{e}");
            ExitCode::from(code)
        }
    }
}

type PrinterRun = fn(&Config, &std::path::Path) -> Result<String, String>;

fn printer(cmd: PrinterCommand) -> ExitCode {
    let (args, run): (PrinterArgs, PrinterRun) = match cmd {
        PrinterCommand::List => {
            return match loket::printer::cli::list() {
                Ok(out) => {
                    println!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            };
        }
        PrinterCommand::Status(a) => (a, |c, d| {
            loket::printer::cli::status(c, d).and_then(|(name, status)| {
                let line = format!("{name}: {} ({status:?})", status.label_id());
                if status.ready() { Ok(line) } else { Err(line) }
            })
        }),
        PrinterCommand::Test(a) => (a, loket::printer::cli::test),
    };
    let config = match load_config(args.config.as_ref()) {
        Ok(c) => c,
        Err(errs) => {
            for e in &errs.0 {
                eprintln!("config: {e}");
            }
            return ExitCode::from(2);
        }
    };
    let data_dir = app::default_data_dir(args.data.as_deref());
    match run(&config, &data_dir) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to the journal (with priorities and fields) when systemd connected our stderr to
/// it, to the terminal otherwise.
fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let journal = std::env::var_os("JOURNAL_STREAM")
        .is_some()
        .then(|| tracing_journald::layer().ok())
        .flatten();
    match journal {
        Some(layer) => tracing_subscriber::registry()
            .with(filter)
            .with(layer)
            .init(),
        None => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    init_logging();
    let config = match load_config(args.config.as_ref()) {
        Ok(c) => c,
        Err(errs) => {
            for e in &errs.0 {
                error!("config: {e}");
            }
            return ExitCode::from(2);
        }
    };
    // Checked at start so a broken file in sop/ stops the daemon now, not at the first
    // complaint; the store opens complaints on these flows.
    let mut config = config;
    match Sop::load(args.config.as_deref()) {
        Ok(sop) => config.sop = std::sync::Arc::new(sop),
        Err(errs) => {
            for e in &errs.0 {
                error!("complaint flows: {e}");
            }
            return ExitCode::from(2);
        }
    }
    match &args.config {
        Some(f) => info!(file = %f.display(), "configuration loaded"),
        None => info!("no configuration file given: using the embedded default"),
    }
    for w in &config.warnings {
        warn!("config: {w}");
    }
    if let Some(w) = calendar_warning(&config) {
        warn!("{w}");
    }
    let listen = args.listen.unwrap_or(config.listen);
    let data_dir = app::default_data_dir(args.data.as_deref());
    // Before anything is created in it: a lost database is not silently made new.
    let set_aside = match loket::data_dir::check(&data_dir, args.init, {
        use loket::clock::Clock;
        SystemClock.now()
    }) {
        Ok(s) => s,
        Err(why) => {
            error!("{why}");
            return ExitCode::from(2);
        }
    };
    // A database from a newer release (the package was downgraded): refused with the way
    // back, before anything opens it.
    if let Ok(Some(found)) = loket::store::migrate::schema_version(&data_dir.join(app::DB_FILE))
        && found > loket::store::SCHEMA_VERSION
    {
        let why = loket::downgrade::refusal(
            &data_dir,
            found,
            loket::store::SCHEMA_VERSION,
            loket::downgrade::Caller::Service,
        );
        for line in why.lines() {
            error!("{line}");
        }
        return ExitCode::from(2);
    }
    let check_at_start =
        args.check || std::env::var("LOKET_CHECK_AT_START").is_ok_and(|v| v == "1");
    if check_at_start && data_dir.join(app::DB_FILE).exists() {
        match loket::check_cli::check(&data_dir) {
            Ok(out) => info!("{}", out.replace('\n', "; ")),
            Err((code, out)) => {
                for line in out.lines() {
                    error!("check: {line}");
                }
                return ExitCode::from(code);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            error!(error = %e, "cannot start the runtime");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let mut running = match app::start(app::Options {
            config,
            data_dir,
            listen,
            clock: Arc::new(SystemClock),
            open_db: None,
        })
        .await
        {
            Ok(r) => r,
            Err(e) => {
                error!("{e:#}");
                return ExitCode::FAILURE;
            }
        };
        if let Some(s) = &set_aside {
            let dir = s.dir.display().to_string();
            warn!(kept = %dir, files = %s.names.join(", "), "--init: a new database; the earlier files are kept aside");
            let audited = running
                .store
                .audit(loket::audit::Who::system(), "data_initialised", &dir, &s.names.join(", "))
                .await;
            if let Err(e) = audited {
                error!(error = %e, "the fresh start is not in the audit log");
            }
        }
        // systemd (Type=notify): ready now that the store is open and the listener bound.
        let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
        let watchdog = sd_notify::watchdog_enabled()
            .map(|every| tokio::spawn(feed_watchdog(running.store.clone(), every / 2)));
        tokio::select! {
            () = wait_for_signal() => {
                info!("shutting down");
                let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
                // A stopping store stops answering: the watchdog must not log that as a fault.
                if let Some(w) = watchdog {
                    w.abort();
                }
                running.stop().await;
                ExitCode::SUCCESS
            }
            why = running.failed() => {
                error!(%why, "exiting so the service manager restarts loket");
                ExitCode::FAILURE
            }
        }
    })
}

/// `loket city serve`: the city view until SIGTERM or Ctrl-C. A bad configuration exits 2
/// with each field's path.
fn city_serve(file: &std::path::Path) -> ExitCode {
    init_logging();
    let config = match loket::config::CityViewConfig::load(file) {
        Ok(c) => c,
        Err(errs) => {
            for e in &errs.0 {
                error!("config: {e}");
            }
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            error!(error = %e, "cannot start the runtime");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let running = match loket::city::serve::start(loket::city::serve::Options {
            config,
            clock: Arc::new(SystemClock),
        })
        .await
        {
            Ok(r) => r,
            Err(e) => {
                error!("{e:#}");
                return ExitCode::FAILURE;
            }
        };
        let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
        wait_for_signal().await;
        info!("shutting down");
        running.stop().await;
        ExitCode::SUCCESS
    })
}

/// Tells systemd we are alive only while the store answers: a stuck store thread stops the
/// pings, and systemd restarts the daemon. A store in degraded mode (the disk refuses
/// writes) still answers and serves reads, so it is fed; `STATUS=` says degraded, and says
/// so again when writing works again.
async fn feed_watchdog(store: loket::store::StoreHandle, every: std::time::Duration) {
    let mut told: Option<String> = None;
    loop {
        tokio::time::sleep(every).await;
        let answered = tokio::time::timeout(every, store.health()).await;
        match answered {
            Ok(Ok(h)) => {
                let status = match h.store {
                    loket::store::StoreStatus::Ok => "ok".to_string(),
                    loket::store::StoreStatus::Degraded { fault, .. } => {
                        format!("degraded: {fault}; changes are refused, reads served")
                    }
                };
                let mut states = vec![sd_notify::NotifyState::Watchdog];
                // The first ping of a healthy start says nothing: "ok" is the default.
                let changed = match &told {
                    None => status != "ok",
                    Some(t) => *t != status,
                };
                if changed {
                    states.push(sd_notify::NotifyState::Status(&status));
                }
                let _ = sd_notify::notify(&states);
                told = Some(status);
            }
            _ => error!("the store does not answer: the watchdog is no longer fed"),
        }
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
