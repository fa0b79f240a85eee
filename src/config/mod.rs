//! Configuration: the office, its services, counters, opening and working hours, read from
//! TOML, with the holiday files, validated once at start into typed values. Unknown keys are
//! errors.

mod city;
mod city_view;
mod errors;
mod hours;
mod letter;
mod limits;
mod printer;
mod requeue;
mod survey;
mod working_hours;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

pub use city::{CityConfig, PersonalFields};
pub use city_view::{CityDatabase, CityViewConfig};
pub use errors::{ConfigError, ConfigErrors};
pub use hours::{DAY_NAMES_ID, TimeRange, WeekHours, format_minute};
pub use letter::{LetterConfig, Signer};
pub use limits::Limits;
pub use printer::{ButtonConfig, CodePage, FailurePolicy, Paper, PrinterConfig, PrinterKind};
pub use requeue::RequeuePolicy;
pub use survey::SurveyConfig;

pub use crate::calendar::Holiday;
pub(crate) use errors::line_of;

use crate::calendar::{Calendar, HolidaySource, Holidays};
use errors::Collector;
use hours::RawWeekHours;
use working_hours::RawWorkingHours;

/// The shipped default, compiled in so `loket serve` runs with no file at all.
pub const EMBEDDED_DEFAULT: &str = include_str!("../../config/loket.toml");

#[derive(Debug, Clone)]
pub struct Config {
    pub office: Office,
    pub listen: SocketAddr,
    /// Serve HTTPS with a self-signed certificate made at the first start.
    pub https: bool,
    pub numbering: Numbering,
    pub default_service_minutes: u32,
    pub hours: WeekHours,
    /// The office's working time: its staff's hours (`[working_hours]`), the holiday files
    /// and whether *cuti bersama* is worked. The SOP's deadlines run on it, and the queue
    /// closes on its days off.
    pub calendar: Calendar,
    /// `queue.open_on_holidays`: the queue keeps its hours on the calendar's days off.
    pub open_on_holidays: bool,
    /// `queue.requeue` / `queue.requeue_after`: where a ticket put back in the queue goes.
    pub requeue: RequeuePolicy,
    pub services: Vec<Service>,
    pub counters: Vec<Counter>,
    pub printer: PrinterConfig,
    /// The physical kiosk button, when one is wired to a GPIO line.
    pub button: Option<ButtonConfig>,
    pub console: ConsoleConfig,
    pub kiosk: KioskConfig,
    pub display: DisplayConfig,
    pub backup: BackupConfig,
    /// `[limits]`: connections held by the HTTP listener, and for how long.
    pub limits: Limits,
    /// `[complaints]`: the register's numbering, how long personal data is kept after a
    /// complaint closes, the largest attachment.
    pub complaints: ComplaintsConfig,
    /// `[letter]`: the reply letter's number, place, signers and template.
    pub letter: LetterConfig,
    /// `[survey]` and the questionnaire (`survey.toml`).
    pub survey: SurveyConfig,
    /// `[city]`: the central PostgreSQL the office's records are shipped to; none when the
    /// office exports nothing (docs/city.md).
    pub city: Option<CityConfig>,
    /// The complaint flows and the level → flow mapping. The compiled-in SOP unless the
    /// daemon loaded the office's `sop/` directory (`Sop::load`) and put it here.
    pub sop: std::sync::Arc<crate::complaint::Sop>,
    /// What still works but should change (the old `[[holidays]]` list), for `check-config`
    /// and the log at start.
    pub warnings: Vec<ConfigError>,
}

#[derive(Debug, Clone)]
pub struct BackupConfig {
    /// Where the nightly copies go (a USB stick); none when absent.
    pub dir: Option<std::path::PathBuf>,
    pub keep: usize,
    /// Minutes after local midnight.
    pub at: u16,
}

#[derive(Debug, Clone)]
pub struct ComplaintsConfig {
    /// The register number's pattern, e.g. `PGD/{year}/{month}/{seq}`.
    pub number_pattern: String,
    /// Days after a complaint closes before the complainant's identity and the attachment
    /// files are deleted.
    pub retention_days: u32,
    pub max_attachment_kib: u64,
}

impl ComplaintsConfig {
    pub fn max_attachment_bytes(&self) -> u64 {
        self.max_attachment_kib * 1024
    }
}

#[derive(Debug, Clone)]
pub struct DisplayConfig {
    /// The running text along the bottom of the lobby screen.
    pub running_text: String,
    /// How many of the latest calls the board lists.
    pub last_calls: usize,
    /// A directory of the office's own voice clips; the built-in pack when absent.
    pub voice_pack: Option<std::path::PathBuf>,
    /// Draw the board on this Linux framebuffer (`/dev/fb0`) for a screen with no browser.
    pub framebuffer: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    pub idle_timeout_minutes: u32,
    pub absolute_timeout_hours: u32,
    /// How often an open staff event stream checks that its session still stands.
    pub stream_recheck_secs: u32,
}

impl ConsoleConfig {
    pub fn session_limits(&self) -> crate::auth::SessionLimits {
        crate::auth::SessionLimits {
            idle: chrono::Duration::minutes(i64::from(self.idle_timeout_minutes)),
            absolute: chrono::Duration::hours(i64::from(self.absolute_timeout_hours)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct KioskConfig {
    /// Tickets one client address may take per minute (0: no limit).
    pub max_tickets_per_minute: u32,
}

#[derive(Debug, Clone)]
pub struct Office {
    /// The office's code, unique within its city (`3271-DUKCAPIL`): the first half of every
    /// complaint's id, so records collected centrally never clash.
    pub code: String,
    pub name: String,
    pub address: String,
    pub time_zone: Tz,
}

#[derive(Debug, Clone)]
pub struct Numbering {
    pub digits: usize,
    pub separator: String,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub code: String,
    pub prefix: String,
    pub name: String,
    pub name_en: String,
    pub default_service_minutes: u32,
    pub daily_quota: Option<u32>,
    /// Service-specific hours; the office's when absent.
    pub hours: Option<WeekHours>,
}

#[derive(Debug, Clone)]
pub struct Counter {
    pub id: u32,
    pub name: String,
    pub services: Vec<String>,
}

impl Config {
    pub fn embedded() -> Result<Self, ConfigErrors> {
        Self::from_toml_str(EMBEDDED_DEFAULT)
    }

    /// Reads `path` and the office's holiday files in `holidays/` beside it.
    pub fn load(path: &Path) -> Result<Self, ConfigErrors> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![ConfigError {
                file: None,
                path: String::new(),
                line: None,
                message: format!("cannot read {}: {e}", path.display()),
            }])
        })?;
        let dir = path
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join("holidays");
        let (office, unreadable) = crate::calendar::read_holiday_dir(&dir);
        match Self::from_toml_str_with_holidays(&src, &office) {
            Ok(mut config) if unreadable.is_empty() => {
                // The office's letter template (and its logo) beside the file, if it has one.
                let base = path.parent().unwrap_or_else(|| Path::new(""));
                // The shipped name may be absent (the built-in form is used); another name
                // was set on purpose and must be there.
                let file = &config.letter.template_file;
                let required = file != letter::DEFAULT_TEMPLATE;
                let template =
                    crate::letter::Template::load(base, file, required).map_err(ConfigErrors)?;
                config.letter.template = std::sync::Arc::new(template);
                // The office's questionnaire beside the file, if it has one.
                if let Some(q) = survey::load_questionnaire(base).map_err(ConfigErrors)? {
                    config.survey.questionnaire = std::sync::Arc::new(q);
                }
                Ok(config)
            }
            Ok(_) => Err(ConfigErrors(unreadable)),
            Err(mut errs) => {
                errs.0.extend(unreadable);
                Err(errs)
            }
        }
    }

    /// The configuration with the built-in holiday files only.
    pub fn from_toml_str(src: &str) -> Result<Self, ConfigErrors> {
        Self::from_toml_str_with_holidays(src, &[])
    }

    /// The configuration with the office's own holiday files, each replacing the built-in
    /// file of its year or adding a year.
    pub fn from_toml_str_with_holidays(
        src: &str,
        office_holidays: &[HolidaySource],
    ) -> Result<Self, ConfigErrors> {
        let (raw, mut errors) = parse_raw(src);
        let Some(raw) = raw else {
            return Err(ConfigErrors(errors));
        };
        match validate(&raw, office_holidays) {
            Ok(mut config) if errors.is_empty() => {
                for w in &mut config.warnings {
                    w.line = locate_line(src, &w.path);
                }
                Ok(config)
            }
            Ok(_) => Err(ConfigErrors(errors)),
            Err(errs) => {
                errors.extend(errs.0.into_iter().map(|mut e| {
                    // Holiday files' errors carry their own file and line.
                    if e.file.is_none() {
                        e.line = locate_line(src, &e.path);
                    }
                    e
                }));
                Err(ConfigErrors(errors))
            }
        }
    }

    /// The holiday that closes the queue on `date`: the calendar's day off (a national
    /// holiday; *cuti bersama* unless the office works it), unless the queue opens on
    /// holidays.
    pub fn holiday(&self, date: NaiveDate) -> Option<&Holiday> {
        if self.open_on_holidays {
            return None;
        }
        self.calendar.closing_holiday(date)
    }

    /// When the office next opens after `local` (office-local time), skipping closed
    /// weekdays and holidays; None if nothing opens within four weeks.
    pub fn next_opening(&self, local: chrono::NaiveDateTime) -> Option<chrono::NaiveDateTime> {
        self.next_opening_of(&self.hours, local)
    }

    /// As `next_opening`, for a week of `hours` of its own (a service's).
    pub fn next_opening_of(
        &self,
        hours: &WeekHours,
        local: chrono::NaiveDateTime,
    ) -> Option<chrono::NaiveDateTime> {
        use chrono::{Datelike, Timelike};
        let minute = (local.hour() * 60 + local.minute()) as u16;
        (0..28u64).find_map(|offset| {
            let date = local.date().checked_add_days(chrono::Days::new(offset))?;
            if self.holiday(date).is_some() {
                return None;
            }
            let start = hours
                .ranges(date.weekday())
                .iter()
                .map(|r| r.start)
                .find(|start| offset > 0 || *start > minute)?;
            date.and_hms_opt(u32::from(start / 60), u32::from(start % 60), 0)
        })
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }

    pub fn counter(&self, id: u32) -> Option<&Counter> {
        self.counters.iter().find(|c| c.id == id)
    }

    pub fn hours_of<'a>(&'a self, service: &'a Service) -> &'a WeekHours {
        service.hours.as_ref().unwrap_or(&self.hours)
    }

    /// `A-007`: the number as printed, shown and announced.
    pub fn format_number(&self, service: &Service, number: u32) -> String {
        format!(
            "{}{}{:0width$}",
            service.prefix,
            self.numbering.separator,
            number,
            width = self.numbering.digits
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    office: RawOffice,
    #[serde(default)]
    server: RawServer,
    #[serde(default)]
    numbering: RawNumbering,
    #[serde(default)]
    queue: RawQueue,
    hours: RawWeekHours,
    #[serde(default)]
    working_hours: RawWorkingHours,
    services: Vec<RawService>,
    counters: Vec<RawCounter>,
    #[serde(default)]
    holidays: Vec<RawHoliday>,
    #[serde(default)]
    printer: printer::RawPrinter,
    #[serde(default)]
    button: Option<printer::RawButton>,
    #[serde(default)]
    console: RawConsole,
    #[serde(default)]
    kiosk: RawKiosk,
    #[serde(default)]
    display: RawDisplay,
    #[serde(default)]
    backup: RawBackup,
    #[serde(default)]
    complaints: RawComplaints,
    #[serde(default)]
    letter: letter::RawLetter,
    #[serde(default)]
    survey: survey::RawSurvey,
    #[serde(default)]
    limits: limits::RawLimits,
    #[serde(default)]
    city: Option<city::RawCity>,
}

/// The office code shipped in the default file: it must be changed, and `check-config` says so.
pub const PLACEHOLDER_OFFICE_CODE: &str = "0000-CONTOH";
/// The shipped file's example signer (`[letter.signers.kepala_dinas]`): warned about while
/// either is still in place.
pub const EXAMPLE_SIGNER_NAME: &str = "NAMA KEPALA DINAS, S.H., M.Si.";
pub const EXAMPLE_SIGNER_NIP: &str = "19700101 200003 1 001";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComplaints {
    #[serde(default = "default_number_pattern")]
    number_pattern: String,
    #[serde(default = "default_retention_days")]
    retention_days: u32,
    #[serde(default = "default_max_attachment_kib")]
    max_attachment_kib: u64,
}

impl Default for RawComplaints {
    fn default() -> Self {
        Self {
            number_pattern: default_number_pattern(),
            retention_days: default_retention_days(),
            max_attachment_kib: default_max_attachment_kib(),
        }
    }
}

fn default_number_pattern() -> String {
    "PGD/{year}/{month}/{seq}".to_string()
}

/// Two years. UU 27/2022 asks that personal data be deleted when its retention period ends,
/// for archives by the retention schedule (JRA); no schedule for complaint files could be
/// confirmed (REGULATIONS.md), so this is configuration. Two years covers what Perpres
/// 76/2013 allows (lodging up to 30 days after the service, settling within 60 days after the
/// file is complete), a complaint reopened or brought to the Ombudsman afterwards, and the
/// yearly report and survey (PermenPANRB 14/2017) that count complaints; an office sets its
/// JRA's figure.
fn default_retention_days() -> u32 {
    730
}

/// 5 MiB: a few scanned pages or a phone photo; the Pi's SD card is the limit.
fn default_max_attachment_kib() -> u64 {
    5 * 1024
}

fn default_office_code() -> String {
    PLACEHOLDER_OFFICE_CODE.to_string()
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBackup {
    #[serde(default)]
    dir: Option<String>,
    #[serde(default)]
    keep: Option<usize>,
    #[serde(default)]
    at: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDisplay {
    #[serde(default)]
    running_text: String,
    #[serde(default)]
    last_calls: Option<usize>,
    #[serde(default)]
    voice_pack: Option<String>,
    #[serde(default)]
    framebuffer: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsole {
    #[serde(default = "default_idle")]
    idle_timeout_minutes: u32,
    #[serde(default = "default_absolute")]
    absolute_timeout_hours: u32,
    #[serde(default = "default_recheck")]
    stream_recheck_secs: u32,
}

impl Default for RawConsole {
    fn default() -> Self {
        Self {
            idle_timeout_minutes: default_idle(),
            absolute_timeout_hours: default_absolute(),
            stream_recheck_secs: default_recheck(),
        }
    }
}

fn default_idle() -> u32 {
    30
}

fn default_absolute() -> u32 {
    12
}

fn default_recheck() -> u32 {
    15
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKiosk {
    #[serde(default = "default_kiosk_rate")]
    max_tickets_per_minute: u32,
}

impl Default for RawKiosk {
    fn default() -> Self {
        Self {
            max_tickets_per_minute: default_kiosk_rate(),
        }
    }
}

fn default_kiosk_rate() -> u32 {
    20
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    date: toml::value::Datetime,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffice {
    #[serde(default = "default_office_code")]
    code: String,
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default = "default_tz")]
    time_zone: String,
}

fn default_tz() -> String {
    "Asia/Jakarta".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    #[serde(default = "default_listen")]
    listen: String,
    #[serde(default)]
    https: bool,
}

impl Default for RawServer {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            https: false,
        }
    }
}

fn default_listen() -> String {
    "0.0.0.0:8080".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumbering {
    #[serde(default = "default_digits")]
    digits: u32,
    #[serde(default = "default_separator")]
    separator: String,
}

impl Default for RawNumbering {
    fn default() -> Self {
        Self {
            digits: default_digits(),
            separator: default_separator(),
        }
    }
}

fn default_digits() -> u32 {
    3
}

fn default_separator() -> String {
    "-".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQueue {
    #[serde(default = "default_minutes")]
    default_service_minutes: u32,
    #[serde(default)]
    open_on_holidays: bool,
    #[serde(default)]
    requeue: Option<String>,
    #[serde(default)]
    requeue_after: Option<u32>,
}

impl Default for RawQueue {
    fn default() -> Self {
        Self {
            default_service_minutes: default_minutes(),
            open_on_holidays: false,
            requeue: None,
            requeue_after: None,
        }
    }
}

fn default_minutes() -> u32 {
    10
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    code: String,
    prefix: String,
    name: String,
    #[serde(default)]
    name_en: String,
    default_service_minutes: Option<u32>,
    daily_quota: Option<u32>,
    hours: Option<RawWeekHours>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounter {
    id: u32,
    name: String,
    services: Vec<String>,
}

/// Parses into the raw structure, collecting every structural error (unknown keys, wrong
/// types) rather than only the first: each offending key is reported, removed, and parsing
/// goes on, so that the remaining document can still be validated. A TOML syntax error stops
/// at once: the parser cannot continue past it.
fn parse_raw(src: &str) -> (Option<RawConfig>, Vec<ConfigError>) {
    let mut doc = match src.parse::<toml::Table>() {
        Ok(t) => toml::Value::Table(t),
        Err(e) => {
            let e: toml::de::Error = e;
            return (
                None,
                vec![ConfigError {
                    file: None,
                    path: String::new(),
                    line: e.span().map(|s| line_of(src, s.start)),
                    message: e.message().to_string(),
                }],
            );
        }
    };
    let mut errors: Vec<ConfigError> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    for _ in 0..64 {
        match serde_path_to_error::deserialize::<_, RawConfig>(doc.clone()) {
            // With the bad keys taken out, the rest is still checked: a technician sees
            // every mistake in one run, not one per run.
            Ok(raw) => return (Some(raw), errors),
            Err(e) => {
                let path = e.path().to_string();
                let segments: Vec<_> = e.path().iter().cloned().collect();
                let message = e.into_inner().message().to_string();
                let path = if path == "." { String::new() } else { path };
                // Removing a bad key can leave its table without a required one: that
                // follow-on error is ours, not the file's.
                let ours = missing_key(&message).is_some_and(|key| {
                    let full = if path.is_empty() {
                        key.to_string()
                    } else {
                        format!("{path}.{key}")
                    };
                    removed.iter().any(|r| *r == full || is_under(r, &full))
                });
                if !ours {
                    errors.push(ConfigError {
                        file: None,
                        line: locate_line(src, &path),
                        path: path.clone(),
                        message,
                    });
                }
                // Remove the bad key (for a missing key: the table lacking it) and go on.
                if segments.is_empty() || !remove_at(&mut doc, &segments) {
                    break;
                }
                removed.push(path);
            }
        }
    }
    (None, errors)
}

fn missing_key(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

fn is_under(inner: &str, outer: &str) -> bool {
    inner.starts_with(&format!("{outer}.")) || inner.starts_with(&format!("{outer}["))
}

fn remove_at(v: &mut toml::Value, path: &[serde_path_to_error::Segment]) -> bool {
    use serde_path_to_error::Segment;
    match path {
        [] => false,
        [last] => match (last, v) {
            (Segment::Map { key }, toml::Value::Table(t)) => t.remove(key.as_str()).is_some(),
            (Segment::Seq { index }, toml::Value::Array(a)) if *index < a.len() => {
                a.remove(*index);
                true
            }
            _ => false,
        },
        [first, rest @ ..] => {
            let next = match (first, v) {
                (Segment::Map { key }, toml::Value::Table(t)) => t.get_mut(key.as_str()),
                (Segment::Seq { index }, toml::Value::Array(a)) => a.get_mut(*index),
                _ => None,
            };
            next.is_some_and(|n| remove_at(n, rest))
        }
    }
}

/// Best-effort line of a field path such as `services[1].prefix`: finds the table header (the
/// n-th `[[services]]`), then the key below it; a root key is looked for before the first
/// header. Only for messages; a miss leaves the line out.
pub(crate) fn locate_line(src: &str, path: &str) -> Option<usize> {
    // A whole table named by its header, at any depth: `[letter.signers.kepala_dinas]`.
    let header = format!("[{path}]");
    if let Some(n) = src.lines().position(|l| l.trim() == header) {
        return Some(n + 1);
    }
    let mut parts = path.split('.');
    let head = parts.next().filter(|h| !h.is_empty())?;
    let (table, index) = match head.split_once('[') {
        Some((t, i)) => (t, i.trim_end_matches(']').parse::<usize>().ok()),
        None => (head, None),
    };
    let key = parts.next().map(|k| k.split('[').next().unwrap_or(k));
    let key_of = |line: &str| line.split('=').next().map(str::trim).map(str::to_string);
    let mut section: Option<String> = None;
    let mut seen = 0usize;
    let mut in_target = false;
    for (n, line) in src.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            let name = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            in_target = false;
            if name == table {
                in_target = match index {
                    Some(i) => {
                        seen += 1;
                        seen == i + 1
                    }
                    None => true,
                };
                if in_target && key.is_none() {
                    return Some(n + 1);
                }
            }
            section = Some(name);
            continue;
        }
        if t.starts_with('#') || !t.contains('=') {
            continue;
        }
        let k = key_of(t);
        match key {
            None if section.is_none() && k.as_deref() == Some(table) => return Some(n + 1),
            Some(want) if in_target && k.as_deref() == Some(want) => return Some(n + 1),
            _ => {}
        }
    }
    None
}

fn validate(raw: &RawConfig, office_holidays: &[HolidaySource]) -> Result<Config, ConfigErrors> {
    let mut errs = Collector::default();

    check_text(&mut errs, "office.name", &raw.office.name, 80, true);
    check_text(&mut errs, "office.address", &raw.office.address, 120, false);
    let time_zone = raw.office.time_zone.parse::<Tz>().unwrap_or_else(|_| {
        errs.push(
            "office.time_zone",
            format!(
                "unknown time zone `{}` (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)",
                raw.office.time_zone
            ),
        );
        Tz::Asia__Jakarta
    });
    let listen = raw.server.listen.parse::<SocketAddr>().unwrap_or_else(|_| {
        errs.push(
            "server.listen",
            format!(
                "`{}` is not an address like 0.0.0.0:8080",
                raw.server.listen
            ),
        );
        SocketAddr::from(([0, 0, 0, 0], 8080))
    });
    if !(1..=6).contains(&raw.numbering.digits) {
        errs.push("numbering.digits", "must be between 1 and 6");
    }
    if raw.numbering.separator.chars().count() > 1
        || raw
            .numbering
            .separator
            .chars()
            .any(|c| c.is_alphanumeric() || c.is_control())
    {
        errs.push(
            "numbering.separator",
            "must be empty or one punctuation character, e.g. \"-\"",
        );
    }
    if !(1..=480).contains(&raw.queue.default_service_minutes) {
        errs.push("queue.default_service_minutes", "must be between 1 and 480");
    }
    let requeue = RequeuePolicy::from_raw(
        raw.queue.requeue.as_deref(),
        raw.queue.requeue_after,
        &mut errs,
    );
    let hours = WeekHours::from_raw(&raw.hours, "hours", &mut errs);
    let working = raw.working_hours.validate(&mut errs);
    let mut calendar_holidays = Holidays::from_sources(office_holidays).unwrap_or_else(|e| {
        errs.extend(e);
        Holidays::default()
    });

    // The old place for closed days, before the holiday files: still honoured, so that an
    // office's own list keeps closing the office after an upgrade, with a warning to move it.
    let mut holidays: Vec<(NaiveDate, &str)> = Vec::new();
    for (i, h) in raw.holidays.iter().enumerate() {
        let p = format!("holidays[{i}]");
        match (h.date.date, h.date.time) {
            (Some(d), None) => {
                match NaiveDate::from_ymd_opt(
                    i32::from(d.year),
                    u32::from(d.month),
                    u32::from(d.day),
                ) {
                    Some(date) if holidays.iter().any(|(x, _)| *x == date) => {
                        errs.push(format!("{p}.date"), format!("{date} is listed twice"));
                    }
                    Some(date) => holidays.push((date, h.name.as_str())),
                    None => errs.push(format!("{p}.date"), "not a calendar date"),
                }
            }
            _ => errs.push(
                format!("{p}.date"),
                "must be a date like 2026-12-25, without a time",
            ),
        }
        check_text(&mut errs, &format!("{p}.name"), &h.name, 60, true);
    }

    if raw.services.is_empty() {
        errs.push("services", "at least one service is needed");
    }
    let mut codes = HashSet::new();
    let mut prefixes = HashSet::new();
    let mut services = Vec::new();
    for (i, s) in raw.services.iter().enumerate() {
        let p = format!("services[{i}]");
        let code_ok = !s.code.is_empty()
            && s.code.len() <= 16
            && s.code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !code_ok {
            errs.push(
                format!("{p}.code"),
                "must be 1-16 letters, digits, '-' or '_'",
            );
        } else if !codes.insert(s.code.as_str()) {
            errs.push(format!("{p}.code"), format!("duplicate code `{}`", s.code));
        }
        let prefix_ok =
            (1..=2).contains(&s.prefix.len()) && s.prefix.chars().all(|c| c.is_ascii_uppercase());
        if !prefix_ok {
            errs.push(
                format!("{p}.prefix"),
                "must be one or two capital letters A-Z",
            );
        } else if !prefixes.insert(s.prefix.as_str()) {
            errs.push(
                format!("{p}.prefix"),
                format!(
                    "duplicate prefix `{}`: numbers would be ambiguous",
                    s.prefix
                ),
            );
        }
        check_text(&mut errs, &format!("{p}.name"), &s.name, 40, true);
        check_text(&mut errs, &format!("{p}.name_en"), &s.name_en, 40, false);
        let minutes = s
            .default_service_minutes
            .unwrap_or(raw.queue.default_service_minutes);
        if !(1..=480).contains(&minutes) {
            errs.push(
                format!("{p}.default_service_minutes"),
                "must be between 1 and 480",
            );
        }
        if s.daily_quota == Some(0) {
            errs.push(
                format!("{p}.daily_quota"),
                "must be at least 1 (leave it out for no quota)",
            );
        }
        let service_hours = s
            .hours
            .as_ref()
            .map(|h| WeekHours::from_raw(h, &format!("{p}.hours"), &mut errs));
        services.push(Service {
            code: s.code.clone(),
            prefix: s.prefix.clone(),
            name: s.name.clone(),
            name_en: s.name_en.clone(),
            default_service_minutes: minutes,
            daily_quota: s.daily_quota,
            hours: service_hours,
        });
    }

    if raw.counters.is_empty() {
        errs.push("counters", "at least one counter is needed");
    }
    let mut ids = HashSet::new();
    let mut counters = Vec::new();
    for (i, c) in raw.counters.iter().enumerate() {
        let p = format!("counters[{i}]");
        if c.id == 0 || c.id > 99 {
            errs.push(format!("{p}.id"), "must be between 1 and 99");
        } else if !ids.insert(c.id) {
            errs.push(format!("{p}.id"), format!("duplicate counter id {}", c.id));
        }
        check_text(&mut errs, &format!("{p}.name"), &c.name, 30, true);
        if c.services.is_empty() {
            errs.push(
                format!("{p}.services"),
                "a counter must serve at least one service",
            );
        }
        for (j, code) in c.services.iter().enumerate() {
            if !raw.services.iter().any(|s| &s.code == code) {
                errs.push(
                    format!("{p}.services[{j}]"),
                    format!("unknown service code `{code}`"),
                );
            }
        }
        counters.push(Counter {
            id: c.id,
            name: c.name.clone(),
            services: c.services.clone(),
        });
    }
    for (i, s) in raw.services.iter().enumerate() {
        if !raw.counters.iter().any(|c| c.services.contains(&s.code)) {
            errs.push(
                format!("services[{i}].code"),
                format!(
                    "no counter serves `{}`: its tickets could never be called",
                    s.code
                ),
            );
        }
    }

    if !(1..=480).contains(&raw.console.idle_timeout_minutes) {
        errs.push("console.idle_timeout_minutes", "must be between 1 and 480");
    }
    if !(1..=300).contains(&raw.console.stream_recheck_secs) {
        errs.push("console.stream_recheck_secs", "must be between 1 and 300");
    }
    if !(1..=24).contains(&raw.console.absolute_timeout_hours) {
        errs.push("console.absolute_timeout_hours", "must be between 1 and 24");
    }
    check_text(
        &mut errs,
        "display.running_text",
        &raw.display.running_text,
        300,
        false,
    );
    let last_calls = raw.display.last_calls.unwrap_or(6);
    if !(1..=10).contains(&last_calls) {
        errs.push("display.last_calls", "must be between 1 and 10");
    }
    if let Some(dir) = &raw.display.voice_pack
        && !dir.starts_with('/')
    {
        errs.push("display.voice_pack", "must be an absolute directory path");
    }
    let backup_keep = raw.backup.keep.unwrap_or(7);
    if !(1..=365).contains(&backup_keep) {
        errs.push("backup.keep", "must be between 1 and 365");
    }
    let at = raw.backup.at.as_deref().unwrap_or("22:00");
    let backup_at = match TimeRange::parse(&format!("{at}-24:00")) {
        Ok(r) => r.start,
        Err(_) => {
            errs.push("backup.at", format!("`{at}` is not a time like 22:00"));
            0
        }
    };
    if let Some(dir) = &raw.backup.dir
        && !dir.starts_with('/')
    {
        errs.push("backup.dir", "must be an absolute directory path");
    }
    let office_code_ok = (3..=32).contains(&raw.office.code.len())
        && raw
            .office
            .code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !raw.office.code.starts_with('-')
        && !raw.office.code.ends_with('-');
    if !office_code_ok {
        errs.push(
            "office.code",
            "kode kantor harus 3-32 huruf besar, angka atau '-', mis. 3271-DUKCAPIL / must be 3-32 capital letters, digits or '-', e.g. 3271-DUKCAPIL",
        );
    }
    if let Some(problem) = crate::complaint::pattern_problem(&raw.complaints.number_pattern) {
        errs.push("complaints.number_pattern", problem);
    }
    if !(30..=3650).contains(&raw.complaints.retention_days) {
        errs.push(
            "complaints.retention_days",
            "harus antara 30 dan 3650 hari / must be between 30 and 3650 days",
        );
    }
    if !(64..=51_200).contains(&raw.complaints.max_attachment_kib) {
        errs.push(
            "complaints.max_attachment_kib",
            "harus antara 64 dan 51200 KiB / must be between 64 and 51200 KiB",
        );
    }
    let sop = crate::complaint::Sop::embedded().map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: None,
            path: String::new(),
            line: None,
            message: e.to_string(),
        }])
    })?;
    let printer = raw.printer.validate(&mut errs);
    let codes: Vec<String> = raw.services.iter().map(|s| s.code.clone()).collect();
    let button = raw.button.as_ref().map(|b| b.validate(&mut errs, &codes));
    let limits = raw.limits.validate(&mut errs);
    let letter = letter::validate(&raw.letter, &mut errs);
    let survey = survey::validate(&raw.survey, &mut errs);
    let city = city::validate(raw.city.as_ref(), &mut errs);

    if !errs.errors.is_empty() {
        return Err(ConfigErrors(errs.errors));
    }
    let mut warnings = Vec::new();
    if raw.office.code == PLACEHOLDER_OFFICE_CODE {
        warnings.push(ConfigError {
            file: None,
            path: "office.code".to_string(),
            line: None,
            message: format!(
                "kode kantor masih `{PLACEHOLDER_OFFICE_CODE}`: isi kode kantor Anda (unik di kota), \
                 sebelum pengaduan pertama, karena kode ini menjadi bagian id setiap pengaduan / the \
                 office code is still the placeholder: set your own (unique in the city) before the \
                 first complaint, as it becomes part of every complaint's id"
            ),
        });
    }
    // The shipped file's signer is an example: a letter signed with it would carry a made-up
    // name and NIP, so the office hears of it at every start and check, as of the code.
    for (role, signer) in letter.iter().flat_map(|l| &l.signers) {
        if signer.name == EXAMPLE_SIGNER_NAME || signer.nip == EXAMPLE_SIGNER_NIP {
            warnings.push(ConfigError {
                file: None,
                path: format!("letter.signers.{}", role.as_str()),
                line: None,
                message: "penanda tangan surat masih contoh (nama/NIP bawaan): isi jabatan, nama, \
                          pangkat dan NIP pejabat Anda sebelum surat pertama ditandatangani / the \
                          letter's signer is still the example (shipped name/NIP): set your \
                          official's before the first letter is signed"
                    .to_string(),
            });
        }
    }
    if !holidays.is_empty() {
        warnings.push(ConfigError {
            file: None,
            path: "holidays[0]".to_string(),
            line: None,
            message: "[[holidays]] in loket.toml is the old list of closed days: its days still \
                      close the office, but move them to holidays/YYYY.toml beside this file \
                      (with kind and decree) and delete the list"
                .to_string(),
        });
    }
    for (date, name) in holidays {
        calendar_holidays.add_closed_day(date, name, "loket.toml [[holidays]]");
    }
    let calendar = Calendar::new(
        time_zone,
        working.week,
        working.cuti_bersama_is_working_day,
        calendar_holidays,
    )
    .map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: None,
            path: "working_hours".to_string(),
            line: None,
            message: e.to_string(),
        }])
    })?;
    Ok(Config {
        office: Office {
            code: raw.office.code.clone(),
            name: raw.office.name.clone(),
            address: raw.office.address.clone(),
            time_zone,
        },
        listen,
        https: raw.server.https,
        numbering: Numbering {
            digits: raw.numbering.digits as usize,
            separator: raw.numbering.separator.clone(),
        },
        default_service_minutes: raw.queue.default_service_minutes,
        hours,
        calendar,
        open_on_holidays: raw.queue.open_on_holidays,
        requeue,
        services,
        counters,
        printer,
        button,
        console: ConsoleConfig {
            idle_timeout_minutes: raw.console.idle_timeout_minutes,
            absolute_timeout_hours: raw.console.absolute_timeout_hours,
            stream_recheck_secs: raw.console.stream_recheck_secs,
        },
        kiosk: KioskConfig {
            max_tickets_per_minute: raw.kiosk.max_tickets_per_minute,
        },
        backup: BackupConfig {
            dir: raw
                .backup
                .dir
                .as_ref()
                .filter(|d| !d.is_empty())
                .map(std::path::PathBuf::from),
            keep: backup_keep,
            at: backup_at,
        },
        display: DisplayConfig {
            running_text: raw.display.running_text.clone(),
            last_calls,
            voice_pack: raw
                .display
                .voice_pack
                .as_ref()
                .map(std::path::PathBuf::from),
            framebuffer: raw
                .display
                .framebuffer
                .as_ref()
                .map(std::path::PathBuf::from),
        },
        complaints: ComplaintsConfig {
            number_pattern: raw.complaints.number_pattern.clone(),
            retention_days: raw.complaints.retention_days,
            max_attachment_kib: raw.complaints.max_attachment_kib,
        },
        sop: std::sync::Arc::new(sop),
        letter: letter.ok_or_else(|| ConfigErrors(Vec::new()))?,
        survey,
        city,
        limits,
        warnings,
    })
}

fn check_text(errs: &mut Collector, path: &str, value: &str, max: usize, required: bool) {
    if required && value.trim().is_empty() {
        errs.push(path, "must not be empty");
    }
    if value.chars().count() > max {
        errs.push(path, format!("longer than {max} characters"));
    }
    if value.chars().any(char::is_control) {
        errs.push(path, "must not contain control characters");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_is_valid() {
        let c = Config::embedded().expect("embedded config");
        assert_eq!(c.office.time_zone, Tz::Asia__Jakarta);
        assert_eq!(c.services.len(), 4);
        let a = c.service("A").expect("service A");
        assert_eq!(c.format_number(a, 7), "A-007");
        assert_eq!(c.format_number(a, 1234), "A-1234");
    }

    #[test]
    fn complaints_section_is_checked_with_path_and_line() {
        let c = Config::embedded().expect("embedded config");
        assert_eq!(c.office.code, PLACEHOLDER_OFFICE_CODE);
        assert_eq!(c.complaints.number_pattern, "PGD/{year}/{month}/{seq}");
        assert_eq!(
            (
                c.complaints.retention_days,
                c.complaints.max_attachment_bytes()
            ),
            (730, 5 * 1024 * 1024)
        );
        let placeholder = c
            .warnings
            .iter()
            .find(|w| w.path == "office.code")
            .expect("the placeholder code is warned about");
        assert!(placeholder.line.is_some(), "{placeholder}");

        let own = EMBEDDED_DEFAULT.replace("0000-CONTOH", "3271-DUKCAPIL");
        let c = Config::from_toml_str(&own).expect("config");
        assert_eq!(c.office.code, "3271-DUKCAPIL");
        assert!(c.warnings.iter().all(|w| w.path != "office.code"));

        let bad = EMBEDDED_DEFAULT
            .replace("0000-CONTOH", "dukcapil kota")
            .replace("PGD/{year}/{month}/{seq}", "PGD/{year}/{month}")
            .replace("retention_days = 730", "retention_days = 7")
            .replace("max_attachment_kib = 5120", "max_attachment_kib = 1");
        let errs = Config::from_toml_str(&bad).expect_err("refused");
        let shown: Vec<String> = errs.0.iter().map(ToString::to_string).collect();
        for (path, line_of_key) in [
            ("office.code", "code = \"dukcapil kota\""),
            ("complaints.number_pattern", "number_pattern ="),
            ("complaints.retention_days", "retention_days ="),
            ("complaints.max_attachment_kib", "max_attachment_kib ="),
        ] {
            let e = errs
                .0
                .iter()
                .find(|e| e.path == path)
                .unwrap_or_else(|| panic!("{path} in {shown:?}"));
            let want = bad
                .lines()
                .position(|l| l.starts_with(line_of_key))
                .map(|i| i + 1);
            assert_eq!(e.line, want, "{e}");
        }
    }

    #[test]
    fn unknown_key_is_an_error_with_path_and_line() {
        let src = EMBEDDED_DEFAULT.replace("name_en = \"Complaints\"", "nama_en = \"x\"");
        let errs = Config::from_toml_str(&src).expect_err("must fail");
        let e = &errs.0[0];
        assert_eq!(e.path, "services[0].nama_en");
        assert!(e.message.contains("nama_en"), "{e}");
        let line = src
            .lines()
            .position(|l| l.contains("nama_en"))
            .map(|n| n + 1);
        assert_eq!(e.line, line);
    }

    #[test]
    fn every_unknown_key_and_wrong_type_is_reported_in_file_order() {
        let src = EMBEDDED_DEFAULT
            .replace("[server]\n", "[server]\nlisten_port = 80\n")
            .replace("name_en = \"Complaints\"", "nama_en = \"x\"")
            .replace("id = 4", "id = \"four\"");
        let errs = Config::from_toml_str(&src).expect_err("must fail");
        let found: Vec<(&str, Option<usize>)> =
            errs.0.iter().map(|e| (e.path.as_str(), e.line)).collect();
        let line = |needle: &str| {
            src.lines()
                .position(|l| l.starts_with(needle))
                .map(|n| n + 1)
        };
        assert_eq!(
            found,
            [
                ("server.listen_port", line("listen_port")),
                ("services[0].nama_en", line("nama_en")),
                ("counters[3].id", line("id = \"four\"")),
            ],
            "{errs}"
        );
    }

    #[test]
    fn holidays_come_from_the_holiday_files() {
        let c = Config::embedded().expect("config");
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        assert_eq!(
            c.holiday(day(12, 25)).map(|h| h.name.as_str()),
            Some("Kelahiran Yesus Kristus")
        );
        // Cuti bersama closes the queue unless the office works it.
        assert!(c.holiday(day(12, 24)).is_some());
        let worked = Config::from_toml_str(&EMBEDDED_DEFAULT.replace(
            "cuti_bersama_is_working_day = false",
            "cuti_bersama_is_working_day = true",
        ))
        .expect("config");
        assert!(worked.holiday(day(12, 24)).is_none());
        assert!(worked.holiday(day(12, 25)).is_some());
        let open = Config::from_toml_str(
            &EMBEDDED_DEFAULT.replace("open_on_holidays = false", "open_on_holidays = true"),
        )
        .expect("config");
        assert!(open.holiday(day(12, 25)).is_none());
        assert!(open.calendar.closing_holiday(day(12, 25)).is_some());
        // The shipped file's only warnings are its placeholder office code and example signer.
        let paths: Vec<&str> = c.warnings.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths, ["office.code", "letter.signers.kepala_dinas"]);
        let signer = &c.warnings[1];
        assert!(signer.line.is_some(), "{signer}");
        let own = EMBEDDED_DEFAULT
            .replace(
                "NAMA KEPALA DINAS, S.H., M.Si.",
                "Dr. Hendra Gunawan, S.T., M.Si.",
            )
            .replace("19700101 200003 1 001", "19750312 200112 1 004");
        let c = Config::from_toml_str(&own).expect("config");
        assert!(c.warnings.iter().all(|w| w.path == "office.code"));
    }

    #[test]
    fn the_old_holiday_list_still_closes_days_with_a_warning() {
        let src = format!(
            "{EMBEDDED_DEFAULT}\n[[holidays]]\ndate = 2026-12-31\nname = \"Libur kantor\"\n\n[[holidays]]\ndate = 2026-12-25\nname = \"Natal\"\n"
        );
        let c = Config::from_toml_str(&src).expect("config");
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        assert_eq!(
            c.holiday(day(12, 31)).map(|h| h.name.as_str()),
            Some("Libur kantor")
        );
        // The holiday file's entry wins on a date both list.
        assert_eq!(
            c.holiday(day(12, 25)).map(|h| h.name.as_str()),
            Some("Kelahiran Yesus Kristus")
        );
        let old: Vec<_> = c
            .warnings
            .iter()
            .filter(|w| w.path.starts_with("holidays"))
            .collect();
        assert_eq!(old.len(), 1);
        let line = src.lines().position(|l| l == "[[holidays]]").map(|n| n + 1);
        assert_eq!(old[0].line, line);
        assert!(old[0].message.contains("holidays/YYYY.toml"));

        let twice = format!("{src}\n[[holidays]]\ndate = 2026-12-31\nname = \"x\"\n");
        let errs = Config::from_toml_str(&twice).expect_err("duplicate");
        assert_eq!(errs.0[0].path, "holidays[2].date", "{errs}");
        let timed =
            format!("{EMBEDDED_DEFAULT}\n[[holidays]]\ndate = 2026-12-24T08:00:00\nname = \"x\"\n");
        let errs = Config::from_toml_str(&timed).expect_err("time");
        assert_eq!(errs.0[0].path, "holidays[0].date", "{errs}");
    }

    #[test]
    fn working_hours_are_validated_with_path_and_line() {
        let src = EMBEDDED_DEFAULT
            .replace(
                "friday = [\"07:30-11:30\", \"13:00-16:30\"]",
                "friday = [\"07:30-11:30\", \"11:00-16:30\"]",
            )
            .replace(
                "monday = [\"07:30-12:00\", \"13:00-16:00\"]\ntuesday = [\"07:30-12:00\", \"13:00-16:00\"]\nwednesday",
                "monday = [\"07:30-12:00\", \"13:00-16:00\"]\ntuesday = [\"7:30-12:00\"]\nwednesday",
            );
        let errs = Config::from_toml_str(&src).expect_err("must fail");
        let found: Vec<(&str, Option<usize>)> =
            errs.0.iter().map(|e| (e.path.as_str(), e.line)).collect();
        let line = |needle: &str| src.lines().position(|l| l.contains(needle)).map(|n| n + 1);
        assert_eq!(
            found,
            [
                ("working_hours.tuesday[0]", line("7:30-12:00\"]")),
                ("working_hours.friday", line("11:00-16:30")),
            ],
            "{errs}"
        );

        // No working day at all is refused: no deadline could ever fall due.
        let mut none = EMBEDDED_DEFAULT.to_string();
        let start = none.find("[working_hours]").expect("section");
        let end = none.find("\ncuti_bersama_is_working_day =").expect("key") + 1;
        none.replace_range(start..end, "[working_hours]\n");
        let errs = Config::from_toml_str(&none).expect_err("no working time");
        assert_eq!(errs.0.len(), 1, "{errs}");
        assert_eq!(errs.0[0].path, "working_hours");
        assert!(errs.0[0].message.contains("no working hours"), "{errs}");

        // Left out entirely: Perpres 21/2023's week.
        let mut absent = EMBEDDED_DEFAULT.to_string();
        let end = absent.find("\n[[services]]").expect("services");
        absent.replace_range(start..end, "");
        let c = Config::from_toml_str(&absent).expect("config");
        let shipped = Config::embedded().expect("config");
        assert_eq!(c.calendar.week(), shipped.calendar.week());
    }

    #[test]
    fn a_holiday_file_error_names_its_file_and_line() {
        let bad = crate::calendar::HolidaySource {
            file_name: "2027.toml".to_string(),
            label: "/etc/loket/holidays/2027.toml".to_string(),
            text: "[[holidays]]\ndate = 2027-01-01\nname = \"Tahun Baru\"\nkind = \"libur\"\ndecree = \"x\"\n".to_string(),
        };
        let errs =
            Config::from_toml_str_with_holidays(EMBEDDED_DEFAULT, &[bad]).expect_err("bad kind");
        assert_eq!(
            errs.to_string(),
            "/etc/loket/holidays/2027.toml: holidays[0].kind (line 4): unknown kind `libur`: libur_nasional or cuti_bersama"
        );
    }

    #[test]
    fn the_requeue_policy_is_read_and_checked_with_path_and_line() {
        let embedded = Config::embedded().expect("config");
        assert_eq!(embedded.requeue, RequeuePolicy::IssueTime);
        let after = EMBEDDED_DEFAULT.replace(
            "requeue = \"issue_time\"\n",
            "requeue = \"after_waiting\"\nrequeue_after = 4\n",
        );
        let c = Config::from_toml_str(&after).expect("after_waiting");
        assert_eq!(c.requeue, RequeuePolicy::AfterWaiting(4));
        assert_eq!(
            c.requeue.describe(),
            "Dikembalikan setelah 4 orang yang menunggu."
        );
        let three = EMBEDDED_DEFAULT.replace(
            "requeue = \"issue_time\"\n",
            "requeue = \"after_waiting\"\n",
        );
        let c = Config::from_toml_str(&three).expect("default count");
        assert_eq!(c.requeue, RequeuePolicy::AfterWaiting(3));

        for (bad, path, message) in [
            (
                "requeue = \"last\"\n",
                "queue.requeue",
                "unknown policy `last`: issue_time or after_waiting",
            ),
            (
                "requeue = \"after_waiting\"\nrequeue_after = 0\n",
                "queue.requeue_after",
                "must be between 1 and 50",
            ),
            (
                "requeue = \"issue_time\"\nrequeue_after = 3\n",
                "queue.requeue_after",
                "applies only with requeue = \"after_waiting\"",
            ),
        ] {
            let src = EMBEDDED_DEFAULT.replace("requeue = \"issue_time\"\n", bad);
            let errs = Config::from_toml_str(&src).expect_err("must fail");
            assert_eq!(errs.0.len(), 1, "{errs}");
            let e = &errs.0[0];
            assert_eq!((e.path.as_str(), e.message.as_str()), (path, message));
            let key = path.rsplit('.').next().unwrap_or_default();
            let want = src
                .lines()
                .position(|l| l.starts_with(&format!("{key} =")))
                .map(|n| n + 1);
            assert_eq!(e.line, want, "{e}");
        }
    }

    #[test]
    fn every_validation_error_is_reported() {
        let src = EMBEDDED_DEFAULT
            .replace(
                "time_zone = \"Asia/Jakarta\"",
                "time_zone = \"Asia/Atlantis\"",
            )
            .replace("prefix = \"B\"", "prefix = \"b\"")
            .replace("services = [\"D\", \"C\"]", "services = [\"D\", \"Z\"]")
            .replace(
                "friday = [\"08:00-11:30\", \"13:30-15:30\"]",
                "friday = [\"11:30-08:00\"]",
            );
        let errs = Config::from_toml_str(&src).expect_err("must fail");
        let paths: Vec<&str> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "office.time_zone",
                "hours.friday[0]",
                "services[1].prefix",
                "counters[3].services[1]"
            ],
            "{errs}"
        );
        assert!(errs.0.iter().all(|e| e.line.is_some()), "{errs}");
    }
}
