//! The city view's own configuration (`loket city serve --config FILE`, docs/city.md): where
//! it listens, its HTTPS certificate, the city's PostgreSQL (pinned exactly as `[city]`),
//! the city's time zone, sessions, and when an office counts as offline. Each mistake is
//! named by its field path, as in the office's `loket.toml`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::Deserialize;

use super::errors::{Collector, ConfigError, ConfigErrors};
use super::limits::RawLimits;
use super::{Limits, locate_line};
use crate::auth::SessionLimits;

#[derive(Debug, Clone)]
pub struct CityViewConfig {
    /// Shown at the top of every page: the city (`Pemerintah Kota Contoh`).
    pub name: String,
    /// Addresses to listen on (one socket each).
    pub listen: Vec<SocketAddr>,
    /// HTTPS with this certificate and key (PEM); plain HTTP without.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub database: CityDatabase,
    /// The city's time zone: "today" and the opening hours are its.
    pub time_zone: Tz,
    pub sessions: SessionLimits,
    /// When an office is expected to send records: weekdays (1 = Monday … 7 = Sunday) and
    /// the hours, in the city's time zone.
    pub open_days: Vec<u32>,
    pub open_from: NaiveTime,
    pub open_until: NaiveTime,
    /// No record received for this long during opening hours: the office looks offline.
    pub offline_after: chrono::Duration,
    pub limits: Limits,
    /// The IKM page's questionnaire (the offices' `survey.toml`; the regulation's nine
    /// elements unless `[survey] questionnaire` names a file).
    pub questionnaire: std::sync::Arc<crate::survey::questionnaire::Questionnaire>,
    /// No IKM over fewer respondents than this (the offices' `min_group_respondents`).
    pub min_group_respondents: u64,
}

/// The city's PostgreSQL, reached as the office's `[city]` does (`city::connect`).
#[derive(Debug, Clone)]
pub struct CityDatabase {
    pub url: String,
    pub password_file: Option<PathBuf>,
    pub server_certificate: Option<PathBuf>,
    /// The waits over a long range: the server cancels the query after this long.
    pub statement_timeout: std::time::Duration,
    /// The whole attempt to connect (TCP, TLS, login): a server that accepts and then says
    /// nothing fails the attempt after this long instead of holding every page.
    pub connect_timeout: std::time::Duration,
}

impl CityViewConfig {
    pub fn target(&self) -> crate::city::connect::Target<'_> {
        crate::city::connect::Target {
            url: &self.database.url,
            password_file: self.database.password_file.as_deref(),
            server_certificate: self.database.server_certificate.as_deref(),
        }
    }

    /// Whether offices are expected to be sending at `local` (the city's wall time).
    pub fn open_at(&self, local: chrono::NaiveDateTime) -> bool {
        use chrono::Datelike;
        let day = local.weekday().number_from_monday();
        let t = local.time();
        self.open_days.contains(&day) && t >= self.open_from && t < self.open_until
    }

    pub fn load(path: &Path) -> Result<Self, ConfigErrors> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![ConfigError {
                file: None,
                path: String::new(),
                line: None,
                message: format!("cannot read {}: {e}", path.display()),
            }])
        })?;
        Self::from_toml_str(&src)
    }

    pub fn from_toml_str(src: &str) -> Result<Self, ConfigErrors> {
        let doc = src.parse::<toml::Table>().map_err(|e| {
            ConfigErrors(vec![ConfigError {
                file: None,
                path: String::new(),
                line: e.span().map(|s| super::line_of(src, s.start)),
                message: e.message().to_string(),
            }])
        })?;
        let raw: RawView =
            serde_path_to_error::deserialize(toml::Value::Table(doc)).map_err(|e| {
                let path = e.path().to_string();
                let path = if path == "." { String::new() } else { path };
                ConfigErrors(vec![ConfigError {
                    file: None,
                    line: locate_line(src, &path),
                    path,
                    message: e.into_inner().message().to_string(),
                }])
            })?;
        let mut errs = Collector::default();
        let config = validate(raw, &mut errs);
        if errs.errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors(
                errs.errors
                    .into_iter()
                    .map(|mut e| {
                        e.line = locate_line(src, &e.path);
                        e
                    })
                    .collect(),
            ))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawView {
    #[serde(default = "default_name")]
    name: String,
    listen: Vec<String>,
    #[serde(default)]
    tls: Option<RawTls>,
    database: RawDatabase,
    #[serde(default = "default_time_zone")]
    time_zone: String,
    #[serde(default)]
    sessions: RawSessions,
    #[serde(default)]
    offices: RawOffices,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    survey: RawViewSurvey,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawViewSurvey {
    #[serde(default)]
    questionnaire: Option<String>,
    #[serde(default = "default_min_group")]
    min_group_respondents: u64,
}

impl Default for RawViewSurvey {
    fn default() -> Self {
        Self {
            questionnaire: None,
            min_group_respondents: default_min_group(),
        }
    }
}

/// The offices' default (`[survey] min_group_respondents`).
fn default_min_group() -> u64 {
    5
}
/// A year of ten offices' waits takes 10–16 s on a modest server (docs/city.md).
fn default_statement_timeout() -> u64 {
    30
}
/// The exporter's bound on an attempt to connect (`[city] connect_timeout_secs`).
fn default_connect_timeout() -> u64 {
    15
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    certificate: String,
    key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    url: String,
    #[serde(default)]
    password_file: Option<String>,
    #[serde(default)]
    server_certificate: Option<String>,
    #[serde(default = "default_statement_timeout")]
    statement_timeout_seconds: u64,
    #[serde(default = "default_connect_timeout")]
    connect_timeout_seconds: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSessions {
    #[serde(default = "default_idle")]
    idle_minutes: i64,
    #[serde(default = "default_max_hours")]
    max_hours: i64,
}

impl Default for RawSessions {
    fn default() -> Self {
        Self {
            idle_minutes: default_idle(),
            max_hours: default_max_hours(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffices {
    #[serde(default = "default_open_days")]
    open_days: Vec<u32>,
    #[serde(default = "default_open_from")]
    open_from: String,
    #[serde(default = "default_open_until")]
    open_until: String,
    #[serde(default = "default_offline_after")]
    offline_after_minutes: i64,
}

impl Default for RawOffices {
    fn default() -> Self {
        Self {
            open_days: default_open_days(),
            open_from: default_open_from(),
            open_until: default_open_until(),
            offline_after_minutes: default_offline_after(),
        }
    }
}

fn default_name() -> String {
    "Pemerintah Kota".to_string()
}
fn default_time_zone() -> String {
    "Asia/Jakarta".to_string()
}
/// As the office console: a screen left open in a meeting room ends within half an hour.
fn default_idle() -> i64 {
    30
}
fn default_max_hours() -> i64 {
    12
}
/// Monday to Friday: the usual hours of a Dinas; a Mal Pelayanan Publik open on Saturday
/// adds 6.
fn default_open_days() -> Vec<u32> {
    vec![1, 2, 3, 4, 5]
}
fn default_open_from() -> String {
    "08:00".to_string()
}
fn default_open_until() -> String {
    "15:00".to_string()
}
/// A busy office sends a record every few minutes (a ticket, a call); half an hour of
/// silence in opening hours is worth a look.
fn default_offline_after() -> i64 {
    30
}

fn time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H.%M"))
        .ok()
}

fn validate(raw: RawView, errs: &mut Collector) -> CityViewConfig {
    let mut listen = Vec::new();
    if raw.listen.is_empty() {
        errs.push(
            "listen",
            "minimal satu alamat, mis. [\"0.0.0.0:8443\"] / at least one address, e.g. [\"0.0.0.0:8443\"]",
        );
    }
    for (i, a) in raw.listen.iter().enumerate() {
        match a.trim().parse::<SocketAddr>() {
            Ok(addr) => listen.push(addr),
            Err(_) => errs.push(
                format!("listen[{i}]"),
                format!(
                    "`{a}` bukan alamat:port, mis. 0.0.0.0:8443 / is not an address:port, e.g. 0.0.0.0:8443"
                ),
            ),
        }
    }
    let tls = raw.tls.map(|t| {
        for (field, value) in [("certificate", &t.certificate), ("key", &t.key)] {
            if value.trim().is_empty() {
                errs.push(format!("tls.{field}"), "kosong / empty");
            }
        }
        (PathBuf::from(t.certificate), PathBuf::from(t.key))
    });
    let url = raw.database.url.trim().to_string();
    let is_uri = url.starts_with("postgresql://") || url.starts_with("postgres://");
    if url.is_empty() || !(is_uri || url.contains('=')) {
        errs.push(
            "database.url",
            "harus string koneksi PostgreSQL, mis. postgresql://loket_kota_web@kota.example/loket_kota / \
             must be a PostgreSQL connection string, e.g. postgresql://loket_kota_web@kota.example/loket_kota",
        );
    }
    if is_uri
        && url
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .is_some_and(|(auth, _)| auth.contains(':'))
    {
        errs.push(
            "database.url",
            "jangan taruh kata sandi di sini; pakai password_file / no password here: use password_file",
        );
    }
    let unix_socket = url
        .split(['?', '&', ' '])
        .any(|part| part.trim().starts_with("host=/"));
    if raw.database.server_certificate.is_none() && !unix_socket {
        errs.push(
            "database.server_certificate",
            "wajib: sertifikat server PostgreSQL (PEM) yang dipercaya, kecuali soket Unix di mesin ini / \
             required: the PostgreSQL server's certificate (PEM) to trust, unless a Unix socket of this machine",
        );
    }
    let time_zone = raw.time_zone.parse::<Tz>().unwrap_or_else(|_| {
        errs.push(
            "time_zone",
            format!(
                "`{}` bukan zona waktu IANA, mis. Asia/Jakarta, Asia/Makassar, Asia/Jayapura / \
                 is not an IANA time zone",
                raw.time_zone
            ),
        );
        Tz::Asia__Jakarta
    });
    if !(1..=24 * 60).contains(&raw.sessions.idle_minutes) {
        errs.push(
            "sessions.idle_minutes",
            "harus antara 1 dan 1440 / must be between 1 and 1440",
        );
    }
    if !(1..=24 * 7).contains(&raw.sessions.max_hours) {
        errs.push(
            "sessions.max_hours",
            "harus antara 1 dan 168 / must be between 1 and 168",
        );
    }
    for (i, d) in raw.offices.open_days.iter().enumerate() {
        if !(1..=7).contains(d) {
            errs.push(
                format!("offices.open_days[{i}]"),
                "harus 1 (Senin) sampai 7 (Minggu) / must be 1 (Monday) to 7 (Sunday)",
            );
        }
    }
    let mut hour = |field: &str, s: &str| {
        time(s).unwrap_or_else(|| {
            errs.push(
                format!("offices.{field}"),
                format!("`{s}` bukan jam JJ:MM, mis. 08:00 / is not a time HH:MM, e.g. 08:00"),
            );
            NaiveTime::MIN
        })
    };
    let open_from = hour("open_from", &raw.offices.open_from);
    let open_until = hour("open_until", &raw.offices.open_until);
    if open_until <= open_from && open_until != NaiveTime::MIN {
        errs.push(
            "offices.open_until",
            "harus setelah open_from / must be after open_from",
        );
    }
    if !(5..=24 * 60).contains(&raw.offices.offline_after_minutes) {
        errs.push(
            "offices.offline_after_minutes",
            "harus antara 5 dan 1440 / must be between 5 and 1440",
        );
    }
    let limits = raw.limits.validate(errs);
    if !(1..=600).contains(&raw.database.statement_timeout_seconds) {
        errs.push(
            "database.statement_timeout_seconds",
            "harus antara 1 dan 600 / must be between 1 and 600",
        );
    }
    if !(1..=60).contains(&raw.database.connect_timeout_seconds) {
        errs.push(
            "database.connect_timeout_seconds",
            "harus antara 1 dan 60 / must be between 1 and 60",
        );
    }
    if !(1..=100).contains(&raw.survey.min_group_respondents) {
        errs.push(
            "survey.min_group_respondents",
            "harus antara 1 dan 100 / must be between 1 and 100",
        );
    }
    let questionnaire = match &raw.survey.questionnaire {
        None => crate::survey::questionnaire::Questionnaire::embedded()
            .map_err(|e| format!("{} errors", e.len())),
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("`{path}` tidak dapat dibaca / cannot be read: {e}"))
            .and_then(|text| {
                crate::survey::questionnaire::Questionnaire::parse(&text).map_err(|errors| {
                    errors
                        .iter()
                        .map(|e| format!("{path}: {}: {}", e.path, e.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
            }),
    };
    let questionnaire = match questionnaire {
        Ok(q) => std::sync::Arc::new(q),
        Err(message) => {
            errs.push("survey.questionnaire", message);
            std::sync::Arc::new(crate::survey::questionnaire::Questionnaire {
                elements: Vec::new(),
                profile: Vec::new(),
                weighting: crate::survey::index::Weighting::default(),
                bands: crate::survey::index::regulation_bands(),
            })
        }
    };
    if raw.name.trim().is_empty() || raw.name.chars().count() > 120 {
        errs.push("name", "1–120 karakter / 1–120 characters");
    }
    CityViewConfig {
        name: raw.name.trim().to_string(),
        listen,
        tls,
        database: CityDatabase {
            url,
            password_file: raw.database.password_file.map(PathBuf::from),
            server_certificate: raw.database.server_certificate.map(PathBuf::from),
            statement_timeout: std::time::Duration::from_secs(
                raw.database.statement_timeout_seconds,
            ),
            connect_timeout: std::time::Duration::from_secs(raw.database.connect_timeout_seconds),
        },
        time_zone,
        sessions: SessionLimits {
            idle: chrono::Duration::minutes(raw.sessions.idle_minutes),
            absolute: chrono::Duration::hours(raw.sessions.max_hours),
        },
        open_days: raw.offices.open_days,
        open_from,
        open_until,
        offline_after: chrono::Duration::minutes(raw.offices.offline_after_minutes),
        limits,
        questionnaire,
        min_group_respondents: raw.survey.min_group_respondents,
    }
}

#[cfg(test)]
mod tests {
    use super::CityViewConfig;

    const GOOD: &str = r#"
listen = ["127.0.0.1:8090"]
[database]
url = "postgresql://loket_kota_web@kota.example/loket_kota"
password_file = "/etc/loket-kota/db-password"
server_certificate = "/etc/loket-kota/db.pem"
"#;

    #[test]
    fn defaults_fill_the_rest() {
        let c = CityViewConfig::from_toml_str(GOOD).expect("valid");
        assert_eq!(c.time_zone, chrono_tz::Tz::Asia__Jakarta);
        assert_eq!(c.open_days, [1, 2, 3, 4, 5]);
        assert_eq!(c.offline_after, chrono::Duration::minutes(30));
        assert_eq!(c.sessions.idle, chrono::Duration::minutes(30));
        assert!(c.tls.is_none());
        assert_eq!(c.limits.max_connections, 1024);
    }

    #[test]
    fn each_mistake_is_named_by_its_path() {
        let src = GOOD
            .replace("127.0.0.1:8090", "kota:80")
            .replace("loket_kota_web@", "web:rahasia@")
            .replace("server_certificate = \"/etc/loket-kota/db.pem\"\n", "")
            + "time_zone = \"Asia/Bandung\"\n";
        // `time_zone` after `[database]` belongs to it: an unknown key there.
        let errs = CityViewConfig::from_toml_str(&src).expect_err("must fail");
        assert_eq!(errs.0[0].path, "database.time_zone", "{errs}");
        let src = format!(
            "time_zone = \"Asia/Bandung\"\n{}\n[offices]\nopen_from = \"8 pagi\"\nopen_days = [1, 9]\n",
            GOOD.replace("127.0.0.1:8090", "kota:80")
                .replace("loket_kota_web@", "web:rahasia@")
                .replace("server_certificate = \"/etc/loket-kota/db.pem\"\n", "")
        );
        let errs = CityViewConfig::from_toml_str(&src).expect_err("must fail");
        let paths: Vec<_> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "listen[0]",
                "database.url",
                "database.server_certificate",
                "time_zone",
                "offices.open_days[1]",
                "offices.open_from"
            ],
            "{errs}"
        );
        assert_eq!(errs.0[0].line, Some(3), "{errs}");
    }

    #[test]
    fn the_survey_and_the_statement_timeout_are_checked() {
        let c = CityViewConfig::from_toml_str(GOOD).expect("valid");
        assert_eq!(c.min_group_respondents, 5);
        assert_eq!(c.questionnaire.elements.len(), 9);
        assert_eq!(c.database.statement_timeout.as_secs(), 30);
        let src = GOOD.to_string()
            + "statement_timeout_seconds = 0\n[survey]\nmin_group_respondents = 0\n\
               questionnaire = \"/nonexistent/survey.toml\"\n";
        let errs = CityViewConfig::from_toml_str(&src).expect_err("must fail");
        let paths: Vec<_> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "database.statement_timeout_seconds",
                "survey.min_group_respondents",
                "survey.questionnaire"
            ],
            "{errs}"
        );
        let dir = tempfile::tempdir().expect("dir");
        let q = dir.path().join("survey.toml");
        std::fs::write(&q, "weighting = \"exact\"\n").expect("write");
        let src = format!(
            "{GOOD}[survey]\nmin_group_respondents = 3\nquestionnaire = \"{}\"\n",
            q.display()
        );
        let errs = CityViewConfig::from_toml_str(&src).expect_err("a wrong questionnaire");
        assert_eq!(errs.0[0].path, "survey.questionnaire", "{errs}");
        let embedded = include_str!("../../config/survey.toml");
        std::fs::write(&q, embedded).expect("write");
        let c = CityViewConfig::from_toml_str(&src).expect("valid");
        assert_eq!(c.min_group_respondents, 3);
        assert_eq!(c.questionnaire.elements.len(), 9);
    }
}
