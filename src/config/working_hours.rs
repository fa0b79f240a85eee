//! `[working_hours]`: when the office's civil servants work, the clock the SOP's time
//! standards run on. Not the queue's `[hours]`: staff start before the counters open and
//! work after they close.

use serde::Deserialize;

use super::errors::Collector;
use super::hours::{RawWeekHours, WeekHours};

/// The section as written. Left out entirely, it is Perpres 21/2023's week (below); written,
/// a day it leaves out is a day off, as in `[hours]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWorkingHours {
    #[serde(default)]
    monday: Vec<String>,
    #[serde(default)]
    tuesday: Vec<String>,
    #[serde(default)]
    wednesday: Vec<String>,
    #[serde(default)]
    thursday: Vec<String>,
    #[serde(default)]
    friday: Vec<String>,
    #[serde(default)]
    saturday: Vec<String>,
    #[serde(default)]
    sunday: Vec<String>,
    #[serde(default)]
    cuti_bersama_is_working_day: bool,
}

/// Perpres 21/2023 on civil servants' working days and hours: Monday to Friday, 37 h 30 min a
/// week without breaks, from 07.30 local time, a 60-minute break (90 on Friday, for the
/// Friday prayer). These ranges give exactly that.
impl Default for RawWorkingHours {
    fn default() -> Self {
        let mon_thu = || vec!["07:30-12:00".to_string(), "13:00-16:00".to_string()];
        Self {
            monday: mon_thu(),
            tuesday: mon_thu(),
            wednesday: mon_thu(),
            thursday: mon_thu(),
            friday: vec!["07:30-11:30".to_string(), "13:00-16:30".to_string()],
            saturday: Vec::new(),
            sunday: Vec::new(),
            cuti_bersama_is_working_day: false,
        }
    }
}

pub(super) struct WorkingHours {
    pub week: WeekHours,
    pub cuti_bersama_is_working_day: bool,
}

impl RawWorkingHours {
    pub(super) fn validate(&self, errs: &mut Collector) -> WorkingHours {
        let raw = RawWeekHours {
            monday: self.monday.clone(),
            tuesday: self.tuesday.clone(),
            wednesday: self.wednesday.clone(),
            thursday: self.thursday.clone(),
            friday: self.friday.clone(),
            saturday: self.saturday.clone(),
            sunday: self.sunday.clone(),
        };
        let before = errs.errors.len();
        let week = WeekHours::from_raw(&raw, "working_hours", errs);
        // Only when the days themselves are readable: an unreadable range is its own error.
        if errs.errors.len() == before && week.days.iter().all(Vec::is_empty) {
            errs.push(
                "working_hours",
                "no working hours on any day: deadlines could never fall due \
                 (e.g. monday = [\"07:30-12:00\", \"13:00-16:00\"])",
            );
        }
        WorkingHours {
            week,
            cuti_bersama_is_working_day: self.cuti_bersama_is_working_day,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_37_and_a_half_hours_from_07_30_with_a_longer_friday_break() {
        let mut errs = Collector::default();
        let w = RawWorkingHours::default().validate(&mut errs);
        assert!(errs.errors.is_empty());
        let minutes: u32 = w
            .week
            .days
            .iter()
            .flatten()
            .map(|r| u32::from(r.end - r.start))
            .sum();
        assert_eq!(minutes, 37 * 60 + 30);
        for (day, ranges) in w.week.days.iter().enumerate().take(5) {
            assert_eq!(ranges[0].start, 7 * 60 + 30, "day {day}");
            let break_minutes = ranges[1].start - ranges[0].end;
            assert_eq!(break_minutes, if day == 4 { 90 } else { 60 }, "day {day}");
        }
        assert!(w.week.days[5].is_empty() && w.week.days[6].is_empty());
        assert!(!w.cuti_bersama_is_working_day);
    }
}
