//! The city view's data: what `loket city serve`'s pages show, read from the central
//! PostgreSQL (docs/city.md, "City view: data"). One file per page:
//!
//! - [`waits::waits`]: per office and service over a date range, tickets issued, served and
//!   not shown up, the wait (issued → first call) and the service time (the last call, or
//!   the start of service, → finished), median and p90, with per-office totals.
//! - [`overdue::overdue`]: per office, the complaint steps open now past their due time,
//!   most late first, with counts (an office with none shows zero).
//! - [`ikm::ikm`]: per office over a month range, respondents, per-element figures and the
//!   IKM with its grade, by the office's own survey code, hidden below the privacy floor.
//! - [`charts`]: the SVG charts of the three, drawn like the office's reports.
//!
//! Every function takes a connection (a `tokio_postgres::Client`, or a `Transaction` on one:
//! any `GenericClient`), plain parameters and, where
//! the answer depends on it, `now`: nothing here reads the clock. `offices` is the list of
//! office codes the viewer may see (`None`: all of them); an office the viewer may see that
//! has no records in the range is in the answer with zeros, so a page lists every office.
//! Offices come in the order of their names.

pub mod charts;
pub mod ikm;
pub mod overdue;
pub mod waits;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use tokio_postgres::GenericClient;

use super::CityError;

/// An office as the city knows it (`loket.offices`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// `office.code` of the appliance: `3271-DUKCAPIL`.
    pub code: String,
    /// The name given at `loket city add-office --name`, else the code.
    pub name: String,
}

/// The offices `allowed` names (all when `None`), by name. A code in `allowed` that the city
/// does not know is left out.
pub async fn offices(
    client: &(impl GenericClient + Sync),
    allowed: Option<&[String]>,
) -> Result<Vec<Office>, CityError> {
    let rows = client
        .query(
            "SELECT office_code, coalesce(name, office_code) AS name FROM loket.offices \
             WHERE $1::text[] IS NULL OR office_code = ANY($1::text[]) \
             ORDER BY 2, 1",
            &[&allowed_param(allowed)],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Office {
            code: r.get(0),
            name: r.get(1),
        })
        .collect())
}

/// The viewer's office list as a query parameter: NULL for "all".
pub(crate) fn allowed_param(allowed: Option<&[String]>) -> Option<Vec<String>> {
    allowed.map(<[String]>::to_vec)
}

/// The instant `day` starts in `tz` (its first valid local time).
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map_or_else(
            || day.and_time(NaiveTime::MIN).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

/// `[start, end)` of the days `from..=to` in `tz`.
pub fn day_range(tz: Tz, from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let after = to.succ_opt().unwrap_or(to);
    (day_start(tz, from), day_start(tz, after))
}

/// Instants go to the server as RFC 3339 text (`$n::text::timestamptz`) and come back as
/// microseconds since the epoch: exact both ways, with no chrono feature in the driver.
pub(crate) fn to_sql(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

/// The SQL that reads timestamptz `expr` as microseconds since the epoch.
macro_rules! micros {
    ($e:literal) => {
        concat!("(extract(epoch FROM ", $e, ") * 1000000)::bigint")
    };
}
pub(crate) use micros;

pub(crate) fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(us).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages call these from axum handlers, whose futures must be `Send`: checked by
    /// the compiler (the closure is never run).
    #[test]
    fn the_futures_can_cross_threads() {
        fn send<T: Send>(_: T) {}
        let _ = |c: &tokio_postgres::Client,
                 t: &tokio_postgres::Transaction<'_>,
                 q: &crate::survey::questionnaire::Questionnaire,
                 d: NaiveDate| {
            send(offices(c, None));
            send(waits::waits(c, chrono_tz::UTC, d, d, None));
            send(overdue::overdue(t, DateTime::<Utc>::UNIX_EPOCH, None, None));
            send(ikm::ikm(c, q, d, d, 5, None));
        };
    }

    #[test]
    fn a_jakarta_day_starts_at_17_utc_the_day_before() {
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        let (start, end) = day_range(chrono_tz::Asia::Jakarta, d(11, 2), d(11, 3));
        assert_eq!(start.to_rfc3339(), "2026-11-01T17:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-11-03T17:00:00+00:00");
        let t = from_micros(1_790_000_000_123_456);
        assert_eq!(t.timestamp_micros(), 1_790_000_000_123_456);
    }
}
