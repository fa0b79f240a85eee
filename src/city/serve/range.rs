//! The date and month ranges of the city view's forms (`?dari=…&sampai=…`), read with serde
//! and checked here: a bad date, a range ending before it starts or one too long is refused
//! with a message in Indonesian and English, and the page shows its form again (400), with
//! nothing read from the database.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Deserializer};

/// The longest range of days the waits page reads: a year (a leap year's 366 days). A year
/// for ten offices takes seconds on the city's server (docs/city.md).
pub const MAX_DAYS: i64 = 366;
/// The longest range of months the IKM page reads.
pub const MAX_MONTHS: u32 = 24;

/// Why a range was refused: Indonesian, then English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub id: String,
    pub en: String,
}

impl Refusal {
    fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            en: en.into(),
        }
    }
}

/// An empty field is no field: the form sends both, the user may clear one.
fn optional<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// `?dari=2026-11-01&sampai=2026-11-30`
#[derive(Debug, Default, Deserialize)]
pub struct DaysQuery {
    #[serde(default, deserialize_with = "optional")]
    pub dari: Option<NaiveDate>,
    #[serde(default, deserialize_with = "optional")]
    pub sampai: Option<NaiveDate>,
}

/// `2026-11`: the month's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month(pub NaiveDate);

impl std::str::FromStr for Month {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        // Exactly YYYY-MM: chrono alone would take `2026-1`.
        let ok = s.len() == 7 && s.as_bytes()[4] == b'-';
        NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .ok()
            .filter(|_| ok)
            .map(Month)
            .ok_or_else(|| format!("`{s}` is not YYYY-MM"))
    }
}

/// `?dari=2026-01&sampai=2026-11`
#[derive(Debug, Default, Deserialize)]
pub struct MonthsQuery {
    #[serde(default, deserialize_with = "optional")]
    pub dari: Option<Month>,
    #[serde(default, deserialize_with = "optional")]
    pub sampai: Option<Month>,
}

fn unreadable(r: &QueryRejection, example: &str) -> Refusal {
    tracing::debug!(rejection = %r, "range refused");
    Refusal::new(
        format!("Tanggal tidak dapat dibaca. Tulis seperti {example}."),
        format!("The dates cannot be read. Write them as {example}."),
    )
}

/// The days `dari..=sampai`; without them, this month up to `today` (the city's).
pub fn days(
    q: Result<Query<DaysQuery>, QueryRejection>,
    today: NaiveDate,
) -> (NaiveDate, NaiveDate, Option<Refusal>) {
    let first = today.with_day(1).unwrap_or(today);
    let q = match q {
        Ok(Query(q)) => q,
        Err(r) => return (first, today, Some(unreadable(&r, "2026-11-30"))),
    };
    let from = q.dari.unwrap_or(first);
    let to = q.sampai.unwrap_or(today);
    let refusal = if to < from {
        Some(Refusal::new(
            "Tanggal akhir (sampai) lebih awal dari tanggal awal (dari).",
            "The end date is before the start date.",
        ))
    } else if (to - from).num_days() + 1 > MAX_DAYS {
        Some(Refusal::new(
            format!("Rentang paling lama {MAX_DAYS} hari; pilih rentang yang lebih pendek."),
            format!("The range is at most {MAX_DAYS} days; choose a shorter one."),
        ))
    } else {
        None
    };
    (from, to, refusal)
}

/// The months `dari..=sampai` as (first month's first day, last month's last day); without
/// them, January of this year up to this month.
pub fn months(
    q: Result<Query<MonthsQuery>, QueryRejection>,
    today: NaiveDate,
) -> (NaiveDate, NaiveDate, Option<Refusal>) {
    let this = today.with_day(1).unwrap_or(today);
    let january = this.with_month(1).unwrap_or(this);
    let q = match q {
        Ok(Query(q)) => q,
        Err(r) => {
            let r = unreadable(&r, "2026-11");
            return (january, last_day(this), Some(r));
        }
    };
    let from = q.dari.map_or(january, |m| m.0);
    let to = q.sampai.map_or(this, |m| m.0);
    let span = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
    let refusal = if to < from {
        Some(Refusal::new(
            "Bulan akhir (sampai) lebih awal dari bulan awal (dari).",
            "The end month is before the start month.",
        ))
    } else if span > MAX_MONTHS as i32 {
        Some(Refusal::new(
            format!("Rentang paling lama {MAX_MONTHS} bulan; pilih rentang yang lebih pendek."),
            format!("The range is at most {MAX_MONTHS} months; choose a shorter one."),
        ))
    } else {
        None
    };
    (from, last_day(to), refusal)
}

fn last_day(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(month)
}

/// `1 November 2026`
pub fn long_date(d: NaiveDate) -> String {
    format!(
        "{} {} {}",
        d.day(),
        crate::clock::MONTHS_ID[d.month0() as usize],
        d.year()
    )
}

/// `November 2026`
pub fn long_month(d: NaiveDate) -> String {
    format!(
        "{} {}",
        crate::clock::MONTHS_ID[d.month0() as usize],
        d.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Uri;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn days_of(q: &str) -> (NaiveDate, NaiveDate, Option<Refusal>) {
        let uri: Uri = format!("/waktu-tunggu?{q}").parse().expect("uri");
        days(Query::try_from_uri(&uri), d(2026, 11, 30))
    }

    fn months_of(q: &str) -> (NaiveDate, NaiveDate, Option<Refusal>) {
        let uri: Uri = format!("/ikm?{q}").parse().expect("uri");
        months(Query::try_from_uri(&uri), d(2026, 11, 30))
    }

    #[test]
    fn days_default_to_this_month_and_refuse_what_cannot_be_read() {
        assert_eq!(days_of(""), (d(2026, 11, 1), d(2026, 11, 30), None));
        assert_eq!(
            days_of("dari=&sampai="),
            (d(2026, 11, 1), d(2026, 11, 30), None)
        );
        assert_eq!(
            days_of("dari=2025-12-01&sampai=2026-11-30"),
            (d(2025, 12, 1), d(2026, 11, 30), None)
        );
        let refused = |q: &str| days_of(q).2.map(|r| r.id).unwrap_or_default();
        assert!(refused("dari=2026-02-30").starts_with("Tanggal tidak dapat dibaca"));
        assert!(refused("dari=kemarin").starts_with("Tanggal tidak dapat dibaca"));
        assert!(refused("dari=2026-11-10&sampai=2026-11-09").starts_with("Tanggal akhir"));
        assert!(
            refused("dari=2024-11-30&sampai=2026-11-30").starts_with("Rentang paling lama 366")
        );
        // 366 days exactly is a leap year: allowed.
        assert_eq!(days_of("dari=2024-01-01&sampai=2024-12-31").2, None);
    }

    #[test]
    fn months_default_to_the_year_so_far() {
        assert_eq!(months_of(""), (d(2026, 1, 1), d(2026, 11, 30), None));
        assert_eq!(
            months_of("dari=2026-02&sampai=2026-02"),
            (d(2026, 2, 1), d(2026, 2, 28), None)
        );
        let refused = |q: &str| months_of(q).2.map(|r| r.id).unwrap_or_default();
        assert!(refused("dari=2026-1").starts_with("Tanggal tidak dapat dibaca"));
        assert!(refused("dari=2026-13").starts_with("Tanggal tidak dapat dibaca"));
        assert!(refused("dari=2026-11&sampai=2026-10").starts_with("Bulan akhir"));
        assert!(refused("dari=2024-01&sampai=2026-01").starts_with("Rentang paling lama 24"));
        assert_eq!(months_of("dari=2024-12&sampai=2026-11").2, None);
    }
}
