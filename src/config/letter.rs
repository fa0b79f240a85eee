//! `[letter]`: the reply letter's number, place, defaults and who signs it.
//!
//! The signer block (jabatan, name with academic titles, pangkat/golongan, NIP) is
//! configuration, not an account's profile: it is the office's position as it must be printed
//! under Permendagri 1/2023 art. 44 (changed by a decree, with an acting head's `Plt.`), not
//! something each user edits about themselves; the account that signs is recorded beside it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::errors::Collector;
use crate::auth::Role;
use crate::letter::Template;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLetter {
    #[serde(default = "default_pattern")]
    number_pattern: String,
    #[serde(default = "default_unit")]
    unit: String,
    #[serde(default = "default_place")]
    place: String,
    #[serde(default = "default_sifat")]
    sifat: String,
    #[serde(default)]
    tembusan: Vec<String>,
    #[serde(default = "default_template")]
    template: String,
    #[serde(default)]
    signers: BTreeMap<String, Signer>,
}

impl Default for RawLetter {
    fn default() -> Self {
        Self {
            number_pattern: default_pattern(),
            unit: default_unit(),
            place: default_place(),
            sifat: default_sifat(),
            tembusan: Vec::new(),
            template: default_template(),
            signers: BTreeMap::new(),
        }
    }
}

fn default_pattern() -> String {
    "000.8.3.3/{seq}/{unit}/{year}".to_string()
}
fn default_unit() -> String {
    "DPMPTSP".to_string()
}
fn default_place() -> String {
    "Kota Contoh".to_string()
}
fn default_sifat() -> String {
    "Biasa".to_string()
}
/// The template's file when `[letter] template` is not set.
pub(super) const DEFAULT_TEMPLATE: &str = "letter/surat-balasan.toml";

fn default_template() -> String {
    DEFAULT_TEMPLATE.to_string()
}

/// An official's signature block as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// `Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu`.
    pub jabatan: String,
    /// With academic titles: `Dr. Hendra Gunawan, S.T., M.Si.`
    pub name: String,
    #[serde(default)]
    pub pangkat: String,
    #[serde(default)]
    pub nip: String,
    /// `Plt.`, `Plh.` or `Pj.`: an acting official signs with the prefix and without NIP and
    /// pangkat (art. 44).
    #[serde(default)]
    pub acting: String,
}

impl Signer {
    /// The jabatan line as printed: `Plt. Kepala Dinas …`.
    pub fn jabatan_line(&self) -> String {
        if self.acting.is_empty() {
            self.jabatan.clone()
        } else {
            format!("{} {}", self.acting, self.jabatan)
        }
    }

    /// Pangkat and NIP, unless acting.
    pub fn shows_nip(&self) -> bool {
        self.acting.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct LetterConfig {
    pub number_pattern: String,
    pub unit: String,
    pub place: String,
    pub sifat: String,
    pub tembusan: Vec<String>,
    /// The template file, relative to the configuration's directory.
    pub template_file: String,
    pub signers: BTreeMap<Role, Signer>,
    /// The compiled-in template unless the office's file was loaded (`Config::load`).
    pub template: Arc<Template>,
}

impl LetterConfig {
    /// The letter number: `{seq}` (no padding, as the archive's numbers are written),
    /// `{unit}`, `{year}`, `{month}` (two digits).
    pub fn number(&self, seq: u64, year: i32, month: u32) -> String {
        self.number_pattern
            .replace("{seq}", &seq.to_string())
            .replace("{unit}", &self.unit)
            .replace("{year}", &year.to_string())
            .replace("{month}", &format!("{month:02}"))
    }
}

pub(super) fn pattern_problem(pattern: &str) -> Option<String> {
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Some("kurung kurawal tidak tertutup / unclosed brace".into());
        };
        let name = &after[..close];
        if !["seq", "unit", "year", "month"].contains(&name) {
            return Some(format!(
                "isian {{{name}}} tidak dikenal; yang dikenal: {{seq}} {{unit}} {{year}} {{month}} / unknown placeholder"
            ));
        }
        rest = &after[close + 1..];
    }
    if !pattern.contains("{seq}") {
        return Some("pola nomor surat harus memuat {seq} / the pattern must contain {seq}".into());
    }
    // The sequence starts again each year: without the year, January's numbers would repeat
    // last year's.
    if !pattern.contains("{year}") {
        return Some(
            "pola nomor surat harus memuat {year}, karena urutan dimulai lagi tiap tahun / the pattern must contain {year}: the sequence restarts each year"
                .into(),
        );
    }
    if rest.contains('}') || pattern.chars().any(char::is_control) || pattern.len() > 80 {
        return Some("pola nomor surat tidak sah / invalid pattern".into());
    }
    None
}

pub(super) fn validate(raw: &RawLetter, errs: &mut Collector) -> Option<LetterConfig> {
    let before = errs.errors.len();
    if let Some(p) = pattern_problem(&raw.number_pattern) {
        errs.push("letter.number_pattern", p);
    }
    if raw.unit.trim().is_empty() || raw.unit.contains(['{', '}', '\n']) {
        errs.push(
            "letter.unit",
            "kode unit wajib diisi / the unit code is required",
        );
    }
    if raw.place.trim().is_empty() {
        errs.push("letter.place", "tempat wajib diisi / the place is required");
    }
    let mut signers = BTreeMap::new();
    for (key, s) in &raw.signers {
        let path = format!("letter.signers.{key}");
        let Ok(role) = key.parse::<Role>() else {
            errs.push(&path, format!("peran `{key}` tidak dikenal / unknown role"));
            continue;
        };
        if s.jabatan.trim().is_empty() || s.name.trim().is_empty() {
            errs.push(
                &path,
                "jabatan dan name wajib diisi / jabatan and name are required",
            );
        }
        match s.acting.as_str() {
            "" => {
                let digits: String = s.nip.chars().filter(|c| !c.is_whitespace()).collect();
                if digits.len() != 18 || !digits.chars().all(|c| c.is_ascii_digit()) {
                    errs.push(
                        format!("{path}.nip"),
                        "NIP terdiri dari 18 angka / the NIP has 18 digits",
                    );
                }
                if s.pangkat.trim().is_empty() {
                    errs.push(
                        format!("{path}.pangkat"),
                        "pangkat/golongan wajib diisi kecuali pejabat Plt./Plh./Pj. / required unless acting",
                    );
                }
            }
            "Plt." | "Plh." | "Pj." => {}
            other => errs.push(
                format!("{path}.acting"),
                format!(
                    "`{other}`: hanya \"Plt.\", \"Plh.\" atau \"Pj.\" / only Plt., Plh. or Pj."
                ),
            ),
        }
        signers.insert(role, s.clone());
    }
    let template = match Template::embedded() {
        Ok(t) => Arc::new(t),
        Err(e) => {
            errs.extend(e);
            return None;
        }
    };
    (errs.errors.len() == before).then(|| LetterConfig {
        number_pattern: raw.number_pattern.clone(),
        unit: raw.unit.trim().to_string(),
        place: raw.place.trim().to_string(),
        sifat: raw.sifat.trim().to_string(),
        tembusan: raw.tembusan.clone(),
        template_file: raw.template.clone(),
        signers,
        template,
    })
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, EMBEDDED_DEFAULT};

    #[test]
    fn the_letter_section_numbers_and_is_checked_with_its_path() {
        let c = Config::embedded().expect("embedded config");
        assert_eq!(c.letter.number(7, 2026, 3), "000.8.3.3/7/DPMPTSP/2026");
        let signer = &c.letter.signers[&crate::auth::Role::KepalaDinas];
        assert!(signer.shows_nip());

        let bad = EMBEDDED_DEFAULT
            .replace(
                "000.8.3.3/{seq}/{unit}/{year}",
                "000.8.3.3/{nomor}/{unit}/{year}",
            )
            .replace("acting = \"\"", "acting = \"Pjs.\"");
        let errs = Config::from_toml_str(&bad).expect_err("refused");
        let pattern = errs
            .0
            .iter()
            .find(|e| e.path == "letter.number_pattern")
            .expect("the pattern is refused");
        assert!(pattern.message.contains("{nomor}"), "{pattern}");
        let line = bad
            .lines()
            .position(|l| l.starts_with("number_pattern = \"000.8.3.3"))
            .map(|i| i + 1);
        assert_eq!(pattern.line, line);
        assert!(
            errs.0
                .iter()
                .any(|e| e.path == "letter.signers.kepala_dinas.acting"),
            "{errs}"
        );

        let yearless =
            EMBEDDED_DEFAULT.replace("000.8.3.3/{seq}/{unit}/{year}", "000.8.3.3/{seq}/{unit}");
        let errs = Config::from_toml_str(&yearless).expect_err("refused");
        assert!(
            errs.0
                .iter()
                .any(|e| e.path == "letter.number_pattern" && e.message.contains("{year}")),
            "{errs}"
        );

        let bad_nip = EMBEDDED_DEFAULT.replace("19700101 200003 1 001", "1970");
        let errs = Config::from_toml_str(&bad_nip).expect_err("refused");
        assert!(
            errs.0
                .iter()
                .any(|e| e.path == "letter.signers.kepala_dinas.nip")
        );

        // An acting head signs without NIP and pangkat.
        let acting = EMBEDDED_DEFAULT
            .replace("acting = \"\"", "acting = \"Plt.\"")
            .replace("nip = \"19700101 200003 1 001\"", "nip = \"\"");
        let c = Config::from_toml_str(&acting).expect("config");
        let s = &c.letter.signers[&crate::auth::Role::KepalaDinas];
        assert!(!s.shows_nip());
        assert!(s.jabatan_line().starts_with("Plt. Kepala Dinas"));
    }
}
