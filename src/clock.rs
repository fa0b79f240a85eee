//! Time, injected: the daemon reads the system clock through `Clock`, tests drive a
//! `FakeClock` across days, holidays and clock jumps. The domain never reads a clock itself.

use std::sync::Mutex;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to: forwards, backwards, to any instant.
pub struct FakeClock {
    now: Mutex<DateTime<Utc>>,
}

impl FakeClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The office-local calendar date of an instant.
pub fn local_date(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// RFC 3339 with the office's offset, e.g. `2026-11-30T13:05:00+07:00`.
pub fn rfc3339_local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

pub const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// `30 November 2026`
pub fn date_id(day: NaiveDate) -> String {
    format!(
        "{} {} {}",
        day.day(),
        MONTHS_ID[day.month0() as usize],
        day.year()
    )
}

/// `30 November 2026 13:05 WIB`
pub fn indonesian_datetime(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!(
        "{} {} {} {:02}:{:02} {}",
        local.day(),
        MONTHS_ID[local.month0() as usize],
        local.year(),
        local.hour(),
        local.minute(),
        local.format("%Z")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn indonesian_date_with_zone() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 30, 6, 5, 0)
            .single()
            .expect("valid");
        assert_eq!(
            indonesian_datetime(at, Tz::Asia__Jakarta),
            "30 November 2026 13:05 WIB"
        );
        assert_eq!(
            indonesian_datetime(at, Tz::Asia__Makassar),
            "30 November 2026 14:05 WITA"
        );
        assert_eq!(
            indonesian_datetime(at, Tz::Asia__Jayapura),
            "30 November 2026 15:05 WIT"
        );
    }
}
