//! Holidays as data: one TOML file per year (`config/holidays/YYYY.toml`), each entry with its
//! date, Indonesian name, kind and decree. National holidays and *cuti bersama* are set by
//! decree each year and revised mid-year, so they are never code.
//!
//! The files under `config/holidays/` are compiled in. An office's own `holidays/YYYY.toml`
//! (beside its configuration file) replaces the built-in file of that year as a whole, or adds
//! a year: a revised decree can move or drop a date, which a merge could not express.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use toml::Spanned;

use crate::config::{ConfigError, line_of};

/// The built-in holiday files: (file name, text). A year is added here only from its decree's
/// text; see `config/holidays/README`.
pub const BUILTIN: &[(&str, &str)] =
    &[("2026.toml", include_str!("../../config/holidays/2026.toml"))];

/// What a holiday is, as the decree calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolidayKind {
    /// *Hari libur nasional*: the office is closed.
    LiburNasional,
    /// *Cuti bersama*: collective leave taken from civil servants' annual leave; whether the
    /// office works is its own setting (`working_hours.cuti_bersama_is_working_day`).
    CutiBersama,
}

impl HolidayKind {
    /// As written in the files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LiburNasional => "libur_nasional",
            Self::CutiBersama => "cuti_bersama",
        }
    }

    /// As staff read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::LiburNasional => "libur nasional",
            Self::CutiBersama => "cuti bersama",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "libur_nasional" => Some(Self::LiburNasional),
            "cuti_bersama" => Some(Self::CutiBersama),
            _ => None,
        }
    }
}

impl fmt::Display for HolidayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    /// Indonesian, as in the decree: `Idul Fitri 1447 Hijriah`.
    pub name: String,
    pub kind: HolidayKind,
    /// The decree that sets it, e.g. `SKB 1497/2025, 2/2025, 5/2025`.
    pub decree: String,
}

/// One holiday file's text, with the name errors call it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidaySource {
    /// `2027.toml`: the year it lists.
    pub file_name: String,
    /// Where it was read, for messages: `/etc/loket/holidays/2027.toml`.
    pub label: String,
    pub text: String,
}

impl HolidaySource {
    pub fn builtin() -> Vec<Self> {
        BUILTIN
            .iter()
            .map(|(name, text)| Self {
                file_name: (*name).to_string(),
                label: format!("config/holidays/{name} (built in)"),
                text: (*text).to_string(),
            })
            .collect()
    }
}

/// Every holiday the files list, and which years they cover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    by_date: BTreeMap<NaiveDate, Holiday>,
    /// Years a file declares. A year without a file is not known to have no holidays: the
    /// calendar treats its weekdays as working days and warns before it gets there.
    years: BTreeSet<i32>,
}

impl Holidays {
    /// The built-in files, each year replaced or joined by the office's own files.
    pub fn from_sources(office: &[HolidaySource]) -> Result<Self, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let mut chosen: BTreeMap<i32, (HolidaySource, Vec<Holiday>)> = BTreeMap::new();
        // Built-in first, so an office file of the same year replaces it.
        for source in HolidaySource::builtin().iter().chain(office) {
            let Some(year) = year_of(&source.file_name) else {
                errors.push(file_error(
                    source,
                    format!(
                        "a holiday file is named after the year it lists, e.g. 2027.toml, not `{}`",
                        source.file_name
                    ),
                ));
                continue;
            };
            match parse_year(source, year) {
                Ok(list) => {
                    chosen.insert(year, (source.clone(), list));
                }
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut out = Self::default();
        for (year, (_, list)) in chosen {
            out.years.insert(year);
            out.by_date.extend(list.into_iter().map(|h| (h.date, h)));
        }
        Ok(out)
    }

    /// Only the built-in files.
    pub fn builtin() -> Result<Self, Vec<ConfigError>> {
        Self::from_sources(&[])
    }

    /// Adds a day listed outside the holiday files (the old `[[holidays]]` list of
    /// `loket.toml`) as a closed day, unless a file already lists that date: the file, which
    /// names its kind and decree, wins. Does not extend the years covered.
    pub fn add_closed_day(&mut self, date: NaiveDate, name: &str, decree: &str) {
        self.by_date.entry(date).or_insert_with(|| Holiday {
            date,
            name: name.to_string(),
            kind: HolidayKind::LiburNasional,
            decree: decree.to_string(),
        });
    }

    pub fn get(&self, date: NaiveDate) -> Option<&Holiday> {
        self.by_date.get(&date)
    }

    /// In date order.
    pub fn iter(&self) -> impl Iterator<Item = &Holiday> {
        self.by_date.values()
    }

    /// The years a holiday file covers, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }
}

fn year_of(file_name: &str) -> Option<i32> {
    let stem = file_name.strip_suffix(".toml")?;
    if stem.len() != 4 || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    holidays: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    date: Spanned<toml::value::Datetime>,
    name: Spanned<String>,
    kind: Spanned<String>,
    decree: Spanned<String>,
}

/// Parses one year's file: every problem found, each with its file, field and line.
fn parse_year(source: &HolidaySource, year: i32) -> Result<Vec<Holiday>, Vec<ConfigError>> {
    let text = source.text.as_str();
    let raw: RawFile = match toml::Deserializer::parse(text)
        .and_then(|d| serde_path_to_error::deserialize(d).map_err(|e| e.into_inner()))
    {
        Ok(raw) => raw,
        Err(e) => {
            // A syntax error, an unknown key or a wrong type: the parser stops there.
            return Err(vec![ConfigError {
                file: Some(source.label.clone()),
                path: String::new(),
                line: Some(e.span().map_or(1, |s| line_of(text, s.start))),
                message: e.message().to_string(),
            }]);
        }
    };
    let mut errors = Vec::new();
    let mut push = |path: String, span: std::ops::Range<usize>, message: String| {
        errors.push(ConfigError {
            file: Some(source.label.clone()),
            path,
            line: Some(line_of(text, span.start)),
            message,
        });
    };
    let mut list: Vec<Holiday> = Vec::new();
    let mut first_line: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (i, e) in raw.holidays.iter().enumerate() {
        let p = format!("holidays[{i}]");
        let date = match (e.date.get_ref().date, e.date.get_ref().time) {
            (Some(d), None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }
            _ => {
                push(
                    format!("{p}.date"),
                    e.date.span(),
                    "must be a date like 2026-12-25, without a time".to_string(),
                );
                continue;
            }
        };
        let Some(date) = date else {
            push(
                format!("{p}.date"),
                e.date.span(),
                "not a calendar date".to_string(),
            );
            continue;
        };
        let line = line_of(text, e.date.span().start);
        if date.year() != year {
            push(
                format!("{p}.date"),
                e.date.span(),
                format!("{date} is not in {year}: this file lists {year} only"),
            );
        } else if let Some(first) = first_line.get(&date) {
            push(
                format!("{p}.date"),
                e.date.span(),
                format!("{date} is listed twice (first on line {first})"),
            );
        } else {
            first_line.insert(date, line);
        }
        let kind = HolidayKind::parse(e.kind.get_ref());
        if kind.is_none() {
            push(
                format!("{p}.kind"),
                e.kind.span(),
                format!(
                    "unknown kind `{}`: libur_nasional or cuti_bersama",
                    e.kind.get_ref()
                ),
            );
        }
        for (field, value, max) in [("name", &e.name, 80), ("decree", &e.decree, 200)] {
            if let Some(problem) = text_problem(value.get_ref(), max) {
                push(format!("{p}.{field}"), value.span(), problem);
            }
        }
        if let Some(kind) = kind {
            list.push(Holiday {
                date,
                name: e.name.get_ref().trim().to_string(),
                kind,
                decree: e.decree.get_ref().trim().to_string(),
            });
        }
    }
    if errors.is_empty() {
        Ok(list)
    } else {
        Err(errors)
    }
}

fn text_problem(value: &str, max: usize) -> Option<String> {
    if value.trim().is_empty() {
        Some("must not be empty".to_string())
    } else if value.chars().count() > max {
        Some(format!("longer than {max} characters"))
    } else if value.chars().any(char::is_control) {
        Some("must not contain control characters".to_string())
    } else {
        None
    }
}

fn file_error(source: &HolidaySource, message: String) -> ConfigError {
    ConfigError {
        file: Some(source.label.clone()),
        path: String::new(),
        line: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &str) -> HolidaySource {
        HolidaySource {
            file_name: name.to_string(),
            label: format!("holidays/{name}"),
            text: text.to_string(),
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    const ENTRY: &str = "[[holidays]]\ndate = 2027-01-01\nname = \"Tahun Baru 2027 Masehi\"\nkind = \"libur_nasional\"\ndecree = \"SKB x\"\n";

    /// The 2026 decree as the reports and Keppres 42/2025 give it (see the file's header):
    /// a change to the shipped file must change this list too, deliberately.
    #[test]
    fn the_2026_file_is_the_decree_17_national_holidays_and_8_cuti_bersama() {
        let h = Holidays::builtin().expect("built-in files");
        let of = |kind| {
            h.iter()
                .filter(|x| x.kind == kind)
                .map(|x| x.date.format("%m-%d").to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            of(HolidayKind::LiburNasional),
            [
                "01-01", "01-16", "02-17", "03-19", "03-21", "03-22", "04-03", "04-05", "05-01",
                "05-14", "05-27", "05-31", "06-01", "06-16", "08-17", "08-25", "12-25"
            ]
        );
        assert_eq!(
            of(HolidayKind::CutiBersama),
            [
                "02-16", "03-18", "03-20", "03-23", "03-24", "05-15", "05-28", "12-24"
            ]
        );
        assert!(h.iter().all(|x| x.date.year() == 2026));
        assert_eq!(h.years().collect::<Vec<_>>(), [2026]);
        let natal = h.get(date(2026, 12, 25)).expect("25 Desember");
        assert_eq!(natal.name, "Kelahiran Yesus Kristus");
        assert!(natal.decree.contains("1497"), "{}", natal.decree);
        let cuti = h.get(date(2026, 12, 24)).expect("24 Desember");
        assert!(cuti.decree.contains("Keppres 42/2025"), "{}", cuti.decree);
    }

    #[test]
    fn no_2027_dates_are_shipped() {
        let h = Holidays::builtin().expect("built-in files");
        assert!(!h.covers(2027));
        assert!(h.iter().all(|x| x.date.year() != 2027));
    }

    #[test]
    fn an_office_file_replaces_its_year_and_adds_new_years() {
        let moved = ENTRY
            .replace("2027-01-01", "2026-03-20")
            .replace("Tahun Baru 2027 Masehi", "Idul Fitri 1447 Hijriah");
        let h = Holidays::from_sources(&[source("2026.toml", &moved), source("2027.toml", ENTRY)])
            .expect("valid");
        assert_eq!(h.years().collect::<Vec<_>>(), [2026, 2027]);
        // The office's 2026 is the whole of 2026: the built-in dates are gone.
        assert_eq!(h.iter().count(), 2);
        assert_eq!(h.get(date(2026, 12, 25)), None);
        assert_eq!(
            h.get(date(2026, 3, 20)).map(|x| x.kind),
            Some(HolidayKind::LiburNasional)
        );
        assert!(h.get(date(2027, 1, 1)).is_some());
        // An empty file declares a year with no holidays.
        let h = Holidays::from_sources(&[source("2026.toml", "")]).expect("valid");
        assert!(h.covers(2026));
        assert_eq!(h.iter().count(), 0);
    }

    #[test]
    fn each_mistake_is_named_with_file_field_and_line() {
        let text = format!(
            "{ENTRY}\n{}\n{}\n{}",
            ENTRY.replace("libur_nasional", "libur"),
            ENTRY.replace("2027-01-01", "2026-12-31"),
            ENTRY.replace("name = \"Tahun Baru 2027 Masehi\"", "name = \" \""),
        );
        let errs = Holidays::from_sources(&[source("2027.toml", &text)]).expect_err("invalid");
        let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "holidays/2027.toml: holidays[1].date (line 8): 2027-01-01 is listed twice (first on line 2)",
                "holidays/2027.toml: holidays[1].kind (line 10): unknown kind `libur`: libur_nasional or cuti_bersama",
                "holidays/2027.toml: holidays[2].date (line 14): 2026-12-31 is not in 2027: this file lists 2027 only",
                "holidays/2027.toml: holidays[3].date (line 20): 2027-01-01 is listed twice (first on line 2)",
                "holidays/2027.toml: holidays[3].name (line 21): must not be empty",
            ]
        );
    }

    #[test]
    fn structure_errors_and_bad_file_names_are_refused() {
        let errs =
            Holidays::from_sources(&[source("2027.toml", &ENTRY.replace("decree", "keputusan"))])
                .expect_err("unknown key");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].file.as_deref(), Some("holidays/2027.toml"));
        assert_eq!(errs[0].line, Some(5), "{}", errs[0]);
        assert!(errs[0].message.contains("keputusan"), "{}", errs[0]);

        let errs =
            Holidays::from_sources(&[source("2027.toml", "[[holidays]\n")]).expect_err("syntax");
        assert_eq!(errs[0].line, Some(1), "{}", errs[0]);

        let timed = ENTRY.replace("2027-01-01", "2027-01-01T08:00:00");
        let errs = Holidays::from_sources(&[source("2027.toml", &timed)]).expect_err("time");
        assert_eq!(errs[0].path, "holidays[0].date");

        let errs =
            Holidays::from_sources(&[source("libur-2027.toml", ENTRY)]).expect_err("bad name");
        assert_eq!(
            errs[0].to_string(),
            "holidays/libur-2027.toml: a holiday file is named after the year it lists, e.g. 2027.toml, not `libur-2027.toml`"
        );
    }

    #[test]
    fn a_day_from_the_old_list_closes_but_never_overrides_a_file() {
        let mut h = Holidays::builtin().expect("built-in");
        h.add_closed_day(date(2026, 12, 24), "Libur kantor", "loket.toml");
        h.add_closed_day(date(2027, 8, 17), "Hari Kemerdekaan", "loket.toml");
        assert_eq!(
            h.get(date(2026, 12, 24)).map(|x| x.kind),
            Some(HolidayKind::CutiBersama)
        );
        assert_eq!(
            h.get(date(2027, 8, 17)).map(|x| x.kind),
            Some(HolidayKind::LiburNasional)
        );
        assert!(!h.covers(2027));
    }
}
