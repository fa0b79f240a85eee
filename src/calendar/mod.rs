//! Working time: the office's hours, breaks and holidays, and what a time standard
//! (`1 hari kerja`) means on that calendar. Pure: no clock reads, no I/O (but
//! `read_holiday_dir`, which loading the configuration calls, never the arithmetic).
//!
//! Everything is reckoned in office-local wall-clock time (WIB, WITA or WIT: the same rules,
//! different instants) and answered in UTC.

mod holidays;
mod load;
mod standard;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::config::WeekHours;

pub use holidays::{BUILTIN, Holiday, HolidayKind, HolidaySource, Holidays};
pub use load::read_holiday_dir;
pub use standard::{BadStandard, TimeStandard};

/// How far ahead the console warns that the holiday files run out.
pub const WARN_DAYS_AHEAD: u32 = 60;

/// The most days any one question scans: a century. A week with working time and holiday
/// files that leave some weekday open reach an answer within weeks; this bound only stops
/// absurd input (`99999999 hari kerja`, holiday files listing every day) from running on.
const MAX_DAYS: u64 = 36_525;

/// A week without a single working minute: no deadline could ever fall due.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tidak ada jam kerja sama sekali dalam seminggu / no working hours on any day of the week")]
pub struct NoWorkingTime;

/// The office's working time: its staff's weekly hours (breaks are the gaps between a day's
/// ranges), its holidays, and whether *cuti bersama* is worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    time_zone: Tz,
    week: WeekHours,
    cuti_bersama_is_working_day: bool,
    holidays: Holidays,
}

impl Calendar {
    /// Refuses a week with no working time, so that every question has an answer.
    pub fn new(
        time_zone: Tz,
        week: WeekHours,
        cuti_bersama_is_working_day: bool,
        holidays: Holidays,
    ) -> Result<Self, NoWorkingTime> {
        if week.days.iter().all(Vec::is_empty) {
            return Err(NoWorkingTime);
        }
        Ok(Self {
            time_zone,
            week,
            cuti_bersama_is_working_day,
            holidays,
        })
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    pub fn week(&self) -> &WeekHours {
        &self.week
    }

    pub fn cuti_bersama_is_working_day(&self) -> bool {
        self.cuti_bersama_is_working_day
    }

    pub fn holidays(&self) -> &Holidays {
        &self.holidays
    }

    /// The holiday on `date`, of either kind, worked or not.
    pub fn holiday(&self, date: NaiveDate) -> Option<&Holiday> {
        self.holidays.get(date)
    }

    /// The holiday that makes `date` a day off: a national holiday, or *cuti bersama* unless
    /// the office works it. The kiosk closes on exactly these.
    pub fn closing_holiday(&self, date: NaiveDate) -> Option<&Holiday> {
        self.holidays.get(date).filter(|h| match h.kind {
            HolidayKind::LiburNasional => true,
            HolidayKind::CutiBersama => !self.cuti_bersama_is_working_day,
        })
    }

    /// A day with working hours and no closing holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.week.ranges(date.weekday()).is_empty() && self.closing_holiday(date).is_none()
    }

    /// Inside the working hours of a working day (a range's start counts, its end does not).
    pub fn is_working(&self, at: DateTime<Utc>) -> bool {
        let t = self.local(at);
        self.periods(t.date()).any(|(s, e)| s <= t && t < e)
    }

    /// The first working instant at or after `at`: `at` itself during working time.
    pub fn next_opening(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let from = self.local(at);
        let local = self
            .periods_from(from)
            .next()
            .map_or_else(|| horizon(from), |(s, _)| s);
        self.utc(local)
    }

    /// When a step of this standard, started at `start`, is due. A step that starts outside
    /// working time starts at the next opening. `N menit` and `N jam` count working minutes
    /// only (no breaks, evenings, weekends or holidays). `N hari kerja` is the same clock time
    /// N working days later; where that day's hours do not include that clock time, the
    /// deadline moves back to the day's last working moment before it (its closing, or the
    /// start of the break it falls in), or to the day's opening if it opens only later.
    pub fn due(&self, start: DateTime<Utc>, standard: TimeStandard) -> DateTime<Utc> {
        let from = self.local(start);
        let local = match standard {
            TimeStandard::Minutes(n) => self.add_working(from, TimeDelta::minutes(i64::from(n))),
            TimeStandard::Hours(n) => self.add_working(from, TimeDelta::minutes(i64::from(n) * 60)),
            TimeStandard::WorkingDays(n) => self.add_working_days(from, n),
        };
        self.utc(local)
    }

    /// Working minutes from `a` to `b` (whole minutes, rounded down; 0 when `b` is not after
    /// `a`): the "elapsed" of a step on a timeline.
    pub fn working_minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> u64 {
        if b <= a {
            return 0;
        }
        let (from, to) = (self.local(a), self.local(b));
        let mut total = TimeDelta::zero();
        for (s, e) in self.periods_from(from) {
            if s >= to {
                break;
            }
            total += e.min(to) - s;
        }
        u64::try_from(total.num_minutes()).unwrap_or(0)
    }

    /// The last date the holiday files cover: 31 December of the latest year with a file.
    pub fn covered_until(&self) -> Option<NaiveDate> {
        self.holidays
            .years()
            .last()
            .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
    }

    /// What to tell an administrator when the holiday files run out within
    /// `WARN_DAYS_AHEAD` days of `today` (or already have); None while they reach far enough.
    pub fn coverage_warning(&self, today: NaiveDate) -> Option<String> {
        if !self.runs_out_within(today, WARN_DAYS_AHEAD) {
            return None;
        }
        Some(match self.covered_until() {
            Some(until) if until < today => {
                let until = until.format("%d-%m-%Y");
                format!(
                    "data hari libur sudah berakhir {until}: tambahkan holidays/TAHUN.toml dari SKB \
                     tahun ini di samping berkas konfigurasi / the holiday files ended on {until}: \
                     add holidays/YEAR.toml from this year's decree beside the configuration file"
                )
            }
            Some(until) => {
                let until = until.format("%d-%m-%Y");
                format!(
                    "data hari libur berakhir {until}, kurang dari {WARN_DAYS_AHEAD} hari lagi: \
                     tambahkan holidays/TAHUN.toml dari SKB tahun itu di samping berkas konfigurasi \
                     / the holiday files end on {until}, within {WARN_DAYS_AHEAD} days: add \
                     holidays/YEAR.toml from that year's decree beside the configuration file"
                )
            }
            None => "tidak ada data hari libur / no holiday files".to_string(),
        })
    }

    /// Whether some day from `today` through `days` days later falls in a year no holiday file
    /// covers (past the last file, or in a gap): the console's cue to warn an administrator.
    pub fn runs_out_within(&self, today: NaiveDate, days: u32) -> bool {
        let Some(last) = today.checked_add_days(Days::new(u64::from(days))) else {
            return true;
        };
        (today.year()..=last.year()).any(|y| !self.holidays.covers(y))
    }

    fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.time_zone).naive_local()
    }

    fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        use chrono::{Offset, TimeZone};
        match self.time_zone.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                t.with_timezone(&Utc)
            }
            // A wall-clock time skipped by a daylight-saving change (never in Indonesia's
            // zones): take the offset in force around it.
            chrono::LocalResult::None => {
                let offset = self.time_zone.offset_from_utc_datetime(&local).fix();
                local
                    .checked_sub_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))
                    .map_or(DateTime::<Utc>::MAX_UTC, |n| n.and_utc())
            }
        }
    }

    /// A date's working periods, office-local: none on a day off.
    fn periods(&self, date: NaiveDate) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> {
        let ranges = if self.is_working_day(date) {
            self.week.ranges(date.weekday())
        } else {
            &[]
        };
        ranges
            .iter()
            .map(move |r| (at_minute(date, r.start), at_minute(date, r.end)))
    }

    /// The working periods from `from` on, the first cut to begin at `from`, for at most
    /// `MAX_DAYS` days.
    fn periods_from(
        &self,
        from: NaiveDateTime,
    ) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> + '_ {
        days_from(from.date())
            .flat_map(|date| self.periods(date))
            .filter(move |(_, e)| *e > from)
            .map(move |(s, e)| (s.max(from), e))
    }

    fn add_working(&self, from: NaiveDateTime, mut left: TimeDelta) -> NaiveDateTime {
        for (s, e) in self.periods_from(from) {
            // Work that ends exactly as a period ends is due then (at 12.00, not after the
            // break).
            if left <= e - s {
                return s + left;
            }
            left -= e - s;
        }
        horizon(from)
    }

    fn add_working_days(&self, from: NaiveDateTime, n: u32) -> NaiveDateTime {
        let Some((start, _)) = self.periods_from(from).next() else {
            return horizon(from);
        };
        if n == 0 {
            return start;
        }
        let mut left = n;
        for date in days_from(start.date()).skip(1) {
            if self.is_working_day(date) {
                left -= 1;
                if left == 0 {
                    return self.same_clock_time(date, start.time());
                }
            }
        }
        horizon(from)
    }

    /// `clock` on the working day `date`, moved back to the day's last working moment before
    /// it when the day does not work then (a later closing elsewhere in the week, a break at
    /// another time), or to its opening when it opens only after `clock`.
    fn same_clock_time(&self, date: NaiveDate, clock: NaiveTime) -> NaiveDateTime {
        let t = date.and_time(clock);
        let periods: Vec<_> = self.periods(date).collect();
        match periods.iter().rev().find(|(s, _)| *s <= t) {
            Some((_, e)) => t.min(*e),
            None => periods.first().map_or(t, |(s, _)| *s),
        }
    }
}

/// `minute` minutes after the start of `date` (1440 is the next midnight).
fn at_minute(date: NaiveDate, minute: u16) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(minute))
}

fn days_from(first: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    (0..MAX_DAYS).map_while(move |i| first.checked_add_days(Days::new(i)))
}

/// Where a question gives up: `MAX_DAYS` after it started, "not within any horizon that
/// matters".
fn horizon(from: NaiveDateTime) -> NaiveDateTime {
    from.checked_add_days(Days::new(MAX_DAYS))
        .unwrap_or(NaiveDateTime::MAX)
}

#[cfg(test)]
mod tests;

/// Deadlines on this calendar: what the complaint engine asks of working time.
impl crate::complaint::Deadlines for Calendar {
    fn due(&self, start: DateTime<Utc>, standard: TimeStandard) -> DateTime<Utc> {
        Calendar::due(self, start, standard)
    }

    fn working_minutes(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
        self.working_minutes_between(from, to)
    }
}
