//! The working-time rules, to the minute, on the shipped week (Perpres 21/2023: Monday to
//! Thursday 07.30–16.00 with 12.00–13.00 off, Friday 07.30–16.30 with 11.30–13.00 off) and the
//! built-in 2026 holidays.

use chrono::TimeZone;
use chrono_tz::Asia::{Jakarta, Jayapura, Makassar};

use super::*;
use crate::config::TimeRange;

const LIMA_MENIT: TimeStandard = TimeStandard::Minutes(5);
const LIMA_BELAS_MENIT: TimeStandard = TimeStandard::Minutes(15);
const SATU_JAM: TimeStandard = TimeStandard::Hours(1);
const TIGA_JAM: TimeStandard = TimeStandard::Hours(3);
const SATU_HARI_KERJA: TimeStandard = TimeStandard::WorkingDays(1);

fn ranges(list: &[&str]) -> Vec<TimeRange> {
    list.iter()
        .map(|s| TimeRange::parse(s).expect("range"))
        .collect()
}

fn perpres_week() -> WeekHours {
    let mon_thu = ranges(&["07:30-12:00", "13:00-16:00"]);
    let fri = ranges(&["07:30-11:30", "13:00-16:30"]);
    WeekHours {
        days: [
            mon_thu.clone(),
            mon_thu.clone(),
            mon_thu.clone(),
            mon_thu,
            fri,
            Vec::new(),
            Vec::new(),
        ],
    }
}

fn calendar_in(tz: Tz, cuti_bersama_worked: bool) -> Calendar {
    let holidays = Holidays::builtin().expect("built-in holidays");
    Calendar::new(tz, perpres_week(), cuti_bersama_worked, holidays).expect("calendar")
}

/// The shipped setting: cuti bersama is a day off.
fn calendar() -> Calendar {
    calendar_in(Jakarta, false)
}

fn local(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("local time")
        .with_timezone(&Utc)
}

fn wib(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    local(Jakarta, y, m, d, h, min)
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("utc")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn the_shipped_week_is_37_and_a_half_hours() {
    let c = calendar();
    // Monday 30 November to Monday 7 December 2026: no holidays.
    assert_eq!(
        c.working_minutes_between(wib(2026, 11, 30, 0, 0), wib(2026, 12, 7, 0, 0)),
        37 * 60 + 30
    );
}

#[test]
fn each_sop_standard_to_the_minute() {
    let c = calendar();
    // Monday 30 November 2026, 14.50 WIB.
    let start = wib(2026, 11, 30, 14, 50);
    assert_eq!(c.due(start, LIMA_MENIT), wib(2026, 11, 30, 14, 55));
    assert_eq!(c.due(start, LIMA_BELAS_MENIT), wib(2026, 11, 30, 15, 5));
    assert_eq!(c.due(start, SATU_JAM), wib(2026, 11, 30, 15, 50));
    // 70 minutes on Monday, 110 on Tuesday from 07.30.
    assert_eq!(c.due(start, TIGA_JAM), wib(2026, 12, 1, 9, 20));
    assert_eq!(c.due(start, SATU_HARI_KERJA), wib(2026, 12, 1, 14, 50));
}

#[test]
fn minutes_and_hours_skip_the_weekend() {
    let c = calendar();
    // Friday 4 December 16.20: ten minutes left on Friday, five on Monday.
    assert_eq!(
        c.due(wib(2026, 12, 4, 16, 20), LIMA_BELAS_MENIT),
        wib(2026, 12, 7, 7, 35)
    );
    assert_eq!(
        c.due(wib(2026, 12, 4, 16, 0), SATU_JAM),
        wib(2026, 12, 7, 8, 0)
    );
    assert!(!c.is_working(wib(2026, 12, 5, 10, 0)));
    assert!(!c.is_working(wib(2026, 12, 6, 10, 0)));
}

#[test]
fn the_midday_break_is_not_working_time() {
    let c = calendar();
    assert!(c.is_working(wib(2026, 11, 30, 11, 59)));
    assert!(!c.is_working(wib(2026, 11, 30, 12, 0)));
    assert!(!c.is_working(wib(2026, 11, 30, 12, 59)));
    assert!(c.is_working(wib(2026, 11, 30, 13, 0)));
    assert_eq!(
        c.due(wib(2026, 11, 30, 11, 45), SATU_JAM),
        wib(2026, 11, 30, 13, 45)
    );
    assert_eq!(
        c.due(wib(2026, 11, 30, 11, 0), TIGA_JAM),
        wib(2026, 11, 30, 15, 0)
    );
    // Work that fills the morning exactly is due as the break starts, not after it.
    assert_eq!(
        c.due(wib(2026, 11, 30, 9, 0), TIGA_JAM),
        wib(2026, 11, 30, 12, 0)
    );
}

#[test]
fn friday_has_its_own_hours_and_the_friday_prayer_break() {
    let c = calendar();
    assert!(
        c.is_working(wib(2026, 12, 4, 16, 15)),
        "Friday works to 16.30"
    );
    assert!(
        !c.is_working(wib(2026, 12, 3, 16, 15)),
        "Thursday ends at 16.00"
    );
    assert!(c.is_working(wib(2026, 12, 4, 11, 29)));
    assert!(!c.is_working(wib(2026, 12, 4, 11, 30)));
    assert!(
        !c.is_working(wib(2026, 12, 4, 12, 30)),
        "Thursday would work"
    );
    assert!(c.is_working(wib(2026, 12, 4, 13, 0)));
    // 30 minutes before the break, 30 after it.
    assert_eq!(
        c.due(wib(2026, 12, 4, 11, 0), SATU_JAM),
        wib(2026, 12, 4, 13, 30)
    );
    // 90 minutes to Friday's 16.30 closing, 90 on Monday.
    assert_eq!(
        c.due(wib(2026, 12, 4, 15, 0), TIGA_JAM),
        wib(2026, 12, 7, 9, 0)
    );
}

#[test]
fn a_step_started_outside_working_time_starts_at_the_next_opening() {
    let c = calendar();
    // Evening, before opening, in the midday break, in the Friday break, on a Saturday.
    for (start, opening, five) in [
        (
            wib(2026, 11, 30, 20, 0),
            wib(2026, 12, 1, 7, 30),
            wib(2026, 12, 1, 7, 35),
        ),
        (
            wib(2026, 12, 1, 6, 0),
            wib(2026, 12, 1, 7, 30),
            wib(2026, 12, 1, 7, 35),
        ),
        (
            wib(2026, 11, 30, 12, 30),
            wib(2026, 11, 30, 13, 0),
            wib(2026, 11, 30, 13, 5),
        ),
        (
            wib(2026, 12, 4, 11, 45),
            wib(2026, 12, 4, 13, 0),
            wib(2026, 12, 4, 13, 5),
        ),
        (
            wib(2026, 12, 5, 10, 0),
            wib(2026, 12, 7, 7, 30),
            wib(2026, 12, 7, 7, 35),
        ),
    ] {
        assert!(!c.is_working(start), "{start}");
        assert_eq!(c.next_opening(start), opening, "{start}");
        assert_eq!(c.due(start, LIMA_MENIT), five, "{start}");
    }
    // Inside working time the step starts where it is.
    let now = wib(2026, 11, 30, 10, 17);
    assert_eq!(c.next_opening(now), now);
    // An evening start's `1 hari kerja` is counted from the next morning's opening.
    assert_eq!(
        c.due(wib(2026, 11, 30, 20, 0), SATU_HARI_KERJA),
        wib(2026, 12, 2, 7, 30)
    );
}

#[test]
fn a_national_holiday_is_not_working_time() {
    let c = calendar();
    // Friday 16 January 2026: Isra Mikraj.
    assert!(!c.is_working(wib(2026, 1, 16, 9, 0)));
    assert_eq!(
        c.closing_holiday(date(2026, 1, 16)).map(|h| h.kind),
        Some(HolidayKind::LiburNasional)
    );
    assert_eq!(
        c.due(wib(2026, 1, 15, 15, 30), SATU_JAM),
        wib(2026, 1, 19, 8, 0)
    );
    assert_eq!(
        c.due(wib(2026, 1, 15, 10, 0), SATU_HARI_KERJA),
        wib(2026, 1, 19, 10, 0)
    );
}

#[test]
fn cuti_bersama_follows_the_office_setting() {
    // Thursday 24 December 2026: cuti bersama; Friday 25: Christmas.
    let off = calendar_in(Jakarta, false);
    let worked = calendar_in(Jakarta, true);
    let christmas_eve = date(2026, 12, 24);
    assert!(off.holiday(christmas_eve).is_some());
    assert!(worked.holiday(christmas_eve).is_some());
    assert!(off.closing_holiday(christmas_eve).is_some());
    assert!(worked.closing_holiday(christmas_eve).is_none());
    assert!(!off.is_working(wib(2026, 12, 24, 9, 0)));
    assert!(worked.is_working(wib(2026, 12, 24, 9, 0)));
    // Christmas itself is closed either way.
    assert!(!worked.is_working(wib(2026, 12, 25, 9, 0)));

    let start = wib(2026, 12, 23, 15, 0);
    // One hour on Wednesday, then Monday 28 December, or Thursday 24 when it is worked.
    assert_eq!(off.due(start, TIGA_JAM), wib(2026, 12, 28, 9, 30));
    assert_eq!(worked.due(start, TIGA_JAM), wib(2026, 12, 24, 9, 30));
    assert_eq!(off.due(start, SATU_HARI_KERJA), wib(2026, 12, 28, 15, 0));
    assert_eq!(worked.due(start, SATU_HARI_KERJA), wib(2026, 12, 24, 15, 0));
}

#[test]
fn one_hari_kerja_is_the_same_clock_time_on_the_next_working_day() {
    let c = calendar();
    assert_eq!(
        c.due(wib(2026, 11, 30, 10, 0), SATU_HARI_KERJA),
        wib(2026, 12, 1, 10, 0)
    );
    // Across the weekend.
    assert_eq!(
        c.due(wib(2026, 12, 4, 10, 0), SATU_HARI_KERJA),
        wib(2026, 12, 7, 10, 0)
    );
    assert_eq!(
        c.due(wib(2026, 12, 4, 10, 0), TimeStandard::WorkingDays(2)),
        wib(2026, 12, 8, 10, 0)
    );
}

#[test]
fn one_hari_kerja_moves_back_when_that_day_does_not_work_at_that_time() {
    let c = calendar();
    // Friday 16.20 is working time; Monday closes at 16.00.
    assert_eq!(
        c.due(wib(2026, 12, 4, 16, 20), SATU_HARI_KERJA),
        wib(2026, 12, 7, 16, 0)
    );
    // Thursday 11.45 is working time; on Friday it is in the prayer break, from 11.30.
    assert_eq!(
        c.due(wib(2026, 12, 3, 11, 45), SATU_HARI_KERJA),
        wib(2026, 12, 4, 11, 30)
    );
    // Friday's 16.30 closing is no longer working time: the step starts on Monday.
    assert_eq!(
        c.due(wib(2026, 12, 4, 16, 30), SATU_HARI_KERJA),
        wib(2026, 12, 8, 7, 30)
    );
    // A day that opens later than the clock time: its opening.
    let mut week = perpres_week();
    week.days[1] = ranges(&["09:00-16:00"]);
    let late_tuesday = Calendar::new(Jakarta, week, false, Holidays::default()).expect("calendar");
    assert_eq!(
        late_tuesday.due(wib(2026, 11, 30, 8, 0), SATU_HARI_KERJA),
        wib(2026, 12, 1, 9, 0)
    );
}

#[test]
fn one_hari_kerja_across_nyepi_idul_fitri_and_its_cuti_bersama() {
    // Tuesday 17 March 2026. Then: 18 cuti bersama (Nyepi), 19 Nyepi, 20 cuti bersama,
    // 21-22 Idul Fitri (a weekend), 23-24 cuti bersama.
    let start = wib(2026, 3, 17, 10, 0);
    let off = calendar_in(Jakarta, false);
    assert_eq!(off.due(start, SATU_HARI_KERJA), wib(2026, 3, 25, 10, 0));
    // Two hours on Tuesday afternoon, the third on Wednesday 25 March.
    assert_eq!(
        off.due(wib(2026, 3, 17, 14, 0), TIGA_JAM),
        wib(2026, 3, 25, 8, 30)
    );
    assert_eq!(
        off.working_minutes_between(start, wib(2026, 3, 25, 10, 0)),
        (16 - 10) * 60 - 60 + 150
    );
    let worked = calendar_in(Jakarta, true);
    assert_eq!(worked.due(start, SATU_HARI_KERJA), wib(2026, 3, 18, 10, 0));
    // From Wednesday 18 the next worked day is Friday 20 (Nyepi between).
    assert_eq!(
        worked.due(wib(2026, 3, 18, 10, 0), SATU_HARI_KERJA),
        wib(2026, 3, 20, 10, 0)
    );
}

#[test]
fn wib_wita_and_wit_keep_the_same_wall_clock_rules_at_different_instants() {
    for (tz, hours_ahead_of_utc) in [(Jakarta, 7u32), (Makassar, 8), (Jayapura, 9)] {
        let c = calendar_in(tz, false);
        let start = local(tz, 2026, 11, 30, 11, 0);
        assert_eq!(start, utc(2026, 11, 30, 11 - hours_ahead_of_utc, 0));
        assert_eq!(
            c.due(start, TIGA_JAM),
            utc(2026, 11, 30, 15 - hours_ahead_of_utc, 0),
            "{tz}"
        );
        assert_eq!(
            c.due(local(tz, 2026, 12, 4, 16, 20), SATU_HARI_KERJA),
            utc(2026, 12, 7, 16 - hours_ahead_of_utc, 0),
            "{tz}"
        );
        // Monday evening: Tuesday's 07.30 local.
        assert_eq!(
            c.next_opening(local(tz, 2026, 11, 30, 20, 0)),
            utc(2026, 12, 1, 0, 0)
                + TimeDelta::minutes(7 * 60 + 30 - 60 * i64::from(hours_ahead_of_utc)),
            "{tz}"
        );
    }
}

#[test]
fn one_instant_is_working_time_in_one_zone_and_not_in_another() {
    // 00.15 UTC: 07.15 WIB (before opening), 08.15 WITA and 09.15 WIT (open).
    let instant = utc(2026, 11, 30, 0, 15);
    assert!(!calendar_in(Jakarta, false).is_working(instant));
    assert!(calendar_in(Makassar, false).is_working(instant));
    assert!(calendar_in(Jayapura, false).is_working(instant));
    assert_eq!(
        calendar_in(Jakarta, false).next_opening(instant),
        utc(2026, 11, 30, 0, 30)
    );
    assert_eq!(calendar_in(Jayapura, false).next_opening(instant), instant);
}

#[test]
fn the_year_ends_into_a_year_with_no_holiday_file() {
    let c = calendar();
    assert_eq!(c.covered_until(), Some(date(2026, 12, 31)));
    assert!(!c.runs_out_within(date(2026, 10, 1), WARN_DAYS_AHEAD));
    assert!(
        !c.runs_out_within(date(2026, 11, 1), WARN_DAYS_AHEAD),
        "to 31 Dec"
    );
    assert!(
        c.runs_out_within(date(2026, 11, 2), WARN_DAYS_AHEAD),
        "to 1 Jan"
    );
    assert!(c.runs_out_within(date(2026, 11, 30), WARN_DAYS_AHEAD));
    assert!(c.runs_out_within(date(2027, 2, 1), 0), "already past");
    // No 2027 file: nothing is known of 1 January 2027 (a Friday), so it is worked.
    assert_eq!(
        c.due(wib(2026, 12, 31, 10, 0), SATU_HARI_KERJA),
        wib(2027, 1, 1, 10, 0)
    );

    let file = "[[holidays]]\ndate = 2027-01-01\nname = \"Tahun Baru 2027 Masehi\"\nkind = \"libur_nasional\"\ndecree = \"SKB 2027\"\n";
    let with_2027 = Holidays::from_sources(&[HolidaySource {
        file_name: "2027.toml".to_string(),
        label: "holidays/2027.toml".to_string(),
        text: file.to_string(),
    }])
    .expect("holidays");
    let c = Calendar::new(Jakarta, perpres_week(), false, with_2027).expect("calendar");
    assert_eq!(c.covered_until(), Some(date(2027, 12, 31)));
    assert!(!c.runs_out_within(date(2026, 11, 30), WARN_DAYS_AHEAD));
    assert_eq!(
        c.due(wib(2026, 12, 31, 10, 0), SATU_HARI_KERJA),
        wib(2027, 1, 4, 10, 0)
    );

    let none =
        Calendar::new(Jakarta, perpres_week(), false, Holidays::default()).expect("calendar");
    assert_eq!(none.covered_until(), None);
    assert!(none.runs_out_within(date(2026, 11, 30), 0));
}

#[test]
fn working_minutes_between_counts_only_working_time() {
    let c = calendar();
    // Friday 16.00 to Monday 08.00: 30 + 30.
    assert_eq!(
        c.working_minutes_between(wib(2026, 12, 4, 16, 0), wib(2026, 12, 7, 8, 0)),
        60
    );
    // Across the midday break.
    assert_eq!(
        c.working_minutes_between(wib(2026, 11, 30, 11, 30), wib(2026, 11, 30, 13, 30)),
        60
    );
    assert_eq!(
        c.working_minutes_between(wib(2026, 12, 7, 8, 0), wib(2026, 12, 4, 16, 0)),
        0
    );
    let a = wib(2026, 11, 30, 9, 0);
    assert_eq!(c.working_minutes_between(a, a), 0);
    assert_eq!(
        c.working_minutes_between(a, a + TimeDelta::seconds(59)),
        0,
        "whole minutes"
    );
    // What `due` adds, the timeline counts back, wherever the step starts.
    for start in [
        wib(2026, 11, 30, 14, 50),
        wib(2026, 11, 30, 12, 10),
        wib(2026, 12, 4, 16, 25),
        wib(2026, 12, 23, 15, 59),
        wib(2026, 3, 17, 15, 0),
    ] {
        for (standard, minutes) in [
            (LIMA_MENIT, 5),
            (LIMA_BELAS_MENIT, 15),
            (SATU_JAM, 60),
            (TIGA_JAM, 180),
        ] {
            let due = c.due(start, standard);
            assert_eq!(
                c.working_minutes_between(start, due),
                minutes,
                "{start} {standard}"
            );
        }
    }
}

#[test]
fn a_week_with_no_working_time_is_refused() {
    assert_eq!(
        Calendar::new(Jakarta, WeekHours::default(), false, Holidays::default()),
        Err(NoWorkingTime)
    );
}

#[test]
fn absurd_input_ends_at_the_scan_bound_instead_of_running_on() {
    let c = calendar();
    let start = wib(2026, 11, 30, 10, 0);
    let bound = start + TimeDelta::days(MAX_DAYS as i64);
    assert_eq!(c.due(start, TimeStandard::WorkingDays(u32::MAX)), bound);
    assert_eq!(c.due(start, TimeStandard::Hours(u32::MAX)), bound);

    // Holiday files that close every day of 2026: the first opening is in 2027.
    let mut text = String::new();
    let mut day = date(2026, 1, 1);
    while day.year() == 2026 {
        text.push_str(&format!(
            "[[holidays]]\ndate = {day}\nname = \"Libur\"\nkind = \"libur_nasional\"\ndecree = \"x\"\n"
        ));
        day = day.succ_opt().expect("next day");
    }
    let all_closed = Holidays::from_sources(&[HolidaySource {
        file_name: "2026.toml".to_string(),
        label: "2026.toml".to_string(),
        text,
    }])
    .expect("holidays");
    let c = Calendar::new(Jakarta, perpres_week(), true, all_closed).expect("calendar");
    assert_eq!(
        c.next_opening(wib(2026, 1, 1, 0, 0)),
        wib(2027, 1, 1, 7, 30)
    );
    assert_eq!(
        c.working_minutes_between(wib(2026, 1, 1, 0, 0), wib(2026, 12, 31, 23, 59)),
        0
    );
}
