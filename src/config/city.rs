//! `[city]`: shipping the office's append-only records to the city's central PostgreSQL
//! (docs/city.md). Left out, nothing is exported and nothing is written to the outbox.

use std::path::PathBuf;

use serde::Deserialize;

use super::errors::Collector;

/// The personal fields an office may agree to ship, each named on its own. None by default:
/// the city gets numbers, levels, steps and times.
pub const PERSONAL_FIELDS: &[&str] = &[
    "survey.suggestion",
    "complaint.actor",
    "audit.actor",
    "audit.target",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CityConfig {
    /// The server, as a PostgreSQL connection string (`postgresql://loket_3271_dukcapil@kota.example:5432/loket_kota`
    /// or `host=… user=… dbname=…`). Its password, when one is needed, is `password_file`.
    pub url: String,
    /// The role's password, in a file of its own (readable by loket only): the configuration
    /// file is world-readable.
    pub password_file: Option<PathBuf>,
    /// The server's certificate (PEM). The connection is TLS and accepts exactly this
    /// certificate, not any a public CA signed. Left out only for a server on a Unix socket
    /// of the box itself.
    pub server_certificate: Option<PathBuf>,
    /// Records sent in one transaction.
    pub batch_size: u32,
    /// The longest wait between two attempts while the server cannot be reached.
    pub retry_max_secs: u32,
    /// The longest one round (connect, send, commit) may take before it is given up and
    /// sent again: a network that vanished without a reset cannot hold the exporter.
    pub round_timeout_secs: u32,
    /// The longest a connection attempt (TCP, TLS, login) may take.
    pub connect_timeout_secs: u32,
    pub personal: PersonalFields,
}

/// Which personal fields go to the city (`personal_fields`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PersonalFields {
    /// The survey's free-text suggestion (may name someone).
    pub survey_suggestion: bool,
    /// The staff account that acted on a complaint.
    pub complaint_actor: bool,
    /// The account (or `system`) behind an audit entry.
    pub audit_actor: bool,
    /// What an audit entry was done to (a username, a ticket number).
    pub audit_target: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCity {
    url: String,
    #[serde(default)]
    password_file: Option<String>,
    #[serde(default)]
    server_certificate: Option<String>,
    #[serde(default = "default_batch_size")]
    batch_size: u32,
    #[serde(default = "default_retry_max_secs")]
    retry_max_secs: u32,
    #[serde(default = "default_round_timeout_secs")]
    round_timeout_secs: u32,
    #[serde(default = "default_connect_timeout_secs")]
    connect_timeout_secs: u32,
    #[serde(default)]
    personal_fields: Vec<String>,
}

/// A few hundred small rows: one round trip and one commit on the server, well under a
/// second even on a slow link.
fn default_batch_size() -> u32 {
    500
}

/// Five minutes: a city server back after an outage is found soon, and a box that cannot
/// reach it does not knock every second.
fn default_retry_max_secs() -> u32 {
    300
}

/// A minute: a batch of a few hundred rows takes well under a second even on a slow link,
/// so a round this long is a connection that no longer answers.
fn default_round_timeout_secs() -> u32 {
    60
}

/// Fifteen seconds: a server across a city's network answers a login in far less.
fn default_connect_timeout_secs() -> u32 {
    15
}

/// Whether the connection string names a Unix socket directory as its host (`host=/run/…`
/// or `?host=/run/…`): the only case where no certificate is asked for.
fn unix_socket_host(url: &str) -> bool {
    url.split(['?', '&', ' '])
        .any(|part| part.trim().starts_with("host=/"))
}

pub(super) fn validate(raw: Option<&RawCity>, errs: &mut Collector) -> Option<CityConfig> {
    let raw = raw?;
    let url = raw.url.trim();
    let is_uri = url.starts_with("postgresql://") || url.starts_with("postgres://");
    if url.is_empty() || !(is_uri || url.contains('=')) {
        errs.push(
            "city.url",
            "harus string koneksi PostgreSQL, mis. postgresql://loket_kantor@kota.example/loket_kota / \
             must be a PostgreSQL connection string, e.g. postgresql://loket_kantor@kota.example/loket_kota",
        );
    }
    if is_uri
        && url
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .is_some_and(|(auth, _)| auth.contains(':'))
    {
        errs.push(
            "city.url",
            "jangan taruh kata sandi di sini (berkas ini dapat dibaca semua pengguna); pakai password_file / \
             no password here (this file is world-readable): use password_file",
        );
    }
    if raw.server_certificate.is_none() && !unix_socket_host(url) {
        errs.push(
            "city.server_certificate",
            "wajib: sertifikat server kota (PEM) yang dipercaya, kecuali server pada soket Unix di mesin ini / \
             required: the city server's certificate (PEM) to trust, unless the server is on a Unix socket of this box",
        );
    }
    if !(1..=10_000).contains(&raw.batch_size) {
        errs.push(
            "city.batch_size",
            "harus antara 1 dan 10000 / must be between 1 and 10000",
        );
    }
    if !(1..=86_400).contains(&raw.retry_max_secs) {
        errs.push(
            "city.retry_max_secs",
            "harus antara 1 dan 86400 / must be between 1 and 86400",
        );
    }
    if !(1..=3_600).contains(&raw.round_timeout_secs) {
        errs.push(
            "city.round_timeout_secs",
            "harus antara 1 dan 3600 / must be between 1 and 3600",
        );
    }
    if !(1..=600).contains(&raw.connect_timeout_secs) {
        errs.push(
            "city.connect_timeout_secs",
            "harus antara 1 dan 600 / must be between 1 and 600",
        );
    }
    let mut personal = PersonalFields::default();
    for (i, f) in raw.personal_fields.iter().enumerate() {
        match f.as_str() {
            "survey.suggestion" => personal.survey_suggestion = true,
            "complaint.actor" => personal.complaint_actor = true,
            "audit.actor" => personal.audit_actor = true,
            "audit.target" => personal.audit_target = true,
            other => errs.push(
                format!("city.personal_fields[{i}]"),
                format!(
                    "`{other}` tidak dikenal; yang boleh: {} / unknown; allowed: {}",
                    PERSONAL_FIELDS.join(", "),
                    PERSONAL_FIELDS.join(", ")
                ),
            ),
        }
    }
    Some(CityConfig {
        url: url.to_string(),
        password_file: raw.password_file.as_ref().map(PathBuf::from),
        server_certificate: raw.server_certificate.as_ref().map(PathBuf::from),
        batch_size: raw.batch_size.clamp(1, 10_000),
        retry_max_secs: raw.retry_max_secs.clamp(1, 86_400),
        round_timeout_secs: raw.round_timeout_secs.clamp(1, 3_600),
        connect_timeout_secs: raw.connect_timeout_secs.clamp(1, 600),
        personal,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Config, EMBEDDED_DEFAULT};

    fn with_city(section: &str) -> String {
        format!("{EMBEDDED_DEFAULT}\n[city]\n{section}\n")
    }

    #[test]
    fn no_city_section_means_no_export() {
        assert_eq!(Config::embedded().expect("config").city, None);
    }

    #[test]
    fn a_city_section_is_read_with_nothing_personal_by_default() {
        let src = with_city(
            "url = \"postgresql://loket_a@kota.example/loket_kota\"\nserver_certificate = \"/etc/loket/kota.pem\"",
        );
        let city = Config::from_toml_str(&src)
            .expect("valid")
            .city
            .expect("city");
        assert_eq!(city.batch_size, 500);
        assert_eq!(
            (city.round_timeout_secs, city.connect_timeout_secs),
            (60, 15)
        );
        assert_eq!(city.personal, super::PersonalFields::default());
        assert_eq!(
            city.server_certificate.as_deref(),
            Some(std::path::Path::new("/etc/loket/kota.pem"))
        );
    }

    #[test]
    fn bad_city_fields_are_named() {
        let src = with_city(
            "url = \"postgresql://a:secret@kota.example/k\"\nbatch_size = 0\nround_timeout_secs = 0\nconnect_timeout_secs = 601\npersonal_fields = [\"survey.suggestion\", \"complaint.nik\"]",
        );
        let errs = Config::from_toml_str(&src).expect_err("must fail");
        let paths: Vec<_> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "city.url",
                "city.server_certificate",
                "city.batch_size",
                "city.round_timeout_secs",
                "city.connect_timeout_secs",
                "city.personal_fields[1]"
            ]
        );
        // A server on the box's own socket needs no certificate.
        let src = with_city("url = \"host=/run/postgresql user=loket_a dbname=k\"");
        assert!(Config::from_toml_str(&src).expect("valid").city.is_some());
    }
}
