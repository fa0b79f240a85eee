//! Opening hours: per weekday, a sorted list of non-overlapping `HH:MM-HH:MM` ranges in
//! office-local time.

use chrono::{Datelike, NaiveDateTime, Timelike, Weekday};
use serde::Deserialize;

use super::errors::Collector;

/// Minutes since local midnight, `[start, end)`; `end` may be 24:00 (1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start: u16,
    pub end: u16,
}

impl TimeRange {
    pub fn parse(s: &str) -> Result<Self, String> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("`{s}` is not a range like 08:00-12:00"))?;
        let start = parse_hhmm(a.trim())?;
        let end = parse_hhmm(b.trim())?;
        if start >= end {
            return Err(format!("`{s}`: the start must be before the end"));
        }
        Ok(Self { start, end })
    }

    pub fn contains(&self, minute: u16) -> bool {
        self.start <= minute && minute < self.end
    }
}

fn parse_hhmm(s: &str) -> Result<u16, String> {
    let bad = || format!("`{s}` is not a time like 08:00");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Formats minutes since midnight the Indonesian way: `08.00`.
pub fn format_minute(m: u16) -> String {
    format!("{:02}.{:02}", m / 60, m % 60)
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawWeekHours {
    #[serde(default)]
    pub monday: Vec<String>,
    #[serde(default)]
    pub tuesday: Vec<String>,
    #[serde(default)]
    pub wednesday: Vec<String>,
    #[serde(default)]
    pub thursday: Vec<String>,
    #[serde(default)]
    pub friday: Vec<String>,
    #[serde(default)]
    pub saturday: Vec<String>,
    #[serde(default)]
    pub sunday: Vec<String>,
}

/// Index 0 is Monday, as `Weekday::num_days_from_monday`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WeekHours {
    pub days: [Vec<TimeRange>; 7],
}

pub const DAY_NAMES_EN: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

pub const DAY_NAMES_ID: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];

impl WeekHours {
    pub(super) fn from_raw(raw: &RawWeekHours, path: &str, errs: &mut Collector) -> Self {
        let lists = [
            &raw.monday,
            &raw.tuesday,
            &raw.wednesday,
            &raw.thursday,
            &raw.friday,
            &raw.saturday,
            &raw.sunday,
        ];
        let mut out = WeekHours::default();
        for (day, list) in lists.iter().enumerate() {
            let mut ranges = Vec::new();
            for (i, s) in list.iter().enumerate() {
                match TimeRange::parse(s) {
                    Ok(r) => ranges.push(r),
                    Err(e) => errs.push(format!("{path}.{}[{i}]", DAY_NAMES_EN[day]), e),
                }
            }
            ranges.sort_by_key(|r| r.start);
            if ranges.windows(2).any(|w| w[0].end > w[1].start) {
                errs.push(
                    format!("{path}.{}", DAY_NAMES_EN[day]),
                    "time ranges overlap",
                );
            }
            out.days[day] = ranges;
        }
        out
    }

    pub fn ranges(&self, day: Weekday) -> &[TimeRange] {
        &self.days[day.num_days_from_monday() as usize]
    }

    pub fn is_open(&self, local: NaiveDateTime) -> bool {
        let minute = (local.hour() * 60 + local.minute()) as u16;
        self.ranges(local.weekday())
            .iter()
            .any(|r| r.contains(minute))
    }

    /// Today's hours as staff and citizens read them: `08.00–12.00, 13.00–15.30`, or `tutup`.
    pub fn describe_day(&self, day: Weekday) -> String {
        let ranges = self.ranges(day);
        if ranges.is_empty() {
            return "tutup".to_string();
        }
        ranges
            .iter()
            .map(|r| format!("{}–{}", format_minute(r.start), format_minute(r.end)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_and_rejects_nonsense() {
        assert_eq!(
            TimeRange::parse("08:00-12:30"),
            Ok(TimeRange {
                start: 480,
                end: 750
            })
        );
        assert_eq!(TimeRange::parse("00:00-24:00").map(|r| r.end), Ok(1440));
        assert!(TimeRange::parse("12:00-08:00").is_err());
        assert!(TimeRange::parse("8:00-12:00").is_err());
        assert!(TimeRange::parse("08:60-12:00").is_err());
        assert!(TimeRange::parse("24:30-24:45").is_err());
        assert!(TimeRange::parse("0800").is_err());
    }
}
